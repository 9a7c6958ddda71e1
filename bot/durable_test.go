package bot

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// heldStore holds every Update while the test says so, to see what the
// bot answers Slack before its change is committed.
type heldStore struct {
	store.Store
	mu      sync.Mutex
	gate    chan struct{} // nil: Updates go through
	waiting chan struct{} // gets a value each time an Update is held
}

func (h *heldStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	h.mu.Lock()
	gate := h.gate
	h.mu.Unlock()
	if gate != nil {
		h.waiting <- struct{}{}
		<-gate
	}
	return h.Store.Update(ctx, fn)
}

func (h *heldStore) hold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gate = make(chan struct{})
}

func (h *heldStore) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.gate)
	h.gate = nil
}

// answeredAfterCommit sends body to path while the store holds every
// write, checks Slack gets no answer while the change waits to be
// committed, then lets it commit and returns the status, read before any
// work after the answer is waited for.
func answeredAfterCommit(t *testing.T, e *testEnv, h *heldStore, path, contentType, body string) int {
	t.Helper()
	h.hold()
	answered := make(chan int, 1)
	go func() {
		code, _ := e.post(path, contentType, body, sign(body, time.Now(), testSecret))
		answered <- code
	}()
	select {
	case <-h.waiting:
	case code := <-answered:
		h.release()
		t.Fatalf("%s answered %d without writing anything", path, code)
	}
	// The change waits for its commit: Slack must not have its answer.
	// (Waiting longer could only catch a slower wrong answer.)
	select {
	case code := <-answered:
		h.release()
		t.Fatalf("%s answered %d before its change was committed", path, code)
	case <-time.After(200 * time.Millisecond):
	}
	h.release()
	return <-answered
}

// TestStoredBeforeAnswered: a DM answer and a Join press are committed,
// with their redelivery keys, before Slack gets its 200; the reply and the
// confirmation go out after it.
func TestStoredBeforeAnswered(t *testing.T) {
	h := &heldStore{waiting: make(chan struct{}, 16)}
	e := newTestBotOn(t, func(st store.Store) store.Store { h.Store = st; return h },
		func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)

	t.Run("DM answer", func(t *testing.T) {
		code := answeredAfterCommit(t, e, h, "/slack/events", "application/json", dm(t, "EvD1", "DUA", "UA", "Peer reviews built trust."))
		if code != 200 {
			t.Fatalf("status %d", code)
		}
		if got := e.answered(1)["UA"]; got != 1 {
			t.Fatalf("answers stored when Slack got its 200: %d, want 1", got)
		}
		e.deliver()
		if got := e.postsTo("DUA"); len(got) == 0 || !strings.Contains(got[len(got)-1], "Saved. *Question 2 of 3:*") {
			t.Errorf("reply after the answer = %q", got)
		}
	})

	t.Run("Join press", func(t *testing.T) {
		e.clock.Set(time.Now()) // the session is ahead again
		e.run("UC", `new "Open data" `+futureDate(2)+` 10:00 <#C1|general>`)
		e.slack.Reset()
		payload := blockActionJoin("U7", "C1", "2")
		body := url.Values{"payload": {payload}}.Encode()
		code := answeredAfterCommit(t, e, h, "/slack/interactivity", "application/x-www-form-urlencoded", body)
		if code != 200 {
			t.Fatalf("status %d", code)
		}
		s, err := e.store.Session(context.Background(), 2)
		if err != nil || !s.HasParticipant("U7") {
			t.Fatalf("U7 not stored as joined when Slack got its 200: %v, %v", s, err)
		}
		e.bot.Wait()
		if eph := e.slack.Calls("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].Form.Get("text"), "You joined *#2*") {
			t.Errorf("confirmation = %+v", eph)
		}
		// Redelivered, the press is refused by its key and says nothing.
		if code, _ := e.interaction(payload); code != 200 {
			t.Errorf("redelivery answered %d", code)
		}
		if n := len(e.slack.Calls("chat.postEphemeral")); n != 1 {
			t.Errorf("%d confirmations after a redelivered press, want 1", n)
		}
	})
}

// blockActionJoin is a press of the announcement's Join button.
func blockActionJoin(user, channel, value string) string {
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": "trig-join-" + user, "channel": map[string]any{"id": channel},
		"actions": []map[string]any{{"type": "button", "action_id": actionJoin, "block_id": "join_" + value, "value": value, "action_ts": "1764331202.000000"}},
	})
	return string(b)
}

package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/store"
)

// retried sends body again as Slack retries an event it had no answer
// to in time: signed anew, with X-Slack-Retry-Num.
func (e *testEnv) retried(body string, n string) int {
	e.t.Helper()
	h := sign(body, time.Now(), testSecret)
	h.Set("X-Slack-Retry-Num", n)
	h.Set("X-Slack-Retry-Reason", "http_timeout")
	code, _ := e.post("/slack/events", "application/json", body, h)
	e.bot.Wait()
	return code
}

// replyRows are the reply rows the outbox holds, in every state.
func (e *testEnv) replyRows() []store.Delivery {
	e.t.Helper()
	return outboxRows(e.t, e.store, exchange.KindReply)
}

// A DM that changes nothing is answered once however often Slack
// delivers it: the answer is owed in the same commit as the message's
// key, before Slack gets its 200, and a redelivery finds the key.
func TestDMRedeliveredGetsOneAnswer(t *testing.T) {
	e := newTestBot(t)
	hello := dm(t, "EvHello", "DU5", "U5", "hello")
	if code, _ := e.event(hello); code != http.StatusOK {
		t.Fatalf("event: %d", code)
	}
	// Answered: so the reply is stored, and not yet sent.
	if rows := e.replyRows(); len(rows) != 1 || rows[0].State != store.StatePending || rows[0].Recipient != "U5" {
		t.Fatalf("reply rows once Slack had its 200: %+v", rows)
	}
	if got := e.postsTo("DU5"); len(got) != 0 {
		t.Fatalf("answered before the delivery engine ran: %q", got)
	}
	if code := e.retried(hello, "1"); code != http.StatusOK {
		t.Fatalf("retry: %d", code)
	}
	// The same message under a new event id (HTTP and Socket Mode both).
	e.event(strings.Replace(hello, `"EvHello"`, `"EvHello-again"`, 1))
	e.deliver()
	e.deliver()
	got := e.postsTo("DU5")
	if len(got) != 1 || !strings.Contains(got[0], "/exchange help") {
		t.Fatalf("answers to one hello delivered three times: %q", got)
	}
	if rows := e.replyRows(); len(rows) != 1 || rows[0].State != store.StateSent {
		t.Fatalf("reply rows: %+v", rows)
	}

	// Another message is another answer; a control word with nothing to
	// act on is chat like any other, and also answered once.
	e.event(dm(t, "EvHelp", "DU5", "U5", "help"))
	skip := dm(t, "EvSkip", "DU5", "U5", "skip")
	e.event(skip)
	e.retried(skip, "1")
	e.retried(skip, "2")
	e.deliver()
	if got := e.postsTo("DU5"); len(got) != 3 {
		t.Fatalf("answers to hello, help and skip (thrice) = %d, want 3: %q", len(got), got)
	}
}

// A DM the core refuses stores nothing, so its refusal is what commits
// the message's key: it is said once, and only once it is owed.
func TestDMRefusalRedeliveredSaidOnce(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)
	// Moved after UA was asked: the questions wait on a session that has
	// not happened yet, so an answer is refused.
	ctx := context.Background()
	if _, _, err := e.bot.svc.Move(ctx, exchange.Actor{UserID: "UC"}, 1, e.clock.Now().Add(72*time.Hour), 90*time.Minute); err != nil {
		t.Fatal(err)
	}
	before := len(e.postsTo("DUA")) // the questions
	early := dm(t, "EvEarly", "DUA", "UA", "Peer reviews built trust.")
	e.event(early)
	e.retried(early, "1")
	e.deliver()
	got := e.postsTo("DUA")[before:]
	if len(got) != 1 || !strings.Contains(got[0], "#1 has not been held yet") {
		t.Fatalf("refusals: %q", got)
	}
	if n := e.answered(1)["UA"]; n != 0 {
		t.Errorf("a refused answer was stored: %d", n)
	}
}

// failingStore fails every Update while fail is set, as a full disk would.
type failingStore struct {
	store.Store
	fail atomic.Bool
}

func (f *failingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if f.fail.Load() {
		return errors.New("disk I/O error")
	}
	return f.Store.Update(ctx, fn)
}

// A DM whose answer could not be stored is not acknowledged, so Slack
// retries it, and the retry is answered.
func TestDMNotAcknowledgedUntilItsAnswerIsStored(t *testing.T) {
	var fs *failingStore
	e := newTestBotOn(t, func(s store.Store) store.Store { fs = &failingStore{Store: s}; return fs })
	fs.fail.Store(true)
	hello := dm(t, "EvFail", "DU5", "U5", "hello")
	if code, _ := e.event(hello); code != http.StatusInternalServerError {
		t.Fatalf("event whose answer was not stored: %d, want 500", code)
	}
	e.deliver()
	if rows, got := e.replyRows(), e.postsTo("DU5"); len(rows) != 0 || len(got) != 0 {
		t.Fatalf("after the failure: rows %+v, posts %q", rows, got)
	}
	fs.fail.Store(false)
	if code := e.retried(hello, "1"); code != http.StatusOK {
		t.Fatalf("retry: %d", code)
	}
	e.retried(hello, "2")
	e.deliver()
	if got := e.postsTo("DU5"); len(got) != 1 {
		t.Fatalf("answers after the retries: %q", got)
	}
}

// dmPosts records the chat.postMessage calls a Socket Mode bot makes.
type dmPosts struct {
	mu    sync.Mutex
	texts map[string][]string // by channel
	n     atomic.Int64
}

func (p *dmPosts) bind(c slacktest.Customize) {
	c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ch := r.Form.Get("channel")
		p.mu.Lock()
		p.texts[ch] = append(p.texts[ch], r.Form.Get("text"))
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1764331300.%06d"}`, ch, p.n.Add(1))
	})
}

func (p *dmPosts) to(channel string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.texts[channel])
}

// dmEnvelope is a message.im event as Socket Mode delivers it; retry
// marks a redelivery (same event, new envelope).
func dmEnvelope(t *testing.T, envelopeID, eventID, text string, ts string, retry int) string {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": eventID, "event_time": 1764331200,
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": "DU5", "user": "U5", "text": text, "ts": ts, "event_ts": ts},
	})
	env := map[string]any{"envelope_id": envelopeID, "type": "events_api", "payload": json.RawMessage(payload)}
	if retry > 0 {
		env["retry_attempt"], env["retry_reason"] = retry, "timeout"
	}
	b, _ := json.Marshal(env)
	return string(b)
}

// Over Socket Mode, a DM delivered twice (the second a redelivery of the
// same event) is acknowledged twice and answered once; another DM gets
// its own answer.
func TestSocketModeDMRedeliveredGetsOneAnswer(t *testing.T) {
	posts := &dmPosts{texts: map[string][]string{}}
	e := newSocketBot(t, posts.bind)
	e.connect()
	sendAcked := func(envs ...string) {
		t.Helper()
		var ids []string
		for _, env := range envs {
			var head struct {
				ID string `json:"envelope_id"`
			}
			json.Unmarshal([]byte(env), &head)
			ids = append(ids, head.ID)
			e.ws.SendToWebsocket(env)
		}
		for deadline := time.Now().Add(15 * time.Second); len(e.acked(ids...)) < len(ids); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("acknowledged %v of %v", e.acked(ids...), ids)
			}
		}
	}
	// sent waits until every reply row is sent, and returns the answers.
	sent := func(rows int) []string {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			done := 0
			for _, d := range outboxRows(t, e.store, exchange.KindReply) {
				if d.State == store.StateSent {
					done++
				}
			}
			if done >= rows {
				return posts.to("DU5")
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d reply rows sent after 15 s, want %d; posts %q", done, rows, posts.to("DU5"))
			}
		}
	}

	sendAcked(dmEnvelope(t, "env-hello", "EvSockHello", "hello", "1764331200.000101", 0))
	sendAcked(dmEnvelope(t, "env-hello-again", "EvSockHello", "hello", "1764331200.000101", 1))
	e.bot.Wait()
	if got := sent(1); len(got) != 1 || !strings.Contains(got[0], "/exchange help") {
		t.Fatalf("answers to one hello delivered twice: %q", got)
	}
	sendAcked(dmEnvelope(t, "env-thanks", "EvSockThanks", "thanks", "1764331200.000102", 0))
	if got := sent(2); len(got) != 2 {
		t.Fatalf("answers to two messages: %q", got)
	}
}

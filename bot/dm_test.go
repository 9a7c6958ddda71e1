package bot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
	all, err := e.store.Deliveries(context.Background(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.Delivery
	for _, d := range all {
		if d.Kind == exchange.KindReply {
			out = append(out, d)
		}
	}
	return out
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

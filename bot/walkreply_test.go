package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
)

// dmInThread is dm, written in the thread of the message whose ts is thread.
func dmInThread(t *testing.T, eventID, channel, user, text, thread string) string {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal([]byte(dm(t, eventID, channel, user, text)), &ev); err != nil {
		t.Fatal(err)
	}
	ev["event"].(map[string]any)["thread_ts"] = thread
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// postedIn is what the bot posted in channel (thread replies included)
// after the first seen messages the fake holds.
func (e *testEnv) postedIn(channel string, seen int) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range e.slack.Messages()[seen:] {
		if m.Channel == channel {
			m.Blocks, m.Metadata = nil, nil // shorter failures
			out = append(out, m)
		}
	}
	return out
}

const askThread = "1764331100.000001" // the question UA answers under

// An answer in the walk-through owes its reply in the commit that
// stores it: nothing is posted before the delivery engine runs, the
// next question is posted once, in the thread the answer was in, and a
// redelivery of the answer adds nothing.
func TestWalkReplyDeliveredOnce(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)
	seen := len(e.slack.Messages())
	answer := dmInThread(t, "EvW1", "DUA", "UA", "Peer reviews built trust.", askThread)
	e.event(answer)
	if rows := e.replyRows(); len(rows) != 1 || rows[0].State != store.StatePending || rows[0].Recipient != "UA" {
		t.Fatalf("reply rows once the answer was taken: %+v", rows)
	}
	if got := e.postedIn("DUA", seen); len(got) != 0 {
		t.Fatalf("posted before the delivery engine ran: %+v", got)
	}
	e.deliver()
	got := e.postedIn("DUA", seen)
	if len(got) != 1 || got[0].ThreadTS != askThread || !strings.Contains(got[0].Text, "Saved. *Question 2 of 3:* What would you do differently?") {
		t.Fatalf("posts after the delivery: %+v", got)
	}
	e.retried(answer, "1")
	e.event(strings.Replace(answer, `"EvW1"`, `"EvW1-again"`, 1))
	e.deliver()
	if got := e.postedIn("DUA", seen); len(got) != 1 {
		t.Fatalf("posts after redeliveries: %+v", got)
	}
	if n := e.answered(1)["UA"]; n != 1 {
		t.Errorf("answers stored: %d", n)
	}
	// The end of the walk-through is said the same way.
	e.event(dm(t, "EvW2", "DUA", "UA", "skip"))
	e.event(dm(t, "EvW3", "DUA", "UA", "Share the registry early."))
	e.deliver()
	got = e.postedIn("DUA", seen)
	if len(got) != 3 || !strings.Contains(got[1].Text, "Skipped. *Question 3 of 3:*") ||
		!strings.Contains(got[2].Text, "Saved. That was the last question: thank you!") || got[2].ThreadTS != "" {
		t.Fatalf("posts after the walk-through: %+v", got)
	}
}

// deliverPastAFailedPost delivers the one reply owed while Slack fails
// its first chat.postMessage (the caller made it fail): the row stays
// pending after one attempt and nothing is posted in channel; after the
// back-off the reply goes out and the row is sent. It returns what was
// posted in channel since seen.
func (e *testEnv) deliverPastAFailedPost(channel string, seen int) []slackfake.Message {
	e.t.Helper()
	e.deliver()
	rows := e.replyRows()
	if len(rows) != 1 || rows[0].State != store.StatePending || rows[0].Attempts != 1 || rows[0].LastError != "internal_error" {
		e.t.Fatalf("reply row after Slack failed: %+v", rows)
	}
	if got := e.postedIn(channel, seen); len(got) != 0 {
		e.t.Fatalf("posted although Slack failed: %+v", got)
	}
	e.clock.Add(outbox.MaxBackoff)
	e.deliver()
	e.deliver()
	if rows := e.replyRows(); rows[0].State != store.StateSent {
		e.t.Fatalf("reply row after the retry: %+v", rows[0])
	}
	return e.postedIn(channel, seen)
}

// A reply Slack fails to take stays owed, and goes out once on the retry.
func TestWalkReplyRetriedWhenSlackFails(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)
	seen := len(e.slack.Messages())
	e.slack.Fail("chat.postMessage", 1, "internal_error")
	e.event(dm(t, "EvF1", "DUA", "UA", "Peer reviews built trust."))
	got := e.deliverPastAFailedPost("DUA", seen)
	if len(got) != 1 || !strings.Contains(got[0].Text, "Saved. *Question 2 of 3:*") {
		t.Fatalf("posts after the retry: %+v", got)
	}
}

// A process that dies once the answer is committed, before its reply is
// posted, leaves the reply owed: the next process posts it, once.
func TestWalkReplyPostedAfterACrashBeforeThePost(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)
	seen := len(e.slack.Messages())
	e.event(dmInThread(t, "EvC1", "DUA", "UA", "Peer reviews built trust.", askThread))
	// e's process dies here: it never delivers again.
	next := e.otherProcess(1)
	for range 2 {
		if err := next.DeliverNow(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	next.Wait()
	got := e.postedIn("DUA", seen)
	if len(got) != 1 || got[0].ThreadTS != askThread || !strings.Contains(got[0].Text, "Saved. *Question 2 of 3:*") {
		t.Fatalf("posts after the restart: %+v", got)
	}
}

// A process that dies after posting a reply in a DM thread, before
// recording it, leaves the row claimed: recovery finds the post in the
// thread by its metadata and does not post it again.
func TestWalkReplyInAThreadFoundAfterACrash(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)
	seen := len(e.slack.Messages())
	e.event(dmInThread(t, "EvC2", "DUA", "UA", "Peer reviews built trust.", askThread))
	rows := e.replyRows()
	if len(rows) != 1 {
		t.Fatalf("reply rows: %+v", rows)
	}
	e.crash(rows[0], "post")
	if got := e.postedIn("DUA", seen); len(got) != 1 || got[0].ThreadTS != askThread {
		t.Fatalf("the post before the crash: %+v", got)
	}
	next := e.otherProcess(1)
	e.clock.Add(outbox.RecoverAfter + time.Second)
	for range 2 {
		if err := next.DeliverNow(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	next.Wait()
	got := e.postedIn("DUA", seen)
	if len(got) != 1 {
		t.Fatalf("posts after recovery: %d, want 1: %+v", len(got), got)
	}
	if row := e.reload(rows[0]); row.State != store.StateSent || row.TS != got[0].TS {
		t.Fatalf("row after recovery: %+v (post %s)", row, got[0].TS)
	}
	if n := len(e.slack.Calls("conversations.replies")); n == 0 {
		t.Error("recovery never looked in the thread")
	}
}

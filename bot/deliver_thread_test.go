package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// TestDeliverThreadNoteGoesToTheChannelWhenItsAnnouncementFailed: the
// announcement fails for good, its creator is told once, and the thread's
// reminder goes to the channel itself instead of vanishing.
func TestDeliverThreadNoteGoesToTheChannelWhenItsAnnouncementFailed(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Reminders.Before = []time.Duration{time.Hour} })
	e.clock.Set(remT0)
	e.slack.Fail("chat.postMessage", 1, "not_in_channel")
	e.run("U1", remNew)
	e.run("U3P", "join 1")
	// While the announcement is still coming, a thread reply waits for it.
	if got := e.row(kindAnnounce, ""); got.State != store.StatePending {
		t.Fatalf("announcement %s before any run", got.State)
	}
	e.deliver()
	ann := e.row(kindAnnounce, "")
	if ann.State != store.StateFailed || ann.LastError != "not_in_channel" {
		t.Fatalf("announcement %s (%s), want failed", ann.State, ann.LastError)
	}
	e.deliver() // the notice the failure owes
	notices := e.slack.Calls("chat.postMessage")
	if len(notices) != 2 || notices[1].Form.Get("channel") != "DU1" {
		t.Fatalf("calls %+v, want the failed post and a DM to the creator", notices)
	}
	for _, want := range []string{"announcement", "Reminder test", "not_in_channel", "/invite", fmt.Sprintf("exchangebot retry %d", ann.ID)} {
		if !strings.Contains(notices[1].Form.Get("text"), want) {
			t.Errorf("notice %q lacks %q", notices[1].Form.Get("text"), want)
		}
	}
	e.clock.Set(remStart.Add(-time.Hour))
	e.deliver()
	got := e.row(kindReminder, "C9ROOM")
	if got.State != store.StateSent || got.Channel != "C9ROOM" {
		t.Fatalf("thread reminder without an announcement: %+v", got)
	}
	last := e.slack.Calls("chat.postMessage")
	for _, c := range last {
		if c.Form.Get("channel") == "C9ROOM" && c.Error == "" && (c.Form.Get("thread_ts") != "" || !strings.Contains(c.Form.Get("text"), "Reminder")) {
			t.Errorf("post to the channel: %v", c.Form)
		}
	}
	if got := e.row(kindReminder, "U3P"); got.State != store.StateSent {
		t.Errorf("the DM reminder did not go: %+v", got)
	}
}

func TestDeliverThreadWaitsForItsAnnouncement(t *testing.T) {
	e := newTestBot(t)
	e.clock.Set(remT0)
	e.run("U1", remNew)
	flaky := e.flaky()
	flaky.setErr(errUnavailable)
	e.deliver() // the announcement meets an outage
	e.run("U1", "move 1 2030-01-10 17:00")
	flaky.setErr(nil)
	ann := e.row(kindAnnounce, "")
	note := e.row(kindThread, "")
	// Claimed before its announcement is out, the note waits, not fails.
	e.clock.Set(ann.NextAttempt.Add(-time.Second))
	e.deliver()
	if got := e.reload(note); got.State != store.StatePending || got.Attempts != 1 {
		t.Fatalf("note before the announcement: %+v", got)
	}
	e.clock.Set(e.reload(note).NextAttempt)
	e.deliver()
	s, _ := e.store.Session(context.Background(), 1)
	if got := e.reload(note); got.State != store.StateSent || s.AnnounceTS == "" {
		t.Fatalf("note %+v, announcement %q", got, s.AnnounceTS)
	}
	for _, c := range e.slack.Calls("chat.postMessage") {
		if strings.Contains(c.Form.Get("text"), "Moved") && c.Form.Get("thread_ts") != s.AnnounceTS {
			t.Errorf("note posted outside the thread: %+v", c.Form)
		}
	}
}

package bot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
)

func TestDeliverRecoversRowsLeftInSending(t *testing.T) {
	for _, tc := range []struct {
		name, kind, recipient, step string
		wantPosts                   int // messages for the row in Slack at the end
	}{
		{"DM posted before the crash", kindReminder, "U3P", "post", 1},
		{"thread reply posted before the crash", kindReminder, "C9ROOM", "post", 1},
		{"DM never reached Slack", kindReminder, "U3P", "channel", 1},
		{"died right after the claim", kindReminder, "U4P", "claim", 1},
		{"announcement posted before the crash", kindAnnounce, "", "post", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestBot(t, func(c *Config) { c.Reminders.Before = []time.Duration{time.Hour} })
			e.clock.Set(remT0)
			e.run("U1", remNew)
			e.run("U3P", "join 1")
			e.run("U4P", "join 1")
			if tc.kind != kindAnnounce {
				e.deliver()
				e.clock.Set(remStart.Add(-time.Hour))
			}
			d := e.row(tc.kind, tc.recipient)
			e.crash(d, tc.step)

			// A young claim may belong to a live worker in another process:
			// it is left alone, and nothing is posted for it.
			before := postsPerDelivery(t, e.slack.Messages())[d.ID]
			e.clock.Add(outbox.RecoverAfter - time.Second)
			e.deliver()
			if got := e.reload(d); got.State != store.StateSending || got.Attempts != 1 {
				t.Fatalf("young claim touched: %+v", got)
			}
			if got := postsPerDelivery(t, e.slack.Messages())[d.ID]; got != before {
				t.Fatalf("posted while the claim was young: %d -> %d", before, got)
			}

			e.clock.Add(2 * time.Second)
			e.deliver()
			got := e.reload(d)
			if got.State != store.StateSent {
				t.Fatalf("after recovery: %+v", got)
			}
			if n := postsPerDelivery(t, e.slack.Messages())[d.ID]; n != tc.wantPosts {
				t.Fatalf("%d posts for the row in Slack, want %d", n, tc.wantPosts)
			}
			var ts string
			for _, m := range e.slack.Messages() {
				if postsPerDelivery(t, []slackfake.Message{m})[d.ID] == 1 {
					ts = m.TS
				}
			}
			if got.TS != ts {
				t.Errorf("recorded ts %q, Slack's is %q", got.TS, ts)
			}
			if tc.kind == kindAnnounce {
				s, _ := e.store.Session(context.Background(), 1)
				if s.AnnounceTS != ts || s.AnnounceChannel != "C9ROOM" {
					t.Errorf("announcement location not recovered: %q %q", s.AnnounceChannel, s.AnnounceTS)
				}
			}
			wantLookups := map[string]int{"post": 1, "channel": 1, "claim": 0}[tc.step]
			lookups := len(e.slack.Calls("conversations.history")) + len(e.slack.Calls("conversations.replies"))
			if lookups < wantLookups {
				t.Errorf("%d lookups, want at least %d", lookups, wantLookups)
			}
			for _, c := range append(e.slack.Calls("conversations.history"), e.slack.Calls("conversations.replies")...) {
				if c.Form.Get("include_all_metadata") != "1" {
					t.Errorf("%s without include_all_metadata", c.Method)
				}
			}
		})
	}
}

func TestDeliverRecoveryAfterTheStartSkips(t *testing.T) {
	e, _ := remEnv(t, func(c *Config) { c.Reminders.Before = []time.Duration{time.Hour} })
	e.clock.Set(remStart.Add(-time.Hour))
	d := e.row(kindReminder, "U3P")
	e.crash(d, "channel")
	e.clock.Set(remStart.Add(time.Minute))
	e.deliver()
	if got := e.reload(d); got.State != store.StateSkipped {
		t.Fatalf("state %s (%s), want skipped", got.State, got.LastError)
	}
	if n := postsPerDelivery(t, e.slack.Messages())[d.ID]; n != 0 {
		t.Fatalf("sent late: %d", n)
	}
}

func TestDeliverLostAnswerIsLookedUpNotResent(t *testing.T) {
	e, _ := remEnv(t, func(c *Config) {
		c.Reminders.Before = []time.Duration{time.Hour}
		c.Reminders.ToSpeakers = false
	})
	flaky := e.flaky()
	flaky.setLost(errUnavailable)
	e.clock.Set(remStart.Add(-time.Hour))
	// Each run tries one row and stops at its error: three runs, three
	// posts Slack took whose answers were lost.
	for range 3 {
		e.deliver()
	}
	rows := e.reminderRows("")
	if len(rows) != 3 {
		t.Fatalf("%d reminder rows, want thread + 2 DMs", len(rows))
	}
	for _, d := range rows {
		if d.State != store.StatePending || d.Channel == "" || d.Attempts != 1 {
			t.Fatalf("after a lost answer: %+v", d)
		}
	}
	flaky.setErr(nil)
	e.clock.Add(time.Minute)
	e.deliver()
	for _, d := range e.reminderRows("") {
		if d.State != store.StateSent || d.TS == "" {
			t.Errorf("row %s: %+v", d.Recipient, d)
		}
	}
	posts := postsPerDelivery(t, e.slack.Messages())
	for _, d := range rows {
		if posts[d.ID] != 1 {
			t.Errorf("%s: %d posts for one reminder, want 1", d.Recipient, posts[d.ID])
		}
	}
	if len(e.slack.Calls("conversations.history"))+len(e.slack.Calls("conversations.replies")) < 3 {
		t.Error("the retries did not look for the earlier posts")
	}
}

func TestDeliverTransientErrorsBackOffUntilSlackReturns(t *testing.T) {
	e, _ := remEnv(t, func(c *Config) {
		c.Reminders.Before = []time.Duration{time.Hour}
		c.Reminders.ToSpeakers, c.Reminders.ToParticipants = false, false
	})
	e.deliver()
	flaky := e.flaky()
	flaky.setErr(errUnavailable)
	e.clock.Set(remStart.Add(-time.Hour))
	d := e.row(kindReminder, "C9ROOM")
	var waits []string
	for attempt := 1; attempt <= outbox.MaxAttempts+2; attempt++ {
		e.deliver()
		got := e.reload(d)
		if got.State != store.StatePending || got.Attempts != attempt {
			t.Fatalf("attempt %d: %+v", attempt, got)
		}
		waits = append(waits, got.NextAttempt.Sub(e.clock.Now()).String())
		e.clock.Set(got.NextAttempt)
	}
	if want := "5s 10s 20s 40s 1m20s 2m40s 5m20s 10m0s 10m0s 10m0s"; strings.Join(waits, " ") != want {
		t.Errorf("backoff %s, want %s", strings.Join(waits, " "), want)
	}
	if flaky.calls() != outbox.MaxAttempts+2 {
		t.Errorf("%d calls to a down Slack, want one per run", flaky.calls())
	}
	flaky.setErr(nil)
	e.deliver()
	if got := e.reload(d); got.State != store.StateSent {
		t.Fatalf("after Slack came back: %+v", got)
	}
}

func TestDeliverOutageStopsTheRunAtTheFirstFailure(t *testing.T) {
	e, _ := remEnv(t, func(c *Config) { c.Reminders.Before = []time.Duration{time.Hour} })
	flaky := e.flaky()
	flaky.setErr(errUnavailable)
	e.clock.Set(remStart.Add(-time.Hour))
	e.deliver()
	if flaky.calls() != 1 {
		t.Fatalf("%d calls in one run against a down Slack, want 1", flaky.calls())
	}
	tried := 0
	for _, d := range e.reminderRows("") {
		tried += d.Attempts
	}
	if tried != 1 {
		t.Fatalf("%d rows attempted, want 1", tried)
	}
}

func TestDeliverPermanentAndUnknownErrors(t *testing.T) {
	e := newTestBot(t)
	e.clock.Set(remT0)
	e.slack.Fail("chat.postMessage", 1, "channel_not_found")
	e.run("U1", remNew)
	e.deliver()
	if got := e.row(kindAnnounce, ""); got.State != store.StateFailed || got.Attempts != 1 || got.LastError != "channel_not_found" {
		t.Fatalf("announcement to a missing channel: %+v", got)
	}

	e2 := newTestBot(t)
	e2.clock.Set(remT0)
	e2.slack.Fail("chat.postMessage", 100, "invalid_arguments")
	e2.run("U1", remNew)
	for range outbox.MaxAttempts + 2 {
		e2.deliver()
		e2.clock.Add(outbox.MaxBackoff)
	}
	if got := e2.row(kindAnnounce, ""); got.State != store.StateFailed || got.Attempts != outbox.MaxAttempts {
		t.Fatalf("after %d refusals: %+v", outbox.MaxAttempts, got)
	}
}

func TestDeliverLostClaimPostsNothing(t *testing.T) {
	e, _ := remEnv(t)
	ctx := context.Background()
	e.clock.Set(remStart.Add(-time.Hour))
	d := e.row(kindReminder, "U3P")
	claim, err := e.store.ClaimDelivery(ctx, d.ID, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Recovery in another process takes the row back while this worker is
	// slow; the worker must not post when it gets going again.
	if err := e.store.MarkRetry(ctx, claim, e.clock.Now(), "recovered", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.bot.postDM(ctx, claim, "U3P", slack.MsgOptionText("late", false)); !errors.Is(err, outbox.ErrClaimLost) {
		t.Fatalf("postDM with a lost claim = %v", err)
	}
	if n := postsPerDelivery(t, e.slack.Messages())[d.ID]; n != 0 {
		t.Fatalf("posted %d with a lost claim", n)
	}
}

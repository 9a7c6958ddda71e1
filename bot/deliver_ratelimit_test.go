package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/store"
)

// TestDeliverRateLimitHoldsOnlyWhatSlackLimited: a 429 on posting in one
// channel holds that channel until Retry-After, and nothing else: not the
// DMs due with it, not users.info, not posts to other channels.
func TestDeliverRateLimitHoldsOnlyWhatSlackLimited(t *testing.T) {
	e, _ := remEnv(t)
	ctx := context.Background()
	e.slack.RateLimitConversation("chat.postMessage", "C9ROOM", time.Hour, 30)
	e.clock.Set(remStart.Add(-time.Hour))
	e.deliver()
	if n := limited(e.slack); n != 1 {
		t.Fatalf("%d calls answered 429, want 1", n)
	}
	for _, d := range e.reminderRows("") {
		switch {
		case d.Payload != "1h0m0s":
			// overtaken by the 1-hour reminders, skipped without a call
		case d.Recipient == "C9ROOM":
			if d.State != store.StatePending || !d.NextAttempt.Equal(e.clock.Now().Add(30*time.Second)) {
				t.Fatalf("limited thread reminder: %s next %s", d.State, d.NextAttempt)
			}
		case d.State != store.StateSent:
			t.Errorf("DM reminder to %s held by another channel's limit: %s", d.Recipient, d.State)
		}
	}

	// Until Retry-After has passed on the bot's clock, nothing more goes to
	// C9ROOM; users.info and other channels are not held.
	e.clock.Add(29 * time.Second)
	e.deliver()
	if _, _, err := e.bot.slack.PostMessageContext(ctx, "C9ROOM", slack.MsgOptionText("x", false)); err == nil {
		t.Fatal("a post to the limited channel went out during Retry-After")
	}
	if _, _, err := e.bot.slack.PostMessageContext(ctx, "C7OTHER", slack.MsgOptionText("x", false)); err != nil {
		t.Fatalf("a post to another channel was held: %v", err)
	}
	if _, err := e.bot.slack.GetUserInfoContext(ctx, "UNEW"); err != nil {
		t.Fatalf("users.info was held by chat.postMessage's limit: %v", err)
	}
	if lim, viol := e.slack.RateCounts(); lim != 1 || viol != 0 {
		t.Fatalf("%d calls answered 429 (want 1), %d before Retry-After", lim, viol)
	}

	e.slack.RateLimit(0, 0)
	e.clock.Add(time.Second)
	e.deliver()
	if sent := e.reminderRows(store.StateSent); len(sent) != 4 {
		t.Fatalf("%d reminders sent after the wait, want 4", len(sent))
	}
}

// TestDeliverRateLimitFamilyWhenSlackLimitsIt: limited in two channels at
// once, posting waits as a whole; other methods still go.
func TestDeliverRateLimitFamilyWhenSlackLimitsIt(t *testing.T) {
	e, _ := remEnv(t)
	ctx := context.Background()
	e.slack.RateLimitConversation("chat.postMessage", "C1", time.Hour, 30)
	e.slack.RateLimitConversation("chat.postMessage", "C2", time.Hour, 30)
	for _, ch := range []string{"C1", "C2"} {
		if _, _, err := e.bot.slack.PostMessageContext(ctx, ch, slack.MsgOptionText("x", false)); err == nil {
			t.Fatalf("post to %s not limited", ch)
		}
	}
	if _, _, err := e.bot.slack.PostMessageContext(ctx, "C3", slack.MsgOptionText("x", false)); err == nil {
		t.Fatal("posting went on after Slack limited it in two channels")
	}
	if _, err := e.bot.slack.GetUserInfoContext(ctx, "UNEW"); err != nil {
		t.Fatalf("users.info held: %v", err)
	}
	if n := limited(e.slack); n != 2 {
		t.Fatalf("%d calls reached Slack's limit, want 2", n)
	}
}

// TestDeliverRateLimitRealClock runs the 429 scenario on the real clock,
// against which the fake checks that no call comes before Retry-After.
func TestDeliverRateLimitRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a 10-second rate limit")
	}
	t.Parallel()
	e := newTestBot(t)
	e.bot.now = time.Now
	ctx := context.Background()
	// Five sessions: five announcements, each with a thread note, and ten
	// DM reminders due now.
	for i := range 5 {
		if r := e.run("U1", fmt.Sprintf(`new "Rate %d" tomorrow 10:00 tz:UTC <#C%dRL|x>`, i, i)); !strings.Contains(r, "Scheduled") {
			t.Fatalf("new: %q", r)
		}
	}
	e.slack.Reset() // scheduling looked at each channel before the limit
	now := time.Now()
	s1, err := e.store.Session(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Update(ctx, func(tx store.Tx) error {
		for i := range 5 {
			if err := tx.Enqueue(ctx, store.Delivery{Kind: kindThread, SessionID: int64(i + 1), Recipient: fmt.Sprintf("C%dRL", i),
				InThread: true, Payload: "note", Due: now}, now); err != nil {
				return err
			}
		}
		for i := range 10 {
			if err := tx.Enqueue(ctx, store.Delivery{Kind: kindReminder, SessionID: 1, Recipient: fmt.Sprintf("U%02dRL", i),
				Payload: "1h0m0s", Due: now, Deadline: s1.Start}, now); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	e.slack.RateLimit(10*time.Second, 3)
	deadline := start.Add(20 * time.Second)
	for i := 0; ; i++ {
		if err := e.bot.DeliverNow(ctx); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			e.bot.userLocation(ctx, fmt.Sprintf("UZ%d", i)) // limited too, on its own pause
		}
		all, _ := e.store.Deliveries(ctx, 0)
		pending := 0
		for _, d := range all {
			if !d.Due.After(start) && d.State != store.StateSent {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still not sent after 20 s", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	calls := e.slack.Calls()
	// Under the fake's lock: a call of the bot's may still be arriving.
	lim, viol := e.slack.RateCounts()
	if viol != 0 {
		t.Errorf("%d calls came before Retry-After had passed", viol)
	}
	if lim == 0 {
		t.Error("the fake never rate limited")
	}
	for _, c := range calls {
		// Before start, the commands above looked up their caller.
		if !c.At.Before(start) && c.At.Before(start.Add(10*time.Second)) {
			t.Errorf("%s accepted %s into the 10 s window", c.Method, c.At.Sub(start))
		}
	}
	posts := postsPerDelivery(t, e.slack.Messages())
	if len(posts) != 20 {
		t.Errorf("%d deliveries in Slack, want 20", len(posts))
	}
	for id, n := range posts {
		if n != 1 {
			t.Errorf("delivery %d posted %d times", id, n)
		}
	}
	t.Logf("20 deliveries through a 10 s rate limit in %s, %d calls answered 429", time.Since(start).Round(time.Millisecond), lim)
}

package bot

// Two bots on one PostgreSQL database, as two replicas behind a load
// balancer: what one learns from Slack about its limits holds the other.

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/pgtest"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/postgres"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// replicaBots starts n bots on one new PostgreSQL database, each with its
// own connection pool and Slack client, all calling fake, on the real
// clock (the fake checks Retry-After against it).
func replicaBots(t *testing.T, n int, fake *slackfake.Server) ([]*Bot, store.Store) {
	t.Helper()
	url := pgtest.URL(t)
	var bots []*Bot
	var first store.Store
	for range n {
		st, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		m := NewMetrics(nil)
		b := New(Options{Store: st, Slack: NewSlackClient("xoxb-test", fake.APIURL(), m), Metrics: m,
			Log: slog.New(slog.NewTextHandler(testLog(), nil)), Now: time.Now, Config: testConfig()})
		t.Cleanup(func() {
			b.Wait()
			st.Close()
		})
		if first == nil {
			first = st
		}
		bots = append(bots, b)
	}
	return bots, first
}

// TestRateLimitHoldsEveryReplica: Slack answers replica A's post in a
// channel with 429, Retry-After 2 s. Replica B, with a post owed in the
// same channel, does not call Slack there until the 2 s have passed, then
// both posts go out once each. Other channels are not held.
func TestRateLimitHoldsEveryReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := slackfake.New()
	defer fake.Close()
	bots, st := replicaBots(t, 2, fake)
	a, b := bots[0], bots[1]
	schedule := func(via *Bot, title, channel string) {
		t.Helper()
		r := PlainText(via.Execute(ctx, Request{UserID: "U1", ChannelID: "C1",
			Text: `new "` + title + `" tomorrow 10:00 tz:UTC <#` + channel + `|x>`}))
		if !strings.Contains(r, "Scheduled") {
			t.Fatalf("new: %q", r)
		}
	}
	announcements := func() map[string]store.Delivery {
		t.Helper()
		all, err := st.Deliveries(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]store.Delivery{}
		for _, d := range all {
			if d.Kind == kindAnnounce {
				out[d.Dedupe] = d
			}
		}
		return out
	}
	posts := func(channel string) []slackfake.Call {
		var out []slackfake.Call
		for _, c := range fake.Calls("chat.postMessage") {
			if c.Form.Get("channel") == channel {
				out = append(out, c)
			}
		}
		return out
	}

	// The window is no longer than Retry-After, so the retry after it is
	// answered.
	// The window opens only once the session is stored, so that a slow
	// store cannot use it up before A posts. limitedAt is taken before A
	// posts: the 429, and the bot's Retry-After clock, come no earlier, so
	// "within 1.5 s of limitedAt" below is within 1.5 s of the 429 too.
	schedule(a, "First", "C7LIM")
	fake.RateLimitConversation("chat.postMessage", "C7LIM", 2*time.Second, 2)
	limitedAt := time.Now()
	if err := a.DeliverNow(ctx); err != nil {
		t.Fatal(err)
	}
	if n := limited(fake); n != 1 {
		t.Fatalf("%d posts answered 429, want A's one", n)
	}

	// B owes a post in the limited channel and one elsewhere.
	schedule(b, "Second", "C7LIM")
	schedule(b, "Elsewhere", "C8FREE")
	if err := b.DeliverNow(ctx); err != nil {
		t.Fatal(err)
	}
	// On a machine so slow that B looked after Retry-After had nearly
	// passed, B may post at once: only the fake's own check then holds.
	inWindow := time.Since(limitedAt) < 1500*time.Millisecond
	lim, viol := fake.RateCounts()
	if viol != 0 {
		t.Fatalf("%d calls before a Retry-After had passed", viol)
	}
	if !inWindow {
		t.Log("B looked more than 1.5 s after the 429: its holding the post is not checked")
	} else if len(posts("C7LIM")) != 0 || lim != 1 {
		t.Fatalf("B called Slack in the limited channel during Retry-After: %d violations, %d posts, %d answered 429",
			viol, len(posts("C7LIM")), lim)
	}
	if len(posts("C8FREE")) != 1 {
		t.Fatalf("%d posts to another channel, want 1: a limit in one channel held another", len(posts("C8FREE")))
	}
	for _, d := range announcements() {
		if inWindow && d.Recipient == "C7LIM" && (d.State != store.StatePending || d.NextAttempt.Before(limitedAt.Add(2*time.Second).Truncate(time.Second))) {
			t.Errorf("announcement to the limited channel: %s, next %s; want pending until Retry-After has passed", d.State, d.NextAttempt)
		}
	}

	// Once Retry-After has passed, B sends both.
	deadline := time.Now().Add(15 * time.Second)
	for {
		sent := 0
		for _, d := range announcements() {
			if d.State == store.StateSent {
				sent++
			}
		}
		if sent == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 announcements sent 15 s after the limit", sent)
		}
		time.Sleep(200 * time.Millisecond)
		if err := b.DeliverNow(ctx); err != nil {
			t.Fatal(err)
		}
	}
	lim, viol = fake.RateCounts()
	if viol != 0 || lim != 1 {
		t.Errorf("%d calls before a Retry-After had passed, %d answered 429 (want 0 and 1)", viol, lim)
	}
	for id, n := range postsPerDelivery(t, fake.Messages()) {
		if n != 1 {
			t.Errorf("delivery %d posted %d times", id, n)
		}
	}
	if n := len(posts("C7LIM")); n != 2 {
		t.Errorf("%d posts in the limited channel, want both announcements", n)
	}
}

package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

// deliveryIDOf reads the outbox row a post names in its metadata.
func deliveryIDOf(t testing.TB, c slackfake.Call) int64 {
	t.Helper()
	var md slack.SlackMetadata
	if err := json.Unmarshal([]byte(c.Form.Get("metadata")), &md); err != nil || md.EventType != metadataEvent {
		t.Fatalf("post without delivery metadata: %q (%v)", c.Form.Get("metadata"), err)
	}
	id, err := strconv.ParseInt(fmt.Sprint(md.EventPayload["delivery_id"]), 10, 64)
	if err != nil {
		t.Fatalf("metadata %q: %v", c.Form.Get("metadata"), err)
	}
	return id
}

// postsPerDelivery counts the messages Slack holds for each outbox row.
func postsPerDelivery(t testing.TB, msgs []slackfake.Message) map[int64]int {
	t.Helper()
	out := map[int64]int{}
	for _, m := range msgs {
		out[deliveryIDOf(t, slackfake.Call{Form: map[string][]string{"metadata": {string(m.Metadata)}}})]++
	}
	return out
}

// limited reads the fake's 429 count while calls may still arrive.
func limited(f *slackfake.Server) int {
	n, _ := f.RateCounts()
	return n
}

// errUnavailable is what Slack answers when it is down.
var errUnavailable = slack.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}

// flakySlack sits between the rate guard and the fake: while err is set
// every call fails with it; with lose set, posts still reach Slack but
// the answer is lost on the way back (a timeout after Slack acted).
type flakySlack struct {
	SlackAPI
	mu   sync.Mutex
	err  error
	lose bool
	n    int
}

func (e *testEnv) flaky() *flakySlack {
	g := e.bot.slack.(*rateGuard)
	f := &flakySlack{SlackAPI: g.api}
	g.api = f
	return f
}

func (f *flakySlack) setErr(err error) { f.mu.Lock(); f.err, f.lose = err, false; f.mu.Unlock() }
func (f *flakySlack) setLost(err error) {
	f.mu.Lock()
	f.err, f.lose = err, true
	f.mu.Unlock()
}

func (f *flakySlack) calls() int { f.mu.Lock(); defer f.mu.Unlock(); return f.n }

func (f *flakySlack) failing() (error, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		f.n++
	}
	return f.err, f.lose
}

func (f *flakySlack) PostMessageContext(ctx context.Context, ch string, opts ...slack.MsgOption) (string, string, error) {
	err, lose := f.failing()
	if err != nil && !lose {
		return "", "", err
	}
	c, ts, perr := f.SlackAPI.PostMessageContext(ctx, ch, opts...)
	if err != nil {
		return "", "", err
	}
	return c, ts, perr
}

func (f *flakySlack) OpenConversationContext(ctx context.Context, p *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error) {
	if err, lose := f.failing(); err != nil && !lose {
		return nil, false, false, err
	}
	return f.SlackAPI.OpenConversationContext(ctx, p)
}

func (f *flakySlack) UpdateMessageContext(ctx context.Context, ch, ts string, opts ...slack.MsgOption) (string, string, string, error) {
	if err, lose := f.failing(); err != nil && !lose {
		return "", "", "", err
	}
	return f.SlackAPI.UpdateMessageContext(ctx, ch, ts, opts...)
}

func (f *flakySlack) GetConversationHistoryContext(ctx context.Context, p *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error) {
	if err, lose := f.failing(); err != nil && !lose {
		return nil, err
	}
	return f.SlackAPI.GetConversationHistoryContext(ctx, p)
}

func (f *flakySlack) GetConversationRepliesContext(ctx context.Context, p *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error) {
	if err, lose := f.failing(); err != nil && !lose {
		return nil, false, "", err
	}
	return f.SlackAPI.GetConversationRepliesContext(ctx, p)
}

// row finds session 1's delivery of kind to recipient.
func (e *testEnv) row(kind, recipient string) store.Delivery {
	e.t.Helper()
	all, err := e.store.Deliveries(context.Background(), 1)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range all {
		if d.Kind == kindReminder && kind == kindReminder && d.Recipient == recipient && d.State != store.StateDropped ||
			d.Kind == kind && kind != kindReminder && (recipient == "" || d.Recipient == recipient) {
			return d
		}
	}
	e.t.Fatalf("no %s row for %q", kind, recipient)
	return store.Delivery{}
}

func (e *testEnv) reload(d store.Delivery) store.Delivery {
	e.t.Helper()
	got, err := e.store.Delivery(context.Background(), d.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

// crash claims d and plays a worker that dies right after step: "claim"
// (nothing else), "channel" (recorded where it would post, Slack never
// got it) or "post" (Slack has it, the commit never happened).
func (e *testEnv) crash(d store.Delivery, step string) {
	e.t.Helper()
	ctx := context.Background()
	claim, err := e.store.ClaimDelivery(ctx, d.ID, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	switch step {
	case "channel":
		if err := e.store.SetDeliveryChannel(ctx, claim, "D"+d.Recipient); err != nil {
			e.t.Fatal(err)
		}
	case "post":
		if _, err := (slackSender{e.bot}).Send(ctx, claim); err != nil {
			e.t.Fatal(err)
		}
	}
}

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

// TestDeliverTwoProcessesShareTheDatabase runs two bots on one SQLite
// file, as the server and `exchangebot run` do: claims keep every row to
// one sender.
func TestDeliverTwoProcessesShareTheDatabase(t *testing.T) {
	e, _ := remEnv(t)
	ctx := context.Background()
	var file string
	if err := e.store.DB().QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
		t.Fatal(err)
	}
	st2, err := sqlite.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	m := NewMetrics(nil)
	other := New(Options{Store: st2, Slack: NewSlackClient("xoxb-test", e.slack.APIURL(), m), Metrics: m,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: e.clock.Now, Config: testConfig()})
	e.slack.SetDelay(5 * time.Millisecond)
	for _, off := range []time.Duration{24 * time.Hour, time.Hour} {
		e.clock.Set(remStart.Add(-off))
		var wg sync.WaitGroup
		for _, b := range []*Bot{e.bot, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					if err := b.DeliverNow(ctx); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
	}
	posts := postsPerDelivery(t, e.slack.Messages())
	if len(posts) != 9 { // the announcement and 8 reminders
		t.Fatalf("%d deliveries in Slack, want 9", len(posts))
	}
	for id, n := range posts {
		if n != 1 {
			t.Errorf("delivery %d posted %d times", id, n)
		}
	}
}

// TestDeliverOwedRowsCommitWithTheChange makes every outbox write fail and
// checks that each command then changes nothing: the change and the
// messages it makes the bot owe are one transaction.
func TestDeliverOwedRowsCommitWithTheChange(t *testing.T) {
	for _, tc := range []struct {
		name, user, text string
		unchanged        func(e *testEnv, s *store.Session) bool
	}{
		{"new", "U1", `new "Second" 2030-01-10 15:00 tz:UTC <#C9ROOM|room>`, func(e *testEnv, _ *store.Session) bool {
			return e.sessionCount() == 1
		}},
		{"move", "U1", "move 1 2030-01-10 17:00", func(_ *testEnv, s *store.Session) bool { return s.Start.Equal(remStart) && s.Sequence == 0 }},
		{"cancel", "U1", "cancel 1", func(_ *testEnv, s *store.Session) bool { return !s.Cancelled() }},
		{"join", "U7NEW", "join 1", func(_ *testEnv, s *store.Session) bool { return !s.HasParticipant("U7NEW") }},
		{"leave", "U3P", "leave 1", func(_ *testEnv, s *store.Session) bool { return s.HasParticipant("U3P") }},
		{"speakers", "U1", "speakers 1 add <@U8NEW>", func(_ *testEnv, s *store.Session) bool { return !s.HasSpeaker("U8NEW") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := remEnv(t)
			for _, trig := range []string{"INSERT", "UPDATE"} {
				if _, err := e.store.DB().Exec(fmt.Sprintf(`CREATE TRIGGER fail_outbox_%s BEFORE %s ON outbox
					BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END`, strings.ToLower(trig), trig)); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := e.store.Deliveries(context.Background(), 0)
			if r := e.run(tc.user, tc.text); r != tr(i18n.English, msgInternal) {
				t.Fatalf("reply %q, want the internal-error reply", r)
			}
			s, err := e.store.Session(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.unchanged(e, s) {
				t.Errorf("%s changed the session without its outbox rows: %+v", tc.name, s)
			}
			if after, _ := e.store.Deliveries(context.Background(), 0); len(after) != len(before) {
				t.Errorf("outbox rows %d -> %d", len(before), len(after))
			}
		})
	}
}

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

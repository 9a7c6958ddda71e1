package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
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

package main

// Participants' ratings DMs on the built binary: on time to the second,
// and exactly once through repeated SIGKILLs while Slack is slow. The
// harness is delivery_test.go's.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// evalDMs maps each ratings DM row to its posts, by the metadata every
// post carries.
func evalDMs(t *testing.T, fake *slackfake.Server, st store.Store) ([]store.Delivery, map[int64][]slackfake.Call) {
	t.Helper()
	posts := map[int64][]slackfake.Call{}
	for _, c := range fake.Calls("chat.postMessage") {
		if id := dlvID(c); id != 0 {
			posts[id] = append(posts[id], c)
		}
	}
	return dlvRows(t, st, exchange.KindEvaluation), posts
}

func TestEvaluationDMOnTimeFromTheBinary(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := dlvConfig(t, dir, addr, fake.APIURL(), `reminders:
  before: ["1h"]
evaluation:
  after: "5s"
`)
	start := time.Now().Truncate(time.Second).Add(15 * time.Second)
	const duration = 10 * time.Second
	st := dlvSchedule(t, cfg, &store.Session{
		Title: "Rated on time", Kind: "webinar", Start: start, Duration: duration, TZ: "UTC", Channel: "C1EVAL", Creator: "U0COORD",
		Speakers: []store.Speaker{{UserID: "U1SPEAK"}}, Participants: []string{"U2JOIN", "U3JOIN", "U4JOIN"},
	})
	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	due := start.Add(duration + 5*time.Second)
	time.Sleep(time.Until(due.Add(3 * time.Second)))
	p.stop(t)

	rows, posts := evalDMs(t, fake, st)
	if len(rows) != 3 {
		t.Fatalf("%d ratings DMs owed, want one to each participant (not the speaker); log:\n%s", len(rows), log)
	}
	for _, d := range rows {
		c := posts[d.ID]
		if d.State != store.StateSent || len(c) != 1 {
			t.Errorf("ratings DM to %s: state %s (%s), posted %d times", d.Recipient, d.State, d.LastError, len(c))
			continue
		}
		if !d.Due.Equal(due) {
			t.Errorf("ratings DM to %s due %s, want %s", d.Recipient, d.Due, due)
		}
		if late := c[0].At.Sub(d.Due); late < 0 || late > time.Second {
			t.Errorf("ratings DM to %s arrived %s after its due time", d.Recipient, late.Round(time.Millisecond))
		} else {
			t.Logf("ratings DM to %s arrived %s after its due time", d.Recipient, late.Round(time.Millisecond))
		}
		if c[0].Form.Get("channel") != "D"+d.Recipient || !strings.Contains(slackfake.Readable(c[0].Form.Get("blocks")), `"action_id":"eval_rate_5"`) {
			t.Errorf("ratings DM to %s: %v", d.Recipient, c[0].Form)
		}
	}
}

func TestEvaluationDMsExactlyOnceThroughKills(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	// Slow enough that the kills land mid-send: each DM takes three calls
	// (conversations.open, users.info, chat.postMessage), sixteen at a time.
	fake.SetDelay(time.Second)
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := dlvConfig(t, dir, addr, fake.APIURL(), `reminders:
  before: ["1h"]
evaluation:
  after: "2s"
`)
	start := time.Now().Truncate(time.Second).Add(5 * time.Second)
	s := &store.Session{Title: "Fifty ratings", Kind: "webinar", Start: start, Duration: 5 * time.Second, TZ: "UTC", Creator: "U0COORD"}
	for i := range 50 {
		s.Participants = append(s.Participants, fmt.Sprintf("UP%02d", i))
	}
	st := dlvSchedule(t, cfg, s)
	due := start.Add(7 * time.Second)

	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	time.Sleep(time.Until(due.Add(300 * time.Millisecond)))
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 2))
	t.Logf("kill seed %d", seed)
	const kills = 6
	for range kills {
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		p.kill()
		p = dlvServe(t, bin, cfgPath, addr, log)
	}

	deadline := time.Now().Add(120 * time.Second)
	for {
		rows := dlvRows(t, st, exchange.KindEvaluation)
		sent := 0
		for _, d := range rows {
			if d.State == store.StateSent {
				sent++
			}
		}
		if len(rows) == 50 && sent == 50 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d ratings DMs owed, %d sent after 120 s; log:\n%s", len(rows), sent, log)
		}
		time.Sleep(250 * time.Millisecond)
	}
	p.stop(t)

	rows, posts := evalDMs(t, fake, st)
	to := map[string]bool{}
	retried := 0
	for _, d := range rows {
		if n := len(posts[d.ID]); n != 1 {
			t.Errorf("ratings DM %d to %s posted %d times", d.ID, d.Recipient, n)
		}
		if to[d.Recipient] {
			t.Errorf("two ratings DMs owed to %s", d.Recipient)
		}
		to[d.Recipient] = true
		if d.Attempts > 1 {
			retried++
		}
	}
	ctx := context.Background()
	for _, u := range s.Participants {
		ev, err := st.Evaluation(ctx, 1, u)
		if err != nil || ev.DMChannel != "D"+u || ev.Awaiting != store.AwaitPlan {
			t.Errorf("evaluation of %s: %+v, %v", u, ev, err)
		}
	}
	recovered := strings.Count(log.String(), "recovery: delivery")
	// Kills that all fell before the first claim or after the last post
	// would prove nothing about exactly once.
	if recovered == 0 && retried == 0 {
		t.Errorf("no kill landed while the DMs were going out (no row recovered from sending, none claimed twice); log:\n%s", log)
	}
	t.Logf("%d kills; %d rows recovered from sending, %d ratings DMs took more than one claim", kills, recovered, retried)
}

package exchange

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// A reply that finds nothing waiting stores nothing, not even the
// request's key, so the reply the surface then owes commits the key: a
// redelivery of the message fails as a duplicate and owes nothing more.
func TestReplyOwedWithTheRequestKey(t *testing.T) {
	e := newTestService(t)
	const key = "im:D1:1764331200.000001"
	w := Walk{UserID: "U1", Channel: "D1", Lang: "en", TS: "1764331200.000001", Key: key}
	const payload = `{"channel":"D1","ts":"1764331200.000001"}`
	first := store.WithRequestKey(context.Background(), key)
	if st, err := e.svc.Answer(first, w, "hello"); err != nil || st.Session != nil {
		t.Fatalf("answer with no walk-through = %+v, %v", st, err)
	}
	if st, err := e.svc.EvaluationReply(first, w, "hello", false); err != nil || st.Session != nil {
		t.Fatalf("evaluation reply with nothing asked = %+v, %v", st, err)
	}
	before := e.changed.Load()
	if err := e.svc.OweReply(first, w, ""); err != nil {
		t.Fatalf("reply after nothing was stored = %v", err)
	}
	if e.changed.Load() == before {
		t.Error("owing a reply did not wake the delivery engine")
	}
	rows := e.rows(0, KindReply)
	if len(rows) != 1 || rows[0].Recipient != "U1" || rows[0].Payload != payload || !rows[0].Due.Equal(t0) ||
		!rows[0].Deadline.Equal(t0.Add(replyLate)) {
		t.Fatalf("reply rows = %+v", rows)
	}

	// The message again: its key is taken, and nothing more is owed.
	again := store.WithRequestKey(context.Background(), key)
	if _, err := e.svc.Answer(again, w, "hello"); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("answer of the redelivery = %v, want ErrDuplicate", err)
	}
	if err := e.svc.OweReply(again, w, ""); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("reply to a redelivery = %v, want ErrDuplicate", err)
	}
	// Even once the request key is forgotten, the row's own key holds.
	if err := e.svc.OweReply(context.Background(), w, ""); err != nil {
		t.Fatal(err)
	}
	if rows := e.rows(0, KindReply); len(rows) != 1 {
		t.Fatalf("%d reply rows for one message", len(rows))
	}
}

// promptedWalk has U2 asked about a session held an hour ago (the one
// they speak at), in DU2; it returns the session.
func promptedWalk(t *testing.T, e *testEnv, title string) *store.Session {
	t.Helper()
	ctx := context.Background()
	s, err := e.svc.Schedule(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{Title: title, Start: e.clock.Now().Add(time.Hour),
		Speakers: []store.Speaker{{UserID: "U2"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(3 * time.Hour)
	if _, err := e.svc.RecordPrompt(ctx, s.ID, "U2", "DU2"); err != nil {
		t.Fatal(err)
	}
	return s
}

// reply reads the one reply owed under key.
func (e *testEnv) reply(key string) (store.Delivery, Reply) {
	e.t.Helper()
	var found []store.Delivery
	for _, d := range e.rows(0, KindReply) {
		if d.Dedupe == "reply:"+key {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		e.t.Fatalf("%d replies owed under %s", len(found), key)
	}
	r, err := ReadReply(found[0].Payload)
	if err != nil {
		e.t.Fatal(err)
	}
	return found[0], r
}

// Each step of a walk-through owes its reply in its own commit, under
// the message's key, where the message was: the next question while
// there is one, the end with the walk-through still open after it; a
// redelivery stores nothing and owes nothing more.
func TestWalkStepOwesItsReply(t *testing.T) {
	e := newTestService(t)
	first := promptedWalk(t, e, "Youth employment")
	e.clock.Add(time.Minute)
	second := promptedWalk(t, e, "Second")
	// The later prompt waits first; the walk-through of the first one
	// is still open behind it.
	msg := func(n int, text string) (Step, error) {
		ts := fmt.Sprintf("1764331200.%06d", n)
		key := "im:DU2:" + ts
		w := Walk{UserID: "U2", Channel: "DU2", Lang: "en", TS: ts, Thread: "1764331000.000001", Key: key}
		ctx := store.WithRequestKey(context.Background(), key)
		before := e.changed.Load()
		st, err := e.svc.Answer(ctx, w, text)
		if err == nil && e.changed.Load() == before {
			t.Errorf("step %d did not wake the delivery engine", n)
		}
		return st, err
	}
	if _, err := msg(1, "Mirror teams."); err != nil {
		t.Fatal(err)
	}
	d, r := e.reply("im:DU2:1764331200.000001")
	want := Reply{Channel: "DU2", TS: "1764331200.000001", Thread: "1764331000.000001",
		Walk: &WalkReply{Session: second.ID, Title: "Second", Saved: true, Next: 1}}
	if !reflect.DeepEqual(r, want) || d.Recipient != "U2" || d.State != store.StatePending || !d.Due.Equal(e.clock.Now()) {
		t.Fatalf("reply to the first answer: %+v %+v, want %+v", d, r, want)
	}
	if r.Walk.Open != nil {
		t.Errorf("a walk-through under way names another: %+v", r.Walk.Open)
	}
	// Redelivered: refused as a duplicate, nothing stored, nothing owed.
	if _, err := msg(1, "Mirror teams."); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("redelivery: %v", err)
	}
	if n := len(e.rows(0, KindReply)); n != 1 {
		t.Fatalf("%d replies after a redelivery", n)
	}
	msg(2, "Earlier.")
	if _, err := msg(3, "Peers."); err != nil {
		t.Fatal(err)
	}
	_, r = e.reply("im:DU2:1764331200.000003")
	if w := r.Walk; !w.Done || !w.Saved || w.Session != second.ID || w.Open == nil ||
		*w.Open != (OpenWalk{Session: first.ID, Title: "Youth employment", Next: 0}) {
		t.Fatalf("reply to the last answer: %+v (open %+v)", w, w.Open)
	}
	// Stopping the first: nothing open after it.
	key := "im:DU2:1764331200.000004"
	ctx := store.WithRequestKey(context.Background(), key)
	if _, err := e.svc.Stop(ctx, Walk{UserID: "U2", Channel: "DU2", TS: "1764331200.000004", Key: key}); err != nil {
		t.Fatal(err)
	}
	_, r = e.reply(key)
	if w := r.Walk; !w.Stopped || w.Session != first.ID || w.Answers != 0 || w.Open != nil || r.Thread != "" {
		t.Fatalf("reply to stop: %+v", r)
	}
}

// A DM reply to an evaluation owes its confirmation in the commit that
// stores it, under the message's key.
func TestEvaluationReplyOwesItsConfirmation(t *testing.T) {
	e := newTestService(t, evaluating)
	ctx := context.Background()
	s := ratingsAsked(t, e)
	const key = "im:DP1:1764331200.000001"
	w := Walk{UserID: "P1", Channel: "DP1", Lang: "en", TS: "1764331200.000001", Key: key}
	st, err := e.svc.EvaluationReply(store.WithRequestKey(ctx, key), w, "Use mirror teams.", false)
	if err != nil || !st.Saved {
		t.Fatalf("reply: %+v, %v", st, err)
	}
	row, r := e.reply(key)
	want := Reply{Channel: "DP1", TS: "1764331200.000001", Eval: &EvalReply{Session: s.ID, Phase: PhaseRatings, Saved: true}}
	if !reflect.DeepEqual(r, want) || row.Recipient != "P1" {
		t.Fatalf("confirmation owed: %+v %+v, want %+v", row, r, want)
	}
	if _, err := e.svc.EvaluationReply(store.WithRequestKey(ctx, key), w, "Use mirror teams.", false); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("redelivery: %v", err)
	}
	if n := len(e.rows(0, KindReply)); n != 1 {
		t.Fatalf("%d replies after a redelivery", n)
	}
}

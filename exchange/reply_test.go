package exchange

import (
	"context"
	"errors"
	"testing"

	"github.com/exchangebot/exchangebot/store"
)

// A reply that finds nothing waiting stores nothing, not even the
// request's key, so the reply the surface then owes commits the key: a
// redelivery of the message fails as a duplicate and owes nothing more.
func TestReplyOwedWithTheRequestKey(t *testing.T) {
	e := newTestService(t)
	w := Walk{UserID: "U1", Channel: "D1", Lang: "en"}
	const key = "im:D1:1764331200.000001"
	first := store.WithRequestKey(context.Background(), key)
	if st, err := e.svc.Answer(first, w, "hello"); err != nil || st.Session != nil {
		t.Fatalf("answer with no walk-through = %+v, %v", st, err)
	}
	if st, err := e.svc.EvaluationReply(first, w, "hello", false); err != nil || st.Session != nil {
		t.Fatalf("evaluation reply with nothing asked = %+v, %v", st, err)
	}
	before := e.changed.Load()
	if err := e.svc.OweReply(first, w.UserID, key, `{"channel":"D1"}`); err != nil {
		t.Fatalf("reply after nothing was stored = %v", err)
	}
	if e.changed.Load() == before {
		t.Error("owing a reply did not wake the delivery engine")
	}
	rows := e.rows(0, KindReply)
	if len(rows) != 1 || rows[0].Recipient != "U1" || rows[0].Payload != `{"channel":"D1"}` || !rows[0].Due.Equal(t0) ||
		!rows[0].Deadline.Equal(t0.Add(replyLate)) {
		t.Fatalf("reply rows = %+v", rows)
	}

	// The message again: its key is taken, and nothing more is owed.
	again := store.WithRequestKey(context.Background(), key)
	if _, err := e.svc.Answer(again, w, "hello"); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("answer of the redelivery = %v, want ErrDuplicate", err)
	}
	if err := e.svc.OweReply(again, w.UserID, key, `{"channel":"D1"}`); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("reply to a redelivery = %v, want ErrDuplicate", err)
	}
	// Even once the request key is forgotten, the row's own key holds.
	if err := e.svc.OweReply(context.Background(), w.UserID, key, `{"channel":"D1"}`); err != nil {
		t.Fatal(err)
	}
	if rows := e.rows(0, KindReply); len(rows) != 1 {
		t.Fatalf("%d reply rows for one message", len(rows))
	}
}

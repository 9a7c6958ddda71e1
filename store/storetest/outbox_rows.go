// The outbox read as the dispatcher, recovery and replies read it: rows
// by state, rows not about a session, final states.

package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// testOutboxRowsAndStates checks the reads the dispatcher and recovery
// use, rows not about a session, and final states.
func testOutboxRowsAndStates(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	if st, err := s.AnnouncementState(ctx, sess.ID); err != nil || st != "" {
		t.Fatalf("announcement state before any = %q, %v; want empty", st, err)
	}
	deadline := outboxAt.Add(time.Hour)
	enqueue(t, s,
		store.Delivery{Kind: "announce", SessionID: sess.ID, Recipient: "C1", Due: outboxAt, Dedupe: "a"},
		store.Delivery{Kind: "digest", Recipient: "C9", InThread: true, Payload: `{"week":1}`, Due: outboxAt, Deadline: deadline, Dedupe: "d"},
		store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Due: outboxAt, Dedupe: "r"})
	if st, err := s.AnnouncementState(ctx, sess.ID); err != nil || st != store.StatePending {
		t.Errorf("announcement state = %q, %v; want pending", st, err)
	}
	all, err := s.Deliveries(ctx, 0)
	if err != nil || len(all) != 3 || all[0].Dedupe != "a" || all[1].Dedupe != "d" || all[2].Dedupe != "r" {
		t.Fatalf("Deliveries(0) = %+v, %v; want all three in order", all, err)
	}
	digest := all[1]
	if digest.SessionID != 0 || !digest.InThread || digest.Payload != `{"week":1}` || !digest.Deadline.Equal(deadline) ||
		digest.State != store.StatePending || digest.Attempts != 0 || !digest.NextAttempt.Equal(outboxAt) ||
		!digest.Updated.Equal(outboxAt) || digest.Due.Location() != time.UTC {
		t.Errorf("digest row = %+v", digest)
	}
	if ds, _ := s.Deliveries(ctx, sess.ID); len(ds) != 2 {
		t.Errorf("Deliveries(session) = %d rows, want 2", len(ds))
	}
	if got, err := s.Delivery(ctx, digest.ID); err != nil || got != digest {
		t.Errorf("Delivery = %+v, %v; want %+v", got, err, digest)
	}
	if _, err := s.Delivery(ctx, all[2].ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown delivery: %v, want ErrNotFound", err)
	}

	// Final states leave the queue.
	for i, state := range []string{store.StateSkipped, store.StateFailed} {
		d, err := s.ClaimDelivery(ctx, all[i+1].ID, outboxAt)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDone(ctx, d, state, "why", outboxAt.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Delivery(ctx, d.ID); got.State != state || got.LastError != "why" || !got.Updated.Equal(outboxAt.Add(time.Minute)) {
			t.Errorf("after MarkDone(%s): %+v", state, got)
		}
	}
	if due, _ := s.DueDeliveries(ctx, outboxAt.Add(time.Hour), 10); len(due) != 1 || due[0].Dedupe != "a" {
		t.Errorf("due = %+v; want only the announcement", due)
	}
	if _, err := s.ClaimDelivery(ctx, all[2].ID, outboxAt); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claiming a failed row = %v, want ErrNotFound", err)
	}
	d, err := s.ClaimDelivery(ctx, all[0].ID, outboxAt)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := s.AnnouncementState(ctx, sess.ID); st != store.StateSending {
		t.Errorf("announcement state while claimed = %q", st)
	}
	if err := s.MarkAnnounced(ctx, d, "C1", "7.7", outboxAt); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.AnnouncementState(ctx, sess.ID); st != store.StateSent {
		t.Errorf("announcement state after posting = %q", st)
	}
}

// testOutboxReplyRows checks what the answers to direct messages rely on:
// a reply row names no session; it is written in the Update that records
// the message's request key, and its own dedupe key keeps it to one row
// for that message even after the request key has been pruned and the
// message comes again. Confirmations carry no key and never collide, and
// dropping a session's rows leaves rows of no session alone.
func testOutboxReplyRows(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	reply := store.Delivery{Kind: "reply", Recipient: "U3", Payload: `{"channel":"D3","ts":"1.1"}`,
		Due: outboxAt, Deadline: outboxAt.Add(24 * time.Hour), Dedupe: "reply:event:Ev1"}
	owe := func(ctx context.Context, ds ...store.Delivery) error {
		return s.Update(ctx, func(tx store.Tx) error {
			for _, d := range ds {
				if err := tx.Enqueue(ctx, d, outboxAt); err != nil {
					return err
				}
			}
			return nil
		})
	}
	replies := func() []store.Delivery {
		t.Helper()
		all, err := s.Deliveries(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []store.Delivery
		for _, d := range all {
			if d.Kind == "reply" {
				out = append(out, d)
			}
		}
		return out
	}

	if err := owe(store.WithRequestKey(ctx, "event:Ev1"), reply); err != nil {
		t.Fatal(err)
	}
	if err := owe(store.WithRequestKey(ctx, "event:Ev1"), reply); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("the message delivered again = %v, want ErrDuplicate", err)
	}
	rs := replies()
	if len(rs) != 1 || rs[0].SessionID != 0 || rs[0].Recipient != "U3" || rs[0].Payload != reply.Payload ||
		!rs[0].Deadline.Equal(reply.Deadline) || rs[0].State != store.StatePending {
		t.Fatalf("reply rows %+v; want the one owed, of no session", rs)
	}

	// Two confirmations without a key, in one Update: two rows.
	confirm := store.Delivery{Kind: "reply", Recipient: "U4", Payload: `{"channel":"","form":{"saved":"lessons"}}`, Due: outboxAt}
	if err := owe(ctx, confirm, confirm); err != nil {
		t.Fatal(err)
	}
	if n := len(replies()); n != 3 {
		t.Fatalf("%d reply rows, want 3 (keyless rows never collide)", n)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.DropPending(ctx, sess.ID, ""); return err }); err != nil {
		t.Fatal(err)
	}
	if due, err := s.DueDeliveries(ctx, outboxAt, 10); err != nil || len(due) != 3 {
		t.Fatalf("due after dropping the session's rows: %d, %v; want the 3 replies", len(due), err)
	}

	// Sent, its request key pruned, the message comes once more: the
	// request key is new again, but the reply stays the one sent.
	d, err := s.ClaimDelivery(ctx, rs[0].ID, outboxAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkPosted(ctx, d, "D3", "1.2", outboxAt); err != nil {
		t.Fatal(err)
	}
	// A request key is stamped by the database's clock, not the test's.
	if err := s.PruneProcessed(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := owe(store.WithRequestKey(ctx, "event:Ev1"), reply); err != nil {
		t.Fatalf("the message after its key was pruned: %v", err)
	}
	keyed := 0
	for _, r := range replies() {
		if r.Dedupe == reply.Dedupe {
			keyed++
			if r.State != store.StateSent || r.TS != "1.2" {
				t.Errorf("the reply sent became %+v", r)
			}
		}
	}
	if keyed != 1 {
		t.Errorf("%d rows for one message's reply, want 1", keyed)
	}
}

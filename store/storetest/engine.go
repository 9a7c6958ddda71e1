package storetest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// What the delivery engine (package outbox) needs of a backend beyond
// claims and fences: one read that says what is due and when to wake,
// failures that owe notices atomically, failed rows sent again on
// request, and a signal after every commit that owes messages.

func testOutboxAgenda(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	at := outboxAt
	row := func(key string, due time.Time) store.Delivery {
		return store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U" + key, Due: due, Dedupe: key}
	}
	a, err := s.Agenda(ctx, at, 10)
	if err != nil || len(a.Due) != 0 || len(a.Sending) != 0 || !a.Next.IsZero() {
		t.Fatalf("empty agenda = %+v, %v", a, err)
	}
	enqueue(t, s, row("late", at.Add(2*time.Hour)), row("soon", at.Add(time.Minute)), row("due2", at), row("due1", at.Add(-time.Minute)))
	a, err = s.Agenda(ctx, at, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Due) != 2 || a.Due[0].Dedupe != "due1" || a.Due[1].Dedupe != "due2" || !a.Next.Equal(at.Add(time.Minute)) {
		t.Fatalf("agenda = %+v, want due1, due2 and next in a minute", a)
	}
	claim, err := s.ClaimDelivery(ctx, a.Due[0].ID, at)
	if err != nil {
		t.Fatal(err)
	}
	a, err = s.Agenda(ctx, at, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Due) != 1 || a.Due[0].Dedupe != "due2" || len(a.Sending) != 1 || a.Sending[0].ID != claim.ID ||
		a.Sending[0].Attempts != 1 || !a.Sending[0].Updated.Equal(at) || !a.Next.Equal(at.Add(time.Minute)) {
		t.Fatalf("agenda with a claim, limit 1 = %+v", a)
	}
}

func testOutboxMarkFailedOwesNotices(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	enqueue(t, s, store.Delivery{Kind: "announce", SessionID: sess.ID, Recipient: "CGONE", Due: outboxAt, Dedupe: "a"})
	d := rowsByDedupe(t, s, sess.ID)["a"]
	claim, err := s.ClaimDelivery(ctx, d.ID, outboxAt)
	if err != nil {
		t.Fatal(err)
	}
	notice := store.Delivery{Kind: "undelivered", SessionID: sess.ID, Recipient: "U1", Due: outboxAt, Dedupe: "told:CGONE"}
	if err := s.MarkFailed(ctx, claim, "channel_not_found", outboxAt, notice); err != nil {
		t.Fatal(err)
	}
	rows := rowsByDedupe(t, s, sess.ID)
	if got := rows["a"]; got.State != store.StateFailed || got.LastError != "channel_not_found" {
		t.Fatalf("failed row: %+v", got)
	}
	if got := rows["told:CGONE"]; got.State != store.StatePending || got.Recipient != "U1" {
		t.Fatalf("notice: %+v", got)
	}
	// A lost claim records nothing, notice included.
	enqueue(t, s, store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "CGONE", Due: outboxAt, Dedupe: "r"})
	r := rowsByDedupe(t, s, sess.ID)["r"]
	stale, err := s.ClaimDelivery(ctx, r.ID, outboxAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRetry(ctx, stale, outboxAt, "recovered", outboxAt); err != nil {
		t.Fatal(err)
	}
	err = s.MarkFailed(ctx, stale, "channel_not_found", outboxAt, store.Delivery{Kind: "undelivered", SessionID: sess.ID,
		Recipient: "U1", Due: outboxAt, Dedupe: "told:other"})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("MarkFailed with a lost claim = %v", err)
	}
	if _, ok := rowsByDedupe(t, s, sess.ID)["told:other"]; ok {
		t.Fatal("a lost claim's notice was enqueued")
	}
}

func testOutboxRetryFailed(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	var ids []int64
	for _, key := range []string{"x", "y", "z"} {
		enqueue(t, s, store.Delivery{Kind: "announce", SessionID: sess.ID, Recipient: "C" + key, Due: outboxAt, Dedupe: key})
		d := rowsByDedupe(t, s, sess.ID)[key]
		claim, err := s.ClaimDelivery(ctx, d.ID, outboxAt)
		if err != nil {
			t.Fatal(err)
		}
		if key == "z" {
			if err := s.MarkPosted(ctx, claim, "Cz", "1.1", outboxAt); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := s.SetDeliveryChannel(ctx, claim, "C"+key); err != nil {
				t.Fatal(err)
			}
			if err := s.MarkFailed(ctx, claim, "channel_not_found", outboxAt); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, d.ID)
	}
	later := outboxAt.Add(time.Hour)
	got, err := s.RetryFailed(ctx, ids[0], later)
	if err != nil || len(got) != 1 || got[0].ID != ids[0] || got[0].LastError != "channel_not_found" {
		t.Fatalf("RetryFailed(one) = %+v, %v", got, err)
	}
	row := rowsByDedupe(t, s, sess.ID)["x"]
	if row.State != store.StatePending || !row.NextAttempt.Equal(later) || row.Attempts != 1 || row.Channel != "Cx" {
		t.Fatalf("requeued row: %+v (want pending now, attempts and channel kept)", row)
	}
	if got, err := s.RetryFailed(ctx, ids[2], later); err != nil || len(got) != 0 {
		t.Fatalf("RetryFailed(a sent row) = %+v, %v", got, err)
	}
	got, err = s.RetryFailed(ctx, 0, later)
	if err != nil || len(got) != 1 || got[0].ID != ids[1] {
		t.Fatalf("RetryFailed(all) = %+v, %v", got, err)
	}
}

func testOutboxOnEnqueue(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	var told atomic.Int32
	s.OnEnqueue(func() { told.Add(1) })
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Touch(ctx, sess.ID, outboxAt) })
	if n := told.Load(); n != 0 {
		t.Fatalf("told %d times after a commit that owes nothing", n)
	}
	enqueue(t, s, store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Due: outboxAt, Dedupe: "r"})
	if n := told.Load(); n != 1 {
		t.Fatalf("told %d times after an enqueue, want 1", n)
	}
	// An Update that enqueues and then fails owes nothing.
	_ = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Enqueue(ctx, store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U3", Due: outboxAt, Dedupe: "q"}, outboxAt); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	if n := told.Load(); n != 1 {
		t.Fatalf("told %d times after a failed Update", n)
	}
	d := rowsByDedupe(t, s, sess.ID)["r"]
	claim, err := s.ClaimDelivery(ctx, d.ID, outboxAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, claim, "channel_not_found", outboxAt); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RetryFailed(ctx, 0, outboxAt); err != nil {
		t.Fatal(err)
	}
	if n := told.Load(); n != 2 {
		t.Fatalf("told %d times after RetryFailed, want 2", n)
	}
}

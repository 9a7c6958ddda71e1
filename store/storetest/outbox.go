package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// outboxAt is the fixed clock the outbox tests run on.
var outboxAt = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func enqueue(t testing.TB, s store.Store, ds ...store.Delivery) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx store.Tx) error {
		for _, d := range ds {
			if err := tx.Enqueue(ctx, d, outboxAt); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func rowsByDedupe(t testing.TB, s store.Store, sessionID int64) map[string]store.Delivery {
	t.Helper()
	all, err := s.Deliveries(context.Background(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Delivery{}
	for _, d := range all {
		out[d.Dedupe] = d
	}
	return out
}

func testOutboxClaimIsExclusive(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	now := time.Now()
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.Enqueue(ctx, store.Delivery{Kind: "announce", SessionID: sess.ID, Recipient: "C1", Due: now, Dedupe: "a"}, now)
	}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueDeliveries(ctx, now, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %v, %v", due, err)
	}
	if _, err := s.ClaimDelivery(ctx, due[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimDelivery(ctx, due[0].ID, now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second claim = %v, want ErrNotFound", err)
	}
	if due, _ := s.DueDeliveries(ctx, now, 10); len(due) != 0 {
		t.Fatalf("claimed row still due: %v", due)
	}
}

func testOutboxEnqueueDedupe(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	due := outboxAt.Add(time.Hour)
	r := store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Payload: "1h", Due: due, Deadline: sess.Start, Dedupe: "r"}
	enqueue(t, s, r)

	// A live row is left alone: a second enqueue neither duplicates nor moves it.
	later := r
	later.Due = due.Add(time.Hour)
	enqueue(t, s, later)
	rows := rowsByDedupe(t, s, sess.ID)
	if len(rows) != 1 || !rows["r"].Due.Equal(due) || rows["r"].State != store.StatePending || !rows["r"].Deadline.Equal(sess.Start) {
		t.Fatalf("after second enqueue: %+v", rows)
	}

	// A dropped row is revived with the new time.
	if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.DropPending(ctx, sess.ID, ""); return err }); err != nil {
		t.Fatal(err)
	}
	enqueue(t, s, later)
	rows = rowsByDedupe(t, s, sess.ID)
	if got := rows["r"]; got.State != store.StatePending || !got.Due.Equal(later.Due) || !got.NextAttempt.Equal(later.Due) || got.Attempts != 0 {
		t.Fatalf("revived row: %+v", got)
	}

	// A sent row stays sent.
	d, err := s.ClaimDelivery(ctx, rows["r"].ID, later.Due)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkPosted(ctx, d, "DU2", "1.2", later.Due); err != nil {
		t.Fatal(err)
	}
	enqueue(t, s, r)
	if got := rowsByDedupe(t, s, sess.ID)["r"]; got.State != store.StateSent || got.TS != "1.2" {
		t.Fatalf("sent row changed by enqueue: %+v", got)
	}

	// Rows without a dedupe key never collide.
	n := store.Delivery{Kind: "thread", SessionID: sess.ID, Recipient: "C1", Payload: "note", Due: outboxAt}
	enqueue(t, s, n, n)
	if all, _ := s.Deliveries(ctx, sess.ID); len(all) != 3 {
		t.Fatalf("want 3 rows, got %d", len(all))
	}
}

func testOutboxDropPending(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	other := createSample(t, s)
	mk := func(sessionID int64, kind, to string) store.Delivery {
		return store.Delivery{Kind: kind, SessionID: sessionID, Recipient: to, Due: outboxAt, Dedupe: fmt.Sprintf("%d:%s:%s", sessionID, kind, to)}
	}
	enqueue(t, s, mk(sess.ID, "reminder", "U2"), mk(sess.ID, "reminder", "U3"), mk(sess.ID, "prompt", "U2"),
		mk(sess.ID, "update", "C1"), mk(other.ID, "reminder", "U3"))
	// One of them is being sent: dropping leaves it to its sender.
	rows := rowsByDedupe(t, s, sess.ID)
	claimed, err := s.ClaimDelivery(ctx, rows[fmt.Sprintf("%d:reminder:U2", sess.ID)].ID, outboxAt)
	if err != nil {
		t.Fatal(err)
	}

	var n int64
	drop := func(recipient string, kinds ...string) {
		t.Helper()
		if err := s.Update(ctx, func(tx store.Tx) (err error) { n, err = tx.DropPending(ctx, sess.ID, recipient, kinds...); return }); err != nil {
			t.Fatal(err)
		}
	}
	drop("U3", "reminder")
	if n != 1 {
		t.Fatalf("dropped %d for U3, want 1", n)
	}
	drop("", "reminder", "prompt")
	if n != 1 { // the prompt; U2's reminder is sending, U3's already dropped
		t.Fatalf("dropped %d, want 1", n)
	}
	rows = rowsByDedupe(t, s, sess.ID)
	want := map[string]string{"reminder:U2": store.StateSending, "reminder:U3": store.StateDropped, "prompt:U2": store.StateDropped, "update:C1": store.StatePending}
	for k, st := range want {
		if got := rows[fmt.Sprintf("%d:%s", sess.ID, k)].State; got != st {
			t.Errorf("%s: state %s, want %s", k, got, st)
		}
	}
	if got := rowsByDedupe(t, s, other.ID)[fmt.Sprintf("%d:reminder:U3", other.ID)].State; got != store.StatePending {
		t.Errorf("another session's row was touched: %s", got)
	}
	if err := s.MarkPosted(ctx, claimed, "DU2", "9.9", outboxAt); err != nil {
		t.Errorf("the sender of a row in flight during a drop could not record it: %v", err)
	}
}

func testOutboxDueOrderAndLimit(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	var ds []store.Delivery
	for i, off := range []time.Duration{3, -2, 1, -5, 0, -2} {
		ds = append(ds, store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: fmt.Sprint("U", i), Due: outboxAt.Add(off * time.Minute)})
	}
	enqueue(t, s, ds...)
	due, err := s.DueDeliveries(ctx, outboxAt, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range due {
		got = append(got, d.Recipient)
	}
	if strings.Join(got, " ") != "U3 U1 U5 U4" {
		t.Fatalf("due = %v, want oldest first, ties by id, nothing from the future", got)
	}
	if due, _ := s.DueDeliveries(ctx, outboxAt, 2); len(due) != 2 || due[0].Recipient != "U3" {
		t.Fatalf("limit 2 = %+v", due)
	}
	// A retry scheduled for later is not due until then.
	d, _ := s.ClaimDelivery(ctx, due[0].ID, outboxAt)
	if err := s.MarkRetry(ctx, d, outboxAt.Add(time.Minute), "boom", outboxAt); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueDeliveries(ctx, outboxAt, 10); len(due) != 3 {
		t.Fatalf("after retry: %d due, want 3", len(due))
	}
	due, _ = s.DueDeliveries(ctx, outboxAt.Add(time.Minute), 10)
	got = got[:0]
	for _, d := range due {
		got = append(got, d.Recipient)
	}
	if strings.Join(got, " ") != "U1 U5 U4 U2 U3" {
		t.Fatalf("due a minute later = %v", got)
	}
}

func testOutboxClaimFencesLateWorkers(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	enqueue(t, s, store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Due: outboxAt, Dedupe: "r"})
	id := rowsByDedupe(t, s, sess.ID)["r"].ID

	first, err := s.ClaimDelivery(ctx, id, outboxAt)
	if err != nil || first.Attempts != 1 || first.State != store.StateSending || !first.Updated.Equal(outboxAt) {
		t.Fatalf("claim = %+v, %v", first, err)
	}
	if err := s.SetDeliveryChannel(ctx, first, "DU2"); err != nil {
		t.Fatal(err)
	}
	// The first worker is presumed dead; recovery puts the row back and a
	// second worker claims it.
	if err := s.MarkUncertain(ctx, first, outboxAt, "recovered", outboxAt); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Delivery(ctx, id); got.State != store.StatePending || got.Channel != "DU2" {
		t.Fatalf("uncertain row lost its channel: %+v", got)
	}
	second, err := s.ClaimDelivery(ctx, id, outboxAt.Add(time.Minute))
	if err != nil || second.Attempts != 2 {
		t.Fatalf("second claim = %+v, %v", second, err)
	}
	// Nothing the first worker does now can touch the row.
	for name, late := range map[string]func() error{
		"channel":   func() error { return s.SetDeliveryChannel(ctx, first, "DX") },
		"posted":    func() error { return s.MarkPosted(ctx, first, "DU2", "1.1", outboxAt) },
		"retry":     func() error { return s.MarkRetry(ctx, first, outboxAt, "x", outboxAt) },
		"uncertain": func() error { return s.MarkUncertain(ctx, first, outboxAt, "x", outboxAt) },
		"done":      func() error { return s.MarkDone(ctx, first, store.StateFailed, "x", outboxAt) },
		"announced": func() error { return s.MarkAnnounced(ctx, first, "C1", "1.1", outboxAt) },
	} {
		if err := late(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("late %s = %v, want ErrNotFound", name, err)
		}
	}
	if got, _ := s.Delivery(ctx, id); got.State != store.StateSending || got.Attempts != 2 || got.Channel != "DU2" {
		t.Fatalf("row changed by a late worker: %+v", got)
	}
	if got, _ := s.Session(ctx, sess.ID); got.AnnounceTS != "" {
		t.Fatalf("a late announcement was recorded: %q", got.AnnounceTS)
	}
	// A row dropped and revived keeps counting attempts, so a claim
	// number is never handed out twice.
	if err := s.MarkRetry(ctx, second, outboxAt, "recovered", outboxAt); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.DropPending(ctx, sess.ID, ""); return err }); err != nil {
		t.Fatal(err)
	}
	enqueue(t, s, store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Due: outboxAt, Dedupe: "r"})
	if second, err = s.ClaimDelivery(ctx, id, outboxAt.Add(2*time.Minute)); err != nil || second.Attempts != 3 {
		t.Fatalf("claim after revive = %+v, %v", second, err)
	}
	// MarkRetry is for a post Slack certainly did not take: it forgets the channel.
	if err := s.MarkRetry(ctx, second, outboxAt.Add(time.Minute), "rate limited", outboxAt); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Delivery(ctx, id); got.State != store.StatePending || got.Channel != "" || got.LastError != "rate limited" {
		t.Fatalf("after retry: %+v", got)
	}
}

func testOutboxAnnouncedSetsSession(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	enqueue(t, s, store.Delivery{Kind: "announce", SessionID: sess.ID, Recipient: "C1", Due: outboxAt, Dedupe: "a"})
	d, err := s.ClaimDelivery(ctx, rowsByDedupe(t, s, sess.ID)["a"].ID, outboxAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkAnnounced(ctx, d, "C1", "5.5", outboxAt); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Session(ctx, sess.ID)
	row, _ := s.Delivery(ctx, d.ID)
	if got.AnnounceChannel != "C1" || got.AnnounceTS != "5.5" || row.State != store.StateSent || row.TS != "5.5" {
		t.Fatalf("session %+v, row %+v", got, row)
	}
}

func testOutboxSendingClaimedBefore(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	enqueue(t, s,
		store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Due: outboxAt, Dedupe: "old"},
		store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U3", Due: outboxAt, Dedupe: "young"},
		store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U4", Due: outboxAt, Dedupe: "pending"})
	rows := rowsByDedupe(t, s, sess.ID)
	if _, err := s.ClaimDelivery(ctx, rows["old"].ID, outboxAt); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimDelivery(ctx, rows["young"].ID, outboxAt.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	stale, err := s.SendingDeliveries(ctx, outboxAt.Add(30*time.Second))
	if err != nil || len(stale) != 1 || stale[0].Dedupe != "old" || stale[0].Attempts != 1 {
		t.Fatalf("stale = %+v, %v", stale, err)
	}
	if all, _ := s.SendingDeliveries(ctx, outboxAt.Add(time.Hour)); len(all) != 2 {
		t.Fatalf("all sending = %d, want 2", len(all))
	}
}

func testExpediteDelivery(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := addSession(t, s, "X", "webinar", now.Add(-3*time.Hour), time.Hour, nil)
	key := fmt.Sprintf("summary:%d:%d", sess.ID, sess.Start.Unix())
	var moved bool
	err := s.Update(ctx, func(tx store.Tx) (err error) {
		if err := tx.Enqueue(ctx, store.Delivery{Kind: "summary", SessionID: sess.ID, Recipient: "CL", Due: now.Add(168 * time.Hour), Dedupe: key}, now); err != nil {
			return err
		}
		moved, err = tx.ExpediteDelivery(ctx, key, now)
		return err
	})
	if err != nil || !moved {
		t.Fatalf("expedite = %v, %v", moved, err)
	}
	due, err := s.DueDeliveries(ctx, now, 10)
	if err != nil || len(due) != 1 || due[0].Dedupe != key || !due[0].Due.Equal(now) {
		t.Fatalf("due after expedite = %+v, %v", due, err)
	}
	// Once sent, it stays sent: expediting again moves nothing.
	claim, err := s.ClaimDelivery(ctx, due[0].ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkPosted(ctx, claim, "C1", "1.1", now); err != nil {
		t.Fatal(err)
	}
	_ = s.Update(ctx, func(tx store.Tx) (err error) { moved, err = tx.ExpediteDelivery(ctx, key, now.Add(time.Hour)); return })
	if moved {
		t.Error("a sent delivery was made due again")
	}
}

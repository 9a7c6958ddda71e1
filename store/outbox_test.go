package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// outboxAt is the fixed clock the outbox tests run on.
var outboxAt = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func enqueue(t *testing.T, s *Store, ds ...Delivery) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx *Tx) error {
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

func rowsByDedupe(t *testing.T, s *Store, sessionID int64) map[string]Delivery {
	t.Helper()
	all, err := s.Deliveries(context.Background(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Delivery{}
	for _, d := range all {
		out[d.Dedupe] = d
	}
	return out
}

func TestOutboxEnqueueDedupe(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	sess := createSample(t, s)
	due := outboxAt.Add(time.Hour)
	r := Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Payload: "1h", Due: due, Deadline: sess.Start, Dedupe: "r"}
	enqueue(t, s, r)

	// A live row is left alone: a second enqueue neither duplicates nor moves it.
	later := r
	later.Due = due.Add(time.Hour)
	enqueue(t, s, later)
	rows := rowsByDedupe(t, s, sess.ID)
	if len(rows) != 1 || !rows["r"].Due.Equal(due) || rows["r"].State != StatePending || !rows["r"].Deadline.Equal(sess.Start) {
		t.Fatalf("after second enqueue: %+v", rows)
	}

	// A dropped row is revived with the new time.
	if err := s.Update(ctx, func(tx *Tx) error { _, err := tx.DropPending(ctx, sess.ID, ""); return err }); err != nil {
		t.Fatal(err)
	}
	enqueue(t, s, later)
	rows = rowsByDedupe(t, s, sess.ID)
	if got := rows["r"]; got.State != StatePending || !got.Due.Equal(later.Due) || !got.NextAttempt.Equal(later.Due) || got.Attempts != 0 {
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
	if got := rowsByDedupe(t, s, sess.ID)["r"]; got.State != StateSent || got.TS != "1.2" {
		t.Fatalf("sent row changed by enqueue: %+v", got)
	}

	// Rows without a dedupe key never collide.
	n := Delivery{Kind: "thread", SessionID: sess.ID, Recipient: "C1", Payload: "note", Due: outboxAt}
	enqueue(t, s, n, n)
	if all, _ := s.Deliveries(ctx, sess.ID); len(all) != 3 {
		t.Fatalf("want 3 rows, got %d", len(all))
	}
}

func TestOutboxDropPending(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	sess := createSample(t, s)
	other := createSample(t, s)
	mk := func(sessionID int64, kind, to string) Delivery {
		return Delivery{Kind: kind, SessionID: sessionID, Recipient: to, Due: outboxAt, Dedupe: fmt.Sprintf("%d:%s:%s", sessionID, kind, to)}
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
		if err := s.Update(ctx, func(tx *Tx) (err error) { n, err = tx.DropPending(ctx, sess.ID, recipient, kinds...); return }); err != nil {
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
	want := map[string]string{"reminder:U2": StateSending, "reminder:U3": StateDropped, "prompt:U2": StateDropped, "update:C1": StatePending}
	for k, st := range want {
		if got := rows[fmt.Sprintf("%d:%s", sess.ID, k)].State; got != st {
			t.Errorf("%s: state %s, want %s", k, got, st)
		}
	}
	if got := rowsByDedupe(t, s, other.ID)[fmt.Sprintf("%d:reminder:U3", other.ID)].State; got != StatePending {
		t.Errorf("another session's row was touched: %s", got)
	}
	if err := s.MarkPosted(ctx, claimed, "DU2", "9.9", outboxAt); err != nil {
		t.Errorf("the sender of a row in flight during a drop could not record it: %v", err)
	}
}

func TestOutboxDueOrderAndLimit(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	sess := createSample(t, s)
	var ds []Delivery
	for i, off := range []time.Duration{3, -2, 1, -5, 0, -2} {
		ds = append(ds, Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: fmt.Sprint("U", i), Due: outboxAt.Add(off * time.Minute)})
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

func TestOutboxClaimFencesLateWorkers(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	sess := createSample(t, s)
	enqueue(t, s, Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Due: outboxAt, Dedupe: "r"})
	id := rowsByDedupe(t, s, sess.ID)["r"].ID

	first, err := s.ClaimDelivery(ctx, id, outboxAt)
	if err != nil || first.Attempts != 1 || first.State != StateSending || !first.Updated.Equal(outboxAt) {
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
	if got, _ := s.Delivery(ctx, id); got.State != StatePending || got.Channel != "DU2" {
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
		"done":      func() error { return s.MarkDone(ctx, first, StateFailed, "x", outboxAt) },
		"announced": func() error { return s.MarkAnnounced(ctx, first, "C1", "1.1", outboxAt) },
	} {
		if err := late(); !errors.Is(err, ErrNotFound) {
			t.Errorf("late %s = %v, want ErrNotFound", name, err)
		}
	}
	if got, _ := s.Delivery(ctx, id); got.State != StateSending || got.Attempts != 2 || got.Channel != "DU2" {
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
	if err := s.Update(ctx, func(tx *Tx) error { _, err := tx.DropPending(ctx, sess.ID, ""); return err }); err != nil {
		t.Fatal(err)
	}
	enqueue(t, s, Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Due: outboxAt, Dedupe: "r"})
	if second, err = s.ClaimDelivery(ctx, id, outboxAt.Add(2*time.Minute)); err != nil || second.Attempts != 3 {
		t.Fatalf("claim after revive = %+v, %v", second, err)
	}
	// MarkRetry is for a post Slack certainly did not take: it forgets the channel.
	if err := s.MarkRetry(ctx, second, outboxAt.Add(time.Minute), "rate limited", outboxAt); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Delivery(ctx, id); got.State != StatePending || got.Channel != "" || got.LastError != "rate limited" {
		t.Fatalf("after retry: %+v", got)
	}
}

func TestOutboxAnnouncedSetsSession(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	sess := createSample(t, s)
	enqueue(t, s, Delivery{Kind: "announce", SessionID: sess.ID, Recipient: "C1", Due: outboxAt, Dedupe: "a"})
	d, err := s.ClaimDelivery(ctx, rowsByDedupe(t, s, sess.ID)["a"].ID, outboxAt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkAnnounced(ctx, d, "C1", "5.5", outboxAt); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Session(ctx, sess.ID)
	row, _ := s.Delivery(ctx, d.ID)
	if got.AnnounceChannel != "C1" || got.AnnounceTS != "5.5" || row.State != StateSent || row.TS != "5.5" {
		t.Fatalf("session %+v, row %+v", got, row)
	}
}

func TestOutboxSendingClaimedBefore(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	sess := createSample(t, s)
	enqueue(t, s,
		Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2", Due: outboxAt, Dedupe: "old"},
		Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U3", Due: outboxAt, Dedupe: "young"},
		Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U4", Due: outboxAt, Dedupe: "pending"})
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

// TestOutboxDueQueryUsesIndex pins the plan behind the benchmark: the
// partial index gives rows in order, with no sort and no table scan.
func TestOutboxDueQueryUsesIndex(t *testing.T) {
	s, _ := openTest(t)
	rows, err := s.DB().Query(`EXPLAIN QUERY PLAN SELECT `+deliveryColumns+` FROM outbox
		WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, outboxAt.Unix(), 50)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "USING INDEX outbox_due") || strings.Contains(got, "TEMP B-TREE") {
		t.Fatalf("query plan: %s", got)
	}
}

// BenchmarkDueDeliveries measures the dispatcher's query with 100,000
// pending rows. all_due: every row is due (a long outage); spread: rows
// due over the next 100 days, 1% of them now (the normal case).
//
//	go test ./store -run '^$' -bench DueDeliveries -benchmem
func BenchmarkDueDeliveries(b *testing.B) {
	for _, bc := range []struct {
		name   string
		offset func(i int) time.Duration
	}{
		{"all_due", func(i int) time.Duration { return -time.Duration(i%3600) * time.Second }},
		{"spread", func(i int) time.Duration {
			if i%100 == 0 {
				return -time.Duration(i%3600) * time.Second
			}
			return time.Duration(i%100) * 24 * time.Hour
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			fillOutbox(b, s, 100_000, bc.offset)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				due, err := s.DueDeliveries(ctx, outboxAt, 50)
				if err != nil || len(due) != 50 {
					b.Fatalf("due = %d, %v", len(due), err)
				}
			}
		})
	}
}

// fillOutbox inserts n pending reminders, due at outboxAt+offset(i), over
// a realistic mix of sessions, in one transaction.
func fillOutbox(b *testing.B, s *Store, n int, offset func(int) time.Duration) {
	b.Helper()
	ctx := context.Background()
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO sessions (id, title, kind, starts_at, duration_s, tz, creator, created_at, updated_at)
		SELECT value, 'Session', 'webinar', ?, 3600, 'UTC', 'U1', ?, ? FROM generate_series(1, 1000)`,
		outboxAt.Add(200*24*time.Hour).Unix(), outboxAt.Unix(), outboxAt.Unix()); err != nil {
		// generate_series is an extension; fall back to a loop.
		for i := 1; i <= 1000; i++ {
			if _, err := tx.Exec(`INSERT INTO sessions (id, title, kind, starts_at, duration_s, tz, creator, created_at, updated_at)
				VALUES (?, 'Session', 'webinar', ?, 3600, 'UTC', 'U1', ?, ?)`, i, outboxAt.Add(200*24*time.Hour).Unix(), outboxAt.Unix(), outboxAt.Unix()); err != nil {
				b.Fatal(err)
			}
		}
	}
	st, err := tx.Prepare(`INSERT INTO outbox (kind, session_id, recipient, in_thread, payload, due_at, deadline, state,
		next_attempt_at, dedupe, created_at, updated_at) VALUES ('reminder', ?, ?, 0, '24h0m0s', ?, ?, 'pending', ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		due := outboxAt.Add(offset(i)).Unix()
		if _, err := st.Exec(i%1000+1, fmt.Sprintf("U%07d", i), due, due+86400, due, fmt.Sprintf("reminder:%d", i),
			outboxAt.Unix(), outboxAt.Unix()); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := s.DB().Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// outboxAt is the fixed clock the outbox tests run on.
var outboxAt = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

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

// TestOutboxAgendaUsesIndexes: the engine's one query per look walks the
// partial indexes, never the table.
func TestOutboxAgendaUsesIndexes(t *testing.T) {
	s, _ := openTest(t)
	rows, err := s.DB().Query(`EXPLAIN QUERY PLAN `+agendaQuery, outboxAt.Unix(), 100)
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
	if strings.Count(got, "USING INDEX outbox_due") != 2 || !strings.Contains(got, "outbox_sending") || strings.Contains(got, "SCAN outbox;") ||
		strings.HasSuffix(got, "SCAN outbox") {
		t.Fatalf("query plan: %s", got)
	}
}

// BenchmarkAgenda measures the engine's one query per look with 100,000
// pending rows, 1% of them due: the cost of an idle tick.
//
//	go test ./store/sqlite -run '^$' -bench Agenda -benchmem
func BenchmarkAgenda(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fillOutbox(b, s, 100_000, func(i int) time.Duration { return time.Duration(i%100+1) * 24 * time.Hour })
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		a, err := s.Agenda(ctx, outboxAt, 100)
		if err != nil || len(a.Due) != 0 || a.Next.IsZero() {
			b.Fatalf("agenda = %+v, %v", a, err)
		}
	}
}

// BenchmarkDueDeliveries measures the dispatcher's query with 100,000
// pending rows. all_due: every row is due (a long outage); spread: rows
// due over the next 100 days, 1% of them now (the normal case).
//
//	go test ./store/sqlite -run '^$' -bench DueDeliveries -benchmem
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

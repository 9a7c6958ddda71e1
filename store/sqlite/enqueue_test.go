package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Rows enqueued in one Update are written together, yet the Update's own
// statements see them, their order and ids are as enqueued, a row of
// the same key is kept once, and a row that cannot be written fails the
// whole Update.
func TestEnqueueWritesTogether(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	sess := &store.Session{Title: "T", Kind: "webinar", Start: now.Add(time.Hour), Duration: time.Hour, TZ: "UTC", Created: now, Updated: now}
	row := func(i int) store.Delivery {
		return store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: fmt.Sprintf("U%d", i), Due: now, Dedupe: fmt.Sprintf("r:%d", i)}
	}

	tests := []struct {
		name string
		fn   func(tx store.Tx) error
		want []string // recipients pending afterwards, in id order
		err  string
	}{
		{"more rows than one statement holds", func(tx store.Tx) error {
			if err := tx.CreateSession(ctx, sess); err != nil {
				return err
			}
			for i := range maxRowsPerInsert + 3 {
				if err := tx.Enqueue(ctx, row(i), now); err != nil {
					return err
				}
			}
			return tx.Enqueue(ctx, row(0), now) // the same key again: kept once
		}, recipients(0, maxRowsPerInsert+3), ""},
		{"the Update's next statement sees them", func(tx store.Tx) error {
			if err := tx.Enqueue(ctx, row(100), now); err != nil {
				return err
			}
			n, err := tx.DropPending(ctx, sess.ID, "U100")
			if err != nil || n != 1 {
				return fmt.Errorf("dropped %d, %v; want the row just enqueued", n, err)
			}
			return nil
		}, recipients(0, maxRowsPerInsert+3), ""},
		{"a row that cannot be written fails the Update", func(tx store.Tx) error {
			if err := tx.Enqueue(ctx, row(200), now); err != nil {
				return err
			}
			bad := row(201)
			bad.SessionID = 999_999 // no such session
			return tx.Enqueue(ctx, bad, now)
		}, recipients(0, maxRowsPerInsert+3), "FOREIGN KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Update(ctx, tt.fn)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("Update: %v, want %q", err, tt.err)
			}
			rows, err := s.Deliveries(ctx, sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range rows {
				if d.State == store.StatePending {
					got = append(got, d.Recipient)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("pending rows %v, want %v", got, tt.want)
			}
		})
	}
}

func recipients(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("U%d", i))
	}
	return out
}

// A single-statement write (the delivery engine's claims and marks) runs
// in the group commit without a savepoint of its own: when it fails,
// SQLite undoes that statement alone, and the Updates sharing its commit
// keep their changes.
func TestFailedStatementLeavesItsBatch(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	const n = 50
	errs := make(chan error, 2*n)
	for i := range n {
		go func() {
			// NOT NULL: this statement cannot succeed.
			_, err := s.exec(ctx, "INSERT INTO processed (key, at) VALUES (?, NULL)", fmt.Sprintf("bad:%d", i))
			if err == nil {
				err = fmt.Errorf("bad insert %d succeeded", i)
			} else {
				err = nil
			}
			errs <- err
		}()
		go func() {
			errs <- s.MarkProcessed(ctx, fmt.Sprintf("good:%d", i), time.Now())
		}()
	}
	for range 2 * n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var good, bad int
	if err := s.DB().QueryRow("SELECT COUNT(*) FILTER (WHERE key LIKE 'good:%'), COUNT(*) FILTER (WHERE key LIKE 'bad:%') FROM processed").Scan(&good, &bad); err != nil {
		t.Fatal(err)
	}
	if good != n || bad != 0 {
		t.Fatalf("%d good and %d bad keys stored, want %d and 0", good, bad, n)
	}
}

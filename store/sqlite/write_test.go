package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// TestUpdateIsolatesCallers runs many Updates at once so they share group
// commits: a third hang up (cancel their context) while their statements
// run, a third fail on their own after writing, a third just work. Every
// Update that neither hung up nor failed is committed; a failed one
// changes nothing; one that hung up is either committed whole or, if it
// had not started, changes nothing and says so.
func TestUpdateIsolatesCallers(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	const n = 300
	errOwn := errors.New("this caller's own error")
	type outcome struct {
		kind string // "stay", "fail", "quit"
		id   int64
		err  error
	}
	out := make([]outcome, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		kind := []string{"stay", "fail", "quit"}[i%3]
		out[i].kind = kind
		wg.Go(func() {
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			<-start
			out[i].err = s.Update(cctx, func(tx store.Tx) error {
				sess := &store.Session{Title: fmt.Sprintf("%s %d", kind, i), Kind: "webinar", Start: now.Add(24 * time.Hour),
					Duration: time.Hour, TZ: "UTC", Creator: "U1", Created: now, Updated: now}
				if err := tx.CreateSession(cctx, sess); err != nil {
					return err
				}
				out[i].id = sess.ID
				if kind == "quit" {
					// The client hangs up while this Update's statements
					// run, as a closed HTTP connection does.
					go cancel()
					for j := 0; cctx.Err() == nil && j < 10000; j++ {
						if _, err := tx.Join(cctx, sess.ID, fmt.Sprintf("W%d", j), now); err != nil {
							return err
						}
					}
				}
				if _, err := tx.Join(cctx, sess.ID, "ULAST", now); err != nil {
					return err
				}
				if kind == "fail" {
					return errOwn
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()

	counts := map[string]int{}
	for i, o := range out {
		var stored *store.Session
		if o.id != 0 {
			got, err := s.Session(ctx, o.id)
			switch {
			case err == nil && got.Title == fmt.Sprintf("%s %d", o.kind, i):
				stored = got
			case err == nil, errors.Is(err, store.ErrNotFound):
				// Its id was rolled back and may belong to another now.
			default:
				t.Fatal(err)
			}
		}
		switch {
		case o.kind == "stay" && o.err != nil:
			t.Errorf("Update %d (stayed) failed: %v", i, o.err)
		case o.kind == "stay" && (stored == nil || !stored.HasParticipant("ULAST")):
			t.Errorf("Update %d (stayed) returned nil but is not stored whole", i)
		case o.kind == "fail" && !errors.Is(o.err, errOwn):
			t.Errorf("Update %d (failed on its own) returned %v, want its own error", i, o.err)
		case o.kind == "fail" && stored != nil:
			t.Errorf("Update %d failed but its session is stored", i)
		case o.kind == "quit" && o.err == nil && (stored == nil || !stored.HasParticipant("ULAST")):
			t.Errorf("Update %d (hung up) returned nil but is not stored whole", i)
		case o.kind == "quit" && o.err != nil && !errors.Is(o.err, context.Canceled):
			t.Errorf("Update %d (hung up) returned %v, want nil or context.Canceled", i, o.err)
		case o.kind == "quit" && o.err != nil && stored != nil:
			t.Errorf("Update %d (hung up) returned %v but its session is stored", i, o.err)
		}
		res := "ok"
		if o.err != nil {
			res = "error"
		}
		counts[o.kind+" "+res]++
	}
	t.Logf("outcomes: %v", counts)
}

// An Update whose context has ended before it is queued changes nothing
// and says why.
func TestUpdateAfterCancel(t *testing.T) {
	s, _ := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.Update(ctx, func(tx store.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("Update with a cancelled context: %v, ran %v", err, ran)
	}
}

// When a transaction is lost under one Update (here it rolls back the
// whole transaction itself; in life a disk-full or I/O error does), the
// Updates that ran before it in the batch fail and say why, those not yet
// run run in the next batch, and no function runs twice.
func TestUpdateAfterALostTransaction(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	const n = 60
	errOwn := errors.New("rolled everything back")
	runs := make([]int, n)
	errs := make([]error, n)
	ids := make([]int64, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.update(ctx, func(tx *Tx) error {
				runs[i]++
				if i%20 == 10 {
					if _, err := tx.tx.ExecContext(ctx, "ROLLBACK"); err != nil {
						return err
					}
					return errOwn
				}
				sess := &store.Session{Title: fmt.Sprint(i), Kind: "webinar", Start: now, Duration: time.Hour,
					TZ: "UTC", Creator: "U1", Created: now, Updated: now}
				err := tx.CreateSession(ctx, sess)
				ids[i] = sess.ID
				return err
			})
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for i := range n {
		if runs[i] != 1 {
			t.Errorf("Update %d ran %d times", i, runs[i])
		}
		if i%20 == 10 {
			if !errors.Is(errs[i], errOwn) {
				t.Errorf("Update %d: %v, want its own error", i, errs[i])
			}
			continue
		}
		got, err := s.Session(ctx, ids[i])
		stored := err == nil && got.Title == fmt.Sprint(i)
		switch {
		case errs[i] == nil && !stored:
			t.Errorf("Update %d returned nil but is not stored", i)
		case errs[i] != nil && stored:
			t.Errorf("Update %d returned %v but is stored", i, errs[i])
		case errs[i] == nil:
			ok++
		}
	}
	t.Logf("%d of %d committed", ok, n-n/20)
	if ok == 0 {
		t.Error("nothing committed")
	}
}

// An Update after Close fails with ErrClosed instead of panicking.
func TestUpdateAfterClose(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	if err := s.CheckWrite(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	err := s.Update(ctx, func(tx store.Tx) error { return nil })
	if !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close: %v, want ErrClosed", err)
	}
}

package sqlite

import (
	"context"
	"fmt"

	"github.com/exchangebot/exchangebot/store"
)

// maxBatch bounds how many Updates share one commit.
const maxBatch = 64

// writeReq is one Update waiting for the writer.
type writeReq struct {
	ctx context.Context
	fn  func(*Tx) error
	rk  *store.RequestKey // set when the Update must record a request key
	err chan error
}

// Update runs fn in a transaction and returns once its change is
// committed, or with fn's error and nothing of fn's changed.
//
// Updates are committed in groups: one goroutine takes every Update
// waiting at that moment, runs each inside its own SAVEPOINT (so one
// failing rolls back only itself) and commits them together. A commit is
// most of a small write's cost, so under load this multiplies throughput
// and shortens the queue everybody waits in. fn must not call the Store's
// own write methods.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.update(ctx, func(t *Tx) error { return fn(t) })
}

// update is Update for this package's own writes, which need the
// transaction's statement cache.
func (s *Store) update(ctx context.Context, fn func(*Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, rk: store.PendingRequestKey(ctx), err: make(chan error, 1)}
	s.writes <- req
	return <-req.err
}

func (s *Store) writer() {
	defer close(s.writerDone)
	for first := range s.writes {
		batch := []*writeReq{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-s.writes:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
				break gather
			}
		}
		s.commitBatch(batch)
	}
}

func (s *Store) commitBatch(batch []*writeReq) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	fail := func(err error) {
		for _, r := range batch {
			r.err <- err
		}
	}
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("store: begin: %w", err))
		return
	}
	defer tx.Rollback()
	results := make([]error, len(batch))
	enqueued := false
	for i, r := range batch {
		if _, err := tx.Exec("SAVEPOINT w"); err != nil {
			fail(fmt.Errorf("store: savepoint: %w", err))
			return
		}
		t := &Tx{tx: tx, s: s}
		results[i] = s.runOne(r, t)
		enqueued = enqueued || results[i] == nil && t.enqueued
		if results[i] != nil {
			if _, err := tx.Exec("ROLLBACK TO w"); err != nil {
				fail(fmt.Errorf("store: rollback to savepoint: %w", err))
				return
			}
		}
		if _, err := tx.Exec("RELEASE w"); err != nil {
			fail(fmt.Errorf("store: release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("store: commit: %w", err))
		return
	}
	s.writeSeq.Add(1)
	if enqueued {
		s.enqueued()
	}
	for i, r := range batch {
		if results[i] == nil && r.rk != nil {
			// Marked with this commit: a later Update under the same
			// request must not mark it again.
			r.rk.Committed()
		}
		r.err <- results[i]
	}
}

// runOne runs one Update's function, turning a panic into its error so
// one bad caller cannot take the writer down.
func (s *Store) runOne(r *writeReq, t *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: update panicked: %v", p)
		}
	}()
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if r.rk != nil {
		res, err := t.tx.ExecContext(r.ctx, "INSERT INTO processed (key, at) VALUES (?, unixepoch()) ON CONFLICT (key) DO NOTHING", r.rk.Key)
		if err != nil {
			return fmt.Errorf("store: mark processed: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: %s: %w", r.rk.Key, store.ErrDuplicate)
		}
	}
	return r.fn(t)
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

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
// and shortens the queue everybody waits in. One caller's cancellation or
// error never touches the others' work: see update and txConn. fn must
// not call the Store's own write methods.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.update(ctx, func(t *Tx) error { return fn(t) })
}

// update is Update for this package's own writes, which need the
// transaction's statement cache.
//
// A caller whose context ends before its function starts gets the
// context's error and changes nothing; once its function has started it
// runs to the end, detached from the caller's cancellation (see txConn),
// and Update returns its outcome.
func (s *Store) update(ctx context.Context, fn func(*Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, rk: store.PendingRequestKey(ctx), err: make(chan error, 1)}
	select {
	case s.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return ErrClosed
	}
	return <-req.err
}

// ErrClosed is what an Update started after Close returns.
var ErrClosed = errors.New("store: closed")

func (s *Store) writer() {
	defer close(s.writerDone)
	var batch []*writeReq
	for {
		if len(batch) == 0 {
			select {
			case first := <-s.writes:
				batch = append(batch, first)
			case <-s.closing:
				return
			}
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-s.writes:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		// What a broken transaction left unrun goes first in the next.
		batch = s.commitBatch(batch)
	}
}

// commitBatch runs batch in one transaction, each Update in its own
// savepoint, and commits. It returns the Updates it did not get to run
// because the transaction broke under an earlier one; they never ran, so
// the next batch runs them.
func (s *Store) commitBatch(batch []*writeReq) (unrun []*writeReq) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range batch {
			r.err <- fmt.Errorf("store: begin: %w", err)
		}
		return nil
	}
	defer tx.Rollback()
	results := make([]error, len(batch))
	enqueued := false
	// broken fails the Updates that ran in a transaction that is gone,
	// with why; their changes went with it. SQLite rolls a transaction
	// back by itself only on faults of the whole database (disk full, I/O
	// error, out of memory), never for an ordinary error of one statement.
	broken := func(ran int, err error) []*writeReq {
		for j, r := range batch[:ran] {
			if results[j] == nil {
				results[j] = err
			}
			r.err <- results[j]
		}
		return batch[ran:]
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			// Gone before it started: it changes nothing.
			results[i] = err
			continue
		}
		// A name per Update, so a savepoint can never be confused with
		// another's, whatever one Update's statements did.
		sp := "u" + strconv.Itoa(i)
		if _, err := tx.Exec("SAVEPOINT " + sp); err != nil {
			// Failing this one too guarantees progress if it persists.
			return broken(i+1, fmt.Errorf("store: savepoint: %w", err))
		}
		t := &Tx{tx: txConn{tx}, s: s}
		results[i] = s.runOne(r, t)
		enqueued = enqueued || results[i] == nil && t.enqueued
		if results[i] != nil {
			if _, err := tx.Exec("ROLLBACK TO " + sp); err != nil {
				return broken(i+1, fmt.Errorf("store: rollback to savepoint after %v: %w", results[i], err))
			}
		}
		if _, err := tx.Exec("RELEASE " + sp); err != nil {
			return broken(i+1, fmt.Errorf("store: release savepoint: %w", err))
		}
	}
	if err := tx.Commit(); err != nil {
		return broken(len(batch), fmt.Errorf("store: commit: %w", err))
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
	return nil
}

// runOne runs one Update's function, turning a panic into its error so
// one bad caller cannot take the writer down.
func (s *Store) runOne(r *writeReq, t *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: update panicked: %v", p)
		}
	}()
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

// txConn is the shared transaction as one Update's statements see it:
// the caller's context keeps its values but loses its cancellation. A
// cancelled statement makes the driver interrupt SQLite, and an
// interrupted write inside a transaction rolls back the whole
// transaction: every other Update in the batch, savepoints and all (a
// client hanging up once failed 12 to 21 other people's commands with
// "no such savepoint"). The caller's context is looked at before its
// function starts, not during.
type txConn struct{ tx *sql.Tx }

func (c txConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.tx.ExecContext(context.WithoutCancel(ctx), query, args...)
}

func (c txConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.tx.QueryContext(context.WithoutCancel(ctx), query, args...)
}

func (c txConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.tx.QueryRowContext(context.WithoutCancel(ctx), query, args...)
}

// stmt is st in the transaction, with the same detached context.
func (c txConn) stmt(ctx context.Context, st *sql.Stmt) (context.Context, *sql.Stmt) {
	ctx = context.WithoutCancel(ctx)
	return ctx, c.tx.StmtContext(ctx, st)
}

// maxWriteChecks bounds the health writes waiting at once, so a prober
// polling a stuck writer does not pile up goroutines.
const maxWriteChecks = 4

// CheckWrite writes the health row through the writers' queue and group
// commit, as every change does, so a stuck writer or a database that
// refuses writes shows. It stops waiting when ctx ends; the write may
// still happen later, harmlessly.
func (s *Store) CheckWrite(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: write check: %w", err)
	}
	select {
	case s.checks <- struct{}{}:
	default:
		return fmt.Errorf("store: write check: %d earlier checks still waiting for the writer", maxWriteChecks)
	}
	errc := make(chan error, 1)
	go func() {
		defer func() { <-s.checks }()
		errc <- s.update(context.WithoutCancel(ctx), func(t *Tx) error {
			_, err := t.exec(ctx, "INSERT INTO health (id, checked_at) VALUES (1, unixepoch()) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at")
			return err
		})
	}()
	select {
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("store: write check: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("store: write check: %w", ctx.Err())
	}
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
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
	// single marks fn as one statement, atomic by itself: SQLite undoes
	// a failed statement alone, so it needs no savepoint of its own.
	single bool
	err    chan error
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
	return s.queue(ctx, &writeReq{ctx: ctx, fn: fn, rk: store.PendingRequestKey(ctx)})
}

// queue hands req to the writer, to run in the next group commit, and
// waits for the outcome.
func (s *Store) queue(ctx context.Context, req *writeReq) error {
	req.err = make(chan error, 1)
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
		// Let the goroutines ready to run go first, as long as doing so
		// brings more Updates: under load they are requests about to hand
		// theirs in, which then share this commit instead of each paying
		// for one. When nothing else is ready, Gosched returns at once.
		for len(batch) < maxBatch {
			runtime.Gosched()
			if !s.gather(&batch) {
				break
			}
		}
		// What a broken transaction left unrun goes first in the next.
		batch = s.commitBatch(batch)
	}
}

// gather adds to batch the Updates waiting now, up to maxBatch, and
// reports whether there were any.
func (s *Store) gather(batch *[]*writeReq) bool {
	n := len(*batch)
	for len(*batch) < maxBatch {
		select {
		case r := <-s.writes:
			*batch = append(*batch, r)
		default:
			return len(*batch) > n
		}
	}
	return len(*batch) > n
}

// commitBatch runs batch in one transaction, each Update in its own
// savepoint, and commits. It returns the Updates it did not get to run
// because the transaction broke under an earlier one; they never ran, so
// the next batch runs them.
func (s *Store) commitBatch(batch []*writeReq) (unrun []*writeReq) {
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
	bound := map[*sql.Stmt]*sql.Stmt{}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			// Gone before it started: it changes nothing.
			results[i] = err
			continue
		}
		t := &Tx{tx: txConn{tx: tx, s: s, pending: &pendingRows{}, bound: bound}, s: s}
		if r.single {
			results[i] = s.runOne(r, t)
			continue
		}
		// A name per Update, so a savepoint can never be confused with
		// another's, whatever one Update's statements did.
		sp := savepoints[i]
		if err := t.tx.control(sp.begin); err != nil {
			// Failing this one too guarantees progress if it persists.
			return broken(i+1, fmt.Errorf("store: savepoint: %w", err))
		}
		results[i] = s.runOne(r, t)
		enqueued = enqueued || results[i] == nil && t.enqueued
		if results[i] != nil {
			if err := t.tx.control(sp.rollback); err != nil {
				return broken(i+1, fmt.Errorf("store: rollback to savepoint after %v: %w", results[i], err))
			}
		}
		if err := t.tx.control(sp.release); err != nil {
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

// savepoints are the statements of the savepoint of each place in a
// batch, written once so the statement cache parses each once.
var savepoints = func() (sp [maxBatch]struct{ begin, rollback, release string }) {
	for i := range sp {
		name := "u" + strconv.Itoa(i)
		sp[i].begin, sp[i].rollback, sp[i].release = "SAVEPOINT "+name, "ROLLBACK TO "+name, "RELEASE "+name
	}
	return sp
}()

// control runs a savepoint statement, from the statement cache.
func (c txConn) control(query string) error {
	_, err := c.exec(context.Background(), query)
	return err
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
	if err := r.fn(t); err != nil {
		return err
	}
	// What the function enqueued last, and any failure to write what it
	// enqueued before.
	return t.tx.flush(r.ctx)
}

// txConn is the shared transaction as one Update's statements see it:
// the caller's context keeps its values but loses its cancellation. A
// cancelled statement makes the driver interrupt SQLite, and an
// interrupted write inside a transaction rolls back the whole
// transaction: every other Update in the batch, savepoints and all (a
// client hanging up once failed 12 to 21 other people's commands with
// "no such savepoint"). The caller's context is looked at before its
// function starts, not during.
//
// Its statements come from the Store's cache of prepared statements:
// parsing the SQL again on every call cost more than running it.
//
// Outbox rows enqueued are written with the next statement (pending), so
// every statement sees them.
type txConn struct {
	tx      *sql.Tx
	s       *Store
	pending *pendingRows
	// bound are the cached statements bound to tx, shared by the batch:
	// binding one again for every call allocated a statement each time.
	bound map[*sql.Stmt]*sql.Stmt
}

// bind returns st bound to the transaction.
func (c txConn) bind(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	in, ok := c.bound[st]
	if !ok {
		in = c.tx.StmtContext(ctx, st)
		c.bound[st] = in
	}
	return in
}

// exec runs query through the statement cache, without writing the
// pending rows first (it is how they are written).
func (c txConn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = context.WithoutCancel(ctx)
	st, err := c.s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.bind(ctx, st).ExecContext(ctx, args...)
}

// flush writes the pending rows; every statement of the transaction
// calls it first.
func (c txConn) flush(ctx context.Context) error {
	if len(c.pending.rows) == 0 && c.pending.err == nil {
		return nil
	}
	return c.pending.flush(ctx, c)
}

func (c txConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = context.WithoutCancel(ctx)
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	if st, err := c.s.stmt(ctx, query); err == nil {
		return c.bind(ctx, st).ExecContext(ctx, args...)
	}
	return c.tx.ExecContext(ctx, query, args...)
}

func (c txConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = context.WithoutCancel(ctx)
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	if st, err := c.s.stmt(ctx, query); err == nil {
		return c.bind(ctx, st).QueryContext(ctx, args...)
	}
	return c.tx.QueryContext(ctx, query, args...)
}

func (c txConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = context.WithoutCancel(ctx)
	_ = c.flush(ctx) // an error fails the Update when its function returns
	if st, err := c.s.stmt(ctx, query); err == nil {
		return c.bind(ctx, st).QueryRowContext(ctx, args...)
	}
	return c.tx.QueryRowContext(ctx, query, args...)
}

// stmt is st in the transaction, with the same detached context.
func (c txConn) stmt(ctx context.Context, st *sql.Stmt) (context.Context, *sql.Stmt) {
	ctx = context.WithoutCancel(ctx)
	_ = c.flush(ctx) // an error fails the Update when its function returns
	return ctx, c.bind(ctx, st)
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

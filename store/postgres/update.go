package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/exchangebot/exchangebot/store"
)

// Tx is one write transaction; see Store.Update.
type Tx struct {
	// conn holds the transaction, begun and ended by Update with BEGIN and
	// COMMIT sent in the same round trip as the statements beside them.
	conn *pgx.Conn
	// queued holds Enqueue calls not yet sent: they go to the server as
	// one statement before the next statement of the transaction, or with
	// the commit. A `new` makes ten or so.
	queued []queuedDelivery
	// enqueued records that the transaction owes messages: its commit
	// notifies every replica's delivery engine.
	enqueued bool
}

// Update runs fn in a transaction and returns once its change is
// committed, or with fn's error and nothing of fn's changed. Under
// WithRequestKey the key is recorded in the same transaction; a second
// replica recording the same key waits for the first to commit, then
// fails with ErrDuplicate.
//
// Round trips are most of a small transaction's cost: BEGIN goes with the
// request key, and COMMIT with the queued outbox rows, so a `new` takes
// six round trips rather than seventeen.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.update(ctx, func(t *Tx) error { return fn(t) })
}

const insertProcessed = "INSERT INTO processed (key, at) VALUES ($1, " + epochNow + ") ON CONFLICT (key) DO NOTHING"

func (s *Store) update(ctx context.Context, fn func(*Tx) error) (err error) {
	rk := store.PendingRequestKey(ctx)
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	// Release closes a connection still inside a transaction (after a
	// panic, or a failed ROLLBACK), so none goes back to the pool dirty.
	defer pc.Release()
	conn := pc.Conn()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: update panicked: %v", p)
		}
		if err != nil && conn.PgConn().TxStatus() != 'I' {
			conn.Exec(context.Background(), "ROLLBACK")
		}
	}()

	b := &pgx.Batch{}
	b.Queue("BEGIN")
	if rk != nil {
		b.Queue(insertProcessed, rk.Key)
	}
	br := conn.SendBatch(ctx, b)
	_, err = br.Exec()
	if err == nil && rk != nil {
		var tag pgconn.CommandTag
		if tag, err = br.Exec(); err == nil && tag.RowsAffected() == 0 {
			err = fmt.Errorf("store: %s: %w", rk.Key, store.ErrDuplicate)
		} else if err != nil {
			err = fmt.Errorf("store: mark processed: %w", err)
		}
	}
	if cerr := br.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("store: begin: %w", cerr)
	}
	if err != nil {
		return err
	}

	t := &Tx{conn: conn}
	if err := fn(t); err != nil {
		return err
	}
	b = &pgx.Batch{}
	flushed := t.queueFlush(b)
	if t.enqueued {
		// Delivered to listeners at commit, and only if it commits.
		b.Queue("SELECT pg_notify($1, $2)", notifyChannel, s.instance)
	}
	b.Queue("COMMIT")
	br = conn.SendBatch(ctx, b)
	if flushed {
		if _, err = br.Exec(); err != nil {
			br.Close() // the COMMIT of an aborted transaction rolls it back
			return fmt.Errorf("store: enqueue: %w", err)
		}
	}
	if t.enqueued {
		if _, err = br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("store: notify: %w", err)
		}
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if tag.String() != "COMMIT" {
		return fmt.Errorf("store: commit: the server answered %s", tag)
	}
	s.writeSeq.Add(1)
	if rk != nil {
		rk.Committed()
	}
	if t.enqueued {
		s.enqueuedHere()
	}
	return nil
}

func (t *Tx) exec(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	return t.q().Exec(ctx, query, args...)
}

// q is the transaction as a querier that first sends queued Enqueues, so
// every statement sees the rows enqueued before it.
func (t *Tx) q() querier { return flushing{t} }

type flushing struct{ t *Tx }

func (f flushing) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := f.t.flush(ctx); err != nil {
		return nil, err
	}
	return f.t.conn.Query(ctx, sql, args...)
}

func (f flushing) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := f.t.flush(ctx); err != nil {
		return errRow{err}
	}
	return f.t.conn.QueryRow(ctx, sql, args...)
}

func (f flushing) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := f.t.flush(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return f.t.conn.Exec(ctx, sql, args...)
}

// errRow is a row whose Scan reports an error met before the query.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

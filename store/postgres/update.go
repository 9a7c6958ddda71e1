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
	tx pgx.Tx
}

// Update runs fn in a transaction and returns once its change is
// committed, or with fn's error and nothing of fn's changed. Under
// WithRequestKey the key is recorded in the same transaction; a second
// replica recording the same key waits for the first to commit, then
// fails with ErrDuplicate.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.update(ctx, func(t *Tx) error { return fn(t) })
}

func (s *Store) update(ctx context.Context, fn func(*Tx) error) (err error) {
	rk := store.PendingRequestKey(ctx)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: update panicked: %v", p)
		}
		if err != nil {
			// A failed or abandoned transaction; the connection is clean after.
			tx.Rollback(context.Background())
		}
	}()
	if rk != nil {
		tag, err := tx.Exec(ctx, "INSERT INTO processed (key, at) VALUES ($1, "+epochNow+") ON CONFLICT (key) DO NOTHING", rk.Key)
		if err != nil {
			return fmt.Errorf("store: mark processed: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("store: %s: %w", rk.Key, store.ErrDuplicate)
		}
	}
	if err := fn(&Tx{tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	s.writeSeq.Add(1)
	if rk != nil {
		rk.Committed()
	}
	return nil
}

func (t *Tx) exec(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	return t.tx.Exec(ctx, query, args...)
}

package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

// SetRatePause records a pause under key until until, rounded up to the
// second, keeping a later one already there, then drops pauses ended by
// now. Each is a statement of its own, outside any transaction, so two
// replicas recording pauses at once never wait on each other's clean-up.
func (s *Store) SetRatePause(ctx context.Context, key string, until, now time.Time) error {
	if _, err := s.exec(ctx, `INSERT INTO rate_pauses (key, until_at) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET until_at = GREATEST(rate_pauses.until_at, excluded.until_at)`,
		key, assemble.CeilUnix(until)); err != nil {
		return fmt.Errorf("store: rate pause %s: %w", key, err)
	}
	if _, err := s.exec(ctx, "DELETE FROM rate_pauses WHERE until_at <= $1", unix(now)); err != nil {
		return fmt.Errorf("store: drop ended rate pauses: %w", err)
	}
	return nil
}

// RatePauses returns the pauses running at now, by key.
func (s *Store) RatePauses(ctx context.Context, now time.Time) (map[string]time.Time, error) {
	rows, err := s.pool.Query(ctx, "SELECT key, until_at FROM rate_pauses WHERE until_at > $1", unix(now))
	if err != nil {
		return nil, fmt.Errorf("store: rate pauses: %w", err)
	}
	out := map[string]time.Time{}
	var key string
	var until int64
	_, err = pgx.ForEachRow(rows, []any{&key, &until}, func() error {
		out[key] = assemble.Time(until)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: rate pauses: %w", err)
	}
	return out, nil
}

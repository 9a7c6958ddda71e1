package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

// SetRatePause records a pause under key until until, rounded up to the
// second, keeping a later one already there, then drops pauses ended by
// now. The two are separate statements: a failed clean-up loses nothing.
func (s *Store) SetRatePause(ctx context.Context, key string, until, now time.Time) error {
	if _, err := s.exec(ctx, `INSERT INTO rate_pauses (key, until_at) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET until_at = max(until_at, excluded.until_at)`, key, assemble.CeilUnix(until)); err != nil {
		return fmt.Errorf("store: rate pause %s: %w", key, err)
	}
	if _, err := s.exec(ctx, "DELETE FROM rate_pauses WHERE until_at <= ?", now.Unix()); err != nil {
		return fmt.Errorf("store: drop ended rate pauses: %w", err)
	}
	return nil
}

// RatePauses returns the pauses running at now, by key.
func (s *Store) RatePauses(ctx context.Context, now time.Time) (map[string]time.Time, error) {
	st, err := s.stmt(ctx, "SELECT key, until_at FROM rate_pauses WHERE until_at > ?")
	if err != nil {
		return nil, fmt.Errorf("store: rate pauses: %w", err)
	}
	rows, err := st.QueryContext(ctx, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: rate pauses: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var key string
		var until int64
		if err := rows.Scan(&key, &until); err != nil {
			return nil, fmt.Errorf("store: rate pauses: %w", err)
		}
		out[key] = assemble.Time(until)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: rate pauses: %w", err)
	}
	return out, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

// CreateSeries stores a new series and sets sr.ID; its occurrences are
// created with CreateSession.
func (t *Tx) CreateSeries(ctx context.Context, sr *store.Series) error {
	err := t.queryRow(ctx, "INSERT INTO series (every, creator, created_at) VALUES (?, ?, ?) RETURNING id",
		sr.Every, sr.Creator, sr.Created.Unix()).Scan(&sr.ID)
	if err != nil {
		return fmt.Errorf("store: create series: %w", err)
	}
	return nil
}

// Series returns a series with its occurrences.
func (s *Store) Series(ctx context.Context, id int64) (*store.Series, error) {
	return series(ctx, s.db, id)
}

// Series reads a series inside the transaction.
func (t *Tx) Series(ctx context.Context, id int64) (*store.Series, error) {
	return series(ctx, t.tx, id)
}

func series(ctx context.Context, q querier, id int64) (*store.Series, error) {
	sr := &store.Series{ID: id}
	var created int64
	err := q.QueryRowContext(ctx, "SELECT every, creator, created_at FROM series WHERE id = ?", id).Scan(&sr.Every, &sr.Creator, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: series %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: series %d: %w", id, err)
	}
	sr.Created = assemble.Time(created)
	rows, err := q.QueryContext(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE series_id = ? ORDER BY starts_at, id", id)
	if sr.Occurrences, err = collect(rows, err, scanSession); err != nil {
		return nil, fmt.Errorf("store: series %d: %w", id, err)
	}
	if err := fillDetails(ctx, q, sr.Occurrences); err != nil {
		return nil, err
	}
	return sr, nil
}

// fillPlaces sets where each occurrence of a series falls in it ("3 of
// 6"), in one query for all the series among sessions.
func fillPlaces(ctx context.Context, q querier, sessions []*store.Session) error {
	ids := assemble.SeriesIDs(sessions)
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT series_id, id FROM sessions
		WHERE series_id IN (SELECT value FROM json_each(?)) AND status = 'confirmed'
		ORDER BY series_id, starts_at, id`, jsonInts(ids))
	confirmed, err := collect(rows, err, scanKeyed[int64])
	if err != nil {
		return fmt.Errorf("store: series places: %w", err)
	}
	assemble.Places(sessions, confirmed)
	return nil
}

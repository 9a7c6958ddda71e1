package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

// heldCTE selects the sessions a report covers; its three parameters are
// from, to and now.
const heldCTE = `WITH held AS (SELECT id, kind, starts_at, starts_at + duration_s AS ended_at FROM sessions
	WHERE status = 'confirmed' AND starts_at >= ? AND starts_at < ? AND starts_at + duration_s <= ?) `

// Report computes the figures for the sessions q selects.
func (s *Store) Report(ctx context.Context, q store.ReportQuery) (store.Report, error) {
	r := store.Report{From: q.From, To: q.To}
	args := []any{q.From.Unix(), q.To.Unix(), q.Now.Unix()}
	counts := func(query string) ([]store.Count, error) {
		rows, err := s.db.QueryContext(ctx, heldCTE+query, args...)
		return collect(rows, err, func(sc scanner) (store.Count, error) {
			var c store.Count
			return c, sc.Scan(&c.Label, &c.N)
		})
	}
	var err error
	if r.ByKind, err = counts("SELECT kind, COUNT(*) FROM held GROUP BY kind ORDER BY COUNT(*) DESC, kind"); err != nil {
		return store.Report{}, fmt.Errorf("store: report by kind: %w", err)
	}
	if r.ByPartner, err = counts(`SELECT p.name, COUNT(DISTINCT p.session_id) FROM session_partners p JOIN held ON held.id = p.session_id
		GROUP BY p.name ORDER BY COUNT(DISTINCT p.session_id) DESC, p.name`); err != nil {
		return store.Report{}, fmt.Errorf("store: report by partner: %w", err)
	}
	err = s.db.QueryRowContext(ctx, heldCTE+`SELECT
		(SELECT COUNT(DISTINCT user_id) FROM participants WHERE session_id IN (SELECT id FROM held)),
		(SELECT COUNT(*) FROM participants WHERE session_id IN (SELECT id FROM held)),
		(SELECT COUNT(DISTINCT speaker_id) FROM session_speakers WHERE session_id IN (SELECT id FROM held)),
		(SELECT COUNT(*) FROM prompts p WHERE p.session_id IN (SELECT id FROM held) AND p.state IN ('open', 'answering')
			AND NOT EXISTS (SELECT 1 FROM lessons l WHERE l.session_id = p.session_id AND l.user_id = p.user_id)),
		(SELECT COUNT(DISTINCT series_id) FROM sessions WHERE id IN (SELECT id FROM held)),
		(SELECT COUNT(series_id) FROM sessions WHERE id IN (SELECT id FROM held))`, args...).
		Scan(&r.Participants, &r.RSVPs, &r.Speakers, &r.OpenPrompts, &r.Series, &r.SeriesHeld)
	if err != nil {
		return store.Report{}, fmt.Errorf("store: report people: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, heldCTE+`SELECT MIN(l.created_at) - held.ended_at FROM lessons l JOIN held ON held.id = l.session_id
		GROUP BY held.id`, args...)
	delays, err := collect(rows, err, func(sc scanner) (int64, error) {
		var d int64
		return d, sc.Scan(&d)
	})
	if err != nil {
		return store.Report{}, fmt.Errorf("store: report first lessons: %w", err)
	}
	assemble.Report(&r, delays)
	if r.Months, err = s.reportMonths(ctx, args, r.ByKind, q.Location); err != nil {
		return store.Report{}, fmt.Errorf("store: report by month: %w", err)
	}
	return r, nil
}

// reportMonths counts held and captured sessions, and each kind, by the
// calendar month of loc, every month from the first to the last included.
func (s *Store) reportMonths(ctx context.Context, args []any, kinds []store.Count, loc *time.Location) ([]store.Month, error) {
	rows, err := s.db.QueryContext(ctx, heldCTE+`SELECT h.starts_at, h.kind, EXISTS (SELECT 1 FROM lessons l WHERE l.session_id = h.id)
		FROM held h`, args...)
	held, err := collect(rows, err, func(sc scanner) (assemble.HeldRow, error) {
		var h assemble.HeldRow
		return h, sc.Scan(&h.Start, &h.Kind, &h.Captured)
	})
	if err != nil {
		return nil, err
	}
	return assemble.Months(held, kinds, loc), nil
}

package sqlite

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// heldCTE selects the sessions a report covers; its three parameters are
// from, to and now.
const heldCTE = `WITH held AS (SELECT id, kind, starts_at + duration_s AS ended_at FROM sessions
	WHERE status = 'confirmed' AND starts_at >= ? AND starts_at < ? AND starts_at + duration_s <= ?) `

// Report computes the figures for sessions held in [from, to) as of now.
func (s *Store) Report(ctx context.Context, from, to, now time.Time) (store.Report, error) {
	r := store.Report{From: from, To: to}
	args := []any{from.Unix(), to.Unix(), now.Unix()}
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
	for _, c := range r.ByKind {
		r.Held += c.N
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
	if err != nil {
		return store.Report{}, fmt.Errorf("store: report first lessons: %w", err)
	}
	defer rows.Close()
	var delays []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return store.Report{}, fmt.Errorf("store: report first lessons: %w", err)
		}
		delays = append(delays, d)
	}
	if err := rows.Err(); err != nil {
		return store.Report{}, fmt.Errorf("store: report first lessons: %w", err)
	}
	r.Captured = len(delays)
	r.MedianToFirstLesson = median(delays)
	for _, d := range delays {
		r.FirstLessons = append(r.FirstLessons, time.Duration(d)*time.Second)
	}
	if r.Months, err = s.reportMonths(ctx, args, r.ByKind); err != nil {
		return store.Report{}, fmt.Errorf("store: report by month: %w", err)
	}
	return r, nil
}

// reportMonths counts held and captured sessions, and each kind, month by
// month (UTC), every month from the first to the last included.
func (s *Store) reportMonths(ctx context.Context, args []any, kinds []store.Count) ([]store.Month, error) {
	rows, err := s.db.QueryContext(ctx, heldCTE+`SELECT strftime('%Y-%m', h.ended_at - s.duration_s, 'unixepoch'), h.kind, COUNT(*),
		SUM(EXISTS (SELECT 1 FROM lessons l WHERE l.session_id = h.id))
		FROM held h JOIN sessions s ON s.id = h.id GROUP BY 1, 2 ORDER BY 1`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Month
	for rows.Next() {
		var month, kind string
		var n, captured int
		if err := rows.Scan(&month, &kind, &n, &captured); err != nil {
			return nil, err
		}
		start, err := time.Parse("2006-01", month)
		if err != nil {
			return nil, err
		}
		for len(out) > 0 && out[len(out)-1].Start.Before(start) && out[len(out)-1].Start.AddDate(0, 1, 0).Before(start) {
			out = append(out, emptyMonth(out[len(out)-1].Start.AddDate(0, 1, 0), kinds))
		}
		if len(out) == 0 || !out[len(out)-1].Start.Equal(start) {
			out = append(out, emptyMonth(start, kinds))
		}
		m := &out[len(out)-1]
		m.Held += n
		m.Captured += captured
		for i := range m.ByKind {
			if m.ByKind[i].Label == kind {
				m.ByKind[i].N += n
			}
		}
	}
	return out, rows.Err()
}

func emptyMonth(start time.Time, kinds []store.Count) store.Month {
	m := store.Month{Start: start, ByKind: make([]store.Count, len(kinds))}
	for i, k := range kinds {
		m.ByKind[i].Label = k.Label
	}
	return m
}

// median of seconds, averaging the middle two of an even count.
func median(secs []int64) time.Duration {
	if len(secs) == 0 {
		return 0
	}
	slices.Sort(secs)
	m := len(secs) / 2
	if len(secs)%2 == 1 {
		return time.Duration(secs[m]) * time.Second
	}
	return time.Duration(secs[m-1]+secs[m]) * time.Second / 2
}

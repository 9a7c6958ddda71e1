package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
	"github.com/exchangebot/exchangebot/store/internal/filter"
)

const sessionColumns = `id, title, kind, starts_at, duration_s, tz, description, link, channel, lang,
	creator, status, cancel_reason, sequence, created_at, updated_at, announce_channel, announce_ts, COALESCE(series_id, 0)`

func scanSession(row pgx.Row) (*store.Session, error) {
	var s store.Session
	var start, dur, created, updated int64
	err := row.Scan(&s.ID, &s.Title, &s.Kind, &start, &dur, &s.TZ, &s.Description, &s.Link, &s.Channel, &s.Lang,
		&s.Creator, &s.Status, &s.CancelReason, &s.Sequence, &created, &updated, &s.AnnounceChannel, &s.AnnounceTS, &s.SeriesID)
	if err != nil {
		return nil, err
	}
	assemble.SessionTimes(&s, start, dur, created, updated)
	return &s, nil
}

// Session returns one session with its partners, speakers and participants.
func (s *Store) Session(ctx context.Context, id int64) (*store.Session, error) {
	return session(ctx, s.pool, id)
}

// Session reads a session inside the transaction.
func (t *Tx) Session(ctx context.Context, id int64) (*store.Session, error) {
	return session(ctx, t.q(), id)
}

func session(ctx context.Context, q querier, id int64) (*store.Session, error) {
	sess, err := scanSession(q.QueryRow(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: session %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: session %d: %w", id, err)
	}
	if err := fillDetails(ctx, q, []*store.Session{sess}); err != nil {
		return nil, err
	}
	return sess, nil
}

// SessionExists reports whether a session with id is stored.
func (s *Store) SessionExists(ctx context.Context, id int64) (bool, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1)", id).Scan(&exists); err != nil {
		return false, fmt.Errorf("store: session %d: %w", id, err)
	}
	return exists, nil
}

// Sessions lists sessions with their details, soonest first.
func (s *Store) Sessions(ctx context.Context, f store.Filter) ([]*store.Session, error) {
	args := filter.NewArgs("$")
	query := "SELECT " + sessionColumns + " FROM sessions" + filter.Sessions(f, args) + filter.SessionOrder(f)
	if f.Limit > 0 {
		query += " LIMIT " + args.Add(f.Limit)
	}
	if f.Offset > 0 {
		query += " OFFSET " + args.Add(f.Offset)
	}
	rows, err := s.pool.Query(ctx, query, args.List()...)
	out, err := collect(rows, err, scanSession)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	if err := fillDetails(ctx, s.pool, out); err != nil {
		return nil, err
	}
	return out, nil
}

// SessionCount counts what Sessions lists for f, without paging.
func (s *Store) SessionCount(ctx context.Context, f store.Filter) (int, error) {
	args := filter.NewArgs("$")
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM sessions"+filter.Sessions(f, args), args.List()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: session count: %w", err)
	}
	return n, nil
}

// fillDetails loads partners, speakers and participants for many sessions
// in three queries rather than three per session.
func fillDetails(ctx context.Context, q querier, sessions []*store.Session) error {
	if len(sessions) == 0 {
		return nil
	}
	ids := assemble.SessionIDs(sessions)
	rows, err := q.Query(ctx, "SELECT session_id, name FROM session_partners WHERE session_id = ANY($1) ORDER BY session_id, position", ids)
	partners, err := collect(rows, err, scanKeyed[string])
	if err != nil {
		return fmt.Errorf("store: partners: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT ss.session_id, sp.id, COALESCE(sp.user_id, ''), sp.name, sp.email
		FROM session_speakers ss JOIN speakers sp ON sp.id = ss.speaker_id
		WHERE ss.session_id = ANY($1) ORDER BY ss.session_id, ss.position`, ids)
	speakers, err := collect(rows, err, func(row pgx.Row) (assemble.Keyed[store.Speaker], error) {
		var k assemble.Keyed[store.Speaker]
		return k, row.Scan(&k.ID, &k.V.ID, &k.V.UserID, &k.V.Name, &k.V.Email)
	})
	if err != nil {
		return fmt.Errorf("store: speakers: %w", err)
	}
	rows, err = q.Query(ctx, "SELECT session_id, user_id FROM participants WHERE session_id = ANY($1) ORDER BY session_id, joined_at, user_id", ids)
	participants, err := collect(rows, err, scanKeyed[string])
	if err != nil {
		return fmt.Errorf("store: participants: %w", err)
	}
	assemble.Details(sessions, partners, speakers, participants)
	return fillPlaces(ctx, q, sessions)
}

// scanKeyed scans a row of two columns: an id and the value it keys.
func scanKeyed[T any](row pgx.Row) (assemble.Keyed[T], error) {
	var k assemble.Keyed[T]
	return k, row.Scan(&k.ID, &k.V)
}

// CreateSession stores a new session with its partners and speakers and
// sets s.ID. Created and Updated must be set by the caller's clock.
func (t *Tx) CreateSession(ctx context.Context, s *store.Session) error {
	if s.Status == "" {
		s.Status = store.StatusConfirmed
	}
	var series *int64
	if s.SeriesID != 0 {
		series = &s.SeriesID
	}
	err := t.q().QueryRow(ctx, `INSERT INTO sessions (title, kind, starts_at, duration_s, tz, description, link, channel, lang,
		creator, status, cancel_reason, sequence, created_at, updated_at, announce_channel, announce_ts, series_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
		s.Title, s.Kind, unix(s.Start), int64(s.Duration/time.Second), s.TZ, s.Description, s.Link, s.Channel, s.Lang,
		s.Creator, s.Status, s.CancelReason, s.Sequence, unix(s.Created), unix(s.Updated), s.AnnounceChannel, s.AnnounceTS, series).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	if len(s.Partners) > 0 {
		positions := make([]int32, len(s.Partners))
		for i := range positions {
			positions[i] = int32(i)
		}
		if _, err := t.exec(ctx, `INSERT INTO session_partners (session_id, position, name)
			SELECT $1, p, n FROM unnest($2::int[], $3::text[]) AS u (p, n)`, s.ID, positions, s.Partners); err != nil {
			return fmt.Errorf("store: session %d partners: %w", s.ID, err)
		}
	}
	speakers := s.Speakers
	s.Speakers = nil
	if _, err := t.AddSpeakers(ctx, s.ID, speakers); err != nil {
		return err
	}
	s.Speakers = speakers
	return nil
}

// Reschedule moves a session and raises its sequence.
func (t *Tx) Reschedule(ctx context.Context, id int64, start time.Time, d time.Duration, now time.Time) error {
	return t.exec1(ctx, id, "UPDATE sessions SET starts_at = $1, duration_s = $2, sequence = sequence + 1, updated_at = $3 WHERE id = $4",
		unix(start), int64(d/time.Second), unix(now), id)
}

// Cancel marks a session cancelled and raises its sequence.
func (t *Tx) Cancel(ctx context.Context, id int64, reason string, now time.Time) error {
	return t.exec1(ctx, id, "UPDATE sessions SET status = 'cancelled', cancel_reason = $1, sequence = sequence + 1, updated_at = $2 WHERE id = $3",
		reason, unix(now), id)
}

// Touch raises a session's sequence after a change to its details.
func (t *Tx) Touch(ctx context.Context, id int64, now time.Time) error {
	return t.exec1(ctx, id, "UPDATE sessions SET sequence = sequence + 1, updated_at = $1 WHERE id = $2", unix(now), id)
}

// SetDetails sets what an edit changes and raises the sequence.
func (t *Tx) SetDetails(ctx context.Context, id int64, d store.Details, now time.Time) error {
	return t.exec1(ctx, id, `UPDATE sessions SET title = $1, kind = $2, link = $3, description = $4, lang = $5,
		sequence = sequence + 1, updated_at = $6 WHERE id = $7`, d.Title, d.Kind, d.Link, d.Description, d.Lang, unix(now), id)
}

// SetAnnouncement records where the session's announcement was posted:
// on every occurrence of its series, which share one announcement.
func (t *Tx) SetAnnouncement(ctx context.Context, id int64, channel, ts string) error {
	return t.exec1(ctx, id, `UPDATE sessions SET announce_channel = $1, announce_ts = $2
		WHERE id = $3 OR series_id = (SELECT series_id FROM sessions WHERE id = $3)`, channel, ts, id)
}

func (t *Tx) exec1(ctx context.Context, id int64, query string, args ...any) error {
	tag, err := t.exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: session %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: session %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// AddSpeakers adds speakers to a session, creating speaker records as
// needed, and returns those that were not already speaking.
func (t *Tx) AddSpeakers(ctx context.Context, sessionID int64, speakers []store.Speaker) ([]store.Speaker, error) {
	// Speaker rows are locked in one order (by key) whatever order they
	// are listed in, so two sessions naming the same people cannot
	// deadlock; positions still follow the list.
	order := make([]int, len(speakers))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(speakers[a].Key(), speakers[b].Key()) })
	ids := make([]int64, len(speakers))
	for _, i := range order {
		id, err := t.speakerID(ctx, speakers[i])
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	var added []store.Speaker
	for i, sp := range speakers {
		tag, err := t.exec(ctx, `INSERT INTO session_speakers (session_id, speaker_id, position)
			VALUES ($1, $2, (SELECT COALESCE(MAX(position), -1) + 1 FROM session_speakers WHERE session_id = $1))
			ON CONFLICT DO NOTHING`, sessionID, ids[i])
		if err != nil {
			return nil, fmt.Errorf("store: session %d speaker: %w", sessionID, err)
		}
		if tag.RowsAffected() > 0 {
			sp.ID = ids[i]
			added = append(added, sp)
		}
	}
	return added, nil
}

// RemoveSpeakers removes speakers from a session and returns those that
// were speaking.
func (t *Tx) RemoveSpeakers(ctx context.Context, sessionID int64, speakers []store.Speaker) ([]store.Speaker, error) {
	var removed []store.Speaker
	for _, sp := range speakers {
		var err error
		var n int64
		if sp.UserID != "" {
			n, err = t.affected(ctx, `DELETE FROM session_speakers WHERE session_id = $1
				AND speaker_id IN (SELECT id FROM speakers WHERE user_id = $2)`, sessionID, sp.UserID)
		} else {
			n, err = t.affected(ctx, `DELETE FROM session_speakers WHERE session_id = $1
				AND speaker_id IN (SELECT id FROM speakers WHERE user_id IS NULL AND lower(email) = lower($2))`, sessionID, sp.Email)
		}
		if err != nil {
			return nil, fmt.Errorf("store: session %d speaker: %w", sessionID, err)
		}
		if n > 0 {
			removed = append(removed, sp)
		}
	}
	return removed, nil
}

func (t *Tx) affected(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := t.exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

func (t *Tx) speakerID(ctx context.Context, sp store.Speaker) (int64, error) {
	// Look first, without locking: most speakers exist already, and an
	// upsert would lock their row until commit, making every session that
	// names the same person wait for the one before it.
	var id int64
	var name string
	var err error
	if sp.UserID != "" {
		err = t.q().QueryRow(ctx, "SELECT id, name FROM speakers WHERE user_id = $1", sp.UserID).Scan(&id, &name)
	} else {
		err = t.q().QueryRow(ctx, "SELECT id, name FROM speakers WHERE user_id IS NULL AND lower(email) = lower($1)", sp.Email).Scan(&id, &name)
	}
	switch {
	case err == nil && (sp.Name == "" || sp.Name == name):
		return id, nil
	case err == nil:
		_, err = t.exec(ctx, "UPDATE speakers SET name = $1 WHERE id = $2 AND name <> $1", sp.Name, id)
	case errors.Is(err, pgx.ErrNoRows) && sp.UserID != "":
		// Another transaction may be adding the same person right now.
		err = t.q().QueryRow(ctx, `INSERT INTO speakers (user_id, name) VALUES ($1, $2)
			ON CONFLICT (user_id) DO UPDATE SET name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE speakers.name END
			RETURNING id`, sp.UserID, sp.Name).Scan(&id)
	case errors.Is(err, pgx.ErrNoRows):
		err = t.q().QueryRow(ctx, `INSERT INTO speakers (name, email) VALUES ($1, $2)
			ON CONFLICT (lower(email)) WHERE user_id IS NULL DO UPDATE SET name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE speakers.name END
			RETURNING id`, sp.Name, sp.Email).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("store: speaker %s: %w", sp.Key(), err)
	}
	return id, nil
}

// Join records an RSVP; it reports false when the user had already joined.
func (t *Tx) Join(ctx context.Context, sessionID int64, userID string, now time.Time) (bool, error) {
	n, err := t.affected(ctx, "INSERT INTO participants (session_id, user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		sessionID, userID, unix(now))
	if err != nil {
		return false, fmt.Errorf("store: session %d join: %w", sessionID, err)
	}
	return n > 0, nil
}

// Leave removes an RSVP; it reports false when the user had not joined.
func (t *Tx) Leave(ctx context.Context, sessionID int64, userID string) (bool, error) {
	n, err := t.affected(ctx, "DELETE FROM participants WHERE session_id = $1 AND user_id = $2", sessionID, userID)
	if err != nil {
		return false, fmt.Errorf("store: session %d leave: %w", sessionID, err)
	}
	return n > 0, nil
}

// CountSessions returns how many sessions are stored.
func (s *Store) CountSessions(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, "SELECT count(*) FROM sessions").Scan(&n)
	return n, err
}

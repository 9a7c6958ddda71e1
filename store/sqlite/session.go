package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
	"github.com/exchangebot/exchangebot/store/internal/filter"
)

const sessionColumns = `id, title, kind, starts_at, duration_s, tz, description, link, channel, lang,
	creator, status, cancel_reason, sequence, created_at, updated_at, announce_channel, announce_ts, COALESCE(series_id, 0)`

func scanSession(sc scanner) (*store.Session, error) {
	var s store.Session
	var start, dur, created, updated int64
	err := sc.Scan(&s.ID, &s.Title, &s.Kind, &start, &dur, &s.TZ, &s.Description, &s.Link, &s.Channel, &s.Lang,
		&s.Creator, &s.Status, &s.CancelReason, &s.Sequence, &created, &updated, &s.AnnounceChannel, &s.AnnounceTS, &s.SeriesID)
	if err != nil {
		return nil, err
	}
	assemble.SessionTimes(&s, start, dur, created, updated)
	return &s, nil
}

// Session returns one session with its partners, speakers and participants.
func (s *Store) Session(ctx context.Context, id int64) (*store.Session, error) {
	return session(ctx, cachedReads{s}, id)
}

// Session reads a session inside the transaction.
func (t *Tx) Session(ctx context.Context, id int64) (*store.Session, error) {
	return session(ctx, t.tx, id)
}

func session(ctx context.Context, q querier, id int64) (*store.Session, error) {
	row := q.QueryRowContext(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE id = ?", id)
	sess, err := scanSession(row)
	if errors.Is(err, sql.ErrNoRows) {
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

// SessionExists reports whether a session with id is stored, without
// loading it.
func (s *Store) SessionExists(ctx context.Context, id int64) (bool, error) {
	st, err := s.stmt(ctx, "SELECT 1 FROM sessions WHERE id = ?")
	if err != nil {
		return false, fmt.Errorf("store: session %d: %w", id, err)
	}
	var one int
	err = st.QueryRowContext(ctx, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: session %d: %w", id, err)
	}
	return true, nil
}

// Sessions lists sessions with their details, soonest first.
func (s *Store) Sessions(ctx context.Context, f store.Filter) ([]*store.Session, error) {
	args := filter.NewArgs("?")
	query := "SELECT " + sessionColumns + " FROM sessions" + filter.Sessions(f, args) + filter.SessionOrder(f)
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	if f.Offset > 0 {
		if f.Limit <= 0 {
			query += " LIMIT -1"
		}
		query += fmt.Sprintf(" OFFSET %d", f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, query, args.List()...)
	out, err := collect(rows, err, scanSession)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	if err := fillDetails(ctx, s.db, out); err != nil {
		return nil, err
	}
	return out, nil
}

// SessionCount counts what Sessions lists for f, without paging.
func (s *Store) SessionCount(ctx context.Context, f store.Filter) (int, error) {
	args := filter.NewArgs("?")
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sessions"+filter.Sessions(f, args), args.List()...).Scan(&n); err != nil {
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
	// Large feeds would exceed SQLite's variable limit; a temp list in one
	// JSON argument avoids it. One session (each delivery reads its own)
	// is a plain lookup, several times cheaper than walking json_each.
	in := "SELECT value FROM json_each(?)"
	var idJSON any
	if len(ids) == 1 {
		in, idJSON = "?", ids[0]
	} else {
		idJSON = jsonInts(ids)
	}
	rows, err := q.QueryContext(ctx, "SELECT session_id, name FROM session_partners WHERE session_id IN ("+in+") ORDER BY session_id, position", idJSON)
	partners, err := collect(rows, err, scanKeyed[string])
	if err != nil {
		return fmt.Errorf("store: partners: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT ss.session_id, sp.id, COALESCE(sp.user_id, ''), sp.name, sp.email
		FROM session_speakers ss JOIN speakers sp ON sp.id = ss.speaker_id
		WHERE ss.session_id IN (`+in+`) ORDER BY ss.session_id, ss.position`, idJSON)
	speakers, err := collect(rows, err, func(sc scanner) (assemble.Keyed[store.Speaker], error) {
		var k assemble.Keyed[store.Speaker]
		return k, sc.Scan(&k.ID, &k.V.ID, &k.V.UserID, &k.V.Name, &k.V.Email)
	})
	if err != nil {
		return fmt.Errorf("store: speakers: %w", err)
	}
	rows, err = q.QueryContext(ctx, "SELECT session_id, user_id FROM participants WHERE session_id IN ("+in+") ORDER BY session_id, joined_at, user_id", idJSON)
	participants, err := collect(rows, err, scanKeyed[string])
	if err != nil {
		return fmt.Errorf("store: participants: %w", err)
	}
	assemble.Details(sessions, partners, speakers, participants)
	return fillPlaces(ctx, q, sessions)
}

// scanKeyed scans a row of two columns: an id and the value it keys.
func scanKeyed[T any](sc scanner) (assemble.Keyed[T], error) {
	var k assemble.Keyed[T]
	return k, sc.Scan(&k.ID, &k.V)
}

func jsonInts(ids []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// CreateSession stores a new session with its partners and speakers and
// sets s.ID. Created and Updated must be set by the caller's clock.
func (t *Tx) CreateSession(ctx context.Context, s *store.Session) error {
	if s.Status == "" {
		s.Status = store.StatusConfirmed
	}
	var series any
	if s.SeriesID != 0 {
		series = s.SeriesID
	}
	res, err := t.exec(ctx, `INSERT INTO sessions (title, kind, starts_at, duration_s, tz, description, link, channel, lang,
		creator, status, cancel_reason, sequence, created_at, updated_at, announce_channel, announce_ts, series_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Title, s.Kind, s.Start.Unix(), int64(s.Duration/time.Second), s.TZ, s.Description, s.Link, s.Channel, s.Lang,
		s.Creator, s.Status, s.CancelReason, s.Sequence, s.Created.Unix(), s.Updated.Unix(), s.AnnounceChannel, s.AnnounceTS, series)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	if s.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	for i, p := range s.Partners {
		if _, err := t.exec(ctx, "INSERT INTO session_partners (session_id, position, name) VALUES (?, ?, ?)", s.ID, i, p); err != nil {
			return fmt.Errorf("store: session %d partner: %w", s.ID, err)
		}
	}
	speakers := s.Speakers
	s.Speakers = nil
	_, err = t.AddSpeakers(ctx, s.ID, speakers)
	if err != nil {
		return err
	}
	s.Speakers = speakers
	return nil
}

// Reschedule moves a session and raises its sequence.
func (t *Tx) Reschedule(ctx context.Context, id int64, start time.Time, d time.Duration, now time.Time) error {
	return t.exec1(ctx, id, "UPDATE sessions SET starts_at = ?, duration_s = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?",
		start.Unix(), int64(d/time.Second), now.Unix(), id)
}

// Cancel marks a session cancelled and raises its sequence.
func (t *Tx) Cancel(ctx context.Context, id int64, reason string, now time.Time) error {
	return t.exec1(ctx, id, "UPDATE sessions SET status = 'cancelled', cancel_reason = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?",
		reason, now.Unix(), id)
}

// Touch raises a session's sequence after a change to its details
// (speakers), so calendar clients take the new version.
func (t *Tx) Touch(ctx context.Context, id int64, now time.Time) error {
	return t.exec1(ctx, id, "UPDATE sessions SET sequence = sequence + 1, updated_at = ? WHERE id = ?", now.Unix(), id)
}

// SetDetails sets what an edit changes and raises the sequence.
func (t *Tx) SetDetails(ctx context.Context, id int64, d store.Details, now time.Time) error {
	return t.exec1(ctx, id, `UPDATE sessions SET title = ?, kind = ?, link = ?, description = ?, lang = ?,
		sequence = sequence + 1, updated_at = ? WHERE id = ?`, d.Title, d.Kind, d.Link, d.Description, d.Lang, now.Unix(), id)
}

// SetAnnouncement records where the session's announcement was posted:
// on every occurrence of its series, which share one announcement.
func (t *Tx) SetAnnouncement(ctx context.Context, id int64, channel, ts string) error {
	return t.exec1(ctx, id, `UPDATE sessions SET announce_channel = ?, announce_ts = ?
		WHERE id = ? OR series_id = (SELECT series_id FROM sessions WHERE id = ?)`, channel, ts, id, id)
}

func (t *Tx) exec1(ctx context.Context, id int64, query string, args ...any) error {
	res, err := t.exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: session %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: session %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// AddSpeakers adds speakers to a session, creating speaker records as
// needed, and returns those that were not already speaking.
func (t *Tx) AddSpeakers(ctx context.Context, sessionID int64, speakers []store.Speaker) ([]store.Speaker, error) {
	var added []store.Speaker
	for _, sp := range speakers {
		id, err := t.speakerID(ctx, sp)
		if err != nil {
			return nil, err
		}
		res, err := t.exec(ctx, `INSERT INTO session_speakers (session_id, speaker_id, position)
			VALUES (?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM session_speakers WHERE session_id = ?))
			ON CONFLICT DO NOTHING`, sessionID, id, sessionID)
		if err != nil {
			return nil, fmt.Errorf("store: session %d speaker: %w", sessionID, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			sp.ID = id
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
		var res sql.Result
		var err error
		if sp.UserID != "" {
			res, err = t.exec(ctx, `DELETE FROM session_speakers WHERE session_id = ?
				AND speaker_id IN (SELECT id FROM speakers WHERE user_id = ?)`, sessionID, sp.UserID)
		} else {
			res, err = t.exec(ctx, `DELETE FROM session_speakers WHERE session_id = ?
				AND speaker_id IN (SELECT id FROM speakers WHERE user_id IS NULL AND lower(email) = lower(?))`, sessionID, sp.Email)
		}
		if err != nil {
			return nil, fmt.Errorf("store: session %d speaker: %w", sessionID, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			removed = append(removed, sp)
		}
	}
	return removed, nil
}

func (t *Tx) speakerID(ctx context.Context, sp store.Speaker) (int64, error) {
	var id int64
	var err error
	if sp.UserID != "" {
		err = t.queryRow(ctx, `INSERT INTO speakers (user_id, name) VALUES (?, ?)
			ON CONFLICT (user_id) DO UPDATE SET name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE speakers.name END
			RETURNING id`, sp.UserID, sp.Name).Scan(&id)
	} else {
		err = t.queryRow(ctx, "SELECT id FROM speakers WHERE user_id IS NULL AND lower(email) = lower(?)", sp.Email).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			err = t.queryRow(ctx, "INSERT INTO speakers (name, email) VALUES (?, ?) RETURNING id", sp.Name, sp.Email).Scan(&id)
		} else if err == nil && sp.Name != "" {
			_, err = t.exec(ctx, "UPDATE speakers SET name = ? WHERE id = ? AND name <> ?", sp.Name, id, sp.Name)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("store: speaker %s: %w", sp.Key(), err)
	}
	return id, nil
}

// Join records an RSVP; it reports false when the user had already joined.
func (t *Tx) Join(ctx context.Context, sessionID int64, userID string, now time.Time) (bool, error) {
	res, err := t.exec(ctx, "INSERT INTO participants (session_id, user_id, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		sessionID, userID, now.Unix())
	if err != nil {
		return false, fmt.Errorf("store: session %d join: %w", sessionID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Leave removes an RSVP; it reports false when the user had not joined.
func (t *Tx) Leave(ctx context.Context, sessionID int64, userID string) (bool, error) {
	res, err := t.exec(ctx, "DELETE FROM participants WHERE session_id = ? AND user_id = ?", sessionID, userID)
	if err != nil {
		return false, fmt.Errorf("store: session %d leave: %w", sessionID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// CountSessions returns how many sessions are stored (for tests and load runs).
func (s *Store) CountSessions(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions").Scan(&n)
	return n, err
}

// feedVersionTTL bounds how long FeedVersion trusts its cached answer when
// this process has written nothing since: other processes (the `run`
// subcommand) share the file, and calendar clients poll hourly, so a
// second of delay is invisible while a conditional GET stays a memory read.
const feedVersionTTL = time.Second

type feedVersionCache struct {
	mu      sync.Mutex
	version int64
	changed time.Time
	writes  uint64    // s.writeSeq when read
	at      time.Time // when read
}

// FeedVersion returns a number that changes with every change a calendar
// feed can show, and when it last changed. Changes made through this Store
// show at once; changes by other processes within feedVersionTTL.
func (s *Store) FeedVersion(ctx context.Context) (int64, time.Time, error) {
	c := &s.fv
	c.mu.Lock()
	defer c.mu.Unlock()
	writes := s.writeSeq.Load()
	if !c.at.IsZero() && c.writes == writes && time.Since(c.at) < feedVersionTTL {
		return c.version, c.changed, nil
	}
	var v, at int64
	st, err := s.stmt(ctx, "SELECT version, changed_at FROM feed_state WHERE id = 1")
	if err == nil {
		err = st.QueryRowContext(ctx).Scan(&v, &at)
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: feed version: %w", err)
	}
	c.version, c.changed, c.writes, c.at = v, assemble.Time(at), writes, time.Now()
	return c.version, c.changed, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Delivery states.
const (
	StatePending = "pending"
	StateSending = "sending" // claimed; Slack may or may not have it
	StateSent    = "sent"
	StateSkipped = "skipped" // no longer useful (a reminder too late to arrive in time)
	StateDropped = "dropped" // withdrawn by a change (move, cancel, leave)
	StateFailed  = "failed"  // gave up after repeated errors
)

// Delivery is one message the bot owes: a row of the outbox.
type Delivery struct {
	ID          int64
	Kind        string
	SessionID   int64 // 0 when not about one session (digest)
	Recipient   string
	InThread    bool
	Payload     string
	Due         time.Time
	Deadline    time.Time // zero = none
	State       string
	Attempts    int
	NextAttempt time.Time
	LastError   string
	Channel     string
	TS          string
	Dedupe      string
}

const deliveryColumns = `id, kind, COALESCE(session_id, 0), recipient, in_thread, payload, due_at, deadline, state,
	attempts, next_attempt_at, last_error, channel, ts, COALESCE(dedupe, '')`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var due, deadline, next int64
	err := sc.Scan(&d.ID, &d.Kind, &d.SessionID, &d.Recipient, &d.InThread, &d.Payload, &due, &deadline, &d.State,
		&d.Attempts, &next, &d.LastError, &d.Channel, &d.TS, &d.Dedupe)
	d.Due = time.Unix(due, 0).UTC()
	if deadline != 0 {
		d.Deadline = time.Unix(deadline, 0).UTC()
	}
	d.NextAttempt = time.Unix(next, 0).UTC()
	return d, err
}

// Enqueue adds a delivery. A row with the same Dedupe key is left alone
// when it is live or done, and revived when it had been dropped (a session
// moved back to an earlier time).
func (t *Tx) Enqueue(ctx context.Context, d Delivery, now time.Time) error {
	var dedupe any
	if d.Dedupe != "" {
		dedupe = d.Dedupe
	}
	var deadline int64
	if !d.Deadline.IsZero() {
		deadline = d.Deadline.Unix()
	}
	var session any
	if d.SessionID != 0 {
		session = d.SessionID
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO outbox (kind, session_id, recipient, in_thread, payload, due_at, deadline,
		state, next_attempt_at, dedupe, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
		ON CONFLICT (dedupe) DO UPDATE SET state = 'pending', due_at = excluded.due_at, deadline = excluded.deadline,
			next_attempt_at = excluded.next_attempt_at, payload = excluded.payload, attempts = 0, last_error = '',
			updated_at = excluded.updated_at
		WHERE outbox.state = 'dropped'`,
		d.Kind, session, d.Recipient, d.InThread, d.Payload, d.Due.Unix(), deadline, d.Due.Unix(), dedupe, now.Unix(), now.Unix())
	if err != nil {
		return fmt.Errorf("store: enqueue %s: %w", d.Kind, err)
	}
	return nil
}

// DropPending withdraws a session's pending deliveries of the given kinds
// (all kinds when none are given) whose recipient matches recipient, or
// any recipient when it is empty. It returns how many were dropped.
func (t *Tx) DropPending(ctx context.Context, sessionID int64, recipient string, kinds ...string) (int64, error) {
	query := "UPDATE outbox SET state = 'dropped', updated_at = unixepoch() WHERE session_id = ? AND state = 'pending'"
	args := []any{sessionID}
	if recipient != "" {
		query += " AND recipient = ?"
		args = append(args, recipient)
	}
	if len(kinds) > 0 {
		query += " AND kind IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ") + ")"
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("store: session %d drop pending: %w", sessionID, err)
	}
	return res.RowsAffected()
}

// DueDeliveries lists up to limit pending deliveries whose next attempt is
// at or before now, oldest first. It only reads; ClaimDelivery takes one.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+deliveryColumns+` FROM outbox
		WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, now.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due deliveries: %w", err)
	}
	return collectDeliveries(rows)
}

func collectDeliveries(rows *sql.Rows) ([]Delivery, error) {
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store: deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: deliveries: %w", err)
	}
	return out, nil
}

// ClaimDelivery moves a pending delivery to sending and counts the
// attempt. It returns ErrNotFound when someone else changed it first, so
// two workers never send the same row.
func (s *Store) ClaimDelivery(ctx context.Context, id int64, now time.Time) (Delivery, error) {
	row := s.db.QueryRowContext(ctx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND state = 'pending' RETURNING `+deliveryColumns, now.Unix(), id)
	d, err := scanDelivery(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("store: delivery %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("store: delivery %d: %w", id, err)
	}
	return d, nil
}

// Delivery reads one outbox row.
func (s *Store) Delivery(ctx context.Context, id int64) (Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, "SELECT "+deliveryColumns+" FROM outbox WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("store: delivery %d: %w", id, ErrNotFound)
	}
	return d, err
}

// SendingDeliveries lists rows left in sending, which after a restart
// means the process died mid-delivery.
func (s *Store) SendingDeliveries(ctx context.Context) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+deliveryColumns+" FROM outbox WHERE state = 'sending' ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("store: sending deliveries: %w", err)
	}
	return collectDeliveries(rows)
}

// Deliveries lists a session's outbox rows (all sessions when id is 0), for
// tests, recovery and reports.
func (s *Store) Deliveries(ctx context.Context, sessionID int64) ([]Delivery, error) {
	query := "SELECT " + deliveryColumns + " FROM outbox"
	var args []any
	if sessionID != 0 {
		query += " WHERE session_id = ?"
		args = append(args, sessionID)
	}
	rows, err := s.db.QueryContext(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: deliveries: %w", err)
	}
	return collectDeliveries(rows)
}

// SetDeliveryChannel records where a claimed delivery is about to be
// posted (a DM channel opened just now), so recovery knows where to look.
func (s *Store) SetDeliveryChannel(ctx context.Context, id int64, channel string) error {
	_, err := s.db.ExecContext(ctx, "UPDATE outbox SET channel = ? WHERE id = ?", channel, id)
	return err
}

// MarkSent records a delivery as posted at channel/ts.
func (s *Store) MarkSent(ctx context.Context, id int64, channel, ts string, now time.Time) error {
	return s.setState(ctx, id, "UPDATE outbox SET state = 'sent', channel = ?, ts = ?, last_error = '', updated_at = ? WHERE id = ?",
		channel, ts, now.Unix(), id)
}

// MarkRetry puts a claimed delivery back to pending for another attempt at next.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, reason string, now time.Time) error {
	return s.setState(ctx, id, "UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?",
		next.Unix(), reason, now.Unix(), id)
}

// MarkDone ends a delivery in a final state (skipped, dropped, failed) with a reason.
func (s *Store) MarkDone(ctx context.Context, id int64, state, reason string, now time.Time) error {
	return s.setState(ctx, id, "UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ?",
		state, reason, now.Unix(), id)
}

func (s *Store) setState(ctx context.Context, id int64, query string, args ...any) error {
	if _, err := s.db.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("store: delivery %d: %w", id, err)
	}
	return nil
}

// MarkAnnounced records an announcement delivery as posted and, in the
// same transaction, where the session's announcement now lives, so a crash
// cannot leave one without the other.
func (s *Store) MarkAnnounced(ctx context.Context, d Delivery, channel, ts string, now time.Time) error {
	return s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, "UPDATE outbox SET state = 'sent', channel = ?, ts = ?, last_error = '', updated_at = ? WHERE id = ?",
			channel, ts, now.Unix(), d.ID); err != nil {
			return fmt.Errorf("store: delivery %d: %w", d.ID, err)
		}
		return tx.SetAnnouncement(ctx, d.SessionID, channel, ts)
	})
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

const deliveryColumns = `id, kind, COALESCE(session_id, 0), recipient, in_thread, payload, due_at, deadline, state,
	attempts, next_attempt_at, last_error, channel, ts, COALESCE(dedupe, ''), updated_at`

func scanDelivery(row pgx.Row) (store.Delivery, error) {
	var d store.Delivery
	var due, deadline, next, updated int64
	err := row.Scan(&d.ID, &d.Kind, &d.SessionID, &d.Recipient, &d.InThread, &d.Payload, &due, &deadline, &d.State,
		&d.Attempts, &next, &d.LastError, &d.Channel, &d.TS, &d.Dedupe, &updated)
	assemble.DeliveryTimes(&d, due, deadline, next, updated)
	return d, err
}

// Enqueue adds a delivery. A row with the same Dedupe key is left alone
// when it is live or done, and revived when it had been dropped. The row
// is sent with the transaction's next statement (see Tx.queued); an error
// shows there, or at commit.
func (t *Tx) Enqueue(ctx context.Context, d store.Delivery, now time.Time) error {
	t.queued = append(t.queued, queuedDelivery{d, now})
	t.enqueued = true
	return nil
}

type queuedDelivery struct {
	d   store.Delivery
	now time.Time
}

// flush sends the queued deliveries now.
func (t *Tx) flush(ctx context.Context) error {
	b := &pgx.Batch{}
	if !t.queueFlush(b) {
		return nil
	}
	if err := t.conn.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("store: enqueue: %w", err)
	}
	return nil
}

// queueFlush adds to b the statement inserting the queued deliveries, in
// the order they were enqueued (ids follow it), and reports whether there
// was any. A key queued twice is inserted once: the second Enqueue would
// have found the first's row live and left it.
func (t *Tx) queueFlush(b *pgx.Batch) bool {
	if len(t.queued) == 0 {
		return false
	}
	queued := t.queued
	t.queued = nil
	n := len(queued)
	var (
		kinds, recipients, payloads = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		sessions, dedupes           = make([]*int64, 0, n), make([]*string, 0, n)
		threads                     = make([]bool, 0, n)
		dues, deadlines, nows       = make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
		seen                        = map[string]bool{}
	)
	for _, q := range queued {
		d := q.d
		var session *int64
		var dedupe *string
		if d.SessionID != 0 {
			session = &d.SessionID
		}
		if d.Dedupe != "" {
			if seen[d.Dedupe] {
				continue
			}
			seen[d.Dedupe] = true
			dedupe = &d.Dedupe
		}
		var deadline int64
		if !d.Deadline.IsZero() {
			deadline = unix(d.Deadline)
		}
		kinds, recipients, payloads = append(kinds, d.Kind), append(recipients, d.Recipient), append(payloads, d.Payload)
		sessions, dedupes, threads = append(sessions, session), append(dedupes, dedupe), append(threads, d.InThread)
		dues, deadlines, nows = append(dues, unix(d.Due)), append(deadlines, deadline), append(nows, unix(q.now))
	}
	// A revived row keeps its channel and its attempts, which fence claims
	// and so must never repeat.
	b.Queue(`INSERT INTO outbox (kind, session_id, recipient, in_thread, payload, due_at, deadline,
		state, next_attempt_at, dedupe, created_at, updated_at)
		SELECT kind, session_id, recipient, in_thread, payload, due_at, deadline, 'pending', due_at, dedupe, at, at
		FROM unnest($1::text[], $2::bigint[], $3::text[], $4::boolean[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::bigint[])
			WITH ORDINALITY AS q (kind, session_id, recipient, in_thread, payload, due_at, deadline, dedupe, at, ord)
		ORDER BY ord
		ON CONFLICT (dedupe) DO UPDATE SET state = 'pending', due_at = excluded.due_at, deadline = excluded.deadline,
			next_attempt_at = excluded.next_attempt_at, payload = excluded.payload, last_error = '',
			updated_at = excluded.updated_at
		WHERE outbox.state = 'dropped'`,
		kinds, sessions, recipients, threads, payloads, dues, deadlines, dedupes, nows)
	return true
}

// DropPending withdraws a session's pending deliveries of the given kinds
// (all kinds when none are given) whose recipient matches recipient, or
// any recipient when it is empty. A row being sent is not touched.
func (t *Tx) DropPending(ctx context.Context, sessionID int64, recipient string, kinds ...string) (int64, error) {
	if kinds == nil {
		kinds = []string{}
	}
	n, err := t.affected(ctx, `UPDATE outbox SET state = 'dropped', updated_at = `+epochNow+`
		WHERE session_id = $1 AND state = 'pending' AND ($2 = '' OR recipient = $2)
		AND (cardinality($3::text[]) = 0 OR kind = ANY($3))`, sessionID, recipient, kinds)
	if err != nil {
		return 0, fmt.Errorf("store: session %d drop pending: %w", sessionID, err)
	}
	return n, nil
}

// ExpediteDelivery makes the pending delivery with the dedupe key due now
// if it was due later, and reports whether a row moved.
func (t *Tx) ExpediteDelivery(ctx context.Context, dedupe string, now time.Time) (bool, error) {
	n, err := t.affected(ctx, `UPDATE outbox SET due_at = $1, next_attempt_at = $1, updated_at = $1
		WHERE dedupe = $2 AND state = 'pending' AND next_attempt_at > $1`, unix(now), dedupe)
	if err != nil {
		return false, fmt.Errorf("store: expedite %s: %w", dedupe, err)
	}
	return n > 0, nil
}

// DueDeliveries lists up to limit pending deliveries whose next attempt is
// at or before now, oldest first. It only reads.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]store.Delivery, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+deliveryColumns+` FROM outbox
		WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2`, unix(now), limit)
	out, err := collect(rows, err, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("store: due deliveries: %w", err)
	}
	return out, nil
}

// ClaimDelivery moves a pending delivery to sending and counts the
// attempt, in one statement. A row another replica is claiming at this
// moment is skipped rather than waited for; either way the loser gets
// ErrNotFound, so two workers never send the same row.
func (s *Store) ClaimDelivery(ctx context.Context, id int64, now time.Time) (store.Delivery, error) {
	d, err := scanDelivery(s.pool.QueryRow(ctx, `WITH c AS (
			SELECT id AS claim_id FROM outbox WHERE id = $1 AND state = 'pending' FOR UPDATE SKIP LOCKED)
		UPDATE outbox o SET state = 'sending', attempts = o.attempts + 1, updated_at = $2
		FROM c WHERE o.id = c.claim_id
		RETURNING `+deliveryColumns, id, unix(now)))
	s.writeSeq.Add(1)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Delivery{}, fmt.Errorf("store: delivery %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Delivery{}, fmt.Errorf("store: delivery %d: %w", id, err)
	}
	return d, nil
}

// ClaimDue claims up to limit deliveries due at now, oldest first, in one
// statement: the rows are locked with FOR UPDATE SKIP LOCKED, so replicas
// claiming at the same moment take disjoint rows without waiting for each
// other, then moved to sending with their attempt counted.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, limit int) ([]store.Delivery, error) {
	rows, err := s.pool.Query(ctx, `WITH c AS (
			SELECT id AS claim_id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1
			ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
		UPDATE outbox o SET state = 'sending', attempts = o.attempts + 1, updated_at = $1
		FROM c WHERE o.id = c.claim_id
		RETURNING `+deliveryColumns, unix(now), limit)
	out, err := collect(rows, err, scanDelivery)
	s.writeSeq.Add(1)
	if err != nil {
		return nil, fmt.Errorf("store: claim due: %w", err)
	}
	// RETURNING follows no ORDER BY; callers send oldest first.
	sortDeliveries(out)
	return out, nil
}

// Delivery reads one outbox row.
func (s *Store) Delivery(ctx context.Context, id int64) (store.Delivery, error) {
	d, err := scanDelivery(s.pool.QueryRow(ctx, "SELECT "+deliveryColumns+" FROM outbox WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Delivery{}, fmt.Errorf("store: delivery %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Delivery{}, fmt.Errorf("store: delivery %d: %w", id, err)
	}
	return d, nil
}

// AnnouncementState is the state of a session's announcement delivery,
// or "" when none was planned.
func (s *Store) AnnouncementState(ctx context.Context, sessionID int64) (string, error) {
	var state string
	// A series' one announcement is planned on one of its occurrences.
	err := s.pool.QueryRow(ctx, `SELECT state FROM outbox WHERE kind = 'announce' AND session_id IN
		(SELECT $1::bigint UNION ALL SELECT id FROM sessions WHERE series_id = (SELECT series_id FROM sessions WHERE id = $1))
		ORDER BY id DESC LIMIT 1`, sessionID).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: session %d announcement: %w", sessionID, err)
	}
	return state, nil
}

// SendingDeliveries lists rows in sending claimed before claimedBefore.
func (s *Store) SendingDeliveries(ctx context.Context, claimedBefore time.Time) ([]store.Delivery, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+deliveryColumns+` FROM outbox
		WHERE state = 'sending' AND updated_at < $1 ORDER BY id`, unix(claimedBefore))
	out, err := collect(rows, err, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("store: sending deliveries: %w", err)
	}
	return out, nil
}

// Deliveries lists a session's outbox rows (all sessions when id is 0).
func (s *Store) Deliveries(ctx context.Context, sessionID int64) ([]store.Delivery, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+deliveryColumns+` FROM outbox
		WHERE $1::bigint = 0 OR session_id = $1 ORDER BY id`, sessionID)
	out, err := collect(rows, err, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("store: deliveries: %w", err)
	}
	return out, nil
}

// The changes below apply only while the caller still holds the claim d
// (same row, still sending, same attempt); otherwise they change nothing
// and return ErrNotFound. $1 and $2 are the row and the attempt.
const claimHeld = " WHERE id = $1 AND state = 'sending' AND attempts = $2"

// SetDeliveryChannel records where a claimed delivery is about to be posted.
func (s *Store) SetDeliveryChannel(ctx context.Context, d store.Delivery, channel string) error {
	return s.setState(ctx, d, "UPDATE outbox SET channel = $3"+claimHeld, channel)
}

// MarkPosted records a claimed delivery as posted at channel/ts.
func (s *Store) MarkPosted(ctx context.Context, d store.Delivery, channel, ts string, now time.Time) error {
	return s.setState(ctx, d, "UPDATE outbox SET state = 'sent', channel = $3, ts = $4, last_error = '', updated_at = $5"+claimHeld,
		channel, ts, unix(now))
}

// MarkRetry puts a claimed delivery back to pending for another attempt
// at next, forgetting its channel: Slack certainly did not take it.
func (s *Store) MarkRetry(ctx context.Context, d store.Delivery, next time.Time, reason string, now time.Time) error {
	return s.setState(ctx, d, "UPDATE outbox SET state = 'pending', channel = '', next_attempt_at = $3, last_error = $4, updated_at = $5"+claimHeld,
		unix(next), reason, unix(now))
}

// MarkUncertain puts a claimed delivery back to pending for another
// attempt at next, keeping its channel: Slack may have taken it.
func (s *Store) MarkUncertain(ctx context.Context, d store.Delivery, next time.Time, reason string, now time.Time) error {
	return s.setState(ctx, d, "UPDATE outbox SET state = 'pending', next_attempt_at = $3, last_error = $4, updated_at = $5"+claimHeld,
		unix(next), reason, unix(now))
}

// MarkDone ends a delivery in a final state (skipped, dropped, failed).
func (s *Store) MarkDone(ctx context.Context, d store.Delivery, state, reason string, now time.Time) error {
	return s.setState(ctx, d, "UPDATE outbox SET state = $3, last_error = $4, updated_at = $5"+claimHeld,
		state, reason, unix(now))
}

func (s *Store) setState(ctx context.Context, d store.Delivery, query string, args ...any) error {
	tag, err := s.exec(ctx, query, append([]any{d.ID, d.Attempts}, args...)...)
	return assemble.ClaimResult(d, tag.RowsAffected(), err)
}

// MarkAnnounced records an announcement delivery as posted and, in the
// same transaction, where the session's announcement now lives.
func (s *Store) MarkAnnounced(ctx context.Context, d store.Delivery, channel, ts string, now time.Time) error {
	return s.update(ctx, func(tx *Tx) error {
		n, err := tx.affected(ctx, "UPDATE outbox SET state = 'sent', channel = $3, ts = $4, last_error = '', updated_at = $5"+claimHeld,
			d.ID, d.Attempts, channel, ts, unix(now))
		if err := assemble.ClaimResult(d, n, err); err != nil {
			return err
		}
		return tx.SetAnnouncement(ctx, d.SessionID, channel, ts)
	})
}

const agendaPending = "SELECT " + deliveryColumns + " FROM outbox WHERE state = 'pending' AND next_attempt_at "

// agendaQuery is three index walks in one statement, and the running rate
// pauses dressed as rows in state assemble.PauseState: $1 is now, $2 the limit.
const agendaQuery = `(` + agendaPending + `<= $1 ORDER BY next_attempt_at, id LIMIT $2)
	UNION ALL (` + agendaPending + `> $1 ORDER BY next_attempt_at, id LIMIT 1)
	UNION ALL (SELECT ` + deliveryColumns + ` FROM outbox WHERE state = 'sending' ORDER BY updated_at, id LIMIT $2)
	UNION ALL (SELECT 0, '', 0, key, false, '', 0, 0, '` + assemble.PauseState + `', 0, until_at, '', '', '', '', 0
		FROM rate_pauses WHERE until_at > $1)`

// Agenda reads up to limit due rows, the next due time, up to limit
// claimed rows (any replica's) and the rate pauses every replica has
// recorded, in one round trip.
func (s *Store) Agenda(ctx context.Context, now time.Time, limit int) (store.Agenda, error) {
	rows, err := s.pool.Query(ctx, agendaQuery, unix(now), limit)
	all, err := collect(rows, err, scanDelivery)
	if err != nil {
		return store.Agenda{}, fmt.Errorf("store: agenda: %w", err)
	}
	return assemble.Agenda(all, now), nil
}

// MarkFailed ends a claimed delivery as failed for good and, in the same
// transaction, enqueues the notices owed about it.
func (s *Store) MarkFailed(ctx context.Context, d store.Delivery, reason string, now time.Time, notices ...store.Delivery) error {
	return s.update(ctx, func(tx *Tx) error {
		n, err := tx.affected(ctx, "UPDATE outbox SET state = 'failed', last_error = $3, updated_at = $4"+claimHeld,
			d.ID, d.Attempts, reason, unix(now))
		if err := assemble.ClaimResult(d, n, err); err != nil {
			return err
		}
		for _, n := range notices {
			if err := tx.Enqueue(ctx, n, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// RetryFailed puts failed deliveries back in the queue, due now: the one
// with id, or every failed one when id is 0. Channel and attempts stay.
// It returns the rows requeued, each with the error that had failed it.
func (s *Store) RetryFailed(ctx context.Context, id int64, now time.Time) ([]store.Delivery, error) {
	var out []store.Delivery
	err := s.update(ctx, func(tx *Tx) error {
		rows, err := tx.q().Query(ctx, `UPDATE outbox SET state = 'pending', next_attempt_at = $1, updated_at = $1
			WHERE state = 'failed' AND ($2::bigint = 0 OR id = $2) RETURNING `+deliveryColumns, unix(now), id)
		out, err = collect(rows, err, scanDelivery)
		if err != nil {
			return err
		}
		tx.enqueued = tx.enqueued || len(out) > 0
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: retry failed deliveries: %w", err)
	}
	sortDeliveries(out)
	for i := range out {
		out[i].State = store.StateFailed
	}
	return out, nil
}

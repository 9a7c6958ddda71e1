package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

const deliveryColumns = `id, kind, COALESCE(session_id, 0), recipient, in_thread, payload, due_at, deadline, state,
	attempts, next_attempt_at, last_error, channel, ts, COALESCE(dedupe, ''), updated_at`

func scanDelivery(sc scanner) (store.Delivery, error) {
	var d store.Delivery
	var due, deadline, next, updated int64
	err := sc.Scan(&d.ID, &d.Kind, &d.SessionID, &d.Recipient, &d.InThread, &d.Payload, &due, &deadline, &d.State,
		&d.Attempts, &next, &d.LastError, &d.Channel, &d.TS, &d.Dedupe, &updated)
	assemble.DeliveryTimes(&d, due, deadline, next, updated)
	return d, err
}

// Enqueue adds a delivery. A row with the same Dedupe key is left alone
// when it is live or done, and revived when it had been dropped (a session
// moved back to an earlier time).
//
// The row is written with the transaction's next statement, or when its
// function returns, together with the rows enqueued since, in one INSERT
// (see pendingRows): a new session owes ten rows, and one statement for
// all of them costs much less than ten. An error shows there.
func (t *Tx) Enqueue(ctx context.Context, d store.Delivery, now time.Time) error {
	p := t.tx.pending
	if p.rows == nil {
		p.rows = rowBuffers.Get().([]pendingRow)[:0]
	}
	p.rows = append(p.rows, pendingRow{d, now})
	t.enqueued = true
	return nil
}

// pendingRows are the rows enqueued in one Update and not yet written.
type pendingRows struct {
	rows []pendingRow
	// err is the first failure to write them; it fails the Update even
	// when it happened before a statement that cannot return it (a
	// QueryRow shows errors only at Scan).
	err error
}

type pendingRow struct {
	d   store.Delivery
	now time.Time
}

// rowBuffers recycles the buffers of pending rows: a row is a few hundred
// bytes, and every new session enqueues ten.
var rowBuffers = sync.Pool{New: func() any { return make([]pendingRow, 0, maxRowsPerInsert) }}

// maxRowsPerInsert bounds the rows of one INSERT, so that the statement
// cache holds at most this many shapes of it.
const maxRowsPerInsert = 16

// enqueueValues are the values of one row in the INSERT below.
const enqueueValues = "(?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)"

// enqueueQueries[n] inserts n rows. A revived row keeps its channel (if
// an attempt before the drop may have reached Slack, the dispatcher still
// looks before posting) and its attempts, which fence claims and so must
// never repeat.
var enqueueQueries = func() (q [maxRowsPerInsert + 1]string) {
	for n := 1; n <= maxRowsPerInsert; n++ {
		q[n] = `INSERT INTO outbox (kind, session_id, recipient, in_thread, payload, due_at, deadline,
		state, next_attempt_at, dedupe, created_at, updated_at)
		VALUES ` + enqueueValues + strings.Repeat(", "+enqueueValues, n-1) + `
		ON CONFLICT (dedupe) DO UPDATE SET state = 'pending', due_at = excluded.due_at, deadline = excluded.deadline,
			next_attempt_at = excluded.next_attempt_at, payload = excluded.payload, last_error = '',
			updated_at = excluded.updated_at
		WHERE outbox.state = 'dropped'`
	}
	return q
}()

// flush writes the pending rows with as few statements as it can.
func (p *pendingRows) flush(ctx context.Context, c txConn) error {
	if p.err != nil {
		return p.err
	}
	buf := p.rows
	if buf == nil {
		return nil
	}
	defer func() {
		if cap(buf) <= 4*maxRowsPerInsert {
			clear(buf[:cap(buf)]) // drop the strings the rows hold
			rowBuffers.Put(buf[:0])
		}
	}()
	for len(p.rows) > 0 {
		n := min(len(p.rows), maxRowsPerInsert)
		batch := p.rows[:n]
		args := make([]any, 0, 11*n)
		for _, r := range batch {
			d := r.d
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
			args = append(args, d.Kind, session, d.Recipient, d.InThread, d.Payload, d.Due.Unix(), deadline, d.Due.Unix(), dedupe, r.now.Unix(), r.now.Unix())
		}
		// The rows leave the buffer first: the statement below must not
		// flush them again.
		p.rows = p.rows[n:]
		if _, err := c.exec(ctx, enqueueQueries[n], args...); err != nil {
			p.rows = nil
			p.err = fmt.Errorf("store: enqueue %s: %w", batch[0].d.Kind, err)
			return p.err
		}
	}
	p.rows = nil
	return nil
}

// DropPending withdraws a session's pending deliveries of the given kinds
// (all kinds when none are given) whose recipient matches recipient, or
// any recipient when it is empty. It returns how many were dropped. A row
// being sent right now is not touched: its sender re-reads the session.
func (t *Tx) DropPending(ctx context.Context, sessionID int64, recipient string, kinds ...string) (int64, error) {
	query := "UPDATE outbox SET state = 'dropped', updated_at = unixepoch() WHERE session_id = ? AND state = 'pending'"
	args := []any{sessionID}
	if recipient != "" {
		query += " AND recipient = ?"
		args = append(args, recipient)
	}
	if len(kinds) > 0 {
		query += " AND kind IN (" + placeholders(len(kinds)) + ")"
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	res, err := t.exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("store: session %d drop pending: %w", sessionID, err)
	}
	return res.RowsAffected()
}

// DueDeliveries lists up to limit pending deliveries whose next attempt is
// at or before now, oldest first. It only reads; ClaimDelivery takes one.
// The partial index outbox_due serves both the filter and the order, so
// the cost depends on limit, not on how many rows wait.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]store.Delivery, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+deliveryColumns+` FROM outbox
		WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, now.Unix(), limit)
	out, err := collect(rows, err, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("store: due deliveries: %w", err)
	}
	return out, nil
}

// ClaimDelivery moves a pending delivery to sending and counts the
// attempt. It returns ErrNotFound when someone else changed it first, so
// two workers never send the same row. The returned Delivery is the claim:
// its Attempts fences every later change (see MarkPosted), so a worker that
// lost the row to recovery cannot overwrite what happened since.
func (s *Store) ClaimDelivery(ctx context.Context, id int64, now time.Time) (store.Delivery, error) {
	var d store.Delivery
	err := s.writeRow(ctx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND state = 'pending' RETURNING `+deliveryColumns, []any{now.Unix(), id},
		func(r *sql.Row) (err error) { d, err = scanDelivery(r); return err })
	if errors.Is(err, sql.ErrNoRows) {
		return store.Delivery{}, fmt.Errorf("store: delivery %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Delivery{}, fmt.Errorf("store: delivery %d: %w", id, err)
	}
	return d, nil
}

// Delivery reads one outbox row.
func (s *Store) Delivery(ctx context.Context, id int64) (store.Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, "SELECT "+deliveryColumns+" FROM outbox WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Delivery{}, fmt.Errorf("store: delivery %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Delivery{}, fmt.Errorf("store: delivery %d: %w", id, err)
	}
	return d, nil
}

// AnnouncementState is the state of a session's announcement delivery,
// or "" when none was planned (a session without a channel).
func (s *Store) AnnouncementState(ctx context.Context, sessionID int64) (string, error) {
	var state string
	// A series' one announcement is planned on one of its occurrences.
	err := s.db.QueryRowContext(ctx, `SELECT state FROM outbox WHERE kind = 'announce' AND session_id IN
		(SELECT ?1 UNION ALL SELECT id FROM sessions WHERE series_id = (SELECT series_id FROM sessions WHERE id = ?1))
		ORDER BY id DESC LIMIT 1`, sessionID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: session %d announcement: %w", sessionID, err)
	}
	return state, nil
}

// SendingDeliveries lists rows in sending claimed before claimedBefore.
// A row stays in sending only while a worker posts it, so an old one means
// that worker died between Slack and the local commit. The caller picks
// claimedBefore so that no live worker can still be posting the row.
func (s *Store) SendingDeliveries(ctx context.Context, claimedBefore time.Time) ([]store.Delivery, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+deliveryColumns+` FROM outbox
		WHERE state = 'sending' AND updated_at < ? ORDER BY id`, claimedBefore.Unix())
	out, err := collect(rows, err, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("store: sending deliveries: %w", err)
	}
	return out, nil
}

// Deliveries lists a session's outbox rows (all sessions when id is 0), for
// tests, recovery and reports.
func (s *Store) Deliveries(ctx context.Context, sessionID int64) ([]store.Delivery, error) {
	query := "SELECT " + deliveryColumns + " FROM outbox"
	var args []any
	if sessionID != 0 {
		query += " WHERE session_id = ?"
		args = append(args, sessionID)
	}
	rows, err := s.db.QueryContext(ctx, query+" ORDER BY id", args...)
	out, err := collect(rows, err, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("store: deliveries: %w", err)
	}
	return out, nil
}

// The changes below apply only while the caller still holds the claim d
// (same row, still sending, same attempt); otherwise they change nothing
// and return ErrNotFound. That fence is what makes recovery safe: a worker
// that lost its row cannot overwrite what happened to it since.
const claimHeld = " WHERE id = ? AND state = 'sending' AND attempts = ?"

// SetDeliveryChannel records where a claimed delivery is about to be
// posted, so recovery knows where to look. Called just before the post, it
// doubles as a last check that the claim is still held.
func (s *Store) SetDeliveryChannel(ctx context.Context, d store.Delivery, channel string) error {
	return s.setState(ctx, d, "UPDATE outbox SET channel = ?"+claimHeld, channel)
}

// MarkPosted records a claimed delivery as posted at channel/ts.
func (s *Store) MarkPosted(ctx context.Context, d store.Delivery, channel, ts string, now time.Time) error {
	return s.setState(ctx, d, "UPDATE outbox SET state = 'sent', channel = ?, ts = ?, last_error = '', updated_at = ?"+claimHeld,
		channel, ts, now.Unix())
}

// MarkRetry puts a claimed delivery back to pending for another attempt at
// next, when Slack certainly did not take it (a rate limit, an error
// answer, nothing posted yet): the next attempt posts without looking.
func (s *Store) MarkRetry(ctx context.Context, d store.Delivery, next time.Time, reason string, now time.Time) error {
	return s.setState(ctx, d, "UPDATE outbox SET state = 'pending', channel = '', next_attempt_at = ?, last_error = ?, updated_at = ?"+claimHeld,
		next.Unix(), reason, now.Unix())
}

// MarkUncertain puts a claimed delivery back to pending for another
// attempt at next when Slack may have taken it (a timeout, a 5xx, a broken
// connection). The recorded channel stays, so the next attempt first looks
// for the post there.
func (s *Store) MarkUncertain(ctx context.Context, d store.Delivery, next time.Time, reason string, now time.Time) error {
	return s.setState(ctx, d, "UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ?"+claimHeld,
		next.Unix(), reason, now.Unix())
}

// MarkDone ends a delivery in a final state (skipped, dropped, failed) with a reason.
func (s *Store) MarkDone(ctx context.Context, d store.Delivery, state, reason string, now time.Time) error {
	return s.setState(ctx, d, "UPDATE outbox SET state = ?, last_error = ?, updated_at = ?"+claimHeld,
		state, reason, now.Unix())
}

func (s *Store) setState(ctx context.Context, d store.Delivery, query string, args ...any) error {
	res, err := s.exec(ctx, query, append(args, d.ID, d.Attempts)...)
	return assemble.ClaimResult(d, rowsAffected(res, err), err)
}

// MarkAnnounced records an announcement delivery as posted and, in the
// same transaction, where the session's announcement now lives, so a crash
// cannot leave one without the other.
func (s *Store) MarkAnnounced(ctx context.Context, d store.Delivery, channel, ts string, now time.Time) error {
	return s.update(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "UPDATE outbox SET state = 'sent', channel = ?, ts = ?, last_error = '', updated_at = ?"+claimHeld,
			channel, ts, now.Unix(), d.ID, d.Attempts)
		if err := assemble.ClaimResult(d, rowsAffected(res, err), err); err != nil {
			return err
		}
		return tx.SetAnnouncement(ctx, d.SessionID, channel, ts)
	})
}

const agendaPending = "SELECT " + deliveryColumns + " FROM outbox WHERE state = 'pending' AND next_attempt_at "

// agendaQuery is three index walks in one statement, and the running rate
// pauses dressed as rows in state assemble.PauseState: ?1 is now, ?2 the limit.
const agendaQuery = `SELECT * FROM (` + agendaPending + `<= ?1 ORDER BY next_attempt_at, id LIMIT ?2)
	UNION ALL SELECT * FROM (` + agendaPending + `> ?1 ORDER BY next_attempt_at, id LIMIT 1)
	UNION ALL SELECT * FROM (SELECT ` + deliveryColumns + ` FROM outbox WHERE state = 'sending' ORDER BY updated_at, id LIMIT ?2)
	UNION ALL SELECT 0, '', 0, key, 0, '', 0, 0, '` + assemble.PauseState + `', 0, until_at, '', '', '', '', 0 FROM rate_pauses WHERE until_at > ?1`

// Agenda reads up to limit due rows, the next due time, up to limit
// claimed rows and the running rate pauses. Each part is served by its
// partial index (outbox_due, outbox_sending), so the cost depends on the
// rows returned; the pauses are a handful at most (SetRatePause drops
// ended ones).
func (s *Store) Agenda(ctx context.Context, now time.Time, limit int) (store.Agenda, error) {
	st, err := s.stmt(ctx, agendaQuery)
	if err != nil {
		return store.Agenda{}, fmt.Errorf("store: agenda: %w", err)
	}
	rows, err := st.QueryContext(ctx, now.Unix(), limit)
	all, err := collect(rows, err, scanDelivery)
	if err != nil {
		return store.Agenda{}, fmt.Errorf("store: agenda: %w", err)
	}
	return assemble.Agenda(all, now), nil
}

// MarkFailed ends a claimed delivery as failed for good and, in the same
// transaction, enqueues the notices owed about it (a DM to the session's
// creator), so a crash can neither lose the notice nor send it twice.
func (s *Store) MarkFailed(ctx context.Context, d store.Delivery, reason string, now time.Time, notices ...store.Delivery) error {
	return s.update(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ?"+claimHeld,
			reason, now.Unix(), d.ID, d.Attempts)
		if err := assemble.ClaimResult(d, rowsAffected(res, err), err); err != nil {
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
// with id, or every failed one when id is 0. The recorded channel stays,
// so a message Slack may have taken after all is looked up before it is
// posted again; attempts stay, as they fence claims. It returns the rows
// requeued, each with the error that had failed it.
func (s *Store) RetryFailed(ctx context.Context, id int64, now time.Time) ([]store.Delivery, error) {
	var out []store.Delivery
	err := s.update(ctx, func(tx *Tx) error {
		query := "UPDATE outbox SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE state = 'failed'"
		args := []any{now.Unix(), now.Unix()}
		if id != 0 {
			query += " AND id = ?"
			args = append(args, id)
		}
		rows, err := tx.tx.QueryContext(ctx, query+" RETURNING "+deliveryColumns, args...)
		out, err = collect(rows, err, scanDelivery)
		if err != nil {
			return err
		}
		if len(out) > 0 {
			tx.enqueued = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: retry failed deliveries: %w", err)
	}
	for i := range out {
		out[i].State = store.StateFailed
	}
	return out, nil
}

// rowsAffected is how many rows a statement changed, 0 when it failed.
func rowsAffected(res sql.Result, err error) int64 {
	if err != nil {
		return 0
	}
	n, _ := res.RowsAffected()
	return n
}

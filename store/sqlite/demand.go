package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
	"github.com/exchangebot/exchangebot/store/internal/filter"
)

// requestSelect reads a request with the start and status of the session
// that serves it: its own, or that of the request it was merged into.
const requestSelect = `SELECT r.id, r.topic, r.asker, r.channel, r.status, r.reason, COALESCE(r.merged_into, 0),
	COALESCE(r.session_id, 0), r.decided_by, r.created_at, r.updated_at, COALESCE(s.starts_at, 0), COALESCE(s.status, '')
	FROM requests r
	LEFT JOIN requests m ON m.id = r.merged_into
	LEFT JOIN sessions s ON s.id = COALESCE(r.session_id, m.session_id)`

func scanRequest(sc scanner) (store.Request, error) {
	var r store.Request
	var created, updated, start int64
	err := sc.Scan(&r.ID, &r.Topic, &r.Asker, &r.Channel, &r.Status, &r.Reason, &r.MergedInto,
		&r.SessionID, &r.DecidedBy, &created, &updated, &start, &r.SessionStatus)
	if err != nil {
		return store.Request{}, err
	}
	assemble.RequestTimes(&r, created, updated, start)
	return r, nil
}

// Request returns one request.
func (s *Store) Request(ctx context.Context, id int64) (store.Request, error) {
	return request(ctx, s.db, id)
}

// Request reads a request inside the transaction.
func (t *Tx) Request(ctx context.Context, id int64) (store.Request, error) {
	return request(ctx, t.tx, id)
}

func request(ctx context.Context, q querier, id int64) (store.Request, error) {
	rs, err := requests(ctx, q, " WHERE r.id = ?", []any{id})
	if err != nil {
		return store.Request{}, err
	}
	if len(rs) == 0 {
		return store.Request{}, fmt.Errorf("store: request %d: %w", id, store.ErrNotFound)
	}
	return rs[0], nil
}

// Requests lists requests, oldest first.
func (s *Store) Requests(ctx context.Context, f store.RequestFilter) ([]store.Request, error) {
	return filterRequests(ctx, s.db, f)
}

// Requests lists requests inside the transaction.
func (t *Tx) Requests(ctx context.Context, f store.RequestFilter) ([]store.Request, error) {
	return filterRequests(ctx, t.tx, f)
}

func filterRequests(ctx context.Context, q querier, f store.RequestFilter) ([]store.Request, error) {
	args := filter.NewArgs("?")
	return requests(ctx, q, filter.Requests(f, args), args.List())
}

// requests reads the requests that clause (WHERE, ORDER BY, LIMIT, each
// with its leading space) selects, with their partners.
func requests(ctx context.Context, q querier, clause string, args []any) ([]store.Request, error) {
	rows, err := q.QueryContext(ctx, requestSelect+clause, args...)
	out, err := collect(rows, err, scanRequest)
	if err != nil {
		return nil, fmt.Errorf("store: requests: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	rows, err = q.QueryContext(ctx, `SELECT request_id, name FROM request_partners
		WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY request_id, position`, jsonInts(assemble.RequestIDs(out)))
	partners, err := collect(rows, err, scanKeyed[string])
	if err != nil {
		return nil, fmt.Errorf("store: request partners: %w", err)
	}
	assemble.RequestPartners(out, partners)
	return out, nil
}

// CreateRequest stores a new request with its partners and sets r.ID.
func (t *Tx) CreateRequest(ctx context.Context, r *store.Request) error {
	if r.Status == "" {
		r.Status = store.RequestOpen
	}
	res, err := t.exec(ctx, `INSERT INTO requests (topic, asker, channel, status, reason, decided_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.Topic, r.Asker, r.Channel, r.Status, r.Reason, r.DecidedBy, r.Created.Unix(), r.Updated.Unix())
	if err != nil {
		return fmt.Errorf("store: create request: %w", err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create request: %w", err)
	}
	for i, p := range r.Partners {
		if _, err := t.exec(ctx, "INSERT INTO request_partners (request_id, position, name) VALUES (?, ?, ?)", r.ID, i, p); err != nil {
			return fmt.Errorf("store: request %d partner: %w", r.ID, err)
		}
	}
	return nil
}

// DecideRequest sets a request's status and what goes with it.
func (t *Tx) DecideRequest(ctx context.Context, id int64, c store.RequestChange, now time.Time) error {
	res, err := t.exec(ctx, `UPDATE requests SET status = ?, reason = ?, merged_into = ?, session_id = ?, decided_by = ?, updated_at = ?
		WHERE id = ?`, c.Status, c.Reason, nullID(c.MergedInto), nullID(c.SessionID), c.DecidedBy, now.Unix(), id)
	if err != nil {
		return fmt.Errorf("store: request %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: request %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// nullID stores 0 as NULL, so references stay valid.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

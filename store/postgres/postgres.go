// Package postgres is the store.Store backend on PostgreSQL, for running
// several replicas of the bot against one database (pgx v5, a connection
// pool). Its schema is its own, versioned in the schema_version table and
// upgraded in one transaction; the lessons search is PostgreSQL full-text
// search over accent-folded text; outbox rows are claimed with
// FOR UPDATE SKIP LOCKED, so replicas never wait on, or send, each other's
// rows.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

var (
	_ store.Store = (*Store)(nil)
	_ store.Tx    = (*Tx)(nil)
)

// Store is a PostgreSQL database. It is safe for concurrent use, and any
// number of Stores (one per replica) may share the database.
type Store struct {
	pool *pgxpool.Pool
	// writeSeq counts this process's commits, so the feed version cache
	// knows when its answer is certainly stale.
	writeSeq atomic.Uint64
	fv       feedVersionCache
	// now is the clock of the feed version cache; tests move it.
	now func() time.Time
	// notify: see notify.go.
	notify notifier
	// instance tells this Store's notifications from other replicas'.
	instance string
}

// Open connects to the database at url (postgres://…) and brings its
// schema up to date. Replicas starting together take turns at that.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The error may quote the URL, password included.
		return nil, errors.New("store: postgres: the database URL cannot be parsed")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	s := &Store{pool: pool, now: time.Now, instance: newInstanceID()}
	s.notify.config = cfg.ConnConfig.Copy()
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	return s, nil
}

// Close stops listening for other replicas and closes the pool. No call
// may be running or start after it.
func (s *Store) Close() error {
	s.notify.stop()
	s.pool.Close()
	return nil
}

// Ping checks the database answers a query, for /healthz.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.pool.QueryRow(ctx, "SELECT 1 FROM feed_state WHERE id = 0").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// CheckWrite commits a one-row write, for /healthz; it gives up when ctx ends.
func (s *Store) CheckWrite(ctx context.Context) error {
	err := s.update(ctx, func(t *Tx) error {
		_, err := t.exec(ctx, "INSERT INTO health (id, checked_at) VALUES (1, "+epochNow+
			") ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at")
		return err
	})
	if err != nil {
		return fmt.Errorf("store: write check: %w", err)
	}
	return nil
}

// querier is what reads need, so the same code serves the pool and a Tx.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// exec runs a write outside a transaction.
func (s *Store) exec(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	defer s.writeSeq.Add(1)
	return s.pool.Exec(ctx, query, args...)
}

// collect scans every row of a query with scan; err is the query's own.
func collect[T any](rows pgx.Rows, err error, scan func(pgx.Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func unix(t time.Time) int64 { return t.Unix() }

// epochNow is the database's clock in unix seconds, for the few stamps the
// SQLite backend also takes from its own clock.
const epochNow = "extract(epoch FROM now())::bigint"

// MarkProcessed records key as acted on; it returns ErrDuplicate when the
// key was already there, whichever replica recorded it.
func (s *Store) MarkProcessed(ctx context.Context, key string, now time.Time) error {
	tag, err := s.exec(ctx, "INSERT INTO processed (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key, unix(now))
	if err != nil {
		return fmt.Errorf("store: mark processed: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: %s: %w", key, store.ErrDuplicate)
	}
	return nil
}

// PruneProcessed drops keys older than before, but not kept ones; Slack
// never redelivers that late.
func (s *Store) PruneProcessed(ctx context.Context, before time.Time) error {
	_, err := s.exec(ctx, "DELETE FROM processed WHERE at < $1 AND substr(key, 1, $2) <> $3",
		unix(before), len(store.KeptKeyPrefix), store.KeptKeyPrefix)
	if err != nil {
		return fmt.Errorf("store: prune processed: %w", err)
	}
	return nil
}

// feedVersionTTL bounds how long FeedVersion trusts its cached answer when
// this process has written nothing since. Other replicas change the data
// too; half a second keeps "a change through one replica shows in
// another's feed within a second" with room for the request itself.
const feedVersionTTL = 500 * time.Millisecond

type feedVersionCache struct {
	mu      sync.Mutex
	version int64
	changed time.Time
	writes  uint64    // s.writeSeq when read
	at      time.Time // when read
}

// FeedVersion returns a number that changes with every change a calendar
// feed can show, and when it last changed. Changes made through this Store
// show at once; changes by other replicas within feedVersionTTL.
func (s *Store) FeedVersion(ctx context.Context) (int64, time.Time, error) {
	c := &s.fv
	c.mu.Lock()
	defer c.mu.Unlock()
	writes := s.writeSeq.Load()
	if !c.at.IsZero() && c.writes == writes && s.now().Sub(c.at) < feedVersionTTL {
		return c.version, c.changed, nil
	}
	var v, at int64
	if err := s.pool.QueryRow(ctx, "SELECT sum(version)::bigint, max(changed_at) FROM feed_state").Scan(&v, &at); err != nil {
		return 0, time.Time{}, fmt.Errorf("store: feed version: %w", err)
	}
	c.version, c.changed, c.writes, c.at = v, assemble.Time(at), writes, s.now()
	return c.version, c.changed, nil
}

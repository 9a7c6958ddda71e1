// Package sqlite is the store.Store backend on one SQLite file
// (modernc.org/sqlite, no cgo): schema migrations embedded and versioned
// with PRAGMA user_version, writes committed in groups by one writer
// goroutine, prepared statements cached, lessons searched with FTS5.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var (
	_ store.Store = (*Store)(nil)
	_ store.Tx    = (*Tx)(nil)
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is the SQLite database. It is safe for concurrent use.
//
// Besides store.Store it offers what only a file can: Backup, and DB for
// tests and benchmarks that need raw SQL.
type Store struct {
	db *sql.DB
	// writes feeds the writer goroutine, which commits Updates in batches.
	// Being this process's one writer, it makes writes wait in Go rather
	// than in SQLite's busy handler (which sleeps in steps of up to
	// 100 ms), keeping latency tails short.
	writes     chan *writeReq
	closing    chan struct{} // closed by Close: the writer stops, Updates fail
	writerDone chan struct{}
	// checkpointerDone is closed when the checkpointer has stopped.
	checkpointerDone chan struct{}
	closeOnce        sync.Once
	// checks holds a slot per CheckWrite waiting for the writer.
	checks chan struct{}
	// writeSeq counts commits by this process, so cached reads know when
	// they may be stale.
	writeSeq atomic.Uint64
	fv       feedVersionCache
	// stmts caches prepared statements by query text. Parsing SQL was most
	// of the cost of a write; database/sql keeps each one prepared per
	// connection, transactions included.
	stmts sync.Map // string -> *sql.Stmt
	// onEnqueue are told after every commit that added or revived outbox
	// rows, so the delivery engine never waits for its tick to see them.
	onEnqueue atomic.Pointer[[]func()]
}

// OnEnqueue registers fn to be called, after the commit, whenever an
// Update has added outbox rows or put rows back in the queue. fn must
// return at once (the delivery engine's Kick does). Callers of Update need
// not remember to wake anything.
func (s *Store) OnEnqueue(fn func()) {
	for {
		old := s.onEnqueue.Load()
		var fns []func()
		if old != nil {
			fns = append(fns, *old...)
		}
		fns = append(fns, fn)
		if s.onEnqueue.CompareAndSwap(old, &fns) {
			return
		}
	}
}

func (s *Store) enqueued() {
	if fns := s.onEnqueue.Load(); fns != nil {
		for _, fn := range *fns {
			fn()
		}
	}
}

// pragmas follow soju's modernc setup: WAL so readers never wait for the
// writer, a busy timeout instead of SQLITE_BUSY errors, and immediate
// transactions so two writers queue instead of deadlocking on upgrade.
// temp_store(MEMORY) keeps statement and savepoint journals off the disk:
// they were a third of a write's system calls. wal_autocheckpoint(0):
// the log is checkpointed beside the writer, not in a commit (see
// checkpointer).
const pragmas = "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(0)&_txlock=immediate"

// maxIdleConns is how many connections stay open between reads: the
// delivery engine's workers and a burst of requests read at once.
const maxIdleConns = 32

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, file string) (*Store, error) {
	dsn := "file:" + (&url.URL{Path: file}).EscapedPath() + "?" + pragmas
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", file, err)
	}
	// database/sql keeps two idle connections by default: with the
	// delivery engine's workers and the requests reading at once, most
	// reads opened a new connection (applying the pragmas, reading the
	// schema, starting with an empty page cache) and closed it after.
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, writes: make(chan *writeReq), closing: make(chan struct{}), writerDone: make(chan struct{}),
		checkpointerDone: make(chan struct{}), checks: make(chan struct{}, maxWriteChecks)}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", file, err)
	}
	go s.writer()
	go s.checkpointer(checkpointEvery)
	return s, nil
}

// Close closes the database. An Update queued before it is committed
// first; one that starts after it fails with ErrClosed.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.writerDone
		<-s.checkpointerDone
	})
	s.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// stmt returns the cached prepared statement for query.
func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := s.stmts.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

// exec runs one write statement through the statement cache, as one
// Update of its own in the writer's group commit: the delivery engine's
// claims and marks share commits with the commands being stored instead
// of each taking the write lock and committing alone (under a load of
// new sessions, most commits were the engine's). It never records a
// request key.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.queue(ctx, &writeReq{ctx: ctx, single: true, fn: func(t *Tx) error {
		var err error
		res, err = t.exec(ctx, query, args...)
		return err
	}})
	return res, err
}

// DB exposes the reading handle for tests and benchmarks that need raw SQL.
func (s *Store) DB() *sql.DB { return s.db }

func migrations() ([]string, error) { return assemble.Migrations(migrationFS) }

// SchemaVersion is the number of migrations this program knows.
func SchemaVersion() int {
	steps, _ := migrations()
	return len(steps)
}

func (s *Store) migrate(ctx context.Context) error {
	steps, err := migrations()
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(steps) {
		return fmt.Errorf("%w: schema version %d, this program knows %d", store.ErrTooNew, version, len(steps))
	}
	if version == len(steps) {
		return nil
	}
	for i := version; i < len(steps); i++ {
		if _, err := tx.ExecContext(ctx, steps[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	// PRAGMA takes no parameters; the value is an int we computed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(steps))); err != nil {
		return err
	}
	return tx.Commit()
}

// Backup writes a consistent copy of the live database to file with
// VACUUM INTO, which reads one snapshot while writers carry on.
func (s *Store) Backup(ctx context.Context, file string) error {
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", file); err != nil {
		return fmt.Errorf("store: backup to %s: %w", file, err)
	}
	return nil
}

// Tx is one write transaction; see Store.Update.
type Tx struct {
	tx txConn
	s  *Store
	// enqueued records that this transaction owes new messages.
	enqueued bool
}

// exec runs a statement in the transaction through the statement cache.
func (t *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	ctx, in := t.tx.stmt(ctx, st)
	return in.ExecContext(ctx, args...)
}

// queryRow runs a one-row query in the transaction through the cache.
func (t *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.s.stmt(ctx, query)
	if err != nil {
		// Let the caller see the error at Scan, as QueryRowContext would.
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	ctx, in := t.tx.stmt(ctx, st)
	return in.QueryRowContext(ctx, args...)
}

// scanner is one row to scan: *sql.Row or *sql.Rows.
type scanner = interface{ Scan(...any) error }

// collect scans every row of a query with scan. err is the query's own
// error, so a call reads: rows, err := q.QueryContext(…); collect(rows, err, scanX).
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
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

// writeRow runs a write that returns a row (UPDATE … RETURNING) like
// exec, in the writer's group commit, and scans the row there.
func (s *Store) writeRow(ctx context.Context, query string, args []any, scan func(*sql.Row) error) error {
	return s.queue(ctx, &writeReq{ctx: ctx, single: true, fn: func(t *Tx) error { return scan(t.queryRow(ctx, query, args...)) }})
}

// cachedReads reads outside a transaction through the statement cache,
// for reads of fixed SQL made for every delivery (a session and its
// people): preparing their four statements each time was a fifth of the
// server's CPU under load. A read is short, so it is not interrupted when
// ctx ends (that costs the driver a goroutine per statement).
type cachedReads struct{ s *Store }

func (c cachedReads) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = context.WithoutCancel(ctx)
	st, err := c.s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c cachedReads) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = context.WithoutCancel(ctx)
	st, err := c.s.stmt(ctx, query)
	if err != nil {
		return c.s.db.QueryRowContext(ctx, query, args...) // the error shows at Scan
	}
	return st.QueryRowContext(ctx, args...)
}

func (c cachedReads) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return nil, fmt.Errorf("store: a read ran a write: %s", query)
}

// querier is what reads need, so the same read code serves a Store and a Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// MarkProcessed records key as acted on; it returns ErrDuplicate when the
// key was already there, which is how redelivered requests are recognised.
func (s *Store) MarkProcessed(ctx context.Context, key string, now time.Time) error {
	res, err := s.exec(ctx, "INSERT INTO processed (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, now.Unix())
	if err != nil {
		return fmt.Errorf("store: mark processed: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: %s: %w", key, store.ErrDuplicate)
	}
	return nil
}

// PruneProcessed drops keys older than before, but not kept ones; Slack
// never redelivers that late.
func (s *Store) PruneProcessed(ctx context.Context, before time.Time) error {
	_, err := s.exec(ctx, "DELETE FROM processed WHERE at < ? AND substr(key, 1, ?) <> ?",
		before.Unix(), len(store.KeptKeyPrefix), store.KeptKeyPrefix)
	return err
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Ping checks the database answers a query, for /healthz.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1 FROM feed_state WHERE id = 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

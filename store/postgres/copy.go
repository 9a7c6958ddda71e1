package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// column kinds, for reading a SQLite value into what PostgreSQL takes and
// for writing both sides' values in one canonical form.
const (
	kInt   = iota // integer, bigint
	kText         // text
	kBool         // SQLite 0/1, PostgreSQL boolean
	kBytes        // blob, bytea
)

type column struct {
	name string
	kind int
}

// table is one table both backends hold, with every column the copy
// moves. The order of tables respects foreign keys.
type table struct {
	name    string
	columns []column
	// identity is the column whose sequence must continue after the copy.
	identity string
}

func cols(spec string) []column {
	var out []column
	for _, f := range strings.Fields(spec) {
		name, kind, _ := strings.Cut(f, ":")
		k := map[string]int{"i": kInt, "t": kText, "b": kBool, "x": kBytes}[kind]
		out = append(out, column{name, k})
	}
	return out
}

// copyTables lists what `exchangebot migrate` copies. TestCopyTablesMatchSchemas
// fails when either schema gains a table or column this list lacks.
var copyTables = []table{
	{"series", cols("id:i every:t creator:t created_at:i"), "id"},
	{"sessions", cols("id:i title:t kind:t starts_at:i duration_s:i tz:t description:t link:t channel:t lang:t creator:t " +
		"status:t cancel_reason:t sequence:i created_at:i updated_at:i announce_channel:t announce_ts:t series_id:i"), "id"},
	{"session_partners", cols("session_id:i position:i name:t"), ""},
	{"speakers", cols("id:i user_id:t name:t email:t"), "id"},
	{"session_speakers", cols("session_id:i speaker_id:i position:i"), ""},
	{"participants", cols("session_id:i user_id:t joined_at:i"), ""},
	{"processed", cols("key:t at:i"), ""},
	{"feed_tokens", cols("user_id:t token_hash:x created_at:i"), ""},
	{"feed_state", cols("id:i version:i changed_at:i"), ""},
	{"outbox", cols("id:i kind:t session_id:i recipient:t in_thread:b payload:t due_at:i deadline:i state:t attempts:i " +
		"next_attempt_at:i last_error:t channel:t ts:t dedupe:t created_at:i updated_at:i"), "id"},
	{"prompts", cols("session_id:i user_id:t dm_channel:t state:t next_question:i prompted_at:i updated_at:i"), ""},
	{"lessons", cols("id:i session_id:i user_id:t question_idx:i question:t answer:t created_at:i updated_at:i"), "id"},
	// The keys session feed links are signed with: copied, the links
	// people hold keep working.
	{"server_keys", cols("name:t key:x created_at:i"), ""},
	{"health", cols("id:i checked_at:i"), ""},
	{"answer_tokens", cols("token_hash:x session_id:i email:t created_at:i"), ""},
	// Demand and evaluation (migration 005).
	{"requests", cols("id:i topic:t asker:t channel:t status:t reason:t merged_into:i session_id:i decided_by:t created_at:i updated_at:i"), "id"},
	{"request_partners", cols("request_id:i position:i name:t"), ""},
	{"evaluations", cols("session_id:i user_id:t dm_channel:t awaiting:t awaiting_at:i asked_at:i rating:i rated_at:i plan:t plan_at:i " +
		"followed_up_at:i applied:t applied_at:i changed:t changed_at:i"), ""},
	{"evaluation_optouts", cols("user_id:t at:i"), ""},
	// Pauses still running when the copy is made hold on the new database.
	{"rate_pauses", cols("key:t until_at:i"), ""},
}

func (t table) names() []string {
	out := make([]string, len(t.columns))
	for i, c := range t.columns {
		out[i] = c.name
	}
	return out
}

// TableCheck is one table's row count and checksum on both sides.
type TableCheck struct {
	Table          string
	SourceRows     int
	TargetRows     int
	SourceChecksum string
	TargetChecksum string
}

// OK reports whether the copy of the table matches its source.
func (c TableCheck) OK() bool {
	return c.SourceRows == c.TargetRows && c.SourceChecksum == c.TargetChecksum
}

// ErrNotEmpty is returned by CopyFromSQLite when the target holds data.
var ErrNotEmpty = errors.New("the target database is not empty")

// ErrMismatch is returned by CopyFromSQLite when a copied table differs
// from its source; nothing is committed then.
var ErrMismatch = errors.New("the copy differs from the source")

// CopyFromSQLite copies every row of a SQLite database of this program's
// schema version (src, opened by store/sqlite) into this empty database,
// then reads both back and compares each table's row count and SHA-256
// checksum over its rows. It commits only when every table matches, and
// returns the comparison either way.
func (s *Store) CopyFromSQLite(ctx context.Context, src *sql.DB) ([]TableCheck, error) {
	// One read transaction: the copy and the checksums see one snapshot.
	stx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: copy: source: %w", err)
	}
	defer stx.Rollback()
	if err := checkSourceSchema(ctx, stx); err != nil {
		return nil, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	defer tx.Rollback(context.Background())
	for _, t := range copyTables {
		var rows int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+t.name+" WHERE "+notMigrationRow(t)).Scan(&rows); err != nil {
			return nil, fmt.Errorf("store: copy: %s: %w", t.name, err)
		}
		if rows > 0 {
			return nil, fmt.Errorf("store: copy: %w: %s has %d rows", ErrNotEmpty, t.name, rows)
		}
	}
	for _, t := range copyTables {
		if err := copyTable(ctx, stx, tx, t); err != nil {
			return nil, fmt.Errorf("store: copy: %s: %w", t.name, err)
		}
	}
	var checks []TableCheck
	failed := false
	for _, t := range copyTables {
		c := TableCheck{Table: t.name}
		c.SourceRows, c.SourceChecksum, err = sourceChecksum(ctx, stx, t)
		if err != nil {
			return nil, fmt.Errorf("store: copy: checksum source %s: %w", t.name, err)
		}
		c.TargetRows, c.TargetChecksum, err = targetChecksum(ctx, tx, t)
		if err != nil {
			return nil, fmt.Errorf("store: copy: checksum copy of %s: %w", t.name, err)
		}
		failed = failed || !c.OK()
		checks = append(checks, c)
	}
	if failed {
		return checks, fmt.Errorf("store: copy: %w", ErrMismatch)
	}
	if err := tx.Commit(ctx); err != nil {
		return checks, fmt.Errorf("store: copy: commit: %w", err)
	}
	s.writeSeq.Add(1)
	return checks, nil
}

// notMigrationRow excludes the feed_state row the migrations create, which
// the copy overwrites.
func notMigrationRow(t table) string {
	if t.name == "feed_state" {
		return "false"
	}
	return "true"
}

func copyTable(ctx context.Context, src *sql.Tx, dst pgx.Tx, t table) error {
	rows, err := src.QueryContext(ctx, "SELECT "+strings.Join(t.names(), ", ")+" FROM "+t.name)
	if err != nil {
		return err
	}
	defer rows.Close()
	var data [][]any
	for rows.Next() {
		vals, err := scanValues(rows, t)
		if err != nil {
			return err
		}
		data = append(data, vals)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if t.name == "feed_state" {
		// Fire the feed triggers the inserts queued now, so they do not
		// move the version after it is set to the source's.
		if _, err := dst.Exec(ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
			return err
		}
		// The source's one counter becomes the first of the sixteen.
		for _, r := range data {
			if _, err := dst.Exec(ctx, `UPDATE feed_state SET version = CASE WHEN id = 0 THEN $1::bigint ELSE 0 END,
				changed_at = CASE WHEN id = 0 THEN $2::bigint ELSE 0 END`, r[1], r[2]); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := dst.CopyFrom(ctx, pgx.Identifier{t.name}, t.names(), pgx.CopyFromRows(data)); err != nil {
		return err
	}
	if t.identity != "" {
		// The copied ids were explicit; the next generated one follows them.
		_, err := dst.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), GREATEST(max(%s), 1), max(%s) IS NOT NULL) FROM %s`,
			t.name, t.identity, t.identity, t.identity, t.name))
		return err
	}
	return nil
}

// scanValues reads one SQLite row into the Go values PostgreSQL takes.
func scanValues(rows *sql.Rows, t table) ([]any, error) {
	raw := make([]any, len(t.columns))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, c := range t.columns {
		switch v := raw[i].(type) {
		case nil:
		case int64:
			if c.kind == kBool {
				raw[i] = v != 0
			}
		case []byte:
			if c.kind == kText {
				raw[i] = string(v)
			}
		case string:
			if c.kind == kBytes {
				raw[i] = []byte(v)
			}
		}
	}
	return raw, nil
}

// canonical writes a value the same way whichever side it came from.
func canonical(v any, kind int) string {
	switch v := v.(type) {
	case nil:
		return "\x00NULL"
	case bool:
		if v {
			return "1"
		}
		return "0"
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case []byte:
		if kind == kText {
			return string(v)
		}
		return hex.EncodeToString(v)
	case string:
		if kind == kBytes {
			return hex.EncodeToString([]byte(v))
		}
		return v
	default:
		return fmt.Sprintf("\x00%T:%v", v, v)
	}
}

// checksum is the SHA-256 of a table's canonical rows in sorted order, so
// neither side's row order or collation matters.
func checksum(rows []string) string {
	slices.Sort(rows)
	h := sha256.New()
	for _, r := range rows {
		h.Write([]byte(r))
		h.Write([]byte{'\x1e'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func canonicalRow(vals []any, t table) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = canonical(v, t.columns[i].kind)
	}
	return strings.Join(parts, "\x1f")
}

// selectAll reads a table for its checksum. The feed version is one row on
// SQLite and sixteen counters on PostgreSQL; both read as their sum.
func selectAll(t table) string {
	if t.name == "feed_state" {
		return "SELECT 1, CAST(sum(version) AS bigint), max(changed_at) FROM feed_state"
	}
	return "SELECT " + strings.Join(t.names(), ", ") + " FROM " + t.name
}

func sourceChecksum(ctx context.Context, src *sql.Tx, t table) (int, string, error) {
	rows, err := src.QueryContext(ctx, selectAll(t))
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := scanValues(rows, t)
		if err != nil {
			return 0, "", err
		}
		out = append(out, canonicalRow(vals, t))
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	return len(out), checksum(out), nil
}

func targetChecksum(ctx context.Context, tx pgx.Tx, t table) (int, string, error) {
	rows, err := tx.Query(ctx, selectAll(t))
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return 0, "", err
		}
		out = append(out, canonicalRow(vals, t))
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	return len(out), checksum(out), nil
}

// checkSourceSchema refuses a SQLite database with a table or column the
// copy does not know: copying it would silently lose data.
func checkSourceSchema(ctx context.Context, src *sql.Tx) error {
	got, err := sqliteColumns(ctx, src)
	if err != nil {
		return fmt.Errorf("store: copy: read source schema: %w", err)
	}
	want := map[string][]string{}
	for _, t := range copyTables {
		want[t.name] = t.names()
	}
	for name, columns := range got {
		known, ok := want[name]
		if !ok {
			return fmt.Errorf("store: copy: the source has a table this program cannot copy: %s", name)
		}
		for _, c := range columns {
			if !slices.Contains(known, c) {
				return fmt.Errorf("store: copy: the source has a column this program cannot copy: %s.%s", name, c)
			}
		}
	}
	return nil
}

// sqliteColumns lists the source's tables and their columns, leaving out
// SQLite's own and the full-text index (PostgreSQL builds its own).
func sqliteColumns(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'lessons_fts%' ORDER BY m.name, p.cid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			return nil, err
		}
		out[table] = append(out[table], col)
	}
	return out, rows.Err()
}

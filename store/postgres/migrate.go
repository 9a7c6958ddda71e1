package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

func migrations() ([]string, error) { return assemble.Migrations(migrationFS) }

// SchemaVersion is the number of migrations this program knows.
func SchemaVersion() int {
	steps, _ := migrations()
	return len(steps)
}

// migrateLock is the advisory lock key replicas take to upgrade the schema
// one at a time ("exchbot" in ASCII).
const migrateLock = 0x65786368626f74

// migrate brings the schema to SchemaVersion in one transaction, or
// refuses a database newer than this program.
func (s *Store) migrate(ctx context.Context) error {
	steps, err := migrations()
	if err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	// Held until commit: a second replica starting now waits here, then
	// finds the schema current.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrateLock)); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)`); err != nil {
		return err
	}
	var version int
	err = tx.QueryRow(ctx, "SELECT COALESCE((SELECT version FROM schema_version WHERE id = 1), 0)").Scan(&version)
	if err != nil {
		return err
	}
	if version > len(steps) {
		return fmt.Errorf("%w: schema version %d, this program knows %d", store.ErrTooNew, version, len(steps))
	}
	if version == len(steps) {
		return nil
	}
	for i := version; i < len(steps); i++ {
		if _, err := tx.Exec(ctx, steps[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_version (id, version) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version`, len(steps)); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

package main

import (
	"context"
	"net/url"
	"strings"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/postgres"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

// openStore opens the backend the database setting names: PostgreSQL for
// a postgres:// URL, else the SQLite file.
func openStore(ctx context.Context, database string) (store.Store, error) {
	if isPostgres(database) {
		return postgres.Open(ctx, database)
	}
	return sqlite.Open(ctx, database)
}

// isPostgres reports whether the database setting names a PostgreSQL
// server rather than a SQLite file.
func isPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// redactDatabase is the database setting as logs and messages may show it:
// a PostgreSQL URL without its password.
func redactDatabase(database string) string {
	if !isPostgres(database) {
		return database
	}
	u, err := url.Parse(database)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// checkPostgresURL says what is wrong with a PostgreSQL URL, as the id of
// a message in the catalogs, or "".
func checkPostgresURL(database string) string {
	u, err := url.Parse(database)
	if err != nil || u.Host == "" {
		return "cli.postgres.not_url"
	}
	if strings.Trim(u.Path, "/") == "" {
		return "cli.postgres.no_database"
	}
	return ""
}

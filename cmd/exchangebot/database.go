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
// a URL without its passwords. Any URL, not only postgres://: a mistyped
// -to (mysql://user:secret@…) is echoed back in the error that refuses it.
// sslpassword unlocks the client's key, as secret as the password.
func redactDatabase(database string) string {
	if !strings.Contains(database, "://") {
		return database // a SQLite file
	}
	u, err := url.Parse(database)
	if err != nil {
		scheme, _, _ := strings.Cut(database, "://")
		return scheme + "://(unparsable URL)"
	}
	q := u.Query()
	for _, k := range []string{"password", "sslpassword"} {
		if q.Has(k) {
			q.Set(k, "xxxxx")
			u.RawQuery = q.Encode()
		}
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

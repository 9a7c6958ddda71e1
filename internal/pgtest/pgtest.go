// Package pgtest gives each test a PostgreSQL database of its own.
//
// The server is the one named by EXCHANGEBOT_TEST_POSTGRES (a URL of a role
// that may create databases) or, failing that, a throwaway cluster this
// package starts with initdb and pg_ctl in a temporary directory: one per
// test binary, listening on 127.0.0.1 on a free port, stopped by Main.
// Where neither can be had the tests skip and say why; with
// EXCHANGEBOT_REQUIRE_POSTGRES=1 (set by CI) that skip is a failure, so CI
// never passes by skipping.
//
// Use:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
//	func TestX(t *testing.T) {
//		url := pgtest.URL(t) // a fresh, empty database, dropped after t
//		…
//	}
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables read by this package.
const (
	// EnvURL names an existing server to use instead of starting one.
	EnvURL = "EXCHANGEBOT_TEST_POSTGRES"
	// EnvRequire, set to 1, turns "no PostgreSQL here" from a skip into a failure.
	EnvRequire = "EXCHANGEBOT_REQUIRE_POSTGRES"
	// EnvBin names the directory holding initdb, pg_ctl and postgres when
	// they are neither on PATH nor under /usr/lib/postgresql/*/bin.
	EnvBin = "EXCHANGEBOT_PG_BIN"
)

var (
	mainCalled bool

	once    sync.Once
	admin   string   // URL of the maintenance database of the server in use
	cluster *Cluster // the cluster we started, if we did
	why     error    // why there is no server, when there is none
)

// Main runs the package's tests, then stops the cluster they started, if
// any. Call it from TestMain and pass its result to os.Exit.
func Main(m *testing.M) int {
	mainCalled = true
	code := m.Run()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// Required reports whether the environment demands PostgreSQL tests run.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

// Admin returns the URL of the server's maintenance database, starting a
// cluster on first use. Without a server it skips t, or fails it when
// PostgreSQL is required.
func Admin(t testing.TB) string {
	t.Helper()
	if !mainCalled {
		t.Fatal("pgtest: the package's TestMain must call pgtest.Main, which stops the cluster after the tests")
	}
	once.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			admin = u
			return
		}
		cluster, why = Start(os.TempDir())
		if cluster != nil {
			admin = cluster.URL("postgres")
		}
	})
	if admin == "" {
		msg := fmt.Sprintf("no PostgreSQL for this test: %v (set %s to a server URL, or install Debian's postgresql package)", why, EnvURL)
		if Required() {
			t.Fatalf("%s; %s=1 makes this a failure", msg, EnvRequire)
		}
		t.Skip(msg)
	}
	return admin
}

// URL creates an empty database for t and returns its URL; the database is
// dropped when t and its subtests end.
func URL(t testing.TB) string {
	t.Helper()
	adminURL := Admin(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", redact(adminURL), err)
	}
	defer conn.Close(ctx)
	name := "test_" + randomHex(8)
	// Identifiers cannot be parameters; name is ours, of hex digits.
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() { drop(t, adminURL, name) })
	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

func drop(t testing.TB, adminURL, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Errorf("pgtest: drop %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	// FORCE ends connections a test left open (a killed replica's, say).
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("pgtest: drop %s: %v", name, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// redact hides a password in a URL shown in a message.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

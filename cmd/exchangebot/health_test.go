package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store/sqlite"
)

// TestHealthz: /healthz reads and writes the real database, and when a
// part fails it answers 503 naming that part; the reason goes to the log.
func TestHealthz(t *testing.T) {
	// release undoes a break that holds something (a lock) before the
	// store closes, which would otherwise wait out SQLite's busy timeout.
	var release func()
	tests := []struct {
		name string
		// breakDB breaks the database from another connection, as another
		// process or an operator could.
		breakDB func(t *testing.T, other *sql.DB)
		status  int
		body    string
		logged  string
	}{
		{
			name:   "healthy",
			status: http.StatusOK,
			body:   "database read: ok\ndatabase write: ok\n",
		},
		{
			name: "another process holds the write lock",
			breakDB: func(t *testing.T, other *sql.DB) {
				conn, err := other.Conn(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
					t.Fatal(err)
				}
				release = func() { conn.ExecContext(context.Background(), "ROLLBACK"); conn.Close() }
			},
			status: http.StatusServiceUnavailable,
			body:   "database read: ok\ndatabase write: failed\n",
			logged: "deadline exceeded",
		},
		{
			name: "writes refused",
			breakDB: func(t *testing.T, other *sql.DB) {
				if _, err := other.Exec("DROP TABLE health"); err != nil {
					t.Fatal(err)
				}
			},
			status: http.StatusServiceUnavailable,
			body:   "database read: ok\ndatabase write: failed\n",
			logged: "no such table: health",
		},
		{
			name: "reads refused",
			breakDB: func(t *testing.T, other *sql.DB) {
				if _, err := other.Exec("DROP TABLE feed_state"); err != nil {
					t.Fatal(err)
				}
			},
			status: http.StatusServiceUnavailable,
			body:   "database read: failed\ndatabase write: ok\n",
			logged: "no such table: feed_state",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "health.db")
			st, err := sqlite.Open(context.Background(), file)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var log bytes.Buffer
			srv := httptest.NewServer(healthHandler(st, 300*time.Millisecond, slog.New(slog.NewTextHandler(&log, nil))))
			defer srv.Close()
			if tt.breakDB != nil {
				// The store's own statements are prepared once and cached;
				// a first check fills that cache, as a running server's has.
				if err := st.Ping(context.Background()); err != nil {
					t.Fatal(err)
				}
				other, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(100)")
				if err != nil {
					t.Fatal(err)
				}
				defer other.Close()
				release = nil
				tt.breakDB(t, other)
				if release != nil {
					defer release()
				}
			}
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || string(body) != tt.body {
				t.Errorf("%d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			if tt.logged != "" && !strings.Contains(log.String(), tt.logged) {
				t.Errorf("log does not say %q:\n%s", tt.logged, log.String())
			}
		})
	}
}

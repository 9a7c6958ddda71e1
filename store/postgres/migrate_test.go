package postgres

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/exchangebot/exchangebot/internal/pgtest"
	"github.com/exchangebot/exchangebot/store"
)

func schemaVersion(t *testing.T, url string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "SELECT version FROM schema_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	s, url := openTest(t)
	if got, want := schemaVersion(t, url), SchemaVersion(); got != want || want < 2 {
		t.Fatalf("schema version = %d, want %d", got, want)
	}
	addLesson(t, s, "Evaluación de impacto", "La evaluación externa funcionó.")
	s.Close()
	// Reopening must not re-run migrations (they would fail on existing
	// objects) and must keep the data.
	s2, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n, err := s2.CountSessions(ctx); err != nil || n != 1 {
		t.Fatalf("sessions after reopen = %d, %v; want 1", n, err)
	}
}

func TestRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	s, url := openTest(t)
	s.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "UPDATE schema_version SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, url); !errors.Is(err, store.ErrTooNew) {
		t.Fatalf("Open on a newer schema = %v, want ErrTooNew", err)
	}
}

// TestUpgradeFrozenV1 upgrades a database made by the first release, with
// data in it, and finds the old answers through the search added since.
func TestUpgradeFrozenV1(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	schema, err := os.ReadFile("testdata/schema_v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		string(schema),
		"CREATE TABLE schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)",
		"INSERT INTO schema_version VALUES (1, 1)",
		`INSERT INTO sessions (id, title, kind, starts_at, duration_s, tz, creator, created_at, updated_at)
			VALUES (7, 'Evaluación de impacto', 'webinar', 1767225600, 3600, 'UTC', 'U1', 1767000000, 1767000000)`,
		`INSERT INTO lessons (session_id, user_id, question_idx, question, answer, created_at, updated_at)
			VALUES (7, 'U1', 0, 'What worked?', 'Una EVALUACIÓN participativa.', 1767300000, 1767300000)`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := schemaVersion(t, url); v != SchemaVersion() {
		t.Errorf("version after upgrade = %d, want %d", v, SchemaVersion())
	}
	res, err := s.Search(ctx, "evaluacion", 10)
	if err != nil || len(res) != 1 || res[0].SessionID != 7 {
		t.Fatalf("search after upgrade = %+v, %v", res, err)
	}
}

// TestFailedUpgradeChangesNothing: an upgrade that fails part-way leaves
// the database at its old version, every step undone.
func TestFailedUpgradeChangesNothing(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// A table migration 001 is about to create already exists: step 1
	// fails after its first statements ran.
	if _, err := conn.Exec(ctx, "CREATE TABLE outbox (x int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, url); err == nil {
		t.Fatal("Open succeeded over a conflicting table")
	}
	var tables int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('sessions', 'schema_version')").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d tables of the failed upgrade remain", tables)
	}
}

// TestReplicasStartingTogetherMigrateOnce: three replicas opening a new
// database at the same moment all succeed.
func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	url := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(context.Background(), url)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if v := schemaVersion(t, url); v != SchemaVersion() {
		t.Errorf("version = %d", v)
	}
}

func addLesson(t *testing.T, s store.Store, title, answer string) *store.Session {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := &store.Session{Title: title, Kind: "webinar", Start: at.Add(-3 * time.Hour), Duration: time.Hour, TZ: "UTC",
		Creator: "U1", Created: at, Updated: at, Speakers: []store.Speaker{{UserID: "U1"}}}
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		_, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: sess.ID, UserID: "U1", Question: "What worked?", Answer: answer}, at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

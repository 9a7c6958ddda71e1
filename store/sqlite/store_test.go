package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/storetest"
)

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	s, path := openTest(t)
	if got, want := userVersion(t, s.db), SchemaVersion(); got != want {
		t.Fatalf("user_version = %d, want %d", got, want)
	}
	ctx := context.Background()
	createSample(t, s)
	s.Close()
	// Reopening must not re-run migrations (they would fail on existing
	// tables) and must keep the data.
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	n, err := s2.CountSessions(ctx)
	if err != nil || n != 1 {
		t.Fatalf("sessions after reopen = %d, %v; want 1", n, err)
	}
}

func TestPragmas(t *testing.T) {
	s, _ := openTest(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := s.db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

func TestMigrateFrozenV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	schema, err := os.ReadFile("testdata/schema_v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(string(schema)); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("upgrade from v1: %v", err)
	}
	defer s.Close()
	if got := userVersion(t, s.db); got != SchemaVersion() {
		t.Fatalf("user_version after upgrade = %d, want %d", got, SchemaVersion())
	}
	sess, err := s.Session(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Title != "Cash transfers: lessons from Peru" || sess.Duration != 90*time.Minute || sess.TZ != "America/Lima" {
		t.Errorf("session after upgrade = %+v", sess)
	}
	if len(sess.Speakers) != 1 || sess.Speakers[0].UserID != "U2" || len(sess.Participants) != 1 || sess.Partners[0] != "MIDIS Perú" {
		t.Errorf("details after upgrade: speakers %v participants %v partners %v", sess.Speakers, sess.Participants, sess.Partners)
	}
	// The tables added after v1 work on the upgraded file.
	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.Enqueue(ctx, store.Delivery{Kind: "reminder", SessionID: 7, Recipient: "C1", Due: time.Unix(1767222000, 0)}, time.Now())
	})
	if err != nil {
		t.Fatalf("outbox on upgraded database: %v", err)
	}
}

func TestRefusesNewerDatabase(t *testing.T) {
	s, path := openTest(t)
	if _, err := s.db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), path)
	if !errors.Is(err, store.ErrTooNew) {
		t.Fatalf("Open of a newer database = %v, want ErrTooNew", err)
	}
}

func createSample(t *testing.T, s *Store) *store.Session {
	t.Helper()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	sess := &store.Session{
		Title: "Youth employment", Kind: "webinar", Start: now.Add(72 * time.Hour), Duration: 90 * time.Minute,
		TZ: "America/Santiago", Channel: "C1", Creator: "U1", Created: now, Updated: now,
		Partners: []string{"FISDL El Salvador"},
		Speakers: []store.Speaker{{UserID: "U2", Name: "ana"}, {Name: "Jane Doe", Email: "jane@example.org"}},
	}
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreateSession(context.Background(), sess) }); err != nil {
		t.Fatal(err)
	}
	return sess
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	want := createSample(t, s)
	dst := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, dst)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer b.Close()
	got, err := b.Session(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != want.Title || !got.Start.Equal(want.Start) || len(got.Speakers) != 2 || got.Speakers[1].Email != "jane@example.org" {
		t.Errorf("backup session = %+v", got)
	}
	if err := s.Backup(ctx, dst); err == nil {
		t.Error("backup over an existing file succeeded; VACUUM INTO must refuse")
	}
}

// TestContract runs the backend contract against SQLite.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTest(t)
		return s
	})
}

// TestFeedTokenStoredHashed checks only a hash of a feed token reaches
// the file.
func TestFeedTokenStoredHashed(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	var token string
	if err := s.Update(ctx, func(tx store.Tx) (err error) { token, err = tx.RotateFeedToken(ctx, "U1", time.Now()); return }); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := s.db.QueryRow("SELECT token_hash FROM feed_tokens WHERE user_id = 'U1'").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if string(stored) == token {
		t.Error("token stored in clear")
	}
}

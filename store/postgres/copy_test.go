package postgres

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "source.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestCopyTablesMatchSchemas: the copy moves every column of both schemas.
// When a migration adds a table or column to either backend, this fails
// until the other backend and copyTables have it too.
func TestCopyTablesMatchSchemas(t *testing.T) {
	ctx := context.Background()
	want := map[string][]string{}
	for _, tb := range copyTables {
		want[tb.name] = tb.names()
	}
	lite, err := sqliteColumns(ctx, openSQLite(t).DB())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(lite, want) {
		t.Errorf("SQLite schema:\n%v\ncopyTables:\n%v", lite, want)
	}
	_, url := openTest(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name <> 'schema_version' AND is_generated = 'NEVER'
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	pg := map[string][]string{}
	for rows.Next() {
		var tb, col string
		if err := rows.Scan(&tb, &col); err != nil {
			t.Fatal(err)
		}
		pg[tb] = append(pg[tb], col)
	}
	if !reflect.DeepEqual(pg, want) {
		t.Errorf("PostgreSQL schema:\n%v\ncopyTables:\n%v", pg, want)
	}
}

// fill puts a bit of everything into a store, through its interface.
// fillDemand adds requests (one planned into session 1, one merged into a
// later one, one declined), evaluations and an opt-out.
func fillDemand(ctx context.Context, tx store.Tx, at time.Time) error {
	var ids []int64
	for i, topic := range []string{"Empleo juvenil", "Crédito rural", "Política fiscal", "Juventud rural"} {
		r := &store.Request{Topic: topic, Asker: fmt.Sprint("UA", i), Channel: "CFOR", Partners: []string{"FISDL", "MIDIS"}[:i%3], Created: at, Updated: at}
		if err := tx.CreateRequest(ctx, r); err != nil {
			return err
		}
		ids = append(ids, r.ID)
	}
	for _, d := range []struct {
		id int64
		c  store.RequestChange
	}{
		{ids[0], store.RequestChange{Status: store.RequestPlanned, SessionID: 1, DecidedBy: "U1"}},
		{ids[1], store.RequestChange{Status: store.RequestMerged, MergedInto: ids[3], DecidedBy: "U1"}},
		{ids[2], store.RequestChange{Status: store.RequestDeclined, Reason: "fuera de alcance", DecidedBy: "U1"}},
	} {
		if err := tx.DecideRequest(ctx, d.id, d.c, at); err != nil {
			return err
		}
	}
	for _, u := range []string{"U3", "U4"} {
		if _, err := tx.AskEvaluation(ctx, 1, u, at); err != nil {
			return err
		}
	}
	rating, plan, ch, await := 4, "Una lista de chequeo", "DU3", store.AwaitChange
	if err := tx.ChangeEvaluation(ctx, 1, "U3", store.EvaluationChange{Rating: &rating, Plan: &plan, DMChannel: &ch, Awaiting: &await, FollowedUp: true}, at); err != nil {
		return err
	}
	return tx.OptOut(ctx, "U4", at)
}

func fill(t *testing.T, s store.Store) (token string) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx store.Tx) error {
		// Every tenth session is an occurrence of one series.
		sr := &store.Series{Every: "month", Creator: "U1", Created: at}
		if err := tx.CreateSeries(ctx, sr); err != nil {
			return err
		}
		for i := range 30 {
			sess := &store.Session{Title: fmt.Sprintf("Sesión %d: evaluación", i), Kind: []string{"webinar", "exchange"}[i%2],
				Start: at.Add(time.Duration(i-15) * 24 * time.Hour), Duration: 90 * time.Minute, TZ: "America/Santiago",
				Description: "Línea 1\nLine 2", Link: "https://example.org/x?y=1", Channel: "C1", Lang: "es", Creator: "U1",
				Created: at, Updated: at, Partners: []string{"FISDL El Salvador", "Prosperidad Social"},
				Speakers: []store.Speaker{{UserID: "U2", Name: "ana"}, {Name: "Jane Doe", Email: fmt.Sprintf("jane%d@example.org", i%3)}}}
			if i%10 == 0 {
				sess.SeriesID = sr.ID
			}
			if err := tx.CreateSession(ctx, sess); err != nil {
				return err
			}
			if _, err := tx.Join(ctx, sess.ID, "U3", at); err != nil {
				return err
			}
			if err := tx.Enqueue(ctx, store.Delivery{Kind: "announce", SessionID: sess.ID, Recipient: "C1", Due: at, Dedupe: fmt.Sprint("announce:", sess.ID)}, at); err != nil {
				return err
			}
			if err := tx.Enqueue(ctx, store.Delivery{Kind: "thread", SessionID: sess.ID, Recipient: "C1", InThread: true, Payload: "Moved ✓", Due: at, Deadline: sess.Start}, at); err != nil {
				return err
			}
			if i < 10 {
				if _, err := tx.RecordPrompt(ctx, sess.ID, "U2", "DU2", at); err != nil {
					return err
				}
				if _, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: sess.ID, UserID: "U2", QuestionIdx: 0, Question: "¿Qué funcionó?",
					Answer: fmt.Sprintf("La EVALUACIÓN %d funcionó; niños y niñas", i)}, at); err != nil {
					return err
				}
			}
			if i == 7 {
				if err := tx.Cancel(ctx, sess.ID, "enfermedad", at); err != nil {
					return err
				}
			}
		}
		if err := tx.Enqueue(ctx, store.Delivery{Kind: "digest", Recipient: "C9", Due: at}, at); err != nil {
			return err
		}
		if _, err := tx.IssueAnswerToken(ctx, 1, "Jane0@example.org", at); err != nil {
			return err
		}
		if err := fillDemand(ctx, tx, at); err != nil {
			return err
		}
		var err error
		token, err = tx.RotateFeedToken(ctx, "U3", at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.ClaimDelivery(ctx, 1, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkAnnounced(ctx, d, "C1", "1700000000.000100", at); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkProcessed(ctx, "command:abc", at); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRatePause(ctx, "chat.postMessage C1", at.Add(time.Hour), at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ServerKey(ctx, "feeds"); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckWrite(ctx); err != nil {
		t.Fatal(err)
	}
	return token
}

func TestCopyFromSQLite(t *testing.T) {
	ctx := context.Background()
	lite := openSQLite(t)
	token := fill(t, lite)
	pg, _ := openTest(t)
	checks, err := pg.CopyFromSQLite(ctx, lite.DB())
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != len(copyTables) {
		t.Fatalf("%d tables checked, want %d", len(checks), len(copyTables))
	}
	for _, c := range checks {
		if !c.OK() || (c.SourceRows == 0 && c.Table != "processed") {
			t.Errorf("%+v", c)
		}
	}

	// The copy reads back as the source does, through the interface.
	read := func(s store.Store) []any {
		sessions, err1 := s.Sessions(ctx, store.Filter{})
		deliveries, err2 := s.Deliveries(ctx, 0)
		lessons, err3 := s.AllLessons(ctx)
		v, changed, err4 := s.FeedVersion(ctx)
		user, err5 := s.FeedTokenUser(ctx, token)
		report, err6 := s.Report(ctx, store.ReportQuery{To: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
		key, err7 := s.ServerKey(ctx, "feeds")
		requests, err8 := s.Requests(ctx, store.RequestFilter{})
		evaluations, err9 := s.Evaluations(ctx, store.EvaluationFilter{})
		out, err10 := s.OptedOut(ctx, "U4")
		pauses, err11 := s.RatePauses(ctx, time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC))
		if err := errors.Join(err1, err2, err3, err4, err5, err6, err7, err8, err9, err10, err11); err != nil {
			t.Fatal(err)
		}
		if len(pauses) != 1 {
			t.Errorf("rate pauses %v, want the one recorded", pauses)
		}
		return []any{sessions, deliveries, lessons, v, changed, user, report, key, requests, evaluations, out, pauses}
	}
	if got, want := read(pg), read(lite); !reflect.DeepEqual(got, want) {
		t.Errorf("the copy reads differently:\n got %+v\nwant %+v", got, want)
	}
	if err := pg.MarkProcessed(ctx, "command:abc", time.Now()); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("redelivery key not copied: %v", err)
	}
	res, err := pg.Search(ctx, "evaluacion ninas", 20)
	if err != nil || len(res) != 10 {
		t.Errorf("search on the copy: %d results, %v", len(res), err)
	}
	// New rows take ids after the copied ones.
	at := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	next := &store.Session{Title: "Next", Kind: "webinar", Start: at, Duration: time.Hour, TZ: "UTC", Creator: "U1", Created: at, Updated: at,
		Speakers: []store.Speaker{{UserID: "U9"}}}
	if err := pg.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateSession(ctx, next); err != nil {
			return err
		}
		return tx.Enqueue(ctx, store.Delivery{Kind: "announce", SessionID: next.ID, Recipient: "C1", Due: at}, at)
	}); err != nil {
		t.Fatalf("a new session after the copy: %v", err)
	}
	if next.ID != 31 {
		t.Errorf("new session id %d, want 31", next.ID)
	}
}

func TestCopyRefusesNonEmptyTarget(t *testing.T) {
	ctx := context.Background()
	lite := openSQLite(t)
	fill(t, lite)
	pg, _ := openTest(t)
	addLesson(t, pg, "Already here", "x")
	if _, err := pg.CopyFromSQLite(ctx, lite.DB()); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("copy into a database with data: %v, want ErrNotEmpty", err)
	}
	if n, _ := pg.CountSessions(ctx); n != 1 {
		t.Errorf("target changed: %d sessions", n)
	}
}

// TestCopyMismatchCommitsNothing: a target that alters what it is given
// (here a trigger) fails the verification, and nothing is kept.
func TestCopyMismatchCommitsNothing(t *testing.T) {
	ctx := context.Background()
	lite := openSQLite(t)
	fill(t, lite)
	pg, url := openTest(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN NEW.answer = upper(NEW.answer); RETURN NEW; END $$;
		CREATE TRIGGER shout BEFORE INSERT ON lessons FOR EACH ROW EXECUTE FUNCTION shout();`); err != nil {
		t.Fatal(err)
	}
	checks, err := pg.CopyFromSQLite(ctx, lite.DB())
	if !errors.Is(err, ErrMismatch) {
		t.Fatalf("copy = %v, want ErrMismatch", err)
	}
	var bad []string
	for _, c := range checks {
		if !c.OK() {
			bad = append(bad, c.Table)
		}
	}
	if !slices.Equal(bad, []string{"lessons"}) {
		t.Errorf("mismatched tables %v, want [lessons]", bad)
	}
	if n, _ := pg.CountSessions(ctx); n != 0 {
		t.Errorf("%d sessions kept after a failed verification", n)
	}
}

func TestCopyRefusesUnknownSourceTable(t *testing.T) {
	ctx := context.Background()
	lite := openSQLite(t)
	if _, err := lite.DB().Exec("CREATE TABLE leases (name TEXT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	pg, _ := openTest(t)
	if _, err := pg.CopyFromSQLite(ctx, lite.DB()); err == nil || !strings.Contains(err.Error(), "leases") {
		t.Fatalf("copy of a source with an unknown table: %v", err)
	}
}

package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// addSession stores a confirmed session starting at start.
func addSession(t testing.TB, s *Store, title, kind string, start time.Time, d time.Duration, partners []string, speakers ...store.Speaker) *store.Session {
	t.Helper()
	sess := &store.Session{
		Title: title, Kind: kind, Start: start, Duration: d, TZ: "UTC", Channel: "C1", Creator: "UC",
		Created: start.Add(-240 * time.Hour), Updated: start.Add(-240 * time.Hour), Partners: partners, Speakers: speakers,
	}
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreateSession(context.Background(), sess) }); err != nil {
		t.Fatal(err)
	}
	return sess
}

func saveAnswer(t testing.TB, s *Store, sessionID int64, user string, idx int, answer string, at time.Time) bool {
	t.Helper()
	var changed bool
	err := s.Update(context.Background(), func(tx store.Tx) (err error) {
		changed, err = tx.SaveAnswer(context.Background(), store.Lesson{
			SessionID: sessionID, UserID: user, QuestionIdx: idx, Question: fmt.Sprintf("Question %d?", idx+1), Answer: answer,
		}, at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return changed
}

func TestFTS5Available(t *testing.T) {
	s, _ := openTest(t)
	var n int
	if err := s.db.QueryRow("SELECT COUNT(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_FTS5'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatal("this SQLite build lacks FTS5; lessons search needs it")
	}
}

// TestAnswersKeepIndexInStep checks the FTS5 index follows the lessons
// table through edits and a session's deletion; the contract suite checks
// what searches find.
func TestAnswersKeepIndexInStep(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := addSession(t, s, "Youth employment", "webinar", at.Add(-3*time.Hour), time.Hour, nil, store.Speaker{UserID: "U1"})
	saveAnswer(t, s, sess.ID, "U1", 0, "Mirror teams made the evaluación credible.", at)
	saveAnswer(t, s, sess.ID, "U1", 0, "Peer reviews built trust.", at.Add(time.Hour))
	if res, err := s.Search(ctx, "trust", 10); err != nil || len(res) != 1 {
		t.Fatalf("Search(trust) = %d results, %v; want 1", len(res), err)
	}

	// Deleting the session cascades to its lessons and their index rows.
	if _, err := s.db.Exec("DELETE FROM sessions WHERE id = ?", sess.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRow("SELECT COUNT(*) FROM lessons_fts WHERE lessons_fts MATCH 'trust'").Scan(&n); err != nil || n != 0 {
		t.Errorf("index rows after delete = %d, %v; want 0", n, err)
	}
	if err := s.db.QueryRow("INSERT INTO lessons_fts (lessons_fts) VALUES ('integrity-check')").Err(); err != nil {
		t.Errorf("FTS integrity check: %v", err)
	}
}

// TestSearchRanksTheNewestWhenManyMatch pins the trade-off maxRanked
// makes: with more matches than it, older answers are not ranked at all.
func TestSearchRanksTheNewestWhenManyMatch(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := addSession(t, s, "Big", "webinar", at.Add(-3*time.Hour), time.Hour, nil)
	err := s.Update(ctx, func(tx store.Tx) error {
		for i := range maxRanked + 50 {
			answer := "targeting once, among many other words that make this answer long"
			if i < 50 {
				answer = "targeting targeting targeting" // the best matches, but the oldest
			}
			if _, err := tx.SaveAnswer(ctx, store.Lesson{SessionID: sess.ID, UserID: fmt.Sprintf("U%d", i), Question: "Q?", Answer: answer}, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Search(ctx, "targeting", 10)
	if err != nil || len(res) != 10 {
		t.Fatalf("Search = %d results, %v", len(res), err)
	}
	for _, r := range res {
		if strings.HasPrefix(r.Answer, "targeting targeting") {
			t.Errorf("an answer older than the newest %d matches was ranked: %s", maxRanked, r.UserID)
		}
	}
}

func TestFTSTerms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"youth employment", `"youth" "employment"`},
		{`"youth employment" peru`, `"youth employment" "peru"`},
		{`say "hi`, `"say" "hi"`},
		{`a"b`, `"a" "b"`}, // a quote starts a phrase even mid-word
		{"evalua* **", `"evalua"*`},
		{"  ", ""},
		{"-- ** ::", ""},
		{"NEAR(x", `"NEAR(x"`},
	}
	for _, tt := range tests {
		if got := strings.Join(ftsTerms(tt.in), " "); got != tt.want {
			t.Errorf("ftsTerms(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// benchVocabulary is ordered from the most to the least frequent word;
// answers draw from it with a Zipf law, like real text, over a long tail
// of filler words.
var benchVocabulary = func() []string {
	words := strings.Fields(`the of and to in a for with on by was were teams staff regional offices data
		payments partners results evaluación training ministry community registry youth employment budget
		pilot women rural digital follow-up survey trust household monitoring indicators baseline grievance
		mirror procurement targeting municipal coordination feedback timeline beneficiaries enrolment delays
		interoperability identity verification`)
	for i := len(words); i < 5000; i++ {
		words = append(words, fmt.Sprintf("w%04d", i))
	}
	return words
}()

func benchStore(b *testing.B, answers int) *Store {
	b.Helper()
	s, err := Open(context.Background(), b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	zipf := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.07, 2, uint64(len(benchVocabulary)-1))
	lengths := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2025, 1, 1, 15, 0, 0, 0, time.UTC)
	const perSession = 25 // five speakers answering five questions
	err = s.Update(ctx, func(tx store.Tx) error {
		for i := 0; i < answers; i++ {
			if i%perSession == 0 {
				sess := &store.Session{Title: fmt.Sprintf("Session %d", i/perSession), Kind: "webinar", Start: start.Add(time.Duration(i) * time.Minute),
					Duration: time.Hour, TZ: "UTC", Creator: "UC", Created: start, Updated: start}
				if err := tx.CreateSession(ctx, sess); err != nil {
					return err
				}
			}
			words := make([]string, 20+lengths.IntN(60))
			for j := range words {
				words[j] = benchVocabulary[zipf.Uint64()]
			}
			if _, err := tx.SaveAnswer(ctx, store.Lesson{
				SessionID: int64(i/perSession + 1), UserID: fmt.Sprintf("U%d", i%5), QuestionIdx: (i / 5) % 5,
				Question: "What worked well?", Answer: strings.Join(words, " "),
			}, start); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkSearch searches 50,000 answers the way `lessons <words>` does.
// matches/op is how many answers the query matches before ranking.
func BenchmarkSearch(b *testing.B) {
	s := benchStore(b, 50000)
	ctx := context.Background()
	for _, words := range []string{"evaluacion", "mirror teams", "interoperability identity verification", "the", "evalua*"} {
		var matches int
		if err := s.db.QueryRow("SELECT COUNT(*) FROM lessons_fts WHERE lessons_fts MATCH ?", strings.Join(ftsTerms(words), " ")).Scan(&matches); err != nil {
			b.Fatal(err)
		}
		b.Run(strings.ReplaceAll(words, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := s.Search(ctx, words, 10)
				if err != nil || len(res) != 10 {
					b.Fatalf("Search(%q) = %d results, %v", words, len(res), err)
				}
			}
			b.ReportMetric(float64(matches), "matches/op")
		})
	}
}

package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// addSession stores a confirmed session starting at start.
func addSession(t testing.TB, s *Store, title, kind string, start time.Time, d time.Duration, partners []string, speakers ...Speaker) *Session {
	t.Helper()
	sess := &Session{
		Title: title, Kind: kind, Start: start, Duration: d, TZ: "UTC", Channel: "C1", Creator: "UC",
		Created: start.Add(-240 * time.Hour), Updated: start.Add(-240 * time.Hour), Partners: partners, Speakers: speakers,
	}
	if err := s.Update(context.Background(), func(tx *Tx) error { return tx.CreateSession(context.Background(), sess) }); err != nil {
		t.Fatal(err)
	}
	return sess
}

func saveAnswer(t testing.TB, s *Store, sessionID int64, user string, idx int, answer string, at time.Time) bool {
	t.Helper()
	var changed bool
	err := s.Update(context.Background(), func(tx *Tx) (err error) {
		changed, err = tx.SaveAnswer(context.Background(), Lesson{
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

func TestSaveAnswerIsIdempotentAndKeepsIndexInStep(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := addSession(t, s, "Youth employment", "webinar", at.Add(-3*time.Hour), time.Hour, nil, Speaker{UserID: "U1"})

	if !saveAnswer(t, s, sess.ID, "U1", 0, "Mirror teams made the evaluación credible.", at) {
		t.Fatal("first save reported no change")
	}
	if saveAnswer(t, s, sess.ID, "U1", 0, "Mirror teams made the evaluación credible.", at.Add(time.Minute)) {
		t.Error("saving the same answer again reported a change")
	}
	got, err := s.Lessons(ctx, sess.ID)
	if err != nil || len(got) != 1 || !got[0].Updated.Equal(at) {
		t.Fatalf("lessons after a repeated save = %+v, %v; want one, untouched", got, err)
	}

	// An edit replaces the indexed text: the old words no longer match.
	saveAnswer(t, s, sess.ID, "U1", 0, "Peer reviews built trust.", at.Add(time.Hour))
	for words, want := range map[string]int{"mirror": 0, "trust": 1} {
		res, err := s.Search(ctx, words, 10)
		if err != nil || len(res) != want {
			t.Errorf("Search(%q) after edit = %d results, %v; want %d", words, len(res), err, want)
		}
	}
	got, _ = s.Lessons(ctx, sess.ID)
	if !got[0].Created.Equal(at) || !got[0].Updated.Equal(at.Add(time.Hour)) {
		t.Errorf("edit: created %v updated %v; want created kept, updated moved", got[0].Created, got[0].Updated)
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

func TestPromptLifecycle(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	older := addSession(t, s, "Older", "webinar", now.Add(-48*time.Hour), time.Hour, nil, Speaker{UserID: "U1"})
	newer := addSession(t, s, "Newer", "webinar", now.Add(-3*time.Hour), time.Hour, nil, Speaker{UserID: "U1"})

	update := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := s.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	update(func(tx *Tx) error {
		if _, err := tx.RecordPrompt(ctx, older.ID, "U1", "DU1", now.Add(-time.Hour)); err != nil {
			return err
		}
		_, err := tx.RecordPrompt(ctx, newer.ID, "U1", "DU1", now)
		return err
	})
	active := func(channel, user string) (Prompt, error) {
		var p Prompt
		err := s.Update(ctx, func(tx *Tx) (err error) { p, err = tx.ActivePrompt(ctx, channel, user); return })
		return p, err
	}
	if p, err := active("DU1", "U1"); err != nil || p.SessionID != newer.ID || p.State != PromptAnswering || p.NextQuestion != 0 {
		t.Fatalf("active prompt = %+v, %v; want the newer session's, answering question 0", p, err)
	}
	if _, err := active("DU1", "U2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another user's reply found a prompt: %v", err)
	}

	update(func(tx *Tx) error { return tx.AdvancePrompt(ctx, newer.ID, "U1", 1, PromptAnswering, now) })
	// A retried prompt delivery records it again; the progress stays.
	update(func(tx *Tx) error {
		_, err := tx.RecordPrompt(ctx, newer.ID, "U1", "DU1", now.Add(time.Minute))
		return err
	})
	if p, err := s.Prompt(ctx, newer.ID, "U1"); err != nil || p.NextQuestion != 1 || p.State != PromptAnswering || !p.PromptedAt.Equal(now) {
		t.Errorf("prompt after re-record = %+v, %v; want question 1 kept", p, err)
	}

	update(func(tx *Tx) error { return tx.StopPrompt(ctx, newer.ID, "U1", now) })
	if p, _ := s.Prompt(ctx, newer.ID, "U1"); !p.Finished() || p.State != PromptStopped {
		t.Errorf("after stop: %+v", p)
	}
	// With the newer one stopped, replies go to the older one still waiting.
	if p, err := active("DU1", "U1"); err != nil || p.SessionID != older.ID {
		t.Errorf("active after stop = %+v, %v; want the older session's", p, err)
	}
	ps, err := s.Prompts(ctx, newer.ID)
	if err != nil || len(ps) != 1 || ps[0].UserID != "U1" {
		t.Errorf("Prompts = %+v, %v", ps, err)
	}
	if _, err := s.Prompt(ctx, newer.ID, "U9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown prompt: %v, want ErrNotFound", err)
	}
}

func TestLessonsGroupedBySpeaker(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := addSession(t, s, "Cash transfers", "exchange", at.Add(-3*time.Hour), time.Hour, nil, Speaker{UserID: "UB"}, Speaker{UserID: "UA"})
	saveAnswer(t, s, sess.ID, "UB", 1, "b2", at)
	saveAnswer(t, s, sess.ID, "UA", 0, "a1", at.Add(time.Minute))
	saveAnswer(t, s, sess.ID, "UB", 0, "b1", at.Add(2*time.Minute))
	got, err := s.Lessons(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, l := range got {
		order = append(order, l.Answer)
	}
	if strings.Join(order, " ") != "b1 b2 a1" {
		t.Errorf("order = %v; want UB (answered first) question by question, then UA", order)
	}
	if got[0].SessionTitle != "Cash transfers" || got[0].SessionKind != "exchange" {
		t.Errorf("session fields = %+v", got[0])
	}
	counts, err := s.Answered(ctx, sess.ID)
	if err != nil || counts["UB"] != 2 || counts["UA"] != 1 || len(counts) != 2 {
		t.Errorf("Answered = %v, %v", counts, err)
	}
	latest, err := s.LatestLessons(ctx, 2)
	if err != nil || len(latest) != 2 || latest[0].Answer != "b1" || latest[1].Answer != "a1" {
		t.Errorf("LatestLessons = %+v, %v", latest, err)
	}
	all, err := s.AllLessons(ctx)
	if err != nil || len(all) != 3 {
		t.Errorf("AllLessons = %d, %v", len(all), err)
	}
}

func TestSearch(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	a := addSession(t, s, "Evaluación de impacto", "webinar", at.Add(-3*time.Hour), time.Hour, nil, Speaker{UserID: "U1"})
	b := addSession(t, s, "Cash transfers", "exchange", at.Add(-2*time.Hour), time.Hour, nil, Speaker{UserID: "U2"})
	saveAnswer(t, s, a.ID, "U1", 0, "La EVALUACIÓN externa y la evaluación interna se cruzaron; evaluación mixta.", at)
	saveAnswer(t, s, b.ID, "U2", 0, "Payments arrived late; an evaluación came after, with mirror teams.", at)
	saveAnswer(t, s, b.ID, "U2", 1, "Mirror teams made the results credible to the ministry.", at)

	tests := []struct {
		words string
		want  []string // answers' first words, best first
	}{
		{"evaluacion", []string{"La", "Payments"}}, // accents and case ignored; three mentions beat one
		{"EVALUACIÓN", []string{"La", "Payments"}},
		{"evalua*", []string{"La", "Payments"}}, // a prefix, on request
		{"evalua", nil},
		{"mirror ministry", []string{"Mirror"}},
		{`"teams made"`, []string{"Mirror"}},
		{"ministry payments", []string{"Mirror", "Payments"}}, // nothing has both: either will do
		{"nothing-like-this", nil},
		{"*** :: ()", nil},
		{`AND OR NOT NEAR( col:x "unclosed`, nil}, // typed syntax is text, not an error
	}
	for _, tt := range tests {
		t.Run(tt.words, func(t *testing.T) {
			res, err := s.Search(ctx, tt.words, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range res {
				got = append(got, strings.Fields(r.Answer)[0])
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Search(%q) = %v, want %v", tt.words, got, tt.want)
			}
		})
	}

	res, err := s.Search(ctx, "evaluacion", 1)
	if err != nil || len(res) != 1 {
		t.Fatalf("limit 1: %d, %v", len(res), err)
	}
	r := res[0]
	if r.SessionID != a.ID || r.SessionTitle != "Evaluación de impacto" || r.UserID != "U1" || r.QuestionIdx != 0 {
		t.Errorf("result = %+v", r.Lesson)
	}
	if !strings.Contains(r.Snippet, MarkStart+"EVALUACIÓN"+MarkEnd) || !strings.Contains(r.Snippet, MarkStart+"evaluación"+MarkEnd) {
		t.Errorf("snippet %q does not mark the matches", r.Snippet)
	}
}

// TestSearchRanksTheNewestWhenManyMatch pins the trade-off maxRanked
// makes: with more matches than it, older answers are not ranked at all.
func TestSearchRanksTheNewestWhenManyMatch(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := addSession(t, s, "Big", "webinar", at.Add(-3*time.Hour), time.Hour, nil)
	err := s.Update(ctx, func(tx *Tx) error {
		for i := range maxRanked + 50 {
			answer := "targeting once, among many other words that make this answer long"
			if i < 50 {
				answer = "targeting targeting targeting" // the best matches, but the oldest
			}
			if _, err := tx.SaveAnswer(ctx, Lesson{SessionID: sess.ID, UserID: fmt.Sprintf("U%d", i), Question: "Q?", Answer: answer}, at); err != nil {
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

func TestExpediteDelivery(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := addSession(t, s, "X", "webinar", now.Add(-3*time.Hour), time.Hour, nil)
	key := fmt.Sprintf("summary:%d:%d", sess.ID, sess.Start.Unix())
	var moved bool
	err := s.Update(ctx, func(tx *Tx) (err error) {
		if err := tx.Enqueue(ctx, Delivery{Kind: "summary", SessionID: sess.ID, Recipient: "CL", Due: now.Add(168 * time.Hour), Dedupe: key}, now); err != nil {
			return err
		}
		moved, err = tx.ExpediteDelivery(ctx, key, now)
		return err
	})
	if err != nil || !moved {
		t.Fatalf("expedite = %v, %v", moved, err)
	}
	due, err := s.DueDeliveries(ctx, now, 10)
	if err != nil || len(due) != 1 || due[0].Dedupe != key || !due[0].Due.Equal(now) {
		t.Fatalf("due after expedite = %+v, %v", due, err)
	}
	// Once sent, it stays sent: expediting again moves nothing.
	claim, err := s.ClaimDelivery(ctx, due[0].ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkPosted(ctx, claim, "C1", "1.1", now); err != nil {
		t.Fatal(err)
	}
	_ = s.Update(ctx, func(tx *Tx) (err error) { moved, err = tx.ExpediteDelivery(ctx, key, now.Add(time.Hour)); return })
	if moved {
		t.Error("a sent delivery was made due again")
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
	err = s.Update(ctx, func(tx *Tx) error {
		for i := 0; i < answers; i++ {
			if i%perSession == 0 {
				sess := &Session{Title: fmt.Sprintf("Session %d", i/perSession), Kind: "webinar", Start: start.Add(time.Duration(i) * time.Minute),
					Duration: time.Hour, TZ: "UTC", Creator: "UC", Created: start, Updated: start}
				if err := tx.CreateSession(ctx, sess); err != nil {
					return err
				}
			}
			words := make([]string, 20+lengths.IntN(60))
			for j := range words {
				words[j] = benchVocabulary[zipf.Uint64()]
			}
			if _, err := tx.SaveAnswer(ctx, Lesson{
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

package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func testSaveAnswerIsIdempotent(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := addSession(t, s, "Youth employment", "webinar", at.Add(-3*time.Hour), time.Hour, nil, store.Speaker{UserID: "U1"})

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

}

func testPromptLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	older := addSession(t, s, "Older", "webinar", now.Add(-48*time.Hour), time.Hour, nil, store.Speaker{UserID: "U1"})
	newer := addSession(t, s, "Newer", "webinar", now.Add(-3*time.Hour), time.Hour, nil, store.Speaker{UserID: "U1"})

	update := func(fn func(tx store.Tx) error) {
		t.Helper()
		if err := s.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	update(func(tx store.Tx) error {
		if _, err := tx.RecordPrompt(ctx, older.ID, "U1", "DU1", now.Add(-time.Hour)); err != nil {
			return err
		}
		_, err := tx.RecordPrompt(ctx, newer.ID, "U1", "DU1", now)
		return err
	})
	if ps, err := s.UserPrompts(ctx, "U1"); err != nil || len(ps) != 2 || ps[0].SessionID != newer.ID || ps[1].SessionID != older.ID {
		t.Fatalf("UserPrompts(U1) = %+v, %v; want the newer then the older", ps, err)
	}
	if ps, err := s.UserPrompts(ctx, "U2"); err != nil || len(ps) != 0 {
		t.Fatalf("UserPrompts(U2) = %+v, %v; want none", ps, err)
	}
	active := func(channel, user string) (store.Prompt, error) {
		var p store.Prompt
		err := s.Update(ctx, func(tx store.Tx) (err error) { p, err = tx.ActivePrompt(ctx, channel, user); return })
		return p, err
	}
	if p, err := active("DU1", "U1"); err != nil || p.SessionID != newer.ID || p.State != store.PromptAnswering || p.NextQuestion != 0 {
		t.Fatalf("active prompt = %+v, %v; want the newer session's, answering question 0", p, err)
	}
	if _, err := active("DU1", "U2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another user's reply found a prompt: %v", err)
	}

	update(func(tx store.Tx) error { return tx.AdvancePrompt(ctx, newer.ID, "U1", 1, store.PromptAnswering, now) })
	// A retried prompt delivery records it again; the progress stays.
	update(func(tx store.Tx) error {
		_, err := tx.RecordPrompt(ctx, newer.ID, "U1", "DU1", now.Add(time.Minute))
		return err
	})
	if p, err := s.Prompt(ctx, newer.ID, "U1"); err != nil || p.NextQuestion != 1 || p.State != store.PromptAnswering || !p.PromptedAt.Equal(now) {
		t.Errorf("prompt after re-record = %+v, %v; want question 1 kept", p, err)
	}

	update(func(tx store.Tx) error { return tx.StopPrompt(ctx, newer.ID, "U1", now) })
	if p, _ := s.Prompt(ctx, newer.ID, "U1"); !p.Finished() || p.State != store.PromptStopped {
		t.Errorf("after stop: %+v", p)
	}
	// With the newer one stopped, replies go to the older one still waiting.
	if p, err := active("DU1", "U1"); err != nil || p.SessionID != older.ID {
		t.Errorf("active after stop = %+v, %v; want the older session's", p, err)
	}
	var ps []store.Prompt
	err := s.Update(ctx, func(tx store.Tx) (err error) { ps, err = tx.Prompts(ctx, newer.ID); return })
	if err != nil || len(ps) != 1 || ps[0].UserID != "U1" {
		t.Errorf("Prompts = %+v, %v", ps, err)
	}
	if _, err := s.Prompt(ctx, newer.ID, "U9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown prompt: %v, want ErrNotFound", err)
	}
}

func testLessonsGroupedBySpeaker(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := addSession(t, s, "Cash transfers", "exchange", at.Add(-3*time.Hour), time.Hour, nil, store.Speaker{UserID: "UB"}, store.Speaker{UserID: "UA"})
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

func testSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	a := addSession(t, s, "Evaluación de impacto", "webinar", at.Add(-3*time.Hour), time.Hour, nil, store.Speaker{UserID: "U1"})
	b := addSession(t, s, "Cash transfers", "exchange", at.Add(-2*time.Hour), time.Hour, nil, store.Speaker{UserID: "U2"})
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
	if !strings.Contains(r.Snippet, store.MarkStart+"EVALUACIÓN"+store.MarkEnd) || !strings.Contains(r.Snippet, store.MarkStart+"evaluación"+store.MarkEnd) {
		t.Errorf("snippet %q does not mark the matches", r.Snippet)
	}
}

package exchange

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// TestQuestionsInTheReadersLanguage: each language reads its wording of
// the questions, a language without one the default list; an answer is
// kept with its question as it was asked, and its number, the same in
// every language.
func TestQuestionsInTheReadersLanguage(t *testing.T) {
	e := newTestService(t, func(p *Policy) {
		p.Lessons.Questions = []string{"What worked well?", "What would you do differently?"}
		p.Lessons.ByLang = map[string][]string{
			"es": {"¿Qué funcionó bien?", "¿Qué harías distinto?"},
			"pt": {"O que funcionou?"}, // too few: ignored, it would misnumber answers
		}
	})
	l := e.svc.p.Lessons
	for lang, want := range map[string]string{"es": "¿Qué funcionó bien?", "en": "What worked well?", "": "What worked well?", "pt": "What worked well?"} {
		if got := l.QuestionsIn(lang); len(got) != 2 || got[0] != want {
			t.Errorf("QuestionsIn(%q) = %q, want %q first", lang, got, want)
		}
	}

	ctx := context.Background()
	s, err := e.svc.Schedule(ctx, Actor{UserID: "U1"}, Draft{Title: "T", Start: t0.Add(2 * time.Hour),
		Speakers: []store.Speaker{{UserID: "U2"}, {UserID: "U3"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(4 * time.Hour)
	if _, err := e.svc.RecordPrompt(ctx, s.ID, "U2", "DU2"); err != nil {
		t.Fatal(err)
	}
	u2 := Walk{UserID: "U2", Channel: "DU2", Lang: "es"}
	if _, err := e.svc.Skip(ctx, u2); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Answer(ctx, u2, "Empezar antes."); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.SubmitAnswers(ctx, "U3", "en", s.ID, map[int]string{0: "Mirror teams."}, nil); err != nil {
		t.Fatal(err)
	}
	_, lessons, err := e.svc.Lessons(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lessons {
		got = append(got, l.UserID+" "+string(rune('0'+l.QuestionIdx))+" "+l.Question+" "+l.Answer)
	}
	slices.Sort(got)
	want := []string{"U2 1 ¿Qué harías distinto? Empezar antes.", "U3 0 What worked well? Mirror teams."}
	if !slices.Equal(got, want) {
		t.Errorf("lessons\n%q\nwant\n%q", got, want)
	}
}

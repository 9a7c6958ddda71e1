package exchange

import (
	"context"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

var jane = store.Speaker{Name: "Jane Doe", Email: "Jane@Example.org"}

func (e *testEnv) scheduleWith(speakers ...store.Speaker) *store.Session {
	e.t.Helper()
	sess, err := e.svc.Schedule(context.Background(), Actor{UserID: "U1", Channel: "C1"}, Draft{
		Title: "Transfers", Start: t0.Add(48 * time.Hour), Speakers: speakers,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return sess
}

func TestWithoutMailTheCreatorGetsTheAnswerLink(t *testing.T) {
	e := newTestService(t)
	sess := e.scheduleWith(store.Speaker{UserID: "U2"}, jane)
	links := e.rows(sess.ID, KindAnswerLink, store.StatePending)
	if len(links) != 1 || links[0].Recipient != "U1" || links[0].Payload != "jane@example.org" ||
		!links[0].Due.Equal(sess.End().Add(15*time.Minute)) || !links[0].Deadline.Equal(e.svc.Closes(sess)) {
		t.Fatalf("answer link rows = %+v", links)
	}
	for _, k := range []string{KindMailInvite, KindMailAnswer, KindMailCancel} {
		if rows := e.rows(sess.ID, k); len(rows) != 0 {
			t.Errorf("without mail, %d %s rows", len(rows), k)
		}
	}
	// A move plans it again for the new time.
	moved, _, err := e.svc.Move(context.Background(), Actor{UserID: "U1"}, sess.ID, sess.Start.Add(24*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if links := e.rows(sess.ID, KindAnswerLink, store.StatePending); len(links) != 1 || !links[0].Due.Equal(moved.End().Add(15*time.Minute)) {
		t.Errorf("after a move: %+v", links)
	}
}

func TestWithMailSpeakersOutsideSlackAreEmailed(t *testing.T) {
	e := newTestService(t, func(p *Policy) { p.Mail = true })
	ctx := context.Background()
	sess := e.scheduleWith(store.Speaker{UserID: "U2"}, jane)
	inv := e.rows(sess.ID, KindMailInvite)
	if len(inv) != 1 || inv[0].Recipient != "jane@example.org" || inv[0].Payload != "" {
		t.Fatalf("invitations = %+v", inv)
	}
	if ans := e.rows(sess.ID, KindMailAnswer); len(ans) != 1 || ans[0].Recipient != "jane@example.org" {
		t.Errorf("answer link emails = %+v", ans)
	}
	if links := e.rows(sess.ID, KindAnswerLink); len(links) != 0 {
		t.Errorf("with mail, the creator got %d answer link rows", len(links))
	}
	if _, _, err := e.svc.Move(ctx, Actor{UserID: "U1"}, sess.ID, sess.Start.Add(time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	inv = e.rows(sess.ID, KindMailInvite, store.StatePending)
	if len(inv) != 2 || inv[1].Payload != InviteUpdate || inv[0].Dedupe == inv[1].Dedupe {
		t.Errorf("after a move, invitations = %+v", inv)
	}
	// A Slack speaker added gets no email; an external one removed gets a cancel.
	if _, _, err := e.svc.AddSpeakers(ctx, Actor{UserID: "U1"}, sess.ID, []store.Speaker{{UserID: "U3"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.rows(sess.ID, KindMailInvite)); n != 2 {
		t.Errorf("adding a Slack speaker made %d invitations", n)
	}
	if _, _, err := e.svc.RemoveSpeakers(ctx, Actor{UserID: "U1"}, sess.ID, []store.Speaker{jane}); err != nil {
		t.Fatal(err)
	}
	if c := e.rows(sess.ID, KindMailCancel); len(c) != 1 || c[0].Recipient != "jane@example.org" {
		t.Errorf("removing her owes %+v", c)
	}
	if pend := e.rows(sess.ID, KindMailInvite, store.StatePending); len(pend) != 0 {
		t.Errorf("her pending invitations stay: %+v", pend)
	}
	if ans := e.rows(sess.ID, KindMailAnswer, store.StatePending); len(ans) != 0 {
		t.Errorf("her answer link stays owed: %+v", ans)
	}
}

func TestCancelOwesMailCancelAndDropsTheRest(t *testing.T) {
	e := newTestService(t, func(p *Policy) { p.Mail = true })
	sess := e.scheduleWith(jane)
	if _, err := e.svc.Cancel(context.Background(), Actor{UserID: "U1"}, sess.ID, "ill"); err != nil {
		t.Fatal(err)
	}
	if c := e.rows(sess.ID, KindMailCancel, store.StatePending); len(c) != 1 {
		t.Errorf("cancel rows = %+v", c)
	}
	for _, k := range []string{KindMailInvite, KindMailAnswer} {
		if rows := e.rows(sess.ID, k, store.StatePending); len(rows) != 0 {
			t.Errorf("%s still owed after the cancel: %+v", k, rows)
		}
	}
}

func TestAnswerFormByToken(t *testing.T) {
	e := newTestService(t, func(p *Policy) {
		// As many as the English questions, in the same order, as the
		// config requires.
		p.Lessons.ByLang = map[string][]string{"es": {"¿Qué funcionó?", "¿Qué cambiarías?", "¿Qué deberían replicar?"}}
	})
	ctx := context.Background()
	sess, err := e.svc.Schedule(ctx, Actor{UserID: "U1"}, Draft{Title: "T", Start: t0.Add(time.Hour), Lang: "es", Speakers: []store.Speaker{jane, {UserID: "U2"}}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.svc.IssueAnswerLink(ctx, sess.ID, "jane@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AnswerForm(ctx, tok); code(err) != CodeNotHeld {
		t.Errorf("before the end: %v", err)
	}
	e.clock.Add(3 * time.Hour)
	f, err := e.svc.AnswerForm(ctx, tok)
	if err != nil || f.Questions[1] != "¿Qué cambiarías?" || f.Speaker.Name != "Jane Doe" {
		t.Fatalf("form = %+v, %v", f, err)
	}
	if _, err := e.svc.SubmitExternal(ctx, tok, map[int]string{0: "  ", 1: ""}); code(err) != CodeNoAnswers {
		t.Errorf("an empty form: %v", err)
	}
	// The Slack speaker answers first: the summary still waits for Jane.
	if _, _, err := e.svc.SubmitAnswers(ctx, "U2", "", sess.ID, map[int]string{0: "ok"}, nil); err != nil {
		t.Fatal(err)
	}
	if s := e.rows(sess.ID, KindSummary, store.StatePending); len(s) != 1 || !s[0].Due.After(e.clock.Now()) {
		t.Errorf("summary expedited before the speaker outside Slack answered: %+v", s)
	}
	if _, err := e.svc.SubmitExternal(ctx, tok, map[int]string{1: "Start sooner.\u202e"}); err != nil {
		t.Fatal(err)
	}
	lessons, _ := e.store.Lessons(ctx, sess.ID)
	var hers []store.Lesson
	for _, l := range lessons {
		if l.UserID == "jane@example.org" {
			hers = append(hers, l)
		}
	}
	if len(hers) != 1 || hers[0].Answer != "Start sooner." || hers[0].Question != "¿Qué cambiarías?" {
		t.Errorf("her lessons = %+v", hers)
	}
	if s := e.rows(sess.ID, KindSummary, store.StatePending); len(s) != 1 || s[0].Due.After(e.clock.Now()) {
		t.Errorf("summary not expedited once both answered: %+v", s)
	}
	for _, bad := range []string{"", "nope", tok + "x"} {
		if _, err := e.svc.AnswerForm(ctx, bad); code(err) != CodeLinkClosed {
			t.Errorf("AnswerForm(%q) = %v", bad, err)
		}
	}
	e.clock.Add(168 * time.Hour)
	if _, err := e.svc.AnswerForm(ctx, tok); code(err) != CodeLinkClosed {
		t.Errorf("after close_after: %v", err)
	}
}

package exchange

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// formReplies are the form confirmations owed to user, in the order
// they were owed.
func (e *testEnv) formReplies(user string) []Reply {
	e.t.Helper()
	all, err := e.store.Deliveries(context.Background(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	var out []Reply
	for _, d := range all {
		if d.Kind != KindReply {
			continue
		}
		r, err := ReadReply(d.Payload)
		if err != nil {
			e.t.Fatal(err)
		}
		if d.Recipient == user && r.Form != nil {
			out = append(out, r)
		}
	}
	return out
}

// A form's answers owe their confirmation only when the surface asks
// for one, in the same commit, naming what was stored; a redelivered
// submission stores nothing and owes nothing more.
func TestSubmitAnswersConfirmsOnlyWhenAsked(t *testing.T) {
	e := newTestService(t)
	s := promptedWalk(t, e, "Youth employment")
	ctx := context.Background()
	if _, _, err := e.svc.SubmitAnswers(ctx, "U2", "en", s.ID, map[int]string{0: "Mirror teams."}, nil); err != nil {
		t.Fatal(err)
	}
	if got := e.formReplies("U2"); len(got) != 0 {
		t.Fatalf("confirmation owed though none was asked for: %+v", got)
	}

	key := store.WithRequestKey(ctx, "interaction:trig-1")
	before := e.changed.Load()
	if _, n, err := e.svc.SubmitAnswers(key, "U2", "en", s.ID, map[int]string{0: "Mirror teams.", 1: "Start earlier.", 2: " "}, &ConfirmTo{}); err != nil || n != 2 {
		t.Fatalf("submit = %d, %v", n, err)
	}
	if e.changed.Load() == before {
		t.Error("owing a confirmation did not wake the delivery engine")
	}
	want := []Reply{{Form: &FormReply{Saved: SavedLessons, Session: s.ID, Title: "Youth employment", Answers: 2}}}
	if got := e.formReplies("U2"); !reflect.DeepEqual(got, want) {
		t.Fatalf("confirmations = %+v, want %+v", got, want)
	}
	if d := e.rows(0, KindReply)[0]; !d.Due.Equal(e.clock.Now()) || !d.Deadline.Equal(e.clock.Now().Add(replyLate)) || d.SessionID != 0 {
		t.Errorf("confirmation row %+v", d)
	}
	again := store.WithRequestKey(ctx, "interaction:trig-1")
	if _, _, err := e.svc.SubmitAnswers(again, "U2", "en", s.ID, map[int]string{0: "Mirror teams."}, &ConfirmTo{}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("redelivered submission = %v, want ErrDuplicate", err)
	}
	// A refused form owes nothing either.
	if _, _, err := e.svc.SubmitAnswers(ctx, "U2", "en", s.ID, map[int]string{0: " "}, &ConfirmTo{}); code(err) != CodeNoAnswers {
		t.Fatalf("empty form = %v", err)
	}
	if got := e.formReplies("U2"); len(got) != 1 {
		t.Fatalf("%d confirmations after a redelivery and a refusal", len(got))
	}
	// A channel given is where it goes.
	if _, _, err := e.svc.SubmitAnswers(ctx, "U2", "en", s.ID, map[int]string{2: "Share the registry."}, &ConfirmTo{Channel: "DU2"}); err != nil {
		t.Fatal(err)
	}
	if got := e.formReplies("U2"); len(got) != 2 || got[1].Channel != "DU2" || got[1].Form.Answers != 1 {
		t.Fatalf("confirmations = %+v", got)
	}
}

// The evaluation forms confirm the same way: the plan at the ratings,
// what changed at the follow-up.
func TestEvaluationFormsConfirmOnlyWhenAsked(t *testing.T) {
	e := newTestService(t, evaluating)
	ctx := context.Background()
	s, d := heldSession(t, e, "P1", "P2")
	if _, err := e.svc.OweEvaluations(ctx, d, s); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SavePlan(ctx, "P2", s.ID, "Mentoring", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SavePlan(ctx, "P1", s.ID, "A checklist", &ConfirmTo{}); err != nil {
		t.Fatal(err)
	}
	if got := e.formReplies("P2"); len(got) != 0 {
		t.Errorf("P2 owed a confirmation unasked: %+v", got)
	}
	want := []Reply{{Form: &FormReply{Saved: SavedPlan, Session: s.ID, Title: "Youth employment"}}}
	if got := e.formReplies("P1"); !reflect.DeepEqual(got, want) {
		t.Fatalf("plan confirmations = %+v, want %+v", got, want)
	}
	// Refused (empty): nothing more owed.
	if _, err := e.svc.SavePlan(ctx, "P1", s.ID, " ", &ConfirmTo{}); code(err) != CodeEmptyAnswer {
		t.Fatalf("empty plan = %v", err)
	}

	// The follow-up, once asked.
	e.clock.Add(s.End().Add(2160 * time.Hour).Sub(e.clock.Now()))
	if _, ok, err := e.svc.EvaluationDM(ctx, KindFollowUp, s, "P1", "DP1"); err != nil || !ok {
		t.Fatalf("follow-up = %v, %v", ok, err)
	}
	if _, err := e.svc.SaveChange(ctx, "P1", s.ID, "Intake is faster", &ConfirmTo{}); err != nil {
		t.Fatal(err)
	}
	want = append(want, Reply{Form: &FormReply{Saved: SavedChange, Session: s.ID, Title: "Youth employment"}})
	if got := e.formReplies("P1"); !reflect.DeepEqual(got, want) {
		t.Fatalf("change confirmations = %+v, want %+v", got, want)
	}
}

// Scheduling confirms the same way, naming the session (a series' first
// occurrence) and the request it was planned from.
func TestScheduleConfirmsOnlyWhenAsked(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	by := Actor{UserID: "U1", Channel: "C1"}
	if _, err := e.svc.Schedule(ctx, by, Draft{Title: "Unasked", Start: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got := e.formReplies("U1"); len(got) != 0 {
		t.Fatalf("confirmation owed though none was asked for: %+v", got)
	}
	one, err := e.svc.Schedule(ctx, by, Draft{Title: "One", Start: t0.Add(2 * time.Hour), Confirm: &ConfirmTo{}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := e.svc.Schedule(ctx, by, Draft{Title: "Weekly", Start: t0.Add(3 * time.Hour),
		Repeat: Repeat{Every: EveryWeek, Count: count(2)}, Confirm: &ConfirmTo{}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Reply{
		{Form: &FormReply{Saved: SavedSession, Session: one.ID, Title: "One"}},
		{Form: &FormReply{Saved: SavedSession, Session: first.ID, Title: "Weekly"}},
	}
	if got := e.formReplies("U1"); !reflect.DeepEqual(got, want) {
		t.Fatalf("confirmations = %+v, want %+v", got, want)
	}
}

// A message added to the lessons after `stop` confirms the same way,
// naming the question it went to; a redelivered press adds nothing and
// owes nothing more.
func TestAddAnswerConfirmsOnlyWhenAsked(t *testing.T) {
	e := newTestService(t)
	s := stoppedAtSecond(t, e)
	ctx := context.Background()
	if _, _, err := e.svc.AddAnswer(ctx, "U2", s.ID, "", "More.", nil); err != nil {
		t.Fatal(err)
	}
	if got := e.formReplies("U2"); len(got) != 0 {
		t.Fatalf("confirmation owed though none was asked for: %+v", got)
	}
	key := store.WithRequestKey(ctx, "interaction:trig-add")
	if _, q, err := e.svc.AddAnswer(key, "U2", s.ID, "1764331201.000002", "Even more.", &ConfirmTo{Channel: "DU2"}); err != nil || q != 1 {
		t.Fatalf("AddAnswer = question %d, %v", q, err)
	}
	want := []Reply{{Channel: "DU2", Form: &FormReply{Saved: SavedAdded, Session: s.ID, Title: "Youth employment", Question: 1}}}
	if got := e.formReplies("U2"); !reflect.DeepEqual(got, want) {
		t.Fatalf("confirmations = %+v, want %+v", got, want)
	}
	again := store.WithRequestKey(ctx, "interaction:trig-add")
	if _, _, err := e.svc.AddAnswer(again, "U2", s.ID, "1764331201.000002", "Even more.", &ConfirmTo{Channel: "DU2"}); code(err) != CodeAlreadyAdded {
		t.Fatalf("redelivered press = %v, want %s", err, CodeAlreadyAdded)
	}
	// Refused (nothing to add): nothing more owed.
	if _, _, err := e.svc.AddAnswer(ctx, "U2", s.ID, "1764331201.000003", " ", &ConfirmTo{Channel: "DU2"}); code(err) != CodeNoAnswers {
		t.Fatalf("empty message = %v", err)
	}
	if got := e.formReplies("U2"); len(got) != 1 {
		t.Fatalf("%d confirmations after a redelivery and a refusal", len(got))
	}
	lessons, err := e.store.Lessons(ctx, s.ID)
	if err != nil || len(lessons) != 2 || lessons[1].Answer != "More.\n\nEven more." {
		t.Errorf("lessons: %+v, %v", lessons, err)
	}
}

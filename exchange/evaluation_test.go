package exchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func evaluating(p *Policy) {
	p.Evaluation = Evaluation{Enabled: true, After: 30 * time.Minute, NudgeAfter: 48 * time.Hour, CloseAfter: 168 * time.Hour, FollowUp: 2160 * time.Hour}
}

// heldSession schedules a session with speaker U2, created by U1, joined
// by the given people, and moves the clock to when its evaluation is
// owed; it returns the session and that fan-out row.
func heldSession(t *testing.T, e *testEnv, joiners ...string) (*store.Session, store.Delivery) {
	t.Helper()
	ctx := context.Background()
	s, err := e.svc.Schedule(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{Title: "Youth employment", Start: t0.Add(48 * time.Hour),
		Speakers: []store.Speaker{{UserID: "U2"}}, Partners: []string{"FISDL"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range joiners {
		if _, _, err := e.svc.Join(ctx, u, s.ID); err != nil {
			t.Fatal(err)
		}
	}
	rows := e.rows(s.ID, KindEvaluate)
	if len(rows) != 1 || !rows[0].Due.Equal(s.End().Add(30*time.Minute)) || rows[0].Recipient != "" {
		t.Fatalf("evaluate rows %+v", rows)
	}
	e.clock.Add(rows[0].Due.Sub(e.clock.Now()))
	return e.session(s.ID), rows[0]
}

// ratingsAsked is a held session whose participant P1 was sent the
// ratings DM in DP1.
func ratingsAsked(t *testing.T, e *testEnv) *store.Session {
	t.Helper()
	ctx := context.Background()
	s, d := heldSession(t, e, "P1")
	if _, err := e.svc.OweEvaluations(ctx, d, s); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := e.svc.EvaluationDM(ctx, KindEvaluation, s, "P1", "DP1"); !ok || err != nil {
		t.Fatalf("ratings DM owed: %v, %v", ok, err)
	}
	return s
}

func recipients(rows []store.Delivery) []string {
	var out []string
	for _, d := range rows {
		out = append(out, d.Recipient)
	}
	return out
}

// TestEvaluationAskedOfParticipantsOnce checks who is asked and what is
// owed: every participant but the speakers and the organiser, the
// opted-out left out, nothing twice when the work runs again, and the
// follow-up owed only to those who say what they will apply.
func TestEvaluationAskedOfParticipantsOnce(t *testing.T) {
	e := newTestService(t, evaluating)
	ctx := context.Background()
	if err := e.svc.OptOut(ctx, "P3"); err != nil {
		t.Fatal(err)
	}
	s, d := heldSession(t, e, "P1", "U2", "P2", "U1", "P3")
	for range 2 {
		n, err := e.svc.OweEvaluations(ctx, d, s)
		if err != nil || n != 2 {
			t.Fatalf("asked %d, %v", n, err)
		}
	}
	if got := recipients(e.rows(s.ID, KindEvaluation)); !slices.Equal(got, []string{"P1", "P2"}) {
		t.Errorf("ratings DMs to %v", got)
	}
	nudges := e.rows(s.ID, KindEvaluationNudge)
	if got := recipients(nudges); !slices.Equal(got, []string{"P1", "P2"}) || !nudges[0].Due.Equal(d.Due.Add(48*time.Hour)) ||
		!nudges[0].Deadline.Equal(s.End().Add(30*time.Minute+168*time.Hour)) {
		t.Errorf("nudges %+v", nudges)
	}
	if _, err := e.svc.SavePlan(ctx, "P1", s.ID, "A checklist", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Rate(ctx, "P2", s.ID, 3); err != nil {
		t.Fatal(err)
	}
	follow := e.rows(s.ID, KindFollowUp)
	if got := recipients(follow); !slices.Equal(got, []string{"P1"}) || !follow[0].Due.Equal(s.End().Add(2160*time.Hour)) {
		t.Errorf("follow-ups %+v", follow)
	}
	if got := recipients(e.rows(s.ID, KindFollowUpNudge)); !slices.Equal(got, []string{"P1"}) {
		t.Errorf("follow-up nudges to %v", got)
	}
	// No nudge to someone who answered anything (here, a plan).
	if _, ok, _ := e.svc.EvaluationDM(ctx, KindEvaluationNudge, s, "P1", "DP1"); ok {
		t.Error("a nudge is owed to someone who answered")
	}
	// Disabled: nothing planned, nothing asked.
	off := newTestService(t)
	s2, err := off.svc.Schedule(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{Title: "T", Start: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if rows := off.rows(s2.ID, KindEvaluate); len(rows) != 0 {
		t.Errorf("evaluation planned while disabled: %+v", rows)
	}
}

// snapshot is what a refused answer must leave as it was.
func (e *testEnv) snapshot(id int64) string {
	e.t.Helper()
	evs, err := e.store.Evaluations(context.Background(), store.EvaluationFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	rows, err := e.store.Deliveries(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := json.Marshal([]any{evs, len(rows)})
	return string(b)
}

// TestEvaluationRefusals checks each refused answer says why and stores
// nothing; and that a redelivered answer stores once.
func TestEvaluationRefusals(t *testing.T) {
	e := newTestService(t, evaluating)
	ctx := context.Background()
	s, d := heldSession(t, e, "P1", "P2")
	if _, err := e.svc.OweEvaluations(ctx, d, s); err != nil {
		t.Fatal(err)
	}
	before := e.snapshot(s.ID)
	for name, tc := range map[string]struct {
		err  error
		code string
	}{
		"did not join":        {func() error { _, err := e.svc.Rate(ctx, "UX", s.ID, 4); return err }(), CodeNotJoined},
		"the speaker":         {func() error { _, err := e.svc.Rate(ctx, "U2", s.ID, 4); return err }(), CodeNotJoined},
		"no such session":     {func() error { _, err := e.svc.Rate(ctx, "P1", 99, 4); return err }(), CodeNotFound},
		"rating 0":            {func() error { _, err := e.svc.Rate(ctx, "P1", s.ID, 0); return err }(), CodeRating},
		"rating 6":            {func() error { _, err := e.svc.Rate(ctx, "P1", s.ID, 6); return err }(), CodeRating},
		"empty plan":          {func() error { _, err := e.svc.SavePlan(ctx, "P1", s.ID, " \n ", nil); return err }(), CodeEmptyAnswer},
		"follow-up not asked": {func() error { _, err := e.svc.Apply(ctx, "P1", s.ID, store.AppliedYes); return err }(), CodeNotAsked},
		"applied what":        {func() error { _, err := e.svc.Apply(ctx, "P1", s.ID, "maybe"); return err }(), CodeApplied},
	} {
		if code(tc.err) != tc.code {
			t.Errorf("%s: %v, want %s", name, tc.err, tc.code)
		}
	}
	if after := e.snapshot(s.ID); after != before {
		t.Errorf("refusals changed the store:\n%s\n%s", before, after)
	}

	// A press redelivered under the same key stores once.
	key := store.WithRequestKey(ctx, "press:P1:eval_rate_4:1")
	if _, err := e.svc.Rate(key, "P1", s.ID, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Rate(ctx, "P1", s.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Rate(store.WithRequestKey(ctx, "press:P1:eval_rate_4:1"), "P1", s.ID, 4); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("redelivered press: %v", err)
	}
	if ev, _ := e.store.Evaluation(ctx, s.ID, "P1"); ev.Rating != 2 {
		t.Errorf("rating %d after a redelivered press, want the later 2", ev.Rating)
	}

	// After the close, nothing more is taken.
	e.clock.Add(168 * time.Hour)
	before = e.snapshot(s.ID)
	if _, err := e.svc.Rate(ctx, "P2", s.ID, 5); code(err) != CodeEvaluationClosed {
		t.Errorf("late rating: %v", err)
	}
	if _, err := e.svc.SavePlan(ctx, "P2", s.ID, "Late plan", nil); code(err) != CodeEvaluationClosed {
		t.Errorf("late plan: %v", err)
	}
	w := Walk{UserID: "P2", Channel: "DP2"}
	if st, err := e.svc.EvaluationReply(ctx, w, "Late words", false); err != nil || st.Session != nil {
		t.Errorf("a reply where nothing was asked: %+v, %v", st, err)
	}
	if after := e.snapshot(s.ID); after != before {
		t.Errorf("late answers changed the store")
	}
}

// TestEvaluationReplyRouting checks a DM reply goes to the question asked
// last: the evaluation's or a lesson walk-through's.
func TestEvaluationReplyRouting(t *testing.T) {
	e := newTestService(t, evaluating)
	ctx := context.Background()
	s, d := heldSession(t, e, "P1")
	if _, err := e.svc.OweEvaluations(ctx, d, s); err != nil {
		t.Fatal(err)
	}
	w := Walk{UserID: "P1", Channel: "DP1"}
	if e.svc.RepliesToEvaluation(ctx, w) {
		t.Error("a reply goes to an evaluation not yet sent")
	}
	if _, ok, err := e.svc.EvaluationDM(ctx, KindEvaluation, s, "P1", "DP1"); !ok || err != nil {
		t.Fatalf("ratings DM owed: %v, %v", ok, err)
	}
	if !e.svc.RepliesToEvaluation(ctx, w) {
		t.Error("a reply after the ratings DM does not answer it")
	}
	// A lesson prompt asked later takes the replies.
	e.clock.Add(time.Minute)
	if _, err := e.svc.RecordPrompt(ctx, s.ID, "P1", "DP1"); err != nil {
		t.Fatal(err)
	}
	if e.svc.RepliesToEvaluation(ctx, w) {
		t.Error("a reply after a later lesson question goes to the evaluation")
	}
	// skip keeps quiet: no plan, and no more replies taken.
	e.clock.Add(time.Minute)
	if _, ok, _ := e.svc.EvaluationDM(ctx, KindEvaluationNudge, s, "P1", "DP1"); !ok {
		t.Fatal("nudge not owed to the silent")
	}
	st, err := e.svc.EvaluationReply(ctx, w, "skip", true)
	if err != nil || !st.Stopped || st.Saved {
		t.Fatalf("skip: %+v, %v", st, err)
	}
	if ev, _ := e.store.Evaluation(ctx, s.ID, "P1"); ev.Plan != "" || ev.Awaiting != "" {
		t.Errorf("after skip: %+v", ev)
	}
}

// TestExportEvaluationsRoundTrip writes evaluations as CSV and JSON and
// reads them back with encoding/csv and encoding/json.
func TestExportEvaluationsRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC)
	evs := []store.Evaluation{
		{SessionID: 1, SessionTitle: `Youth, "employment"`, SessionKind: "webinar", SessionStart: at.Add(-3 * time.Hour), Partners: []string{"FISDL", "MIDIS"},
			UserID: "P1", AskedAt: at, Rating: 4, RatedAt: at.Add(time.Hour), Plan: "Line one,\nline two", PlanAt: at.Add(2 * time.Hour),
			FollowedUpAt: at.Add(2160 * time.Hour), Applied: store.AppliedPartly, AppliedAt: at.Add(2161 * time.Hour), Changed: "=HYPERLINK(\"x\")", ChangedAt: at.Add(2161 * time.Hour)},
		{SessionID: 1, SessionTitle: `Youth, "employment"`, SessionKind: "webinar", SessionStart: at.Add(-3 * time.Hour), UserID: "P2", AskedAt: at,
			Plan: "-5% errors", PlanAt: at.Add(time.Hour)},
	}
	var buf bytes.Buffer
	if err := WriteEvaluations(&buf, "csv", evs); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 3 || !slices.Equal(records[0], evaluationColumns) {
		t.Fatalf("csv header %q, %d records", records[0], len(records))
	}
	for i, e := range evs {
		want := ExportEvaluation(e).CSVRecord()
		got := records[i+1]
		for j, cell := range got {
			w := want[j]
			if w != "" && strings.ContainsRune("=+-@", rune(w[0])) {
				w = "'" + w // neutralised for spreadsheets
			}
			if cell != w {
				t.Errorf("row %d %s = %q, want %q", i+1, evaluationColumns[j], cell, w)
			}
		}
	}
	if r := records[1]; r[4] != "FISDL; MIDIS" || r[7] != "4" || r[9] != "Line one,\nline two" || r[14] != `'=HYPERLINK("x")` || r[11] != "2026-06-03T18:00:00Z" {
		t.Errorf("first row %q", r)
	}
	if r := records[2]; r[7] != "" || r[8] != "" || r[9] != "'-5% errors" || r[4] != "" {
		t.Errorf("second row %q", r)
	}

	buf.Reset()
	if err := WriteEvaluations(&buf, "json", evs); err != nil {
		t.Fatal(err)
	}
	var back []ExportedEvaluation
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	want := []ExportedEvaluation{ExportEvaluation(evs[0]), ExportEvaluation(evs[1])}
	if !reflect.DeepEqual(back, want) {
		t.Errorf("json round trip\n got %+v\nwant %+v", back, want)
	}
	if back[0].Changed != `=HYPERLINK("x")` || back[1].Rating != 0 || back[1].RatedAt != "" || len(back[1].Partners) != 0 {
		t.Errorf("json keeps text as typed and zero values empty: %+v", back)
	}
	var keys []map[string]any
	json.Unmarshal(buf.Bytes(), &keys)
	for _, k := range evaluationColumns {
		if _, ok := keys[0][k]; !ok {
			t.Errorf("json lacks the key %q", k)
		}
	}
	if err := WriteEvaluations(&buf, "md", evs); err == nil {
		t.Error("md accepted")
	}
}

// A question closed since takes no more DM replies, so the person's
// replies go where they would have gone without it; and an evaluation DM
// that cannot be delivered does not write to the session's creator.
func TestClosedEvaluationLetsRepliesGo(t *testing.T) {
	e := newTestService(t, evaluating)
	ctx := context.Background()
	s := ratingsAsked(t, e)
	w := Walk{UserID: "P1", Channel: "DP1"}
	e.clock.Add(168*time.Hour - time.Second)
	if !e.svc.RepliesToEvaluation(ctx, w) {
		t.Error("a reply a second before the close does not answer the evaluation")
	}
	e.clock.Add(time.Second)
	if e.svc.RepliesToEvaluation(ctx, w) {
		t.Error("a reply after the close still goes to the evaluation")
	}
	row := e.rows(s.ID, KindEvaluation)[0]
	if _, ok := Undelivered(row, s, "DP1", "user_not_found", e.clock.Now()); ok {
		t.Error("a failed ratings DM owes the creator a note")
	}
	if _, ok := Undelivered(store.Delivery{ID: 1, Kind: KindReminder, SessionID: s.ID}, s, "C1", "channel_not_found", e.clock.Now()); !ok {
		t.Error("a failed reminder no longer owes the creator a note")
	}
}

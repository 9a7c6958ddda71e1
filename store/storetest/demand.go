package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// testRequests checks a request's life: stored with its partners, listed
// by status and period, planned into a session (whose start it then
// reads), and a request merged into it reading the same session.
func testRequests(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	mk := func(topic, asker string, at time.Time, partners ...string) store.Request {
		r := store.Request{Topic: topic, Asker: asker, Channel: "CFOR", Partners: partners, Created: at, Updated: at}
		update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateRequest(ctx, &r) })
		return r
	}
	a := mk("Youth employment", "U1", now, "FISDL", "MIDIS")
	b := mk("Rural credit", "U2", now.Add(time.Hour))
	c := mk("Youth jobs", "U3", now.Add(2*time.Hour), "FISDL")
	if a.ID == 0 || b.ID == a.ID || a.Status != store.RequestOpen {
		t.Fatalf("created %+v %+v", a, b)
	}
	got, err := s.Request(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Topic != "Youth employment" || got.Asker != "U1" || got.Channel != "CFOR" || !reflect.DeepEqual(got.Partners, []string{"FISDL", "MIDIS"}) ||
		!got.Created.Equal(now) || got.Status != store.RequestOpen || got.SessionID != 0 || !got.SessionStart.IsZero() {
		t.Fatalf("read back %+v", got)
	}
	if _, err := s.Request(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown request: %v", err)
	}

	sess := createSample(t, s)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DecideRequest(ctx, a.ID, store.RequestChange{Status: store.RequestPlanned, SessionID: sess.ID, DecidedBy: "UC"}, now.Add(3*time.Hour)); err != nil {
			return err
		}
		if err := tx.DecideRequest(ctx, c.ID, store.RequestChange{Status: store.RequestMerged, MergedInto: a.ID, DecidedBy: "UC"}, now.Add(3*time.Hour)); err != nil {
			return err
		}
		if err := tx.DecideRequest(ctx, b.ID, store.RequestChange{Status: store.RequestDeclined, Reason: "out of scope", DecidedBy: "UC"}, now.Add(3*time.Hour)); err != nil {
			return err
		}
		if err := tx.DecideRequest(ctx, 999, store.RequestChange{Status: store.RequestDeclined}, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deciding an unknown request: %v", err)
		}
		merged, err := tx.Requests(ctx, store.RequestFilter{MergedInto: a.ID})
		if err != nil || len(merged) != 1 || merged[0].ID != c.ID {
			t.Errorf("merged into %d: %+v, %v", a.ID, merged, err)
		}
		return nil
	})
	all, err := s.Requests(ctx, store.RequestFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("all requests: %+v, %v", all, err)
	}
	byID := map[int64]store.Request{}
	for _, r := range all {
		byID[r.ID] = r
	}
	pa, pb, pc := byID[a.ID], byID[b.ID], byID[c.ID]
	if pa.Status != store.RequestPlanned || pa.SessionID != sess.ID || !pa.SessionStart.Equal(sess.Start) || pa.SessionStatus != store.StatusConfirmed ||
		pa.DecidedBy != "UC" || !pa.Updated.Equal(now.Add(3*time.Hour)) {
		t.Errorf("planned %+v", pa)
	}
	if pb.Status != store.RequestDeclined || pb.Reason != "out of scope" || !pb.SessionStart.IsZero() {
		t.Errorf("declined %+v", pb)
	}
	if pc.Status != store.RequestMerged || pc.MergedInto != a.ID || !pc.SessionStart.Equal(sess.Start) || pc.SessionID != 0 {
		t.Errorf("merged %+v", pc)
	}
	for _, tc := range []struct {
		f    store.RequestFilter
		want []int64
	}{
		{store.RequestFilter{Status: store.RequestDeclined}, []int64{b.ID}},
		{store.RequestFilter{From: now.Add(time.Hour), To: now.Add(2 * time.Hour)}, []int64{b.ID}},
		{store.RequestFilter{Newest: true, Limit: 2}, []int64{c.ID, b.ID}},
		{store.RequestFilter{SessionID: sess.ID}, []int64{a.ID}},
	} {
		rs, err := s.Requests(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("Requests(%+v) = %v, want %v", tc.f, ids, tc.want)
		}
	}
}

// testEvaluations checks an evaluation's life: asked once, answers set
// field by field with their times, a DM reply finding the question asked
// last, an opt-out that stops every question, and the listing with each
// session's details.
func testEvaluations(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	other := addSession(t, s, "Other", "exchange", sess.Start.Add(48*time.Hour), time.Hour, nil)
	at := sess.End().Add(30 * time.Minute)
	var asked []bool
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, k := range []struct {
			id   int64
			user string
		}{{sess.ID, "P1"}, {sess.ID, "P1"}, {sess.ID, "P2"}, {other.ID, "P1"}} {
			ok, err := tx.AskEvaluation(ctx, k.id, k.user, at)
			if err != nil {
				return err
			}
			asked = append(asked, ok)
		}
		return nil
	})
	if !reflect.DeepEqual(asked, []bool{true, false, true, true}) {
		t.Fatalf("asked %v", asked)
	}
	str := func(v string) *string { return &v }
	four := 4
	change := func(id int64, user string, c store.EvaluationChange, at time.Time) {
		t.Helper()
		update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.ChangeEvaluation(ctx, id, user, c, at) })
	}
	change(sess.ID, "P1", store.EvaluationChange{DMChannel: str("DP1"), Awaiting: str(store.AwaitPlan)}, at)
	change(other.ID, "P1", store.EvaluationChange{DMChannel: str("DP1"), Awaiting: str(store.AwaitPlan)}, at.Add(time.Hour))
	if e, err := s.ActiveEvaluation(ctx, "DP1", "P1"); err != nil || e.SessionID != other.ID || !e.AwaitingSince.Equal(at.Add(time.Hour)) {
		t.Fatalf("active: %+v, %v (want the one asked last)", e, err)
	}
	if _, err := s.ActiveEvaluation(ctx, "DP1", "P2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another user's DM: %v", err)
	}
	change(sess.ID, "P1", store.EvaluationChange{Rating: &four}, at.Add(2*time.Hour))
	change(sess.ID, "P1", store.EvaluationChange{Plan: str("A checklist"), Awaiting: str(store.AwaitNothing)}, at.Add(3*time.Hour))
	change(sess.ID, "P1", store.EvaluationChange{FollowedUp: true, Awaiting: str(store.AwaitChange)}, at.Add(90*24*time.Hour))
	change(sess.ID, "P1", store.EvaluationChange{Applied: str(store.AppliedPartly), Changed: str("Faster intake")}, at.Add(91*24*time.Hour))
	e, err := s.Evaluation(ctx, sess.ID, "P1")
	if err != nil {
		t.Fatal(err)
	}
	want := store.Evaluation{SessionID: sess.ID, UserID: "P1", DMChannel: "DP1", Awaiting: store.AwaitChange, AwaitingSince: at.Add(90 * 24 * time.Hour),
		AskedAt: at, Rating: 4, RatedAt: at.Add(2 * time.Hour), Plan: "A checklist", PlanAt: at.Add(3 * time.Hour),
		FollowedUpAt: at.Add(90 * 24 * time.Hour), Applied: store.AppliedPartly, AppliedAt: at.Add(91 * 24 * time.Hour),
		Changed: "Faster intake", ChangedAt: at.Add(91 * 24 * time.Hour)}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("evaluation\n got %+v\nwant %+v", e, want)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.ChangeEvaluation(ctx, sess.ID, "NOBODY", store.EvaluationChange{Rating: &four}, at)
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("changing an evaluation never asked: %v", err)
	}

	if out, err := s.OptedOut(ctx, "P1"); err != nil || out {
		t.Fatalf("opted out before asking: %v, %v", out, err)
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.OptOut(ctx, "P1", at) })
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.OptOut(ctx, "P1", at) }) // twice is harmless
	if out, err := s.OptedOut(ctx, "P1"); err != nil || !out {
		t.Fatalf("opted out: %v, %v", out, err)
	}
	if _, err := s.ActiveEvaluation(ctx, "DP1", "P1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a DM reply after opting out still finds a question: %v", err)
	}

	list, err := s.Evaluations(ctx, store.EvaluationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range list {
		keys = append(keys, e.SessionTitle+"/"+e.UserID)
	}
	if !reflect.DeepEqual(keys, []string{"Youth employment/P1", "Youth employment/P2", "Other/P1"}) {
		t.Fatalf("listed %v", keys)
	}
	if l := list[0]; l.SessionKind != "webinar" || !l.SessionStart.Equal(sess.Start) || !l.SessionEnd.Equal(sess.End()) ||
		!reflect.DeepEqual(l.Partners, []string{"FISDL El Salvador"}) || l.Rating != 4 || l.Plan != "A checklist" {
		t.Errorf("listed with details %+v", l)
	}
	if list[2].Partners != nil {
		t.Errorf("a session without partners lists %q", list[2].Partners)
	}
	if l, err := s.Evaluations(ctx, store.EvaluationFilter{From: other.Start, To: other.Start.Add(time.Minute)}); err != nil || len(l) != 1 || l[0].SessionID != other.ID {
		t.Errorf("filtered by period: %+v, %v", l, err)
	}
}

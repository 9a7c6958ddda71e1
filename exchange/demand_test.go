package exchange

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func staffOnly(p *Policy) { p.Staff = []string{"U1"} }

func (e *testEnv) request(id int64) store.Request {
	e.t.Helper()
	r, err := e.store.Request(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// news lists the request news rows owed, as "recipient:event:request".
func (e *testEnv) news() []string {
	e.t.Helper()
	all, err := e.store.Deliveries(context.Background(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, d := range all {
		if d.Kind != KindRequestNews || d.State != store.StatePending {
			continue
		}
		n, err := ReadRequestNews(d.Payload)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, strings.Join([]string{d.Recipient, n.Event, strconv.FormatInt(n.Request, 10)}, ":"))
	}
	return out
}

// TestRequestRules checks who may do what with requests, that a refusal
// changes nothing, and what each asker is owed.
func TestRequestRules(t *testing.T) {
	e := newTestService(t, staffOnly)
	ctx := context.Background()
	anyone, staff := Actor{UserID: "UA", Channel: "C1"}, Actor{UserID: "U1", Channel: "C1"}

	if _, err := e.svc.Request(ctx, anyone, Ask{Topic: "  \u202e "}); code(err) != CodeTopicEmpty {
		t.Errorf("empty topic: %v", err)
	}
	if _, err := e.svc.Request(ctx, anyone, Ask{Topic: strings.Repeat("é", MaxTitle+1)}); code(err) != CodeTopicTooLong {
		t.Errorf("long topic: %v", err)
	}
	r1, err := e.svc.Request(ctx, anyone, Ask{Topic: "Youth\nemployment", Partners: []string{"FISDL", " "}, Channel: "CFOR"})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Topic != "Youth employment" || len(r1.Partners) != 1 || r1.Asker != "UA" || r1.Status != store.RequestOpen {
		t.Errorf("request %+v", r1)
	}
	r2, _ := e.svc.Request(ctx, Actor{UserID: "UB"}, Ask{Topic: "Rural jobs"})
	r3, _ := e.svc.Request(ctx, Actor{UserID: "UC"}, Ask{Topic: "Tax policy"})

	for name, err := range map[string]error{
		"list":    func() error { _, err := e.svc.Requests(ctx, anyone, RequestsOpen); return err }(),
		"plan":    func() error { _, _, err := e.svc.PlanDraft(ctx, anyone, r1.ID); return err }(),
		"decline": func() error { _, err := e.svc.Decline(ctx, anyone, r1.ID, ""); return err }(),
		"merge":   func() error { _, _, err := e.svc.Merge(ctx, anyone, r2.ID, r1.ID); return err }(),
	} {
		if code(err) != CodeNotStaff {
			t.Errorf("%s by someone not staff: %v", name, err)
		}
	}
	if _, _, err := e.svc.Merge(ctx, staff, r2.ID, r2.ID); code(err) != CodeMergeSelf {
		t.Errorf("merge into itself: %v", err)
	}
	if _, _, err := e.svc.Merge(ctx, staff, r2.ID, 99); code(err) != CodeRequestNotFound {
		t.Errorf("merge into nothing: %v", err)
	}
	if _, err := e.svc.Decline(ctx, staff, 99, ""); code(err) != CodeRequestNotFound {
		t.Errorf("decline nothing: %v", err)
	}
	if got := e.news(); len(got) != 0 {
		t.Fatalf("refusals owed %v", got)
	}

	if _, _, err := e.svc.Merge(ctx, staff, r2.ID, r1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Decline(ctx, staff, r3.ID, "out of scope"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Decline(ctx, staff, r2.ID, ""); code(err) != CodeRequestDecided {
		t.Errorf("declining a merged request: %v", err)
	}
	if _, _, err := e.svc.Merge(ctx, staff, r1.ID, r3.ID); code(err) != CodeRequestDecided {
		t.Errorf("merging into a declined request: %v", err)
	}
	open, err := e.svc.Requests(ctx, staff, RequestsOpen)
	if err != nil || len(open) != 1 || open[0].ID != r1.ID {
		t.Errorf("open requests %+v, %v", open, err)
	}

	// Planning links the session in the same transaction, and the askers
	// of the request and of the one merged into it are told.
	_, d, err := e.svc.PlanDraft(ctx, staff, r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Youth employment" || d.Channel != "CFOR" || d.Request != r1.ID || len(d.Partners) != 1 {
		t.Errorf("draft %+v", d)
	}
	d.Start = t0.Add(72 * time.Hour)
	sess, err := e.svc.Schedule(ctx, staff, d)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.request(r1.ID); r.Status != store.RequestPlanned || r.SessionID != sess.ID || r.DecidedBy != "U1" {
		t.Errorf("planned %+v", r)
	}
	want := []string{"UB:merged:2", "UC:declined:3", "UA:planned:1", "UB:planned:2"}
	if got := e.news(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("news %v, want %v", got, want)
	}
	// A request already planned cannot be planned again: nothing stored.
	d.Start = t0.Add(96 * time.Hour)
	before, _ := e.store.CountSessions(ctx)
	if _, err := e.svc.Schedule(ctx, staff, d); code(err) != CodeRequestDecided {
		t.Errorf("planning twice: %v", err)
	}
	if after, _ := e.store.CountSessions(ctx); after != before {
		t.Errorf("a refused plan stored a session")
	}
	// A request merged into a planned one is told of its session at once.
	r4, _ := e.svc.Request(ctx, Actor{UserID: "UD"}, Ask{Topic: "Youth again"})
	if _, _, err := e.svc.Merge(ctx, staff, r4.ID, r1.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.news(); !strings.Contains(strings.Join(got, " "), "UD:merged:4 UD:planned:4") {
		t.Errorf("news after merging into a planned request: %v", got)
	}
	// Cancelling the session puts the request back among the open ones.
	if _, err := e.svc.Cancel(ctx, staff, sess.ID, ""); err != nil {
		t.Fatal(err)
	}
	if r := e.request(r1.ID); r.Status != store.RequestOpen || r.SessionID != 0 {
		t.Errorf("after cancelling its session: %+v", r)
	}
}

package exchange

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func TestListPagesCountAndMineIncludesCreated(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	for i := range 30 {
		by := Actor{UserID: "U1", Channel: "C1"}
		if i%2 == 1 {
			by.UserID = "U2"
		}
		if _, err := e.svc.Schedule(ctx, by, Draft{Title: fmt.Sprintf("S%02d", i), Start: t0.Add(time.Duration(i+1) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := e.svc.List(ctx, "U9", ScopeUpcoming, 0)
	if err != nil || p.Number != 1 || p.Total != 30 || len(p.Sessions) != ListLimit || p.More() != 5 || p.Pages() != 2 {
		t.Fatalf("page 1: number %d total %d len %d more %d, %v", p.Number, p.Total, len(p.Sessions), p.More(), err)
	}
	p, _ = e.svc.List(ctx, "U9", ScopeUpcoming, 2)
	if len(p.Sessions) != 5 || p.More() != 0 || p.Sessions[0].Title != "S25" {
		t.Fatalf("page 2: %d sessions, more %d", len(p.Sessions), p.More())
	}
	p, _ = e.svc.List(ctx, "U2", ScopeMine, 1)
	if p.Total != 15 {
		t.Errorf("U2 created 15, list mine has %d", p.Total)
	}
	// Still running counts as upcoming; over does not.
	e.clock.Add(2 * time.Hour) // S00 has just ended, S01 has just begun
	if p, _ = e.svc.List(ctx, "U9", ScopeUpcoming, 1); p.Total != 29 || p.Sessions[0].Title != "S01" {
		t.Errorf("after the first ended: total %d, first %s", p.Total, p.Sessions[0].Title)
	}
}

func TestJoinAndLeaveOweCoalescedRefreshes(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	s, err := e.svc.Schedule(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{Title: "T", Start: t0.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"U3", "U4", "U5"} {
		if _, _, err := e.svc.Join(ctx, u, s.ID); err != nil {
			t.Fatal(err)
		}
	}
	e.svc.Leave(ctx, "U4", s.ID)
	var coalesced []store.Delivery
	for _, d := range e.rows(s.ID, KindUpdate) {
		if d.Dedupe != "" {
			coalesced = append(coalesced, d)
		}
	}
	if len(coalesced) != 1 || !coalesced[0].Due.Equal(windowEnd(t0)) {
		t.Fatalf("coalesced updates: %+v", coalesced)
	}
	all, _ := e.store.Deliveries(ctx, 0)
	homes := map[string]int{}
	for _, d := range all {
		if d.Kind == KindHome {
			homes[d.Recipient]++
		}
	}
	if homes["U1"] != 1 || homes["U3"] != 1 || homes["U4"] != 1 || homes["U5"] != 1 {
		t.Errorf("Home refreshes, one per person in the window: %v", homes)
	}
	// The next window owes another.
	e.clock.Add(Coalesce)
	e.svc.Join(ctx, "U6", s.ID)
	if n := len(e.rows(s.ID, KindUpdate)); n != 2 {
		t.Errorf("%d update rows after a join in the next window, want 2", n)
	}
}

func TestHomeAndPendingPrompts(t *testing.T) {
	e := newTestService(t, func(p *Policy) { p.Staff = []string{"U1"} })
	ctx := context.Background()
	held, _ := e.svc.Schedule(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{Title: "Held", Start: t0.Add(time.Hour), Speakers: []store.Speaker{{UserID: "U2"}}})
	next, _ := e.svc.Schedule(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{Title: "Next", Start: t0.Add(72 * time.Hour)})
	e.svc.Join(ctx, "U3", next.ID)
	e.clock.Add(3 * time.Hour)
	if _, err := e.svc.RecordPrompt(ctx, held.ID, "U2", "DU2"); err != nil {
		t.Fatal(err)
	}
	h, err := e.svc.Home(ctx, "U2")
	if err != nil || len(h.Prompts) != 1 || h.Prompts[0].Session.ID != held.ID || h.Staff || len(h.Sessions) != 0 {
		t.Fatalf("U2's Home: %+v, %v", h, err)
	}
	h, _ = e.svc.Home(ctx, "U1")
	if !h.Staff || h.Total != 1 || h.Sessions[0].ID != next.ID || h.Month.Day() != 1 {
		t.Fatalf("U1's Home: %+v", h)
	}
	if h, _ = e.svc.Home(ctx, "U3"); h.Total != 1 {
		t.Errorf("U3 joined one: %+v", h)
	}
	// Stopped, then a message: offered, and added to the question stopped at.
	w := Walk{UserID: "U2", Channel: "DU2"}
	e.svc.Answer(ctx, w, "First.")
	e.svc.Stop(ctx, w)
	if s, ok := e.svc.Stopped(ctx, w); !ok || s.ID != held.ID {
		t.Fatalf("Stopped = %v, %v", s, ok)
	}
	if _, q, err := e.svc.AddAnswer(ctx, "U2", held.ID, "1.1", "More.", nil); err != nil || q != 1 {
		t.Fatalf("AddAnswer: question %d, %v", q, err)
	}
	if _, q, _ := e.svc.AddAnswer(ctx, "U2", held.ID, "1.2", "Even more.", nil); q != 1 {
		t.Fatalf("second AddAnswer went to question %d", q)
	}
	lessons, _ := e.store.Lessons(ctx, held.ID)
	if len(lessons) != 2 || lessons[1].Answer != "More.\n\nEven more." {
		t.Errorf("lessons: %+v", lessons)
	}
	if _, _, err := e.svc.AddAnswer(ctx, "U9", held.ID, "1.3", "Not mine.", nil); err == nil {
		t.Error("someone not asked added an answer")
	}
	if h, _ := e.svc.Home(ctx, "U2"); len(h.Prompts) != 0 {
		t.Errorf("a stopped prompt is still pending: %+v", h.Prompts)
	}
}

func TestEditOwesLinkNoteAndSpeakerDMs(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	s, _ := e.svc.Schedule(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{Title: "T", Start: t0.Add(48 * time.Hour)})
	title := "T2"
	e.svc.Edit(ctx, Actor{UserID: "U1"}, s.ID, Changes{Title: &title})
	if n := len(e.rows(s.ID, KindThread)); n != 0 {
		t.Errorf("a title change owes %d thread notes, want none", n)
	}
	link := "https://meet.example.org/x"
	e.svc.Edit(ctx, Actor{UserID: "U1"}, s.ID, Changes{Link: &link})
	if notes := e.rows(s.ID, KindThread); len(notes) != 1 {
		t.Errorf("a new link owes %d thread notes, want 1", len(notes))
	}
	e.svc.AddSpeakers(ctx, Actor{UserID: "U1"}, s.ID, []store.Speaker{{UserID: "U7"}, {Name: "Ana", Email: "ana@example.org"}})
	if dms := e.rows(s.ID, KindSpeakerAdded); len(dms) != 1 || dms[0].Recipient != "U7" {
		t.Errorf("speaker DMs: %+v", dms)
	}
}

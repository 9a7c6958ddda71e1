package exchange

import (
	"context"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Joining the series joins every occurrence still ahead, with their
// reminders; leaving it leaves them.
func TestJoinAndLeaveSeries(t *testing.T) {
	e := newTestService(t)
	ctx := context.Background()
	sr := scheduleMonthly(t, e, 4)
	ids := []int64{sr.Occurrences[0].ID, sr.Occurrences[1].ID, sr.Occurrences[2].ID, sr.Occurrences[3].ID}
	if _, err := e.svc.CancelSeries(ctx, Actor{UserID: "U1"}, ids[3], ""); err != nil {
		t.Fatal(err)
	}
	// The first is over by now (10 March), the fourth cancelled.
	e.clock.Add(15 * 24 * time.Hour)
	if _, joined, err := e.svc.Join(ctx, "U5", ids[1]); err != nil || !joined {
		t.Fatalf("join one: %v %v", joined, err)
	}
	_, n, err := e.svc.JoinSeries(ctx, "U5", ids[0])
	if err != nil || n != 1 {
		t.Fatalf("JoinSeries = %d, %v; want the one not joined yet", n, err)
	}
	for i, id := range ids {
		s := e.session(id)
		in := s.HasParticipant("U5")
		if in != (i == 1 || i == 2) {
			t.Errorf("#%d: joined %v", id, in)
		}
		var mine []string
		for _, d := range e.rows(id, KindReminder, store.StatePending) {
			if d.Recipient == "U5" {
				mine = append(mine, d.Payload)
			}
		}
		if (len(mine) == 2) != in {
			t.Errorf("#%d: U5's reminders %v", id, mine)
		}
	}
	if _, n, _ := e.svc.JoinSeries(ctx, "U5", ids[2]); n != 0 {
		t.Errorf("joining again joined %d", n)
	}
	if _, n, err := e.svc.LeaveSeries(ctx, "U5", ids[2]); err != nil || n != 2 {
		t.Fatalf("LeaveSeries = %d, %v", n, err)
	}
	for _, id := range ids {
		if e.session(id).HasParticipant("U5") {
			t.Errorf("#%d still has U5", id)
		}
		for _, d := range e.rows(id, KindReminder, store.StatePending) {
			if d.Recipient == "U5" {
				t.Errorf("#%d still reminds U5: %+v", id, d)
			}
		}
	}
	// Once every occurrence is over, there is nothing to join.
	e.clock.Add(365 * 24 * time.Hour)
	if _, _, err := e.svc.JoinSeries(ctx, "U5", ids[0]); code(err) != CodeOver {
		t.Errorf("join a series that is over: %v", err)
	}
}

// A speaker outside Slack is invited to each occurrence by email, sent an
// update for each one moved and a cancellation for each one cancelled.
func TestSeriesExternalSpeakerInvitations(t *testing.T) {
	e := newTestService(t, func(p *Policy) { p.Mail = true })
	ctx := context.Background()
	sr, err := e.svc.ScheduleSeries(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{
		Title: "CoP", Start: time.Date(2026, 3, 10, 15, 0, 0, 0, mustZone("America/Santiago")),
		Speakers: []store.Speaker{{Name: "Jane Doe", Email: "jane@example.org"}},
		Repeat:   Repeat{Every: EveryMonth, Count: count(3)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := []int64{sr.Occurrences[0].ID, sr.Occurrences[1].ID, sr.Occurrences[2].ID}
	for _, id := range ids {
		if inv := e.rows(id, KindMailInvite); len(inv) != 1 || inv[0].Recipient != "jane@example.org" || inv[0].Payload != "" {
			t.Errorf("#%d invitations %+v", id, inv)
		}
	}
	if _, _, err := e.svc.MoveSeries(ctx, Actor{UserID: "U1"}, ids[1], time.Date(2026, 4, 11, 15, 0, 0, 0, mustZone("America/Santiago")), 0); err != nil {
		t.Fatal(err)
	}
	if inv := e.rows(ids[0], KindMailInvite); len(inv) != 1 {
		t.Errorf("the first, not moved, has invitations %+v", inv)
	}
	for _, id := range ids[1:] {
		inv := e.rows(id, KindMailInvite)
		updates := 0
		for _, d := range inv {
			if d.Payload == InviteUpdate {
				updates++
			}
		}
		if len(inv) != 2 || updates != 1 {
			t.Errorf("#%d after the move: invitations %+v", id, inv)
		}
	}
	if _, err := e.svc.CancelSeries(ctx, Actor{UserID: "U1"}, ids[2], ""); err != nil {
		t.Fatal(err)
	}
	if c := e.rows(ids[2], KindMailCancel); len(c) != 1 || c[0].Recipient != "jane@example.org" {
		t.Errorf("the cancelled one's cancellation %+v", c)
	}
	if c := e.rows(ids[1], KindMailCancel); len(c) != 0 {
		t.Errorf("a cancellation for one not cancelled %+v", c)
	}
}

// A series planned from a request meets it with its first occurrence, and
// each occurrence owes its own evaluation.
func TestSeriesFromARequestEvaluatedPerOccurrence(t *testing.T) {
	e := newTestService(t, func(p *Policy) {
		p.Evaluation = Evaluation{Enabled: true, After: 30 * time.Minute, NudgeAfter: 48 * time.Hour, CloseAfter: 168 * time.Hour}
	})
	ctx := context.Background()
	r, err := e.svc.Request(ctx, Actor{UserID: "U9", Channel: "C1"}, Ask{Topic: "Community of practice"})
	if err != nil {
		t.Fatal(err)
	}
	_, d, err := e.svc.PlanDraft(ctx, Actor{UserID: "U1"}, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.Start = time.Date(2026, 3, 10, 15, 0, 0, 0, mustZone("America/Santiago"))
	d.Repeat = Repeat{Every: EveryMonth, Count: count(3)}
	sr, err := e.svc.ScheduleSeries(ctx, Actor{UserID: "U1", Channel: "C1"}, d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.store.Request(ctx, r.ID)
	if err != nil || got.Status != store.RequestPlanned || got.SessionID != sr.Occurrences[0].ID {
		t.Errorf("request %+v, %v; want planned into #%d", got, err, sr.Occurrences[0].ID)
	}
	for _, o := range sr.Occurrences {
		if ev := e.rows(o.ID, KindEvaluate); len(ev) != 1 || !ev[0].Due.Equal(o.End().Add(30*time.Minute)) {
			t.Errorf("#%d evaluation rows %+v", o.ID, ev)
		}
	}
}

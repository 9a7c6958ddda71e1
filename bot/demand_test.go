package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/exchangebot/exchangebot/store"
)

// TestPlanInOneLine: outside Slack `plan` says how to write it in one
// line; in one line it schedules what the request asked for, links it
// and owes the asker the news; a request planned cannot be planned again.
func TestPlanInOneLine(t *testing.T) {
	e := newTestBot(t, evalConfig)
	e.run("UA", `request "Youth employment" partner:FISDL for:<#CANN|south>`)
	if got := e.run("U1", "plan 1"); !strings.Contains(got, "The form opens only inside Slack") || !strings.Contains(got, "plan 1 2026-12-03 15:00 90m") {
		t.Errorf("plan outside Slack: %s", got)
	}
	if got := e.run("UA", "plan 1 "+futureDate(3)+" 15:00"); !strings.Contains(got, "Only staff can schedule") {
		t.Errorf("plan by someone not staff: %s", got)
	}
	got := e.run("U1", fmt.Sprintf("plan 1 %s 15:00 90m <@U2|ana> kind:workshop partner:MIDIS", futureDate(3)))
	if !strings.Contains(got, "Scheduled *#1* Youth employment") || !strings.Contains(got, "Planned from request #1: <@UA> gets a DM") {
		t.Fatalf("plan in one line: %s", got)
	}
	s, err := e.store.Session(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != "workshop" || s.Channel != "CANN" || strings.Join(s.Partners, ",") != "FISDL,MIDIS" || len(s.Speakers) != 1 {
		t.Errorf("session %+v", s)
	}
	if r, _ := e.store.Request(context.Background(), 1); r.Status != store.RequestPlanned || r.SessionID != 1 {
		t.Errorf("request %+v", r)
	}
	if got := e.run("U1", "plan 1 "+futureDate(4)+" 15:00"); !strings.Contains(got, "Request #1 is already planned, as session #1") {
		t.Errorf("planning twice: %s", got)
	}
	if got := e.run("U1", "plan 7"); !strings.Contains(got, "There is no request #7") {
		t.Errorf("plan of nothing: %s", got)
	}
	e.settle()
	if m := e.lastPost("DUA"); !strings.Contains(m.Text, "is scheduled: *#1 Youth employment*") {
		t.Errorf("asker told %q", m.Text)
	}
	if got := e.run("U1", "requests all"); !strings.Contains(got, "*#1* Youth employment · <@UA>") || !strings.Contains(got, "planned: #1") {
		t.Errorf("requests all: %s", got)
	}
	if got := e.run("U1", "requests"); !strings.Contains(got, "No open requests") {
		t.Errorf("requests: %s", got)
	}
}

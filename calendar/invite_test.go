package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/store"
)

func inviteSession() *store.Session {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	return &store.Session{
		ID: 7, Title: "Transferencias, parte 2", Kind: "exchange", Start: at.Add(48 * time.Hour), Duration: time.Hour,
		Link: "https://meet.example.org/t2", Sequence: 3, Created: at, Updated: at.Add(time.Hour), Status: store.StatusConfirmed,
		Speakers: []store.Speaker{{Name: "María Pérez", Email: "maria@example.org"}},
	}
}

func TestInviteGolden(t *testing.T) {
	f := Feed{BaseURL: "https://bot.example.org"}
	s := inviteSession()
	b, err := f.InviteBytes(s, MethodRequest, "Exchanges <bot@example.org>", s.Speakers[0])
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"BEGIN:VCALENDAR",
		"CALSCALE:GREGORIAN",
		"METHOD:REQUEST",
		"PRODID:-//exchangebot//calendar//EN",
		"VERSION:2.0",
		"BEGIN:VEVENT",
		// 75 octets: the accented letters take two each.
		"ATTENDEE;CN=María Pérez;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=F",
		" ALSE:mailto:maria@example.org",
		"CATEGORIES:exchange",
		"CREATED:20261201T120000Z",
		"DESCRIPTION:Speakers: María Pérez\\nJoin: https://meet.example.org/t2",
		"DTEND:20261203T130000Z",
		"DTSTAMP:20261201T130000Z",
		"DTSTART:20261203T120000Z",
		"LAST-MODIFIED:20261201T130000Z",
		"LOCATION:https://meet.example.org/t2",
		"ORGANIZER:mailto:bot@example.org",
		"SEQUENCE:3",
		"STATUS:CONFIRMED",
		"SUMMARY:Transferencias\\, parte 2",
		"UID:session-7@bot.example.org",
		"URL:https://bot.example.org/calendar/session/7.ics",
		"END:VEVENT",
		"END:VCALENDAR",
		"",
	}, "\r\n")
	if string(b) != want {
		t.Errorf("invitation:\n%s\nwant:\n%s", b, want)
	}
}

// An independent parser reads the invitation and its cancellation as the
// same event, the cancellation cancelled.
func TestInviteParsesBack(t *testing.T) {
	f := Feed{BaseURL: "https://bot.example.org"}
	s := inviteSession()
	for _, method := range []string{MethodRequest, MethodCancel} {
		b, err := f.InviteBytes(s, method, "bot@example.org", s.Speakers[0])
		if err != nil {
			t.Fatal(err)
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		found := false
		for _, p := range cal.CalendarProperties {
			if p.IANAToken == "METHOD" && p.Value == method {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no METHOD:%s in the calendar", method, method)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%s: %d events", method, len(evs))
		}
		ev := evs[0]
		if ev.Id() != UID(f.BaseURL, s.ID) {
			t.Errorf("%s: UID %q", method, ev.Id())
		}
		status := ev.GetProperty(ics.ComponentPropertyStatus).Value
		if want := map[string]string{MethodRequest: "CONFIRMED", MethodCancel: "CANCELLED"}[method]; status != want {
			t.Errorf("%s: STATUS %s, want %s", method, status, want)
		}
		if att := ev.Attendees(); len(att) != 1 || att[0].Email() != "maria@example.org" {
			t.Errorf("%s: attendees %v", method, att)
		}
	}
}

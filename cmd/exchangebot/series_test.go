package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

// A weekly series on the built binary: one command schedules it, one
// announcement goes out, the feed (parsed by golang-ical) holds one event
// per occurrence at the local time, and `cancel 2 all` cancels the second
// and third in the feed and under the announcement.
func TestSeriesOnTheBinary(t *testing.T) {
	p, fake := startWithFake(t)
	santiago := mustZone(t, "America/Santiago")
	first := time.Now().In(santiago).AddDate(0, 0, 5)
	code, body := p.command("U1", `new "Community of practice" `+first.Format("2006-01-02")+` 15:00 <#C1|general> tz:America/Santiago every:week count:3`)
	if code != 200 || !strings.Contains(body, "Scheduled a series of 3 sessions, every week") {
		t.Fatalf("new: %d %s", code, body)
	}
	post := waitCalls(t, fake, "chat.postMessage", 1)[0]
	if !strings.Contains(post.Blocks(), `"action_id":"series_join"`) || strings.Count(post.Blocks(), "<!date^") != 3 {
		t.Fatalf("announcement: %s", post.Blocks())
	}
	annTS := fake.Messages()[0].TS

	feed := func() []*ics.VEvent {
		resp, err := http.Get("http://" + p.addr + "/calendar/all.ics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if strings.Contains(string(b), "RRULE") {
			t.Errorf("RRULE in the feed:\n%s", b)
		}
		cal, err := ics.ParseCalendar(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("golang-ical: %v\n%s", err, b)
		}
		return cal.Events()
	}
	evs := feed()
	if len(evs) != 3 {
		t.Fatalf("%d events, want 3", len(evs))
	}
	for i, ev := range evs {
		start, err := ev.GetStartAt()
		want := first.AddDate(0, 0, 7*i)
		if local := start.In(santiago); err != nil || local.Hour() != 15 || local.Day() != want.Day() {
			t.Errorf("event %d starts %v (%v), want %s 15:00", i, local, err, want.Format("2006-01-02"))
		}
	}

	if _, body := p.command("U1", "cancel 2 all"); !strings.Contains(body, "Cancelled 2 sessions") {
		t.Fatalf("cancel all: %s", body)
	}
	note := waitCalls(t, fake, "chat.postMessage", 2)[1]
	if note.Form.Get("thread_ts") != annTS || !strings.Contains(note.Form.Get("text"), "Cancelled: the 2 sessions") {
		t.Errorf("note: %+v", note.Form)
	}
	statuses := []string{}
	for _, ev := range feed() {
		statuses = append(statuses, ev.GetProperty(ics.ComponentPropertyStatus).Value)
	}
	if strings.Join(statuses, " ") != "CONFIRMED CANCELLED CANCELLED" {
		t.Errorf("statuses %v", statuses)
	}
}

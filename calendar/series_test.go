package calendar

import (
	"context"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/store"
)

// A series is published as one event per occurrence, each with its own
// UID, SEQUENCE and STATUS, never as an RRULE: a monthly series at 15:00
// in Santiago across its April change of time has its starts in UTC an
// hour apart, and cancelling one occurrence changes that event alone.
func TestSeriesOccurrencesAreEventsOfTheirOwn(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true})
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	sr := &store.Series{Every: "month", Creator: "U1", Created: t0}
	fs.update(func(ctx context.Context, tx store.Tx) error { return tx.CreateSeries(ctx, sr) })
	var ids []int64
	for m := time.March; m <= time.May; m++ {
		ids = append(ids, fs.create(store.Session{
			Title: "Community of practice", TZ: "America/Santiago", SeriesID: sr.ID,
			Start: time.Date(2025, m, 10, 15, 0, 0, 0, santiago),
		}))
	}
	fs.clock.Add(time.Hour)
	fs.update(func(ctx context.Context, tx store.Tx) error { return tx.Cancel(ctx, ids[1], "", fs.clock.Now()) })

	body, cal := fs.feed("/calendar/all.ics")
	for _, no := range []string{"RRULE", "RECURRENCE-ID", "EXDATE", "RDATE"} {
		if strings.Contains(body, no) {
			t.Errorf("the feed has %s:\n%s", no, body)
		}
	}
	want := []struct{ uid, start, seq, status string }{
		{"session-1@bot.example.org", "20250310T180000Z", "0", "CONFIRMED"}, // 15:00 -03
		{"session-2@bot.example.org", "20250410T190000Z", "1", "CANCELLED"}, // 15:00 -04
		{"session-3@bot.example.org", "20250510T190000Z", "0", "CONFIRMED"},
	}
	evs := cal.Events()
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d:\n%s", len(evs), len(want), body)
	}
	for i, w := range want {
		ev := evs[i]
		got := []string{ev.Id(), prop(ev, ics.ComponentPropertyDtStart), prop(ev, ics.ComponentPropertySequence), prop(ev, ics.ComponentPropertyStatus)}
		if strings.Join(got, " ") != strings.Join([]string{w.uid, w.start, w.seq, w.status}, " ") {
			t.Errorf("event %d: %v, want %+v", i, got, w)
		}
		start, err := ev.GetStartAt()
		if err != nil || start.In(santiago).Hour() != 15 {
			t.Errorf("event %d starts %v in Santiago (%v), want 15:00", i, start.In(santiago), err)
		}
	}
}

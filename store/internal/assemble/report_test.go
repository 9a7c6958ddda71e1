package assemble

import (
	"reflect"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []int64
		want time.Duration
	}{
		{nil, 0},
		{[]int64{7200}, 2 * time.Hour},
		{[]int64{36000, 7200, 86400}, 10 * time.Hour},
		{[]int64{3600, 7200}, 90 * time.Minute},
	}
	for _, tt := range tests {
		if got := Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestReport(t *testing.T) {
	r := store.Report{ByKind: []store.Count{{Label: "webinar", N: 3}, {Label: "workshop", N: 2}}}
	Report(&r, []int64{7200, 3600, 86400})
	want := store.Report{
		ByKind:              r.ByKind,
		Held:                5,
		Captured:            3,
		MedianToFirstLesson: 2 * time.Hour,
		FirstLessons:        []time.Duration{time.Hour, 2 * time.Hour, 24 * time.Hour},
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Report = %+v\nwant %+v", r, want)
	}
}

// TestMonths lists the months between two with sessions, across a year's
// end, with every kind in the report's order, from rows in any order.
func TestMonths(t *testing.T) {
	kinds := []store.Count{{Label: "webinar", N: 4}, {Label: "workshop", N: 1}}
	at := func(y int, m time.Month, d int) int64 { return time.Date(y, m, d, 15, 0, 0, 0, time.UTC).Unix() }
	got := Months([]HeldRow{
		{at(2026, 2, 3), "webinar", false},
		{at(2025, 11, 4), "webinar", true},
		{at(2025, 11, 30), "workshop", true},
		{at(2025, 11, 1), "webinar", false},
		{at(2026, 2, 27), "webinar", false},
	}, kinds, nil)
	month := func(y int, m time.Month, held, captured, webinars, workshops int) store.Month {
		return store.Month{Start: time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), Held: held, Captured: captured,
			ByKind: []store.Count{{Label: "webinar", N: webinars}, {Label: "workshop", N: workshops}}}
	}
	want := []store.Month{
		month(2025, 11, 3, 2, 2, 1),
		month(2025, 12, 0, 0, 0, 0),
		month(2026, 1, 0, 0, 0, 0),
		month(2026, 2, 2, 0, 2, 0),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Months =\n%+v\nwant\n%+v", got, want)
	}
	if got := Months(nil, kinds, nil); got != nil {
		t.Errorf("Months(nil) = %v; want none", got)
	}
}

// TestMonthsInZone puts each session in the calendar month of the zone:
// 23:30 on a month's last day stays in that month, 00:30 on the 1st is
// the new one, though UTC reads each the other way, and across the DST
// changes (Santiago in April and September, Madrid in March and October).
func TestMonthsInZone(t *testing.T) {
	tests := []struct {
		zone  string
		local [5]int // year, month, day, hour, minute where the session starts
		want  string // the month it counts in
	}{
		{"America/Santiago", [5]int{2026, 1, 31, 23, 30}, "2026-01"}, // 02:30 UTC on 1 February
		{"America/Santiago", [5]int{2026, 2, 1, 0, 30}, "2026-02"},
		{"America/Santiago", [5]int{2025, 12, 31, 23, 30}, "2025-12"}, // the year's end: 2026 in UTC
		{"America/Santiago", [5]int{2026, 3, 31, 23, 30}, "2026-03"},  // summer time, 02:30 UTC
		{"America/Santiago", [5]int{2026, 4, 30, 23, 30}, "2026-04"},  // after the April change: 03:30 UTC
		{"America/Santiago", [5]int{2026, 5, 1, 0, 30}, "2026-05"},
		{"America/Santiago", [5]int{2026, 8, 31, 23, 30}, "2026-08"}, // before the September change
		{"America/Santiago", [5]int{2026, 9, 30, 23, 30}, "2026-09"}, // after it
		{"America/Santiago", [5]int{2026, 10, 1, 0, 30}, "2026-10"},
		{"Europe/Madrid", [5]int{2026, 1, 1, 0, 30}, "2026-01"}, // 23:30 UTC on 31 December
		{"Europe/Madrid", [5]int{2026, 2, 1, 0, 30}, "2026-02"},
		{"Europe/Madrid", [5]int{2026, 1, 31, 23, 30}, "2026-01"},
		{"Europe/Madrid", [5]int{2026, 3, 31, 23, 30}, "2026-03"}, // after the March change: 21:30 UTC
		{"Europe/Madrid", [5]int{2026, 4, 1, 0, 30}, "2026-04"},   // 22:30 UTC on 31 March
		{"Europe/Madrid", [5]int{2026, 10, 31, 23, 30}, "2026-10"},
		{"Europe/Madrid", [5]int{2026, 11, 1, 0, 30}, "2026-11"}, // after the October change: 23:30 UTC
	}
	kinds := []store.Count{{Label: "webinar", N: 1}}
	utcDiffers := 0
	for _, tt := range tests {
		loc, err := time.LoadLocation(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		l := tt.local
		start := time.Date(l[0], time.Month(l[1]), l[2], l[3], l[4], 0, 0, loc)
		if start.UTC().Format("2006-01") != tt.want {
			utcDiffers++
		}
		t.Run(tt.zone+" "+start.Format("2006-01-02 15:04"), func(t *testing.T) {
			got := Months([]HeldRow{{Start: start.Unix(), Kind: "webinar", Captured: true}}, kinds, loc)
			if len(got) != 1 {
				t.Fatalf("Months = %+v, want one month", got)
			}
			m := got[0]
			y, mo, _ := start.Date()
			if want := time.Date(y, mo, 1, 0, 0, 0, 0, loc); m.Start.Format("2006-01") != tt.want || !m.Start.Equal(want) || m.Start.Location() != loc {
				t.Errorf("month %v, want %s starting %v", m.Start, tt.want, want)
			}
			if m.Held != 1 || m.Captured != 1 || m.ByKind[0].N != 1 {
				t.Errorf("counts %+v, want the session held, captured, a webinar", m)
			}
		})
	}

	if utcDiffers < len(tests)/2 {
		t.Errorf("only %d of %d cases fall in another month in UTC: the table does not tell zones from UTC", utcDiffers, len(tests))
	}

	// Months between two, counted on the calendar across both changes of
	// the year: each starts at local midnight on the 1st, whatever its offset.
	santiago, _ := time.LoadLocation("America/Santiago")
	got := Months([]HeldRow{
		{Start: time.Date(2026, 1, 31, 22, 0, 0, 0, santiago).Unix(), Kind: "webinar"},
		{Start: time.Date(2026, 10, 1, 0, 30, 0, 0, santiago).Unix(), Kind: "webinar"},
	}, kinds, santiago)
	if len(got) != 10 {
		t.Fatalf("January to October: %d months", len(got))
	}
	for i, m := range got {
		want := time.Date(2026, time.Month(i+1), 1, 0, 0, 0, 0, santiago)
		if !m.Start.Equal(want) || m.Start.Hour() != 0 {
			t.Errorf("month %d starts %v, want %v", i+1, m.Start, want)
		}
	}
	if got[0].Held != 1 || got[9].Held != 1 || got[1].Held != 0 {
		t.Errorf("held: January %d, February %d, October %d; want 1, 0, 1", got[0].Held, got[1].Held, got[9].Held)
	}
}

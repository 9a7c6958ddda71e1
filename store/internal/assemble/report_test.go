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
// end, with every kind in the report's order.
func TestMonths(t *testing.T) {
	kinds := []store.Count{{Label: "webinar", N: 4}, {Label: "workshop", N: 1}}
	got, err := Months([]MonthRow{
		{"2025-11", "webinar", 2, 1},
		{"2025-11", "workshop", 1, 1},
		{"2026-02", "webinar", 2, 0},
	}, kinds)
	if err != nil {
		t.Fatal(err)
	}
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
	if got, err := Months(nil, kinds); err != nil || got != nil {
		t.Errorf("Months(nil) = %v, %v; want none", got, err)
	}
	if _, err := Months([]MonthRow{{Month: "2026/02"}}, kinds); err == nil {
		t.Error("Months of a malformed month: no error")
	}
}

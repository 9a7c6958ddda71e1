package exchange

import (
	"strings"
	"testing"
	"time"
)

func count(n int) *int { return &n }

// wall lists times as the clocks in loc show them, for comparing.
func wall(ts []time.Time, loc *time.Location) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.In(loc).Format("2006-01-02 15:04 -07")
	}
	return strings.Join(parts, ", ")
}

func TestOccurrences(t *testing.T) {
	santiago := mustZone("America/Santiago")
	at := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, santiago) }
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, santiago) }
	tests := []struct {
		name  string
		start time.Time
		r     Repeat
		want  string
	}{
		{"weekly, count", at(2026, 3, 3, 15, 0), Repeat{Every: EveryWeek, Count: count(3)},
			"2026-03-03 15:00 -03, 2026-03-10 15:00 -03, 2026-03-17 15:00 -03"},
		{"every two weeks, until inclusive", at(2026, 3, 3, 15, 0), Repeat{Every: EveryTwoWeeks, Until: day(2026, 3, 31)},
			"2026-03-03 15:00 -03, 2026-03-17 15:00 -03, 2026-03-31 15:00 -03"},
		{"until the start's own day is one", at(2026, 3, 3, 15, 0), Repeat{Every: EveryWeek, Until: day(2026, 3, 3)},
			"2026-03-03 15:00 -03"},
		{"until in another zone is read as a day in the session's",
			at(2026, 3, 3, 15, 0), Repeat{Every: EveryWeek, Until: time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)}, // 9 March in Santiago
			"2026-03-03 15:00 -03"},
		// Santiago leaves daylight saving on 5 April 2026 and returns to it
		// on 6 September: 15:00 local throughout, so the UTC offset moves.
		{"monthly across both DST changes keeps 15:00", at(2026, 3, 10, 15, 0), Repeat{Every: EveryMonth, Count: count(8)},
			"2026-03-10 15:00 -03, 2026-04-10 15:00 -04, 2026-05-10 15:00 -04, 2026-06-10 15:00 -04, " +
				"2026-07-10 15:00 -04, 2026-08-10 15:00 -04, 2026-09-10 15:00 -03, 2026-10-10 15:00 -03"},
		{"weekly across the April change keeps 15:00", at(2026, 3, 31, 15, 0), Repeat{Every: EveryWeek, Count: count(2)},
			"2026-03-31 15:00 -03, 2026-04-07 15:00 -04"},
		// 00:30 does not exist on 6 September 2026 in Santiago (00:00 jumps
		// to 01:00): that one moves past the gap, the next is 00:30 again.
		{"a wall time in the DST gap moves past it", at(2026, 8, 30, 0, 30), Repeat{Every: EveryWeek, Count: count(3)},
			"2026-08-30 00:30 -04, 2026-09-06 01:30 -03, 2026-09-13 00:30 -03"},
		// The 31st: the last day of shorter months, back to the 31st after.
		{"monthly on the 31st takes the last day of shorter months", at(2026, 12, 31, 9, 0), Repeat{Every: EveryMonth, Count: count(5)},
			"2026-12-31 09:00 -03, 2027-01-31 09:00 -03, 2027-02-28 09:00 -03, 2027-03-31 09:00 -03, 2027-04-30 09:00 -04"},
		{"monthly on the 30th in a leap February", at(2028, 1, 30, 9, 0), Repeat{Every: EveryMonth, Count: count(3)},
			"2028-01-30 09:00 -03, 2028-02-29 09:00 -03, 2028-03-30 09:00 -03"},
		{"monthly until a day inside a month", at(2026, 1, 15, 9, 0), Repeat{Every: EveryMonth, Until: day(2026, 4, 14)},
			"2026-01-15 09:00 -03, 2026-02-15 09:00 -03, 2026-03-15 09:00 -03"},
		{"a weekly series the limit allows exactly", at(2026, 1, 6, 9, 0), Repeat{Every: EveryWeek, Count: count(MaxOccurrences)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Occurrences(tt.start, santiago, tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(got) != MaxOccurrences {
					t.Fatalf("%d occurrences, want %d", len(got), MaxOccurrences)
				}
				return
			}
			if w := wall(got, santiago); w != tt.want {
				t.Errorf("occurrences\n got %s\nwant %s", w, tt.want)
			}
		})
	}
}

// Without until: or count:, a series runs a year.
func TestOccurrencesDefaultAYear(t *testing.T) {
	santiago := mustZone("America/Santiago")
	start := time.Date(2026, 3, 3, 15, 0, 0, 0, santiago)
	for every, want := range map[string]int{EveryWeek: 52, EveryTwoWeeks: 26, EveryMonth: 12} {
		got, err := Occurrences(start, santiago, Repeat{Every: every})
		if err != nil || len(got) != want {
			t.Errorf("every %s: %d occurrences, %v; want %d", every, len(got), err, want)
			continue
		}
		if last := got[len(got)-1]; !last.Before(start.AddDate(1, 0, 0)) {
			t.Errorf("every %s: the last, %v, is a year or more after the start", every, last)
		}
	}
}

func TestOccurrencesMistakes(t *testing.T) {
	santiago := mustZone("America/Santiago")
	start := time.Date(2026, 3, 3, 15, 0, 0, 0, santiago)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, santiago) }
	tests := []struct {
		name string
		r    Repeat
		code string
		args map[string]any
	}{
		{"unknown interval", Repeat{Every: "day"}, CodeEvery, map[string]any{"every": "day"}},
		{"count 0", Repeat{Every: EveryWeek, Count: count(0)}, CodeSeriesCount, map[string]any{"count": 0, "max": MaxOccurrences}},
		{"negative count", Repeat{Every: EveryWeek, Count: count(-2)}, CodeSeriesCount, map[string]any{"count": -2}},
		{"count over the limit", Repeat{Every: EveryMonth, Count: count(53)}, CodeSeriesCount, map[string]any{"count": 53, "max": 52}},
		{"until and count", Repeat{Every: EveryWeek, Count: count(3), Until: day(2026, 5, 1)}, CodeSeriesEnds, nil},
		{"until before the start", Repeat{Every: EveryWeek, Until: day(2026, 3, 2)}, CodeSeriesUntil,
			map[string]any{"until": time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), "tz": "America/Santiago"}},
		{"until a year and a day later, weekly", Repeat{Every: EveryWeek, Until: day(2027, 3, 2)}, CodeSeriesTooLong,
			map[string]any{"every": EveryWeek, "max": MaxOccurrences, "until": time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)}},
		{"monthly for five years", Repeat{Every: EveryMonth, Until: day(2031, 3, 3)}, CodeSeriesTooLong, map[string]any{"every": EveryMonth}},
		{"until the year 9999", Repeat{Every: EveryWeek, Until: day(9999, 12, 31)}, CodeSeriesTooLong, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Occurrences(start, santiago, tt.r)
			if code(err) != tt.code {
				t.Fatalf("Occurrences = %d, %v; want %s", len(got), err, tt.code)
			}
			e, _ := AsError(err)
			for k, want := range tt.args {
				if g := e.Arg(k); g != want {
					if gt, ok := g.(time.Time); !ok || !gt.Equal(want.(time.Time)) {
						t.Errorf("Args[%q] = %v, want %v", k, g, want)
					}
				}
			}
		})
	}
	// A year of weekly sessions on the same weekday is 52: until the day
	// before the first anniversary is allowed, the anniversary is not.
	if got, err := Occurrences(start, santiago, Repeat{Every: EveryWeek, Until: day(2027, 3, 1)}); err != nil || len(got) != 52 {
		t.Errorf("weekly until 2027-03-01: %d, %v; want 52", len(got), err)
	}
}

func TestShiftWall(t *testing.T) {
	santiago := mustZone("America/Santiago")
	at := func(m time.Month, d, h, mi int) time.Time { return time.Date(2026, m, d, h, mi, 0, 0, santiago) }
	// A Tuesday 15:00 series moved to Wednesday 16:00 in March: its May
	// occurrence (after the April change) goes to Wednesday 16:00 too.
	from, to := at(3, 31, 15, 0), at(4, 1, 16, 0)
	if got, want := shiftWall(at(5, 12, 15, 0), from, to, santiago), at(5, 13, 16, 0); !got.Equal(want) {
		t.Errorf("shifted to %v, want %v", got, want)
	}
	// Back a day and two hours, across midnight.
	if got, want := shiftWall(at(6, 2, 1, 0), at(3, 31, 1, 0), at(3, 29, 23, 0), santiago), at(5, 31, 23, 0); !got.Equal(want) {
		t.Errorf("shifted back to %v, want %v", got, want)
	}
}

package bot

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestWhen(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	// Saturday 28 November 2026, 10:00 in Santiago (-03).
	satSantiago := time.Date(2026, 11, 28, 10, 0, 0, 0, santiago)
	// Thursday 31 December 2026, 23:30 UTC.
	newYearsEve := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name        string
		date, clock string
		now         time.Time
		want        time.Time
	}{
		{"iso date", "2026-12-03", "15:00", satSantiago, time.Date(2026, 12, 3, 15, 0, 0, 0, santiago)},
		{"today later", "today", "15:00", satSantiago, time.Date(2026, 11, 28, 15, 0, 0, 0, santiago)},
		{"hoy", "hoy", "10:00", satSantiago, time.Date(2026, 11, 28, 10, 0, 0, 0, santiago)},
		{"tomorrow", "tomorrow", "3pm", satSantiago, time.Date(2026, 11, 29, 15, 0, 0, 0, santiago)},
		{"mañana", "Mañana", "12am", satSantiago, time.Date(2026, 11, 29, 0, 0, 0, 0, santiago)},
		{"same weekday is next week", "sat", "15:00", satSantiago, time.Date(2026, 12, 5, 15, 0, 0, 0, santiago)},
		{"sábado next week", "sábado", "9am", satSantiago, time.Date(2026, 12, 5, 9, 0, 0, 0, santiago)},
		{"sunday", "sun", "9am", satSantiago, time.Date(2026, 11, 29, 9, 0, 0, 0, santiago)},
		{"lunes", "lunes", "12pm", satSantiago, time.Date(2026, 11, 30, 12, 0, 0, 0, santiago)},
		{"friday", "Friday", "15h30", satSantiago, time.Date(2026, 12, 4, 15, 30, 0, 0, santiago)},
		{"3 dic this year", "3 dic", "15h", satSantiago, time.Date(2026, 12, 3, 15, 0, 0, 0, santiago)},
		{"dec 3", "Dec 3", "15:00", satSantiago, time.Date(2026, 12, 3, 15, 0, 0, 0, santiago)},
		{"today's date later today", "28 nov", "11:00", satSantiago, time.Date(2026, 11, 28, 11, 0, 0, 0, santiago)},
		{"today's date, time gone: next year", "28 nov", "9:00", satSantiago, time.Date(2027, 11, 28, 9, 0, 0, 0, santiago)},
		{"3 nov rolls to next year", "3 nov", "15:00", satSantiago, time.Date(2027, 11, 3, 15, 0, 0, 0, santiago)},
		{"29 feb waits for a leap year", "29 feb", "10:00", satSantiago, time.Date(2028, 2, 29, 10, 0, 0, 0, santiago)},

		{"utc tomorrow crosses the year", "tomorrow", "0:00", newYearsEve, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"utc 1 jan", "1 jan", "10:00", newYearsEve, time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"utc 1 enero", "1 enero", "10:00", newYearsEve, time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"utc 31 dec gone", "31 dec", "23:00", newYearsEve, time.Date(2027, 12, 31, 23, 0, 0, 0, time.UTC)},
		{"utc 31 dec still ahead", "31 dec", "23:45", newYearsEve, time.Date(2026, 12, 31, 23, 45, 0, 0, time.UTC)},
		{"utc fri", "fri", "10:00", newYearsEve, time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"utc thu is a week ahead", "thu", "23:45", newYearsEve, time.Date(2027, 1, 7, 23, 45, 0, 0, time.UTC)},

		// Santiago skips from 00:00 to 01:00 on 6 September 2026.
		{"dst gap moves forward", "2026-09-06", "00:30", time.Date(2026, 9, 1, 12, 0, 0, 0, santiago), time.Date(2026, 9, 6, 1, 30, 0, 0, santiago)},
		{"dst first day", "2026-09-06", "12:00", time.Date(2026, 9, 1, 12, 0, 0, 0, santiago), time.Date(2026, 9, 6, 12, 0, 0, 0, santiago)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := When(tt.date, tt.clock, tt.now, tt.now.Location())
			if err != nil {
				t.Fatalf("When(%q, %q): %v", tt.date, tt.clock, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("When(%q, %q) = %v, want %v", tt.date, tt.clock, got, tt.want)
			}
			if got.Location() != tt.now.Location() {
				t.Errorf("When(%q, %q) is in %v, want %v", tt.date, tt.clock, got.Location(), tt.now.Location())
			}
		})
	}
}

// The grammar reads a time gone by as written, with no error: refusing
// it is exchange's rule, tested there and, worded, in TestCommandErrors.
func TestWhenReadsThePast(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, santiago)
	tests := []struct {
		date, clock string
		want        time.Time
	}{
		{"2025-12-03", "15:00", time.Date(2025, 12, 3, 15, 0, 0, 0, santiago)},
		{"today", "9:59", time.Date(2026, 11, 28, 9, 59, 0, 0, santiago)},
		{"hoy", "9am", time.Date(2026, 11, 28, 9, 0, 0, 0, santiago)},
		{"yesterday", "15:00", time.Date(2026, 11, 27, 15, 0, 0, 0, santiago)},
		{"ayer", "15:00", time.Date(2026, 11, 27, 15, 0, 0, 0, santiago)},
		// A date without a year still means its next occurrence.
		{"28 nov", "9:00", time.Date(2027, 11, 28, 9, 0, 0, 0, santiago)},
	}
	for _, tt := range tests {
		t.Run(tt.date+" "+tt.clock, func(t *testing.T) {
			got, err := When(tt.date, tt.clock, now, santiago)
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("When(%q, %q) = %v, %v; want %v", tt.date, tt.clock, got, err, tt.want)
			}
		})
	}
}

func TestWhenErrors(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, santiago)
	tests := []struct {
		date, clock string
		want        string
	}{
		{"2026-02-31", "15:00", `"2026-02-31" is not a date`},
		{"31 feb", "15:00", `"31 feb" is not a date`},
		{"30 Feb", "15:00", `"30 Feb" is not a date`},
		{"someday", "15:00", `"someday" is not a date`},
		{"", "15:00", `"" is not a date`},
		{"2026-12-03", "25:00", "hours go from 0 to 23"},
		{"2026-12-03", "24:00", "hours go from 0 to 23"},
		{"2026-12-03", "13pm", "with am or pm"},
		{"2026-12-03", "", `"" is not a time`},
	}
	for _, tt := range tests {
		t.Run(tt.date+" "+tt.clock, func(t *testing.T) {
			got, err := When(tt.date, tt.clock, now, santiago)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("When(%q, %q) = %v, %v; want a *UsageError", tt.date, tt.clock, got, err)
			}
			if !strings.Contains(ue.Error(), tt.want) {
				t.Errorf("When(%q, %q) error %q does not contain %q", tt.date, tt.clock, ue.Error(), tt.want)
			}
			checkSpanish(t, tt.date+" "+tt.clock, ue)
		})
	}
}

// Every quarter hour across Santiago's DST changes, in both directions,
// resolves without error to the asked day or, inside the gap, the hour after.
func TestWhenDSTEdges(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	for _, day := range []string{"2026-04-04", "2026-04-05", "2026-09-05", "2026-09-06"} {
		for q := 0; q < 24*4; q++ {
			clock := time.Date(2000, 1, 1, q/4, q%4*15, 0, 0, time.UTC).Format("15:04")
			now := time.Date(2026, 3, 1, 0, 0, 0, 0, santiago)
			got, err := When(day, clock, now, santiago)
			if err != nil {
				t.Fatalf("When(%q, %q): %v", day, clock, err)
			}
			if d := got.Format("2006-01-02"); d != day {
				t.Errorf("When(%q, %q) = %v, on another day", day, clock, got)
			}
		}
	}
}

func TestReportRange(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	// Sunday 15 February 2026, 10:00 in Santiago.
	now := time.Date(2026, 2, 15, 10, 0, 0, 0, santiago)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, santiago) }
	tests := []struct {
		from, to string
		start    time.Time
		end      time.Time
	}{
		{"", "", now.AddDate(0, 0, -30), now},
		{"2026-01", "", day(2026, 1, 1), day(2026, 2, 1)},
		{"2025-12", "", day(2025, 12, 1), day(2026, 1, 1)},
		{"2026-1", "", day(2026, 1, 1), day(2026, 2, 1)},
		{"2026-01-15", "", day(2026, 1, 15), day(2026, 1, 16)},
		{"2026-01", "2026-03", day(2026, 1, 1), day(2026, 4, 1)},
		{"2025-12-01", "2026-01-31", day(2025, 12, 1), day(2026, 2, 1)},
		{"2026-01", "today", day(2026, 1, 1), day(2026, 2, 16)},
		{"today", "", day(2026, 2, 15), day(2026, 2, 16)},
		{"ayer", "", day(2026, 2, 14), day(2026, 2, 15)},
		{"mon", "", day(2026, 2, 9), day(2026, 2, 10)},
		{"domingo", "", day(2026, 2, 15), day(2026, 2, 16)},
		{"3 dec", "", day(2025, 12, 3), day(2025, 12, 4)},
		{"3 dic", "10 dic", day(2025, 12, 3), day(2025, 12, 11)},
		{"15 feb", "", day(2026, 2, 15), day(2026, 2, 16)},
		{"16 feb", "", day(2025, 2, 16), day(2025, 2, 17)},
		{"29 feb", "", day(2024, 2, 29), day(2024, 3, 1)},
		{"", "2026-02", now.AddDate(0, 0, -30), day(2026, 3, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.from+"-"+tt.to, func(t *testing.T) {
			start, end, err := ReportRange(tt.from, tt.to, now, santiago)
			if err != nil {
				t.Fatalf("ReportRange(%q, %q): %v", tt.from, tt.to, err)
			}
			if !start.Equal(tt.start) || !end.Equal(tt.end) {
				t.Errorf("ReportRange(%q, %q) = [%v, %v), want [%v, %v)", tt.from, tt.to, start, end, tt.start, tt.end)
			}
		})
	}

	errTests := []struct{ from, to, want string }{
		{"2026-03", "2026-01", "The report would start (1 Mar 2026) after it ends (1 Feb 2026)"},
		{"2026-13", "", `"2026-13" is not a month`},
		{"someday", "", `"someday" is not a date or a month`},
		{"2026-02-30", "", `"2026-02-30" is not a date`},
		{"", "2025-01", "after it ends"},
	}
	for _, tt := range errTests {
		t.Run("error "+tt.from+"-"+tt.to, func(t *testing.T) {
			_, _, err := ReportRange(tt.from, tt.to, now, santiago)
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(ue.Error(), tt.want) {
				t.Fatalf("ReportRange(%q, %q) error = %v, want a *UsageError containing %q", tt.from, tt.to, err, tt.want)
			}
			checkSpanish(t, tt.from+" "+tt.to, ue)
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90m", 90 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"2h", 2 * time.Hour},
		{"24h", 24 * time.Hour},
		{" 45M ", 45 * time.Minute},
		{"0.5h", 30 * time.Minute},
		{"1h0m", time.Hour},
		{"1m", time.Minute},
		{"0.25h", 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}

	errTests := []struct{ in, want string }{
		{"", `"" is not a duration`},
		{"0m", "less than a minute"},
		{"0", "less than a minute"},
		{"10s", `"10s" is not a duration`},
		{"300ms", `"300ms" is not a duration`},
		{"-1h", "must be more than zero"},
		{"25h", "longer than 24h"},
		{"24h1m", "longer than 24h"},
		{"90", `"90" is not a duration`},
		{"1d", `"1d" is not a duration`},
		{"h", `"h" is not a duration`},
		{"1.5.5h", `"1.5.5h" is not a duration`},
		{"1h30", `"1h30" is not a duration`},
	}
	for _, tt := range errTests {
		t.Run("error "+tt.in, func(t *testing.T) {
			_, err := ParseDuration(tt.in)
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(ue.Error(), tt.want) || !strings.Contains(ue.Error(), "`90m`") {
				t.Fatalf("ParseDuration(%q) error = %v, want a *UsageError containing %q and an example", tt.in, err, tt.want)
			}
			checkSpanish(t, tt.in, ue)
		})
	}
}

package bot

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
)

func FuzzWhen(f *testing.F) {
	f.Add("2026-12-03", "15:00", int64(0))
	f.Add("tue", "3pm", int64(86400))
	f.Add("3 dic", "12am", int64(-3600))
	f.Add("29 feb", "15h30", int64(1000))
	f.Add("2026-09-06", "0:30", int64(-7_000_000))
	f.Add("mañana", "9:05", int64(42))
	zones := []string{"UTC", "America/Santiago", "Pacific/Chatham", "Australia/Lord_Howe", "America/Havana"}
	f.Fuzz(func(t *testing.T, date, clock string, offset int64) {
		// A now within about three years of fuzzNow keeps the dates meaningful.
		now := fuzzNow.Add(time.Duration(offset%(100_000_000)) * time.Second)
		loc, err := time.LoadLocation(zones[uint64(offset)%uint64(len(zones))])
		if err != nil {
			t.Fatal(err)
		}
		got, kind, err := when(date, clock, now, loc)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("When(%q, %q) error %v is not a *UsageError", date, clock, err)
			}
			return
		}
		if got.Location() != loc {
			t.Fatalf("When(%q, %q) in %v, want %v", date, clock, got.Location(), loc)
		}
		// Words that look ahead never land in the past: a weekday is the
		// next one, a date without a year its next occurrence.
		if (kind == dateWeekday || kind == dateYearless) && got.Before(now) {
			t.Fatalf("When(%q, %q, %v) = %v, in the past", date, clock, now, got)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90m", "1h30m", "1.5h", "2h", "24h", "0m", "-1h", "25h", "300ms", "1e3h", ".5h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(ue.Error(), "`90m`") {
				t.Fatalf("ParseDuration(%q) error %v is not a *UsageError with an example", s, err)
			}
			return
		}
		if d <= 0 || d > 24*time.Hour || d%time.Minute != 0 {
			t.Fatalf("ParseDuration(%q) = %v", s, d)
		}
	})
}

func FuzzReportRange(f *testing.F) {
	for _, s := range [][2]string{{"2026-01", ""}, {"enero", "marzo"}, {"ene 2026", "hoy"}, {"el 3 de diciembre", ""},
		{"mar", "2026-13"}, {"29 feb", "pasado mañana"}, {"", "january"}} {
		f.Add(s[0], s[1], int64(0))
	}
	f.Fuzz(func(t *testing.T, from, to string, offset int64) {
		now := fuzzNow.Add(time.Duration(offset%(100_000_000)) * time.Second)
		start, end, err := ReportRange(from, to, now, time.UTC)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) || ue.ID == "" {
				t.Fatalf("ReportRange(%q, %q) error %v is not a typed *UsageError", from, to, err)
			}
			return
		}
		if !start.Before(end) {
			t.Fatalf("ReportRange(%q, %q) = [%v, %v)", from, to, start, end)
		}
	})
}

func FuzzParseControl(f *testing.F) {
	for _, s := range []string{"skip", "¡Listo!", "paso a paso", "*saltar*", "Terminar.", "listo 👍", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, ok := ParseControl(text)
		if ok != (c == ControlSkip || c == ControlStop) {
			t.Fatalf("ParseControl(%q) = %q, %v", text, c, ok)
		}
		// A control is one word: an answer of several words is never one.
		words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if ok && len(words) != 1 {
			t.Fatalf("ParseControl(%q) took an answer for %q", text, c)
		}
	})
}

package bot

import (
	"errors"
	"strings"
	"testing"
	"time"
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
		got, err := When(date, clock, now, loc)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("When(%q, %q) error %v is not a *UsageError", date, clock, err)
			}
			return
		}
		if got.Before(now) {
			t.Fatalf("When(%q, %q, %v) = %v, in the past", date, clock, now, got)
		}
		if got.Location() != loc {
			t.Fatalf("When(%q, %q) in %v, want %v", date, clock, got.Location(), loc)
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

package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestErrorLogsAreLimitedPerCause(t *testing.T) {
	type burst struct {
		after time.Duration // clock moves this far first
		level slog.Level
		msg   string // %d is replaced by the record's number
		n     int
	}
	tests := []struct {
		name   string
		bursts []burst
		// want is the lines written per message (digits removed), and
		// the suppressed counts reported, in order.
		want       map[string]int
		suppressed []string
	}{
		{
			name:   "a flood of one cause: the burst, then nothing",
			bursts: []burst{{level: slog.LevelError, msg: "slack request failed", n: 1000}},
			want:   map[string]int{"slack request failed": logBurst},
		},
		{
			name: "after a pause one more, with the count held back",
			bursts: []burst{
				{level: slog.LevelError, msg: "slack request failed", n: 100},
				{after: logEvery, level: slog.LevelError, msg: "slack request failed", n: 1},
			},
			want:       map[string]int{"slack request failed": logBurst + 1},
			suppressed: []string{"suppressed=90"},
		},
		{
			name: "one cause flooding does not silence another",
			bursts: []burst{
				{level: slog.LevelWarn, msg: "http: TLS handshake error from 10.0.0.%d:443: EOF", n: 500},
				{level: slog.LevelError, msg: "calendar feed", n: 3},
			},
			want: map[string]int{"http: TLS handshake error from ...:: EOF": logBurst, "calendar feed": 3},
		},
		{
			name:   "info is never held back",
			bursts: []burst{{level: slog.LevelInfo, msg: "redelivered command ignored", n: 200}},
			want:   map[string]int{"redelivered command ignored": 200},
		},
		{
			name: "the same message at another level is another cause",
			bursts: []burst{
				{level: slog.LevelWarn, msg: "socket mode", n: 50},
				{level: slog.LevelError, msg: "socket mode", n: 50},
			},
			want: map[string]int{"socket mode": 2 * logBurst},
		},
		{
			name: "a long quiet refills the burst, no more",
			bursts: []burst{
				{level: slog.LevelError, msg: "command failed", n: logBurst},
				{after: time.Hour, level: slog.LevelError, msg: "command failed", n: 3 * logBurst},
			},
			want: map[string]int{"command failed": 2 * logBurst},
		},
		{
			name:   "endless distinct messages share one budget past the bound",
			bursts: []burst{{level: slog.LevelError, msg: "cause %c", n: logCauses + 500}},
			want:   nil, // counted below
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
			h := newLimitHandler(slog.NewTextHandler(&buf, nil), func() time.Time { return now })
			log := slog.New(h).With(slog.String("component", "test"))
			for _, b := range tt.bursts {
				now = now.Add(b.after)
				for i := range b.n {
					msg := b.msg
					switch {
					case strings.Contains(msg, "%d"):
						msg = fmt.Sprintf(msg, i)
					case strings.Contains(msg, "%c"):
						// Letters, since digits do not tell causes apart.
						msg = fmt.Sprintf("cause %c%c%c", 'a'+rune(i%26), 'a'+rune(i/26%26), 'a'+rune(i/676))
					}
					log.Log(nil, b.level, msg, slog.Any("error", fmt.Errorf("attempt %d", i)))
				}
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if tt.want == nil {
				// 1,524 distinct causes: the first 1,024 get a line each,
				// the other 500 share one burst.
				if want := logCauses + logBurst; len(lines) != want {
					t.Errorf("%d lines, want %d", len(lines), want)
				}
				return
			}
			got := map[string]int{}
			var suppressed []string
			for _, l := range lines {
				_, rest, _ := strings.Cut(l, "msg=")
				msg := strings.Trim(strings.Split(rest, " component=")[0], `"`)
				msg = strings.Map(func(c rune) rune {
					if c >= '0' && c <= '9' {
						return -1
					}
					return c
				}, msg)
				got[msg]++
				if i := strings.Index(l, "suppressed="); i >= 0 {
					suppressed = append(suppressed, strings.Fields(l[i:])[0])
				}
			}
			for msg, n := range tt.want {
				if got[msg] != n {
					t.Errorf("%q logged %d times, want %d; all: %v", msg, got[msg], n, got)
				}
			}
			if fmt.Sprint(suppressed) != fmt.Sprint(tt.suppressed) {
				t.Errorf("suppressed counts %v, want %v", suppressed, tt.suppressed)
			}
			if !strings.Contains(lines[0], "component=test") {
				t.Errorf("attributes lost: %s", lines[0])
			}
		})
	}
}

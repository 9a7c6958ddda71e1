package exchange

import (
	"context"
	"testing"
	"time"
)

// A year of weekly sessions in one transaction, against one session:
// what scheduling a series costs, and how much of it is per occurrence.
//
//	go test ./exchange -run '^$' -bench 'Schedule' -benchmem
func BenchmarkScheduleOne(b *testing.B) {
	benchSchedule(b, Repeat{})
}

func BenchmarkScheduleSeries52(b *testing.B) {
	benchSchedule(b, Repeat{Every: EveryWeek, Count: count(MaxOccurrences)})
}

func benchSchedule(b *testing.B, r Repeat) {
	e := newTestService(b)
	ctx := context.Background()
	start := time.Date(2026, 3, 10, 15, 0, 0, 0, mustZone("America/Santiago"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.svc.Schedule(ctx, Actor{UserID: "U1", Channel: "C1"}, Draft{Title: "Community of practice", Start: start, Repeat: r}); err != nil {
			b.Fatal(err)
		}
	}
}

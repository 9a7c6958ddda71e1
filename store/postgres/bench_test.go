package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// BenchmarkNewCommand is the store's part of a `new` command: one Update
// storing a session with a partner and a speaker and its ten outbox rows,
// from 20 goroutines at once, as 20 concurrent commands would.
func BenchmarkNewCommand(b *testing.B) {
	s, _ := openTB(b)
	ctx := context.Background()
	var seq atomic.Int64
	at := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	b.SetParallelism(10) // 20 goroutines on 2 CPUs
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			err := s.Update(store.WithRequestKey(ctx, fmt.Sprint("command:", n)), func(tx store.Tx) error {
				sess := &store.Session{Title: "Youth employment", Kind: "webinar", Start: at, Duration: 90 * time.Minute, TZ: "UTC",
					Channel: "C1", Creator: "U1", Created: at, Updated: at, Partners: []string{"FISDL El Salvador"},
					Speakers: []store.Speaker{{UserID: "U2", Name: "ana"}}}
				if err := tx.CreateSession(ctx, sess); err != nil {
					return err
				}
				for i := range 10 {
					if err := tx.Enqueue(ctx, store.Delivery{Kind: "reminder", SessionID: sess.ID, Recipient: "U2",
						Due: at.Add(-time.Duration(i) * time.Hour), Dedupe: fmt.Sprintf("r:%d:%d", sess.ID, i)}, at); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

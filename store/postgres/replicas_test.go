package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// replicas opens n Stores on one database, as n replicas would.
func replicas(t *testing.T, n int) []*Store {
	t.Helper()
	first, url := openTest(t)
	out := []*Store{first}
	for len(out) < n {
		s, err := Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

// TestClaimDueSplitsRowsAcrossReplicas: three replicas, four workers each,
// claiming 300 due rows in batches: every row is claimed exactly once.
func TestClaimDueSplitsRowsAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	rs := replicas(t, 3)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	const rows = 300
	err := rs[0].Update(ctx, func(tx store.Tx) error {
		for i := range rows {
			d := store.Delivery{Kind: "reminder", Recipient: fmt.Sprintf("U%d", i), Due: now.Add(-time.Duration(i) * time.Second), Dedupe: fmt.Sprint(i)}
			if err := tx.Enqueue(ctx, d, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	claims := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for _, r := range rs {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := r.ClaimDue(ctx, now, 7)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, d := range got {
						claims[d.ID]++
						if d.State != store.StateSending || d.Attempts != 1 {
							errs <- fmt.Errorf("claimed row %+v", d)
						}
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(claims) != rows {
		t.Errorf("%d rows claimed, want %d", len(claims), rows)
	}
	for id, n := range claims {
		if n != 1 {
			t.Errorf("row %d claimed %d times", id, n)
		}
	}
}

func TestClaimDueOldestFirstAndOnlyDue(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	enqueue := func(recipient string, due time.Time) {
		if err := s.Update(ctx, func(tx store.Tx) error {
			return tx.Enqueue(ctx, store.Delivery{Kind: "reminder", Recipient: recipient, Due: due}, now)
		}); err != nil {
			t.Fatal(err)
		}
	}
	enqueue("later", now.Add(time.Minute))
	enqueue("second", now.Add(-time.Minute))
	enqueue("first", now.Add(-time.Hour))
	got, err := s.ClaimDue(ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Recipient != "first" || got[1].Recipient != "second" {
		t.Errorf("claimed %+v; want first, second and not the later one", got)
	}
}

// TestClaimDeliveryOneWinnerAcrossReplicas: replicas racing for the same
// row get it once between them.
func TestClaimDeliveryOneWinnerAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	rs := replicas(t, 3)
	now := time.Now()
	for round := range 20 {
		err := rs[0].Update(ctx, func(tx store.Tx) error {
			return tx.Enqueue(ctx, store.Delivery{Kind: "announce", Recipient: "C1", Due: now, Dedupe: fmt.Sprint("r", round)}, now)
		})
		if err != nil {
			t.Fatal(err)
		}
		due, err := rs[0].DueDeliveries(ctx, now, 1)
		if err != nil || len(due) != 1 {
			t.Fatalf("due = %v, %v", due, err)
		}
		var wg sync.WaitGroup
		wins := make(chan int64, 6)
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := rs[i%3].ClaimDelivery(ctx, due[0].ID, now)
				switch {
				case err == nil:
					wins <- d.ID
				case !errors.Is(err, store.ErrNotFound):
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		close(wins)
		if n := len(wins); n != 1 {
			t.Fatalf("round %d: %d winners, want 1", round, n)
		}
	}
}

// TestRequestKeyActsOnceAcrossReplicas: the same Slack request handled by
// two replicas at once changes the data once.
func TestRequestKeyActsOnceAcrossReplicas(t *testing.T) {
	rs := replicas(t, 2)
	for round := range 10 {
		key := fmt.Sprint("command:body-", round)
		var wg sync.WaitGroup
		results := make([]error, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := store.WithRequestKey(context.Background(), key)
				at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
				results[i] = rs[i%2].Update(ctx, func(tx store.Tx) error {
					return tx.CreateSession(ctx, &store.Session{Title: key, Kind: "webinar", Start: at, Duration: time.Hour,
						TZ: "UTC", Creator: "U1", Created: at, Updated: at})
				})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrDuplicate):
				t.Fatal(err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d of 4 acted, want 1", round, ok)
		}
	}
	n, err := rs[0].CountSessions(context.Background())
	if err != nil || n != 10 {
		t.Errorf("sessions = %d, %v; want 10", n, err)
	}
}

// TestFeedVersionSeesOtherReplicas: a change through one replica shows in
// another's FeedVersion once its cache expires (at most feedVersionTTL,
// under a second), and a change through the replica itself at once.
func TestFeedVersionSeesOtherReplicas(t *testing.T) {
	ctx := context.Background()
	rs := replicas(t, 2)
	a, b := rs[0], rs[1]
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a.now = func() time.Time { return clock }
	v0, _, err := a.FeedVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	create := func(s *Store, user string) {
		t.Helper()
		if err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.CreateSession(ctx, &store.Session{Title: "T", Kind: "webinar", Start: clock, Duration: time.Hour,
				TZ: "UTC", Creator: user, Created: clock, Updated: clock}); err != nil {
				return err
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	create(b, "U1")
	clock = clock.Add(feedVersionTTL - time.Millisecond)
	if v, _, _ := a.FeedVersion(ctx); v != v0 {
		t.Fatalf("cache expired early: %d", v)
	}
	clock = clock.Add(time.Millisecond)
	v1, _, err := a.FeedVersion(ctx)
	if err != nil || v1 == v0 {
		t.Fatalf("after the TTL: version %d, %v; want a change from %d", v1, err, v0)
	}
	if feedVersionTTL >= time.Second {
		t.Errorf("feedVersionTTL %v: another replica's change may take a second or more to show", feedVersionTTL)
	}
	create(a, "U2")
	if v2, _, _ := a.FeedVersion(ctx); v2 == v1 {
		t.Error("a change through this replica did not show at once")
	}
}

// TestOnEnqueueWakesOtherReplicas: a commit that owes messages through one
// replica calls the other replica's OnEnqueue functions (LISTEN/NOTIFY).
func TestOnEnqueueWakesOtherReplicas(t *testing.T) {
	ctx := context.Background()
	rs := replicas(t, 2)
	woken := make(chan struct{}, 100)
	rs[1].OnEnqueue(func() { woken <- struct{}{} })
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// The listener connects in the background: enqueue until it hears.
	deadline := time.After(30 * time.Second)
	for i := 0; ; i++ {
		err := rs[0].Update(ctx, func(tx store.Tx) error {
			return tx.Enqueue(ctx, store.Delivery{Kind: "digest", Recipient: "C9", Due: at, Dedupe: fmt.Sprint("d", i)}, at)
		})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-woken:
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("the other replica was never told of the enqueue")
		}
	}
}

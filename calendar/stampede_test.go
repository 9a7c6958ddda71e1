package calendar

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

const (
	stampedeSessions = 10000
	stampedeClients  = 200
)

// seed stores n sessions like benchSession's, all inside all.ics's window.
func (fs *feedServer) seed(n int) {
	fs.t.Helper()
	fs.update(func(ctx context.Context, tx store.Tx) error {
		for i := range n {
			s := benchSession(i % benchSessions)
			s.ID = 0
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// heapPeak samples the heap in use until stop is called and returns its
// highest value. ReadMemStats stops the world, so it samples every few
// milliseconds rather than continuously.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse > peak.Load() {
			peak.Store(m.HeapInuse)
		}
	}
	go func() {
		defer close(finished)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		sample()
		return peak.Load()
	}
}

// stampede sends clients concurrent GETs of path, all released at once,
// and returns each body's hash; bodies are read and dropped so the client
// side keeps no copies.
func (fs *feedServer) stampede(path string, clients int) [][32]byte {
	fs.t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	sums := make([][32]byte, clients)
	errs := make([]error, clients)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			<-start
			resp, err := client.Get(fs.srv.URL + path)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			h := sha256.New()
			if _, err := io.Copy(h, resp.Body); err != nil {
				errs[i] = err
				return
			}
			if resp.StatusCode != http.StatusOK {
				errs[i] = &httpError{resp.StatusCode, resp.Status}
				return
			}
			h.Sum(sums[i][:0])
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			fs.t.Fatalf("client %d: %v", i, err)
		}
	}
	return sums
}

// TestStampedeRendersOnce: 10,000 sessions, a change, then 200 concurrent
// GETs of all.ics render the feed once, all 200 get the same bytes, and
// the heap grows by well under 150 MB while they are served.
func TestStampedeRendersOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 10,000 sessions")
	}
	fs := newFeedServer(t, Options{Public: true})
	fs.seed(stampedeSessions)
	_, first := fs.get("/calendar/all.ics")
	if n := bytes.Count([]byte(first), veventBegin); n != stampedeSessions {
		t.Fatalf("feed holds %d events, want %d", n, stampedeSessions)
	}
	feedBytes := len(first)
	first = ""

	fs.update(func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Join(ctx, 1, "U77", fs.clock.Now())
		return err
	})
	renders := fs.h.renders.Load()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := heapPeak()
	sums := fs.stampede("/calendar/all.ics", stampedeClients)
	peak := stop()

	if got := fs.h.renders.Load() - renders; got != 1 {
		t.Errorf("%d renders for %d concurrent GETs after one change, want 1", got, stampedeClients)
	}
	for i, s := range sums {
		if s != sums[0] {
			t.Fatalf("client %d got other bytes than client 0", i)
		}
	}
	growth := int64(peak) - int64(before.HeapInuse)
	t.Logf("feed %d bytes; heap in use %.1f MB before, peak growth %.1f MB while serving %d GETs",
		feedBytes, float64(before.HeapInuse)/(1<<20), float64(growth)/(1<<20), stampedeClients)
	if growth > 150<<20 {
		t.Errorf("heap grew by %.1f MB serving the stampede, want under 150 MB", float64(growth)/(1<<20))
	}
}

// A client that hangs up while the render it is waiting for runs does
// not fail the render for the others, and a render in flight for an older
// version is not served to a request that saw a newer one.
func TestRenderOutlivesItsRequest(t *testing.T) {
	fs := newFeedServer(t, Options{Public: true})
	fs.create(store.Session{Title: "One", Start: t0.Add(24 * time.Hour)})
	st, err := fs.h.current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	build := func(ctx context.Context, _, _ time.Time) ([]byte, error) {
		<-release
		return []byte("rendered"), ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() {
		_, err := fs.h.body(ctx, "k", st, build)
		gone <- err
	}()
	for inFlight := false; !inFlight; runtime.Gosched() {
		fs.h.mu.Lock()
		_, inFlight = fs.h.flights["k"]
		fs.h.mu.Unlock()
	}
	cancel()
	if err := <-gone; err != context.Canceled {
		t.Errorf("hung-up request: %v, want context.Canceled", err)
	}
	// The render goes on; another request shares it (or, if it finished
	// first, its cached bytes) and never renders again.
	waiter := make(chan []byte, 1)
	go func() {
		b, err := fs.h.body(context.Background(), "k", st, func(context.Context, time.Time, time.Time) ([]byte, error) {
			t.Error("a second render while one is in flight")
			return nil, nil
		})
		if err != nil {
			t.Error(err)
		}
		waiter <- b
	}()
	close(release)
	if b := <-waiter; string(b) != "rendered" {
		t.Errorf("waiter got %q", b)
	}
	fs.h.mu.Lock()
	cached := fs.h.cachedLocked("k", st)
	fs.h.mu.Unlock()
	if string(cached) != "rendered" {
		t.Errorf("cache holds %q after the render", cached)
	}

	// A newer stamp does not take the older render's bytes.
	newer := *st
	newer.version++
	b, err := fs.h.body(context.Background(), "k", &newer, func(context.Context, time.Time, time.Time) ([]byte, error) {
		return []byte("newer"), nil
	})
	if err != nil || string(b) != "newer" {
		t.Errorf("newer version: %q, %v", b, err)
	}
}

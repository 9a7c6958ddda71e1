package bot

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// lockedBuffer collects log output written from the scheduler goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestSchedulerRunJobTimeoutPanicAndShutdown(t *testing.T) {
	e := newTestBot(t)
	logs := &lockedBuffer{}
	e.bot.log = slog.New(slog.NewTextHandler(logs, nil))
	ctx := context.Background()

	var deadline time.Time
	var ok bool
	start := time.Now()
	e.bot.runJob(ctx, "probe", func(ctx context.Context) error {
		deadline, ok = ctx.Deadline()
		return nil
	})
	if !ok || deadline.Before(start.Add(jobTimeout)) || deadline.After(time.Now().Add(jobTimeout)) {
		t.Errorf("job deadline %v (set %v), want about %s from now", deadline, ok, jobTimeout)
	}

	e.bot.runJob(ctx, "boom", func(context.Context) error { panic("sender bug") })
	e.bot.runJob(ctx, "fails", func(context.Context) error { return context.DeadlineExceeded })
	if l := logs.String(); !strings.Contains(l, "job panicked") || !strings.Contains(l, "sender bug") || !strings.Contains(l, "job failed") {
		t.Errorf("log: %s", l)
	}

	// Shutdown cancels the loop's context; a run already going finishes.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	e.bot.runJob(cctx, "finishing", func(ctx context.Context) error {
		if ctx.Err() != nil {
			t.Error("a running job was cancelled by shutdown")
		}
		return nil
	})
}

func TestSchedulerRunTicksAndSurvivesAPanic(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Tick = "@every 1s" })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first run meets a row whose sender panics; later runs go on.
	e.bot.senders["boom"] = func(context.Context, store.Delivery, *store.Session) (string, string, error) {
		panic("sender bug")
	}
	now := e.clock.Now()
	if err := e.store.Update(ctx, func(tx store.Tx) error {
		return tx.Enqueue(ctx, store.Delivery{Kind: "boom", Recipient: "C1", Due: now}, now)
	}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.bot.Run(ctx) }()

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	// A change kicks the loop at once.
	if r := e.run("U1", `new "Tick" 2099-01-01 10:00 tz:UTC <#C7TICK|t>`); !strings.Contains(r, "Scheduled") {
		t.Fatalf("new: %q", r)
	}
	waitFor("the announcement", func() bool { return len(e.slack.Calls("chat.postMessage")) == 1 })

	// Without a kick, the tick finds what the clock made due.
	if err := e.store.Update(ctx, func(tx store.Tx) error {
		return tx.Enqueue(ctx, store.Delivery{Kind: kindThread, SessionID: 1, Recipient: "C7TICK", InThread: true,
			Payload: "later", Due: now.Add(time.Minute)}, now)
	}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Minute)
	waitFor("the tick", func() bool { return len(e.slack.Calls("chat.postMessage")) == 2 })

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestSchedulerRejectsABadTick(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Tick = "every second" })
	if err := e.bot.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "scheduler.tick") {
		t.Fatalf("Run = %v, want an error naming scheduler.tick", err)
	}
}

func TestSchedulerDeliverNowReportsAPanic(t *testing.T) {
	e := newTestBot(t)
	e.bot.senders["boom"] = func(context.Context, store.Delivery, *store.Session) (string, string, error) {
		panic("sender bug")
	}
	ctx := context.Background()
	now := e.clock.Now()
	if err := e.store.Update(ctx, func(tx store.Tx) error {
		return tx.Enqueue(ctx, store.Delivery{Kind: "boom", Recipient: "C1", Due: now}, now)
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.bot.DeliverNow(ctx); err == nil || !strings.Contains(err.Error(), "sender bug") {
		t.Fatalf("DeliverNow = %v, want the panic as an error", err)
	}
}

package outbox

// A scripted Sender and an engine on a real SQLite file, on a clock the
// tests move.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

// scripted is a Sender whose answers a test sets per recipient. It
// records every call and how many ran at once.
type scripted struct {
	mu       sync.Mutex
	answer   map[string]func(ctx context.Context) (Result, error)
	sent     map[int64]int
	order    []string
	inFlight int
	maxLanes map[string]int // most rows of one lane in flight at once
	lanes    map[string]int
	peak     int
	delay    time.Duration
	notices  []store.Delivery
}

func newScripted() *scripted {
	return &scripted{answer: map[string]func(context.Context) (Result, error){}, sent: map[int64]int{},
		maxLanes: map[string]int{}, lanes: map[string]int{}}
}

var errDown = errors.New("service down")

type refusal struct{ code string }

func (r refusal) Error() string { return r.code }

type limited struct{ after time.Duration }

func (l limited) Error() string { return "limited" }

func (s *scripted) Send(ctx context.Context, d store.Delivery) (Result, error) {
	lane := s.Lane(d)
	s.mu.Lock()
	s.inFlight++
	s.peak = max(s.peak, s.inFlight)
	s.lanes[lane]++
	s.maxLanes[lane] = max(s.maxLanes[lane], s.lanes[lane])
	s.order = append(s.order, d.Recipient)
	fn := s.answer[d.Recipient]
	delay := s.delay
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.lanes[lane]--
		s.mu.Unlock()
	}()
	if delay > 0 {
		time.Sleep(delay)
	}
	if fn != nil {
		res, err := fn(ctx)
		if err != nil || res == (Result{}) {
			return res, err
		}
	}
	s.mu.Lock()
	s.sent[d.ID]++
	s.mu.Unlock()
	return Result{Channel: "C-" + d.Recipient, TS: fmt.Sprint(d.ID)}, nil
}

// Find reports what the service took: a row it answered for is found.
func (s *scripted) Find(_ context.Context, d store.Delivery) (Result, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent[d.ID] == 0 {
		return Result{}, false, nil
	}
	return Result{Channel: "C-" + d.Recipient, TS: fmt.Sprint(d.ID)}, true, nil
}

func (s *scripted) Classify(err error) Verdict {
	var r refusal
	var l limited
	switch {
	case errors.As(err, &l):
		return Verdict{Class: Limited, After: l.after}
	case errors.Is(err, errDown), errors.Is(err, context.DeadlineExceeded):
		// As the Slack sender reads a call that ran out of time.
		return Verdict{Class: Unavailable}
	case errors.As(err, &r) && r.code == "invalid_auth":
		return Verdict{Class: Unauthorized}
	case errors.As(err, &r) && r.code == "channel_not_found":
		return Verdict{Class: Permanent}
	case errors.As(err, &r):
		return Verdict{Class: Refused}
	}
	return Verdict{Class: Broken}
}

func (s *scripted) Lane(d store.Delivery) string {
	if d.InThread {
		return fmt.Sprint("session:", d.SessionID)
	}
	return "to:" + d.Recipient
}

func (s *scripted) Undeliverable(_ context.Context, d store.Delivery, cause error) ([]store.Delivery, error) {
	n := store.Delivery{Kind: "notice", Recipient: "UBOSS", Payload: fmt.Sprint(d.ID), Due: d.Due, Dedupe: "notice:" + cause.Error()}
	s.mu.Lock()
	s.notices = append(s.notices, n)
	s.mu.Unlock()
	return []store.Delivery{n}, nil
}

func (s *scripted) set(recipient string, fn func(ctx context.Context) (Result, error)) {
	s.mu.Lock()
	s.answer[recipient] = fn
	s.mu.Unlock()
}

// clock is a test clock the engine reads.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var t0 = time.Date(2030, 1, 9, 12, 0, 0, 0, time.UTC)

type env struct {
	t      *testing.T
	st     *sqlite.Store
	sender *scripted
	clock  *clock
	eng    *Engine
	m      *Metrics
}

func newEnv(t *testing.T, workers int) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, st: st, sender: newScripted(), clock: &clock{t: t0}, m: NewMetrics(nil)}
	e.eng = New(Options{Store: st, Sender: e.sender, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: e.clock.Now, Workers: workers, Metrics: e.m})
	st.OnEnqueue(e.eng.Kick)
	return e
}

// owe enqueues one row per recipient, due at the test clock.
func (e *env) owe(kind string, inThread bool, recipients ...string) []store.Delivery {
	e.t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	if err := e.st.Update(ctx, func(tx store.Tx) error {
		for _, r := range recipients {
			if err := tx.Enqueue(ctx, store.Delivery{Kind: kind, Recipient: r, InThread: inThread, Due: now, Dedupe: kind + ":" + r}, now); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	all, err := e.st.Deliveries(ctx, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return all
}

func (e *env) deliverNow() error { return e.eng.DeliverNow(context.Background()) }

func (e *env) row(id int64) store.Delivery {
	e.t.Helper()
	d, err := e.st.Delivery(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) states() map[string]int {
	e.t.Helper()
	all, err := e.st.Deliveries(context.Background(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int{}
	for _, d := range all {
		out[d.State]++
	}
	return out
}

// counted reads a counter's value.
func counted(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func recipients(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("U%03d", i))
	}
	return out
}

package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
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

func (s *scripted) Find(context.Context, store.Delivery) (Result, bool, error) {
	return Result{}, false, nil
}

func (s *scripted) Classify(err error) Verdict {
	var r refusal
	var l limited
	switch {
	case errors.As(err, &l):
		return Verdict{Class: Limited, After: l.after}
	case errors.Is(err, errDown):
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

func TestEngineSendsConcurrentlyOneAtATimePerLane(t *testing.T) {
	e := newEnv(t, 8)
	e.sender.delay = 20 * time.Millisecond
	e.owe("reminder", false, recipients(40)...)
	// Five thread notes of one session share a lane: they go in order.
	ctx := context.Background()
	now := e.clock.Now()
	if err := e.st.Update(ctx, func(tx store.Tx) error {
		for i := range 5 {
			if err := tx.Enqueue(ctx, store.Delivery{Kind: "thread", Recipient: fmt.Sprintf("T%d", i), InThread: true, Due: now}, now); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.deliverNow(); err != nil {
		t.Fatal(err)
	}
	if got := e.states(); got[store.StateSent] != 45 {
		t.Fatalf("states %v, want 45 sent", got)
	}
	if e.sender.peak < 2 || e.sender.peak > 8 {
		t.Errorf("%d sends at once, want between 2 and the 8 workers", e.sender.peak)
	}
	if n := e.sender.maxLanes["session:0"]; n != 1 {
		t.Errorf("%d thread notes of one session in flight at once, want 1", n)
	}
	var notes []string
	for _, r := range e.sender.order {
		if strings.HasPrefix(r, "T") {
			notes = append(notes, r)
		}
	}
	if strings.Join(notes, " ") != "T0 T1 T2 T3 T4" {
		t.Errorf("thread notes went %v, want in order", notes)
	}
	for id, n := range e.sender.sent {
		if n != 1 {
			t.Errorf("row %d sent %d times", id, n)
		}
	}
}

func TestEngineOutageCostsOneCallPerProbe(t *testing.T) {
	e := newEnv(t, 8)
	e.owe("reminder", false, recipients(20)...)
	for _, r := range recipients(20) {
		e.sender.set(r, func(context.Context) (Result, error) { return Result{}, errDown })
	}
	if err := e.deliverNow(); err != nil {
		t.Fatal(err)
	}
	if n := len(e.sender.order); n != 1 {
		t.Fatalf("%d sends against a down service in one run, want 1 (the probe)", n)
	}
	// Back up: the probe gets through and everything follows.
	for _, r := range recipients(20) {
		e.sender.set(r, nil)
	}
	e.clock.Add(MinBackoff)
	if err := e.deliverNow(); err != nil {
		t.Fatal(err)
	}
	if got := e.states(); got[store.StateSent] != 20 {
		t.Fatalf("states %v after the service came back", got)
	}
}

func TestEngineTokenErrorsRetryForAWindowThenFail(t *testing.T) {
	e := newEnv(t, 1)
	rows := e.owe("announce", false, "CROT")
	e.sender.set("CROT", func(context.Context) (Result, error) { return Result{}, refusal{"invalid_auth"} })
	var waits []time.Duration
	for range 50 {
		if err := e.deliverNow(); err != nil {
			t.Fatal(err)
		}
		d := e.row(rows[0].ID)
		if d.State != store.StatePending {
			break
		}
		waits = append(waits, d.NextAttempt.Sub(e.clock.Now()))
		e.clock.Add(d.NextAttempt.Sub(e.clock.Now()))
	}
	d := e.row(rows[0].ID)
	var total time.Duration
	for _, w := range waits {
		total += w
	}
	if d.State != store.StateFailed || total < AuthWindow || total > AuthWindow+MaxBackoff {
		t.Fatalf("after %d tries over %s: %s (%s), want failed after about %s", len(waits)+1, total, d.State, d.LastError, AuthWindow)
	}
	if len(e.sender.notices) != 1 {
		t.Errorf("%d notices owed, want 1", len(e.sender.notices))
	}
}

func TestEnginePermanentFailureOwesOneNotice(t *testing.T) {
	e := newEnv(t, 4)
	rows := e.owe("reminder", false, "CGONE1", "CGONE2", "UOK")
	for _, r := range []string{"CGONE1", "CGONE2"} {
		e.sender.set(r, func(context.Context) (Result, error) { return Result{}, refusal{"channel_not_found"} })
	}
	if err := e.deliverNow(); err != nil {
		t.Fatal(err)
	}
	for _, d := range rows {
		want := store.StateFailed
		if d.Recipient == "UOK" {
			want = store.StateSent
		}
		if got := e.row(d.ID); got.State != want || got.Attempts != 1 {
			t.Errorf("%s: %s after %d attempts, want %s after 1", d.Recipient, got.State, got.Attempts, want)
		}
	}
	// Both failures owed the same notice (same cause): one row, sent once.
	if err := e.deliverNow(); err != nil {
		t.Fatal(err)
	}
	all, _ := e.st.Deliveries(context.Background(), 0)
	notices := 0
	for _, d := range all {
		if d.Kind == "notice" {
			notices++
			if d.State != store.StateSent {
				t.Errorf("notice %s", d.State)
			}
		}
	}
	if notices != 1 {
		t.Errorf("%d notice rows, want 1", notices)
	}
	if n := counted(t, e.m.Deliveries.WithLabelValues("reminder", "failed")); n != 2 {
		t.Errorf("deliveries_total{failed} = %v, want 2", n)
	}
}

func TestEngineRateLimitHoldsTheRowOnly(t *testing.T) {
	e := newEnv(t, 4)
	rows := e.owe("reminder", false, "ULIMITED", "UA", "UB")
	e.sender.set("ULIMITED", func(context.Context) (Result, error) { return Result{}, limited{30 * time.Second} })
	if err := e.deliverNow(); err != nil {
		t.Fatal(err)
	}
	for _, d := range rows {
		got := e.row(d.ID)
		if d.Recipient == "ULIMITED" {
			if got.State != store.StatePending || !got.NextAttempt.Equal(e.clock.Now().Add(30*time.Second)) {
				t.Errorf("limited row: %s next %s", got.State, got.NextAttempt)
			}
		} else if got.State != store.StateSent {
			t.Errorf("%s held by another row's limit: %s", d.Recipient, got.State)
		}
	}
}

func TestEngineSkipsRowsTooLateForTheirDeadline(t *testing.T) {
	e := newEnv(t, 1)
	ctx := context.Background()
	now := e.clock.Now()
	if err := e.st.Update(ctx, func(tx store.Tx) error {
		return tx.Enqueue(ctx, store.Delivery{Kind: "reminder", Recipient: "U1", Due: now.Add(-time.Hour), Deadline: now}, now)
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.deliverNow(); err != nil {
		t.Fatal(err)
	}
	if got := e.states(); got[store.StateSkipped] != 1 || len(e.sender.order) != 0 {
		t.Fatalf("states %v, %d sends: want skipped without a send", got, len(e.sender.order))
	}
}

func TestEngineRecordsASlowAnswer(t *testing.T) {
	e := newEnv(t, 1)
	e.eng.sendTimeout, e.eng.markTimeout = 2*time.Second, 200*time.Millisecond
	rows := e.owe("reminder", false, "USLOW")
	// The answer comes after longer than recording may take: recording
	// gets its own deadline, counted from the answer.
	e.sender.delay = 500 * time.Millisecond
	if err := e.deliverNow(); err != nil {
		t.Fatal(err)
	}
	if got := e.row(rows[0].ID); got.State != store.StateSent {
		t.Fatalf("slow answer not recorded: %s (%s)", got.State, got.LastError)
	}
}

func TestEnginePanicIsAnErrorAndTheRowRetries(t *testing.T) {
	e := newEnv(t, 1)
	rows := e.owe("reminder", false, "UBOOM", "UFINE")
	e.sender.set("UBOOM", func(context.Context) (Result, error) { panic("sender bug") })
	err := e.deliverNow()
	if err == nil || !strings.Contains(err.Error(), "sender bug") {
		t.Fatalf("DeliverNow = %v, want the panic as an error", err)
	}
	if got := e.row(rows[0].ID); got.State != store.StatePending || !strings.Contains(got.LastError, "sender bug") {
		t.Errorf("panicking row: %s (%s)", got.State, got.LastError)
	}
	if got := e.row(rows[1].ID); got.State != store.StateSent {
		t.Errorf("the next row: %s", got.State)
	}
}

func TestEngineRecoversAStaleClaim(t *testing.T) {
	e := newEnv(t, 1)
	rows := e.owe("reminder", false, "UDEAD")
	ctx := context.Background()
	if _, err := e.st.ClaimDelivery(ctx, rows[0].ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(RecoverAfter - time.Second)
	if err := e.deliverNow(); err != nil {
		t.Fatal(err)
	}
	if got := e.row(rows[0].ID); got.State != store.StateSending {
		t.Fatalf("a young claim was taken back: %s", got.State)
	}
	e.clock.Add(2 * time.Second)
	if err := e.deliverNow(); err != nil {
		t.Fatal(err)
	}
	if got := e.row(rows[0].ID); got.State != store.StateSent || got.Attempts != 2 {
		t.Fatalf("after recovery: %s, %d attempts", got.State, got.Attempts)
	}
}

// TestEngineRunWakesOnEnqueueAndSleepsWhenIdle runs the loop with no tick
// at all: a commit that owes a message wakes it, and idle it reads
// nothing.
func TestEngineRunWakesOnEnqueueAndSleepsWhenIdle(t *testing.T) {
	e := newEnv(t, 4)
	e.clock = &clock{t: time.Now()}
	e.eng.now = time.Now
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.eng.Run(ctx) }()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	rows := e.owe("reminder", false, "UNOW")
	waitFor("the kicked row", func() bool { return e.row(rows[0].ID).State == store.StateSent })
	// Nothing due: once the looks that follow the send are over, the
	// engine sleeps, and idle moments cost no query.
	before := counted(t, e.m.StoreQueries)
	for settle := time.Now().Add(5 * time.Second); time.Now().Before(settle); {
		time.Sleep(100 * time.Millisecond)
		n := counted(t, e.m.StoreQueries)
		if n == before {
			break
		}
		before = n
	}
	time.Sleep(300 * time.Millisecond)
	if n := counted(t, e.m.StoreQueries) - before; n != 0 {
		t.Errorf("%v store queries while idle without a tick, want 0", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestPausesByFamilyAndConversation(t *testing.T) {
	c := &clock{t: t0}
	p := NewPauses(c.Now)
	if whole := p.Note("chat.postMessage", "C1", 30*time.Second); whole {
		t.Error("one conversation limited the whole family")
	}
	for _, tc := range []struct {
		family, conv string
		want         time.Duration
	}{
		{"chat.postMessage", "C1", 30 * time.Second},
		{"chat.postMessage", "C2", 0},
		{"users.info", "", 0},
		{"chat.update", "C1", 0},
	} {
		if got := p.Wait(tc.family, tc.conv); got != tc.want {
			t.Errorf("Wait(%s, %s) = %s, want %s", tc.family, tc.conv, got, tc.want)
		}
	}
	c.Add(10 * time.Second)
	if whole := p.Note("chat.postMessage", "C2", 5*time.Second); !whole {
		t.Error("two conversations limited at once did not hold the family")
	}
	if got := p.Wait("chat.postMessage", "C3"); got != 5*time.Second {
		t.Errorf("family wait %s, want 5s", got)
	}
	if got := p.Wait("chat.postMessage", "C1"); got != 20*time.Second {
		t.Errorf("C1 wait %s, want its own 20s", got)
	}
	if p.Note("views.open", "", time.Second); p.Wait("views.open", "") != time.Second || p.Wait("users.info", "") != 0 {
		t.Error("a family without conversations is held as a whole, and alone")
	}
	c.Add(time.Minute)
	if got := p.Wait("chat.postMessage", "C1"); got != 0 {
		t.Errorf("wait %s after every pause ended", got)
	}
}

func TestBackoff(t *testing.T) {
	var got []string
	for a := 1; a <= 10; a++ {
		got = append(got, Backoff(a).String())
	}
	if want := "5s 10s 20s 40s 1m20s 2m40s 5m20s 10m0s 10m0s 10m0s"; strings.Join(got, " ") != want {
		t.Errorf("backoff %s, want %s", strings.Join(got, " "), want)
	}
}

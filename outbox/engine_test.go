package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

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

// TestEngineSendAndRecordHaveSeparateDeadlines: the send's deadline
// starts at the claim, recording's when the send has ended. A slow answer
// is recorded; a recording the store cannot make in time leaves the row
// claimed, and recovery finds the message instead of sending it twice; a
// send past its deadline is retried, never recorded as sent.
func TestEngineSendAndRecordHaveSeparateDeadlines(t *testing.T) {
	for _, c := range []struct {
		name       string
		send, mark time.Duration // the engine's SendTimeout and MarkTimeout
		delay      time.Duration // how long the service takes to answer
		answer     func(ctx context.Context) (Result, error)
		stall      bool  // the store stalls recording the outcome past its deadline
		wantErr    error // what DeliverNow returns
		state      string
		next       time.Duration // a pending row's next attempt, from now
		// Then the clock moves on by later, the service answers at once and
		// the store records at once: the row ends sent after attempts.
		later    time.Duration
		attempts int
	}{{
		// The answer takes longer than recording may: were recording's
		// deadline counted from the claim, it would have passed already.
		name: "slow answer within its deadline is recorded",
		send: 5 * time.Second, mark: 300 * time.Millisecond, delay: 600 * time.Millisecond,
		state: store.StateSent, attempts: 1,
	}, {
		name: "recording stalls past its deadline, recovery finds the message",
		send: 5 * time.Second, mark: 50 * time.Millisecond, stall: true,
		wantErr: context.DeadlineExceeded, state: store.StateSending,
		later: RecoverAfter, attempts: 1,
	}, {
		name: "send past its deadline is retried, not recorded as sent",
		send: time.Second, mark: 5 * time.Second,
		answer: func(ctx context.Context) (Result, error) { <-ctx.Done(); return Result{}, ctx.Err() },
		state:  store.StatePending, next: Backoff(1),
		later: Backoff(1), attempts: 2,
	}} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, 1)
			st := stallingMarks{Store: e.st, stall: &atomic.Bool{}}
			st.stall.Store(c.stall)
			e.eng = New(Options{Store: st, Sender: e.sender, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Now: e.clock.Now, Workers: 1, Metrics: e.m})
			e.eng.sendTimeout, e.eng.markTimeout = c.send, c.mark
			e.sender.delay = c.delay
			e.sender.set("USLOW", c.answer)
			id := e.owe("reminder", false, "USLOW")[0].ID

			if err := e.deliverNow(); !errors.Is(err, c.wantErr) {
				t.Fatalf("DeliverNow = %v, want %v", err, c.wantErr)
			}
			got := e.row(id)
			if got.State != c.state || got.Attempts != 1 {
				t.Fatalf("after the first run: %s after %d attempts (%s), want %s after 1", got.State, got.Attempts, got.LastError, c.state)
			}
			if c.state == store.StatePending {
				if want := e.clock.Now().Add(c.next); !got.NextAttempt.Equal(want) {
					t.Errorf("next attempt %s, want %s", got.NextAttempt, want)
				}
				if n := counted(t, e.m.Deliveries.WithLabelValues("reminder", "retry")); n != 1 {
					t.Errorf("deliveries_total{retry} = %v, want 1", n)
				}
				if n := counted(t, e.m.Deliveries.WithLabelValues("reminder", "sent")); n != 0 {
					t.Errorf("deliveries_total{sent} = %v for a send past its deadline, want 0", n)
				}
			}
			if c.state != store.StateSent {
				e.clock.Add(c.later)
				e.sender.delay = 0
				e.sender.set("USLOW", nil)
				st.stall.Store(false)
				if err := e.deliverNow(); err != nil {
					t.Fatal(err)
				}
				got = e.row(id)
			}
			if got.State != store.StateSent || got.Attempts != c.attempts {
				t.Fatalf("in the end: %s after %d attempts (%s), want sent after %d", got.State, got.Attempts, got.LastError, c.attempts)
			}
			if n := e.sender.sent[id]; n != 1 {
				t.Errorf("the service took the message %d times, want 1", n)
			}
		})
	}
}

// stallingMarks is a store that, while stall is set, cannot record a
// message as sent before the deadline of the call runs out.
type stallingMarks struct {
	Store
	stall *atomic.Bool
}

func (s stallingMarks) MarkPosted(ctx context.Context, d store.Delivery, channel, ts string, now time.Time) error {
	if s.stall.Load() {
		<-ctx.Done()
		return fmt.Errorf("store: mark posted: %w", ctx.Err())
	}
	return s.Store.MarkPosted(ctx, d, channel, ts, now)
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
	// Settled means no query for a whole second: one quiet 100 ms sample
	// could be the engine descheduled between two of those looks on a
	// busy machine, and their next query would then land in the window.
	before := counted(t, e.m.StoreQueries)
	for quiet, deadline := time.Now(), time.Now().Add(30*time.Second); time.Since(quiet) < time.Second; {
		if time.Now().After(deadline) {
			t.Fatalf("store queries still coming 30 s after the send, with nothing due: the engine never sleeps")
		}
		time.Sleep(100 * time.Millisecond)
		if n := counted(t, e.m.StoreQueries); n != before {
			before, quiet = n, time.Now()
		}
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

// While requests are being answered (Options.Busy), at most BusyWorkers
// rows are in flight; every row still goes, and once the requests are
// answered the engine uses all its workers again.
func TestEngineYieldsToAnswers(t *testing.T) {
	for _, busy := range []bool{true, false} {
		t.Run(fmt.Sprintf("busy=%v", busy), func(t *testing.T) {
			e := newEnv(t, 8)
			e.eng.answering = func(store.Delivery) bool { return busy }
			e.sender.delay = 20 * time.Millisecond
			e.owe("reminder", false, recipients(24)...)
			if err := e.deliverNow(); err != nil {
				t.Fatal(err)
			}
			if got := e.states(); got[store.StateSent] != 24 {
				t.Fatalf("states %v, want 24 sent", got)
			}
			switch {
			case busy && e.sender.peak > BusyWorkers:
				t.Errorf("%d sends at once while busy, want at most %d", e.sender.peak, BusyWorkers)
			case !busy && e.sender.peak <= BusyWorkers:
				t.Errorf("%d sends at once when idle, want more than %d", e.sender.peak, BusyWorkers)
			}
		})
	}
}

// stuckAgenda is a store whose reads of the agenda wait until their
// context ends, as one does when shutdown lands mid-read.
type stuckAgenda struct {
	Store
	reading chan struct{}
}

func (s stuckAgenda) Agenda(ctx context.Context, now time.Time, limit int) (store.Agenda, error) {
	select {
	case s.reading <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return store.Agenda{}, fmt.Errorf("store: agenda: %w", ctx.Err())
}

// TestEngineRunShutdownMidLookLogsNoError: SIGTERM while the engine reads
// its agenda ends Run cleanly; the cancelled read is not logged as an
// error (replicas' logs are checked for errors after a clean shutdown).
func TestEngineRunShutdownMidLookLogsNoError(t *testing.T) {
	e := newEnv(t, 2)
	var logged syncLog
	st := stuckAgenda{Store: e.st, reading: make(chan struct{}, 1)}
	eng := New(Options{Store: st, Sender: e.sender, Log: slog.New(slog.NewTextHandler(&logged, nil)), Now: e.clock.Now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	select {
	case <-st.reading:
	case <-time.After(30 * time.Second):
		t.Fatal("the engine never read its agenda")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v after its context ended", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if out := logged.String(); strings.Contains(out, "level=ERROR") {
		t.Errorf("shutdown mid-look logged an error:\n%s", out)
	}

	// A store failure that is not a shutdown is still an error in the log.
	eng = New(Options{Store: brokenAgenda{e.st}, Sender: e.sender, Log: slog.New(slog.NewTextHandler(&logged, nil)), Now: e.clock.Now})
	if err := eng.DeliverNow(context.Background()); err == nil {
		t.Error("DeliverNow on a failing store returned no error")
	}
	if out := logged.String(); !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "disk I/O error") {
		t.Errorf("a failing agenda was not logged as an error:\n%s", out)
	}
}

type brokenAgenda struct{ Store }

func (brokenAgenda) Agenda(context.Context, time.Time, int) (store.Agenda, error) {
	return store.Agenda{}, errors.New("store: agenda: disk I/O error")
}

// syncLog is a log written by the engine's goroutines and read by the test.
type syncLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

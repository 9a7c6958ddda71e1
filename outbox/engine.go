package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

const (
	// DefaultWorkers is how many rows are in flight at once by default:
	// enough that a fan-out of hundreds of DMs, each two calls of tens of
	// milliseconds, goes out in about a second.
	DefaultWorkers = 16
	// batch is how many due rows one look reads.
	batch = 100
	// lookTimeout bounds one read of the agenda.
	lookTimeout = 30 * time.Second
	// RunTimeout bounds DeliverNow.
	RunTimeout = 2 * time.Minute
	// lookupRetry is how long a failed recovery lookup waits.
	lookupRetry = 30 * time.Second
	// BusyWorkers is how many rows are in flight at once while requests
	// are being answered (Options.Busy).
	BusyWorkers = 2
)

// Options are what New needs; zero values get defaults.
type Options struct {
	Store   Store
	Sender  Sender
	Log     *slog.Logger
	Now     func() time.Time
	Workers int
	Metrics *Metrics // nil: private, unregistered
	// Pauses, when set, is given the rate pauses each agenda brings, so
	// the Sender's checks see every process's without a query of their own.
	Pauses *Pauses
	// Busy reports whether row d must yield to requests someone waits
	// for (a command Slack gives 3 s) being answered right now. Rows that
	// yield go at most BusyWorkers at a time: answers come before
	// deliveries, which share the processor and the database writer with
	// them, and a burst of requests slows deliveries without stopping
	// them. Nil: none yields.
	Busy func(d store.Delivery) bool
}

// Engine delivers the outbox. Its methods are safe for concurrent use.
type Engine struct {
	st     Store
	sender Sender
	log    *slog.Logger
	now    func() time.Time
	m      *Metrics
	pauses *Pauses
	kickc  chan struct{}
	slots  chan struct{}
	// yieldSlots bound the rows in flight while answering (Options.Busy)
	// says requests are being answered.
	answering  func(store.Delivery) bool
	yieldSlots chan struct{}
	// sendTimeout and markTimeout are SendTimeout and MarkTimeout; tests
	// shorten them.
	sendTimeout, markTimeout time.Duration

	mu        sync.Mutex
	busy      map[int64]bool      // rows a worker holds
	lanes     map[string]bool     // lanes with a row in flight
	lookAgain map[int64]time.Time // claimed rows whose lookup failed: not before
	wantLook  bool                // the last look left rows behind
	brk       breaker
}

// New builds an engine.
func New(o Options) *Engine {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	return &Engine{
		st:        countingStore{st: o.Store, n: o.Metrics.StoreQueries},
		sender:    o.Sender,
		log:       o.Log,
		now:       o.Now,
		m:         o.Metrics,
		pauses:    o.Pauses,
		kickc:     make(chan struct{}, 1),
		slots:     make(chan struct{}, o.Workers),
		answering: o.Busy, yieldSlots: make(chan struct{}, BusyWorkers),
		busy: map[int64]bool{}, lanes: map[string]bool{}, lookAgain: map[int64]time.Time{},
		sendTimeout: SendTimeout, markTimeout: MarkTimeout,
		// A new engine does not know whether the service is up: its first
		// delivery is a probe, so a restart during an outage costs one call.
		brk: breaker{open: true},
	}
}

// Kick asks the engine to look at the outbox now. It never blocks; kicks
// while a look is pending are one kick.
func (e *Engine) Kick() {
	select {
	case e.kickc <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for the deliveries in flight.
// Between looks it sleeps until the earliest due row, a kick, or the
// moment a claim left by a dead worker may be recovered.
func (e *Engine) Run(ctx context.Context) error {
	r := &run{}
	defer r.wg.Wait()
	for {
		wake, _ := e.look(ctx, r)
		var timer *time.Timer
		var fire <-chan time.Time
		if !wake.IsZero() {
			timer = time.NewTimer(max(wake.Sub(e.now()), 0))
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return nil
		case <-e.kickc:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// DeliverNow delivers what is due now and returns when it has all been
// tried, for the `run` and `retry` subcommands and tests. It starts with a
// probe even when an outage has closed the way, tries each row at most
// once, and returns store errors and panics as errors.
func (e *Engine) DeliverNow(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, RunTimeout)
	defer cancel()
	r := &run{once: true, forced: true, seen: map[int64]uint8{}}
	for ctx.Err() == nil {
		r.again.Store(false)
		_, handed := e.look(ctx, r)
		r.wg.Wait()
		// Look again only for rows this run left behind (a lane was busy,
		// the batch was full, a row came back to the queue): rows enqueued
		// by the deliveries themselves wait for the next run.
		if handed == 0 || !r.again.Load() {
			break
		}
	}
	return r.err()
}

// run is one DeliverNow, or the life of Run.
type run struct {
	once   bool // DeliverNow
	forced bool // probe now, whatever the breaker says (first look of DeliverNow)
	seen   map[int64]uint8
	again  atomic.Bool // DeliverNow: something was left for another look
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

const (
	seenSend uint8 = 1 << iota
	seenRecover
)

func (r *run) fail(err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

func (r *run) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.errs...)
}

// look reads the agenda once and hands out what may go now. It returns
// when to look again (zero: only when kicked) and how many rows it handed
// out. A panic or a store error is logged and reported to the run.
func (e *Engine) look(ctx context.Context, r *run) (wake time.Time, handed int) {
	defer func() {
		if p := recover(); p != nil {
			err := fmt.Errorf("outbox: look panicked: %v", p)
			e.log.Error("delivery look panicked", slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			r.fail(err)
			wake = e.now().Add(MinBackoff)
		}
	}()
	lctx, cancel := context.WithTimeout(ctx, lookTimeout)
	a, err := e.st.Agenda(lctx, e.now(), batch)
	cancel()
	if err != nil {
		r.fail(err)
		// When shutdown (or DeliverNow's caller giving up) ended the
		// read, it is not a store failure, and not worth an error in the log.
		if ctx.Err() == nil {
			e.log.Error("delivery look failed", slog.Any("error", err))
		}
		return e.now().Add(MinBackoff), 0
	}
	now := e.now()
	if e.pauses != nil {
		e.pauses.Shared(a.Pauses, now)
	}
	wake = a.Next
	later := func(t time.Time) {
		if wake.IsZero() || t.Before(wake) {
			wake = t
		}
	}
	e.mu.Lock()
	e.wantLook = false
	claimed := map[int64]bool{}
	for _, d := range a.Sending {
		claimed[d.ID] = true
	}
	for id := range e.lookAgain {
		if !claimed[id] {
			delete(e.lookAgain, id)
		}
	}
	e.mu.Unlock()

	// Recovery first: a row a dead worker left may be the announcement
	// that other rows wait for.
	for _, d := range a.Sending {
		e.mu.Lock()
		at := d.Updated.Add(RecoverAfter)
		if again := e.lookAgain[d.ID]; again.After(at) {
			at = again
		}
		e.mu.Unlock()
		if at.After(now) {
			later(at)
			continue
		}
		switch e.hand(ctx, r, d, true) {
		case handedOut:
			handed++
		case stopped:
			later(e.reopens())
			return wake, handed
		}
	}
	for _, d := range a.Due {
		switch e.hand(ctx, r, d, false) {
		case handedOut:
			handed++
		case stopped:
			later(e.reopens())
			return wake, handed
		}
	}
	if len(a.Due) == batch {
		e.mu.Lock()
		e.wantLook = true
		e.mu.Unlock()
		r.again.Store(true)
	}
	r.forced = false
	return wake, handed
}

type handOutcome int

const (
	handedOut handOutcome = iota
	passed                // busy, its lane busy, or already tried in this run
	stopped               // the breaker holds every row
)

// hand gives d to a worker when it may go: not already in flight, its
// lane free, and the service not known to be down. It waits for a free
// worker.
func (e *Engine) hand(ctx context.Context, r *run, d store.Delivery, recovering bool) handOutcome {
	mark := seenSend
	if recovering {
		mark = seenRecover
	}
	if r.once && r.seen[d.ID]&mark != 0 {
		return passed
	}
	lane := e.sender.Lane(d)
	e.mu.Lock()
	if e.busy[d.ID] || lane != "" && e.lanes[lane] {
		e.wantLook = true
		r.again.Store(true)
		e.mu.Unlock()
		return passed
	}
	probe, ok := e.brk.allow(e.now(), r.forced)
	if !ok {
		if e.brk.probing {
			r.again.Store(true) // the probe's answer may open the way
		}
		e.mu.Unlock()
		return stopped
	}
	if probe {
		r.forced = false
	}
	e.busy[d.ID] = true
	if lane != "" {
		e.lanes[lane] = true
	}
	e.mu.Unlock()

	select {
	case e.slots <- struct{}{}:
	case <-ctx.Done():
		e.release(d.ID, lane, probe, outcome{})
		return stopped
	}
	yielded := e.answering != nil && e.answering(d)
	if yielded {
		select {
		case e.yieldSlots <- struct{}{}:
		case <-ctx.Done():
			<-e.slots
			e.release(d.ID, lane, probe, outcome{})
			return stopped
		}
	}
	if r.once {
		r.seen[d.ID] |= mark
	}
	r.wg.Add(1)
	// Deliveries in flight finish even when the run is told to stop:
	// SIGTERM stops taking work, it does not drop work half done.
	wctx := context.WithoutCancel(ctx)
	go func() {
		defer r.wg.Done()
		var o outcome
		defer func() {
			if yielded {
				<-e.yieldSlots
			}
			<-e.slots
			e.release(d.ID, lane, probe, o)
		}()
		defer func() {
			if p := recover(); p != nil {
				e.log.Error("delivery panicked", slog.Int64("delivery", d.ID), slog.String("kind", d.Kind),
					slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
				r.fail(fmt.Errorf("outbox: %s delivery %d panicked: %v", d.Kind, d.ID, p))
			}
		}()
		var err error
		if recovering {
			o, err = e.recoverOne(wctx, d)
		} else {
			o, err = e.deliver(wctx, d.ID)
		}
		if o.panicked != nil {
			r.fail(o.panicked)
		}
		if o.requeued {
			r.again.Store(true)
		}
		if err != nil {
			e.log.Error("delivery could not be recorded", slog.Int64("delivery", d.ID), slog.String("kind", d.Kind), slog.Any("error", err))
			r.fail(err)
		}
	}()
	return handedOut
}

// release frees what a worker held and feeds its outcome to the breaker.
// A row back in the queue, or rows a look had to leave, call for a look.
func (e *Engine) release(id int64, lane string, probe bool, o outcome) {
	e.mu.Lock()
	delete(e.busy, id)
	if lane != "" {
		delete(e.lanes, lane)
	}
	e.brk.record(e.now(), probe, o.health)
	look := e.wantLook || o.requeued || probe
	e.mu.Unlock()
	if look {
		e.Kick()
	}
}

// reopens is when the breaker lets the next probe through.
func (e *Engine) reopens() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.brk.until
}

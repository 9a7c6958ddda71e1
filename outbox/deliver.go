package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// outcome is what one worker's row came to, for the breaker and the loop.
type outcome struct {
	health   health
	requeued bool  // back in the queue: the next wake may have moved
	panicked error // the Sender panicked (the row was recorded as Broken)
}

// deliver claims row id, delivers it and records what happened. Only
// errors recording the outcome are returned; the Sender's errors are the
// row's business.
func (e *Engine) deliver(ctx context.Context, id int64) (outcome, error) {
	// The deadline starts before the claim, so everything done under this
	// claim ends within SendTimeout of it (see RecoverAfter).
	sctx, cancel := context.WithTimeout(ctx, e.sendTimeout)
	defer cancel()
	d, err := e.st.ClaimDelivery(sctx, id, e.now())
	if errors.Is(err, store.ErrNotFound) {
		return outcome{}, nil // another worker took it
	}
	if err != nil {
		return outcome{}, err
	}
	if tooLate(d, e.now()) {
		return outcome{}, e.skip(ctx, d, "too late to arrive before its deadline")
	}
	if d.Channel != "" {
		// An earlier attempt may have been delivered: look before sending again.
		res, found, err := e.find(sctx, d)
		switch {
		case err != nil:
			return e.failed(ctx, d, fmt.Errorf("looking for an earlier attempt: %w", err), true)
		case found:
			return outcome{health: up}, e.posted(ctx, d, res)
		}
	}
	res, err := e.send(sctx, d)
	if err != nil {
		return e.failed(ctx, d, err, false)
	}
	if res == (Result{}) {
		return outcome{}, e.skip(ctx, d, "nothing to send")
	}
	return outcome{health: up}, e.posted(ctx, d, res)
}

// errPanic marks a Sender's panic, turned into the row's error.
var errPanic = errors.New("sender panicked")

func (e *Engine) send(ctx context.Context, d store.Delivery) (res Result, err error) {
	defer e.catch(d, &err)
	return e.sender.Send(ctx, d)
}

func (e *Engine) find(ctx context.Context, d store.Delivery) (res Result, found bool, err error) {
	defer e.catch(d, &err)
	return e.sender.Find(ctx, d)
}

func (e *Engine) catch(d store.Delivery, err *error) {
	if p := recover(); p != nil {
		e.log.Error("sender panicked", slog.Int64("delivery", d.ID), slog.String("kind", d.Kind),
			slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
		*err = fmt.Errorf("%w: %v", errPanic, p)
	}
}

// markCtx gives recording its own deadline, started now that the send is
// over, and free of the run's cancellation: an answer is always recorded.
func (e *Engine) markCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), e.markTimeout)
}

// tooLate reports whether d can no longer arrive in time.
func tooLate(d store.Delivery, at time.Time) bool {
	return !d.Deadline.IsZero() && !at.Before(d.Deadline)
}

func (e *Engine) skip(ctx context.Context, d store.Delivery, reason string) error {
	ctx, cancel := e.markCtx(ctx)
	defer cancel()
	e.m.Deliveries.WithLabelValues(d.Kind, "skipped").Inc()
	return e.settled(d, e.st.MarkDone(ctx, d, store.StateSkipped, reason, e.now()))
}

func (e *Engine) posted(ctx context.Context, d store.Delivery, res Result) error {
	ctx, cancel := e.markCtx(ctx)
	defer cancel()
	e.m.Deliveries.WithLabelValues(d.Kind, "sent").Inc()
	if res.Announcement {
		return e.settled(d, e.st.MarkAnnounced(ctx, d, res.Channel, res.TS, e.now()))
	}
	return e.settled(d, e.st.MarkPosted(ctx, d, res.Channel, res.TS, e.now()))
}

// settled passes on a store error, except that a claim lost to recovery
// is only logged: whoever took the row back records its fate.
func (e *Engine) settled(d store.Delivery, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		e.log.Warn("delivery was taken back by recovery", slog.Int64("delivery", d.ID), slog.String("kind", d.Kind))
		return nil
	}
	return err
}

// failed records a failed attempt at d as its Sender classifies err.
// lookup says the error came from looking for an earlier attempt, whose
// fate therefore stays unknown.
func (e *Engine) failed(ctx context.Context, d store.Delivery, err error, lookup bool) (outcome, error) {
	now := e.now()
	log := e.log.With(slog.Int64("delivery", d.ID), slog.String("kind", d.Kind), slog.Int("attempts", d.Attempts))
	switch {
	case errors.Is(err, ErrClaimLost):
		log.Warn("delivery was taken back by recovery before it went out")
		return outcome{}, nil
	case errors.Is(err, ErrNotYet):
		return outcome{requeued: true}, e.retry(ctx, d, now.Add(min(Backoff(d.Attempts), time.Minute)), err, lookup)
	}
	var o outcome
	if errors.Is(err, errPanic) {
		o.panicked = fmt.Errorf("outbox: %s delivery %d: %w", d.Kind, d.ID, err)
	}
	v := e.sender.Classify(err)
	if errors.Is(err, errPanic) {
		v = Verdict{Class: Broken}
	}
	// A service that answered, even no, is up.
	switch v.Class {
	case Unavailable, Unauthorized:
		o.health = down
	case Refused, Limited, Permanent:
		o.health = up
	}
	// Unless the service said no, it may have acted.
	uncertain := lookup || v.Class == Unavailable || v.Class == Broken
	var giveUp bool
	switch v.Class {
	case Permanent:
		giveUp = true
	case Limited:
		e.m.Deliveries.WithLabelValues(d.Kind, "rate_limited").Inc()
		log.Info("rate limited: delivery waits", slog.Duration("retry_after", v.After))
		o.requeued = true
		return o, e.retry(ctx, d, now.Add(max(v.After, time.Second)), err, uncertain)
	case Unavailable:
		// Retried for as long as the message is useful: an outage loses nothing.
	case Unauthorized:
		giveUp = waited(d.Attempts-1) >= AuthWindow
	default:
		giveUp = d.Attempts >= MaxAttempts
	}
	if giveUp {
		return o, e.fail(ctx, d, err)
	}
	wait := Backoff(d.Attempts)
	e.m.Deliveries.WithLabelValues(d.Kind, "retry").Inc()
	log.Warn("delivery will be retried", slog.String("class", v.Class.String()), slog.Duration("in", wait), slog.Any("error", err))
	o.requeued = true
	return o, e.retry(ctx, d, now.Add(wait), err, uncertain)
}

// retry puts d back for another attempt at next, unless by then it would
// arrive after its deadline. uncertain says the service may have taken it.
func (e *Engine) retry(ctx context.Context, d store.Delivery, next time.Time, cause error, uncertain bool) error {
	if tooLate(d, next) {
		return e.skip(ctx, d, "too late to arrive before its deadline: "+cause.Error())
	}
	ctx, cancel := e.markCtx(ctx)
	defer cancel()
	if uncertain {
		return e.settled(d, e.st.MarkUncertain(ctx, d, next, cause.Error(), e.now()))
	}
	return e.settled(d, e.st.MarkRetry(ctx, d, next, cause.Error(), e.now()))
}

// fail ends d as failed and, with it, owes a notice to whoever the Sender
// says can fix the cause.
func (e *Engine) fail(ctx context.Context, d store.Delivery, cause error) error {
	ctx, cancel := e.markCtx(ctx)
	defer cancel()
	e.m.Deliveries.WithLabelValues(d.Kind, "failed").Inc()
	e.log.Error("delivery failed for good", slog.Int64("delivery", d.ID), slog.String("kind", d.Kind),
		slog.Int("attempts", d.Attempts), slog.Any("error", cause))
	notices, err := e.undeliverable(ctx, d, cause)
	if err != nil {
		// The failure is recorded all the same; only the notice is lost.
		e.log.Error("no notice for a failed delivery", slog.Int64("delivery", d.ID), slog.Any("error", err))
	}
	return e.settled(d, e.st.MarkFailed(ctx, d, cause.Error(), e.now(), notices...))
}

func (e *Engine) undeliverable(ctx context.Context, d store.Delivery, cause error) (n []store.Delivery, err error) {
	defer e.catch(d, &err)
	return e.sender.Undeliverable(ctx, d, cause)
}

// recoverOne settles a row a worker left in sending long enough ago that
// it must have died between the service and its local commit: found, it
// is recorded as sent; not found, it goes back to the queue.
func (e *Engine) recoverOne(ctx context.Context, d store.Delivery) (outcome, error) {
	sctx, cancel := context.WithTimeout(ctx, e.sendTimeout)
	defer cancel()
	log := e.log.With(slog.Int64("delivery", d.ID), slog.String("kind", d.Kind))
	res, found, err := e.find(sctx, d)
	if err != nil {
		v := e.sender.Classify(err)
		if v.Class == Permanent {
			// The service will not say whether it has the message; sending
			// again could duplicate it, so the row ends here.
			log.Error("recovery: cannot look the delivery up", slog.Any("error", err))
			return outcome{health: up}, e.fail(ctx, d, fmt.Errorf("recovery could not check: %w", err))
		}
		log.Warn("recovery: lookup failed, will retry", slog.Any("error", err))
		wait := lookupRetry
		if v.Class == Limited {
			wait = max(v.After, time.Second)
		}
		e.mu.Lock()
		e.lookAgain[d.ID] = e.now().Add(wait)
		e.mu.Unlock()
		h := unknown
		if v.Class == Unavailable || v.Class == Unauthorized {
			h = down
		}
		return outcome{health: h, requeued: true}, nil
	}
	switch {
	case found:
		log.Info("recovery: delivery was made before the crash", slog.String("channel", res.Channel), slog.String("ts", res.TS))
		return outcome{health: up}, e.posted(ctx, d, res)
	case tooLate(d, e.now()):
		return outcome{}, e.skip(ctx, d, "too late to arrive before its deadline (recovered: not delivered)")
	}
	log.Info("recovery: delivery not found, sending it again")
	e.m.Deliveries.WithLabelValues(d.Kind, "recovered").Inc()
	mctx, mcancel := e.markCtx(ctx)
	defer mcancel()
	return outcome{requeued: true}, e.settled(d, e.st.MarkRetry(mctx, d, e.now(), "recovered: not delivered", e.now()))
}

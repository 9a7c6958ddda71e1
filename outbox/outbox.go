// Package outbox is the delivery engine: it sends every message the bot
// owes (a row of the store's outbox, written with the change that caused
// it) exactly once, through crashes, outages and rate limits.
//
// The engine claims a due row (the claim's attempt number fences every
// later change, so a worker that lost its row cannot overwrite its fate),
// hands it to a Sender, and records what happened: sent, retried with
// backoff, skipped when it can no longer arrive before its deadline, or
// failed for good, with a notice owed to someone who can fix the cause.
// Rows left in sending by a dead worker are looked up through the Sender
// (which tags every message with its row) and settled.
//
// It sleeps until the earliest due row and is woken by every change
// (Kick, which the store calls after each commit that owes messages); a
// cron tick only kicks it as a safety net. Rows go out concurrently,
// through a bounded pool of workers, one at a time per lane.
//
// The engine knows nothing of Slack: a surface implements Sender.
package outbox

import (
	"context"
	"errors"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Store is the part of the store the engine needs.
type Store interface {
	Agenda(ctx context.Context, now time.Time, limit int) (store.Agenda, error)
	ClaimDelivery(ctx context.Context, id int64, now time.Time) (store.Delivery, error)
	MarkPosted(ctx context.Context, d store.Delivery, channel, ts string, now time.Time) error
	MarkAnnounced(ctx context.Context, d store.Delivery, channel, ts string, now time.Time) error
	MarkRetry(ctx context.Context, d store.Delivery, next time.Time, reason string, now time.Time) error
	MarkUncertain(ctx context.Context, d store.Delivery, next time.Time, reason string, now time.Time) error
	MarkDone(ctx context.Context, d store.Delivery, state, reason string, now time.Time) error
	MarkFailed(ctx context.Context, d store.Delivery, reason string, now time.Time, notices ...store.Delivery) error
}

// Sender delivers rows to one surface (Slack today, email later).
type Sender interface {
	// Send delivers d, whose claim the engine holds. A zero Result and no
	// error means there was nothing left to say (the row is skipped).
	// Before handing the message over, Send records on the row where it
	// goes (store.SetDeliveryChannel), which both tells recovery where to
	// look and checks that the claim is still held (ErrClaimLost if not).
	Send(ctx context.Context, d store.Delivery) (Result, error)
	// Find looks for a message an earlier attempt at d may have delivered.
	Find(ctx context.Context, d store.Delivery) (Result, bool, error)
	// Classify sorts an error from Send or Find.
	Classify(err error) Verdict
	// Lane names the rows that must go one at a time, in order (a thread
	// reply after its announcement); "" lets d go alongside anything.
	Lane(d store.Delivery) string
	// Undeliverable returns the messages owed about d failing for good
	// (a DM to whoever can fix the cause), enqueued with the failure.
	Undeliverable(ctx context.Context, d store.Delivery, cause error) ([]store.Delivery, error)
}

// Result is where a message went.
type Result struct {
	Channel, TS string
	// Announcement says the message is its session's announcement, whose
	// place is recorded on the session in the same transaction.
	Announcement bool
}

// Class sorts what an error means for the message.
type Class int

const (
	// Broken is an error of the sender's own, which may have come after
	// the message was handed over: retried up to MaxAttempts, looking for
	// the message first.
	Broken Class = iota
	// Refused is an answer of the service that no message was taken, for
	// a reason not known to be final: retried up to MaxAttempts.
	Refused
	// Unavailable means the service is down or unreachable, and may have
	// acted: retried with backoff for as long as the message is useful.
	Unavailable
	// Unauthorized means the credentials were refused, as while a token is
	// being replaced: retried with backoff for AuthWindow.
	Unauthorized
	// Limited is a rate limit: retried after Verdict.After, without
	// counting against the message.
	Limited
	// Permanent means no retry can succeed (the channel is gone): the row
	// fails and whoever can fix the cause is told.
	Permanent
)

var classNames = [...]string{"broken", "refused", "unavailable", "unauthorized", "limited", "permanent"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "unknown"
}

// Verdict is a Sender's reading of an error.
type Verdict struct {
	Class Class
	// After is how long a Limited call must wait.
	After time.Duration
}

var (
	// ErrClaimLost is returned by a Sender whose claim was taken back by
	// recovery: it must neither deliver nor record anything.
	ErrClaimLost = errors.New("outbox: delivery claim lost")
	// ErrNotYet is returned by a Sender that cannot act yet (a thread
	// reply whose announcement is not out) and wants another try soon.
	ErrNotYet = errors.New("outbox: waiting for an earlier message")
)

const (
	// MaxAttempts bounds retries of Broken and Refused errors.
	MaxAttempts = 8
	// MinBackoff and MaxBackoff bound the wait between attempts.
	MinBackoff = 5 * time.Second
	MaxBackoff = 10 * time.Minute
	// AuthWindow is how long, in waits between attempts, refused
	// credentials are retried: long enough to replace a token.
	AuthWindow = time.Hour
	// SendTimeout bounds the service side of one delivery, from its claim.
	SendTimeout = 15 * time.Second
	// RecoverAfter is how old a claim must be before recovery takes the
	// row back. Another live process (the server and `exchangebot run`
	// share the database) may be sending a younger one; once SendTimeout
	// has passed, and the service has had ample time to finish what it was
	// handed, the row's fate there is settled and can be looked up.
	RecoverAfter = SendTimeout + 30*time.Second
	// MarkTimeout bounds recording an outcome. Its clock starts when the
	// send has ended, however slow that was: an answer is always recorded.
	MarkTimeout = 10 * time.Second
)

// Backoff doubles from MinBackoff with each attempt, up to MaxBackoff.
func Backoff(attempts int) time.Duration {
	d := MinBackoff
	for i := 1; i < attempts && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// waited is the total of the waits after attempts 1…attempts: how long a
// row has been retried when attempts+1 ends.
func waited(attempts int) time.Duration {
	var total time.Duration
	for i := 1; i <= attempts; i++ {
		total += Backoff(i)
	}
	return total
}

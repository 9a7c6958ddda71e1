package store

import "time"

// Delivery states.
const (
	StatePending = "pending"
	StateSending = "sending" // claimed; Slack may or may not have it
	StateSent    = "sent"
	StateSkipped = "skipped" // no longer useful (a reminder too late to arrive in time)
	StateDropped = "dropped" // withdrawn by a change (move, cancel, leave)
	StateFailed  = "failed"  // gave up after repeated errors
)

// Delivery is one message the bot owes: a row of the outbox.
type Delivery struct {
	ID          int64
	Kind        string
	SessionID   int64 // 0 when not about one session (digest)
	Recipient   string
	InThread    bool
	Payload     string
	Due         time.Time
	Deadline    time.Time // zero = none
	State       string
	Attempts    int // claims so far; the current claim's number while sending
	NextAttempt time.Time
	LastError   string
	// Channel is where the delivery was, or is being, posted. On a pending
	// row it means an earlier attempt may have reached Slack there, so the
	// dispatcher looks before posting again.
	Channel string
	TS      string
	Dedupe  string
	// Updated is the row's last change; for a sending row, when it was claimed.
	Updated time.Time
}

// Agenda is what the delivery engine needs to know, read in one query so
// an idle engine costs one round trip per look.
type Agenda struct {
	// Due are pending rows whose next attempt has come, oldest first.
	Due []Delivery
	// Next is when the earliest pending row not yet due becomes due; zero
	// when none waits.
	Next time.Time
	// Sending are rows claimed by some worker, oldest claim first: the
	// engine's own, another process's, or a dead worker's.
	Sending []Delivery
	// Pauses are the rate pauses running (see Store.SetRatePause), by key:
	// read with the rows, they cost no query of their own.
	Pauses map[string]time.Time
}

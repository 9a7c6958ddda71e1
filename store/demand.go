package store

import "time"

// Request statuses: open until staff plan it into a session, decline it
// or merge it into another request.
const (
	RequestOpen     = "open"
	RequestPlanned  = "planned"
	RequestDeclined = "declined"
	RequestMerged   = "merged"
)

// Request is one person's demand for a session on a topic.
type Request struct {
	ID       int64
	Topic    string
	Asker    string   // Slack user id
	Channel  string   // the office or channel it is for ("" = none said)
	Partners []string // partner institutions it concerns, in the order given
	Status   string
	// Reason is why it was declined, as given (may be empty).
	Reason string
	// MergedInto is the request this one was merged into (RequestMerged).
	MergedInto int64
	// SessionID is the session it was planned into (RequestPlanned).
	SessionID int64
	// DecidedBy is who planned, declined or merged it.
	DecidedBy string
	Created   time.Time
	Updated   time.Time

	// Filled by reads: the planned session's start and status, or those of
	// the request it was merged into, once that one is planned.
	SessionStart  time.Time
	SessionStatus string
}

// RequestChange is what deciding on a request sets: its new status and
// the details that go with it.
type RequestChange struct {
	Status     string
	Reason     string
	MergedInto int64
	SessionID  int64
	DecidedBy  string
}

// RequestFilter selects requests for Requests. Zero values mean "no limit".
type RequestFilter struct {
	// Status keeps only that status ("" = any).
	Status string
	// From and To keep requests made in [From, To).
	From, To time.Time
	// MergedInto keeps the requests merged into that one.
	MergedInto int64
	// SessionID keeps the requests planned into that session.
	SessionID int64
	// Newest lists latest first instead of oldest first.
	Newest bool
	Limit  int
}

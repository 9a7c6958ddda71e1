package assemble

import (
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// EvaluationStamps are an evaluation's times as stored: unix seconds, 0
// for "not yet". A backend scans its columns into them.
type EvaluationStamps struct {
	AwaitingSince, Asked, Rated, Plan, FollowedUp, Applied, Changed int64
}

// Set sets e's times from the stamps.
func (st EvaluationStamps) Set(e *store.Evaluation) {
	e.AwaitingSince, e.AskedAt, e.RatedAt, e.PlanAt = TimeOrZero(st.AwaitingSince), TimeOrZero(st.Asked), TimeOrZero(st.Rated), TimeOrZero(st.Plan)
	e.FollowedUpAt, e.AppliedAt, e.ChangedAt = TimeOrZero(st.FollowedUp), TimeOrZero(st.Applied), TimeOrZero(st.Changed)
}

// EvaluatedSession is what Evaluations reads of the session evaluated,
// its times as stored.
type EvaluatedSession struct {
	Title, Kind string
	Start, End  int64
}

// Set sets e's session details.
func (s EvaluatedSession) Set(e *store.Evaluation) {
	e.SessionTitle, e.SessionKind = s.Title, s.Kind
	e.SessionStart, e.SessionEnd = Time(s.Start), Time(s.End)
}

// EvaluationPartners gives each evaluation its session's partners, read
// once per session, keyed by session id: evaluations of one session share
// the list.
func EvaluationPartners(evals []store.Evaluation, partners []Keyed[string]) {
	bySession := Group(partners)
	for i := range evals {
		evals[i].Partners = bySession[evals[i].SessionID]
	}
}

// ChangeStamps are the times, in unix seconds, that the change c made at
// now writes to an evaluation's awaiting_at and followed_up_at; nil keeps
// the stored time. awaiting_at is when a question was last awaited
// (store.Evaluation.AwaitingSince), so clearing what is awaited ("")
// keeps it.
func ChangeStamps(c store.EvaluationChange, now time.Time) (awaitingAt, followedUpAt *int64) {
	at := now.Unix()
	if c.Awaiting != nil && *c.Awaiting != "" {
		awaitingAt = &at
	}
	if c.FollowedUp {
		followedUpAt = &at
	}
	return awaitingAt, followedUpAt
}

package store

import "time"

// What a direct reply from a participant answers, while a question of an
// evaluation waits for words.
const (
	AwaitNothing = ""
	AwaitPlan    = "plan"   // what they will apply, after the ratings DM
	AwaitChange  = "change" // what changed, after the follow-up
)

// Answers to the follow-up's "did you apply it?".
const (
	AppliedYes    = "yes"
	AppliedPartly = "partly"
	AppliedNotYet = "not_yet"
)

// Evaluation is one participant's evaluation of one session: how useful
// it was and what they will apply, then, at the follow-up, whether they
// did and what changed. Zero times mean "not yet".
type Evaluation struct {
	SessionID int64
	UserID    string
	// DMChannel is where the questions were asked; Awaiting is what a
	// reply there answers now (AwaitPlan, AwaitChange, or nothing).
	DMChannel string
	Awaiting  string
	// AwaitingSince is when Awaiting was last set to a question.
	AwaitingSince time.Time
	AskedAt       time.Time
	Rating        int // 1–5, 0 when not rated
	RatedAt       time.Time
	Plan          string
	PlanAt        time.Time
	// FollowedUpAt is when the follow-up was asked.
	FollowedUpAt time.Time
	Applied      string // AppliedYes, AppliedPartly, AppliedNotYet, or ""
	AppliedAt    time.Time
	Changed      string
	ChangedAt    time.Time

	// Filled by Evaluations: the session evaluated.
	SessionTitle string
	SessionKind  string
	SessionStart time.Time
	SessionEnd   time.Time
	Partners     []string
}

// Responded reports whether the participant answered anything of the
// first question round (a rating or a plan).
func (e Evaluation) Responded() bool { return e.Rating > 0 || e.Plan != "" }

// EvaluationChange sets some of an evaluation's fields; nil ones stay.
// Setting an answer stamps its time.
type EvaluationChange struct {
	DMChannel  *string
	Awaiting   *string
	Rating     *int
	Plan       *string
	FollowedUp bool // stamps FollowedUpAt
	Applied    *string
	Changed    *string
}

// EvaluationFilter selects evaluations for Evaluations: those of
// sessions that started in [From, To) (zero = no limit).
type EvaluationFilter struct {
	From, To time.Time
}

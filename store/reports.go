package store

import (
	"math"
	"time"
)

// ReportQuery selects what a report covers: the confirmed sessions that
// started in [From, To) and had ended by Now.
type ReportQuery struct {
	From, To, Now time.Time
	// Location is the institution's zone, whose calendar months Report.Months
	// follow: a session at 22:00 on 31 January in Santiago is January's,
	// though it is February in UTC. Nil means UTC.
	Location *time.Location
}

// Report holds the M&E figures for the sessions held in a period:
// confirmed sessions that started in [From, To) and had ended by the time
// the report was made.
type Report struct {
	From, To time.Time

	Held      int
	ByKind    []Count
	ByPartner []Count // a session with two partners counts for each; sessions with none are not listed

	Participants int // distinct people who joined
	RSVPs        int // joins, counting a person once per session
	Speakers     int // distinct speakers, Slack or external

	Captured int // held sessions with at least one lesson
	// MedianToFirstLesson is the median, over captured sessions, of the
	// time from the session's end to its first answer; zero when none.
	MedianToFirstLesson time.Duration
	// OpenPrompts are people asked who have neither answered nor said stop.
	OpenPrompts int

	// Series counts the series with a session held in the period, and
	// SeriesHeld how many of the Held sessions are occurrences of one.
	Series     int
	SeriesHeld int
	// Demand and Evaluation are filled by the exchange service from
	// Requests and Evaluations; a backend's Report leaves them zero.
	Demand     Demand
	Evaluation EvaluationReport
	// Months are the held sessions month by month in the query's Location,
	// from the first month with one to the last, months without any
	// included.
	Months []Month
	// FirstLessons are, for each captured session, the time from its end
	// to its first answer, shortest first.
	FirstLessons []time.Duration
}

// Count is a label and how many.
type Count struct {
	Label string
	N     int
}

// CaptureRate is Captured/Held, 0 when nothing was held.
func (r Report) CaptureRate() float64 {
	if r.Held == 0 {
		return 0
	}
	return float64(r.Captured) / float64(r.Held)
}

// Demand counts the requests made in the report's period, as they stand
// now. A request merged into another counts as planned once that one is.
type Demand struct {
	Received, Planned, Declined, Merged, Open int
	// MedianToSession is the median, over planned requests, of the time
	// from asking to the session's start; zero when none.
	MedianToSession time.Duration
	// ByPartner counts requests per partner they named; those naming
	// none are not listed.
	ByPartner []DemandCount
}

// DemandCount is Demand's figures for one partner.
type DemandCount struct {
	Label                       string
	Received, Planned, Declined int
}

// EvaluationReport is what participants said of the sessions held in the
// period: in total, by kind and by partner.
type EvaluationReport struct {
	Total     Outcomes
	ByKind    []Outcomes
	ByPartner []Outcomes // a session with two partners counts for each
}

// Outcomes are the participants' answers about a group of sessions.
type Outcomes struct {
	Label string
	// Asked were sent the ratings DM; Responded gave a rating or a plan;
	// Rated gave a rating, counted per value in Ratings[0] (1) to Ratings[4] (5).
	Asked, Responded, Rated int
	Ratings                 [5]int
	// WithPlan said what they will apply.
	WithPlan int
	// FollowedUp were asked at the follow-up whether they applied it, and
	// answered Yes, Partly or NotYet (or nothing yet).
	FollowedUp, Yes, Partly, NotYet int
}

// The shares and the mean below are NaN when their base is 0 (nobody
// asked, rated, answered or followed up): that is no figure, and a 0
// would read as a result. Surfaces word NaN as such (i18n.NoFigure).

// ResponseRate is Responded/Asked.
func (o Outcomes) ResponseRate() float64 { return ratio(o.Responded, o.Asked) }

// MeanRating is the mean usefulness, 1–5.
func (o Outcomes) MeanRating() float64 {
	sum := 0
	for i, n := range o.Ratings {
		sum += (i + 1) * n
	}
	return ratio(sum, o.Rated)
}

// PlanShare is WithPlan/Responded: of those who answered, the share who
// said what they will apply.
func (o Outcomes) PlanShare() float64 { return ratio(o.WithPlan, o.Responded) }

// Uptake is (Yes+Partly)/FollowedUp: of those asked at the follow-up, the
// share who applied it, fully or partly.
func (o Outcomes) Uptake() float64 { return ratio(o.Yes+o.Partly, o.FollowedUp) }

func ratio(n, d int) float64 {
	if d == 0 {
		return math.NaN()
	}
	return float64(n) / float64(d)
}

package store

import "time"

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
	// Months are the held sessions month by month (UTC), from the first
	// month with one to the last, months without any included.
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

package store

import "time"

// Series is a set of sessions scheduled together to repeat. Each
// occurrence is a Session of its own (own id, reminders, lessons, feed
// event) whose SeriesID names the series.
type Series struct {
	ID int64
	// Every is how often it repeats, in exchange's words ("week", "2w",
	// "month").
	Every   string
	Creator string
	Created time.Time
	// Occurrences are the series' sessions with their details, soonest
	// first (ties by id), cancelled ones included.
	Occurrences []*Session
}

// Upcoming returns the confirmed occurrences that have not ended by now,
// soonest first.
func (s *Series) Upcoming(now time.Time) []*Session {
	var out []*Session
	for _, o := range s.Occurrences {
		if !o.Cancelled() && o.End().After(now) {
			out = append(out, o)
		}
	}
	return out
}

// Confirmed counts the occurrences not cancelled.
func (s *Series) Confirmed() int {
	n := 0
	for _, o := range s.Occurrences {
		if !o.Cancelled() {
			n++
		}
	}
	return n
}

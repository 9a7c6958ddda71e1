package assemble

import (
	"slices"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// MonthRow is one row of a report's month query: the sessions of one kind
// held in one month, and how many of them have a lesson.
type MonthRow struct {
	Month          string // "2006-01", UTC
	Kind           string
	Held, Captured int
}

// Report completes r from what the backend read: its counts by kind
// (r.ByKind, already set) give Held; delays are the seconds from each
// captured session's end to its first lesson. delays is sorted in place.
func Report(r *store.Report, delays []int64) {
	for _, c := range r.ByKind {
		r.Held += c.N
	}
	r.Captured = len(delays)
	r.MedianToFirstLesson = Median(delays)
	for _, d := range delays {
		r.FirstLessons = append(r.FirstLessons, time.Duration(d)*time.Second)
	}
}

// Months counts held and captured sessions, and each of kinds, month by
// month from rows ordered by month; the months without a session between
// the first and the last are listed too.
func Months(rows []MonthRow, kinds []store.Count) ([]store.Month, error) {
	var out []store.Month
	for _, row := range rows {
		start, err := time.Parse("2006-01", row.Month)
		if err != nil {
			return nil, err
		}
		for len(out) > 0 && out[len(out)-1].Start.AddDate(0, 1, 0).Before(start) {
			out = append(out, emptyMonth(out[len(out)-1].Start.AddDate(0, 1, 0), kinds))
		}
		if len(out) == 0 || !out[len(out)-1].Start.Equal(start) {
			out = append(out, emptyMonth(start, kinds))
		}
		m := &out[len(out)-1]
		m.Held += row.Held
		m.Captured += row.Captured
		for i := range m.ByKind {
			if m.ByKind[i].Label == row.Kind {
				m.ByKind[i].N += row.Held
			}
		}
	}
	return out, nil
}

func emptyMonth(start time.Time, kinds []store.Count) store.Month {
	m := store.Month{Start: start, ByKind: make([]store.Count, len(kinds))}
	for i, k := range kinds {
		m.ByKind[i].Label = k.Label
	}
	return m
}

// Median of seconds, averaging the middle two of an even count. It sorts
// secs in place.
func Median(secs []int64) time.Duration {
	if len(secs) == 0 {
		return 0
	}
	slices.Sort(secs)
	m := len(secs) / 2
	if len(secs)%2 == 1 {
		return time.Duration(secs[m]) * time.Second
	}
	return time.Duration(secs[m-1]+secs[m]) * time.Second / 2
}

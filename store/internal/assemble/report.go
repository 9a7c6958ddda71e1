package assemble

import (
	"slices"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// HeldRow is one row of a report's month query: a held session's start,
// as stored (unix seconds), its kind and whether it has a lesson. The
// months are found here rather than in SQL, so that they are the
// institution's calendar months and both backends agree on them.
type HeldRow struct {
	Start    int64
	Kind     string
	Captured bool
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

// Months counts held and captured sessions, and each of kinds, by the
// calendar month of loc (UTC when nil) in which each session started,
// from rows in any order. Months without a session between the first and
// the last are listed too; each starts at local midnight on the 1st.
func Months(rows []HeldRow, kinds []store.Count, loc *time.Location) []store.Month {
	if len(rows) == 0 {
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	// A month is numbered year*12 + month-1, so that months are counted
	// on the calendar and not by their length, which DST changes.
	index := make([]int, len(rows))
	first, last := 0, 0
	for i, row := range rows {
		t := Time(row.Start).In(loc)
		index[i] = t.Year()*12 + int(t.Month()) - 1
		if i == 0 || index[i] < first {
			first = index[i]
		}
		if i == 0 || index[i] > last {
			last = index[i]
		}
	}
	out := make([]store.Month, last-first+1)
	for i := range out {
		n := first + i
		out[i] = emptyMonth(time.Date(n/12, time.Month(n%12+1), 1, 0, 0, 0, 0, loc), kinds)
	}
	for i, row := range rows {
		m := &out[index[i]-first]
		m.Held++
		if row.Captured {
			m.Captured++
		}
		for k := range m.ByKind {
			if m.ByKind[k].Label == row.Kind {
				m.ByKind[k].N++
			}
		}
	}
	return out
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

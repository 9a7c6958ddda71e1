package exchange

import (
	"slices"
	"time"
)

// How often a series repeats.
const (
	EveryWeek     = "week"
	EveryTwoWeeks = "2w"
	EveryMonth    = "month"
)

// Everies are the intervals a series may repeat at.
var Everies = []string{EveryWeek, EveryTwoWeeks, EveryMonth}

// MaxOccurrences caps a series: a year of weekly sessions. More is far
// more likely a mistaken until: than a plan, and each occurrence owes
// reminders and prompts that would all have to be dropped again.
const MaxOccurrences = 52

// yearOf is how many occurrences a series given neither Until nor Count
// has: a year's worth.
var yearOf = map[string]int{EveryWeek: 52, EveryTwoWeeks: 26, EveryMonth: 12}

// Repeat makes a Draft a series: one session per occurrence, each its
// own (id, reminders, lessons), linked by a series id.
type Repeat struct {
	// Every is one of Everies; "" means a one-off session.
	Every string
	// Until is the last day an occurrence may fall on, taken as a date in
	// the session's zone; zero means none.
	Until time.Time
	// Count is how many occurrences, when given (nil when not). Until and
	// Count exclude each other; with neither, a series runs a year.
	Count *int
}

// IsSeries reports whether r asks for more than a one-off session.
func (r Repeat) IsSeries() bool { return r.Every != "" }

// checkRepeat makes the checks of r that need no date.
func checkRepeat(r Repeat) error {
	switch {
	case !slices.Contains(Everies, r.Every):
		return fail(CodeEvery, "every", r.Every, "everies", Everies)
	case r.Count != nil && !r.Until.IsZero():
		return fail(CodeSeriesEnds)
	case r.Count != nil && (*r.Count < 1 || *r.Count > MaxOccurrences):
		return fail(CodeSeriesCount, "count", *r.Count, "max", MaxOccurrences)
	}
	return nil
}

// Occurrences lists the starts of a series whose first occurrence is at
// start, read in loc. Each is computed from the first one's wall time in
// loc, never by adding hours: a 15:00 series in Santiago stays at 15:00
// local when the clocks change, which is what the people attending it
// expect.
//
// A monthly series keeps the day of the month of its first occurrence.
// In a month without that day (the 31st in April, the 29th to 31st in
// February) it falls on the month's last day instead, so a monthly
// meeting is never skipped; the next month returns to the original day
// (31 Jan, 28 Feb, 31 Mar).
//
// An error is an *Error: an unknown interval, both Until and Count, a
// Count outside 1..MaxOccurrences, an Until before the start's day, or
// an Until that would make more than MaxOccurrences.
func Occurrences(start time.Time, loc *time.Location, r Repeat) ([]time.Time, error) {
	if err := checkRepeat(r); err != nil {
		return nil, err
	}
	first := start.In(loc)
	n := yearOf[r.Every]
	if r.Count != nil {
		n = *r.Count
	}
	var last time.Time // the last day allowed, as a civil date in UTC
	if !r.Until.IsZero() {
		last = civilDay(r.Until.In(loc))
		if last.Before(civilDay(first)) {
			return nil, fail(CodeSeriesUntil, "until", last, "start", first, "tz", loc.String())
		}
		n = MaxOccurrences + 1 // enough to tell a series that passes the limit
	}
	out := make([]time.Time, 0, min(n, MaxOccurrences))
	for k := 0; k < n; k++ {
		t := nth(first, r.Every, k, loc)
		if !last.IsZero() && civilDay(t).After(last) {
			break
		}
		out = append(out, t)
	}
	if len(out) > MaxOccurrences {
		return nil, fail(CodeSeriesTooLong, "every", r.Every, "until", last, "start", first, "max", MaxOccurrences)
	}
	return out, nil
}

// nth is the k-th occurrence (0 the first) after first, in loc.
func nth(first time.Time, every string, k int, loc *time.Location) time.Time {
	y, m, d := first.Date()
	h, mi, _ := first.Clock()
	switch every {
	case EveryWeek:
		d += 7 * k
	case EveryTwoWeeks:
		d += 14 * k
	case EveryMonth:
		month := time.Date(y, m+time.Month(k), 1, 0, 0, 0, 0, time.UTC)
		y, m = month.Year(), month.Month()
		d = min(d, daysIn(y, m))
	}
	return WallTime(y, m, d, h, mi, loc)
}

// daysIn is the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// civilDay is t's calendar day, as midnight UTC, for comparing days
// without zones getting in the way.
func civilDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// WallTime is the moment the clocks in loc show h:mi on day d of month m
// of year y (out-of-range days and minutes roll over, as in time.Date).
// A wall time inside a DST gap (Santiago skips from 00:00 to 01:00 one
// September night) moves past the gap, as calendar apps do; time.Date
// would put it before the gap, on the previous day. Of a wall time that
// happens twice (clocks going back) it is the first, as time.Date gives it.
func WallTime(y int, m time.Month, d, h, mi int, loc *time.Location) time.Time {
	// Roll over in UTC, where every day has 24 hours, then place it.
	c := time.Date(y, m, d, h, mi, 0, 0, time.UTC)
	y, m, d = c.Date()
	h, mi, _ = c.Clock()
	t := time.Date(y, m, d, h, mi, 0, 0, loc)
	if t.Hour() != h || t.Minute() != mi {
		_, before := t.Zone()
		if _, after := t.Add(24 * time.Hour).Zone(); after > before {
			t = t.Add(time.Duration(after-before) * time.Second)
		}
	}
	return t
}

// shiftWall moves t by the change from from to to as the clocks in loc
// show it: the whole days between their dates and the change of time of
// day. A series moved from Tuesday 15:00 to Wednesday 16:00 keeps its
// later occurrences on Wednesdays at 16:00, whatever daylight saving
// does in between.
func shiftWall(t, from, to time.Time, loc *time.Location) time.Time {
	f, g, l := from.In(loc), to.In(loc), t.In(loc)
	days := int(civilDay(g).Sub(civilDay(f)) / (24 * time.Hour))
	minutes := (g.Hour()*60 + g.Minute()) - (f.Hour()*60 + f.Minute())
	y, m, d := l.Date()
	return WallTime(y, m, d+days, l.Hour(), l.Minute()+minutes, loc)
}

// Package assemble turns the plain values the storage backends read into
// the store's types: the grouping, counting and ordering done after a
// query. Each backend keeps its SQL and its scanning and hands the
// scanned values here, so both compute the same figures the same way.
// The few values both compute before writing (a token's hash, a pause's
// end in seconds) are made here too, for the same reason.
package assemble

import "time"

// Keyed is a value read together with the id of the row it belongs to
// (a session's partner, a request's partner, a series' occurrence).
type Keyed[T any] struct {
	ID int64
	V  T
}

// Group gathers keyed values by id, keeping their order.
func Group[T any](rows []Keyed[T]) map[int64][]T {
	out := make(map[int64][]T)
	for _, r := range rows {
		out[r.ID] = append(out[r.ID], r.V)
	}
	return out
}

// Time reads a stored time: unix seconds, as UTC.
func Time(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// TimeOrZero reads a stored time where 0 means "none" or "not yet".
func TimeOrZero(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return Time(sec)
}

// CeilUnix is t in unix seconds, rounded up: a pause kept to the second
// must not end before the service said, and a period's bound compared
// with whole-second times must not take in the second before it.
func CeilUnix(t time.Time) int64 {
	sec := t.Unix()
	if t.After(time.Unix(sec, 0)) {
		sec++
	}
	return sec
}

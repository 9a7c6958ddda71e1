package assemble

import "github.com/exchangebot/exchangebot/store"

// RequestTimes sets r's times from stored unix seconds; a session start
// of 0 means no session serves it yet.
func RequestTimes(r *store.Request, created, updated, sessionStart int64) {
	r.Created, r.Updated = Time(created), Time(updated)
	r.SessionStart = TimeOrZero(sessionStart)
}

// RequestIDs are the ids of requests, in order.
func RequestIDs(requests []store.Request) []int64 {
	ids := make([]int64, len(requests))
	for i, r := range requests {
		ids[i] = r.ID
	}
	return ids
}

// RequestPartners gives each request its partners, keyed by request id
// and in the order each request named them.
func RequestPartners(requests []store.Request, partners []Keyed[string]) {
	byRequest := Group(partners)
	for i := range requests {
		requests[i].Partners = byRequest[requests[i].ID]
	}
}

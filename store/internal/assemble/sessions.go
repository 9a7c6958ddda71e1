package assemble

import (
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// SessionTimes sets s's times from stored unix seconds.
func SessionTimes(s *store.Session, start, durationSecs, created, updated int64) {
	s.Start = Time(start)
	s.Duration = time.Duration(durationSecs) * time.Second
	s.Created = Time(created)
	s.Updated = Time(updated)
}

// SessionIDs are the ids of sessions, in order.
func SessionIDs(sessions []*store.Session) []int64 {
	ids := make([]int64, len(sessions))
	for i, s := range sessions {
		ids[i] = s.ID
	}
	return ids
}

// Details sets each session's partners, speakers and participants from
// the rows read for all of them, keyed by session id and in the order
// each list keeps.
func Details(sessions []*store.Session, partners []Keyed[string], speakers []Keyed[store.Speaker], participants []Keyed[string]) {
	byPartner, bySpeaker, byParticipant := Group(partners), Group(speakers), Group(participants)
	for _, s := range sessions {
		s.Partners, s.Speakers, s.Participants = byPartner[s.ID], bySpeaker[s.ID], byParticipant[s.ID]
	}
}

// SeriesIDs lists the series sessions belong to, each once.
func SeriesIDs(sessions []*store.Session) []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, s := range sessions {
		if s.SeriesID != 0 && !seen[s.SeriesID] {
			seen[s.SeriesID] = true
			ids = append(ids, s.SeriesID)
		}
	}
	return ids
}

// Places sets where each occurrence of a series falls in it ("3 of 6")
// from the confirmed occurrences of those series, keyed by series, in
// order of start. A series holds at most a few dozen, so placing them
// here is cheaper than a window query per session.
func Places(sessions []*store.Session, confirmed []Keyed[int64]) {
	place := map[int64]int{}
	size := map[int64]int{}
	for _, o := range confirmed {
		size[o.ID]++
		place[o.V] = size[o.ID]
	}
	for _, s := range sessions {
		if s.SeriesID != 0 {
			s.SeriesPlace, s.SeriesSize = place[s.ID], size[s.SeriesID]
		}
	}
}

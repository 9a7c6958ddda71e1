package assemble

import (
	"reflect"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func TestSessionTimes(t *testing.T) {
	var s store.Session
	SessionTimes(&s, 1767258000, 5400, 1767225600, 1767229200)
	if s.Start != Time(1767258000) || s.Duration != 90*time.Minute || s.Created != Time(1767225600) || s.Updated != Time(1767229200) {
		t.Errorf("SessionTimes: %+v", s)
	}
}

// TestDetails hands each session its own lists, in the order read, and
// leaves a session with none without any.
func TestDetails(t *testing.T) {
	a, b, c := &store.Session{ID: 1}, &store.Session{ID: 2}, &store.Session{ID: 3}
	sessions := []*store.Session{a, b, c}
	if got := SessionIDs(sessions); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
		t.Errorf("SessionIDs = %v", got)
	}
	jane := store.Speaker{ID: 9, Name: "Jane Doe", Email: "jane@example.org"}
	Details(sessions,
		[]Keyed[string]{{1, "FISDL"}, {1, "MIDIS"}, {3, "MIDIS"}},
		[]Keyed[store.Speaker]{{1, store.Speaker{ID: 4, UserID: "U1"}}, {2, jane}, {2, store.Speaker{ID: 5, UserID: "U2"}}},
		[]Keyed[string]{{2, "P2"}, {2, "P1"}})
	if !reflect.DeepEqual(a.Partners, []string{"FISDL", "MIDIS"}) || len(a.Participants) != 0 ||
		!reflect.DeepEqual(a.Speakers, []store.Speaker{{ID: 4, UserID: "U1"}}) {
		t.Errorf("session 1: %+v", a)
	}
	if len(b.Partners) != 0 || !reflect.DeepEqual(b.Speakers, []store.Speaker{jane, {ID: 5, UserID: "U2"}}) ||
		!reflect.DeepEqual(b.Participants, []string{"P2", "P1"}) {
		t.Errorf("session 2: %+v", b)
	}
	if !reflect.DeepEqual(c.Partners, []string{"MIDIS"}) || c.Speakers != nil || c.Participants != nil {
		t.Errorf("session 3: %+v", c)
	}
}

// TestPlaces numbers the confirmed occurrences of each series and leaves
// a cancelled one, and a one-off session, without a place.
func TestPlaces(t *testing.T) {
	one := &store.Session{ID: 1}
	s10, s11, s12 := &store.Session{ID: 10, SeriesID: 7}, &store.Session{ID: 11, SeriesID: 7}, &store.Session{ID: 12, SeriesID: 7}
	s20 := &store.Session{ID: 20, SeriesID: 8}
	sessions := []*store.Session{s12, one, s20, s10, s11}
	if got := SeriesIDs(sessions); !reflect.DeepEqual(got, []int64{7, 8}) {
		t.Errorf("SeriesIDs = %v, want [7 8]", got)
	}
	if got := SeriesIDs([]*store.Session{one}); got != nil {
		t.Errorf("SeriesIDs of a one-off = %v, want none", got)
	}
	// 11 is cancelled: not among the confirmed.
	Places(sessions, []Keyed[int64]{{7, 12}, {7, 10}, {8, 20}})
	for _, tt := range []struct {
		s           *store.Session
		place, size int
	}{{s12, 1, 2}, {s10, 2, 2}, {s11, 0, 2}, {s20, 1, 1}, {one, 0, 0}} {
		if tt.s.SeriesPlace != tt.place || tt.s.SeriesSize != tt.size {
			t.Errorf("session %d: %d of %d, want %d of %d", tt.s.ID, tt.s.SeriesPlace, tt.s.SeriesSize, tt.place, tt.size)
		}
	}
}

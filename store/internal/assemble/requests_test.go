package assemble

import (
	"reflect"
	"testing"

	"github.com/exchangebot/exchangebot/store"
)

func TestRequestTimes(t *testing.T) {
	var r store.Request
	RequestTimes(&r, 1767225600, 1767229200, 0)
	if r.Created != Time(1767225600) || r.Updated != Time(1767229200) || !r.SessionStart.IsZero() {
		t.Errorf("without a session: %+v", r)
	}
	RequestTimes(&r, 1767225600, 1767229200, 1767258000)
	if r.SessionStart != Time(1767258000) {
		t.Errorf("SessionStart = %v, want %v", r.SessionStart, Time(1767258000))
	}
}

func TestRequestPartners(t *testing.T) {
	rs := []store.Request{{ID: 5}, {ID: 3}, {ID: 9}}
	if got := RequestIDs(rs); !reflect.DeepEqual(got, []int64{5, 3, 9}) {
		t.Errorf("RequestIDs = %v", got)
	}
	RequestPartners(rs, []Keyed[string]{{3, "MIDIS"}, {5, "FISDL"}, {5, "ANSES"}})
	want := [][]string{{"FISDL", "ANSES"}, {"MIDIS"}, nil}
	for i, r := range rs {
		if !reflect.DeepEqual(r.Partners, want[i]) {
			t.Errorf("request %d: partners %v, want %v", r.ID, r.Partners, want[i])
		}
	}
}

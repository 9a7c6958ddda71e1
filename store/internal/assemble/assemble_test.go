package assemble

import (
	"reflect"
	"testing"
	"time"
)

func TestGroup(t *testing.T) {
	got := Group([]Keyed[string]{{2, "b1"}, {1, "a1"}, {2, "b2"}, {3, "c1"}, {2, "b3"}})
	want := map[int64][]string{1: {"a1"}, 2: {"b1", "b2", "b3"}, 3: {"c1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Group = %v, want %v", got, want)
	}
	if got := Group[string](nil)[1]; got != nil {
		t.Errorf("Group(nil)[1] = %v, want nil", got)
	}
}

func TestTime(t *testing.T) {
	if got, want := Time(1767225600), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); got != want {
		t.Errorf("Time = %v, want %v", got, want)
	}
	if got := Time(0); got.IsZero() || got.Location() != time.UTC {
		t.Errorf("Time(0) = %v, want the epoch in UTC", got)
	}
	if got := TimeOrZero(0); !got.IsZero() {
		t.Errorf("TimeOrZero(0) = %v, want zero", got)
	}
	if got := TimeOrZero(1767225600); got != Time(1767225600) {
		t.Errorf("TimeOrZero = %v", got)
	}
}

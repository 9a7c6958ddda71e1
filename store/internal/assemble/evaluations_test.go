package assemble

import (
	"reflect"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// TestEvaluationStamps reads 0 as "not yet" and the rest as UTC times.
func TestEvaluationStamps(t *testing.T) {
	var e store.Evaluation
	EvaluationStamps{AwaitingSince: 1767225600, Asked: 1767225000, Rated: 1767225300, Changed: 1767230000}.Set(&e)
	want := store.Evaluation{AwaitingSince: Time(1767225600), AskedAt: Time(1767225000), RatedAt: Time(1767225300), ChangedAt: Time(1767230000)}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("Set =\n%+v\nwant\n%+v", e, want)
	}
}

func TestEvaluatedSession(t *testing.T) {
	var e store.Evaluation
	EvaluatedSession{Title: "Cash transfers", Kind: "webinar", Start: 1767258000, End: 1767261600}.Set(&e)
	if e.SessionTitle != "Cash transfers" || e.SessionKind != "webinar" || e.SessionStart != Time(1767258000) ||
		e.SessionEnd.Sub(e.SessionStart) != time.Hour {
		t.Errorf("Set: %+v", e)
	}
}

func TestEvaluationPartners(t *testing.T) {
	evals := []store.Evaluation{{SessionID: 1, UserID: "P1"}, {SessionID: 1, UserID: "P2"}, {SessionID: 2, UserID: "P1"}, {SessionID: 3, UserID: "P3"}}
	EvaluationPartners(evals, []Keyed[string]{{1, "FISDL"}, {1, "MIDIS"}, {3, "MIDIS"}})
	want := [][]string{{"FISDL", "MIDIS"}, {"FISDL", "MIDIS"}, nil, {"MIDIS"}}
	for i, e := range evals {
		if !reflect.DeepEqual(e.Partners, want[i]) {
			t.Errorf("evaluation %d (session %d): partners %v, want %v", i, e.SessionID, e.Partners, want[i])
		}
	}
}

func TestChangeStamps(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	q, none := "plan", ""
	rating := 4
	tests := []struct {
		name               string
		c                  store.EvaluationChange
		awaiting, followed bool
	}{
		{"nothing", store.EvaluationChange{}, false, false},
		{"a question awaited", store.EvaluationChange{Awaiting: &q}, true, false},
		{"nothing awaited any more", store.EvaluationChange{Awaiting: &none, Rating: &rating}, false, false},
		{"followed up", store.EvaluationChange{FollowedUp: true}, false, true},
		{"both", store.EvaluationChange{Awaiting: &q, FollowedUp: true}, true, true},
	}
	for _, tt := range tests {
		awaitingAt, followedAt := ChangeStamps(tt.c, now)
		for _, s := range []struct {
			name string
			got  *int64
			want bool
		}{{"awaiting_at", awaitingAt, tt.awaiting}, {"followed_up_at", followedAt, tt.followed}} {
			switch {
			case s.want && (s.got == nil || *s.got != now.Unix()):
				t.Errorf("%s: %s = %v, want %d", tt.name, s.name, s.got, now.Unix())
			case !s.want && s.got != nil:
				t.Errorf("%s: %s = %d, want nil (kept)", tt.name, s.name, *s.got)
			}
		}
	}
}

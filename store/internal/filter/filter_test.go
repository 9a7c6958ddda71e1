package filter

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// oneLine folds the whitespace of a clause, so tests spell it on one
// line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestArgs(t *testing.T) {
	for _, mark := range []string{"$", "?"} {
		a := NewArgs(mark)
		if got := a.Add("x") + " " + a.Add(int64(7)); got != mark+"1 "+mark+"2" {
			t.Errorf("placeholders after %q: %q", mark, got)
		}
		if !reflect.DeepEqual(a.List(), []any{"x", int64(7)}) {
			t.Errorf("List = %v", a.List())
		}
	}
	if got := NewArgs("$").List(); got != nil {
		t.Errorf("no arguments: %v", got)
	}
}

func TestSessions(t *testing.T) {
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		f     store.Filter
		where string
		args  []any
	}{
		{"everything", store.Filter{}, "", nil},
		{"period", store.Filter{From: from, To: from.AddDate(0, 1, 0)},
			" WHERE starts_at >= $1 AND starts_at < $2", []any{from.Unix(), from.AddDate(0, 1, 0).Unix()}},
		{"a period with bounds part way through a second rounds both up",
			store.Filter{From: from.Add(300 * time.Millisecond), To: from.Add(1500 * time.Millisecond)},
			" WHERE starts_at >= $1 AND starts_at < $2", []any{from.Unix() + 1, from.Unix() + 2}},
		{"running", store.Filter{EndedBefore: from, EndsAfter: from.Add(-time.Hour)},
			" WHERE starts_at + duration_s <= $1 AND starts_at + duration_s > $2", []any{from.Unix(), from.Add(-time.Hour).Unix()}},
		{"status and series", store.Filter{Status: store.StatusConfirmed, SeriesID: 4},
			" WHERE status = $1 AND series_id = $2", []any{store.StatusConfirmed, int64(4)}},
		{"recently cancelled", store.Filter{CancelledSince: from},
			" WHERE (status <> 'cancelled' OR updated_at >= $1)", []any{from.Unix()}},
		{"user", store.Filter{User: "U1"},
			" WHERE (id IN (SELECT session_id FROM participants WHERE user_id = $1) OR id IN (SELECT ss.session_id FROM session_speakers ss JOIN speakers sp ON sp.id = ss.speaker_id WHERE sp.user_id = $1))",
			[]any{"U1"}},
		{"user or creator, after a status", store.Filter{Status: store.StatusConfirmed, User: "U1", OrCreated: true},
			" WHERE status = $1 AND (id IN (SELECT session_id FROM participants WHERE user_id = $2) OR id IN (SELECT ss.session_id FROM session_speakers ss JOIN speakers sp ON sp.id = ss.speaker_id WHERE sp.user_id = $2) OR creator = $2)",
			[]any{store.StatusConfirmed, "U1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewArgs("$")
			got := Sessions(tt.f, a)
			if oneLine(got) != oneLine(tt.where) || tt.where != "" && !strings.HasPrefix(got, " WHERE ") {
				t.Errorf("Sessions = %q\nwant %q", got, tt.where)
			}
			if !reflect.DeepEqual(a.List(), tt.args) {
				t.Errorf("args = %v, want %v", a.List(), tt.args)
			}
		})
	}
	if got := SessionOrder(store.Filter{}); got != " ORDER BY starts_at, id" {
		t.Errorf("SessionOrder = %q", got)
	}
	if got := SessionOrder(store.Filter{Newest: true}); got != " ORDER BY starts_at DESC, id DESC" {
		t.Errorf("SessionOrder(newest) = %q", got)
	}
}

func TestRequests(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		f      store.RequestFilter
		clause string
		args   []any
	}{
		{"all, oldest first", store.RequestFilter{}, " ORDER BY r.created_at, r.id", nil},
		{"open in a period, newest first, limited",
			store.RequestFilter{Status: store.RequestOpen, From: from, To: from.AddDate(0, 3, 0), Newest: true, Limit: 20},
			" WHERE r.status = ?1 AND r.created_at >= ?2 AND r.created_at < ?3 ORDER BY r.created_at DESC, r.id DESC LIMIT 20",
			[]any{store.RequestOpen, from.Unix(), from.AddDate(0, 3, 0).Unix()}},
		{"a period ending part way through a second holds that second",
			store.RequestFilter{To: from.Add(1500 * time.Millisecond)},
			" WHERE r.created_at < ?1 ORDER BY r.created_at, r.id", []any{from.Unix() + 2}},
		{"merged into, planned into", store.RequestFilter{MergedInto: 3, SessionID: 8},
			" WHERE r.merged_into = ?1 AND r.session_id = ?2 ORDER BY r.created_at, r.id", []any{int64(3), int64(8)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewArgs("?")
			if got := Requests(tt.f, a); got != tt.clause {
				t.Errorf("Requests = %q\nwant %q", got, tt.clause)
			}
			if !reflect.DeepEqual(a.List(), tt.args) {
				t.Errorf("args = %v, want %v", a.List(), tt.args)
			}
		})
	}
}

func TestEvaluations(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := NewArgs("$")
	if got := Evaluations(store.EvaluationFilter{}, a); got != "" || a.List() != nil {
		t.Errorf("no limits: %q %v", got, a.List())
	}
	a = NewArgs("$")
	if got := Evaluations(store.EvaluationFilter{From: from, To: from.AddDate(0, 3, 0)}, a); got != " WHERE s.starts_at >= $1 AND s.starts_at < $2" {
		t.Errorf("period: %q", got)
	}
	if !reflect.DeepEqual(a.List(), []any{from.Unix(), from.AddDate(0, 3, 0).Unix()}) {
		t.Errorf("period args: %v", a.List())
	}
	a = NewArgs("$")
	if got := Evaluations(store.EvaluationFilter{To: from}, a); got != " WHERE s.starts_at < $1" {
		t.Errorf("until: %q", got)
	}
}

// TestLessons writes the library's filters after a query's own
// arguments, whose placeholders it continues, and never reads the words.
func TestLessons(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	partner := "EXISTS (SELECT 1 FROM session_partners p WHERE p.session_id = s.id AND lower(p.name) = lower(?2))"
	tests := []struct {
		name string
		q    store.LessonQuery
		cond string
		args []any
	}{
		{"nothing", store.LessonQuery{}, "", nil},
		{"words only", store.LessonQuery{Words: "cash transfers", Limit: 5}, "", nil},
		{"partner", store.LessonQuery{Partner: "FISDL"}, " AND " + partner, []any{"FISDL"}},
		{"kind and period", store.LessonQuery{Kind: "webinar", From: from, To: from.AddDate(0, 3, 0)},
			" AND s.kind = ?2 AND s.starts_at >= ?3 AND s.starts_at < ?4", []any{"webinar", from.Unix(), from.AddDate(0, 3, 0).Unix()}},
		{"everything", store.LessonQuery{Words: "cash", Partner: "FISDL", Kind: "webinar", To: from},
			" AND " + partner + " AND s.kind = ?3 AND s.starts_at < ?4", []any{"FISDL", "webinar", from.Unix()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewArgs("?")
			a.Add("the query's own")
			if got := Lessons(tt.q, a); got != tt.cond {
				t.Errorf("Lessons = %q\nwant %q", got, tt.cond)
			}
			if want := append([]any{"the query's own"}, tt.args...); !reflect.DeepEqual(a.List(), want) {
				t.Errorf("args = %v, want %v", a.List(), want)
			}
		})
	}
}

func TestWords(t *testing.T) {
	if got := Words("cash\x00trans\tfers\r\n\"évalu\""); got != "cash trans fers  \"évalu\"" {
		t.Errorf("Words = %q", got)
	}
}

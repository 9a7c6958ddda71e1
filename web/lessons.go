package web

import (
	"net/http"
	"strings"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/store"
)

// libraryLimit bounds the lessons one page lists.
const libraryLimit = 50

// lessonView is one lesson in the library. Its fields are flat: the
// template reaches fields of embedded structs through a slow lookup.
type lessonView struct {
	SessionID              int64
	SessionTitle, Question string
	Snippet                string
	When, Kind, Who        string
}

// lessons is the library: ranked search with snippets, filtered by
// partner, kind and period.
func (s *Server) lessons(w http.ResponseWriter, r *http.Request, p *page) error {
	if !s.lessonsOpen(p) {
		return s.needSignIn(w, r, p)
	}
	q := r.URL.Query()
	loc := s.svc.Policy().Location
	lq := store.LessonQuery{
		Words: strings.TrimSpace(q.Get("q")), Partner: strings.TrimSpace(q.Get("partner")), Kind: q.Get("kind"), Limit: libraryLimit,
	}
	if !exchange.IsKind(lq.Kind) {
		lq.Kind = ""
	}
	if t, ok := parseDay(q.Get("from"), loc); ok {
		lq.From = t
	}
	if t, ok := parseDay(q.Get("to"), loc); ok {
		lq.To = t.AddDate(0, 0, 1) // the whole last day
	}
	results, err := s.svc.Library(r.Context(), lq)
	if err != nil {
		return err
	}
	views := make([]lessonView, len(results))
	for i, res := range results {
		v := lessonView{SessionID: res.SessionID, SessionTitle: res.SessionTitle, Question: res.Question, Snippet: res.Snippet,
			Kind: p.kind(res.SessionKind), Who: res.UserID}
		v.When = res.SessionStart.In(loc).Format("2006-01-02")
		if !exchange.IsExternal(res.UserID) {
			v.Who = "@" + res.UserID
		}
		views[i] = v
	}
	type kindOption struct{ Value, Label string }
	var kinds []kindOption
	for _, k := range exchange.Kinds {
		kinds = append(kinds, kindOption{k, p.kind(k)})
	}
	p.Title, p.Nav = p.T("web.lessons.title"), "lessons"
	p.Data = struct {
		Q, Partner, Kind, From, To string
		Kinds                      []kindOption
		Results                    []lessonView
		Searched                   bool
	}{lq.Words, lq.Partner, lq.Kind, q.Get("from"), q.Get("to"), kinds, views,
		lq.Words != "" || lq.Partner != "" || lq.Kind != "" || !lq.From.IsZero() || !lq.To.IsZero()}
	s.render(w, http.StatusOK, "lessons.html", p)
	return nil
}

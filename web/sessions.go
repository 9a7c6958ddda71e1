package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// sessionView is a session as pages show it, worded in the reader's
// language and in the session's own time zone.
type sessionView struct {
	ID          int64
	Title       string
	Kind        string
	When        string
	Until       string
	Duration    string
	Cancelled   bool
	Reason      string
	Description string
	Link        string
	Speakers    []string
	Partners    []string
	ICS         string
	Google      string
	Outlook     string
	Slack       string
}

// kindWords name the kinds of session (exchange.Kinds lists them) with
// the core catalog's words, which the Slack surface shows too.
var kindWords = map[string]string{"webinar": "kind.webinar", "exchange": "kind.exchange", "workshop": "kind.workshop"}

func (p *page) kind(k string) string {
	if id, ok := kindWords[k]; ok {
		return i18n.T(p.Lang, id, nil)
	}
	return k
}

func (s *Server) view(p *page, sess *store.Session) sessionView {
	zone := s.svc.Zone(sess)
	v := sessionView{
		ID: sess.ID, Title: sess.Title, Kind: p.kind(sess.Kind),
		When:      i18n.DayTime(sess.Start.In(zone)).Word(p.Lang),
		Until:     sess.End().In(zone).Format("15:04"),
		Duration:  i18n.Duration(sess.Duration).Word(p.Lang),
		Cancelled: sess.Cancelled(), Reason: sess.CancelReason, Description: sess.Description, Link: sess.Link,
		Partners: sess.Partners, ICS: s.site().SessionURL(sess.ID),
	}
	for _, sp := range sess.Speakers {
		v.Speakers = append(v.Speakers, speakerName(sp))
	}
	v.Google, v.Outlook = calendar.AddLinks(s.site(), sess)
	if s.o.AnnouncementLink != nil && sess.AnnounceTS != "" {
		v.Slack = s.o.AnnouncementLink(sess.AnnounceChannel, sess.AnnounceTS)
	}
	return v
}

// site is where session calendar links point: signed unless feeds are public.
func (s *Server) site() calendar.Site {
	site := calendar.Site{BaseURL: s.o.BaseURL}
	if !s.o.FeedsPublic {
		site.SessionKey = s.o.SessionFeedKey
	}
	return site
}

func speakerName(sp store.Speaker) string {
	switch {
	case sp.Name != "":
		return sp.Name
	case sp.UserID != "":
		return "@" + sp.UserID
	}
	return sp.Email
}

// sessionsOpen reports whether the reader may see sessions.
func (s *Server) sessionsOpen(p *page) bool { return s.o.FeedsPublic || p.User != nil }

// lessonsOpen reports whether the reader may read lessons.
func (s *Server) lessonsOpen(p *page) bool { return s.o.PublicLessons || p.User != nil }

// home lists the sessions to come.
func (s *Server) home(w http.ResponseWriter, r *http.Request, p *page) error {
	if !s.sessionsOpen(p) {
		return s.needSignIn(w, r, p)
	}
	// The first page, as before the list had pages.
	list, err := s.svc.List(r.Context(), "", exchange.ScopeUpcoming, 1)
	if err != nil {
		return err
	}
	views := make([]sessionView, 0, len(list.Sessions))
	for _, sess := range list.Sessions {
		views = append(views, s.view(p, sess))
	}
	p.Title, p.Nav = p.T("web.home.title"), "home"
	p.Data = struct {
		Sessions []sessionView
		Feed     string
	}{views, calendar.AllURL(s.o.BaseURL)}
	s.render(w, http.StatusOK, "home.html", p)
	return nil
}

// answerGroup is one person's answers to a session.
type answerGroup struct {
	Who     string
	Answers []store.Lesson
}

// session shows one session, and its lessons to those who may read them.
func (s *Server) session(w http.ResponseWriter, r *http.Request, p *page) error {
	if !s.sessionsOpen(p) {
		return s.needSignIn(w, r, p)
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	sess, lessons, err := s.svc.Lessons(r.Context(), id)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, sp := range sess.Speakers {
		names[sp.Key()] = speakerName(sp)
	}
	var groups []answerGroup
	for _, l := range lessons {
		if len(groups) == 0 || groups[len(groups)-1].Answers[0].UserID != l.UserID {
			who := names[l.UserID]
			if who == "" {
				who = "@" + l.UserID
			}
			groups = append(groups, answerGroup{Who: who})
		}
		g := &groups[len(groups)-1]
		g.Answers = append(g.Answers, l)
	}
	p.Title, p.Nav = sess.Title, "home"
	p.Data = struct {
		S           sessionView
		ShowLessons bool
		Lessons     []answerGroup
		Held        bool
	}{s.view(p, sess), s.lessonsOpen(p), groups, !sess.End().After(s.o.Now())}
	s.render(w, http.StatusOK, "session.html", p)
	return nil
}

// parseDay reads a date field (YYYY-MM-DD) in loc; ok is false when it is
// empty or unreadable, which the pages treat as "no bound".
func parseDay(v string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", v, loc)
	return t, err == nil
}

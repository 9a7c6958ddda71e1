package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
)

// maxAnswerForm bounds what one answer form may post.
const maxAnswerForm = 64 << 10

// questionView is one question of the answer form with its answer.
type questionView struct {
	N        int
	Name     string
	Question string
	Answer   string
}

// answerForm shows a speaker outside Slack the lesson questions of their
// session, in the session's language, with what they wrote before.
func (s *Server) answerForm(w http.ResponseWriter, r *http.Request, p *page) error {
	f, err := s.svc.AnswerForm(r.Context(), r.PathValue("token"))
	if err != nil {
		return s.answerTrouble(w, p, f, err)
	}
	s.showAnswer(w, p, f, "")
	return nil
}

// answerPost stores the form. Answers are limited per client address,
// so a script can neither guess tokens nor flood the library.
func (s *Server) answerPost(w http.ResponseWriter, r *http.Request, p *page) error {
	if !s.limit.allow(clientAddr(r)) {
		return errLimited
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAnswerForm)
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	if err := s.checkCSRF(r); err != nil {
		return err
	}
	token := r.PathValue("token")
	answers := map[int]string{}
	for i := 0; i < 50; i++ {
		if v, ok := r.PostForm["a"+strconv.Itoa(i)]; ok && len(v) > 0 {
			answers[i] = v[0]
		}
	}
	f, err := s.svc.SubmitExternal(r.Context(), token, answers)
	var e *exchange.Error
	if errors.As(err, &e) && e.Code == exchange.CodeNoAnswers {
		f, err = s.svc.AnswerForm(r.Context(), token)
		if err != nil {
			return s.answerTrouble(w, p, f, err)
		}
		s.showAnswer(w, p, f, "web.answer.empty")
		return nil
	}
	if err != nil {
		return s.answerTrouble(w, p, f, err)
	}
	s.showAnswer(w, p, f, "web.answer.saved")
	return nil
}

// answerTrouble answers a token that does not open a form: not found, or
// a session not over yet (a link sent before a move).
func (s *Server) answerTrouble(w http.ResponseWriter, p *page, f exchange.ExternalForm, err error) error {
	var e *exchange.Error
	if errors.As(err, &e) && e.Code == exchange.CodeNotHeld && f.Session != nil {
		p.Lang, p.OtherURL = i18n.Match(s.o.Language, f.Session.Lang), ""
		p.Title = p.T("web.answer.not_yet_title")
		p.Message = "web.answer.not_yet"
		s.render(w, http.StatusOK, "error.html", p)
		return nil
	}
	return err
}

func (s *Server) showAnswer(w http.ResponseWriter, p *page, f exchange.ExternalForm, note string) {
	// The form speaks the session's language: the speaker was written to in it.
	p.Lang = i18n.Match(s.o.Language, f.Session.Lang)
	p.OtherURL = ""
	qs := make([]questionView, len(f.Questions))
	for i, q := range f.Questions {
		qs[i] = questionView{N: i + 1, Name: "a" + strconv.Itoa(i), Question: q, Answer: f.Answers[i]}
	}
	name := f.Speaker.Name
	if name == "" {
		name = f.Speaker.Email
	}
	p.Title = p.T("web.answer.title", "Title", f.Session.Title)
	p.Data = struct {
		S         sessionView
		Name      string
		Questions []questionView
		Closes    string
		Note      string
		Saved     bool
	}{s.view(p, f.Session), name, qs, i18n.DayTime(f.Closes.In(s.svc.Zone(f.Session))).Word(p.Lang), note, note == "web.answer.saved"}
	s.render(w, http.StatusOK, "answer.html", p)
}

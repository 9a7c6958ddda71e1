package mail

import (
	"bytes"
	"context"
	"html/template"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// para is one paragraph of an email: text, and a link shown after it.
type para struct {
	Text string
	Link string
	List []string
}

// letter is an email before it is encoded.
type letter struct {
	Lang    i18n.Lang
	Subject string
	Paras   []para
	ICS     []byte // attached when set
	Method  string // the ICS's iTIP method
}

// compose words row d about sess, or returns nil when nothing is left to
// say (the speaker is gone, the session cancelled since).
func (s *Sender) compose(ctx context.Context, d store.Delivery, sess *store.Session) (*gomail.Msg, error) {
	var sp store.Speaker
	found := false
	for _, x := range sess.Speakers {
		if x.UserID == "" && x.Key() == d.Recipient {
			sp, found = x, true
		}
	}
	if !found {
		sp = store.Speaker{Email: d.Recipient}
	}
	lang := i18n.Match(s.cfg.Language, sess.Lang)
	t := func(id string, data map[string]any) string { return i18n.T(lang, id, data) }
	zone := s.svc.Zone(sess)
	data := map[string]any{
		"Title": sess.Title, "When": i18n.DayTime(sess.Start.In(zone)), "Duration": i18n.Duration(sess.Duration),
		"Name": sp.Name, "Reason": sess.CancelReason,
	}
	if sp.Name == "" {
		data["Name"] = sp.Email
	}
	l := letter{Lang: lang}
	greeting := para{Text: t("mail.greeting", data)}
	details := func() []para {
		var ps []para
		if sess.Link != "" {
			ps = append(ps, para{Text: t("mail.join", nil), Link: sess.Link})
		}
		if len(sess.Partners) > 0 {
			ps = append(ps, para{Text: t("mail.partners", map[string]any{"Partners": strings.Join(sess.Partners, ", ")})})
		}
		return ps
	}
	switch d.Kind {
	case exchange.KindMailInvite:
		if !found || sess.Cancelled() {
			return nil, nil
		}
		subject, body := "mail.invite.subject", "mail.invite.body"
		if d.Payload == exchange.InviteUpdate {
			subject, body = "mail.update.subject", "mail.update.body"
		}
		l.Subject = t(subject, data)
		l.Paras = append([]para{greeting, {Text: t(body, data)}}, details()...)
		if sess.Description != "" {
			l.Paras = append(l.Paras, para{Text: sess.Description})
		}
		l.Paras = append(l.Paras, para{Text: t("mail.calendar", nil)})
		l.Method = calendar.MethodRequest
	case exchange.KindMailCancel:
		l.Subject = t("mail.cancel.subject", data)
		body := t("mail.cancel.removed", data)
		if sess.Cancelled() {
			body = t("mail.cancel.body", data)
		}
		l.Paras = []para{greeting, {Text: body}}
		if sess.Cancelled() && sess.CancelReason != "" {
			l.Paras = append(l.Paras, para{Text: t("mail.cancel.reason", data)})
		}
		l.Method = calendar.MethodCancel
	case exchange.KindMailAnswer:
		if !found || sess.Cancelled() || !s.now().Before(s.svc.Closes(sess)) {
			return nil, nil
		}
		token, err := s.svc.IssueAnswerLink(ctx, sess.ID, sp.Email)
		if err != nil {
			return nil, err
		}
		l.Subject = t("mail.answer.subject", data)
		l.Paras = []para{greeting, {Text: t("mail.answer.body", data)},
			{Text: t("mail.answer.questions", nil), List: s.svc.Questions(sess)},
			{Text: t("mail.answer.link", nil), Link: strings.TrimRight(s.cfg.BaseURL, "/") + "/answer/" + token},
			{Text: t("mail.answer.closes", map[string]any{"Closes": i18n.DayTime(s.svc.Closes(sess).In(zone))})}}
	default:
		return nil, nil
	}
	l.Paras = append(l.Paras, para{Text: t("mail.footer", nil)})
	if l.Method != "" {
		ics, err := s.feed.InviteBytes(sess, l.Method, s.from.Address, sp)
		if err != nil {
			return nil, err
		}
		l.ICS = ics
	}
	return s.message(d, sp, l)
}

var htmlBody = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:sans-serif;line-height:1.5;color:#1a1a1a;max-width:40em">
{{range .Paras}}<p>{{.Text}}{{if .Link}} <a href="{{.Link}}">{{.Link}}</a>{{end}}</p>{{if .List}}<ol>{{range .List}}<li>{{.}}</li>{{end}}</ol>{{end}}
{{end}}</body></html>
`))

// message encodes l as a multipart email: plain text and HTML, with the
// invitation attached and also offered inline as text/calendar, which is
// what calendar-aware mail clients act on.
func (s *Sender) message(d store.Delivery, sp store.Speaker, l letter) (*gomail.Msg, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(s.from)
	if sp.Name != "" {
		if err := m.AddToFormat(sp.Name, sp.Email); err != nil {
			return nil, err
		}
	} else if err := m.To(sp.Email); err != nil {
		return nil, err
	}
	m.Subject(l.Subject)
	m.SetMessageIDWithValue(s.MessageID(d))
	m.SetDateWithValue(s.now().UTC().Truncate(time.Second))
	m.SetGenHeader(gomail.HeaderContentLang, string(l.Lang))
	var text strings.Builder
	for i, p := range l.Paras {
		if i > 0 {
			text.WriteString("\n\n")
		}
		text.WriteString(p.Text)
		if p.Link != "" {
			text.WriteString("\n" + p.Link)
		}
		for n, item := range p.List {
			text.WriteString("\n  " + strconv.Itoa(n+1) + ". " + item)
		}
	}
	text.WriteString("\n")
	m.SetBodyString(gomail.TypeTextPlain, text.String())
	var html bytes.Buffer
	if err := htmlBody.Execute(&html, l); err != nil {
		return nil, err
	}
	m.AddAlternativeString(gomail.TypeTextHTML, html.String())
	if l.ICS != nil {
		ct := gomail.ContentType("text/calendar; method=" + l.Method)
		if err := m.AttachReader("invite.ics", bytes.NewReader(l.ICS), gomail.WithFileContentType(ct)); err != nil {
			return nil, err
		}
	}
	return m, nil
}

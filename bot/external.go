package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Speakers outside Slack answer through a web page; without email set up
// their link goes to the session's creator here, to forward.

var _ = registerSender(exchange.KindAnswerLink, (*Bot).sendAnswerLink)

// extraSenders are senders registered beside their handlers in files of
// their own, added to every Bot's registry.
var extraSenders = map[string]func(*Bot, context.Context, store.Delivery, *store.Session) (string, string, error){}

func registerSender(kind string, fn func(*Bot, context.Context, store.Delivery, *store.Session) (string, string, error)) struct{} {
	extraSenders[kind] = fn
	return struct{}{}
}

// sendAnswerLink gives the creator a new answer link for the speaker
// whose email is the row's payload. Each attempt makes its own link: all
// stay valid, so a retry after an uncertain post breaks nothing.
func (b *Bot) sendAnswerLink(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	if s == nil || s.Cancelled() {
		return "", "", nil
	}
	name := d.Payload
	found := false
	for _, sp := range s.Speakers {
		if sp.UserID == "" && sp.Key() == d.Payload {
			found = true
			if sp.Name != "" {
				name = sp.Name
			}
		}
	}
	if !found {
		return "", "", nil // no longer speaking
	}
	token, err := b.svc.IssueAnswerLink(ctx, s.ID, d.Payload)
	if err != nil {
		return "", "", err
	}
	lang := b.readerLang(ctx, d.Recipient) // a DM: its reader's language
	text := i18n.T(lang, "mail.forward_link", map[string]any{
		"Name": escapeText(name), "Email": escapeText(d.Payload), "Title": escapeText(s.Title),
		"ID": s.ID, "Link": AnswerURL(b.cfg.BaseURL, token), "Closes": i18n.Day(b.svc.Closes(s).In(b.svc.Zone(s))),
	})
	return b.postDM(ctx, d, d.Recipient, slack.MsgOptionText(text, false))
}

// AnswerURL is the page where a speaker outside Slack answers, for token.
func AnswerURL(baseURL, token string) string {
	return strings.TrimRight(baseURL, "/") + "/answer/" + token
}

// personRef shows who gave a lesson: a Slack mention, or the email of a
// speaker outside Slack.
func personRef(person string) string {
	if exchange.IsExternal(person) {
		return escapeText(person)
	}
	return "<@" + person + ">"
}

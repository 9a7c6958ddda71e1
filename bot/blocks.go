package bot

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Action ids of the bot's buttons, matched in interactions.go.
const (
	actionJoin     = "join"
	actionCalendar = "add_to_calendar"
	actionCapture  = "capture_lessons"
)

// Permalink is the Slack link to a message, built without an API call
// (chat.getPermalink gives the same path on the workspace's own domain,
// and slack.com redirects there). It is "" until the message exists,
// and for a channel that is not an id: Slack answers a post with the
// channel's id, but a channel stored as typed (#general) has none to
// link to.
func Permalink(channel, ts string) string {
	if ts == "" || !isChannelID(channel) {
		return ""
	}
	return "https://slack.com/archives/" + channel + "/p" + strings.Replace(ts, ".", "", 1)
}

// isChannelID reports whether s looks like a Slack conversation id: a
// public (C) or private (G) channel or a DM (D).
func isChannelID(s string) bool {
	return len(s) >= 2 && strings.IndexByte("CGD", s[0]) >= 0 && isUpperAlnum(s)
}

// escapeText escapes the three characters Slack's mrkdwn treats as control
// characters, so user text cannot forge mentions or links.
func escapeText(s string) string { return mrkdwnEscaper.Replace(s) }

// mrkdwnEscaper is built once: a Replacer builds its tables on first use.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func speakerNames(sps []store.Speaker) string {
	names := make([]string, 0, len(sps))
	for _, sp := range sps {
		if sp.UserID != "" {
			names = append(names, "<@"+sp.UserID+">")
		} else {
			names = append(names, escapeText(sp.Name))
		}
	}
	return strings.Join(names, ", ")
}

// kindName words a session's kind for mrkdwn, as announcements, forms,
// the report and the web pages show it; a kind the catalogs do not know
// is shown as stored.
func kindName(lang i18n.Lang, kind string) string {
	if id := kindNames[kind]; id != "" {
		return tr(lang, id)
	}
	return escapeText(kind)
}

var kindNames = map[string]string{"webinar": "kind.webinar", "exchange": "kind.exchange", "workshop": "kind.workshop"}

func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, false, false)
}

// feedSite is where session feed links point: signed unless feeds are public.
func (b *Bot) feedSite() calendar.Site {
	site := calendar.Site{BaseURL: b.cfg.BaseURL}
	if !b.cfg.FeedsPublic {
		site.SessionKey = b.cfg.SessionFeedKey
	}
	return site
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// PlainText renders a reply for a terminal: its text, or the text of its
// blocks when it has them.
func PlainText(r Reply) string {
	if len(r.Blocks) == 0 {
		return r.Text
	}
	var parts []string
	for _, bl := range r.Blocks {
		switch v := bl.(type) {
		case *slack.SectionBlock:
			if v.Text != nil {
				parts = append(parts, v.Text.Text)
			}
		case *slack.HeaderBlock:
			parts = append(parts, v.Text.Text)
		case *slack.ContextBlock:
			for _, el := range v.ContextElements.Elements {
				if t, ok := el.(*slack.TextBlockObject); ok {
					parts = append(parts, t.Text)
				}
			}
		}
	}
	return strings.Join(parts, "\n")
}

package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Action ids of the bot's buttons, matched in interactions.go.
const (
	actionJoin     = "join"
	actionCalendar = "add_to_calendar"
	actionCapture  = "capture_lessons"
)

// slackDate renders t with Slack's date token, so every reader sees it in
// their own zone (and Slack's language); the fallback, for clients that
// cannot, is worded in lang in zone.
func slackDate(lang i18n.Lang, t time.Time, zone string) string {
	loc, err := exchange.LoadZone(zone)
	if err != nil {
		loc = time.UTC
	}
	fallback := i18n.DayTime(t.In(loc)).Word(lang)
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), fallback)
}

// Permalink is the Slack link to a message, built without an API call
// (chat.getPermalink gives the same path on the workspace's own domain,
// and slack.com redirects there). It is "" until the message exists.
func Permalink(channel, ts string) string {
	if channel == "" || ts == "" {
		return ""
	}
	return "https://slack.com/archives/" + channel + "/p" + strings.Replace(ts, ".", "", 1)
}

// escapeText escapes the three characters Slack's mrkdwn treats as control
// characters, so user text cannot forge mentions or links.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// formatDuration is a session's length in the unit symbols h and min,
// which read the same in English and Spanish.
func formatDuration(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

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

// kindName words a session's kind; a kind the catalogs do not know is
// shown as stored.
func kindName(lang i18n.Lang, kind string) string {
	if id := kindNames[kind]; id != "" {
		return tr(lang, id)
	}
	return escapeText(kind)
}

var kindNames = map[string]string{"webinar": "kind.webinar", "exchange": "kind.exchange", "workshop": "kind.workshop"}

// langNames word a session's lang.
var langNames = map[string]string{"en": "lang.en", "es": "lang.es"}

// sessionLines is the body shared by the announcement, show and reminders.
func sessionLines(lang i18n.Lang, s *store.Session) string {
	var b strings.Builder
	line := func(id string, pairs ...any) {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(tr(lang, id, pairs...))
	}
	line("post.session.when", "When", slackDate(lang, s.Start, s.TZ), "Duration", formatDuration(s.Duration))
	line("post.session.kind", "Kind", kindName(lang, s.Kind), "ID", s.ID)
	if id := langNames[s.Lang]; id != "" {
		fmt.Fprintf(&b, " · %s", tr(lang, id))
	}
	if len(s.Speakers) > 0 {
		line("post.session.speakers", "Names", speakerNames(s.Speakers))
	}
	if len(s.Partners) > 0 {
		parts := make([]string, len(s.Partners))
		for i, p := range s.Partners {
			parts[i] = escapeText(p)
		}
		line("post.session.partners", "Names", strings.Join(parts, ", "))
	}
	if s.Link != "" {
		line("post.session.link", "Link", s.Link)
	}
	if s.Description != "" {
		fmt.Fprintf(&b, "\n%s", escapeText(s.Description))
	}
	return b.String()
}

func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, false, false)
}

// announcementText is the notification fallback of the announcement.
func announcementText(lang i18n.Lang, s *store.Session) string {
	if s.Cancelled() {
		return tr(lang, "post.announce.cancelled", "Title", escapeText(s.Title))
	}
	kind := tr(lang, "post.announce.session")
	if s.Kind != "" {
		kind = capitalize(kindName(lang, s.Kind))
	}
	return kind + ": " + escapeText(s.Title)
}

// feedSite is where session feed links point: signed unless feeds are public.
func (b *Bot) feedSite() calendar.Site {
	site := calendar.Site{BaseURL: b.cfg.BaseURL}
	if !b.cfg.FeedsPublic {
		site.SessionKey = b.cfg.SessionFeedKey
	}
	return site
}

// announcementBlocks is the announcement as first posted and as updated
// after a move, a cancellation or a speaker change.
func announcementBlocks(lang i18n.Lang, s *store.Session, site calendar.Site) []slack.Block {
	title := s.Title
	if s.Cancelled() {
		title = tr(lang, "post.announce.cancelled", "Title", title)
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncate(title, 150))),
		slack.NewSectionBlock(mrkdwn(sessionLines(lang, s)), nil, nil),
	}
	if s.Cancelled() {
		note := tr(lang, "post.announce.was_cancelled")
		if s.CancelReason != "" {
			note += " " + escapeText(s.CancelReason)
		}
		return append(blocks, slack.NewContextBlock("", mrkdwn(note)))
	}
	id := strconv.FormatInt(s.ID, 10)
	join := slack.NewButtonBlockElement(actionJoin, id, plain(tr(lang, "post.announce.join")))
	join.Style = slack.StylePrimary
	cal := slack.NewButtonBlockElement(actionCalendar, id, plain(tr(lang, "post.announce.add_to_calendar")))
	cal.URL = site.SessionURL(s.ID)
	return append(blocks, slack.NewActionBlock("session_"+id, join, cal))
}

// showBlocks is one session in full, for `show`.
func showBlocks(lang i18n.Lang, s *store.Session, site calendar.Site) []slack.Block {
	text := fmt.Sprintf("*%s*\n%s", escapeText(s.Title), sessionLines(lang, s))
	if s.Cancelled() {
		text = tr(lang, "post.show.cancelled") + " " + text
		if s.CancelReason != "" {
			text += "\n" + tr(lang, "post.show.reason", "Reason", escapeText(s.CancelReason))
		}
	}
	text += "\n" + tr(lang, "post.show.participants", "Count", len(s.Participants))
	text += "\n" + tr(lang, "post.show.calendar", "URL", site.SessionURL(s.ID))
	if s.AnnounceTS != "" {
		text += "\n" + tr(lang, "post.show.announcement", "Link", Permalink(s.AnnounceChannel, s.AnnounceTS), "Channel", s.AnnounceChannel)
	}
	return []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}
}

// listLine is one session in `list` and the digest.
func listLine(lang i18n.Lang, s *store.Session) string {
	line := fmt.Sprintf("*#%d* %s · %s", s.ID, escapeText(s.Title), slackDate(lang, s.Start, s.TZ))
	if s.Cancelled() {
		line = tr(lang, "post.list.cancelled", "Line", line)
	}
	if len(s.Speakers) > 0 {
		line += " · " + speakerNames(s.Speakers)
	}
	return line
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
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

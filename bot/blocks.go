package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/store"
)

// Action ids of the bot's buttons, matched in interactions.go.
const (
	actionJoin     = "join"
	actionCalendar = "add_to_calendar"
	actionCapture  = "capture_lessons"
)

// slackDate renders t with Slack's date token, so every reader sees it in
// their own zone; the fallback (for clients that cannot) uses zone.
func slackDate(t time.Time, zone string) string {
	loc, err := exchange.LoadZone(zone)
	if err != nil {
		loc = time.UTC
	}
	fallback := t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
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
func escapeText(s string) string { return mrkdwnEscaper.Replace(s) }

// mrkdwnEscaper is built once: a Replacer builds its tables on first use.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

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

// sessionLines is the body shared by the announcement, show and reminders.
func sessionLines(s *store.Session) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*When:* %s (%s)\n", slackDate(s.Start, s.TZ), formatDuration(s.Duration))
	fmt.Fprintf(&b, "*Kind:* %s · #%d", s.Kind, s.ID)
	if s.Lang != "" {
		fmt.Fprintf(&b, " · %s", s.Lang)
	}
	if len(s.Speakers) > 0 {
		fmt.Fprintf(&b, "\n*Speakers:* %s", speakerNames(s.Speakers))
	}
	if len(s.Partners) > 0 {
		parts := make([]string, len(s.Partners))
		for i, p := range s.Partners {
			parts[i] = escapeText(p)
		}
		fmt.Fprintf(&b, "\n*Partners:* %s", strings.Join(parts, ", "))
	}
	if s.Link != "" {
		fmt.Fprintf(&b, "\n*Link:* <%s>", s.Link)
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

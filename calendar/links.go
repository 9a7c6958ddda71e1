package calendar

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exchangebot/exchangebot/store"
)

// maxLink is how long an add-to-calendar link may grow: past it the
// details, then the location, are left out.
const maxLink = 900

// maxDetails bounds the description carried in an add-to-calendar link,
// so the link stays well within what chat clients and buttons take
// (Slack: 3,000 characters for a URL) however long the description is.
const maxDetails = 300

// GoogleURL is Google Calendar's page that adds s as an event, with
// details (the join link, a line of description) prefilled.
func GoogleURL(s *store.Session, details string) string {
	const stamp = "20060102T150405Z"
	return fitLink("https://calendar.google.com/calendar/render?", []param{
		{"action", "TEMPLATE"}, {"text", s.Title},
		{"dates", s.Start.UTC().Format(stamp) + "/" + s.End().UTC().Format(stamp)},
		{"details", short(details)}, {"location", s.Link},
	})
}

// OutlookURL is Outlook on the web's page that adds s as an event.
func OutlookURL(s *store.Session, details string) string {
	return fitLink("https://outlook.office.com/calendar/deeplink/compose?", []param{
		{"path", "/calendar/action/compose"}, {"rru", "addevent"}, {"subject", s.Title},
		{"startdt", s.Start.UTC().Format(time.RFC3339)}, {"enddt", s.End().UTC().Format(time.RFC3339)},
		{"body", short(details)}, {"location", s.Link},
	})
}

// param is one query parameter; the last two of a link are the details
// and the location, the ones left out when it grows too long.
type param struct{ key, value string }

// fitLink is base and the parameters, each escaped once, leaving out
// empty ones and, while the link is longer than maxLink, the details,
// then the location.
func fitLink(base string, ps []param) string {
	esc := make([]string, len(ps))
	total := len(base)
	for i, p := range ps {
		if p.value != "" {
			esc[i] = url.QueryEscape(p.value)
			total += len(p.key) + 2 + len(esc[i])
		}
	}
	for drop := len(ps) - 2; total > maxLink && drop < len(ps); drop++ {
		if esc[drop] != "" {
			total -= len(ps[drop].key) + 2 + len(esc[drop])
			esc[drop] = ""
		}
	}
	var b strings.Builder
	b.Grow(total)
	b.WriteString(base)
	sep := ""
	for i, p := range ps {
		if esc[i] == "" {
			continue
		}
		b.WriteString(sep + p.key + "=" + esc[i])
		sep = "&"
	}
	return b.String()
}

func short(s string) string {
	n := 0
	for i := range s {
		if n == maxDetails-1 {
			if utf8.RuneCountInString(s[i:]) > 1 {
				return s[:i] + "…"
			}
			return s
		}
		n++
	}
	return s
}

// AddLinks are the pages of Google Calendar and Outlook that add one
// session as a single event (not a subscription), for people who do not
// open .ics files.
func AddLinks(site Site, s *store.Session) (google, outlook string) {
	details := site.SessionURL(s.ID)
	if s.Description != "" {
		details = s.Description + "\n\n" + details
	}
	g := url.Values{}
	g.Set("action", "TEMPLATE")
	g.Set("text", s.Title)
	g.Set("dates", s.Start.UTC().Format("20060102T150405Z")+"/"+s.End().UTC().Format("20060102T150405Z"))
	g.Set("details", details)
	if s.Link != "" {
		g.Set("location", s.Link)
	}
	o := url.Values{}
	o.Set("path", "/calendar/action/compose")
	o.Set("rru", "addevent")
	o.Set("subject", s.Title)
	o.Set("startdt", s.Start.UTC().Format(time.RFC3339))
	o.Set("enddt", s.End().UTC().Format(time.RFC3339))
	o.Set("body", details)
	if s.Link != "" {
		o.Set("location", s.Link)
	}
	return "https://calendar.google.com/calendar/render?" + g.Encode(),
		"https://outlook.live.com/calendar/0/deeplink/compose?" + o.Encode()
}

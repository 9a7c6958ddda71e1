package calendar

import (
	"net/url"
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
	q := url.Values{
		"action":  {"TEMPLATE"},
		"text":    {s.Title},
		"dates":   {s.Start.UTC().Format(stamp) + "/" + s.End().UTC().Format(stamp)},
		"details": {short(details)},
	}
	return fitLink("https://calendar.google.com/calendar/render?", q, "details", s.Link)
}

// OutlookURL is Outlook on the web's page that adds s as an event.
func OutlookURL(s *store.Session, details string) string {
	q := url.Values{
		"path":    {"/calendar/action/compose"},
		"rru":     {"addevent"},
		"subject": {s.Title},
		"startdt": {s.Start.UTC().Format(time.RFC3339)},
		"enddt":   {s.End().UTC().Format(time.RFC3339)},
		"body":    {short(details)},
	}
	return fitLink("https://outlook.office.com/calendar/deeplink/compose?", q, "body", s.Link)
}

func short(s string) string {
	if utf8.RuneCountInString(s) <= maxDetails {
		return s
	}
	return string([]rune(s)[:maxDetails-1]) + "…"
}

// fitLink adds the location and returns base+q, dropping the details,
// then the location, while the link is longer than maxLink.
func fitLink(base string, q url.Values, details, location string) string {
	if location != "" {
		q.Set("location", location)
	}
	for _, drop := range []string{"", details, "location"} {
		if drop != "" {
			q.Del(drop)
		}
		if link := base + q.Encode(); len(link) <= maxLink {
			return link
		}
	}
	return base + q.Encode()
}

package calendar

import (
	"net/url"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

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

// Package calendar publishes sessions as iCalendar (RFC 5545) feeds that
// calendar apps subscribe to: every session, the sessions one person speaks
// at or joined, or a single session.
//
// Feeds are rendered once per change of the store and served from memory;
// a conditional request is answered from the store's feed version alone.
package calendar

import (
	"bytes"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// prodID names this program in every calendar it writes.
const prodID = "-//exchangebot//calendar//EN"

// refresh is how often subscribers are asked to poll. An hour keeps
// reschedules timely without clients hammering the server; 304s make a
// poll cheap anyway.
const refresh = "PT1H"

// Feed is what a calendar needs beside its sessions.
type Feed struct {
	// Name is shown by calendar apps as the calendar's title.
	Name string
	// BaseURL is the public root of this server; event URLs hang off it
	// and its host makes event UIDs globally unique.
	BaseURL string
	// SessionKey signs the event URLs, links to each session's own feed,
	// as Site.SessionKey does.
	SessionKey []byte
	// AnnouncementLink links to a session's announcement, given where it
	// was posted (the chat surface knows how); nil, or "", means no link.
	AnnouncementLink func(channel, ts string) string
	// Lang words the DESCRIPTION's labels; "" is English.
	Lang i18n.Lang
}

// Calendar builds the calendar holding sessions, in the order given.
func (f Feed) Calendar(sessions []*store.Session) *ical.Calendar {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, prodID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	// NAME is RFC 7986's; Apple and Google still read only X-WR-CALNAME.
	cal.Props.SetText(ical.PropName, clean(f.Name))
	calname := ical.NewProp("X-WR-CALNAME")
	calname.SetText(clean(f.Name))
	// go-ical marks text in an X- property VALUE=TEXT, which is the
	// default anyway and which no other publisher writes.
	calname.Params.Del(ical.ParamValue)
	cal.Props.Set(calname)
	ri := ical.NewProp(ical.PropRefreshInterval)
	// RFC 7986 makes VALUE=DURATION mandatory here; go-ical would drop it
	// as the default if set through SetValueType.
	ri.Params.Set(ical.ParamValue, string(ical.ValueDuration))
	ri.Value = refresh
	cal.Props.Set(ri)
	ttl := ical.NewProp("X-PUBLISHED-TTL")
	ttl.Value = refresh
	cal.Props.Set(ttl)

	host := uidHost(f.BaseURL)
	cal.Children = make([]*ical.Component, 0, len(sessions))
	for _, s := range sessions {
		cal.Children = append(cal.Children, f.event(s, host))
	}
	return cal
}

// event is one session as one VEVENT, whether or not it is an occurrence
// of a series. A series is deliberately not one event with an RRULE:
// subscription clients apply RRULE overrides (RECURRENCE-ID) and
// cancellations (EXDATE) unevenly, some dropping a moved occurrence, some
// keeping a cancelled one, some showing both, and an override of one
// occurrence cannot carry its own SEQUENCE for clients that track the
// series as a whole. As events of their own, each occurrence has its own
// UID, SEQUENCE raised on its own changes and STATUS:CANCELLED like any
// session, and every client shows what the bot holds; times stay exact
// too, as each start is stored in UTC from its wall time in the session's
// zone rather than left to a client's rule expansion.
func (f Feed) event(s *store.Session, host string) *ical.Component {
	ev := ical.NewEvent()
	p := ev.Props
	p.SetText(ical.PropUID, "session-"+strconv.FormatInt(s.ID, 10)+"@"+host)
	// Without METHOD, RFC 5545 3.8.7.2 makes DTSTAMP the time the event
	// was last revised, not the time of rendering; that also keeps the
	// bytes stable between renders of the same version.
	p.SetDateTime(ical.PropDateTimeStamp, s.Updated.UTC())
	p.SetDateTime(ical.PropCreated, s.Created.UTC())
	p.SetDateTime(ical.PropLastModified, s.Updated.UTC())
	p.SetDateTime(ical.PropDateTimeStart, s.Start.UTC())
	p.SetDateTime(ical.PropDateTimeEnd, s.End().UTC())
	seq := ical.NewProp(ical.PropSequence)
	seq.Value = strconv.Itoa(s.Sequence)
	p.Set(seq)
	if s.Cancelled() {
		ev.SetStatus(ical.EventCancelled)
	} else {
		ev.SetStatus(ical.EventConfirmed)
	}
	p.SetText(ical.PropSummary, clean(s.Title))
	p.SetText(ical.PropDescription, f.describe(s))
	// The session's own .ics rather than the join link: it is the
	// always-current copy of this event, and the join link already sits in
	// LOCATION, which is what apps make clickable for calls.
	u := ical.NewProp(ical.PropURL)
	u.Value = Site{BaseURL: f.BaseURL, SessionKey: f.SessionKey}.SessionURL(s.ID)
	p.Set(u)
	if s.Link != "" {
		p.SetText(ical.PropLocation, clean(s.Link))
	}
	if s.Kind != "" {
		cat := ical.NewProp(ical.PropCategories)
		cat.SetTextList([]string{clean(s.Kind)})
		p.Set(cat)
	}
	return ev.Component
}

// describe is the DESCRIPTION text: why it was cancelled, the session's
// own description, then who and where.
func (f Feed) describe(s *store.Session) string {
	var blocks []string
	l := i18n.For(f.Lang)
	label := func(id, value string) string { return l.T(id, map[string]any{"Value": value}) }
	if s.Cancelled() {
		if s.CancelReason != "" {
			blocks = append(blocks, label("ics.cancelled_reason", s.CancelReason))
		} else {
			blocks = append(blocks, l.T("ics.cancelled", nil))
		}
	}
	if s.Description != "" {
		blocks = append(blocks, s.Description)
	}
	var details []string
	if len(s.Speakers) > 0 {
		names := make([]string, len(s.Speakers))
		for i, sp := range s.Speakers {
			names[i] = speakerName(sp)
		}
		details = append(details, label("ics.speakers", strings.Join(names, ", ")))
	}
	if len(s.Partners) > 0 {
		details = append(details, label("ics.partners", strings.Join(s.Partners, ", ")))
	}
	if s.Link != "" {
		details = append(details, label("ics.join", s.Link))
	}
	if f.AnnouncementLink != nil && s.AnnounceTS != "" {
		if link := f.AnnouncementLink(s.AnnounceChannel, s.AnnounceTS); link != "" {
			details = append(details, label("ics.slack", link))
		}
	}
	if len(details) > 0 {
		blocks = append(blocks, strings.Join(details, "\n"))
	}
	return clean(strings.Join(blocks, "\n\n"))
}

func speakerName(sp store.Speaker) string {
	switch {
	case sp.Name != "":
		return sp.Name
	case sp.Email != "":
		return sp.Email
	}
	return sp.UserID
}

// clean makes s safe as an iCalendar TEXT value: go-ical refuses CR, and
// other control characters and invalid UTF-8 are not allowed in TEXT at all.
func clean(s string) string {
	ok := utf8.ValidString(s)
	for i := 0; ok && i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			ok = false
		}
	}
	if ok {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

// uidHost is the domain part of event UIDs (RFC 5545 3.8.4.7 suggests one
// to keep them unique across systems).
func uidHost(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "exchangebot"
}

var (
	veventBegin = []byte("BEGIN:VEVENT\r\n")
	veventEnd   = []byte("END:VEVENT\r\n")
)

// Write writes the calendar of sessions to w one event at a time, so what
// a render holds besides its output is one event's tree, not the whole
// feed's: for 10,000 sessions the tree alone was tens of megabytes.
func (f Feed) Write(w io.Writer, sessions []*store.Session) error {
	host := uidHost(f.BaseURL)
	return encodeEach(w, f.Calendar(nil), len(sessions), func(i int) *ical.Component {
		return f.event(sessions[i], host)
	})
}

// Encode writes cal as an iCalendar stream: CRLF line ends, lines folded
// at 75 octets.
func Encode(w io.Writer, cal *ical.Calendar) error {
	return encodeEach(w, cal, len(cal.Children), func(i int) *ical.Component { return cal.Children[i] })
}

// encodeEach writes cal's own properties, then the n components child gives
// (cal's children are ignored), then its end.
func encodeEach(w io.Writer, cal *ical.Calendar, n int, child func(int) *ical.Component) error {
	head, tail, err := frame(cal)
	if err != nil {
		return err
	}
	fw := newFoldWriter(w)
	if _, err := fw.Write(head); err != nil {
		return err
	}
	enc := ical.NewEncoder(fw)
	for i := range n {
		// go-ical's Encode writes whatever component it is given, and
		// checks it as that component, not as a calendar.
		if err := enc.Encode(&ical.Calendar{Component: child(i)}); err != nil {
			return err
		}
	}
	_, err = fw.Write(tail)
	return err
}

// frame is cal encoded around where its components go. go-ical refuses a
// VCALENDAR with no component (RFC 5545's grammar wants one), but a feed
// whose last event went away must still be served or subscribers would
// keep showing it, and calendar apps accept an empty VCALENDAR: so encode
// one placeholder and cut it out.
func frame(cal *ical.Calendar) (head, tail []byte, err error) {
	ph := ical.NewEvent()
	ph.Props.SetText(ical.PropUID, "placeholder")
	ph.Props.SetDateTime(ical.PropDateTimeStamp, time.Unix(0, 0).UTC())
	shell := *cal.Component
	shell.Children = []*ical.Component{ph.Component}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(&ical.Calendar{Component: &shell}); err != nil {
		return nil, nil, err
	}
	b := buf.Bytes()
	i := bytes.Index(b, veventBegin)
	j := bytes.Index(b, veventEnd) + len(veventEnd)
	return b[:i], b[j:], nil
}

// AllURL is the feed of every session.
func AllURL(baseURL string) string {
	return strings.TrimRight(baseURL, "/") + "/calendar/all.ics"
}

// Links gives a personal feed three ways: the https URL, the webcal:// form
// that makes desktop and phone apps offer to subscribe, and Google
// Calendar's add-by-URL page for it.
func Links(baseURL, token string) (https, webcal, google string) {
	return LinksIn(baseURL, token, "")
}

// LinksIn is Links for a reader of lang ("" for the configured
// language): the feed words its descriptions in it.
func LinksIn(baseURL, token, lang string) (https, webcal, google string) {
	https = strings.TrimRight(baseURL, "/") + "/calendar/u/" + url.PathEscape(token) + ".ics"
	if lang != "" {
		https += "?lang=" + url.QueryEscape(lang)
	}
	rest := https
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+len("://"):]
	}
	webcal = "webcal://" + rest
	google = "https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(webcal)
	return https, webcal, google
}

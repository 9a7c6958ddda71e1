package calendar

import (
	"bytes"
	"net/mail"
	"strconv"

	"github.com/emersion/go-ical"

	"github.com/exchangebot/exchangebot/store"
)

// iTIP methods (RFC 5546) of an invitation by email.
const (
	MethodRequest = "REQUEST" // an invitation, or its update (a higher SEQUENCE)
	MethodCancel  = "CANCEL"  // the event is off for the attendee
)

// Invite is an iTIP message about one session for one attendee, to be
// attached to an email: the feed's event with METHOD, ORGANIZER and
// ATTENDEE. With MethodCancel the event is CANCELLED, whatever the
// session's status (a speaker removed from a session that goes on).
// organizer is the address the email comes from.
func (f Feed) Invite(s *store.Session, method, organizer string, attendee store.Speaker) *ical.Calendar {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, prodID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	m := ical.NewProp(ical.PropMethod)
	m.Value = method
	cal.Props.Set(m)

	ev := f.event(s, uidHost(f.BaseURL))
	if method == MethodCancel {
		st := ical.NewProp(ical.PropStatus)
		st.Value = string(ical.EventCancelled)
		ev.Props.Set(st)
	}
	org := ical.NewProp(ical.PropOrganizer)
	org.Value = "mailto:" + organizer
	ev.Props.Set(org)
	att := ical.NewProp(ical.PropAttendee)
	att.Value = "mailto:" + attendee.Email
	if attendee.Name != "" {
		att.Params.Set(ical.ParamCommonName, clean(attendee.Name))
	}
	att.Params.Set(ical.ParamRole, "REQ-PARTICIPANT")
	att.Params.Set(ical.ParamParticipationStatus, "NEEDS-ACTION")
	att.Params.Set(ical.ParamRSVP, "FALSE")
	ev.Props.Set(att)
	cal.Children = []*ical.Component{ev}
	return cal
}

// InviteBytes encodes Invite, folded and with CRLF line ends.
func (f Feed) InviteBytes(s *store.Session, method, organizer string, attendee store.Speaker) ([]byte, error) {
	if a, err := mail.ParseAddress(organizer); err == nil {
		organizer = a.Address
	}
	var buf bytes.Buffer
	if err := Encode(&buf, f.Invite(s, method, organizer, attendee)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UID is the event UID of a session in every calendar this server
// writes, so an invitation and a feed subscription update one event.
func UID(baseURL string, id int64) string {
	return "session-" + strconv.FormatInt(id, 10) + "@" + uidHost(baseURL)
}

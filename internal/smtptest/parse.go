package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"
)

// Email is a received message taken apart.
type Email struct {
	Header   mail.Header
	Subject  string // decoded
	Text     string
	HTML     string
	Calendar []byte // the attached invite.ics
	CalType  string // its Content-Type
}

// Parse takes a raw message apart with the standard library's readers.
func Parse(t testing.TB, raw []byte) Email {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	e := Email{Header: m.Header, Subject: subj}
	var walk func(ct, cte string, body io.Reader)
	walk = func(ct, cte string, body io.Reader) {
		media, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if strings.HasPrefix(media, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
		r := body
		switch strings.ToLower(cte) {
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, body)
		case "quoted-printable":
			r = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		switch media {
		case "text/plain":
			e.Text = string(b)
		case "text/html":
			e.HTML = string(b)
		case "text/calendar":
			e.Calendar, e.CalType = b, ct
		}
	}
	walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
	return e
}

// ReadICS parses e's attached invitation with an independent parser and
// returns its METHOD and its one event.
func ReadICS(t testing.TB, e Email) (method string, ev *ics.VEvent) {
	t.Helper()
	if e.Calendar == nil {
		t.Fatalf("%q has no calendar attached", e.Subject)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(e.Calendar))
	if err != nil {
		t.Fatalf("%q: the invitation does not parse: %v\n%s", e.Subject, err, e.Calendar)
	}
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == "METHOD" {
			method = p.Value
		}
	}
	if len(cal.Events()) != 1 {
		t.Fatalf("%q: %d events", e.Subject, len(cal.Events()))
	}
	return method, cal.Events()[0]
}

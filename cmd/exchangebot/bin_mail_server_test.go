package main

// Readers of what the mail tests' SMTP server (internal/smtptest) took
// from the built binary.

import (
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/internal/smtptest"
)

// binMailEmail is a received message taken apart, with how it came.
type binMailEmail struct {
	smtptest.Email
	TLS bool
}

func binMailParse(t *testing.T, m smtptest.Message) binMailEmail {
	t.Helper()
	return binMailEmail{Email: smtptest.Parse(t, m.Raw), TLS: m.TLS}
}

// binMailTo is every message to addr so far, in the order received.
func binMailTo(t *testing.T, s *smtptest.Server, addr string) []binMailEmail {
	t.Helper()
	var out []binMailEmail
	for _, m := range s.Messages() {
		if strings.Contains(strings.Join(m.To, ","), addr) {
			out = append(out, binMailParse(t, m))
		}
	}
	return out
}

// binMailWait polls until addr has received n messages.
func binMailWait(t *testing.T, s *smtptest.Server, p *proc, addr string, n int) []binMailEmail {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := binMailTo(t, s, addr)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d emails to %s after 60 s, want %d; log:\n%s", len(got), addr, n, p.logText())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// binMailICS reads an attached invitation: its METHOD, and its event's
// SEQUENCE and STATUS.
func binMailICS(t *testing.T, e binMailEmail) (method string, sequence int, status string) {
	t.Helper()
	method, ev := smtptest.ReadICS(t, e.Email)
	if p := ev.GetProperty(ics.ComponentPropertySequence); p != nil {
		var err error
		sequence, err = strconv.Atoi(p.Value)
		if err != nil {
			t.Fatalf("SEQUENCE %q", p.Value)
		}
	}
	if p := ev.GetProperty(ics.ComponentPropertyStatus); p != nil {
		status = p.Value
	}
	return method, sequence, status
}

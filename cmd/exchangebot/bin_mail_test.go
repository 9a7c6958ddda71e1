package main

// Email on the built binary: a real SMTP server (github.com/emersion/go-smtp)
// on 127.0.0.1 with STARTTLS and AUTH, the binary's `mail:` section
// pointed at it, and the invitation, its update, its cancellation and the
// answer link followed from outside.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/internal/smtptest"
	"github.com/exchangebot/exchangebot/store"
)

// binMailConfig writes a config with mail pointed at s, and has the
// binary trust s's certificate the way an operator trusts a private CA.
func binMailConfig(t *testing.T, s *smtptest.Server, extra string) (fake *slackfake.Server, cfgPath, dir, addr string) {
	t.Helper()
	fake = slackfake.New()
	t.Cleanup(fake.Close)
	dir = t.TempDir()
	addr = freePort(t)
	cfgPath = writeConfig(t, dir, addr, fake.APIURL(), fmt.Sprintf(`mail:
  host: "127.0.0.1"
  port: %d
  username: %q
  password: %q
  from: "Exchange bot <bot@example.org>"
  tls: starttls
lessons:
  prompt_after: 1s
web:
  public_lessons: true
%s`, s.Port(), smtptest.User, smtptest.Password, extra))
	t.Setenv("SSL_CERT_FILE", s.CAFile)
	return fake, cfgPath, dir, addr
}

func TestBinMailInvitationUpdateCancelAndAnswer(t *testing.T) {
	smtpd := smtptest.Start(t)
	_, cfgPath, dir, addr := binMailConfig(t, smtpd, "")

	// A session already over, with a speaker outside Slack: its answer
	// link is owed as soon as the binary runs.
	cfg, err := LoadConfig(cfgPath, true, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-3 * time.Hour).Truncate(time.Minute)
	func() {
		st, err := openStore(context.Background(), cfg.Database)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		svc := exchange.New(exchange.Options{Store: st, Policy: cfg.Policy(), Now: func() time.Time { return past.Add(-24 * time.Hour) }})
		if _, err := svc.Schedule(context.Background(), exchange.Actor{UserID: "U1", Channel: "C1"}, exchange.Draft{
			Title: "Equipos espejo", Start: past, Lang: "es", Speakers: []store.Speaker{{Name: "María Pérez", Email: "maria@example.org"}},
		}); err != nil {
			t.Fatal(err)
		}
	}()

	smtpd.Refuse(2) // the first two messages are refused, whichever they are
	p := startServe(t, dir, cfgPath, addr)

	// The invitation, through a refusing server.
	zone := mustZone(t, "America/Santiago")
	date := time.Now().In(zone).AddDate(0, 0, 5).Format("2006-01-02")
	code, body := p.command("U1", `new "Youth employment" `+date+` 15:00 60m`)
	id := regexp.MustCompile(`#(\d+)`).FindStringSubmatch(body)
	if code != 200 || id == nil {
		t.Fatalf("new: %d %s", code, body)
	}
	if code, body := p.command("U1", "speakers "+id[1]+` add "Jane Doe <jane@example.org>"`); code != 200 || strings.Contains(body, "rror") {
		t.Fatalf("speakers add: %d %s", code, body)
	}
	got := binMailWait(t, smtpd, p, "jane@example.org", 1)
	method, seq0, _ := binMailICS(t, got[0])
	if method != "REQUEST" || !got[0].TLS {
		t.Errorf("invitation: METHOD %q, over TLS %v", method, got[0].TLS)
	}

	// The answer link of the session that is over, by email.
	maria := binMailWait(t, smtpd, p, "maria@example.org", 1)
	link := regexp.MustCompile(`http://[^\s"<>]+/answer/[A-Za-z0-9_-]+`).FindString(maria[0].Text)
	if link == "" {
		t.Fatalf("no answer link in %q:\n%s", maria[0].Subject, maria[0].Text)
	}
	if smtpd.Refused() != 2 {
		t.Errorf("the server refused %d messages, want 2", smtpd.Refused())
	}

	// The move: an update with a higher SEQUENCE.
	moved := time.Now().In(zone).AddDate(0, 0, 6).Format("2006-01-02")
	if _, body := p.command("U1", "move "+id[1]+" "+moved+" 16:00"); !strings.Contains(body, "Moved") {
		t.Fatalf("move: %s", body)
	}
	got = binMailWait(t, smtpd, p, "jane@example.org", 2)
	method, seq1, _ := binMailICS(t, got[1])
	if method != "REQUEST" || seq1 <= seq0 {
		t.Errorf("update: METHOD %q SEQUENCE %d after %d", method, seq1, seq0)
	}

	// The cancel: METHOD:CANCEL.
	if code, body := p.command("U1", "cancel "+id[1]+" speaker ill"); code != 200 || strings.Contains(body, "rror") {
		t.Fatalf("cancel: %d %s", code, body)
	}
	got = binMailWait(t, smtpd, p, "jane@example.org", 3)
	method, seq2, status := binMailICS(t, got[2])
	if method != "CANCEL" || status != "CANCELLED" || seq2 < seq1 {
		t.Errorf("cancellation: METHOD %q STATUS %q SEQUENCE %d after %d", method, status, seq2, seq1)
	}

	// The answer link opens the form; the answer is stored and shows in
	// the library.
	answer := "Los equipos espejo acortaron la curva de aprendizaje."
	binMailAnswer(t, link, answer)
	lib := binMailGet(t, http.DefaultClient, "http://"+addr+"/lessons?q=espejo")
	if !strings.Contains(lib, "curva de aprendizaje") {
		t.Errorf("the library lacks the emailed speaker's answer:\n%s", lib)
	}

	// Nothing went twice, nothing was lost: once no email row is left to
	// send, each sent row arrived once, under its own Message-ID.
	st := openTestStore(t, cfg.Database)
	var sent int
	deadline := time.Now().Add(60 * time.Second)
	for {
		all, err := st.Deliveries(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		open, failed := 0, 0
		sent = 0
		for _, d := range all {
			if !strings.HasPrefix(d.Kind, "mail_") {
				continue
			}
			switch d.State {
			case store.StatePending, store.StateSending:
				open++
			case store.StateFailed:
				failed++
			case store.StateSent:
				sent++
			}
		}
		if failed > 0 {
			t.Fatalf("%d email rows failed; log:\n%s", failed, p.logText())
		}
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d email rows still owed after 60 s", open)
		}
		time.Sleep(100 * time.Millisecond)
	}
	all := smtpd.Messages()
	if len(all) != sent {
		t.Errorf("%d emails arrived for %d sent rows", len(all), sent)
	}
	ids := map[string]int{}
	for _, m := range all {
		ids[binMailParse(t, m).Header.Get("Message-Id")]++
	}
	for mid, n := range ids {
		if n != 1 || mid == "" {
			t.Errorf("Message-ID %q arrived %d times", mid, n)
		}
	}
	if len(binMailTo(t, smtpd, "jane@example.org")) != 3 || len(binMailTo(t, smtpd, "maria@example.org")) != 1 {
		t.Errorf("messages: %d to jane (want 3), %d to maria (want 1)", len(binMailTo(t, smtpd, "jane@example.org")), len(binMailTo(t, smtpd, "maria@example.org")))
	}
}

// binMailAnswer opens an answer link and submits the form with text as
// the first answer.
func binMailAnswer(t *testing.T, link, text string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := binMailGet(t, c, link)
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil || !strings.Contains(page, `name="a0"`) {
		t.Fatalf("the answer form:\n%s", page)
	}
	resp, err := c.PostForm(link, url.Values{"csrf": {csrf[1]}, "a0": {text}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("submitting the answer: %d\n%s", resp.StatusCode, b)
	}
	if again := binMailGet(t, c, link); !strings.Contains(again, "curva de aprendizaje") {
		t.Errorf("the form does not keep the answer:\n%s", again)
	}
}

// binMailGet is the body of target, which must answer 200.
func binMailGet(t *testing.T, c *http.Client, target string) string {
	t.Helper()
	code, body, _ := binSignInGet(t, c, target)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", target, code, body)
	}
	return body
}

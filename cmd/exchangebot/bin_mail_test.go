package main

// Email on the built binary: a real SMTP server (github.com/emersion/go-smtp)
// on 127.0.0.1 with STARTTLS and AUTH, the binary's `mail:` section
// pointed at it, and the invitation, its update, its cancellation and the
// answer link followed from outside.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

const (
	binMailUser = "bot"
	binMailPass = "smtp-pass-e2e"
)

// binMailMsg is one message the server took.
type binMailMsg struct {
	To  []string
	Raw []byte
	TLS bool
}

// binMailServer keeps what it receives and can refuse for a while.
type binMailServer struct {
	Addr    string
	CAFile  string // the certificate, for the binary's SSL_CERT_FILE
	mu      sync.Mutex
	msgs    []binMailMsg
	refuse  int
	refused int
}

func binMailStart(t *testing.T) *binMailServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	s := &binMailServer{CAFile: filepath.Join(t.TempDir(), "ca.pem")}
	if err := os.WriteFile(s.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &binMailSession{s: s, c: c}, nil
	}))
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *binMailServer) Refuse(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

func (s *binMailServer) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

func (s *binMailServer) Messages() []binMailMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]binMailMsg(nil), s.msgs...)
}

type binMailSession struct {
	s    *binMailServer
	c    *smtp.Conn
	auth bool
	cur  binMailMsg
}

func (ss *binMailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *binMailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != binMailUser || pass != binMailPass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *binMailSession) Mail(string, *smtp.MailOptions) error {
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.cur = binMailMsg{}
	return nil
}

func (ss *binMailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *binMailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.c.TLSConnectionState()
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.refuse > 0 {
		ss.s.refuse--
		ss.s.refused++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	ss.cur.Raw, ss.cur.TLS = b, isTLS
	ss.s.msgs = append(ss.s.msgs, ss.cur)
	return nil
}

func (ss *binMailSession) Reset()        { ss.cur = binMailMsg{} }
func (ss *binMailSession) Logout() error { return nil }

// binMailEmail is a received message taken apart.
type binMailEmail struct {
	To        string
	MessageID string
	Subject   string
	Text      string
	Calendar  []byte
	TLS       bool
}

func binMailParse(t *testing.T, m binMailMsg) binMailEmail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	e := binMailEmail{To: strings.Join(m.To, ","), MessageID: msg.Header.Get("Message-Id"), Subject: subj, TLS: m.TLS}
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
		case "text/calendar":
			e.Calendar = b
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return e
}

// binMailTo is every message to addr so far, in the order received.
func binMailTo(t *testing.T, s *binMailServer, addr string) []binMailEmail {
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
func binMailWait(t *testing.T, s *binMailServer, p *proc, addr string, n int) []binMailEmail {
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

// binMailICS reads an attached invitation with an independent parser.
func binMailICS(t *testing.T, e binMailEmail) (method string, sequence int, status string) {
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
	ev := cal.Events()[0]
	if p := ev.GetProperty(ics.ComponentPropertySequence); p != nil {
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

// binMailConfig writes a config with mail pointed at s, and has the
// binary trust s's certificate the way an operator trusts a private CA.
func binMailConfig(t *testing.T, s *binMailServer, extra string) (fake *slackfake.Server, cfgPath, dir, addr string) {
	t.Helper()
	fake = slackfake.New()
	t.Cleanup(fake.Close)
	dir = t.TempDir()
	addr = freePort(t)
	_, port, _ := net.SplitHostPort(s.Addr)
	cfgPath = writeConfig(t, dir, addr, fake.APIURL(), fmt.Sprintf(`mail:
  host: "127.0.0.1"
  port: %s
  username: %q
  password: %q
  from: "Exchange bot <bot@example.org>"
  tls: starttls
lessons:
  prompt_after: 1s
web:
  public_lessons: true
%s`, port, binMailUser, binMailPass, extra))
	t.Setenv("SSL_CERT_FILE", s.CAFile)
	return fake, cfgPath, dir, addr
}

func TestBinMailInvitationUpdateCancelAndAnswer(t *testing.T) {
	smtpd := binMailStart(t)
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
		ids[binMailParse(t, m).MessageID]++
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

func binMailGet(t *testing.T, c *http.Client, target string) string {
	t.Helper()
	resp, err := c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", target, resp.StatusCode, b)
	}
	return string(b)
}

// binSignInClient is a reader's browser without a browser: a cookie jar
// that follows redirects, to the fake Slack's sign-in page and back.
func binSignInClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// binSignInGet fetches target and returns the status, body and where the
// redirects ended.
func binSignInGet(t *testing.T, c *http.Client, target string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Request.URL.Path
}

// binSignInCookie is the session cookie c holds for base, or "".
func binSignInCookie(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "xb_session" {
			return ck.Value
		}
	}
	return ""
}

func TestBinSignInWithSlack(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	fake.SetOpenIDClient("cid", "csecret")
	dir := t.TempDir()
	addr := freePort(t)
	cfg := writeConfig(t, dir, addr, fake.APIURL(), `staff: ["UANA01"]
web:
  client_id: "cid"
  client_secret: "csecret"
  session_key: "a-session-key-of-at-least-32-characters"
`)
	p := startServe(t, dir, cfg, addr)
	base := "http://" + addr
	signedIn := func(body string) bool { return strings.Contains(body, `class="filters"`) }

	// Not signed in: the library asks to sign in.
	anon := binSignInClient(t)
	if code, body, _ := binSignInGet(t, anon, base+"/lessons"); code != 200 || signedIn(body) || !strings.Contains(body, "Sign in with Slack") {
		t.Fatalf("the library before sign-in: %d\n%s", code, body)
	}

	// A good code: signed in, back on the page asked for, with an
	// HttpOnly cookie, and the staff's report reachable.
	fake.AddIdentity("good-code", slackfake.Identity{UserID: "UANA01", TeamID: "T1", Name: "Ana Coordinadora"})
	fake.SignInAs("good-code")
	good := binSignInClient(t)
	code, body, path := binSignInGet(t, good, base+"/login?next=/lessons")
	if code != 200 || path != "/lessons" || !signedIn(body) {
		t.Fatalf("a good code: %d at %s\n%s", code, path, body)
	}
	session := binSignInCookie(t, good, base)
	if session == "" {
		t.Fatal("no session cookie after signing in")
	}
	if code, body, _ := binSignInGet(t, good, base+"/report"); code != 200 || !strings.Contains(body, "<svg") {
		t.Errorf("the report for a signed-in staff member: %d\n%s", code, body)
	}
	authorize := fake.Calls("openid.connect.authorize")
	if len(authorize) != 1 || authorize[0].Form.Get("team") != "T1" || authorize[0].Form.Get("state") == "" {
		t.Errorf("the trip to Slack: %+v", authorize)
	}
	// The Set-Cookie itself, as a browser sees it.
	fake.AddIdentity("good-code-2", slackfake.Identity{UserID: "UANA01", TeamID: "T1", Name: "Ana Coordinadora"})
	fake.SignInAs("good-code-2")
	raw := binSignInClient(t)
	raw.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/auth/callback" {
			return nil
		}
		if len(via) > 0 && via[len(via)-1].URL.Path == "/auth/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := raw.Get(base + "/login?next=/lessons")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var setCookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "xb_session" {
			setCookie = ck
		}
	}
	if resp.StatusCode != http.StatusSeeOther || setCookie == nil || !setCookie.HttpOnly {
		t.Errorf("the callback: %d, session cookie %+v", resp.StatusCode, setCookie)
	}

	// A member who is not staff signs in and reads the library, not the
	// report.
	fake.AddIdentity("member-code", slackfake.Identity{UserID: "ULUIS02", TeamID: "T1", Name: "Luis"})
	fake.SignInAs("member-code")
	member := binSignInClient(t)
	if code, body, _ := binSignInGet(t, member, base+"/login?next=/lessons"); code != 200 || !signedIn(body) {
		t.Errorf("a member's sign-in: %d", code)
	}
	if code, _, _ := binSignInGet(t, member, base+"/report"); code != http.StatusForbidden {
		t.Errorf("the report for a member who is not staff: %d, want 403", code)
	}

	// A wrong state: refused, even with a good code.
	fake.AddIdentity("good-code-3", slackfake.Identity{UserID: "UANA01", TeamID: "T1"})
	fake.SignInAs("good-code-3")
	wrong := binSignInClient(t)
	wrong.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err = wrong.Get(base + "/login?next=/lessons") // sets the state cookie
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "state=") {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if code, body, _ := binSignInGet(t, wrong, base+"/auth/callback?code=good-code-3&state=not-the-state"); code != http.StatusForbidden {
		t.Errorf("a wrong state: %d\n%s", code, body)
	}
	if binSignInCookie(t, wrong, base) != "" {
		t.Error("a wrong state signed in")
	}
	if n := len(fake.Calls("openid.connect.token")); n != 3 {
		t.Errorf("%d token exchanges, want 3: a wrong state must not spend the code", n)
	}

	// A member of another workspace: refused.
	fake.AddIdentity("other-team", slackfake.Identity{UserID: "U9", TeamID: "T9", Name: "Intrusa"})
	fake.SignInAs("other-team")
	other := binSignInClient(t)
	if code, body, _ := binSignInGet(t, other, base+"/login?next=/lessons"); code != http.StatusForbidden || signedIn(body) {
		t.Errorf("another workspace: %d\n%s", code, body)
	}
	if binSignInCookie(t, other, base) != "" {
		t.Error("a member of another workspace got a session cookie")
	}
	if code, body, _ := binSignInGet(t, other, base+"/lessons"); code != 200 || signedIn(body) {
		t.Errorf("the library after another workspace's sign-in: %d", code)
	}

	// Forged cookies: made up, or a real one with one character changed.
	i := len(session) / 2
	flip := byte('A')
	if session[i] == 'A' {
		flip = 'B'
	}
	for _, forged := range []string{"forged", session[:i] + string(flip) + session[i+1:], session + "x"} {
		req, _ := http.NewRequest(http.MethodGet, base+"/report", nil)
		req.AddCookie(&http.Cookie{Name: "xb_session", Value: forged})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "Sign in with Slack") {
			t.Errorf("a forged cookie %q reached the report: %d\n%s", forged, resp.StatusCode, b)
		}
	}
	// The real cookie still works, so the refusals above are the forgery's.
	req, _ := http.NewRequest(http.MethodGet, base+"/report", nil)
	req.AddCookie(&http.Cookie{Name: "xb_session", Value: session})
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "<svg") {
		t.Errorf("the real cookie, sent alone: %d", resp.StatusCode)
	}
	if strings.Contains(p.logText(), session) {
		t.Error("the session cookie reached the log")
	}
}

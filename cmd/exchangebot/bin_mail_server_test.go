package main

// The receiving end of the mail tests: a real SMTP server
// (github.com/emersion/go-smtp) on 127.0.0.1 with STARTTLS and AUTH, and
// readers of what it took.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
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

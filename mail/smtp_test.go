package mail_test

// A real SMTP server for the tests (github.com/emersion/go-smtp), on
// 127.0.0.1 with STARTTLS (a certificate made here) and AUTH PLAIN, that
// keeps what it receives and can be told to refuse for a while.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const (
	smtpUser = "bot"
	smtpPass = "s3cret-pass"
)

type received struct {
	From string
	To   []string
	Raw  []byte
	TLS  bool
}

type smtpServer struct {
	Addr      string
	ClientTLS *tls.Config
	mu        sync.Mutex
	msgs      []received
	refuse    int // Data answers 451 while above zero, counting down
	refused   int
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &smtpServer{ClientTLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{s: s, c: c}, nil
	}))
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
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

func (s *smtpServer) port() int {
	_, p, _ := net.SplitHostPort(s.Addr)
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return n
}

// Refuse makes the next n messages get 451 at the end of DATA.
func (s *smtpServer) Refuse(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

// Refused is how many messages got 451.
func (s *smtpServer) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

func (s *smtpServer) Messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

type smtpSession struct {
	s    *smtpServer
	c    *smtp.Conn
	auth bool
	cur  received
}

func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != smtpUser || pass != smtpPass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.cur = received{From: from}
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
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

func (ss *smtpSession) Reset()        { ss.cur = received{} }
func (ss *smtpSession) Logout() error { return nil }

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// email is a received message taken apart.
type email struct {
	Header   mail.Header
	Subject  string
	Text     string
	HTML     string
	Calendar []byte // the attached invite.ics
	CalType  string
}

func parseEmail(t *testing.T, raw []byte) email {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	e := email{Header: m.Header, Subject: subj}
	var walk func(ct string, h map[string][]string, body io.Reader)
	walk = func(ct string, h map[string][]string, body io.Reader) {
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
				walk(p.Header.Get("Content-Type"), p.Header, p)
			}
		}
		var r io.Reader = body
		switch strings.ToLower(first(h["Content-Transfer-Encoding"])) {
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
	walk(m.Header.Get("Content-Type"), m.Header, m.Body)
	return e
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

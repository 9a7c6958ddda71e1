// Package smtptest is the receiving end of the email tests: a real SMTP
// server (github.com/emersion/go-smtp) on 127.0.0.1 with STARTTLS, on a
// certificate made for the test, and AUTH PLAIN, that keeps what it
// receives and can be told to refuse for a while; and readers of what it
// took, with independent MIME and iCalendar parsers.
//
// It exists so that the mail package's tests and cmd/exchangebot's tests
// of the built binary send to the same server, read the same way, rather
// than each keeping a copy of it.
//
// Use:
//
//	s := smtptest.Start(t) // closed after t
//	// send as smtptest.User with smtptest.Password to 127.0.0.1:s.Port(),
//	// trusting s.ClientTLS (in process) or s.CAFile (as SSL_CERT_FILE)
//	for _, m := range s.Messages() {
//		e := smtptest.Parse(t, m.Raw)
//		…
//	}
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The only credentials the server accepts; any other login gets 535.
const (
	User     = "bot"
	Password = "s3cret-pass"
)

// Message is one message the server took.
type Message struct {
	From string
	To   []string
	Raw  []byte
	TLS  bool // it came over STARTTLS
}

// Server keeps what it receives and can refuse for a while.
type Server struct {
	Addr      string      // host:port it listens on
	ClientTLS *tls.Config // trusts the server's certificate, for a client in the test's process
	CAFile    string      // the same certificate in PEM, for a binary's SSL_CERT_FILE

	mu      sync.Mutex
	msgs    []Message
	refuse  int // Data answers 451 while above zero, counting down
	refused int
}

// Start listens on 127.0.0.1 on a free port until t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &Server{
		ClientTLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"},
		CAFile:    filepath.Join(t.TempDir(), "ca.pem"),
	}
	if err := os.WriteFile(s.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, c: c}, nil
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

// Port is the port of Addr.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr)
	n, _ := strconv.Atoi(p)
	return n
}

// Refuse makes the next n messages get 451 at the end of DATA.
func (s *Server) Refuse(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

// Refused is how many messages got 451.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Messages is every message taken so far, in the order received.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

type session struct {
	s    *Server
	c    *smtp.Conn
	auth bool
	cur  Message
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != User || pass != Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.cur = Message{From: from}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
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

func (ss *session) Reset()        { ss.cur = Message{} }
func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 that is its own CA, so it
// can be trusted both as a root in a pool and from SSL_CERT_FILE.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
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
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// Package mail is the email surface of the exchange service: it delivers
// the outbox rows owed to speakers outside Slack (invitations with an
// iCalendar attachment, their updates and cancellations, and the answer
// link after the session) through an SMTP server, with
// github.com/wneessen/go-mail.
//
// It is an outbox.Sender: the delivery engine claims each row, retries
// it through a refusing or unreachable server and never sends it twice
// once the server took it. Every message carries a Message-ID made from
// its row, the same on every attempt.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
)

// TLS modes of the connection to the SMTP server.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which must succeed
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no TLS: a relay on the same host or network only
)

// Config is the SMTP server and what the messages need.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	// From is the sender, "Name <address>" or an address.
	From string
	TLS  string // one of the TLS modes; "" means TLSStartTLS
	// TLSConfig, when set, replaces the default TLS settings (tests trust
	// their own server's certificate with it).
	TLSConfig *tls.Config
	// BaseURL is the public root of the web pages (answer links).
	BaseURL string
	// SessionFeedKey signs the invitation's link to the session's own
	// calendar when feeds are not public (see calendar.Site).
	SessionFeedKey []byte
	// Language is the language of sessions without one.
	Language i18n.Lang
	// Timeout bounds one connection; 0 means 30 seconds.
	Timeout time.Duration
}

// Store is the part of the store the sender needs.
type Store interface {
	Session(ctx context.Context, id int64) (*store.Session, error)
	SetDeliveryChannel(ctx context.Context, d store.Delivery, channel string) error
}

// Sender delivers the email kinds of outbox rows.
type Sender struct {
	cfg  Config
	st   Store
	svc  *exchange.Service
	feed calendar.Feed
	log  *slog.Logger
	now  func() time.Time
	from *mail.Address
}

// Kinds are the outbox kinds a Sender delivers.
var Kinds = []string{exchange.KindMailInvite, exchange.KindMailCancel, exchange.KindMailAnswer}

// New checks cfg and returns a Sender.
func New(cfg Config, st Store, svc *exchange.Service, log *slog.Logger, now func() time.Time) (*Sender, error) {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: from %q: %w", cfg.From, err)
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	return &Sender{cfg: cfg, st: st, svc: svc, log: log, now: now, from: from,
		feed: calendar.Feed{BaseURL: cfg.BaseURL, SessionKey: cfg.SessionFeedKey}}, nil
}

// Senders maps each email kind to s, for the delivery engine's routing.
func (s *Sender) Senders() map[string]outbox.Sender {
	m := make(map[string]outbox.Sender, len(Kinds))
	for _, k := range Kinds {
		m[k] = s
	}
	return m
}

var _ outbox.Sender = (*Sender)(nil)

// channel is what the row records as where it went.
func channel(d store.Delivery) string { return "mail:" + d.Recipient }

// MessageID is the Message-ID of row d's email: the same on every
// attempt, so a receiver that saw it already can tell.
func (s *Sender) MessageID(d store.Delivery) string {
	host := s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]
	return fmt.Sprintf("exchangebot-%d@%s", d.ID, host)
}

// Send implements outbox.Sender.
func (s *Sender) Send(ctx context.Context, d store.Delivery) (outbox.Result, error) {
	sess, err := s.st.Session(ctx, d.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return outbox.Result{}, nil
	}
	if err != nil {
		return outbox.Result{}, err
	}
	msg, err := s.compose(ctx, d, sess)
	if err != nil || msg == nil {
		return outbox.Result{}, err
	}
	if err := s.st.SetDeliveryChannel(ctx, d, channel(d)); errors.Is(err, store.ErrNotFound) {
		return outbox.Result{}, outbox.ErrClaimLost
	} else if err != nil {
		return outbox.Result{}, err
	}
	c, err := s.client()
	if err != nil {
		return outbox.Result{}, err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return outbox.Result{}, err
	}
	return outbox.Result{Channel: channel(d), TS: s.MessageID(d)}, nil
}

func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.cfg.TLSConfig))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return c, nil
}

// Find implements outbox.Sender. Mail that left cannot be looked up: a
// row whose claim was lost mid-send goes again with the same Message-ID.
func (s *Sender) Find(context.Context, store.Delivery) (outbox.Result, bool, error) {
	return outbox.Result{}, false, nil
}

// Lane keeps each person's emails in order (an update after its
// invitation).
func (s *Sender) Lane(d store.Delivery) string { return channel(d) }

// Classify sorts SMTP answers: 4xx replies and network trouble are
// passing, 535 (credentials) is an auth problem, other 5xx replies are
// final.
func (s *Sender) Classify(err error) outbox.Verdict {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		switch {
		case se.IsTemp() || code >= 400 && code < 500:
			return outbox.Verdict{Class: outbox.Unavailable}
		case code == 530 || code == 534 || code == 535:
			return outbox.Verdict{Class: outbox.Unauthorized}
		case code >= 500:
			return outbox.Verdict{Class: outbox.Permanent}
		}
		return outbox.Verdict{Class: outbox.Refused}
	}
	msg := err.Error()
	for _, code := range []string{"530 ", "534 ", "535 "} {
		if strings.Contains(msg, code) {
			return outbox.Verdict{Class: outbox.Unauthorized}
		}
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(msg, "dial") || strings.Contains(msg, "connection") || smtpReply(msg)/100 == 4 {
		return outbox.Verdict{Class: outbox.Unavailable}
	}
	return outbox.Verdict{Class: outbox.Broken}
}

// smtpReply finds an SMTP reply code in an error's text (go-mail reports
// some failures, like the greeting's, only as text); 0 when none.
func smtpReply(msg string) int {
	for _, f := range strings.Fields(msg) {
		if n, err := strconv.Atoi(strings.TrimRight(f, ":")); err == nil && n >= 200 && n < 600 {
			return n
		}
	}
	return 0
}

// Undeliverable tells the session's creator in Slack, once per address
// and cause, that an email could not be delivered.
func (s *Sender) Undeliverable(ctx context.Context, d store.Delivery, cause error) ([]store.Delivery, error) {
	sess, err := s.st.Session(ctx, d.SessionID)
	if err != nil {
		return nil, err
	}
	code := "smtp"
	var se *gomail.SendError
	if errors.As(cause, &se) && se.ErrorCode() != 0 {
		code = "smtp_" + strconv.Itoa(se.ErrorCode())
	}
	row, ok := exchange.Undelivered(d, sess, d.Recipient, code, s.now())
	if !ok {
		return nil, nil
	}
	return []store.Delivery{row}, nil
}

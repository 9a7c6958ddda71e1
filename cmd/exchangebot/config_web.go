package main

import (
	"net/mail"
	"slices"
)

// WebConfig is the `web:` section: Sign in with Slack and who may read
// the lessons.
type WebConfig struct {
	ClientID      string `yaml:"client_id"`
	ClientSecret  string `yaml:"client_secret"`
	SessionKey    string `yaml:"session_key"`
	PublicLessons bool   `yaml:"public_lessons"`
}

func (w WebConfig) validate() error {
	if w.SessionKey != "" && len(w.SessionKey) < 32 {
		return badKey("web.session_key: needs 32 characters or more (or leave it empty for a random key per start)")
	}
	if w.ClientID != "" && w.ClientSecret == "" {
		return badKey("web.client_secret: Sign in with Slack needs the app's client secret too (env SLACK_CLIENT_SECRET)")
	}
	return nil
}

// MailConfig is the `mail:` section: the SMTP server that reaches people
// outside Slack. An empty host means no email.
type MailConfig struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	From     string `yaml:"from"`
	// TLS is starttls (the default: STARTTLS, required), tls (port 465)
	// or none (a relay on the same host).
	TLS string `yaml:"tls"`
}

func (m MailConfig) validate() error {
	if m.Host == "" {
		return nil
	}
	if m.Port < 1 || m.Port > 65535 {
		return badKey("mail.port: %d is not a port (587 for STARTTLS, 465 for TLS)", m.Port)
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return badKey("mail.from: %q is not an address like \"Exchanges <bot@example.org>\"", m.From)
	}
	if !slices.Contains([]string{"starttls", "tls", "none"}, m.TLS) {
		return badKey("mail.tls: %q is not starttls, tls or none", m.TLS)
	}
	if m.Username != "" && m.Password == "" {
		return badKey("mail.password: the SMTP username needs a password (env EXCHANGEBOT_MAIL_PASSWORD)")
	}
	return nil
}

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

// validate checks the section, named section in the file ("web").
func (w WebConfig) validate(section string) error {
	if w.SessionKey != "" && len(w.SessionKey) < 32 {
		return bad(section+".session_key", "cli.config.reason.session_key", nil)
	}
	if w.ClientID != "" && w.ClientSecret == "" {
		return bad(section+".client_secret", "cli.config.reason.client_secret", nil)
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

// validate checks the section, named section in the file ("mail").
func (m MailConfig) validate(section string) error {
	if m.Host == "" {
		return nil
	}
	if m.Port < 1 || m.Port > 65535 {
		return bad(section+".port", "cli.config.reason.mail_port", map[string]any{"Value": m.Port})
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return bad(section+".from", "cli.config.reason.mail_from", value(m.From))
	}
	if !slices.Contains([]string{"starttls", "tls", "none"}, m.TLS) {
		return bad(section+".tls", "cli.config.reason.mail_tls", value(m.TLS))
	}
	if m.Username != "" && m.Password == "" {
		return bad(section+".password", "cli.config.reason.mail_password", nil)
	}
	return nil
}

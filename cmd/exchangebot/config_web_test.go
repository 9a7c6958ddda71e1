package main

import (
	"strings"
	"testing"
)

func TestConfigWebAndMail(t *testing.T) {
	bad := []struct {
		yaml, key string
	}{
		{"language: fr", "language"},
		{"web:\n  session_key: short", "web.session_key"},
		{"web:\n  client_id: cid", "web.client_secret"},
		{"mail:\n  host: smtp.example.org\n  from: not an address", "mail.from"},
		{"mail:\n  host: smtp.example.org\n  from: bot@example.org\n  port: 0", "mail.port"},
		{"mail:\n  host: smtp.example.org\n  from: bot@example.org\n  tls: maybe", "mail.tls"},
		{"mail:\n  host: smtp.example.org\n  from: bot@example.org\n  username: bot", "mail.password"},
		{"lessons:\n  questions:\n    fr: [\"Quoi?\"]", "lessons.questions.fr"},
		{"lessons:\n  questions:\n    es: [\"¿Qué?\"]", "lessons.questions"},
		{"lessons:\n  questions:\n    en: [\"ok\", \" \"]", "lessons.questions.en[1]"},
		{"lessons:\n  questions: []", "lessons.questions"},
	}
	for _, tt := range bad {
		_, err := LoadConfig(writeFile(t, tt.yaml), true, noEnv)
		if err == nil || !strings.Contains(err.Error(), tt.key+":") {
			t.Errorf("%q: error %v, want one naming %s", tt.yaml, err, tt.key)
		}
	}

	env := map[string]string{"EXCHANGEBOT_MAIL_PASSWORD": "from-env", "SLACK_CLIENT_ID": "cid", "SLACK_CLIENT_SECRET": "sec",
		"EXCHANGEBOT_SESSION_KEY": strings.Repeat("k", 32)}
	c, err := LoadConfig(writeFile(t, "language: es\nmail:\n  host: smtp.example.org\n  from: \"Exchanges <bot@example.org>\"\n  username: bot\n  password: in-file\nlessons:\n  questions: [\"One?\", \"Two?\"]\n"),
		true, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Mail.Password != "from-env" || c.Web.ClientID != "cid" || c.Web.ClientSecret != "sec" || len(c.Web.SessionKey) != 32 {
		t.Errorf("secrets from the environment: %+v %+v", c.Mail, c.Web)
	}
	p := c.Policy()
	if !p.Mail || p.Language != "es" || len(p.Lessons.Questions) != 2 || p.Lessons.Questions[1] != "Two?" {
		t.Errorf("policy = mail %v, language %q, questions %v", p.Mail, p.Language, p.Lessons.Questions)
	}
	d, _ := LoadConfig(writeFile(t, ""), true, noEnv)
	if d.Policy().Mail || d.Mail.Port != 587 || d.Mail.TLS != "starttls" || d.Policy().Lessons.ByLang["es"][0] != "¿Qué funcionó bien?" {
		t.Errorf("defaults: %+v, %v", d.Mail, d.Policy().Lessons.ByLang)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func noEnv(string) string { return "" }

func TestConfigDefaultsWithoutFile(t *testing.T) {
	c, err := LoadConfig(filepath.Join(t.TempDir(), "config.yaml"), false, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":8080" || c.Database != "exchangebot.db" || c.Timezone != "America/Santiago" || c.Slack.Command != "/exchange" ||
		!c.Feeds.Public || len(c.Reminders.Before) != 2 || len(c.Lessons.Questions.In("en")) != 4 || len(c.Lessons.Questions.In("es")) != 4 || c.Language != "en" || c.Scheduler.Tick != "@every 15s" {
		t.Errorf("defaults = %+v", c)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml"), true, noEnv); err == nil {
		t.Error("a named config file that does not exist was accepted")
	}
}

func TestConfigExampleIsValidAndComplete(t *testing.T) {
	c, err := LoadConfig("../../config.example.yaml", true, noEnv)
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	d := Defaults()
	if c.Listen != d.Listen || c.Digest.Cron != d.Digest.Cron || c.Lessons.CloseAfter != d.Lessons.CloseAfter || c.HTTP != d.HTTP ||
		c.Evaluation != d.Evaluation {
		t.Errorf("the example's values differ from the defaults: %+v", c)
	}
}

func TestConfigFileAndEnvironment(t *testing.T) {
	path := writeFile(t, `
listen: "127.0.0.1:9000"
timezone: "Europe/Madrid"
staff: [U111, W222]
slack:
  bot_token: "xoxb-from-file"
reminders:
  before: ["48h", "30m"]
lessons:
  questions: ["¿Qué funcionó?"]
evaluation:
  enabled: false
  after: "1h"
  follow_up: "720h"
`)
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-from-env", "SLACK_SIGNING_SECRET": "s3cret"}
	c, err := LoadConfig(path, true, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Slack.BotToken != "xoxb-from-env" || c.Slack.SigningSecret != "s3cret" {
		t.Errorf("environment did not override secrets: %+v", c.Slack)
	}
	bc := c.BotConfig()
	if bc.Location.String() != "Europe/Madrid" || bc.Reminders.Before[0] != 48*time.Hour || bc.Reminders.Before[1] != 30*time.Minute ||
		bc.Lessons.Questions[0] != "¿Qué funcionó?" || len(bc.Staff) != 2 || c.Listen != "127.0.0.1:9000" ||
		bc.Evaluation.Enabled || bc.Evaluation.After != time.Hour || bc.Evaluation.FollowUp != 720*time.Hour || bc.Evaluation.CloseAfter != 168*time.Hour {
		t.Errorf("bot config = %+v", bc)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	tests := []struct{ yaml, key string }{
		{`timezone: "Mars/Olympus"`, "timezone"},
		{`timezone: "Local"`, "timezone"},
		{`base_url: "ftp://x"`, "base_url"},
		{`base_url: "not a url"`, "base_url"},
		{`listen: ""`, "listen"},
		{`database: ""`, "database"},
		{`staff: ["ana"]`, "staff"},
		{`staff: ["S1AAA", "S2BBB"]`, "staff"},
		{`staff: ["S1AAA", "U1AAA"]`, "staff"},
		{"slack:\n  bot_token: \"abc\"", "slack.bot_token"},
		{"slack:\n  app_token: \"xoxb-1\"", "slack.app_token"},
		{"slack:\n  app_token: \"xapp-1\"", "slack.app_token"},
		{"slack:\n  api_url: \"localhost\"", "slack.api_url"},
		{"slack:\n  command: \"exchange\"", "slack.command"},
		{"slack:\n  announce_channel: \"general\"", "slack.announce_channel"},
		{"reminders:\n  before: [\"soon\"]", "reminders.before[0]"},
		{"reminders:\n  before: [\"1h\", \"-5m\"]", "reminders.before[1]"},
		{"scheduler:\n  tick: \"every now and then\"", "scheduler.tick"},
		{"lessons:\n  prompt_after: \"0s\"", "lessons.prompt_after"},
		{"lessons:\n  nudge_after: \"2 days\"", "lessons.nudge_after"},
		{"lessons:\n  close_after: \"\"", "lessons.close_after"},
		{"lessons:\n  channel: \"#lessons\"", "lessons.channel"},
		{"lessons:\n  questions: []", "lessons.questions"},
		{"lessons:\n  questions: [\"ok\", \" \"]", "lessons.questions[1]"},
		{"lessons:\n  questions: {}", "lessons.questions"},
		{"lessons:\n  questions: \"What worked?\"", "lessons.questions"},
		{"lessons:\n  questions:\n    en: [\"A?\", \"B?\"]\n    es: [\"¿A?\"]", "lessons.questions.es"},
		{"lessons:\n  questions:\n    en: [\"A?\"]\n    fr: [\"A ?\"]", "lessons.questions.fr"},
		{"lessons:\n  questions:\n    en: [\"A?\"]\n    es: [\" \"]", "lessons.questions.es[0]"},
		{"lessons:\n  questions:\n    en: []\n    es: [\"¿A?\"]", "lessons.questions.en"},
		{"lessons:\n  questions:\n    es: [\"¿A?\"]", "lessons.questions"}, // no list in the configured language
		{`language: "fr"`, "language"},
		{`language: "es-CL"`, "language"},
		{"digest:\n  cron: \"mondays\"", "digest.cron"},
		{"digest:\n  channel: \"digest\"", "digest.channel"},
		{"evaluation:\n  after: \"later\"", "evaluation.after"},
		{"evaluation:\n  nudge_after: \"0s\"", "evaluation.nudge_after"},
		{"evaluation:\n  close_after: \"-1h\"", "evaluation.close_after"},
		{"evaluation:\n  follow_up: \"90 days\"", "evaluation.follow_up"},
		{"evaluation:\n  nudge_after: \"200h\"", "evaluation.nudge_after"},
		{"evaluation:\n  follow_up: \"100h\"", "evaluation.follow_up"},
		// after + close_after past the largest duration once wrapped negative
		// and let this follow-up through.
		{"evaluation:\n  after: \"2000000h\"\n  close_after: \"2000000h\"\n  follow_up: \"1h\"", "evaluation.follow_up"},
		{"http:\n  read_header_timeout: \"soon\"", "http.read_header_timeout"},
		{"http:\n  read_timeout: \"0s\"", "http.read_timeout"},
		{"http:\n  read_header_timeout: \"20s\"\n  read_timeout: \"10s\"", "http.read_header_timeout"},
		{"http:\n  write_timeout: \"-1m\"", "http.write_timeout"},
		{"http:\n  idle_timeout: \"\"", "http.idle_timeout"},
		{"http:\n  max_connections: 0", "http.max_connections"},
		{"http:\n  shutdown_grace: \"a while\"", "http.shutdown_grace"},
		{`unknown_key: 1`, "unknown_key"},
		{`listen: [1, 2]`, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			_, err := LoadConfig(writeFile(t, tt.yaml), true, noEnv)
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("error %v does not name %q", err, tt.key)
			}
		})
	}
}

// TestConfigQuestionsPerLanguage: lessons.questions is a list every
// language reads, or a list per language, which the reader's language
// picks (the configured language's for the others).
func TestConfigQuestionsPerLanguage(t *testing.T) {
	c, err := LoadConfig(writeFile(t, `
language: "es"
lessons:
  questions:
    en: ["What worked well?", "What would you do differently?"]
    es: ["¿Qué funcionó bien?", "¿Qué harías distinto?"]
`), true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	l := c.BotConfig().Lessons
	if got := l.QuestionsIn("en"); len(got) != 2 || got[1] != "What would you do differently?" {
		t.Errorf("en reads %q", got)
	}
	if got := l.QuestionsIn("es"); len(got) != 2 || got[0] != "¿Qué funcionó bien?" {
		t.Errorf("es reads %q", got)
	}
	// Questions is the configured language's list: what a language the
	// list does not name reads, and what says how many there are.
	if got := l.QuestionsIn("pt"); len(l.Questions) != 2 || got[0] != "¿Qué funcionó bien?" {
		t.Errorf("another language reads %q; Questions = %q", got, l.Questions)
	}
	if c.BotConfig().Language != "es" {
		t.Errorf("language = %q", c.BotConfig().Language)
	}

	c, err = LoadConfig(writeFile(t, `
lessons:
  questions: ["What worked well?"]
`), true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	l = c.BotConfig().Lessons
	if l.QuestionsIn("es")[0] != "What worked well?" || l.QuestionsIn("en")[0] != "What worked well?" {
		t.Errorf("a plain list is not read by every language: %+v", l)
	}
}

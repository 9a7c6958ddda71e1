package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/robfig/cron/v3"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/i18n/i18ntest"
)

// badConfig is a config file with one wrong value, written for an
// operator of lang (whose `language:` line comes first): yaml may say
// LANG for that language and OTHER for the other one. The program names
// key, and says why in the reason id with data.
type badConfig struct {
	yaml string
	key  string
	id   string
	data func(lang i18n.Lang) map[string]any
}

func reasonData(data map[string]any) func(i18n.Lang) map[string]any {
	return func(i18n.Lang) map[string]any { return data }
}

func quotedValue(v string) func(i18n.Lang) map[string]any {
	return reasonData(map[string]any{"Value": v})
}

var badConfigs = []badConfig{
	// The server and the database.
	{`listen: ""`, "listen", "cli.config.reason.listen", reasonData(nil)},
	{`database: ""`, "database", "cli.config.reason.database", reasonData(nil)},
	{`database: "postgres://u:hunter2@db:5432"`, "database", "cli.config.reason.postgres",
		reasonData(map[string]any{"URL": "postgres://u:xxxxx@db:5432", "Reason": i18n.Msg("cli.postgres.no_database")})},
	// The zone and the language.
	{`timezone: "Mars/Base"`, "timezone", "cli.config.reason.timezone", quotedValue(`"Mars/Base"`)},
	// A `language:` of its own that is not one of the messages' would
	// leave the file no language to be read in: the language of a list of
	// questions is.
	{"lessons:\n  questions:\n    LANG: [\"A?\"]\n    fr: [\"A ?\"]", "lessons.questions.fr", "cli.config.reason.language", quotedValue(`"fr"`)},
	// Slack.
	{`staff: ["ana"]`, "staff", "cli.config.reason.staff_id", quotedValue(`"ana"`)},
	{`staff: ["S1AAA", "U1AAA"]`, "staff", "cli.config.reason.staff_mixed", reasonData(nil)},
	{"slack:\n  bot_token: \"abc\"", "slack.bot_token", "cli.config.reason.bot_token", reasonData(nil)},
	{"slack:\n  app_token: \"xoxb-1\"", "slack.app_token", "cli.config.reason.app_token", reasonData(nil)},
	{"slack:\n  app_token: \"xapp-1\"", "slack.app_token", "cli.config.reason.socket_mode", reasonData(nil)},
	{"slack:\n  command: \"exchange\"", "slack.command", "cli.config.reason.command", quotedValue(`"exchange"`)},
	{"slack:\n  announce_channel: \"general\"", "slack.announce_channel", "cli.config.reason.channel", quotedValue(`"general"`)},
	// URLs.
	{`base_url: "ftp://x"`, "base_url", "cli.config.reason.base_url", quotedValue(`"ftp://x"`)},
	{"slack:\n  api_url: \"localhost\"", "slack.api_url", "cli.config.reason.api_url", quotedValue(`"localhost"`)},
	// Durations.
	{"reminders:\n  before: [\"soon\"]", "reminders.before[0]", "cli.config.reason.duration", quotedValue(`"soon"`)},
	{"lessons:\n  prompt_after: \"0s\"", "lessons.prompt_after", "cli.config.reason.not_positive", quotedValue(`"0s"`)},
	// Cron specs: the parser's own words on what is wrong are its detail.
	{"digest:\n  cron: \"mondays\"", "digest.cron", "cli.config.reason.cron",
		reasonData(map[string]any{"Value": `"mondays"`, "Example": `"0 9 * * MON"`, "Detail": cronDetail("mondays")})},
	// The questions asked after a session.
	{"lessons:\n  questions: \"What worked?\"", "lessons.questions", "cli.config.reason.questions_form", reasonData(map[string]any{"Line": 3})},
	{"lessons:\n  questions: []", "lessons.questions", "cli.config.reason.questions_none", reasonData(nil)},
	{"lessons:\n  questions: [\"ok\", \" \"]", "lessons.questions[1]", "cli.config.reason.question_empty", reasonData(nil)},
	{"lessons:\n  questions:\n    en: [\"A?\", \"B?\"]\n    es: [\"¿A?\"]", "lessons.questions.es", "cli.config.reason.questions_count",
		reasonData(map[string]any{"N": 1, "First": "en", "FirstN": 2})},
	{"lessons:\n  questions:\n    OTHER: [\"A?\"]", "lessons.questions", "cli.config.reason.questions_configured",
		func(lang i18n.Lang) map[string]any { return map[string]any{"Value": `"` + string(lang) + `"`} }},
	// The evaluation's schedule.
	{"evaluation:\n  nudge_after: \"200h\"", "evaluation.nudge_after", "cli.config.reason.nudge_order",
		reasonData(map[string]any{"Value": `"200h"`, "Close": `"168h"`})},
	{"evaluation:\n  follow_up: \"100h\"", "evaluation.follow_up", "cli.config.reason.follow_up",
		reasonData(map[string]any{"Value": `"100h"`, "After": `"30m"`, "Close": `"168h"`})},
	// The web pages and the HTTP server.
	{"web:\n  session_key: short", "web.session_key", "cli.config.reason.session_key", reasonData(nil)},
	{"web:\n  client_id: cid", "web.client_secret", "cli.config.reason.client_secret", reasonData(nil)},
	{"http:\n  read_header_timeout: \"20s\"\n  read_timeout: \"10s\"", "http.read_header_timeout", "cli.config.reason.read_header",
		reasonData(map[string]any{"Value": "20s", "ReadTimeout": "10s"})},
	{"http:\n  max_connections: 0", "http.max_connections", "cli.config.reason.max_connections", reasonData(map[string]any{"Value": 0})},
	// Email.
	{"mail:\n  host: smtp.example.org\n  from: bot@example.org\n  port: 0", "mail.port", "cli.config.reason.mail_port", reasonData(map[string]any{"Value": 0})},
	{"mail:\n  host: smtp.example.org\n  from: not an address", "mail.from", "cli.config.reason.mail_from", quotedValue(`"not an address"`)},
	{"mail:\n  host: smtp.example.org\n  from: bot@example.org\n  tls: maybe", "mail.tls", "cli.config.reason.mail_tls", quotedValue(`"maybe"`)},
	{"mail:\n  host: smtp.example.org\n  from: bot@example.org\n  username: bot", "mail.password", "cli.config.reason.mail_password", reasonData(nil)},
}

// cronDetail is what the cron parser says of spec.
func cronDetail(spec string) string {
	_, err := cron.ParseStandard(spec)
	if err == nil {
		panic(spec + " is a cron spec")
	}
	return err.Error()
}

// A config key with a wrong value is refused with the key and the reason
// in the operator's language: the Spanish message holds the Spanish
// reason and no passage of the English catalogs, the English one the
// English reason and none of the Spanish. Every reason has its case.
func TestBadConfigWordedInTheConfiguredLanguage(t *testing.T) {
	firstPassOnly(t)
	tested := map[string]bool{}
	for _, tt := range badConfigs {
		tested[tt.id] = true
		t.Run(tt.key+"/"+strings.TrimPrefix(tt.id, "cli.config.reason."), func(t *testing.T) {
			reasons := map[i18n.Lang]string{}
			for _, lang := range i18n.Langs {
				other := i18n.Spanish
				if lang == i18n.Spanish {
					other = i18n.English
				}
				dir := t.TempDir()
				cfg := filepath.Join(dir, "config.yaml")
				body := strings.NewReplacer("LANG", string(lang), "OTHER", string(other)).Replace(tt.yaml)
				if err := os.WriteFile(cfg, []byte("language: "+string(lang)+"\n"+body+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				var stdout, stderr strings.Builder
				code := run([]string{"manifest", "-config", cfg}, &stdout, &stderr)
				out := stdout.String() + stderr.String()
				if code != 1 {
					t.Errorf("%s: exit %d, want 1:\n%s", lang, code, out)
				}
				reason := bad(tt.key, tt.id, tt.data(lang))
				reasons[lang] = i18n.T(lang, tt.id, tt.data(lang))
				want := i18n.T(lang, "cli.error.config_key", map[string]any{"File": cfg, "Key": tt.key, "Reason": reason})
				if !strings.Contains(out, want) {
					t.Errorf("%s output lacks %q:\n%s", lang, want, out)
				}
				// The file's path and the key are names in no language
				// ("session" is English, but web.session_key is a key).
				words := strings.NewReplacer(cfg, " ", tt.key, " ").Replace(out)
				if foreign := i18ntest.Foreign(lang, words); len(foreign) > 0 {
					t.Errorf("%s output holds the other language's %q:\n%s", lang, foreign, out)
				}
				if strings.Contains(out, "hunter2") {
					t.Errorf("the password reached the output:\n%s", out)
				}
			}
			if reasons[i18n.English] == reasons[i18n.Spanish] {
				t.Errorf("the reason reads alike in English and Spanish: %q", reasons[i18n.English])
			}
		})
	}
	for id := range i18n.Texts(i18n.English) {
		if strings.HasPrefix(id, "cli.config.reason.") && !tested[id] {
			t.Errorf("no bad config gives the reason %s", id)
		}
	}
}

// Logs read a bad key in English, whatever the configured language:
// "config: key: reason".
func TestConfigErrorIsEnglishForLogs(t *testing.T) {
	_, err := LoadConfig(writeFile(t, "language: es\ntimezone: \"Mars/Base\"\n"), true, noEnv)
	want := `config: timezone: "Mars/Base" is not an IANA time zone like "America/Santiago"`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	_, err = LoadConfig(writeFile(t, "lessons:\n  questions: \"What worked?\"\n"), true, noEnv)
	want = "config: lessons.questions: write a list of questions, or one list per language (en:, es:) (line 2)"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}

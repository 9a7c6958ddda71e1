package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/exchangebot/exchangebot/bot"
	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
)

// Config is the whole YAML file; see config.example.yaml for every key.
type Config struct {
	Listen   string   `yaml:"listen"`
	BaseURL  string   `yaml:"base_url"`
	Database string   `yaml:"database"`
	Timezone string   `yaml:"timezone"`
	Language string   `yaml:"language"`
	Staff    []string `yaml:"staff"`
	Slack    struct {
		BotToken        string `yaml:"bot_token"`
		SigningSecret   string `yaml:"signing_secret"`
		AppToken        string `yaml:"app_token"`
		APIURL          string `yaml:"api_url"`
		Command         string `yaml:"command"`
		AnnounceChannel string `yaml:"announce_channel"`
	} `yaml:"slack"`
	Feeds struct {
		Public bool `yaml:"public"`
	} `yaml:"feeds"`
	HTTP struct {
		ReadHeaderTimeout string `yaml:"read_header_timeout"`
		ReadTimeout       string `yaml:"read_timeout"`
		WriteTimeout      string `yaml:"write_timeout"`
		IdleTimeout       string `yaml:"idle_timeout"`
		MaxConnections    int    `yaml:"max_connections"`
		ShutdownGrace     string `yaml:"shutdown_grace"`
	} `yaml:"http"`
	Reminders struct {
		Before         []string `yaml:"before"`
		ToChannel      bool     `yaml:"to_channel"`
		ToSpeakers     bool     `yaml:"to_speakers"`
		ToParticipants bool     `yaml:"to_participants"`
	} `yaml:"reminders"`
	Scheduler struct {
		Tick string `yaml:"tick"`
	} `yaml:"scheduler"`
	Lessons struct {
		PromptAfter string    `yaml:"prompt_after"`
		NudgeAfter  string    `yaml:"nudge_after"`
		CloseAfter  string    `yaml:"close_after"`
		Channel     string    `yaml:"channel"`
		Questions   Questions `yaml:"questions"`
	} `yaml:"lessons"`
	Digest struct {
		Cron    string `yaml:"cron"`
		Channel string `yaml:"channel"`
	} `yaml:"digest"`
	Evaluation struct {
		Enabled    bool   `yaml:"enabled"`
		After      string `yaml:"after"`
		NudgeAfter string `yaml:"nudge_after"`
		CloseAfter string `yaml:"close_after"`
		FollowUp   string `yaml:"follow_up"`
	} `yaml:"evaluation"`
	Web  WebConfig  `yaml:"web"`
	Mail MailConfig `yaml:"mail"`
}

// Defaults is the configuration used when no file is given.
func Defaults() *Config {
	c := &Config{
		Listen:   ":8080",
		BaseURL:  "http://localhost:8080",
		Database: "exchangebot.db",
		Timezone: "America/Santiago",
		Language: "en",
	}
	c.Mail.Port = 587
	c.Mail.TLS = "starttls"
	c.Slack.Command = "/exchange"
	c.Feeds.Public = true
	c.HTTP.ReadHeaderTimeout = "5s"
	c.HTTP.ReadTimeout = "15s"
	c.HTTP.WriteTimeout = "2m"
	c.HTTP.IdleTimeout = "2m"
	c.HTTP.MaxConnections = 4096
	c.HTTP.ShutdownGrace = "25s"
	c.Reminders.Before = []string{"24h", "1h"}
	c.Reminders.ToChannel = true
	c.Reminders.ToSpeakers = true
	c.Reminders.ToParticipants = true
	c.Scheduler.Tick = "@every 15s"
	c.Lessons.PromptAfter = "15m"
	c.Lessons.NudgeAfter = "48h"
	c.Lessons.CloseAfter = "168h"
	c.Lessons.Questions = Questions{ByLang: map[string][]string{
		"en": {
			"What worked well?",
			"What would you do differently?",
			"What should peers replicate, and what would they need?",
			"What results or follow-ups should we track?",
		},
		"es": {
			"¿Qué funcionó bien?",
			"¿Qué harías distinto?",
			"¿Qué deberían replicar otras instituciones, y qué necesitarían?",
			"¿Qué resultados o seguimientos deberíamos medir?",
		},
	}}
	c.Digest.Cron = "0 9 * * MON"
	c.Evaluation.Enabled = true
	c.Evaluation.After = "30m"
	c.Evaluation.NudgeAfter = "48h"
	c.Evaluation.CloseAfter = "168h"
	c.Evaluation.FollowUp = "2160h"
	return c
}

// LoadConfig reads defaults, then file (when path is non-empty), then the
// secret environment variables, and validates the result. explicit says
// whether the path was asked for: a missing default config.yaml is fine, a
// missing named file is not.
func LoadConfig(path string, explicit bool, getenv func(string) string) (*Config, error) {
	var b []byte
	if path != "" {
		var err error
		b, err = os.ReadFile(path)
		switch {
		case err == nil:
		case errors.Is(err, os.ErrNotExist) && !explicit:
		default:
			return nil, fmt.Errorf("config: %w", err)
		}
	}
	return parseConfig(path, b, getenv)
}

// parseConfig is LoadConfig once the file, named path in errors, is read:
// defaults, then the YAML in b, then the environment, validated.
func parseConfig(path string, b []byte, getenv func(string) string) (*Config, error) {
	c := Defaults()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	// An empty file decodes to io.EOF: it means "all defaults".
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		// A key whose own reader refused its form (lessons.questions)
		// is named as Validate names one.
		var keyErr *keyError
		if errors.As(err, &keyErr) {
			return nil, keyErr
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	for env, dst := range map[string]*string{
		"SLACK_BOT_TOKEN":           &c.Slack.BotToken,
		"SLACK_SIGNING_SECRET":      &c.Slack.SigningSecret,
		"SLACK_APP_TOKEN":           &c.Slack.AppToken,
		"SLACK_CLIENT_ID":           &c.Web.ClientID,
		"SLACK_CLIENT_SECRET":       &c.Web.ClientSecret,
		"EXCHANGEBOT_SESSION_KEY":   &c.Web.SessionKey,
		"EXCHANGEBOT_MAIL_PASSWORD": &c.Mail.Password,
		// A PostgreSQL URL carries a password: a secret like the tokens.
		"EXCHANGEBOT_DATABASE": &c.Database,
	} {
		if v := getenv(env); v != "" {
			*dst = v
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

var (
	slackIDRe   = regexp.MustCompile(`^[UWS][A-Z0-9]{2,}$`)
	channelIDRe = regexp.MustCompile(`^[CGD][A-Z0-9]{2,}$`)
	commandRe   = regexp.MustCompile(`^/[a-z0-9_-]{1,31}$`)
)

// keyError is a config key and why its value is wrong: the reason's
// message id in the catalogs and its values, worded where the error is
// shown (loadConfig, in the operator's language).
type keyError struct {
	key  string
	id   string
	data map[string]any
}

// bad is the keyError of key, for the reason id with its values.
func bad(key, id string, data map[string]any) error {
	return &keyError{key: key, id: id, data: data}
}

// Error is "config: key: reason" in English, for logs.
func (e *keyError) Error() string { return "config: " + e.key + ": " + e.Word(i18n.English) }

// Word words the reason in lang: a keyError is the i18n.Value of the
// Reason of the message that names the file and the key.
func (e *keyError) Word(lang i18n.Lang) string { return i18n.T(lang, e.id, e.data) }

// value is the data of a reason that shows the value as written, quoted
// as %q would (a control character in it reaches no terminal raw).
func value(v string) map[string]any { return map[string]any{"Value": strconv.Quote(v)} }

// Validate checks every key and names the first bad one with the reason.
func (c *Config) Validate() error {
	if c.Listen == "" {
		return bad("listen", "cli.config.reason.listen", nil)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("base_url", "cli.config.reason.base_url", value(c.BaseURL))
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Database == "" {
		return bad("database", "cli.config.reason.database", nil)
	}
	if isPostgres(c.Database) {
		if id := checkPostgresURL(c.Database); id != "" {
			return bad("database", "cli.config.reason.postgres", map[string]any{"URL": redactDatabase(c.Database), "Reason": i18n.Msg(id)})
		}
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" || c.Timezone == "Local" {
		return bad("timezone", "cli.config.reason.timezone", value(c.Timezone))
	}
	if !slices.Contains(i18n.Langs, i18n.Lang(c.Language)) {
		return bad("language", "cli.config.reason.language", value(c.Language))
	}
	groups := 0
	for _, id := range c.Staff {
		if !slackIDRe.MatchString(id) {
			return bad("staff", "cli.config.reason.staff_id", value(id))
		}
		if strings.HasPrefix(id, "S") {
			groups++
		}
	}
	if groups > 1 || (groups == 1 && len(c.Staff) > 1) {
		return bad("staff", "cli.config.reason.staff_mixed", nil)
	}
	if c.Slack.BotToken != "" && !strings.HasPrefix(c.Slack.BotToken, "xoxb-") {
		return bad("slack.bot_token", "cli.config.reason.bot_token", nil)
	}
	if c.Slack.AppToken != "" && !strings.HasPrefix(c.Slack.AppToken, "xapp-") {
		return bad("slack.app_token", "cli.config.reason.app_token", nil)
	}
	if c.Slack.AppToken != "" && c.Slack.BotToken == "" {
		return bad("slack.app_token", "cli.config.reason.socket_mode", nil)
	}
	if c.Slack.APIURL != "" {
		if u, err := url.Parse(c.Slack.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("slack.api_url", "cli.config.reason.api_url", value(c.Slack.APIURL))
		}
		if !strings.HasSuffix(c.Slack.APIURL, "/") {
			c.Slack.APIURL += "/"
		}
	}
	if !commandRe.MatchString(c.Slack.Command) {
		return bad("slack.command", "cli.config.reason.command", value(c.Slack.Command))
	}
	if ch := c.Slack.AnnounceChannel; ch != "" && !channelIDRe.MatchString(ch) {
		return bad("slack.announce_channel", "cli.config.reason.channel", value(ch))
	}
	if err := c.validateHTTP(); err != nil {
		return err
	}
	for i, s := range c.Reminders.Before {
		if _, err := positiveDuration(fmt.Sprintf("reminders.before[%d]", i), s); err != nil {
			return err
		}
	}
	if _, err := cron.ParseStandard(c.Scheduler.Tick); err != nil {
		return badCron("scheduler.tick", c.Scheduler.Tick, "@every 15s", err)
	}
	for key, v := range map[string]string{
		"lessons.prompt_after": c.Lessons.PromptAfter,
		"lessons.nudge_after":  c.Lessons.NudgeAfter,
		"lessons.close_after":  c.Lessons.CloseAfter,
	} {
		if _, err := positiveDuration(key, v); err != nil {
			return err
		}
	}
	if ch := c.Lessons.Channel; ch != "" && !channelIDRe.MatchString(ch) {
		return bad("lessons.channel", "cli.config.reason.channel", value(ch))
	}
	if err := c.Lessons.Questions.validate(c.Language); err != nil {
		return err
	}
	if err := c.Web.validate("web"); err != nil {
		return err
	}
	if err := c.Mail.validate("mail"); err != nil {
		return err
	}
	if _, err := cron.ParseStandard(c.Digest.Cron); err != nil {
		return badCron("digest.cron", c.Digest.Cron, "0 9 * * MON", err)
	}
	if ch := c.Digest.Channel; ch != "" && !channelIDRe.MatchString(ch) {
		return bad("digest.channel", "cli.config.reason.channel", value(ch))
	}
	return c.validateEvaluation()
}

// validateEvaluation checks the evaluation.* keys: each a positive
// duration, the nudge before the question closes, and the follow-up
// after the first questions have closed.
func (c *Config) validateEvaluation() error {
	ev := c.Evaluation
	keys := []struct{ key, value string }{
		{"evaluation.after", ev.After}, {"evaluation.nudge_after", ev.NudgeAfter},
		{"evaluation.close_after", ev.CloseAfter}, {"evaluation.follow_up", ev.FollowUp},
	}
	d := make([]time.Duration, len(keys))
	for i, k := range keys {
		var err error
		if d[i], err = positiveDuration(k.key, k.value); err != nil {
			return err
		}
	}
	after, nudge, closes, follow := d[0], d[1], d[2], d[3]
	if nudge >= closes {
		return bad("evaluation.nudge_after", "cli.config.reason.nudge_order",
			map[string]any{"Value": strconv.Quote(ev.NudgeAfter), "Close": strconv.Quote(ev.CloseAfter)})
	}
	// follow-closes, not after+closes: both are positive, so the
	// difference cannot overflow where the sum of two long ones would wrap
	// negative and let any follow-up through.
	if follow-closes < after {
		return bad("evaluation.follow_up", "cli.config.reason.follow_up",
			map[string]any{"Value": strconv.Quote(ev.FollowUp), "After": strconv.Quote(ev.After), "Close": strconv.Quote(ev.CloseAfter)})
	}
	return nil
}

func (c *Config) validateHTTP() error {
	durations := []struct{ key, v string }{
		{key: "http.read_header_timeout", v: c.HTTP.ReadHeaderTimeout},
		{key: "http.read_timeout", v: c.HTTP.ReadTimeout},
		{key: "http.write_timeout", v: c.HTTP.WriteTimeout},
		{key: "http.idle_timeout", v: c.HTTP.IdleTimeout},
		{key: "http.shutdown_grace", v: c.HTTP.ShutdownGrace},
	}
	parsed := make(map[string]time.Duration, len(durations))
	for _, d := range durations {
		v, err := positiveDuration(d.key, d.v)
		if err != nil {
			return err
		}
		parsed[d.key] = v
	}
	if parsed["http.read_header_timeout"] > parsed["http.read_timeout"] {
		return bad("http.read_header_timeout", "cli.config.reason.read_header",
			map[string]any{"Value": c.HTTP.ReadHeaderTimeout, "ReadTimeout": c.HTTP.ReadTimeout})
	}
	if c.HTTP.MaxConnections < 16 {
		return bad("http.max_connections", "cli.config.reason.max_connections", map[string]any{"Value": c.HTTP.MaxConnections})
	}
	return nil
}

// positiveDuration reads the value s of key, a duration above zero.
func positiveDuration(key, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, bad(key, "cli.config.reason.duration", value(s))
	}
	if d <= 0 {
		return 0, bad(key, "cli.config.reason.not_positive", value(s))
	}
	return d, nil
}

// badCron is the keyError of key, whose value spec the cron parser
// refused with err; example is a spec that key takes.
func badCron(key, spec, example string, err error) error {
	return bad(key, "cli.config.reason.cron", map[string]any{"Value": strconv.Quote(spec), "Example": strconv.Quote(example), "Detail": err.Error()})
}

func mustDuration(s string) time.Duration {
	d, _ := positiveDuration("", s)
	return d
}

// Policy is the configuration the product's rules read, already parsed.
func (c *Config) Policy() exchange.Policy {
	before := make([]time.Duration, 0, len(c.Reminders.Before))
	for _, s := range c.Reminders.Before {
		before = append(before, mustDuration(s))
	}
	loc, _ := time.LoadLocation(c.Timezone)
	return exchange.Policy{
		Staff:           c.Staff,
		Location:        loc,
		AnnounceChannel: c.Slack.AnnounceChannel,
		Reminders: exchange.Reminders{
			Before:         before,
			ToChannel:      c.Reminders.ToChannel,
			ToSpeakers:     c.Reminders.ToSpeakers,
			ToParticipants: c.Reminders.ToParticipants,
		},
		Lessons: exchange.Lessons{
			PromptAfter: mustDuration(c.Lessons.PromptAfter),
			NudgeAfter:  mustDuration(c.Lessons.NudgeAfter),
			CloseAfter:  mustDuration(c.Lessons.CloseAfter),
			Channel:     c.Lessons.Channel,
			// A language the questions do not name reads the configured
			// language's.
			Questions: c.Lessons.Questions.In(c.Language),
			ByLang:    c.Lessons.Questions.ByLang,
		},
		Evaluation: exchange.Evaluation{
			Enabled:    c.Evaluation.Enabled,
			After:      mustDuration(c.Evaluation.After),
			NudgeAfter: mustDuration(c.Evaluation.NudgeAfter),
			CloseAfter: mustDuration(c.Evaluation.CloseAfter),
			FollowUp:   mustDuration(c.Evaluation.FollowUp),
		},
		DigestChannel: c.Digest.Channel,
		FeedsPublic:   c.Feeds.Public,
		Language:      c.Language,
		Mail:          c.Mail.Host != "",
	}
}

// BotConfig is the part of the configuration the Slack surface needs,
// already parsed.
func (c *Config) BotConfig() bot.Config {
	return bot.Config{
		Policy:        c.Policy(),
		BaseURL:       c.BaseURL,
		Command:       c.Slack.Command,
		SigningSecret: c.Slack.SigningSecret,
		Tick:          c.Scheduler.Tick,
		DigestCron:    c.Digest.Cron,
	}
}

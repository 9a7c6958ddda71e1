package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/exchangebot/exchangebot/bot"
	"github.com/exchangebot/exchangebot/exchange"
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

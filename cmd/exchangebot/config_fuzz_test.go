package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/exchangebot/exchangebot/i18n"
)

// FuzzConfig reads any bytes as config.yaml: never a panic, and either an
// error or a configuration the rest of the program can trust without
// checking again: a zone that loads, durations above zero in the order
// the schedule needs, URLs that parse, cron specs that parse.
func FuzzConfig(f *testing.F) {
	f.Fuzz(func(t *testing.T, yaml []byte) {
		c, err := parseConfig("config.yaml", yaml, noEnv)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config") {
				t.Errorf("error %q does not say it is the configuration's", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted, then refused on a second look: %v", err)
		}
		p := c.Policy()
		if p.Location == nil || p.Location.String() != c.Timezone {
			t.Errorf("timezone %q gives location %v", c.Timezone, p.Location)
		}
		if !slices.Contains(i18n.Langs, i18n.Lang(c.Language)) {
			t.Errorf("language %q accepted", c.Language)
		}
		urls := []string{c.BaseURL}
		if c.Slack.APIURL != "" {
			urls = append(urls, c.Slack.APIURL)
			if !strings.HasSuffix(c.Slack.APIURL, "/") {
				t.Errorf("slack.api_url %q lacks the slash the client joins methods to", c.Slack.APIURL)
			}
		}
		for _, u := range urls {
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				t.Errorf("URL %q accepted", u)
			}
		}
		if strings.HasSuffix(c.BaseURL, "/") {
			t.Errorf("base_url %q keeps its trailing slash, which links would double", c.BaseURL)
		}
		positive := map[string]time.Duration{
			"lessons.prompt_after":   p.Lessons.PromptAfter,
			"lessons.nudge_after":    p.Lessons.NudgeAfter,
			"lessons.close_after":    p.Lessons.CloseAfter,
			"evaluation.after":       p.Evaluation.After,
			"evaluation.nudge_after": p.Evaluation.NudgeAfter,
			"evaluation.close_after": p.Evaluation.CloseAfter,
			"evaluation.follow_up":   p.Evaluation.FollowUp,
		}
		for i, d := range p.Reminders.Before {
			positive[fmt.Sprintf("reminders.before[%d]", i)] = d
		}
		for _, s := range []string{c.HTTP.ReadHeaderTimeout, c.HTTP.ReadTimeout, c.HTTP.WriteTimeout, c.HTTP.IdleTimeout, c.HTTP.ShutdownGrace} {
			positive["http."+s] = mustDuration(s)
		}
		for key, d := range positive {
			if d <= 0 {
				t.Errorf("%s is %v", key, d)
			}
		}
		ev := p.Evaluation
		if ev.NudgeAfter >= ev.CloseAfter {
			t.Errorf("evaluation nudge %v not before its close %v", ev.NudgeAfter, ev.CloseAfter)
		}
		// Subtracted rather than added: both are positive, so this cannot
		// overflow where after+close_after could.
		if ev.FollowUp-ev.CloseAfter < ev.After {
			t.Errorf("evaluation follow-up %v before the questions close (%v + %v)", ev.FollowUp, ev.After, ev.CloseAfter)
		}
		if mustDuration(c.HTTP.ReadHeaderTimeout) > mustDuration(c.HTTP.ReadTimeout) {
			t.Errorf("read_header_timeout %s over read_timeout %s", c.HTTP.ReadHeaderTimeout, c.HTTP.ReadTimeout)
		}
		if c.HTTP.MaxConnections < 16 {
			t.Errorf("max_connections %d", c.HTTP.MaxConnections)
		}
		for _, spec := range []string{c.Scheduler.Tick, c.Digest.Cron} {
			if _, err := cron.ParseStandard(spec); err != nil {
				t.Errorf("cron %q accepted: %v", spec, err)
			}
		}
		if qs := p.Lessons.Questions; len(qs) == 0 || slices.ContainsFunc(qs, func(q string) bool { return strings.TrimSpace(q) == "" }) {
			t.Errorf("questions in %s: %q", c.Language, qs)
		}
		if c.Mail.Host != "" && (c.Mail.Port < 1 || c.Mail.Port > 65535) {
			t.Errorf("mail.port %d", c.Mail.Port)
		}
		c.BotConfig() // wires without a panic
	})
}

// Validate and the reasons it gives: each names the key and a message id
// in the catalogs, worded where the error is shown.

package main

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/exchangebot/exchangebot/i18n"
)

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

// mustDuration reads a duration Validate has already accepted, so it has
// no error to give.
func mustDuration(s string) time.Duration {
	d, _ := positiveDuration("", s)
	return d
}

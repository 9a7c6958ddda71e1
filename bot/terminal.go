package bot

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/i18n"
)

// The terminal is a surface too: `exchangebot run` prints what a person
// would read in Slack, with Slack's markup rendered as plain text.

var (
	// slackToken is one <…> of Slack's mrkdwn: a date, a mention, a
	// channel, a special mention or a link.
	slackToken = regexp.MustCompile(`<([^<>]*)>`)
	bold       = regexp.MustCompile(`\*([^*\n]+)\*`)
	strike     = regexp.MustCompile(`~([^~\n]+)~`)
	italic     = regexp.MustCompile(`(^|[\s(])_([^_\n]+)_([\s).,;:!?]|$)`)
	code       = regexp.MustCompile("`([^`\n]+)`")
)

// Terminal renders a reply for a shell: dates in the configured zone and
// language, mentions as @id and #id, links as "label (url)", without
// mrkdwn's marks or entities.
func (b *Bot) Terminal(r Reply) string {
	return terminalText(PlainText(r), b.cfg.Location, b.language())
}

// terminalText renders Slack mrkdwn as plain text.
func terminalText(s string, loc *time.Location, l i18n.Lang) string {
	s = slackToken.ReplaceAllStringFunc(s, func(tok string) string { return plainToken(tok[1:len(tok)-1], loc, l) })
	s = bold.ReplaceAllString(s, "$1")
	s = strike.ReplaceAllString(s, "$1")
	s = italic.ReplaceAllString(s, "$1$2$3")
	s = code.ReplaceAllString(s, "$1")
	return unescapeEntities.Replace(s)
}

// plainToken renders the inside of one <…> token.
func plainToken(tok string, loc *time.Location, l i18n.Lang) string {
	target, label, hasLabel := strings.Cut(tok, "|")
	switch {
	case strings.HasPrefix(target, "!date^"):
		parts := strings.Split(target, "^")
		if len(parts) >= 2 {
			if unix, err := strconv.ParseInt(parts[1], 10, 64); err == nil {
				return i18n.DayTime(time.Unix(unix, 0).In(loc)).Word(l)
			}
		}
		return label
	case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return target[:1] + label
		}
		return target
	case strings.HasPrefix(target, "!"):
		if hasLabel {
			return label
		}
		return "@" + strings.TrimPrefix(target, "!")
	case hasLabel && label != "" && label != target:
		return label + " (" + target + ")"
	}
	return target
}

package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// sendReminder posts a reminder in the announcement's thread or by DM.
// It says nothing when the reminder no longer fits the session: cancelled,
// moved since it was planned (the move planned new ones), or overtaken by
// a later reminder that is due too (after an outage, one reminder is
// enough, and the nearer one is right about the time left).
func (b *Bot) sendReminder(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	if s.Cancelled() || (!d.Deadline.IsZero() && !d.Deadline.Equal(s.Start)) {
		return "", "", nil
	}
	now := b.now()
	off, _ := time.ParseDuration(d.Payload)
	for _, other := range b.cfg.Reminders.Before {
		if other < off && !s.Start.Add(-other).After(now) {
			return "", "", nil
		}
	}
	left := off
	if late := now.Sub(s.Start.Add(-off)); late > time.Minute {
		left = (off - late).Truncate(time.Minute)
	}
	lang := b.channelLang(s)
	if !d.InThread {
		lang = b.userLang(ctx, d.Recipient)
	}
	text := tr(lang, "post.reminder.text", "Title", escapeText(s.Title), "When", slackDate(lang, s.Start, s.TZ),
		"Left", humanOffset(lang, left))
	if s.Link != "" {
		text += " " + tr(lang, "post.reminder.join", "Link", s.Link)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if d.InThread {
		return b.postThread(ctx, d, s, opts...)
	}
	return b.postDM(ctx, d, d.Recipient, opts...)
}

// humanOffset says a reminder offset the way a person would, in lang.
func humanOffset(lang i18n.Lang, d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return tr(lang, "duration.days", "Count", int(d/(24*time.Hour)))
	case d >= time.Minute && d%time.Minute == 0:
		return i18n.Duration(d).Word(lang)
	case d >= time.Second && d < time.Minute && d%time.Second == 0:
		return tr(lang, "duration.seconds", "Count", int(d/time.Second))
	}
	return d.String()
}

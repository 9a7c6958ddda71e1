package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

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
	text := fmt.Sprintf("Reminder: *%s* starts %s (in %s).", escapeText(s.Title), slackDate(s.Start, s.TZ), humanOffset(left))
	if s.Link != "" {
		text += fmt.Sprintf(" Join: <%s>", s.Link)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if d.InThread {
		return b.postThread(ctx, d, s, opts...)
	}
	return b.postDM(ctx, d, d.Recipient, opts...)
}

// humanOffset says a reminder offset the way a person would.
func humanOffset(d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return unitCount(int(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Minute == 0:
		out := unitCount(int(d/time.Hour), "hour")
		if m := int(d % time.Hour / time.Minute); m > 0 {
			out += " " + unitCount(m, "minute")
		}
		return out
	case d >= time.Minute && d%time.Minute == 0:
		return unitCount(int(d/time.Minute), "minute")
	case d >= time.Second && d < time.Minute && d%time.Second == 0:
		return unitCount(int(d/time.Second), "second")
	}
	return d.String()
}

func unitCount(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

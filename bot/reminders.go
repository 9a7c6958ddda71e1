package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/store"
)

// sendReminder posts a reminder in the announcement's thread or by DM.
func (b *Bot) sendReminder(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	if s.Cancelled() {
		return "", "", nil
	}
	off, _ := time.ParseDuration(d.Payload)
	text := fmt.Sprintf("Reminder: *%s* starts %s (in %s).", escapeText(s.Title), slackDate(s.Start, s.TZ), humanOffset(off))
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
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d == 24*time.Hour:
		return "24 hours"
	case d >= time.Hour && d%time.Hour == 0:
		if d == time.Hour {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}

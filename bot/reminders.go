package bot

import (
	"context"
	"strconv"
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
	lang := b.postLang(s)
	if !d.InThread {
		lang = b.readerLang(ctx, d.Recipient)
	}
	text := tr(lang, "post.reminder.text", "Title", escapeText(s.Title), "When", dateIn(lang, s.Start, s.TZ),
		"Left", humanOffset(lang, left))
	if s.Link != "" {
		text += " " + tr(lang, "post.reminder.join", "Link", s.Link)
	}
	l := b.postLang(s)
	if !d.InThread {
		l = b.readerLang(ctx, d.Recipient)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(b.reminderBlocks(l, s, text, !d.InThread)...)}
	if d.InThread {
		return b.postThread(ctx, d, s, opts...)
	}
	return b.postDM(ctx, d, d.Recipient, opts...)
}

// reminderBlocks are a reminder's text, a button with the join link, and
// (by DM, where the thread is not at hand) a link to the announcement.
func (b *Bot) reminderBlocks(l i18n.Lang, s *store.Session, text string, direct bool) []slack.Block {
	blocks := sections(text)
	if s.Link != "" {
		join := linkButton("reminder_join", tr(l, "native.reminder.join"), s.Link)
		join.Style = slack.StylePrimary
		blocks = append(blocks, slack.NewActionBlock("reminder_"+strconv.FormatInt(s.ID, 10), join))
	}
	if link := Permalink(s.AnnounceChannel, s.AnnounceTS); direct && link != "" {
		blocks = append(blocks, contextLine(tr(l, "native.reminder.announcement", "Link", link)))
	} else if direct && s.Link == "" {
		blocks = append(blocks, contextLine(tr(l, "native.reminder.no_link", "Command", "`"+b.cfg.Command+" "+tr(l, "native.list.word_show")+" "+strconv.FormatInt(s.ID, 10)+"`")))
	}
	return blocks
}

var _ = actions.add("reminder_join", (*Bot).pressLink)

// pressLink answers nothing: a link button opens its link in the
// person's browser, and Slack reports the press all the same.
func (b *Bot) pressLink(context.Context, slack.InteractionCallback, *slack.BlockAction) error {
	return nil
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

package bot

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/store"
)

// sendSpeakerAdded tells a speaker added after scheduling, by DM, what
// they speak at and when, with the announcement's link.
func (b *Bot) sendSpeakerAdded(ctx context.Context, d store.Delivery, s *store.Session) (string, string, error) {
	if s.Cancelled() || !s.HasSpeaker(d.Recipient) {
		return "", "", nil // removed again, or cancelled, before this went out
	}
	l := b.readerLang(ctx, d.Recipient)
	text := tr(l, "native.speaker_added", "Creator", "<@"+s.Creator+">", "Title", escapeText(s.Title), "ID", s.ID,
		"Date", dateIn(l, s.Start, s.TZ), "Duration", durationIn(l, s.Duration))
	if link := Permalink(s.AnnounceChannel, s.AnnounceTS); link != "" {
		text += "\n" + tr(l, "native.reminder.announcement", "Link", link)
	}
	blocks := append(sections(text), contextLine(b.calendarLinks(l, s, true)))
	return b.postDM(ctx, d, d.Recipient, slack.MsgOptionText(clipMrkdwn(text, maxPlainText), false), slack.MsgOptionBlocks(blocks...))
}

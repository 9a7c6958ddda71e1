package bot

import (
	"fmt"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/store"
)

// The outbox kinds are exchange's; these names keep the senders short.
const (
	kindAnnounce = exchange.KindAnnounce
	kindUpdate   = exchange.KindUpdate
	kindThread   = exchange.KindThread
	kindReminder = exchange.KindReminder
	kindPrompt   = exchange.KindPrompt
	kindNudge    = exchange.KindNudge
	kindSummary  = exchange.KindSummary
	kindDigest   = exchange.KindDigest

	kindUndelivered  = exchange.KindUndelivered
	kindHome         = exchange.KindHome
	kindSpeakerAdded = exchange.KindSpeakerAdded
)

// noticeText words a note under the announcement (a KindThread row).
func noticeText(d store.Delivery) string {
	n, ok := exchange.ReadNotice(d.Payload)
	if !ok {
		return d.Payload // queued before notices were structured: already worded
	}
	switch n.Event {
	case exchange.NoticeMoved:
		return fmt.Sprintf("Moved: *%s* was %s, now %s (%s).", escapeText(n.Title), slackDate(n.Was, n.TZ), slackDate(n.Start, n.TZ), formatDuration(n.Duration))
	case exchange.NoticeCancelled:
		text := fmt.Sprintf("Cancelled: *%s* (%s) will not take place.", escapeText(n.Title), slackDate(n.Start, n.TZ))
		if n.Reason != "" {
			text += " Reason: " + escapeText(n.Reason)
		}
		return text
	}
	return escapeText(n.Title)
}

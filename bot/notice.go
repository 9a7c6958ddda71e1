package bot

import (
	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
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

// noticeText words a note under the announcement (a KindThread row) in
// lang, the channel's.
func noticeText(lang i18n.Lang, d store.Delivery) string {
	n, ok := exchange.ReadNotice(d.Payload)
	if !ok {
		return d.Payload // queued before notices were structured: already worded
	}
	switch n.Event {
	case exchange.NoticeMoved:
		return tr(lang, "post.notice.moved", "Title", escapeText(n.Title), "Was", dateIn(lang, n.Was, n.TZ),
			"When", dateIn(lang, n.Start, n.TZ), "Duration", durationIn(lang, n.Duration))
	case exchange.NoticeCancelled:
		if n.Reason != "" {
			return tr(lang, "post.notice.cancelled_reason", "Title", escapeText(n.Title),
				"When", dateIn(lang, n.Start, n.TZ), "Reason", escapeText(n.Reason))
		}
		return tr(lang, "post.notice.cancelled", "Title", escapeText(n.Title), "When", dateIn(lang, n.Start, n.TZ))
	}
	return escapeText(n.Title)
}

package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// readerLang is the language one person reads: their Slack locale, else
// the configured language.
func (b *Bot) readerLang(ctx context.Context, userID string) i18n.Lang {
	return i18n.Match(b.cfg.Language, b.userInfo(ctx, userID).locale)
}

// postLang is the language of a post about s in a channel: the session's
// own, else the configured language.
func (b *Bot) postLang(s *store.Session) i18n.Lang {
	if s == nil {
		return i18n.Match(b.cfg.Language)
	}
	return i18n.Match(b.cfg.Language, s.Lang)
}

// tr words message id in lang with its placeholders given as name, value
// pairs.
func tr(lang i18n.Lang, id string, kv ...any) string {
	if len(kv) == 0 {
		return i18n.T(lang, id, nil)
	}
	data := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i].(string)] = kv[i+1]
	}
	return i18n.T(lang, id, data)
}

// dateIn is Slack's date token for t, each reader seeing their own local
// time; the fallback, for clients that cannot, is worded in lang in zone.
func dateIn(lang i18n.Lang, t time.Time, zone string) string {
	loc, err := exchange.LoadZone(zone)
	if err != nil {
		loc = time.UTC
	}
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), i18n.DayTime(t.In(loc)).Word(lang))
}

// durationIn words a session's length in lang.
func durationIn(lang i18n.Lang, d time.Duration) string { return i18n.Duration(d).Word(lang) }

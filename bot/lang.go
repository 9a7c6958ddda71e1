package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Who reads in which language (PRODUCT.md, Languages): a person, in a
// reply or a DM, their Slack locale (readerLang); a post in a channel its
// session's lang (postLang); else the configured language. Every text
// comes from the i18n catalogs through tr.

// readerLang is the language one person reads: their Slack locale
// (users.info, cached with their zone), else the configured language.
func (b *Bot) readerLang(ctx context.Context, userID string) i18n.Lang {
	return i18n.Match(b.language(), b.userInfo(ctx, userID).locale)
}

// postLang is the language of a post about s in a channel: the session's
// own, else the configured language (nil: a post about no session, such
// as the digest).
func (b *Bot) postLang(s *store.Session) i18n.Lang {
	if s == nil {
		return b.language()
	}
	return i18n.Match(b.language(), s.Lang)
}

// language is the configured language, Policy.Language.
func (b *Bot) language() i18n.Lang { return i18n.Match(i18n.Lang(b.cfg.Language)) }

// tr words message id in lang with its placeholders given as name, value
// pairs (i18n.T keeps the messages without any, worded once).
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
// time. The fallback, for the rare client that cannot show the token,
// is the same moment written the same in every language, in the
// session's zone: 2026-12-03 15:00 -03.
func dateIn(_ i18n.Lang, t time.Time, zone string) string {
	loc, err := exchange.LoadZone(zone)
	if err != nil {
		loc = time.UTC
	}
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.In(loc).Format("2006-01-02 15:04 MST"))
}

// durationIn words a session's length in lang.
func durationIn(lang i18n.Lang, d time.Duration) string { return i18n.Duration(d).Word(lang) }

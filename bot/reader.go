package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/i18n"
)

// localeTTL bounds how stale a cached Slack locale may be.
const localeTTL = 6 * time.Hour

type localeEntry struct {
	lang i18n.Lang
	at   time.Time
}

// localeCache holds each person's language as Slack last said it.
type localeCache struct {
	mu sync.Mutex
	m  map[string]localeEntry
}

// localeLang is the language a person reads: their Slack locale
// (users.info, cached), else the configured language. When Slack cannot
// be asked the answer is not cached, so the next message asks again.
func (b *Bot) localeLang(ctx context.Context, userID string) i18n.Lang {
	now := b.now()
	b.locales.mu.Lock()
	e, ok := b.locales.m[userID]
	b.locales.mu.Unlock()
	if ok && now.Sub(e.at) < localeTTL {
		return e.lang
	}
	fallback := i18n.Match(i18n.English, b.cfg.Language)
	if b.offline || userID == "" {
		return fallback
	}
	u, err := b.slack.GetUserInfoContext(ctx, userID, slack.GetUserInfoOptionIncludeLocale(true))
	if err != nil {
		b.log.Warn("users.info failed; writing in the configured language", slog.String("user", userID), slog.Any("error", err))
		return fallback
	}
	lang := i18n.Match(fallback, u.Locale)
	b.locales.mu.Lock()
	if b.locales.m == nil {
		b.locales.m = make(map[string]localeEntry)
	}
	b.locales.m[userID] = localeEntry{lang: lang, at: now}
	b.locales.mu.Unlock()
	return lang
}

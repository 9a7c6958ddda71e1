package bot

import (
	"strconv"
	"strings"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// Who reads in which language (PRODUCT.md, Languages): a person, in a
// reply or a DM, their Slack locale (userLang, in users.go); a post in a
// channel its session's lang; else the configured language. Every text
// comes from the i18n catalogs through tr.

// channelLang is the language of a post in a channel about s (nil: a
// post about no session, such as the digest).
func (b *Bot) channelLang(s *store.Session) i18n.Lang {
	if s == nil {
		return b.language()
	}
	return i18n.Match(b.language(), s.Lang)
}

// language is the configured language (Policy.Language).
func (b *Bot) language() i18n.Lang { return i18n.Lang(b.cfg.Language) }

// tr words the message id in lang; its values come as name, value pairs,
// as in usage.
func tr(lang i18n.Lang, id string, pairs ...any) string {
	if len(pairs) == 0 {
		return i18n.T(lang, id, nil)
	}
	data := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		data[pairs[i].(string)] = pairs[i+1]
	}
	return i18n.T(lang, id, data)
}

// decimal writes f with prec decimals, with the decimal separator of
// lang: 1.5 in English, 1,5 in Spanish.
func decimal(lang i18n.Lang, f float64, prec int) string {
	s := strconv.FormatFloat(f, 'f', prec, 64)
	if lang == i18n.Spanish {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

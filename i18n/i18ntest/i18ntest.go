// Package i18ntest finds text of the wrong language in a rendering, for
// the tests of every surface (Slack, web pages, email): a Spanish reader
// must not read a passage of the English catalogs, nor the reverse.
package i18ntest

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/exchangebot/exchangebot/i18n"
)

// MinLen is the length, in characters, from which a passage counts:
// shorter ones ("Join", "Dec") are too likely to be a name, a code or a
// word both languages share.
const MinLen = 5

// Foreign returns the passages of the other language's catalogs that
// text, a rendering for a reader of lang, holds. A passage is a stretch
// of a message between its placeholders, line breaks, `code`, separators
// (·, •) and punctuation, trimmed of mrkdwn marks, of at least MinLen
// characters with a letter among them; only messages worded differently
// in the two languages count, and a passage that any message of lang
// holds too (a product name, an example both show) is left out.
//
// Links are left out of text (a URL's path is no one's language), and a
// passage counts only as whole words: "exchange" is not in "exchangebot".
func Foreign(lang i18n.Lang, text string) []string {
	text = links.ReplaceAllString(text, " ")
	var found []string
	for _, p := range passages(lang) {
		if wholeWords(text, p) {
			found = append(found, p)
		}
	}
	return found
}

var links = regexp.MustCompile(`(https?|webcal)://[^\s<>|]+`)

// wholeWords reports whether p is in text with no letter or digit just
// before or after it.
func wholeWords(text, p string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], p)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(p)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if !word(before) && !word(after) {
			return true
		}
		i = start + 1
	}
}

func word(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

var (
	mu    sync.Mutex
	cache = map[i18n.Lang][]string{}
)

// passages are the other language's passages a reader of lang must not
// read, longest first.
func passages(lang i18n.Lang) []string {
	mu.Lock()
	defer mu.Unlock()
	if ps, ok := cache[lang]; ok {
		return ps
	}
	other := i18n.English
	if lang == i18n.English {
		other = i18n.Spanish
	}
	mine, theirs := i18n.Texts(lang), i18n.Texts(other)
	var all strings.Builder
	for _, texts := range mine {
		for _, s := range texts {
			all.WriteString(s)
			all.WriteByte(0)
		}
	}
	own := all.String()
	seen := map[string]bool{}
	var out []string
	for id, texts := range theirs {
		if strings.Join(texts, "\x00") == strings.Join(mine[id], "\x00") {
			continue // worded alike in both
		}
		for _, s := range texts {
			for _, p := range split(s) {
				if !seen[p] && !strings.Contains(own, p) {
					seen[p] = true
					out = append(out, p)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) || len(out[i]) == len(out[j]) && out[i] < out[j] })
	cache[lang] = out
	return out
}

var cuts = regexp.MustCompile("\\{\\{[^}]*\\}\\}|`[^`]*`|\n|·|•|[.?!:;,] ")

// split cuts a catalog text into its passages.
func split(s string) []string {
	var out []string
	for _, p := range cuts.Split(s, -1) {
		p = strings.TrimFunc(p, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune("*_~:;,.()<>|#", r)
		})
		if utf8.RuneCountInString(p) >= MinLen && strings.IndexFunc(p, unicode.IsLetter) >= 0 {
			out = append(out, p)
		}
	}
	return out
}

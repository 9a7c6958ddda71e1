// Package i18n words what a person reads in English or Spanish.
//
// The words live in TOML catalogs embedded in the binary,
// catalog/*.en.toml and catalog/*.es.toml, read with go-i18n: one entry per
// message id, with the CLDR plural forms of its language where a count
// picks the wording (Spanish has one, many and other). Code never holds
// the words, only the ids: each surface (Slack, web pages, email) asks
// for a message by id in the reader's language, and typed errors carry
// an id and their values so that the surface showing them words them.
//
// Match is the one place that decides which language a reader gets.
package i18n

import (
	"embed"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is a language the catalogs hold.
type Lang string

// The languages of the catalogs.
const (
	English Lang = "en"
	Spanish Lang = "es"
)

// Langs lists every language the catalogs hold.
var Langs = []Lang{English, Spanish}

// ParseLang reads a language as configured or typed: "es", "ES",
// "es-CL" and "es_419" are Spanish. ok is false for a language the
// catalogs do not hold.
func ParseLang(s string) (lang Lang, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	tag, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return "", false
	}
	return fromTag(tag)
}

// Match decides the language of one reader: the first preference that
// names a language of the catalogs, else fallback (the configured
// `language`). A preference is a Slack locale ("es-CL", "es-419",
// "en-US"), a session's lang ("es"), or an Accept-Language header;
// empty and unreadable ones are passed over. So:
//   - a person: Match(cfg, their Slack locale);
//   - a post in a channel: Match(cfg, the session's lang);
//   - a web page: Match(cfg, the chosen language, Accept-Language).
func Match(fallback Lang, prefs ...string) Lang {
	for _, p := range prefs {
		if lang, ok := ParseLang(p); ok {
			return lang
		}
		if !strings.ContainsAny(p, ",;") {
			continue
		}
		tags, _, err := language.ParseAcceptLanguage(p)
		if err != nil {
			continue
		}
		for _, t := range tags {
			if lang, ok := fromTag(t); ok {
				return lang
			}
		}
	}
	if _, ok := localizers[fallback]; !ok {
		return English
	}
	return fallback
}

func fromTag(t language.Tag) (Lang, bool) {
	base, conf := t.Base()
	if conf == language.No {
		return "", false
	}
	switch base.String() {
	case "en":
		return English, true
	case "es":
		return Spanish, true
	}
	return "", false
}

// Each feature may keep its words in its own pair of files,
// catalog/<area>.en.toml and catalog/<area>.es.toml, so that features
// built side by side do not edit one file; an id lives in one area only.
//
//go:embed catalog/*.toml
var catalogs embed.FS

// catalogFiles lists the catalog files of lang.
func catalogFiles(lang Lang) []string {
	names, err := fs.Glob(catalogs, "catalog/*."+string(lang)+".toml")
	if err != nil {
		panic("i18n: " + err.Error())
	}
	return names
}

var (
	bundle     *goi18n.Bundle
	localizers map[Lang]*goi18n.Localizer
)

func init() {
	bundle = goi18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	localizers = make(map[Lang]*goi18n.Localizer, len(Langs))
	for _, lang := range Langs {
		// A broken catalog is a build defect, caught by the catalog tests.
		for _, name := range catalogFiles(lang) {
			if _, err := bundle.LoadMessageFileFS(catalogs, name); err != nil {
				panic("i18n: " + err.Error())
			}
		}
		localizers[lang] = goi18n.NewLocalizer(bundle, string(lang))
	}
}

// T words the message id in lang. data holds its placeholders ({{.Input}}
// in the catalog is data["Input"]); a Value in data is worded in lang
// too. An int under "Count" picks the plural form. An id missing from
// the catalogs comes back as itself, which the catalog tests rule out.
func T(lang Lang, id string, data map[string]any) string {
	l := localizers[lang]
	if l == nil {
		lang, l = English, localizers[English]
	}
	if len(data) == 0 {
		// A message without values always reads the same: worded once.
		key := constKey{lang, id}
		if s, ok := constants.Load(key); ok {
			return s.(string)
		}
		s := localize(lang, l, id, nil)
		constants.Store(key, s)
		return s
	}
	return localize(lang, l, id, data)
}

// constants holds the messages without values already worded, by
// language and id (the month and weekday names of every date shown,
// labels, buttons).
var constants sync.Map

type constKey struct {
	lang Lang
	id   string
}

func localize(lang Lang, l *goi18n.Localizer, id string, data map[string]any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data, TemplateParser: fillParser{}}
	if len(data) > 0 {
		cfg.TemplateData = worded(lang, data)
		if n, ok := data["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	s, err := l.Localize(cfg)
	if s == "" && err != nil {
		return id
	}
	return s
}

// worded returns data with its Values worded in lang, and an int Count
// as Int writes it (the count is a quantity: 1,234), copying only when
// there is one to word.
func worded(lang Lang, data map[string]any) map[string]any {
	var out map[string]any
	for k, v := range data {
		var s string
		switch w := v.(type) {
		case Value:
			s = w.Word(lang)
		case int:
			if k != "Count" {
				continue
			}
			if s = Int(lang, w); s == strconv.Itoa(w) {
				continue
			}
		default:
			continue
		}
		if out == nil {
			out = make(map[string]any, len(data))
			for k, v := range data {
				out[k] = v
			}
		}
		out[k] = s
	}
	if out == nil {
		return data
	}
	return out
}

// A Value is a placeholder's value that is itself worded in the
// reader's language: a nested message (Msg) or a date (Day, DayTime,
// LongDate).
type Value interface {
	Word(Lang) string
}

// Msg is a message id used as a value, for the parts of a message that
// vary by case (the example of how to write a command).
type Msg string

// Word implements Value.
func (m Msg) Word(lang Lang) string { return T(lang, string(m), nil) }

// Message is what a typed error, or anything else worded elsewhere,
// carries: a message id in the catalogs and the values it shows.
type Message interface {
	MessageID() string
	MessageData() map[string]any
}

// Error words err for a reader in lang: the first Message in its chain
// from the catalogs, any other error (or a Message without an id) by its
// own Error text.
func Error(lang Lang, err error) string {
	if err == nil {
		return ""
	}
	var m Message
	if errors.As(err, &m) && m.MessageID() != "" {
		return T(lang, m.MessageID(), m.MessageData())
	}
	return err.Error()
}

// Localizer words messages for one reader, for a surface that has many
// to word: l := i18n.For(lang); l.T(id, data); l.Error(err).
type Localizer struct {
	Lang Lang
}

// For returns the Localizer of lang.
func For(lang Lang) Localizer { return Localizer{Lang: lang} }

// T is T in l's language.
func (l Localizer) T(id string, data map[string]any) string { return T(l.Lang, id, data) }

// Error is Error in l's language.
func (l Localizer) Error(err error) string { return Error(l.Lang, err) }

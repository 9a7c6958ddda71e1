package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/exchangebot/exchangebot/i18n"
)

// Questions is lessons.questions: one list that every language reads,
//
//	questions: ["What worked well?", "What would you do differently?"]
//
// or a list per language, as many in each and in the same order, since
// an answer is kept by its question's number whatever language it was
// asked in:
//
//	questions:
//	  en: ["What worked well?", "What would you do differently?"]
//	  es: ["¿Qué funcionó bien?", "¿Qué harías distinto?"]
type Questions struct {
	All    []string            // the list form
	ByLang map[string][]string // the per-language form
}

// UnmarshalYAML reads either form.
func (q *Questions) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.SequenceNode:
		var all []string
		if err := n.Decode(&all); err != nil {
			return err
		}
		*q = Questions{All: all}
		return nil
	case yaml.MappingNode:
		var by map[string][]string
		if err := n.Decode(&by); err != nil {
			return err
		}
		*q = Questions{ByLang: by}
		return nil
	}
	return bad("lessons.questions", "cli.config.reason.questions_form", map[string]any{"Line": n.Line})
}

// In is the list a reader of lang reads.
func (q Questions) In(lang string) []string {
	if qs, ok := q.ByLang[lang]; ok {
		return qs
	}
	return q.All
}

// validate checks either form, naming the key at fault; language is the
// configured language, whose list the languages not named read.
func (q Questions) validate(language string) error {
	list := func(key string, qs []string) error {
		if len(qs) == 0 {
			return bad(key, "cli.config.reason.questions_none", nil)
		}
		for i, s := range qs {
			if strings.TrimSpace(s) == "" {
				return bad(fmt.Sprintf("%s[%d]", key, i), "cli.config.reason.question_empty", nil)
			}
		}
		return nil
	}
	if q.ByLang == nil {
		return list("lessons.questions", q.All)
	}
	langs := make([]string, 0, len(q.ByLang))
	for lang := range q.ByLang {
		langs = append(langs, lang)
	}
	sort.Strings(langs)
	if len(langs) == 0 {
		return bad("lessons.questions", "cli.config.reason.questions_none", nil)
	}
	for _, lang := range langs {
		key := "lessons.questions." + lang
		if !slices.Contains(i18n.Langs, i18n.Lang(lang)) {
			return bad(key, "cli.config.reason.language", value(lang))
		}
		if err := list(key, q.ByLang[lang]); err != nil {
			return err
		}
	}
	first := langs[0]
	for _, lang := range langs[1:] {
		if n, m := len(q.ByLang[lang]), len(q.ByLang[first]); n != m {
			return bad("lessons.questions."+lang, "cli.config.reason.questions_count",
				map[string]any{"N": n, "First": first, "FirstN": m})
		}
	}
	if _, ok := q.ByLang[language]; !ok {
		return bad("lessons.questions", "cli.config.reason.questions_configured", value(language))
	}
	return nil
}

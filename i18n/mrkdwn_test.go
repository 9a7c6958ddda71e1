package i18n

import (
	"regexp"
	"strings"
	"testing"
)

// slackAreas are the catalog files whose messages Slack shows as mrkdwn
// (replies, posts, DMs, Home, the error texts). The web pages, emails,
// calendar feeds and the command line have their own escaping or none.
var slackAreas = []string{"bot", "core", "durable", "errors", "eval", "native", "posts", "report", "retry", "series"}

// plainTextIDs are the messages of those areas that Slack shows as
// plain_text (a placeholder, a modal's field error), where a < is shown
// as typed and &lt; would be shown literally.
var plainTextIDs = map[string]bool{
	"native.form.external_hint": true,
}

// slackToken is what may follow a < in Slack mrkdwn: a user, a channel,
// a special mention or date, a link, an email link. Anything else is
// read as markup too, and what the reader was meant to see is lost.
var slackToken = regexp.MustCompile(`^<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|![a-z]+(?:\^[^<>|]*)?|https?://[^\s<>|]+|mailto:[^\s<>|]+)(?:\|[^<>]*)?>`)

// sampleValues gives each placeholder of text a value of the kind its
// place calls for: a user id after <@, a channel id after <#, a link
// after <, and elsewhere a plain number.
func sampleValues(t *testing.T, id, text string) map[string]any {
	data := map[string]any{}
	for _, m := range placeholder.FindAllStringSubmatchIndex(text, -1) {
		name, before := text[m[2]:m[3]], text[:m[0]]
		value := "12"
		switch {
		case strings.HasSuffix(before, "<@"):
			value = "U0123ABC"
		case strings.HasSuffix(before, "<#"):
			value = "C0123ABC"
		case strings.HasSuffix(before, "<"):
			value = "https://example.org/s/12"
		}
		if old, ok := data[name]; ok && old != value {
			t.Fatalf("%q uses {{.%s}} as both %q and %q", id, name, old, value)
		}
		data[name] = value
	}
	return data
}

// strayAngle returns the first < of s that does not open a Slack token.
func strayAngle(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '<' && !slackToken.MatchString(s[i:]) {
			return s[i:min(len(s), i+40)], true
		}
	}
	return "", false
}

// Slack reads <…> in mrkdwn as a link, mention or date, so a catalog
// text shown there must not hold a placeholder such as <id> or an
// address such as Name <email>: Slack eats or garbles it, and what the
// reader copies is not what they were told to type.
func TestSlackTextsHoldNoStrayAngleBracket(t *testing.T) {
	counts := map[string]int{"one": 1, "other": 2, "many": 1_000_000}
	checked := 0
	for _, lang := range Langs {
		all := catalog(t, lang)
		for id := range plainTextIDs {
			if _, ok := all[id]; !ok {
				t.Errorf("plainTextIDs names %q, which is not in the catalogs", id)
			}
		}
		for _, area := range slackAreas {
			for id, forms := range catalogFile(t, "catalog/"+area+"."+string(lang)+".toml") {
				if plainTextIDs[id] {
					continue
				}
				for form, text := range forms {
					data := sampleValues(t, id, text)
					if len(forms) > 1 {
						data["Count"] = counts[form]
					}
					got := T(lang, id, data)
					if bad, ok := strayAngle(got); ok {
						t.Errorf("%s %q (%s): Slack reads %q as markup:\n%s", lang, id, form, bad, got)
					}
					checked++
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d Slack texts checked: the areas are not read", checked)
	}
}

func TestStrayAngle(t *testing.T) {
	for s, want := range map[string]bool{
		"`/exchange show 12`":                             false,
		"<@U1> <#C1|general> <!here> <!date^1^{date}|x>":  false,
		"<https://x.org/a|open> <mailto:a@x.org|a@x.org>": false,
		"&lt;id&gt; and 3 < 4":                            true,
		"`/exchange show <id>`":                           true,
		`"Ana Pérez <ana@example.org>"`:                   true,
		"<@ana>":                                          true,
		"<https://x.org/a":                                true,
	} {
		if _, got := strayAngle(s); got != want {
			t.Errorf("strayAngle(%q) = %v, want %v", s, got, want)
		}
	}
}

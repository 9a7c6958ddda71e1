package bot

import (
	"testing"

	"github.com/exchangebot/exchangebot/exchange"
)

// TestVocabularyNamesExchangeValues: the words people type for kinds and
// languages, in either language, all name values exchange knows, and
// every value exchange knows can be typed.
func TestVocabularyNamesExchangeValues(t *testing.T) {
	for _, v := range []struct {
		name  string
		words map[string]string
		known func(string) bool
		all   []string
	}{
		{"kind", kindWords, exchange.IsKind, exchange.Kinds},
		{"lang", langWords, exchange.IsLang, exchange.Langs},
	} {
		typed := map[string]bool{}
		for w, value := range v.words {
			if !v.known(value) {
				t.Errorf("%s word %q means %q, which exchange does not know", v.name, w, value)
			}
			typed[value] = true
		}
		for _, value := range v.all {
			if !typed[value] {
				t.Errorf("%s %q cannot be typed", v.name, value)
			}
		}
	}
}

// TestEveryKindHasAName: the kinds are listed once, in exchange; what
// the Slack surface shows for each comes from its own map of catalog
// ids, which must name every kind and nothing else.
func TestEveryKindHasAName(t *testing.T) {
	for _, k := range exchange.Kinds {
		if kindNames[k] == "" {
			t.Errorf("kind %q has no name to show", k)
		}
	}
	for k := range kindNames {
		if !exchange.IsKind(k) {
			t.Errorf("a name for %q, which exchange does not know", k)
		}
	}
}

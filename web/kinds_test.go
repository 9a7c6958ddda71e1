package web

import (
	"testing"

	"github.com/exchangebot/exchangebot/exchange"
)

// TestEveryKindHasAName: the kinds are listed once, in exchange; the
// pages' map of catalog ids must name every kind and nothing else.
func TestEveryKindHasAName(t *testing.T) {
	for _, k := range exchange.Kinds {
		if kindWords[k] == "" {
			t.Errorf("kind %q has no name to show", k)
		}
	}
	for k := range kindWords {
		if !exchange.IsKind(k) {
			t.Errorf("a name for %q, which exchange does not know", k)
		}
	}
}

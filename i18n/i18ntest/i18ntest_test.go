package i18ntest

import (
	"slices"
	"testing"

	"github.com/exchangebot/exchangebot/i18n"
)

func TestForeign(t *testing.T) {
	spanish := i18n.T(i18n.Spanish, "reply.internal", nil)
	english := i18n.T(i18n.English, "reply.internal", nil)
	if got := Foreign(i18n.Spanish, spanish); len(got) != 0 {
		t.Errorf("a Spanish message is foreign to a Spanish reader: %q", got)
	}
	if got := Foreign(i18n.Spanish, "Hola. "+english); !slices.Contains(got, "Something went wrong on our side and nothing was changed") {
		t.Errorf("English in a Spanish rendering not found: %q", got)
	}
	if got := Foreign(i18n.English, english+" "+spanish); len(got) == 0 {
		t.Error("Spanish in an English rendering not found")
	}
	// Names and code the two languages share are not foreign.
	if got := Foreign(i18n.Spanish, "exchangebot `/exchange help` FISDL El Salvador webinar"); len(got) != 0 {
		t.Errorf("shared words taken as foreign: %q", got)
	}
	if len(passages(i18n.Spanish)) < 100 {
		t.Errorf("only %d English passages to look for", len(passages(i18n.Spanish)))
	}
}

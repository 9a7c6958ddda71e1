package bot

import (
	"sort"
	"testing"

	"github.com/exchangebot/exchangebot/exchange"
)

// unread are the kinds of outbox row the Slack surface sends that put
// nothing of their own before a reader, so no Spanish rendering can show
// them. Each says why; a kind is added here only for such a reason.
var unread = map[string]string{
	// A slash command acknowledged over Socket Mode and carried out from
	// the outbox: what its user reads is the command's reply, which the
	// reply/ rows render.
	exchange.KindInbound: "a command carried out later; its reply is the command's",
	// Posts nothing: it owes each participant a KindEvaluation row.
	exchange.KindEvaluate: "owes the ratings DMs, posts nothing",
}

// TestSpanishRenderingsCoverEveryKind fails when a kind of row the Slack
// surface sends (its registry of senders, as a running bot has it) is
// shown by no Spanish rendering, so a feature that adds a message cannot
// leave it out of the golden files. A rendering's kinds are checked to
// have gone out while it was rendered (goldenBot.wentOut).
func TestSpanishRenderingsCoverEveryKind(t *testing.T) {
	e := newTestBot(t)
	shownBy := map[string][]string{}
	for _, rows := range [][]spanishRendering{spanishRenderings, seriesSpanish} {
		for _, r := range rows {
			for _, k := range r.kinds {
				shownBy[k] = append(shownBy[k], r.name)
			}
		}
	}
	var sent []string
	for kind := range e.bot.senders {
		sent = append(sent, kind)
	}
	sort.Strings(sent)
	for _, kind := range sent {
		_, excluded := unread[kind]
		switch {
		case excluded && len(shownBy[kind]) > 0:
			t.Errorf("%s is listed as read by no one, yet %v show it: drop it from unread", kind, shownBy[kind])
		case !excluded && len(shownBy[kind]) == 0:
			t.Errorf("bot sends %s rows, but no Spanish rendering shows one: add a row to spanishRenderings with kinds: []string{%q}", kind, kind)
		}
	}
	for kind := range unread {
		if e.bot.senders[kind] == nil {
			t.Errorf("%s is listed in unread, but bot sends no such rows", kind)
		}
	}
	for kind, rows := range shownBy {
		if e.bot.senders[kind] == nil {
			t.Errorf("%v name %s, which bot does not send", rows, kind)
		}
	}
}

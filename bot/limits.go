package bot

import (
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Slack's Block Kit limits, in one place. Every message, form and Home
// the bot renders is built through the helpers below, so whatever a
// person typed (a 3,000-character description, thirty speakers, a long
// cancel reason) the payload stays within them: long text is split over
// blocks or shortened where it is shown, and kept whole where it is
// stored. internal/slackfake checks every payload against the same
// limits, read from Slack's documentation on its own.
const (
	maxSectionText   = 3000 // a section's or a context element's text
	maxHeaderText    = 150
	maxMessageBlocks = 50  // blocks in one message
	maxViewBlocks    = 100 // blocks in a modal or a Home tab
	maxButtonText    = 75  // a button's or an option's text
	maxOptionValue   = 150
	maxInputLength   = 3000 // a plain-text input's max_length, and so its initial value
	maxInputLabel    = 2000
	maxViewTitle     = 24 // a modal's title, submit and close
	maxURL           = 3000
	// maxPlainText bounds a message sent as text alone: Slack takes
	// 40,000 characters, clients show about 4,000 before "show more".
	maxPlainText = 12000
)

// runes counts characters as Slack does.
func runes(s string) int { return utf8.RuneCountInString(s) }

// clip shortens plain text to n characters, ending it with "…".
func clip(s string, n int) string {
	if runes(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " \n") + "…"
}

// clipMrkdwn shortens mrkdwn to n characters without cutting a link,
// mention or date token (<…>) or an entity (&amp;) in two.
func clipMrkdwn(s string, n int) string {
	if runes(s) <= n {
		return s
	}
	head, _ := cutMrkdwn(s, n-1)
	return strings.TrimRight(head, " \n") + "…"
}

// splitMrkdwn cuts mrkdwn into pieces of at most n characters, at a line
// break when there is one in the second half of a piece, else at a space,
// never inside a <…> token or an entity.
func splitMrkdwn(s string, n int) []string {
	var out []string
	for runes(s) > n {
		head, rest := cutMrkdwn(s, n)
		out = append(out, strings.TrimRight(head, " \n"))
		s = strings.TrimLeft(rest, " \n")
	}
	if s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}

// cutMrkdwn splits s before its n-th character at the best place.
func cutMrkdwn(s string, n int) (head, rest string) {
	end := len(s)
	count := 0
	for i := range s {
		if count == n {
			end = i
			break
		}
		count++
	}
	cut := end
	if i := strings.LastIndexByte(s[:end], '\n'); i > end/2 {
		cut = i
	} else if i := strings.LastIndexByte(s[:end], ' '); i > end/2 {
		cut = i
	}
	// Not inside <…>: an opening bracket after the last closing one.
	if open := strings.LastIndexByte(s[:cut], '<'); open > strings.LastIndexByte(s[:cut], '>') && open > 0 {
		cut = open
	}
	// Not inside an entity such as &amp; (at most 5 characters long).
	if amp := strings.LastIndexByte(s[:cut], '&'); amp >= 0 && cut-amp < 6 && !strings.Contains(s[amp:cut], ";") && amp > 0 {
		cut = amp
	}
	return s[:cut], s[cut:]
}

// sections shows mrkdwn in as many section blocks as it needs.
func sections(text string) []slack.Block {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	parts := splitMrkdwn(text, maxSectionText)
	out := make([]slack.Block, 0, len(parts))
	for _, p := range parts {
		out = append(out, slack.NewSectionBlock(mrkdwn(p), nil, nil))
	}
	return out
}

// section is one section block whose text is shortened to fit, for a
// line whose whole is shown elsewhere (a list entry).
func section(text string, accessory *slack.Accessory) slack.Block {
	return slack.NewSectionBlock(mrkdwn(clipMrkdwn(text, maxSectionText)), nil, accessory)
}

// contextLine is a context block of one mrkdwn text, shortened to fit.
func contextLine(text string) slack.Block {
	return slack.NewContextBlock("", mrkdwn(clipMrkdwn(text, maxSectionText)))
}

// header is a header block, shortened to fit.
func header(text string) slack.Block {
	return slack.NewHeaderBlock(plain(clip(text, maxHeaderText)))
}

// button is a button whose text is shortened to fit.
func button(actionID, value, text string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(actionID, value, plain(clip(text, maxButtonText)))
}

// linkButton is a button that opens url.
func linkButton(actionID, text, url string) *slack.ButtonBlockElement {
	b := button(actionID, "", text)
	b.URL = url
	return b
}

// option is a select or overflow option whose text is shortened to fit.
func option(value, text string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(clip(value, maxOptionValue), plain(clip(text, maxButtonText)), nil)
}

// viewTitle is a modal's title, submit or close text, shortened to fit.
func viewTitle(text string) *slack.TextBlockObject { return plain(clip(text, maxViewTitle)) }

// fitBlocks keeps blocks within max, the last one kept saying how many
// more there were (worded by more).
func fitBlocks(blocks []slack.Block, max int, more func(n int) string) []slack.Block {
	if len(blocks) <= max {
		return blocks
	}
	n := len(blocks) - (max - 1)
	return append(blocks[:max-1:max-1], contextLine(more(n)))
}

// initialValue is text to prefill an input of max length n with; ok is
// false when it does not fit whole, and then it must be shown rather
// than prefilled, or saving the form would cut what was stored.
func initialValue(text string, n int) (string, bool) {
	if runes(text) > n {
		return "", false
	}
	return text, true
}

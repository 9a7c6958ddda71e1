package bot

import (
	"strings"
	"unicode"
)

// Control is a word that steers the lesson walk-through in a DM instead
// of answering a question.
type Control string

// The controls. Their values are the English words, so a switch on the
// words reads the same.
const (
	ControlSkip Control = "skip" // move on to the next question
	ControlStop Control = "stop" // end, keeping what was answered
)

// controlWords are read in both languages whatever the reader's.
var controlWords = map[string]Control{
	"skip": ControlSkip, "saltar": ControlSkip, "omitir": ControlSkip, "paso": ControlSkip,
	"stop": ControlStop, "parar": ControlStop, "listo": ControlStop, "terminar": ControlStop,
}

// ParseControl reports whether a DM is a control word rather than an
// answer: the whole message is one of skip/saltar/omitir/paso or
// stop/parar/listo/terminar, in any case, with or without accents,
// punctuation or Slack's formatting around it ("¡Listo!", "*skip*").
// "Paso a paso funcionó" is an answer.
func ParseControl(text string) (Control, bool) {
	t := strings.TrimFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
	if t == "" || len(t) > len("terminar")+2 {
		return "", false
	}
	c, ok := controlWords[foldWord(t)]
	return c, ok
}

package bot

import (
	"strconv"
	"strings"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
)

// The grammar of series: `new … every:week|2w|month [until:<date>|count:<n>]`
// (Spanish `cada:semana|2semanas|mes`, `hasta:`, `veces:`), and `all`
// (`todas`) right after the id of move, cancel, join, leave and lessons:
// `move 12 all tue 16:00` moves #12 and the later occurrences of its
// series, `cancel 12 all` cancels them, `join 12 all` joins every
// occurrence still ahead, `lessons 12 all` reads the whole series'.

// Message ids of the series grammar's mistakes.
const (
	msgUnknownEvery       = "series.parse.unknown_every"        // Input
	msgUntilNotDate       = "series.parse.until_not_date"       // Input
	msgCountNotNumber     = "series.parse.count_not_number"     // Input, Max
	msgCountZero          = "series.parse.count_zero"           // Max
	msgCountTooMany       = "series.parse.count_too_many"       // Input, Max
	msgUntilAndCount      = "series.parse.until_and_count"      //
	msgRepeatWithoutEvery = "series.parse.repeat_without_every" // Key
	msgAllAfterID         = "series.parse.all_after_id"         // Form
	msgFormMoveAll        = "series.parse.form.move_all"
	msgFormIDAll          = "series.parse.form.id_all" // Command
)

// everyWords maps how often, as typed after every:/cada:, to exchange's
// names. Spaces are dropped first, so `cada:"2 semanas"` reads too.
var everyWords = map[string]string{
	"week": exchange.EveryWeek, "weekly": exchange.EveryWeek, "semana": exchange.EveryWeek, "semanal": exchange.EveryWeek,
	"2w": exchange.EveryTwoWeeks, "2weeks": exchange.EveryTwoWeeks, "biweekly": exchange.EveryTwoWeeks,
	"fortnight": exchange.EveryTwoWeeks, "fortnightly": exchange.EveryTwoWeeks,
	"2semanas": exchange.EveryTwoWeeks, "2sem": exchange.EveryTwoWeeks,
	"month": exchange.EveryMonth, "monthly": exchange.EveryMonth, "mes": exchange.EveryMonth, "mensual": exchange.EveryMonth,
}

// allWords say "this one and the ones after it" after an id.
var allWords = map[string]bool{"all": true, "todas": true, "todos": true}

// isAll reports whether args[i] is all or todas.
func isAll(args []arg, i int) bool { return allWords[word(args, i)] }

// formWith is a way of writing a command that shows the command as it
// was typed, worded in the reader's language.
type formWith struct {
	id      string
	command string
}

// Word implements i18n.Value.
func (f formWith) Word(lang i18n.Lang) string {
	return i18n.T(lang, f.id, map[string]any{"Command": f.command})
}

func (c *Command) setEvery(val string) error {
	v, ok := everyWords[foldWord(strings.Join(strings.Fields(val), ""))]
	if !ok {
		return usage(msgUnknownEvery, "Input", echo(val))
	}
	c.Every = v
	return nil
}

func (c *Command) setCount(val string) error {
	v := strings.TrimSpace(val)
	if !isDigits(v) {
		return usage(msgCountNotNumber, "Input", echo(val), "Max", exchange.MaxOccurrences)
	}
	n, err := strconv.Atoi(v)
	switch {
	case err == nil && n == 0:
		return usage(msgCountZero, "Max", exchange.MaxOccurrences)
	case err != nil || n > exchange.MaxOccurrences:
		return usage(msgCountTooMany, "Input", echo(val), "Max", exchange.MaxOccurrences)
	}
	c.Count = n
	return nil
}

// readUntil reads the date of until:/hasta: in a, which may go on in the
// words after it when the value is not quoted (`hasta:3 de diciembre`),
// and returns how many of those it took.
func (c *Command) readUntil(a arg, rest []arg) (int, error) {
	_, val, _ := a.key()
	var buf [8]arg
	words := fieldArgs(val, buf[:0])
	own := len(words)
	if !a.hasQuote {
		words = append(words, rest...)
	}
	date, n, err := dateAt(words, 0)
	if err != nil {
		return 0, err
	}
	if n < own || n == 0 || a.hasQuote && n != own {
		return 0, usage(msgUntilNotDate, "Input", echo(val))
	}
	c.Until = date
	return n - own, nil
}

// checkRepeat checks what the keys of a series say together, once all
// are read.
func (c *Command) checkRepeat(typedKeys map[string]string) error {
	switch {
	case c.Until != "" && c.Count != 0:
		return usage(msgUntilAndCount)
	case c.Every == "" && c.Until != "":
		return usage(msgRepeatWithoutEvery, "Key", typedKeys["until"])
	case c.Every == "" && c.Count != 0:
		return usage(msgRepeatWithoutEvery, "Key", typedKeys["count"])
	}
	return nil
}

// parseIDAll reads `<id> [all]` (join, leave).
func parseIDAll(lx *lexer, typed string) (id int64, all bool, err error) {
	form := formWith{msgFormIDAll, typed}
	args, err := lx.all()
	if err != nil {
		return 0, false, err
	}
	if id, err = idArg(args, 0, typed, form); err != nil {
		return 0, false, err
	}
	next := 1
	if isAll(args, 1) {
		all, next = true, 2
	}
	return id, all, extraArgs(args, next, form)
}

// cutAll takes all/todas off the front of a free-text tail (cancel's
// reason): `cancel 12 all the partner left`.
func cutAll(rest string) (tail string, all bool) {
	first, tail, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if allWords[foldWord(first)] {
		return tail, true
	}
	return rest, false
}

package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exchangebot/exchangebot/store"
)

// MaxTitle is the longest session title, in characters.
const MaxTitle = 150

// Command is one parsed slash command.
type Command struct {
	Name     string          // "help", "new", "list", "show", "move", "cancel", "speakers", "join", "leave", "feed", "lessons", "report"
	ID       int64           // session id for show/move/cancel/speakers/join/leave, and lessons <id>
	Title    string          // new (quoted, or unquoted = every word before the date)
	Date     string          // new/move: the date as written, syntax already checked (may be two words joined by a space, e.g. "3 dic")
	Time     string          // new/move: the time as written, syntax already checked
	Duration time.Duration   // new/move: 0 when not given
	Speakers []store.Speaker // new: @mentions; speakers add/remove: @mentions or "Name <email>"
	Channel  string          // new: channel id from <#C123|name> or <#C123>, or "#name" when plain
	TZ       string          // tz: key, validated with time.LoadLocation
	Kind     string          // kind: webinar|exchange|workshop (lower-cased)
	Link     string          // link: http(s) URL
	Partners []string        // partner: repeatable, quotes allowed
	Lang     string          // lang: es|en
	Scope    string          // list: ""|"mine"|"past"|"all"
	Action   string          // speakers: "add"|"remove"; feed: ""|"reset"
	Reason   string          // cancel: free text, may be empty
	Words    string          // lessons: the search words when not an id
	From, To string          // report: as written, syntax checked (YYYY-MM-DD or YYYY-MM or the date words)
}

// UsageError is a user mistake: Msg says what was wrong and how to write it right.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, a ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, a...)}
}

// Examples shown in messages, in Slack mrkdwn.
const (
	newForm      = "`new \"Youth employment\" 2026-12-03 15:00 90m @ana #general kind:webinar`"
	dateHint     = "Write a date like `2026-12-03`, `tomorrow`, `tue` or `3 dec`."
	timeHint     = "Write it like `15:00`, `3pm` or `15h`."
	personHint   = "Pick the person from Slack's autocomplete so it becomes a mention, or write someone without Slack as `\"Ana Pérez <ana@example.org>\"`."
	keysHint     = "Use `tz:`, `kind:`, `link:`, `partner:` or `lang:`, like `kind:webinar` or `partner:\"FISDL El Salvador\"`."
	commandNames = "`help`, `new`, `list`, `show`, `move`, `cancel`, `speakers`, `join`, `leave`, `feed`, `lessons`, `report`"
)

// Parse turns the slash command text into a Command. It is pure: no clock, no I/O
// (beyond time.LoadLocation reading the zone database for tz:).
// After a mistake in a known command the Command still carries its Name, so
// that callers can count mistakes per command.
func Parse(text string) (Command, error) {
	if !utf8.ValidString(text) {
		return Command{}, usagef("The command has characters I can't read. Type it again, like %s.", newForm)
	}
	lx := &lexer{s: text}
	first, ok, err := lx.next()
	if err != nil {
		return Command{}, err
	}
	if !ok {
		return Command{Name: "help"}, nil
	}
	name := strings.ToLower(first.text)
	if first.hasQuote {
		name = ""
	}
	c := Command{Name: name}
	switch name {
	case "help":
		// Whatever follows help gets the same answer, so it is not an error.
	case "new":
		c, err = parseNew(lx)
	case "list":
		c.Scope, err = parseChoice(lx, name, "`list`, `list mine`, `list past` or `list all`", "mine", "past", "all")
	case "feed":
		c.Action, err = parseChoice(lx, name, "`feed` or `feed reset`", "reset")
	case "show", "join", "leave":
		c.ID, err = parseIDOnly(lx, name)
	case "move":
		c, err = parseMove(lx)
	case "cancel":
		c, err = parseCancel(lx)
	case "speakers":
		c, err = parseSpeakers(lx)
	case "lessons":
		c, err = parseLessons(lx)
	case "report":
		c, err = parseReport(lx)
	default:
		return Command{}, usagef("Unknown command %s. Use one of %s; `help` shows examples.", echo(first.raw), commandNames)
	}
	if err != nil {
		return Command{Name: name}, err
	}
	return c, nil
}

func parseNew(lx *lexer) (Command, error) {
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "new"}
	if len(args) == 0 {
		return c, nil // the modal
	}
	var at int // where the date starts
	if args[0].quoted {
		c.Title = cleanText(args[0].text)
		at = 1
	} else {
		if at, err = findDate(args); err != nil {
			return Command{}, err
		}
		raws := make([]string, at)
		for i, a := range args[:at] {
			raws[i] = a.raw
		}
		c.Title = cleanText(strings.Join(raws, " "))
	}
	if c.Title == "" {
		return Command{}, usagef("The title is missing. Write it first, like %s.", newForm)
	}
	if n := utf8.RuneCountInString(c.Title); n > MaxTitle {
		return Command{}, usagef("The title is %d characters long; the limit is %d. Shorten it, like %s.", n, MaxTitle, newForm)
	}
	next, err := c.dateTime(args, at, newForm)
	if err != nil {
		return Command{}, err
	}
	if err := c.extras(args[next:]); err != nil {
		return Command{}, err
	}
	return c, nil
}

// findDate finds where an unquoted title ends: at the first date that is
// followed by a time, so that "Mar del Plata exchange tue 3pm" keeps "Mar"
// (Tuesday in Spanish) in the title.
func findDate(args []arg) (int, error) {
	var bad error
	last := -1
	for i := range args {
		_, n, err := dateAt(args, i)
		if err != nil && bad == nil {
			bad = err
		}
		if n == 0 {
			continue
		}
		if i+n < len(args) && isClock(args[i+n].text) {
			return i, nil
		}
		last = i
	}
	switch {
	case bad != nil:
		return 0, bad
	case last >= 0:
		return last, nil // dateTime explains what is wrong with the time
	}
	return 0, usagef("I can't find the date. Write the title, then the date and time, like %s. %s", newForm, dateHint)
}

// dateTime reads `<date> <time> [<duration>]` from args[i:] into c and
// returns the index after them.
func (c *Command) dateTime(args []arg, i int, form string) (int, error) {
	date, n, err := dateAt(args, i)
	switch {
	case err != nil:
		return 0, err
	case i >= len(args):
		return 0, usagef("The date and time are missing. Write them like %s.", form)
	case n == 0 && isClock(args[i].text):
		return 0, usagef("The date goes before the time. Write them like %s.", form)
	case n == 0:
		return 0, usagef("%s is not a date. %s", echo(args[i].raw), dateHint)
	}
	c.Date = date
	i += n
	if i >= len(args) {
		return 0, usagef("The time is missing after %s. %s", echo(date), timeHint)
	}
	if _, _, err := parseClock(args[i].text); err != nil {
		return 0, err
	}
	c.Time = args[i].text
	i++
	if i < len(args) && startsWithDigit(args[i].text) {
		if c.Duration, err = ParseDuration(args[i].text); err != nil {
			return 0, err
		}
		i++
	}
	return i, nil
}

// extras reads what may follow the time of a new session, in any order.
func (c *Command) extras(args []arg) error {
	seen := map[string]bool{}
	for _, a := range args {
		s := a.text
		if a.quoted {
			// After the title, only an external speaker goes in quotes on its own.
			if !strings.ContainsAny(s, "<@") {
				return usagef("Unexpected %s: only the title goes in quotes on its own. Quote other values after their key, like `partner:\"FISDL El Salvador\"`.", echo(a.raw))
			}
			sp, err := parseExternal(s)
			if err != nil {
				return err
			}
			c.addSpeaker(sp)
			continue
		}
		if key, val, ok := a.key(); ok {
			if err := c.setKey(key, val, seen); err != nil {
				return err
			}
			continue
		}
		switch {
		case a.hasQuote:
			return usagef("I don't understand %s. After the date and time come a duration, @speakers, a #channel and keys, like %s.", echo(a.raw), newForm)
		case strings.HasPrefix(s, "<@") || strings.HasPrefix(s, "@"):
			sp, err := parseMention(s)
			if err != nil {
				return err
			}
			c.addSpeaker(sp)
		case strings.HasPrefix(s, "<#") || strings.HasPrefix(s, "#"):
			ch, err := parseChannel(s)
			if err != nil {
				return err
			}
			if c.Channel != "" && c.Channel != ch {
				return usagef("There are two channels, %s and %s. Give one, like `#general`.", echo(c.Channel), echo(s))
			}
			c.Channel = ch
		case strings.HasPrefix(s, "<!"):
			return usagef("%s mentions a group, not a person. Mention each speaker, like `@ana`.", echo(s))
		case hasPrefixFold(s, "<mailto:") || strings.Contains(s, "@"):
			return usagef("To add %s as a speaker, put a name and the address in quotes, like `\"Ana Pérez <ana@example.org>\"`.", echo(s))
		case hasPrefixFold(s, "<http"):
			return usagef("Put the link after `link:`, like `link:https://meet.example.org/abc`.")
		case startsWithDigit(s):
			if c.Duration != 0 {
				return usagef("There are two durations; %s is one too many. Give one, like `90m`.", echo(s))
			}
			d, err := ParseDuration(s)
			if err != nil {
				return err
			}
			c.Duration = d
		default:
			return usagef("I don't understand %s. After the date and time come a duration, @speakers, a #channel and keys, like %s.", echo(a.raw), newForm)
		}
	}
	return nil
}

var keyExamples = map[string]string{
	"tz":      "`tz:America/Santiago`",
	"kind":    "`kind:webinar`",
	"link":    "`link:https://meet.example.org/abc`",
	"partner": "`partner:\"FISDL El Salvador\"`",
	"lang":    "`lang:es`",
}

func (c *Command) setKey(key, val string, seen map[string]bool) error {
	example, known := keyExamples[key]
	switch {
	case key == "http" || key == "https":
		return usagef("Put the link after `link:`, like `link:https://meet.example.org/abc`.")
	case !known:
		return usagef("Unknown key %s. %s", echo(key+":"), keysHint)
	case seen[key] && key != "partner":
		return usagef("`%s:` is given twice. Give it once, like %s.", key, example)
	case strings.TrimSpace(val) == "":
		return usagef("`%s:` has no value. Write it like %s.", key, example)
	}
	seen[key] = true
	switch key {
	case "tz":
		v := strings.TrimSpace(val)
		// "Local" would mean the server's zone, which no caller means.
		if _, err := time.LoadLocation(v); err != nil || strings.EqualFold(v, "local") {
			return usagef("Unknown time zone %s. Use an IANA name, like `tz:America/Santiago` or `tz:UTC`.", echo(v))
		}
		c.TZ = v
	case "kind":
		v := strings.ToLower(strings.TrimSpace(val))
		if v != "webinar" && v != "exchange" && v != "workshop" {
			return usagef("Unknown kind %s. Use `kind:webinar`, `kind:exchange` or `kind:workshop`.", echo(val))
		}
		c.Kind = v
	case "link":
		link, err := parseLink(val)
		if err != nil {
			return err
		}
		c.Link = link
	case "partner":
		c.Partners = append(c.Partners, cleanText(val))
	case "lang":
		v := strings.ToLower(strings.TrimSpace(val))
		if v != "es" && v != "en" {
			return usagef("Unknown language %s. Use `lang:es` or `lang:en`.", echo(val))
		}
		c.Lang = v
	}
	return nil
}

func (c *Command) addSpeaker(sp store.Speaker) {
	for _, have := range c.Speakers {
		if have.Key() == sp.Key() {
			return
		}
	}
	c.Speakers = append(c.Speakers, sp)
}

// parseChoice reads what commands that take at most one word from a fixed
// set (list, feed) were given: "" or one of the choices.
func parseChoice(lx *lexer, name, forms string, choices ...string) (string, error) {
	args, err := lx.all()
	if err != nil || len(args) == 0 {
		return "", err
	}
	v := strings.ToLower(args[0].text)
	for _, ch := range choices {
		if v == ch && !args[0].hasQuote {
			return v, extraArgs(args, 1, forms)
		}
	}
	return "", usagef("`%s` does not take %s. Write %s.", name, echo(args[0].raw), forms)
}

func parseIDOnly(lx *lexer, name string) (int64, error) {
	args, err := lx.all()
	if err != nil {
		return 0, err
	}
	form := "`" + name + " 12`"
	id, err := idArg(args, 0, name, form)
	if err != nil {
		return 0, err
	}
	return id, extraArgs(args, 1, form)
}

func parseMove(lx *lexer) (Command, error) {
	const form = "`move 12 2026-12-03 15:00` or `move 12 tue 3pm 90m`"
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "move"}
	if c.ID, err = idArg(args, 0, "move", form); err != nil {
		return Command{}, err
	}
	next, err := c.dateTime(args, 1, form)
	if err != nil {
		return Command{}, err
	}
	return c, extraArgs(args, next, form)
}

func parseCancel(lx *lexer) (Command, error) {
	const form = "`cancel 12` or `cancel 12 the speaker is ill`"
	a, ok, err := lx.next()
	if err != nil {
		return Command{}, err
	}
	if !ok {
		return Command{}, usagef("`cancel` needs a session id. Write it like %s.", form)
	}
	c := Command{Name: "cancel"}
	if c.ID, err = parseID(a, form); err != nil {
		return Command{}, err
	}
	c.Reason = freeText(lx.rest())
	return c, nil
}

func parseSpeakers(lx *lexer) (Command, error) {
	const form = "`speakers 12 add @ana \"Ana Pérez <ana@example.org>\"` or `speakers 12 remove @ana`"
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "speakers"}
	if c.ID, err = idArg(args, 0, "speakers", form); err != nil {
		return Command{}, err
	}
	if len(args) < 2 {
		return Command{}, usagef("Say `add` or `remove` after the id, like %s.", form)
	}
	c.Action = strings.ToLower(args[1].text)
	if c.Action != "add" && c.Action != "remove" {
		return Command{}, usagef("%s is not `add` or `remove`. Write it like %s.", echo(args[1].raw), form)
	}
	if len(args) < 3 {
		return Command{}, usagef("Say who to %s, like %s.", c.Action, form)
	}
	for _, a := range args[2:] {
		var sp store.Speaker
		switch {
		case a.quoted:
			sp, err = parseExternal(a.text)
		case strings.HasPrefix(a.text, "<@") || strings.HasPrefix(a.text, "@"):
			sp, err = parseMention(a.text)
		default:
			err = usagef("%s is not a speaker. %s", echo(a.raw), personHint)
		}
		if err != nil {
			return Command{}, err
		}
		c.addSpeaker(sp)
	}
	return c, nil
}

func parseLessons(lx *lexer) (Command, error) {
	c := Command{Name: "lessons"}
	rest := lx.rest()
	if rest == "" {
		return c, nil
	}
	if n := strings.TrimPrefix(rest, "#"); n != "" && isDigits(n) {
		id, err := parseID(arg{text: rest, raw: rest}, "`lessons 12` or `lessons youth employment`")
		if err != nil {
			return Command{}, err
		}
		c.ID = id
		return c, nil
	}
	// Straight quotes are what a full-text search reads as a phrase.
	c.Words = curlyToStraight.Replace(cleanText(rest))
	return c, nil
}

var curlyToStraight = strings.NewReplacer("“", `"`, "”", `"`, "‘", "'", "’", "'")

func parseReport(lx *lexer) (Command, error) {
	const form = "`report 2026-01`, `report 2026-01-01 2026-03-31` or `report 3 dec`"
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "report"}
	i := 0
	for _, field := range []*string{&c.From, &c.To} {
		if i >= len(args) {
			break
		}
		s, n, err := periodAt(args, i)
		if err != nil {
			return Command{}, err
		}
		if n == 0 {
			return Command{}, usagef("%s is not a date or a month. Write %s.", echo(args[i].raw), form)
		}
		*field = s
		i += n
	}
	return c, extraArgs(args, i, form)
}

func idArg(args []arg, i int, name, form string) (int64, error) {
	if i >= len(args) {
		return 0, usagef("`%s` needs a session id. Write it like %s.", name, form)
	}
	return parseID(args[i], form)
}

// parseID reads a session id, written 12 or #12 as the bot shows it.
func parseID(a arg, form string) (int64, error) {
	s := strings.TrimPrefix(a.text, "#")
	if s == "" || !isDigits(s) {
		return 0, usagef("%s is not a session id. Use the number shown as `#12`, like %s.", echo(a.raw), form)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, usagef("%s is too large for a session id. Use the number shown as `#12`, like %s.", echo(a.raw), form)
	}
	if n == 0 {
		return 0, usagef("%s is not a session id: ids start at 1. Use the number shown as `#12`, like %s.", echo(a.raw), form)
	}
	return n, nil
}

func extraArgs(args []arg, i int, form string) error {
	if i >= len(args) {
		return nil
	}
	return usagef("Unexpected %s at the end. Write it like %s.", echo(args[i].raw), form)
}

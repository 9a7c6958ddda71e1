package bot

import (
	"github.com/exchangebot/exchangebot/i18n"
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

// Parse turns the slash command text into a Command. It is pure: no clock, no I/O
// (beyond time.LoadLocation reading the zone database for tz:).
// After a mistake in a known command the Command still carries its Name, so
// that callers can count mistakes per command.
func Parse(text string) (Command, error) {
	if !utf8.ValidString(text) {
		return Command{}, usage(msgUnreadable)
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
		c.Scope, err = parseChoice(lx, name, i18n.Msg(msgFormList), "mine", "past", "all")
	case "feed":
		c.Action, err = parseChoice(lx, name, i18n.Msg(msgFormFeed), "reset")
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
		return Command{}, usage(msgUnknownCommand, "Input", echo(first.raw))
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
		return Command{}, usage(msgTitleMissing)
	}
	if n := utf8.RuneCountInString(c.Title); n > MaxTitle {
		return Command{}, usage(msgTitleTooLong, "Count", n, "Max", MaxTitle)
	}
	next, err := c.dateTime(args, at, i18n.Msg(msgFormNew))
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
	return 0, usage(msgNoDate)
}

// dateTime reads `<date> <time> [<duration>]` from args[i:] into c and
// returns the index after them.
func (c *Command) dateTime(args []arg, i int, form any) (int, error) {
	date, n, err := dateAt(args, i)
	switch {
	case err != nil:
		return 0, err
	case i >= len(args):
		return 0, usage(msgDateTimeMissing, "Form", form)
	case n == 0 && isClock(args[i].text):
		return 0, usage(msgDateAfterTime, "Form", form)
	case n == 0:
		return 0, usage(msgNotADate, "Input", echo(args[i].raw))
	}
	c.Date = date
	i += n
	if i >= len(args) {
		return 0, usage(msgTimeMissing, "Date", echo(date))
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
				return usage(msgQuotedExtra, "Input", echo(a.raw))
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
			return usage(msgNotUnderstood, "Input", echo(a.raw))
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
				return usage(msgTwoChannels, "First", echo(c.Channel), "Second", echo(s))
			}
			c.Channel = ch
		case strings.HasPrefix(s, "<!"):
			return usage(msgGroupMention, "Input", echo(s))
		case hasPrefixFold(s, "<mailto:") || strings.Contains(s, "@"):
			return usage(msgEmailWithoutName, "Input", echo(s))
		case hasPrefixFold(s, "<http"):
			return usage(msgLinkWithoutKey)
		case startsWithDigit(s):
			if c.Duration != 0 {
				return usage(msgTwoDurations, "Input", echo(s))
			}
			d, err := ParseDuration(s)
			if err != nil {
				return err
			}
			c.Duration = d
		default:
			return usage(msgNotUnderstood, "Input", echo(a.raw))
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
		return usage(msgLinkWithoutKey)
	case !known:
		return usage(msgUnknownKey, "Input", echo(key+":"))
	case seen[key] && key != "partner":
		return usage(msgKeyTwice, "Key", key, "Example", example)
	case strings.TrimSpace(val) == "":
		return usage(msgKeyEmpty, "Key", key, "Example", example)
	}
	seen[key] = true
	switch key {
	case "tz":
		v := strings.TrimSpace(val)
		// "Local" would mean the server's zone, which no caller means.
		if _, err := time.LoadLocation(v); err != nil || strings.EqualFold(v, "local") {
			return usage(msgUnknownTZ, "Input", echo(v))
		}
		c.TZ = v
	case "kind":
		v := strings.ToLower(strings.TrimSpace(val))
		if v != "webinar" && v != "exchange" && v != "workshop" {
			return usage(msgUnknownKind, "Input", echo(val))
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
			return usage(msgUnknownLang, "Input", echo(val))
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
func parseChoice(lx *lexer, name string, forms any, choices ...string) (string, error) {
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
	return "", usage(msgBadChoice, "Command", name, "Input", echo(args[0].raw), "Form", forms)
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
	form := i18n.Msg(msgFormMove)
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
	form := i18n.Msg(msgFormCancel)
	a, ok, err := lx.next()
	if err != nil {
		return Command{}, err
	}
	if !ok {
		return Command{}, usage(msgIDMissing, "Command", "cancel", "Form", form)
	}
	c := Command{Name: "cancel"}
	if c.ID, err = parseID(a, form); err != nil {
		return Command{}, err
	}
	c.Reason = freeText(lx.rest())
	return c, nil
}

func parseSpeakers(lx *lexer) (Command, error) {
	form := i18n.Msg(msgFormSpeakers)
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "speakers"}
	if c.ID, err = idArg(args, 0, "speakers", form); err != nil {
		return Command{}, err
	}
	if len(args) < 2 {
		return Command{}, usage(msgSayAddRemove, "Form", form)
	}
	c.Action = strings.ToLower(args[1].text)
	if c.Action != "add" && c.Action != "remove" {
		return Command{}, usage(msgNotAddRemove, "Input", echo(args[1].raw), "Form", form)
	}
	if len(args) < 3 {
		if c.Action == "add" {
			return Command{}, usage(msgSayWhoToAdd, "Form", form)
		}
		return Command{}, usage(msgSayWhoToRemove, "Form", form)
	}
	for _, a := range args[2:] {
		var sp store.Speaker
		switch {
		case a.quoted:
			sp, err = parseExternal(a.text)
		case strings.HasPrefix(a.text, "<@") || strings.HasPrefix(a.text, "@"):
			sp, err = parseMention(a.text)
		default:
			err = usage(msgNotASpeaker, "Input", echo(a.raw))
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
		id, err := parseID(arg{text: rest, raw: rest}, i18n.Msg(msgFormLessons))
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
	form := i18n.Msg(msgFormReport)
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
			return Command{}, usage(msgNotDateOrMonth, "Input", echo(args[i].raw))
		}
		*field = s
		i += n
	}
	return c, extraArgs(args, i, form)
}

func idArg(args []arg, i int, name string, form any) (int64, error) {
	if i >= len(args) {
		return 0, usage(msgIDMissing, "Command", name, "Form", form)
	}
	return parseID(args[i], form)
}

// parseID reads a session id, written 12 or #12 as the bot shows it.
func parseID(a arg, form any) (int64, error) {
	s := strings.TrimPrefix(a.text, "#")
	if s == "" || !isDigits(s) {
		return 0, usage(msgNotAnID, "Input", echo(a.raw), "Form", form)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, usage(msgIDTooLarge, "Input", echo(a.raw), "Form", form)
	}
	if n == 0 {
		return 0, usage(msgIDZero, "Input", echo(a.raw), "Form", form)
	}
	return n, nil
}

func extraArgs(args []arg, i int, form any) error {
	if i >= len(args) {
		return nil
	}
	return usage(msgUnexpectedEnd, "Input", echo(args[i].raw), "Form", form)
}

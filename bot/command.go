package bot

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/exchangebot/exchangebot/store"
)

// MaxTitle is the longest session title, in characters.
const MaxTitle = 150

// maxDuration caps a session: anything longer is far more likely a typo
// (90h for 90m) than a real session.
const maxDuration = 24 * time.Hour

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

// periodAt reads a month (2026-01) or a date starting at args[i].
func periodAt(args []arg, i int) (string, int, error) {
	if a := args[i]; !a.hasQuote && looksLikeMonth(a.text) {
		if _, _, err := parseMonth(a.text); err != nil {
			return "", 0, err
		}
		return a.text, 1, nil
	}
	return dateAt(args, i)
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

// parseMention reads <@U123|ana>, <@U123> or a plain @U123ABC.
func parseMention(s string) (store.Speaker, error) {
	s = strings.TrimRight(s, ",;") // @ana, @bo
	// Errors are built only when needed: this runs on every mention.
	bad := func() error { return usagef("%s is not a Slack user I can read. %s", echo(s), personHint) }
	if strings.HasPrefix(s, "<@") {
		if len(s) < 3 || !strings.HasSuffix(s, ">") {
			return store.Speaker{}, bad()
		}
		inner := s[2 : len(s)-1]
		id, name, _ := strings.Cut(inner, "|")
		if strings.ContainsAny(inner, "<>") || !isUserID(id, false) {
			return store.Speaker{}, bad()
		}
		return store.Speaker{UserID: id, Name: cleanText(name)}, nil
	}
	if id := s[1:]; isUserID(id, true) {
		return store.Speaker{UserID: id}, nil
	}
	return store.Speaker{}, bad()
}

// isUserID reports whether s looks like a Slack user id (U024BE7LH, W0123ABC).
// A plain @word needs a digit too, so that @UNICEF is not taken for an id.
func isUserID(s string, plain bool) bool {
	if len(s) < 2 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	digit := false
	for i := 1; i < len(s); i++ {
		switch b := s[i]; {
		case b >= '0' && b <= '9':
			digit = true
		case b < 'A' || b > 'Z':
			return false
		}
	}
	return digit || !plain
}

// parseChannel reads <#C123|general>, <#C123> or a plain #general.
func parseChannel(s string) (string, error) {
	bad := func() error {
		return usagef("%s is not a channel. Pick it from Slack's autocomplete, like `#general`.", echo(s))
	}
	if strings.HasPrefix(s, "<#") {
		if len(s) < 3 || !strings.HasSuffix(s, ">") {
			return "", bad()
		}
		inner := s[2 : len(s)-1]
		id, _, _ := strings.Cut(inner, "|")
		if strings.ContainsAny(inner, "<>") || len(id) < 2 || (id[0] != 'C' && id[0] != 'G') || !isUpperAlnum(id) {
			return "", bad()
		}
		return id, nil
	}
	name := strings.ToLower(s[1:])
	if name == "" || utf8.RuneCountInString(name) > 80 {
		return "", bad()
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			return "", bad()
		}
	}
	return "#" + name, nil
}

// parseExternal reads "Name <email>" for a speaker without a Slack account.
func parseExternal(s string) (store.Speaker, error) {
	s = strings.TrimSpace(unescapeEntities.Replace(unlinkMailto(s)))
	const form = "`\"Ana Pérez <ana@example.org>\"`"
	open := strings.LastIndexByte(s, '<')
	if open < 0 || !strings.HasSuffix(s, ">") {
		return store.Speaker{}, usagef("%s is not a name and an email. Write someone without Slack like %s.", echo(s), form)
	}
	name := cleanText(s[:open])
	email := strings.ToLower(strings.TrimSpace(s[open+1 : len(s)-1]))
	if name == "" {
		return store.Speaker{}, usagef("The name is missing before %s. Write it like %s.", echo(email), form)
	}
	if !validEmail(email) {
		return store.Speaker{}, usagef("%s is not an email address. Write it like %s.", echo(email), form)
	}
	return store.Speaker{Name: name, Email: email}, nil
}

// unlinkMailto turns Slack's <mailto:a@b.org|a@b.org> back into the address.
func unlinkMailto(s string) string {
	for {
		i := strings.Index(s, "<mailto:")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return s
		}
		addr, _, _ := strings.Cut(s[i+len("<mailto:"):i+j], "|")
		s = s[:i] + addr + s[i+j+1:]
	}
}

// validEmail checks only the shape local@domain.tld: the mail server is
// the judge of the rest.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.ContainsAny(s, " \t\n<>\"(),;:[]\\") || strings.Contains(domain, "@") {
		return false
	}
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.HasPrefix(domain, ".") && !strings.Contains(domain, "..")
}

// parseLink reads an http(s) URL, plain or as Slack sends it: <https://x|x>.
func parseLink(v string) (string, error) {
	s := strings.TrimSpace(v)
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s, _, _ = strings.Cut(s[1:len(s)-1], "|")
	}
	s = unescapeEntities.Replace(s)
	bad := func() error {
		return usagef("%s is not a web link. Write it like `link:https://meet.example.org/abc`.", echo(v))
	}
	scheme, rest, ok := strings.Cut(s, "://")
	scheme = strings.ToLower(scheme)
	// <, > and | would end or relabel the link in Slack's <url|label>
	// syntax and could smuggle in a mention such as <!channel>.
	if !ok || (scheme != "http" && scheme != "https") || strings.IndexFunc(s, isSpaceOrControl) >= 0 || strings.ContainsAny(s, "<>|") {
		return "", bad()
	}
	s = scheme + "://" + rest
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", bad()
	}
	return s, nil
}

func isSpaceOrControl(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// ParseDuration reads "90m", "1h30m", "1.5h", "2h"; zero, negative or over 24h is a *UsageError.
// The result is rounded to the minute.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	const form = "Write it like `90m`, `1h30m` or `1.5h`."
	if strings.HasPrefix(t, "-") {
		return 0, usagef("A duration must be more than zero, and %s is negative. %s", echo(s), form)
	}
	// time.ParseDuration alone would also take 300ms or 2us.
	if t == "" || strings.Trim(t, "0123456789.hm") != "" || !strings.ContainsAny(t, "0123456789") {
		return 0, usagef("%s is not a duration. %s", echo(s), form)
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, usagef("%s is not a duration. %s", echo(s), form)
	}
	if d > maxDuration {
		return 0, usagef("%s is longer than 24h, the most a session can last. %s", echo(s), form)
	}
	if d = d.Round(time.Minute); d <= 0 {
		return 0, usagef("%s is less than a minute. %s", echo(s), form)
	}
	return d, nil
}

func isClock(s string) bool {
	_, _, err := parseClock(s)
	return err == nil
}

// parseClock reads 15:00, 9:05, 3pm, 3:30pm, 15h and 15h30.
func parseClock(s string) (hour, minute int, err error) {
	t := strings.ToLower(s)
	bad := func() error { return usagef("%s is not a time. %s", echo(s), timeHint) }
	var suffix string
	if strings.HasSuffix(t, "am") || strings.HasSuffix(t, "pm") {
		t, suffix = t[:len(t)-2], t[len(t)-2:]
	}
	hs, ms, sep := strings.Cut(t, ":")
	if !sep && suffix == "" {
		if hs, ms, sep = strings.Cut(t, "h"); !sep {
			return 0, 0, bad()
		}
		sep = ms != "" // 15h has no minutes
	}
	hour, ok := smallInt(hs, 1, 2)
	if !ok {
		return 0, 0, bad()
	}
	if sep {
		if minute, ok = smallInt(ms, 2, 2); !ok {
			return 0, 0, bad()
		}
		if minute > 59 {
			return 0, 0, usagef("%s is not a time: minutes go from 00 to 59. %s", echo(s), timeHint)
		}
	}
	switch {
	case suffix == "" && hour > 23:
		return 0, 0, usagef("%s is not a time: hours go from 0 to 23. %s", echo(s), timeHint)
	case suffix != "" && (hour < 1 || hour > 12):
		return 0, 0, usagef("%s is not a time: with am or pm the hour goes from 1 to 12. Write `13:00` or `1pm`.", echo(s))
	case suffix != "":
		hour %= 12
		if suffix == "pm" {
			hour += 12
		}
	}
	return hour, minute, nil
}

// A dateSpec is a date as the user wrote it, before a clock makes it a day.
type dateSpec struct {
	kind    int // one of the date* constants
	offset  int // dateRelative: days from today
	weekday time.Weekday
	year    int
	month   time.Month
	day     int
}

const (
	dateRelative = iota // today, tomorrow, yesterday
	dateWeekday         // tue, martes
	dateFixed           // 2026-12-03
	dateYearless        // 3 dec, dec 3
)

// errNotDate means the words are not a date at all (as opposed to a date
// that is wrong, like 32 dec): an unquoted title keeps going past them.
var errNotDate = errors.New("not a date")

var relativeDays = map[string]int{
	"today": 0, "hoy": 0,
	"tomorrow": 1, "manana": 1,
	"yesterday": -1, "ayer": -1,
}

var weekdayWords = map[string]time.Weekday{
	"mon": time.Monday, "monday": time.Monday, "lun": time.Monday, "lunes": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday, "mar": time.Tuesday, "martes": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday, "mie": time.Wednesday, "miercoles": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"jue": time.Thursday, "jueves": time.Thursday,
	"fri": time.Friday, "friday": time.Friday, "vie": time.Friday, "viernes": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday, "sab": time.Saturday, "sabado": time.Saturday,
	"sun": time.Sunday, "sunday": time.Sunday, "dom": time.Sunday, "domingo": time.Sunday,
}

var monthWords = map[string]time.Month{
	"jan": time.January, "january": time.January, "ene": time.January, "enero": time.January,
	"feb": time.February, "february": time.February, "febrero": time.February,
	"mar": time.March, "march": time.March, "marzo": time.March,
	"apr": time.April, "april": time.April, "abr": time.April, "abril": time.April,
	"may": time.May, "mayo": time.May,
	"jun": time.June, "june": time.June, "junio": time.June,
	"jul": time.July, "july": time.July, "julio": time.July,
	"aug": time.August, "august": time.August, "ago": time.August, "agosto": time.August,
	"sep": time.September, "sept": time.September, "set": time.September, "september": time.September,
	"septiembre": time.September, "setiembre": time.September,
	"oct": time.October, "october": time.October, "octubre": time.October,
	"nov": time.November, "november": time.November, "noviembre": time.November,
	"dec": time.December, "december": time.December, "dic": time.December, "diciembre": time.December,
}

// dateAt reads a date of one word (2026-12-03, tue) or two (3 dec, dec 3)
// starting at args[i]. n is 0 when there is none; err is set when the words
// look like a date but are wrong (32 dec).
func dateAt(args []arg, i int) (date string, n int, err error) {
	if i >= len(args) || args[i].hasQuote {
		return "", 0, nil
	}
	if i+1 < len(args) && !args[i+1].hasQuote {
		switch _, err := parseDayMonth(args[i].text, args[i+1].text); {
		case err == nil:
			return args[i].text + " " + args[i+1].text, 2, nil
		case err != errNotDate:
			return "", 0, err
		}
	}
	switch _, err := parseDate(args[i].text); {
	case err == nil:
		return args[i].text, 1, nil
	case err != errNotDate:
		return "", 0, err
	}
	return "", 0, nil
}

// parseDate reads one date as Parse returns it. It returns errNotDate or a *UsageError.
func parseDate(s string) (dateSpec, error) {
	f := strings.Fields(s)
	switch len(f) {
	case 1:
		return parseDateWord(f[0])
	case 2:
		return parseDayMonth(f[0], f[1])
	}
	return dateSpec{}, errNotDate
}

// parseDayMonth reads both orders: "3 dec" (Spanish, British) and "dec 3" (American).
func parseDayMonth(a, b string) (dateSpec, error) {
	if m, ok := monthWords[foldWord(b)]; ok {
		if d, ok := dayNumber(a); ok {
			return yearless(m, d, a+" "+b)
		}
	}
	if m, ok := monthWords[foldWord(a)]; ok {
		if d, ok := dayNumber(b); ok {
			return yearless(m, d, a+" "+b)
		}
	}
	return dateSpec{}, errNotDate
}

func parseDateWord(w string) (dateSpec, error) {
	f := foldWord(w)
	if off, ok := relativeDays[f]; ok {
		return dateSpec{kind: dateRelative, offset: off}, nil
	}
	if wd, ok := weekdayWords[f]; ok {
		return dateSpec{kind: dateWeekday, weekday: wd}, nil
	}
	ys, rest, _ := strings.Cut(w, "-")
	ms, ds, _ := strings.Cut(rest, "-")
	if ys != "" && ms != "" && ds != "" && isDigits(ys) && isDigits(ms) && isDigits(ds) {
		y, ok1 := smallInt(ys, 4, 4)
		m, ok2 := smallInt(ms, 1, 2)
		d, ok3 := smallInt(ds, 1, 2)
		if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
			return dateSpec{}, usagef("%s is not a date. %s", echo(w), dateHint)
		}
		return dateSpec{kind: dateFixed, year: y, month: time.Month(m), day: d}, nil
	}
	if strings.Contains(w, "/") && strings.Trim(w, "0123456789/") == "" {
		return dateSpec{}, usagef("%s could be read two ways (day/month or month/day). %s", echo(w), dateHint)
	}
	return dateSpec{}, errNotDate
}

func yearless(m time.Month, d int, written string) (dateSpec, error) {
	// 2024 is a leap year: 29 feb exists in some year, 30 feb in none.
	if d < 1 || d > daysIn(2024, m) {
		return dateSpec{}, usagef("%s is not a date. %s", echo(written), dateHint)
	}
	return dateSpec{kind: dateYearless, month: m, day: d}, nil
}

// dayNumber reads 3, 03 or 3rd; a number too large for a day is still a
// day number, so that 32 dec is reported as a wrong date.
func dayNumber(s string) (int, bool) {
	t := strings.ToLower(s)
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		if strings.HasSuffix(t, suffix) {
			t = t[:len(t)-len(suffix)]
			break
		}
	}
	return smallInt(t, 1, 4)
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func looksLikeMonth(s string) bool {
	y, m, ok := strings.Cut(s, "-")
	return ok && len(y) == 4 && isDigits(y) && m != "" && isDigits(m)
}

func parseMonth(s string) (int, time.Month, error) {
	y, ms, _ := strings.Cut(s, "-")
	year, ok1 := smallInt(y, 4, 4)
	m, ok2 := smallInt(ms, 1, 2)
	if !ok1 || !ok2 || m < 1 || m > 12 {
		return 0, 0, usagef("%s is not a month. Write it like `2026-01`.", echo(s))
	}
	return year, time.Month(m), nil
}

// When resolves a Date and Time string in loc, relative to now (both pure inputs).
// Weekday names mean the next such day after today; a date without a year
// means its next occurrence not in the past. A start before now is a *UsageError.
func When(date, clock string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	spec, err := parseDate(date)
	if err == errNotDate {
		return time.Time{}, usagef("%s is not a date. %s", echo(date), dateHint)
	}
	if err != nil {
		return time.Time{}, err
	}
	h, m, err := parseClock(clock)
	if err != nil {
		return time.Time{}, err
	}
	now = now.In(loc)
	y, mo, d := now.Date()
	at := func(y int, mo time.Month, d int) time.Time { return localTime(y, mo, d, h, m, loc) }
	var t time.Time
	switch spec.kind {
	case dateRelative:
		t = at(y, mo, d+spec.offset)
	case dateWeekday:
		ahead := (int(spec.weekday) - int(now.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		t = at(y, mo, d+ahead)
	case dateFixed:
		t = at(spec.year, spec.month, spec.day)
	case dateYearless:
		// Eight years always reach the next 29 feb.
		for year := y; year <= y+8; year++ {
			if spec.day <= daysIn(year, spec.month) {
				if t = at(year, spec.month, spec.day); !t.Before(now) {
					break
				}
			}
		}
	}
	if t.Before(now) {
		return time.Time{}, usagef("That time is in the past (%s). Pick a later date or time.", t.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	return t, nil
}

// ReportRange resolves report From/To (either may be empty) into [from, to) in loc.
// A month "2026-01" covers that month; a date covers that day; empty From = 30 days
// before now; empty To = now, or the end of From's month or day when only From is given.
// Date words look back, as reports are about the past: "tue" is the last Tuesday
// (today if it is one), "3 dec" the last 3 December.
func ReportRange(from, to string, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	now = now.In(loc)
	start, end := now.AddDate(0, 0, -30), now
	if from != "" {
		s, e, err := reportPeriod(from, now)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		start, end = s, e
	}
	if to != "" {
		_, e, err := reportPeriod(to, now)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		end = e
	}
	if !start.Before(end) {
		return time.Time{}, time.Time{}, usagef("The report would start (%s) after it ends (%s). Write the earlier date first, like `report 2026-01 2026-03`.",
			start.Format("2 Jan 2006"), end.Format("2 Jan 2006"))
	}
	return start, end, nil
}

// reportPeriod is the month or day s names, looking back from now.
func reportPeriod(s string, now time.Time) (time.Time, time.Time, error) {
	loc := now.Location()
	if looksLikeMonth(s) {
		y, m, err := parseMonth(s)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		return localTime(y, m, 1, 0, 0, loc), localTime(y, m+1, 1, 0, 0, loc), nil
	}
	spec, err := parseDate(s)
	if err == errNotDate {
		return time.Time{}, time.Time{}, usagef("%s is not a date or a month. Write it like `report 2026-01` or `report 2026-01-01 2026-03-31`.", echo(s))
	}
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	y, m, d := now.Date()
	switch spec.kind {
	case dateRelative:
		d += spec.offset
	case dateWeekday:
		d -= (int(now.Weekday()) - int(spec.weekday) + 7) % 7
	case dateFixed:
		y, m, d = spec.year, spec.month, spec.day
	case dateYearless:
		year := y
		for ; year > y-8; year-- {
			if spec.day <= daysIn(year, spec.month) && (year < y || spec.month < m || spec.month == m && spec.day <= d) {
				break
			}
		}
		y, m, d = year, spec.month, spec.day
	}
	return localTime(y, m, d, 0, 0, loc), localTime(y, m, d+1, 0, 0, loc), nil
}

// localTime is time.Date, except that a wall time inside a DST gap
// (Santiago skips from 00:00 to 01:00 one September night) moves past the
// gap, as calendar apps do; time.Date would put it before the gap, on the
// previous day.
func localTime(y int, mo time.Month, d, h, m int, loc *time.Location) time.Time {
	t := time.Date(y, mo, d, h, m, 0, 0, loc)
	if t.Hour() != h || t.Minute() != m {
		_, before := t.Zone()
		if _, after := t.Add(24 * time.Hour).Zone(); after > before {
			t = t.Add(time.Duration(after-before) * time.Second)
		}
	}
	return t
}

// The lexer splits command text into args. It is pulled one arg at a time
// so that free-text tails (a cancel reason, search words) can be taken as
// typed, apostrophes and all.
type lexer struct {
	s   string
	pos int
}

// An arg is one word of the command, or one quoted value.
type arg struct {
	text     string // quotes removed, backslash escapes applied
	raw      string // as typed
	quoted   bool   // the whole arg is one quoted value: a title, "Name <email>"
	hasQuote bool   // some part is quoted, so it is never a date, an id or a mention
	plain    int    // bytes of text before the first quoted part; a key ends within them
}

// key splits kind:webinar or partner:"Fondo X" into key and value.
func (a arg) key() (key, value string, ok bool) {
	i := strings.IndexByte(a.text[:a.plain], ':')
	if i <= 0 {
		return "", "", false
	}
	for _, r := range a.text[:i] {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return "", "", false
		}
	}
	return strings.ToLower(a.text[:i]), a.text[i+1:], true
}

func isDoubleQuote(r rune) bool { return r == '"' || r == '“' || r == '”' }
func isSingleQuote(r rune) bool { return r == '\'' || r == '‘' || r == '’' }
func isQuote(r rune) bool       { return isDoubleQuote(r) || isSingleQuote(r) }

func (lx *lexer) next() (arg, bool, error) {
	lx.skipSpace()
	if lx.pos >= len(lx.s) {
		return arg{}, false, nil
	}
	start := lx.pos
	if w, ok := lx.plainWord(); ok {
		return arg{text: w, raw: w, plain: len(w)}, true, nil
	}
	a := arg{plain: -1}
	var b strings.Builder
	if n := slackEscapeLen(lx.s[lx.pos:]); n > 0 {
		b.WriteString(lx.s[lx.pos : lx.pos+n])
		lx.pos += n
	}
	for lx.pos < len(lx.s) {
		r, n := utf8.DecodeRuneInString(lx.s[lx.pos:])
		if unicode.IsSpace(r) {
			break
		}
		if r == '\\' {
			if e, m := utf8.DecodeRuneInString(lx.s[lx.pos+1:]); isQuote(e) {
				b.WriteRune(e)
				lx.pos += 1 + m
				continue
			}
		}
		// A quote opens only at the start of a word or of a key's value:
		// elsewhere it is an apostrophe (Ana's, Ana’s).
		if isQuote(r) && (lx.pos == start || lx.s[lx.pos-1] == ':') {
			if !a.hasQuote {
				a.plain, a.hasQuote = b.Len(), true
			}
			atStart := lx.pos == start
			if err := lx.quotedValue(&b); err != nil {
				return arg{}, false, err
			}
			a.quoted = atStart && lx.atSpaceOrEnd()
			continue
		}
		b.WriteRune(r)
		lx.pos += n
	}
	a.text, a.raw = b.String(), lx.s[start:lx.pos]
	if a.plain < 0 {
		a.plain = len(a.text)
	}
	return a, true, nil
}

// plainWord reads a word without quotes, escapes or a leading <, which
// is its own text: most words are, and they need no copy.
func (lx *lexer) plainWord() (string, bool) {
	if lx.s[lx.pos] == '<' {
		return "", false
	}
	end := lx.pos
	for end < len(lx.s) {
		r, n := utf8.DecodeRuneInString(lx.s[end:])
		if unicode.IsSpace(r) {
			break
		}
		if isQuote(r) || r == '\\' {
			return "", false
		}
		end += n
	}
	w := lx.s[lx.pos:end]
	lx.pos = end
	return w, true
}

// quotedValue reads a quoted value starting at the opening quote into b.
func (lx *lexer) quotedValue(b *strings.Builder) error {
	from := lx.pos
	open, n := utf8.DecodeRuneInString(lx.s[lx.pos:])
	lx.pos += n
	for lx.pos < len(lx.s) {
		r, n := utf8.DecodeRuneInString(lx.s[lx.pos:])
		if r == '\\' {
			if e, m := utf8.DecodeRuneInString(lx.s[lx.pos+1:]); isQuote(e) || e == '\\' {
				b.WriteRune(e)
				lx.pos += 1 + m
				continue
			}
		}
		lx.pos += n
		// Slack clients mix straight and curly quotes, so any quote of the
		// same kind closes. A single quote doubles as an apostrophe
		// ('Ana's talk'), so it closes only before a space.
		if isDoubleQuote(open) && isDoubleQuote(r) || isSingleQuote(open) && isSingleQuote(r) && lx.atSpaceOrEnd() {
			return nil
		}
		b.WriteRune(r)
	}
	return usagef("The quote at %s is never closed. Close it, like %s, and write `\\\"` for a quote inside.", echo(lx.s[from:]), newForm)
}

func (lx *lexer) skipSpace() {
	for lx.pos < len(lx.s) {
		r, n := utf8.DecodeRuneInString(lx.s[lx.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		lx.pos += n
	}
}

func (lx *lexer) atSpaceOrEnd() bool {
	r, _ := utf8.DecodeRuneInString(lx.s[lx.pos:])
	return lx.pos >= len(lx.s) || unicode.IsSpace(r)
}

// rest returns the unread text as typed.
func (lx *lexer) rest() string {
	r := strings.TrimSpace(lx.s[lx.pos:])
	lx.pos = len(lx.s)
	return r
}

func (lx *lexer) all() ([]arg, error) {
	args := make([]arg, 0, 8)
	for {
		a, ok, err := lx.next()
		if err != nil || !ok {
			return args, err
		}
		args = append(args, a)
	}
}

// slackEscapeLen is the length of the Slack escape starting s
// (<@U1|ana maria>, <#C1|general>, <https://x|a label>), 0 if none.
// Its label may hold spaces, so it is read whole.
func slackEscapeLen(s string) int {
	if len(s) < 2 || s[0] != '<' {
		return 0
	}
	if s[1] != '@' && s[1] != '#' && s[1] != '!' && !hasPrefixFold(s[1:], "http") && !hasPrefixFold(s[1:], "mailto:") {
		return 0
	}
	end := strings.IndexAny(s[1:], "<>")
	if end < 0 || s[1+end] != '>' {
		return 0
	}
	return end + 2
}

// freeText is a cancel reason as typed, without the quotes if it is one quoted value.
func freeText(s string) string {
	sub := lexer{s: s}
	if a, ok, err := sub.next(); err == nil && ok && a.quoted && sub.rest() == "" {
		return cleanText(a.text)
	}
	return cleanText(s)
}

// Slack escapes &, < and > in command text.
var unescapeEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// cleanText decodes Slack's escapes and folds runs of spaces and newlines
// into one space.
func cleanText(s string) string {
	if strings.Contains(s, "&") {
		s = unescapeEntities.Replace(s)
	}
	if tidy(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// tidy reports whether s has no space to fold: single spaces between words.
func tidy(s string) bool {
	prev := ' '
	for _, r := range s {
		if unicode.IsSpace(r) && (r != ' ' || prev == ' ') {
			return false
		}
		prev = r
	}
	return prev != ' ' || s == ""
}

var accentFolder = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ñ", "n")

// foldWord makes date words comparable: lower case, no accents, no final dot (dec.).
func foldWord(s string) string {
	s = strings.ToLower(s)
	if !isASCII(s) {
		s = accentFolder.Replace(s)
	}
	return strings.TrimSuffix(s, ".")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// smallInt reads a number of min to max ASCII digits.
func smallInt(s string, min, max int) (int, bool) {
	if len(s) < min || len(s) > max || !isDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isUpperAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < 'A' || s[i] > 'Z') && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// echo quotes what the user typed for a message, cut short so a pasted
// essay does not come back whole.
func echo(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return `"` + s + `"`
}

package bot

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// The commands that describe a session in free order: new, edit and
// request, with their key:value arguments.

// The keys each command takes, and the message that lists them.
var (
	newKeys     = keySet{hint: msgKeysNew, names: []string{"tz", "kind", "link", "partner", "lang", "every", "until", "count"}}
	editKeys    = keySet{hint: msgKeysEdit, names: []string{"title", "description", "link", "kind", "lang"}}
	requestKeys = keySet{hint: msgKeysRequest, names: []string{"partner", "for"}}
)

type keySet struct {
	hint  string // message id: "Use `tz:`, `kind:`…"
	names []string
}

func (ks keySet) has(name string) bool {
	for _, n := range ks.names {
		if n == name {
			return true
		}
	}
	return false
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
	if err := checkTitle(c.Title); err != nil {
		return Command{}, err
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

func checkTitle(title string) error {
	if n := utf8.RuneCountInString(title); n > MaxTitle {
		return usage(msgTitleTooLong, "Count", n, "Max", MaxTitle)
	}
	return nil
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
		if isClock(args, i+n) {
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
	case n == 0 && isClock(args, i):
		return 0, usage(msgDateAfterTime, "Form", form)
	case n == 0:
		return 0, usage(msgNotADate, "Input", echo(args[i].raw))
	}
	c.Date = date
	i += n
	if i >= len(args) {
		return 0, usage(msgTimeMissing, "Date", echo(date))
	}
	clock, n, err := clockAt(args, i)
	switch {
	case err != nil:
		return 0, err
	case n == 0 && onlyClockPrefix(args[i:]):
		return 0, usage(msgTimeMissing, "Date", echo(date)) // mañana a las
	case n == 0:
		return 0, usage(msgNotATime, "Input", echo(args[i].raw))
	}
	c.Time = clock
	i += n
	if i < len(args) && startsWithDigit(args[i].text) {
		if c.Duration, n, err = durationAt(args, i); err != nil {
			return 0, err
		}
		i += n
	}
	return i, nil
}

// extras reads what may follow the time of a new session, in any order.
func (c *Command) extras(args []arg) error {
	seen := map[string]bool{}
	typed := map[string]string{} // key name -> as typed, for messages
	for i := 0; i < len(args); i++ {
		a := args[i]
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
			if err := c.setKey(newKeys, key, val, seen); err != nil {
				return err
			}
			name := keyWords[foldWord(key)]
			typed[name] = key
			if name == "until" {
				n, err := c.readUntil(a, args[i+1:])
				if err != nil {
					return err
				}
				i += n
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
			if err := c.setChannel(s); err != nil {
				return err
			}
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
			d, n, err := durationAt(args, i)
			if err != nil {
				return err
			}
			c.Duration = d
			i += n - 1
		default:
			return usage(msgNotUnderstood, "Input", echo(a.raw))
		}
	}
	return c.checkRepeat(typed)
}

func (c *Command) setChannel(s string) error {
	ch, err := parseChannel(s)
	if err != nil {
		return err
	}
	if c.Channel != "" && c.Channel != ch {
		return usage(msgTwoChannels, "First", echo(c.Channel), "Second", echo(s))
	}
	c.Channel = ch
	return nil
}

// setKey sets what key:val says, key being as typed in either language.
func (c *Command) setKey(ks keySet, key, val string, seen map[string]bool) error {
	name := keyWords[foldWord(key)]
	// The example shows the key as it was typed: `tipo:webinar`, with a
	// value in the same language where the languages differ: `cada:mes`.
	example := func() string {
		v, ok := typedKeyValues[foldWord(key)]
		if !ok {
			v = keyValues[name]
		}
		return "`" + key + ":" + v + "`"
	}
	switch {
	case key == "http" || key == "https":
		return usage(msgLinkWithoutKey)
	case !ks.has(name):
		return usage(msgUnknownKey, "Input", echo(key+":"), "Keys", i18n.Msg(ks.hint))
	case seen[name] && name != "partner":
		return usage(msgKeyTwice, "Key", key, "Example", example())
	case strings.TrimSpace(val) == "":
		return usage(msgKeyEmpty, "Key", key, "Example", example())
	}
	seen[name] = true
	switch name {
	case "tz":
		v := strings.TrimSpace(val)
		// "Local" would mean the server's zone, which no caller means.
		if _, err := time.LoadLocation(v); err != nil || strings.EqualFold(v, "local") {
			return usage(msgUnknownTZ, "Input", echo(v))
		}
		c.TZ = v
	case "kind":
		v, ok := kindWords[foldWord(strings.TrimSpace(val))]
		if !ok {
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
		v, ok := langWords[foldWord(strings.TrimSpace(val))]
		if !ok {
			return usage(msgUnknownLang, "Input", echo(val))
		}
		c.Lang = v
	case "title":
		c.Title = cleanText(val)
		return checkTitle(c.Title)
	case "description":
		c.Description = cleanText(val)
	case "every":
		return c.setEvery(val)
	case "count":
		return c.setCount(val)
	case "until":
		c.Until = strings.TrimSpace(val) // read with the words after it by readUntil
	case "for":
		v := strings.TrimSpace(val)
		if !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "<#") {
			return usage(msgNotAChannel, "Input", echo(v))
		}
		return c.setChannel(v)
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

// parseEdit reads `edit <id> key:value…`: what was said about a session,
// never its time, which is `move`'s.
func parseEdit(lx *lexer, typed string) (Command, error) {
	form := i18n.Msg(msgFormEdit)
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "edit"}
	if c.ID, err = idArg(args, 0, typed, form); err != nil {
		return Command{}, err
	}
	if len(args) < 2 {
		return Command{}, usage(msgEditNothing, "Form", form)
	}
	seen := map[string]bool{}
	for _, a := range args[1:] {
		key, val, ok := a.key()
		if !ok {
			return Command{}, usage(msgEditNotKey, "Input", echo(a.raw), "Form", form)
		}
		if err := c.setKey(editKeys, key, val, seen); err != nil {
			return Command{}, err
		}
	}
	return c, nil
}

// parseRequest reads `request "<topic>" [partner:"…"] [for:#channel]`;
// an unquoted topic is every word before the first key.
func parseRequest(lx *lexer) (Command, error) {
	form := i18n.Msg(msgFormRequest)
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "request"}
	at := 0
	if len(args) > 0 && args[0].quoted {
		c.Topic, at = cleanText(args[0].text), 1
	} else {
		for at < len(args) {
			if _, _, ok := args[at].key(); ok {
				break
			}
			at++
		}
		raws := make([]string, at)
		for i, a := range args[:at] {
			raws[i] = a.raw
		}
		c.Topic = cleanText(strings.Join(raws, " "))
	}
	if c.Topic == "" {
		return Command{}, usage(msgTopicMissing, "Form", form)
	}
	if n := utf8.RuneCountInString(c.Topic); n > MaxTitle {
		return Command{}, usage(msgTopicTooLong, "Count", n, "Max", MaxTitle)
	}
	seen := map[string]bool{}
	for _, a := range args[at:] {
		key, val, ok := a.key()
		if !ok {
			return Command{}, usage(msgUnexpectedEnd, "Input", echo(a.raw), "Form", form)
		}
		if err := c.setKey(requestKeys, key, val, seen); err != nil {
			return Command{}, err
		}
	}
	return c, nil
}

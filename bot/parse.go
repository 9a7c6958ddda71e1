package bot

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// MaxTitle is the longest session title, in characters: exchange's
// limit, checked while parsing so the reply can show the command.
const MaxTitle = exchange.MaxTitle

// Command is one parsed slash command.
type Command struct {
	Name        string          // "help", "new", "list", "show", "move", "cancel", "edit", "speakers", "join", "leave", "feed", "lessons", "report", "request", "requests", "plan", whichever language it was typed in
	ID          int64           // session id for show/move/cancel/edit/speakers/join/leave, lessons <id>; request id for plan
	Title       string          // new (quoted, or unquoted = every word before the date); edit title:
	Date        string          // new/move: the date as written, syntax already checked (may be several words, e.g. "3 de diciembre")
	Time        string          // new/move: the time as written, syntax already checked (may be several words, e.g. "a las 15:00")
	Duration    time.Duration   // new/move: 0 when not given
	Speakers    []store.Speaker // new: @mentions; speakers add/remove: @mentions or "Name <email>"
	Channel     string          // new, request for:: channel id from <#C123|name> or <#C123>, or "#name" when plain
	TZ          string          // tz: key, validated with time.LoadLocation
	Kind        string          // kind: webinar|exchange|workshop
	Link        string          // link: http(s) URL
	Partners    []string        // partner: repeatable, quotes allowed
	Lang        string          // lang: es|en
	Description string          // edit description:
	Topic       string          // request: what the session asked for should be about
	Scope       string          // list: ""|"mine"|"past"|"all"; requests: ""|"open"|"all"
	Page        int             // list page N: 1-based, 0 when not given
	Action      string          // speakers: "add"|"remove"; feed: ""|"reset"; requests: ""|"decline"|"merge"
	Reason      string          // cancel, requests decline: free text, may be empty
	Into        int64           // requests merge: the request the other joins
	Words       string          // lessons: the search words when not an id
	Every       string          // new every:/cada: exchange.EveryWeek, EveryTwoWeeks or EveryMonth; "" for one session
	Until       string          // new until:/hasta: the last day as written, syntax checked
	Count       int             // new count:/veces: 1 to exchange.MaxOccurrences; 0 when not given
	All         bool            // move/cancel: `all` after the id, this occurrence and the later ones; join/leave/lessons: the whole series
	From, To    string          // report: as written, syntax checked (2026-01, enero, 2026-01-15, 3 dic…)

	// Set by Resolve, not by Parse, which has no clock.
	Start   time.Time // new/move: when the session starts
	SayDate bool      // the date was a word (mañana, tue, 3 dic): the reply says the day it took
}

// Parse turns the slash command text into a Command. It is pure: no clock, no I/O
// (beyond time.LoadLocation reading the zone database for tz:).
// Subcommands, keys and words may be English or Spanish, whatever the
// reader's language. After a mistake in a known command the Command still
// carries its Name, so that callers can count mistakes per command.
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
	typed := word([]arg{first}, 0)
	name := commandWords[typed]
	if name == "" {
		if s := suggest(typed); s != "" {
			return Command{}, usage(msgDidYouMean, "Input", echo(first.raw), "Suggestion", s)
		}
		return Command{}, usage(msgUnknownCommand, "Input", echo(first.raw))
	}
	// Messages show the subcommand as it was typed, in its language.
	c := Command{Name: name}
	switch name {
	case "help":
		// Whatever follows help gets the same answer, so it is not an error.
	case "new":
		c, err = parseNew(lx)
	case "list":
		c, err = parseList(lx, typed)
	case "requests":
		c, err = parseRequests(lx, typed)
	case "feed":
		c.Action, err = parseChoice(lx, typed, i18n.Msg(msgFormFeed), feedActions)
	case "show":
		c.ID, err = parseIDOnly(lx, typed)
	case "join", "leave":
		c.ID, c.All, err = parseIDAll(lx, typed)
	case "plan":
		c, err = parsePlan(lx, typed)
	case "move":
		c, err = parseMove(lx, typed)
	case "cancel":
		c, err = parseCancel(lx, typed)
	case "edit":
		c, err = parseEdit(lx, typed)
	case "speakers":
		c, err = parseSpeakers(lx, typed)
	case "lessons":
		c, err = parseLessons(lx)
	case "report":
		c, err = parseReport(lx)
	case "request":
		c, err = parseRequest(lx)
	}
	if err != nil {
		return Command{Name: name}, err
	}
	return c, nil
}

// parseChoice reads what commands that take at most one word from a fixed
// set (list, feed, requests) were given: "" or the choice's name.
func parseChoice(lx *lexer, typed string, forms any, choices map[string]string) (string, error) {
	args, err := lx.all()
	if err != nil || len(args) == 0 {
		return "", err
	}
	if v, ok := choices[word(args, 0)]; ok {
		return v, extraArgs(args, 1, forms)
	}
	return "", usage(msgBadChoice, "Command", typed, "Input", echo(args[0].raw), "Form", forms)
}

// maxPage bounds `list page N`: far past any real list, short of overflow.
const maxPage = 100000

// parseList reads `list [mine|past|all] [page N]`.
func parseList(lx *lexer, typed string) (Command, error) {
	form := i18n.Msg(msgFormList)
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "list"}
	i := 0
	if v, ok := listScopes[word(args, 0)]; ok {
		c.Scope, i = v, 1
	}
	if i < len(args) && pageWords[word(args, i)] {
		if i+1 >= len(args) {
			return Command{}, usage(msgPageMissing, "Command", typed, "Input", echo(args[i].raw), "Form", form)
		}
		n, err := strconv.Atoi(args[i+1].text)
		if err != nil || n < 1 || n > maxPage || args[i+1].hasQuote {
			return Command{}, usage(msgBadPage, "Input", echo(args[i+1].raw), "Form", form)
		}
		c.Page, i = n, i+2
	}
	if i == 0 && len(args) > 0 {
		return Command{}, usage(msgBadChoice, "Command", typed, "Input", echo(args[0].raw), "Form", form)
	}
	return c, extraArgs(args, i, form)
}

func parseIDOnly(lx *lexer, typed string) (int64, error) {
	args, err := lx.all()
	if err != nil {
		return 0, err
	}
	form := "`" + typed + " 12`"
	id, err := idArg(args, 0, typed, form)
	if err != nil {
		return 0, err
	}
	return id, extraArgs(args, 1, form)
}

func parseMove(lx *lexer, typed string) (Command, error) {
	form := i18n.Msg(msgFormMove)
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "move"}
	if c.ID, err = idArg(args, 0, typed, form); err != nil {
		return Command{}, err
	}
	at := 1
	if isAll(args, 1) {
		c.All, at = true, 2
	}
	next, err := c.dateTime(args, at, form)
	if err != nil {
		return Command{}, err
	}
	if next == len(args)-1 && isAll(args, next) {
		return Command{}, usage(msgAllAfterID, "Form", i18n.Msg(msgFormMoveAll))
	}
	return c, extraArgs(args, next, form)
}

func parseCancel(lx *lexer, typed string) (Command, error) {
	form := i18n.Msg(msgFormCancel)
	a, ok, err := lx.next()
	if err != nil {
		return Command{}, err
	}
	if !ok {
		return Command{}, usage(msgIDMissing, "Command", typed, "Form", form)
	}
	c := Command{Name: "cancel"}
	if c.ID, err = parseID(a, form); err != nil {
		return Command{}, err
	}
	rest, all := cutAll(lx.rest())
	c.Reason, c.All = freeText(rest), all
	return c, nil
}

func parseSpeakers(lx *lexer, typed string) (Command, error) {
	form := i18n.Msg(msgFormSpeakers)
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "speakers"}
	if c.ID, err = idArg(args, 0, typed, form); err != nil {
		return Command{}, err
	}
	if len(args) < 2 {
		return Command{}, usage(msgSayAddRemove, "Form", form)
	}
	action, ok := speakerActions[word(args, 1)]
	if !ok {
		return Command{}, usage(msgNotAddRemove, "Input", echo(args[1].raw), "Form", form)
	}
	c.Action = action
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
	if id, tail, ok := strings.Cut(rest, " "); ok && strings.TrimPrefix(id, "#") != "" && isDigits(strings.TrimPrefix(id, "#")) {
		if tail, all := cutAll(tail); all && strings.TrimSpace(tail) == "" {
			rest, c.All = id, true // lessons 12 all: the series'
		}
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

func idArg(args []arg, i int, typed string, form any) (int64, error) {
	if i >= len(args) {
		return 0, usage(msgIDMissing, "Command", typed, "Form", form)
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

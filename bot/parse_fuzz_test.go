package bot

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
)

var knownCommands = map[string]bool{
	"help": true, "new": true, "list": true, "show": true, "move": true, "cancel": true,
	"speakers": true, "join": true, "leave": true, "feed": true, "lessons": true, "report": true,
	"edit": true, "request": true, "requests": true, "plan": true,
}

// fuzzNow is a fixed clock for the fuzzers: Saturday 28 November 2026, 13:00 UTC.
var fuzzNow = time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"help",
		"new",
		`new "Youth employment" 2026-12-03 15:00 90m <@U2|ana> <#C1|general> partner:"FISDL El Salvador"`,
		`new “Fondo \” X” mañana 15h30 tz:America/Santiago kind:webinar lang:es link:<https://x.org|x.org>`,
		"new Mar del Plata exchange martes 3pm 1.5h @U024BE7LH #general",
		`new 'Ana's talk' 3 dic 12am "Ana Pérez <ana@example.org>"`,
		"list mine",
		"show #12",
		"move 12 dec 3 9:05 2h",
		"cancel 12 the speaker is ill",
		`speakers 12 add <@U1|ana> “Bo <bo@x.org>”`,
		"feed reset",
		"lessons youth employment",
		"report 2026-01 2026-03-31",
		`new "T" tomorrow 15:00 partner:"unclosed`,
		`new "CoP" 2026-03-10 15:00 every:month until:30 jun count:6`,
		`nueva "CdP" martes 15h cada:2semanas hasta:el 30 de junio de 2026`,
		"mover 12 todas mañana a las 16:00",
		"cancel 12 all the agreement ended",
		"lecciones 12 todas",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse(text)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) error %v is not a *UsageError", text, err)
			}
			if !strings.Contains(ue.Error(), "`") {
				t.Fatalf("Parse(%q) error %q shows no example", text, ue.Error())
			}
			if es := ue.In(i18n.Spanish); ue.ID == "" || es == ue.ID || !strings.Contains(es, "`") {
				t.Fatalf("Parse(%q) error %q (id %q) has no Spanish wording: %q", text, ue.Error(), ue.ID, es)
			}
			if c.Name != "" && !knownCommands[c.Name] {
				t.Fatalf("Parse(%q) error came with unknown command %q", text, c.Name)
			}
			return
		}
		if !knownCommands[c.Name] {
			t.Fatalf("Parse(%q) = unknown command %q", text, c.Name)
		}
		if c.Name == "new" && (c.Title != "" || c.Date != "") {
			if c.Title == "" || utf8.RuneCountInString(c.Title) > MaxTitle || c.Date == "" || c.Time == "" {
				t.Fatalf("Parse(%q): one-line new with title %q, date %q, time %q", text, c.Title, c.Date, c.Time)
			}
		}
		if c.Duration < 0 || c.Duration > 24*time.Hour || c.Duration%time.Minute != 0 {
			t.Fatalf("Parse(%q): duration %v", text, c.Duration)
		}
		if c.Link != "" && !strings.HasPrefix(c.Link, "https://") && !strings.HasPrefix(c.Link, "http://") {
			t.Fatalf("Parse(%q): link %q", text, c.Link)
		}
		switch c.Name {
		case "show", "move", "cancel", "speakers", "join", "leave", "edit", "plan":
			if c.ID <= 0 {
				t.Fatalf("Parse(%q): id %d", text, c.ID)
			}
		}
		if c.Name == "edit" && c.Title == "" && c.Description == "" && c.Link == "" && c.Kind == "" && c.Lang == "" {
			t.Fatalf("Parse(%q): edit changes nothing", text)
		}
		if c.Name == "request" && (c.Topic == "" || utf8.RuneCountInString(c.Topic) > MaxTitle) {
			t.Fatalf("Parse(%q): request topic %q", text, c.Topic)
		}
		if c.Name == "speakers" && (len(c.Speakers) == 0 || (c.Action != "add" && c.Action != "remove")) {
			t.Fatalf("Parse(%q): speakers %v %v", text, c.Action, c.Speakers)
		}
		for _, sp := range c.Speakers {
			if (sp.UserID == "") == (sp.Email == "") {
				t.Fatalf("Parse(%q): speaker %+v is neither a Slack user nor an email", text, sp)
			}
		}
		if c.Every != "" && !slices.Contains(exchange.Everies, c.Every) || c.Count < 0 || c.Count > exchange.MaxOccurrences {
			t.Fatalf("Parse(%q): every %q count %d", text, c.Every, c.Count)
		}
		if (c.Until != "" || c.Count != 0) && (c.Every == "" || c.Name != "new") || c.Until != "" && c.Count != 0 {
			t.Fatalf("Parse(%q): until %q, count %d without every or together", text, c.Until, c.Count)
		}
		if c.Until != "" {
			// Parse checked the syntax, so reading the day may only object
			// to the calendar (31 feb), and a day it reads is a midnight.
			day, err := UntilDay(c.Until, fuzzNow, fuzzNow, time.UTC)
			var ue *UsageError
			if err != nil && !errors.As(err, &ue) {
				t.Fatalf("UntilDay(%q) after Parse(%q): %v", c.Until, text, err)
			}
			if err == nil && (day.Hour() != 0 || day.Minute() != 0) {
				t.Fatalf("UntilDay(%q) = %v, not a day", c.Until, day)
			}
		}
		switch c.Name {
		case "move", "cancel", "join", "leave", "lessons":
		default:
			if c.All {
				t.Fatalf("Parse(%q): all on %s", text, c.Name)
			}
		}
		if c.TZ != "" {
			if _, err := time.LoadLocation(c.TZ); err != nil {
				t.Fatalf("Parse(%q): tz %q: %v", text, c.TZ, err)
			}
		}
		if c.Date != "" {
			// Parse checked the syntax, so When may only object to the calendar.
			_, err := When(c.Date, c.Time, fuzzNow, time.UTC)
			var ue *UsageError
			if err != nil && !errors.As(err, &ue) {
				t.Fatalf("When(%q, %q) after Parse(%q): %v", c.Date, c.Time, text, err)
			}
		}
		if c.Name == "report" {
			_, _, err := ReportRange(c.From, c.To, fuzzNow, time.UTC)
			var ue *UsageError
			if err != nil && !errors.As(err, &ue) {
				t.Fatalf("ReportRange(%q, %q) after Parse(%q): %v", c.From, c.To, text, err)
			}
		}
	})
}

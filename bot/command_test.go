package bot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func user(id, name string) store.Speaker        { return store.Speaker{UserID: id, Name: name} }
func external(name, email string) store.Speaker { return store.Speaker{Name: name, Email: email} }

func TestParse(t *testing.T) {
	tests := []struct {
		text string
		want Command
	}{
		// help
		{"", Command{Name: "help"}},
		{"   \n ", Command{Name: "help"}},
		{"help", Command{Name: "help"}},
		{"HELP", Command{Name: "help"}},
		{"help new", Command{Name: "help"}},

		// new: the modal
		{"new", Command{Name: "new"}},
		{"  New  ", Command{Name: "new"}},

		// new: quoted titles
		{`new "Youth employment" 2026-12-03 15:00`,
			Command{Name: "new", Title: "Youth employment", Date: "2026-12-03", Time: "15:00"}},
		{`new "Youth employment" 2026-12-03 15:00 90m <@U2|ana> <#C1|general> partner:"FISDL El Salvador"`,
			Command{Name: "new", Title: "Youth employment", Date: "2026-12-03", Time: "15:00", Duration: 90 * time.Minute,
				Speakers: []store.Speaker{user("U2", "ana")}, Channel: "C1", Partners: []string{"FISDL El Salvador"}}},
		{`new “Youth employment” tomorrow 3pm`,
			Command{Name: "new", Title: "Youth employment", Date: "tomorrow", Time: "3pm"}},
		{`new ‘Youth employment’ tomorrow 3PM`,
			Command{Name: "new", Title: "Youth employment", Date: "tomorrow", Time: "3PM"}},
		{`new 'Ana's talk' tue 15h`,
			Command{Name: "new", Title: "Ana's talk", Date: "tue", Time: "15h"}},
		{`new ‘Ana’s talk’ tue 15h`,
			Command{Name: "new", Title: "Ana’s talk", Date: "tue", Time: "15h"}},
		{`new "The \"best\" practices" hoy 9:05`,
			Command{Name: "new", Title: `The "best" practices`, Date: "hoy", Time: "9:05"}},
		{`new “Fondo \” X” mañana 15h30`,
			Command{Name: "new", Title: "Fondo ” X", Date: "mañana", Time: "15h30"}},
		{`new "Mixed quotes” manana 15:00`,
			Command{Name: "new", Title: "Mixed quotes", Date: "manana", Time: "15:00"}},
		{`new "R&amp;D  and
  &lt;youth&gt;" today 23:59`,
			Command{Name: "new", Title: "R&D and <youth>", Date: "today", Time: "23:59"}},

		// new: unquoted titles end at the first date followed by a time
		{"new Youth employment 2026-12-03 15:00",
			Command{Name: "new", Title: "Youth employment", Date: "2026-12-03", Time: "15:00"}},
		{"new Mar del Plata exchange martes 15:00",
			Command{Name: "new", Title: "Mar del Plata exchange", Date: "martes", Time: "15:00"}},
		{"new Review 3 dic 15:00",
			Command{Name: "new", Title: "Review", Date: "3 dic", Time: "15:00"}},
		{"new Review Dec 3 3:30pm",
			Command{Name: "new", Title: "Review", Date: "Dec 3", Time: "3:30pm"}},
		{"new Review 3 December 12am",
			Command{Name: "new", Title: "Review", Date: "3 December", Time: "12am"}},
		{"new Review 3 diciembre 12pm",
			Command{Name: "new", Title: "Review", Date: "3 diciembre", Time: "12pm"}},
		{"new Review 3 sept 10:00",
			Command{Name: "new", Title: "Review", Date: "3 sept", Time: "10:00"}},
		{"new Review 3 set 10:00",
			Command{Name: "new", Title: "Review", Date: "3 set", Time: "10:00"}},
		{"new Friday review fri 5PM",
			Command{Name: "new", Title: "Friday review", Date: "fri", Time: "5PM"}},
		{"new Ana's talk mié 15:00",
			Command{Name: "new", Title: "Ana's talk", Date: "mié", Time: "15:00"}},
		{"new Talk miércoles 15:00",
			Command{Name: "new", Title: "Talk", Date: "miércoles", Time: "15:00"}},
		{"new Talk sáb 10am",
			Command{Name: "new", Title: "Talk", Date: "sáb", Time: "10am"}},
		{"new Talk SABADO 10am",
			Command{Name: "new", Title: "Talk", Date: "SABADO", Time: "10am"}},
		{"new Talk lun 8am 1h30m",
			Command{Name: "new", Title: "Talk", Date: "lun", Time: "8am", Duration: 90 * time.Minute}},
		{"new Talk jue 8am 1.5h",
			Command{Name: "new", Title: "Talk", Date: "jue", Time: "8am", Duration: 90 * time.Minute}},
		{"new Talk thursday 0:30",
			Command{Name: "new", Title: "Talk", Date: "thursday", Time: "0:30"}},
		{"new Talk dom 23:59 2h",
			Command{Name: "new", Title: "Talk", Date: "dom", Time: "23:59", Duration: 2 * time.Hour}},
		{"new Launch of \"Mi Barrio\" vie 9am",
			Command{Name: "new", Title: `Launch of "Mi Barrio"`, Date: "vie", Time: "9am"}},
		{"new Chat with <@U1|ana> sunday 11:00",
			Command{Name: "new", Title: "Chat with <@U1|ana>", Date: "sunday", Time: "11:00"}},
		{"new Budget 2026 dec 3 15:00",
			Command{Name: "new", Title: "Budget 2026", Date: "dec 3", Time: "15:00"}},
		{"new T Dec 3rd 15:00",
			Command{Name: "new", Title: "T", Date: "Dec 3rd", Time: "15:00"}},
		{"new T 3 Dec. 15:00",
			Command{Name: "new", Title: "T", Date: "3 Dec.", Time: "15:00"}},
		{"new T mar 10 10am", // March 10, not Tuesday
			Command{Name: "new", Title: "T", Date: "mar 10", Time: "10am"}},

		// new: mentions, channels and keys, in any order
		{`new "T" tomorrow 15:00 @U024BE7LH`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", Speakers: []store.Speaker{user("U024BE7LH", "")}}},
		{`new "T" tomorrow 15:00 <@U1> <@W2|bo>`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", Speakers: []store.Speaker{user("U1", ""), user("W2", "bo")}}},
		{`new "T" tomorrow 15:00 <@U2|ana maria> <@U2>`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", Speakers: []store.Speaker{user("U2", "ana maria")}}},
		{`new "T" tomorrow 15:00 <#C1>`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", Channel: "C1"}},
		{`new "T" tomorrow 15:00 #General`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", Channel: "#general"}},
		{`new "T" tomorrow 15:00 TZ:America/Santiago Kind:Webinar LANG:ES`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", TZ: "America/Santiago", Kind: "webinar", Lang: "es"}},
		{`new "T" tomorrow 15:00 lang:en partner:A partner:“Fondo X” kind:exchange 2h link:<https://meet.example.org/x|meet.example.org/x> <@U1|ana> #general`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", Lang: "en", Partners: []string{"A", "Fondo X"}, Kind: "exchange",
				Duration: 2 * time.Hour, Link: "https://meet.example.org/x", Speakers: []store.Speaker{user("U1", "ana")}, Channel: "#general"}},
		{`new "T" tomorrow 15:00 link:https://meet.example.org/abc kind:workshop tz:UTC`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", Link: "https://meet.example.org/abc", Kind: "workshop", TZ: "UTC"}},
		{`new "T" tomorrow 15:00 link:<HTTP://x.org/a?b=1&amp;c=2>`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", Link: "http://x.org/a?b=1&c=2"}},
		{`new "T" tomorrow 15:00 partner:'Fondo de Inversión' partner:"R&amp;D"`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", Partners: []string{"Fondo de Inversión", "R&D"}}},
		{`new "T" tomorrow 15:00 "Ana Pérez <ana@example.org>" <@U1>`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00",
				Speakers: []store.Speaker{external("Ana Pérez", "ana@example.org"), user("U1", "")}}},
		{`new "T" tomorrow 15:00 #general 45m`,
			Command{Name: "new", Title: "T", Date: "tomorrow", Time: "15:00", Channel: "#general", Duration: 45 * time.Minute}},

		// list
		{"list", Command{Name: "list"}},
		{"list mine", Command{Name: "list", Scope: "mine"}},
		{"LIST Past", Command{Name: "list", Scope: "past"}},
		{"list all", Command{Name: "list", Scope: "all"}},

		// show, join, leave
		{"show 12", Command{Name: "show", ID: 12}},
		{"show #12", Command{Name: "show", ID: 12}},
		{"join 3", Command{Name: "join", ID: 3}},
		{"leave #4", Command{Name: "leave", ID: 4}},
		{"show 9223372036854775807", Command{Name: "show", ID: 9223372036854775807}},

		// move
		{"move 12 2026-12-03 15:00", Command{Name: "move", ID: 12, Date: "2026-12-03", Time: "15:00"}},
		{"move #12 tue 3pm 90m", Command{Name: "move", ID: 12, Date: "tue", Time: "3pm", Duration: 90 * time.Minute}},
		{"move 12 3 dic 15h", Command{Name: "move", ID: 12, Date: "3 dic", Time: "15h"}},
		{"move 12 mar 9:30", Command{Name: "move", ID: 12, Date: "mar", Time: "9:30"}},

		// cancel
		{"cancel 12", Command{Name: "cancel", ID: 12}},
		{"cancel 12 the speaker is ill", Command{Name: "cancel", ID: 12, Reason: "the speaker is ill"}},
		{`cancel #12 "speaker's flight"`, Command{Name: "cancel", ID: 12, Reason: "speaker's flight"}},
		{"cancel 12 can't make it", Command{Name: "cancel", ID: 12, Reason: "can't make it"}},
		{"cancel 12 'cause of the rain", Command{Name: "cancel", ID: 12, Reason: "'cause of the rain"}},

		// speakers
		{"speakers 12 add <@U1|ana>, <@U2>", Command{Name: "speakers", ID: 12, Action: "add", Speakers: []store.Speaker{user("U1", "ana"), user("U2", "")}}},
		{"speakers 12 remove @U1ABC", Command{Name: "speakers", ID: 12, Action: "remove", Speakers: []store.Speaker{user("U1ABC", "")}}},
		{`speakers 12 add "Ana Pérez <ana@example.org>"`, Command{Name: "speakers", ID: 12, Action: "add",
			Speakers: []store.Speaker{external("Ana Pérez", "ana@example.org")}}},
		{`speakers 12 add “Ana Pérez &lt;<mailto:ana@example.org|ana@example.org>&gt;”`, Command{Name: "speakers", ID: 12, Action: "add",
			Speakers: []store.Speaker{external("Ana Pérez", "ana@example.org")}}},
		{`speakers #12 ADD "Ana <ANA@Example.org>" <@U1>`, Command{Name: "speakers", ID: 12, Action: "add",
			Speakers: []store.Speaker{external("Ana", "ana@example.org"), user("U1", "")}}},

		// feed
		{"feed", Command{Name: "feed"}},
		{"feed reset", Command{Name: "feed", Action: "reset"}},

		// lessons
		{"lessons", Command{Name: "lessons"}},
		{"lessons 12", Command{Name: "lessons", ID: 12}},
		{"lessons #12", Command{Name: "lessons", ID: 12}},
		{"lessons youth  employment", Command{Name: "lessons", Words: "youth employment"}},
		{"lessons “youth employment” chile", Command{Name: "lessons", Words: `"youth employment" chile`}},

		// report
		{"report", Command{Name: "report"}},
		{"report 2026-01", Command{Name: "report", From: "2026-01"}},
		{"report 2026-01-01 2026-03-31", Command{Name: "report", From: "2026-01-01", To: "2026-03-31"}},
		{"report 3 dec", Command{Name: "report", From: "3 dec"}},
		{"report 3 dic 10 dic", Command{Name: "report", From: "3 dic", To: "10 dic"}},
		{"report 2026-01 today", Command{Name: "report", From: "2026-01", To: "today"}},
		{"report ayer hoy", Command{Name: "report", From: "ayer", To: "hoy"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := Parse(tt.text)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.text, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
			}
		})
	}
	if len(tests) < 60 {
		t.Errorf("only %d valid cases", len(tests))
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		text string
		want string // part of the message
	}{
		{"foo", `Unknown command "foo"`},
		{`"new"`, `Unknown command ""new""`},
		{"\xff", "characters I can't read"},

		{`new "Youth employment`, "never closed"},
		{`new “Youth employment tomorrow 15:00`, "never closed"},
		{`new 'Youth employment tomorrow 15:00`, "never closed"},
		{`new "T"`, "The date and time are missing"},
		{`new "T" tomorrow`, `The time is missing after "tomorrow"`},
		{`new "T" 32 Dec 15:00`, `"32 Dec" is not a date. Write a date like ` + "`2026-12-03`"},
		{`new "T" 2026-02-31 15:00`, `"2026-02-31" is not a date`},
		{`new "T" 31 feb 15:00`, `"31 feb" is not a date`},
		{`new "T" 2026-13-01 15:00`, `"2026-13-01" is not a date`},
		{`new "T" 03/12 15:00`, "could be read two ways"},
		{`new "T" someday 15:00`, `"someday" is not a date`},
		{"new Talk about youth", "I can't find the date"},
		{"new Talk 32 dec 15:00", `"32 dec" is not a date`},
		{"new tomorrow 15:00", "The title is missing"},
		{`new "" tomorrow 15:00`, "The title is missing"},
		{`new "` + strings.Repeat("á", 151) + `" tomorrow 15:00`, "151 characters long; the limit is 150"},
		{"new " + strings.Repeat("x ", 76) + "tomorrow 15:00", "151 characters long"},
		{`new "T" tomorrow 24:00`, "hours go from 0 to 23"},
		{`new "T" tomorrow 25:00`, "hours go from 0 to 23"},
		{`new "T" tomorrow 15:60`, "minutes go from 00 to 59"},
		{`new "T" tomorrow 13pm`, "with am or pm the hour goes from 1 to 12"},
		{`new "T" tomorrow 3`, `"3" is not a time`},
		{"new Talk tomorrow 3 pm", `"3" is not a time`},
		{`new "T" tomorrow 9:5`, `"9:5" is not a time`},
		{`new "T" tomorrow 15:00 0m`, "less than a minute"},
		{`new "T" tomorrow 15:00 25h`, "longer than 24h"},
		{`new "T" tomorrow 15:00 90x`, `"90x" is not a duration`},
		{`new "T" tomorrow 15:00 90m 2h`, "two durations"},
		{`new "T" tomorrow 15:00 @ana`, `"@ana" is not a Slack user I can read. Pick the person from Slack's autocomplete`},
		{`new "T" tomorrow 15:00 @UNICEF`, `"@UNICEF" is not a Slack user`},
		{`new "T" tomorrow 15:00 <@ana>`, `"<@ana>" is not a Slack user`},
		{`new "T" tomorrow 15:00 #Gen.eral`, `"#Gen.eral" is not a channel`},
		{`new "T" tomorrow 15:00 <#general>`, `"<#general>" is not a channel`},
		{`new "T" tomorrow 15:00 #a #b`, "There are two channels"},
		{`new "T" tomorrow 15:00 color:red`, `Unknown key "color:". Use ` + "`tz:`"},
		{`new "T" tomorrow 15:00 tz:Mars/Olympus`, `Unknown time zone "Mars/Olympus"`},
		{`new "T" tomorrow 15:00 tz:Local`, `Unknown time zone "Local"`},
		{`new "T" tomorrow 15:00 kind:party`, `Unknown kind "party"`},
		{`new "T" tomorrow 15:00 lang:fr`, `Unknown language "fr"`},
		{`new "T" tomorrow 15:00 link:ftp://x.org`, `"ftp://x.org" is not a web link`},
		{`new "T" tomorrow 15:00 link:https://`, `"https://" is not a web link`},
		{`new "T" tomorrow 15:00 link:"https://x.org/a b"`, "is not a web link"},
		{`new "T" tomorrow 15:00 kind:`, "`kind:` has no value"},
		{`new "T" tomorrow 15:00 kind:webinar kind:workshop`, "`kind:` is given twice"},
		{`new "T" tomorrow 15:00 https://x.org`, "Put the link after `link:`"},
		{`new "T" tomorrow 15:00 <https://x.org|x.org>`, "Put the link after `link:`"},
		{`new "T" tomorrow 15:00 <!subteam^S1|@team>`, "mentions a group, not a person"},
		{`new "T" tomorrow 15:00 ana@example.org`, "put a name and the address in quotes"},
		{`new "T" tomorrow 15:00 "second title"`, "only the title goes in quotes"},
		{`new "T" tomorrow 15:00 banana`, `I don't understand "banana"`},
		{`new "T" tomorrow 15:00 "Ana <ana@x>"`, `"ana@x" is not an email address`},

		{"list later", "`list` does not take \"later\""},
		{"list mine now", `Unexpected "now" at the end`},
		{"show", "`show` needs a session id"},
		{"show abc", `"abc" is not a session id`},
		{"show 0", "ids start at 1"},
		{"show -3", `"-3" is not a session id`},
		{"show 99999999999999999999", "too large for a session id"},
		{"show 12 13", `Unexpected "13" at the end`},
		{"join", "`join` needs a session id"},
		{"leave #", `"#" is not a session id`},
		{"move 12", "The date and time are missing"},
		{"move 12 15:00 tomorrow", "The date goes before the time"},
		{"move 12 tomorrow", `The time is missing after "tomorrow"`},
		{"move 12 tomorrow 15:00 90m extra", `Unexpected "extra" at the end`},
		{"move x tomorrow 15:00", `"x" is not a session id`},
		{"move 12 tomorrow 15:00 0h", "less than a minute"},
		{"cancel", "`cancel` needs a session id"},
		{"cancel abc", `"abc" is not a session id`},
		{"speakers 12", "Say `add` or `remove`"},
		{"speakers 12 invite <@U1>", `"invite" is not ` + "`add`"},
		{"speakers 12 add", "Say who to add"},
		{"speakers 12 add @ana", `"@ana" is not a Slack user`},
		{"speakers 12 add Ana <ana@example.org>", `"Ana" is not a speaker`},
		{`speakers 12 add "Ana ana@example.org"`, "is not a name and an email"},
		{`speakers 12 add "<ana@example.org>"`, "The name is missing"},
		{`speakers 12 remove "Ana <ana@example>"`, `"ana@example" is not an email address`},
		{"feed now", "`feed` does not take \"now\""},
		{"feed reset now", `Unexpected "now" at the end`},
		{"lessons 0", "ids start at 1"},
		{"report someday", `"someday" is not a date or a month`},
		{"report 2026-13", `"2026-13" is not a month`},
		{"report 2026-01 2026-02 2026-03", `Unexpected "2026-03" at the end`},
		{"report 32 dec", `"32 dec" is not a date`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			c, err := Parse(tt.text)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) = %+v, %v; want a *UsageError", tt.text, c, err)
			}
			if !strings.Contains(ue.Msg, tt.want) {
				t.Errorf("Parse(%q) error\n %q\ndoes not contain\n %q", tt.text, ue.Msg, tt.want)
			}
			if name := strings.ToLower(strings.Fields(tt.text)[0]); knownCommands[name] && c.Name != name {
				t.Errorf("Parse(%q) error came with Name %q, want %q", tt.text, c.Name, name)
			}
			// Every message shows the right form as a `code` example.
			if !strings.Contains(ue.Msg, "`") {
				t.Errorf("Parse(%q) error %q shows no example", tt.text, ue.Msg)
			}
		})
	}
	if len(tests) < 45 {
		t.Errorf("only %d malformed cases", len(tests))
	}
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestWhen(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	// Saturday 28 November 2026, 10:00 in Santiago (-03).
	satSantiago := time.Date(2026, 11, 28, 10, 0, 0, 0, santiago)
	// Thursday 31 December 2026, 23:30 UTC.
	newYearsEve := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name        string
		date, clock string
		now         time.Time
		want        time.Time
	}{
		{"iso date", "2026-12-03", "15:00", satSantiago, time.Date(2026, 12, 3, 15, 0, 0, 0, santiago)},
		{"today later", "today", "15:00", satSantiago, time.Date(2026, 11, 28, 15, 0, 0, 0, santiago)},
		{"hoy", "hoy", "10:00", satSantiago, time.Date(2026, 11, 28, 10, 0, 0, 0, santiago)},
		{"tomorrow", "tomorrow", "3pm", satSantiago, time.Date(2026, 11, 29, 15, 0, 0, 0, santiago)},
		{"mañana", "Mañana", "12am", satSantiago, time.Date(2026, 11, 29, 0, 0, 0, 0, santiago)},
		{"same weekday is next week", "sat", "15:00", satSantiago, time.Date(2026, 12, 5, 15, 0, 0, 0, santiago)},
		{"sábado next week", "sábado", "9am", satSantiago, time.Date(2026, 12, 5, 9, 0, 0, 0, santiago)},
		{"sunday", "sun", "9am", satSantiago, time.Date(2026, 11, 29, 9, 0, 0, 0, santiago)},
		{"lunes", "lunes", "12pm", satSantiago, time.Date(2026, 11, 30, 12, 0, 0, 0, santiago)},
		{"friday", "Friday", "15h30", satSantiago, time.Date(2026, 12, 4, 15, 30, 0, 0, santiago)},
		{"3 dic this year", "3 dic", "15h", satSantiago, time.Date(2026, 12, 3, 15, 0, 0, 0, santiago)},
		{"dec 3", "Dec 3", "15:00", satSantiago, time.Date(2026, 12, 3, 15, 0, 0, 0, santiago)},
		{"today's date later today", "28 nov", "11:00", satSantiago, time.Date(2026, 11, 28, 11, 0, 0, 0, santiago)},
		{"today's date, time gone: next year", "28 nov", "9:00", satSantiago, time.Date(2027, 11, 28, 9, 0, 0, 0, santiago)},
		{"3 nov rolls to next year", "3 nov", "15:00", satSantiago, time.Date(2027, 11, 3, 15, 0, 0, 0, santiago)},
		{"29 feb waits for a leap year", "29 feb", "10:00", satSantiago, time.Date(2028, 2, 29, 10, 0, 0, 0, santiago)},

		{"utc tomorrow crosses the year", "tomorrow", "0:00", newYearsEve, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"utc 1 jan", "1 jan", "10:00", newYearsEve, time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"utc 1 enero", "1 enero", "10:00", newYearsEve, time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"utc 31 dec gone", "31 dec", "23:00", newYearsEve, time.Date(2027, 12, 31, 23, 0, 0, 0, time.UTC)},
		{"utc 31 dec still ahead", "31 dec", "23:45", newYearsEve, time.Date(2026, 12, 31, 23, 45, 0, 0, time.UTC)},
		{"utc fri", "fri", "10:00", newYearsEve, time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"utc thu is a week ahead", "thu", "23:45", newYearsEve, time.Date(2027, 1, 7, 23, 45, 0, 0, time.UTC)},

		// Santiago skips from 00:00 to 01:00 on 6 September 2026.
		{"dst gap moves forward", "2026-09-06", "00:30", time.Date(2026, 9, 1, 12, 0, 0, 0, santiago), time.Date(2026, 9, 6, 1, 30, 0, 0, santiago)},
		{"dst first day", "2026-09-06", "12:00", time.Date(2026, 9, 1, 12, 0, 0, 0, santiago), time.Date(2026, 9, 6, 12, 0, 0, 0, santiago)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := When(tt.date, tt.clock, tt.now, tt.now.Location())
			if err != nil {
				t.Fatalf("When(%q, %q): %v", tt.date, tt.clock, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("When(%q, %q) = %v, want %v", tt.date, tt.clock, got, tt.want)
			}
			if got.Location() != tt.now.Location() {
				t.Errorf("When(%q, %q) is in %v, want %v", tt.date, tt.clock, got.Location(), tt.now.Location())
			}
		})
	}
}

func TestWhenErrors(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, santiago)
	tests := []struct {
		date, clock string
		want        string
	}{
		{"2026-02-31", "15:00", `"2026-02-31" is not a date`},
		{"31 feb", "15:00", `"31 feb" is not a date`},
		{"30 Feb", "15:00", `"30 Feb" is not a date`},
		{"someday", "15:00", `"someday" is not a date`},
		{"", "15:00", `"" is not a date`},
		{"2025-12-03", "15:00", "That time is in the past (Wed 3 Dec 2025 15:00 -03). Pick a later date or time."},
		{"today", "9:59", "That time is in the past"},
		{"hoy", "9am", "That time is in the past"},
		{"yesterday", "15:00", "That time is in the past"},
		{"2026-12-03", "25:00", "hours go from 0 to 23"},
		{"2026-12-03", "24:00", "hours go from 0 to 23"},
		{"2026-12-03", "13pm", "with am or pm"},
		{"2026-12-03", "", `"" is not a time`},
	}
	for _, tt := range tests {
		t.Run(tt.date+" "+tt.clock, func(t *testing.T) {
			got, err := When(tt.date, tt.clock, now, santiago)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("When(%q, %q) = %v, %v; want a *UsageError", tt.date, tt.clock, got, err)
			}
			if !strings.Contains(ue.Msg, tt.want) {
				t.Errorf("When(%q, %q) error %q does not contain %q", tt.date, tt.clock, ue.Msg, tt.want)
			}
		})
	}
}

// Every quarter hour across Santiago's DST changes, in both directions,
// resolves without error to the asked day or, inside the gap, the hour after.
func TestWhenDSTEdges(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	for _, day := range []string{"2026-04-04", "2026-04-05", "2026-09-05", "2026-09-06"} {
		for q := 0; q < 24*4; q++ {
			clock := time.Date(2000, 1, 1, q/4, q%4*15, 0, 0, time.UTC).Format("15:04")
			now := time.Date(2026, 3, 1, 0, 0, 0, 0, santiago)
			got, err := When(day, clock, now, santiago)
			if err != nil {
				t.Fatalf("When(%q, %q): %v", day, clock, err)
			}
			if d := got.Format("2006-01-02"); d != day {
				t.Errorf("When(%q, %q) = %v, on another day", day, clock, got)
			}
		}
	}
}

func TestReportRange(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	// Sunday 15 February 2026, 10:00 in Santiago.
	now := time.Date(2026, 2, 15, 10, 0, 0, 0, santiago)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, santiago) }
	tests := []struct {
		from, to string
		start    time.Time
		end      time.Time
	}{
		{"", "", now.AddDate(0, 0, -30), now},
		{"2026-01", "", day(2026, 1, 1), day(2026, 2, 1)},
		{"2025-12", "", day(2025, 12, 1), day(2026, 1, 1)},
		{"2026-1", "", day(2026, 1, 1), day(2026, 2, 1)},
		{"2026-01-15", "", day(2026, 1, 15), day(2026, 1, 16)},
		{"2026-01", "2026-03", day(2026, 1, 1), day(2026, 4, 1)},
		{"2025-12-01", "2026-01-31", day(2025, 12, 1), day(2026, 2, 1)},
		{"2026-01", "today", day(2026, 1, 1), day(2026, 2, 16)},
		{"today", "", day(2026, 2, 15), day(2026, 2, 16)},
		{"ayer", "", day(2026, 2, 14), day(2026, 2, 15)},
		{"mon", "", day(2026, 2, 9), day(2026, 2, 10)},
		{"domingo", "", day(2026, 2, 15), day(2026, 2, 16)},
		{"3 dec", "", day(2025, 12, 3), day(2025, 12, 4)},
		{"3 dic", "10 dic", day(2025, 12, 3), day(2025, 12, 11)},
		{"15 feb", "", day(2026, 2, 15), day(2026, 2, 16)},
		{"16 feb", "", day(2025, 2, 16), day(2025, 2, 17)},
		{"29 feb", "", day(2024, 2, 29), day(2024, 3, 1)},
		{"", "2026-02", now.AddDate(0, 0, -30), day(2026, 3, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.from+"-"+tt.to, func(t *testing.T) {
			start, end, err := ReportRange(tt.from, tt.to, now, santiago)
			if err != nil {
				t.Fatalf("ReportRange(%q, %q): %v", tt.from, tt.to, err)
			}
			if !start.Equal(tt.start) || !end.Equal(tt.end) {
				t.Errorf("ReportRange(%q, %q) = [%v, %v), want [%v, %v)", tt.from, tt.to, start, end, tt.start, tt.end)
			}
		})
	}

	errTests := []struct{ from, to, want string }{
		{"2026-03", "2026-01", "The report would start (1 Mar 2026) after it ends (1 Feb 2026)"},
		{"2026-13", "", `"2026-13" is not a month`},
		{"someday", "", `"someday" is not a date or a month`},
		{"2026-02-30", "", `"2026-02-30" is not a date`},
		{"", "2025-01", "after it ends"},
	}
	for _, tt := range errTests {
		t.Run("error "+tt.from+"-"+tt.to, func(t *testing.T) {
			_, _, err := ReportRange(tt.from, tt.to, now, santiago)
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(ue.Msg, tt.want) {
				t.Errorf("ReportRange(%q, %q) error = %v, want a *UsageError containing %q", tt.from, tt.to, err, tt.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90m", 90 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"2h", 2 * time.Hour},
		{"24h", 24 * time.Hour},
		{" 45M ", 45 * time.Minute},
		{"0.5h", 30 * time.Minute},
		{"1h0m", time.Hour},
		{"1m", time.Minute},
		{"0.25h", 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}

	errTests := []struct{ in, want string }{
		{"", `"" is not a duration`},
		{"0m", "less than a minute"},
		{"0", "less than a minute"},
		{"10s", `"10s" is not a duration`},
		{"300ms", `"300ms" is not a duration`},
		{"-1h", "must be more than zero"},
		{"25h", "longer than 24h"},
		{"24h1m", "longer than 24h"},
		{"90", `"90" is not a duration`},
		{"1d", `"1d" is not a duration`},
		{"h", `"h" is not a duration`},
		{"1.5.5h", `"1.5.5h" is not a duration`},
		{"1h30", `"1h30" is not a duration`},
	}
	for _, tt := range errTests {
		t.Run("error "+tt.in, func(t *testing.T) {
			_, err := ParseDuration(tt.in)
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(ue.Msg, tt.want) || !strings.Contains(ue.Msg, "`90m`") {
				t.Errorf("ParseDuration(%q) error = %v, want a *UsageError containing %q and an example", tt.in, err, tt.want)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	const text = `new "Youth employment" 2026-12-03 15:00 90m <@U2|ana> <#C1|general> partner:"FISDL El Salvador"`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(text); err != nil {
			b.Fatal(err)
		}
	}
}

package bot

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

func user(id, name string) store.Speaker { return store.Speaker{UserID: id, Name: name} }

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
		{"new Talk tomorrow 3 pm",
			Command{Name: "new", Title: "Talk", Date: "tomorrow", Time: "3 pm"}},

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
		{`speakers 12 add "Jane Doe jane@example.org"`, Command{Name: "speakers", ID: 12, Action: "add",
			Speakers: []store.Speaker{external("Jane Doe", "jane@example.org")}}},
		{`speakers 12 add "Jane Doe <mailto:jane@example.org|jane@example.org>"`, Command{Name: "speakers", ID: 12, Action: "add",
			Speakers: []store.Speaker{external("Jane Doe", "jane@example.org")}}},
		// Slack sends a typed < as &lt; in a slash command's text.
		{`speakers 12 add "Jane Doe &lt;jane@example.org&gt;"`, Command{Name: "speakers", ID: 12, Action: "add",
			Speakers: []store.Speaker{external("Jane Doe", "jane@example.org")}}},
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
		{"new Talk tomorrow 3 oclock", `"3" is not a time`},
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
		{`speakers 12 add "Ana Pérez"`, "is not a name and an email"},
		{`speakers 12 add "ana@example.org"`, "The name is missing"},
		{`speakers 12 add "Ana ana@example"`, `"ana@example" is not an email address`},
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
			if !strings.Contains(ue.Error(), tt.want) {
				t.Errorf("Parse(%q) error\n %q\ndoes not contain\n %q", tt.text, ue.Error(), tt.want)
			}
			if name := strings.ToLower(strings.Fields(tt.text)[0]); knownCommands[name] && c.Name != name {
				t.Errorf("Parse(%q) error came with Name %q, want %q", tt.text, c.Name, name)
			}
			// Every message shows the right form as a `code` example.
			if !strings.Contains(ue.Error(), "`") {
				t.Errorf("Parse(%q) error %q shows no example", tt.text, ue.Error())
			}
			checkSpanish(t, tt.text, ue)
		})
	}
	if len(tests) < 45 {
		t.Errorf("only %d malformed cases", len(tests))
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

// checkSpanish checks that a grammar mistake is a catalog message worded
// in Spanish too: not the English text, with the same example in code and
// the same echo of what was typed.
func checkSpanish(t *testing.T, text string, ue *UsageError) {
	t.Helper()
	en, es := ue.In(i18n.English), ue.In(i18n.Spanish)
	if ue.ID == "" || es == "" || es == ue.ID || es == en {
		t.Errorf("Parse(%q) error %q (id %q) has no Spanish wording: %q", text, en, ue.ID, es)
	}
	if strings.Contains(en, "`") && !strings.Contains(es, "`") {
		t.Errorf("Parse(%q) Spanish error %q shows no example", text, es)
	}
	if in, ok := ue.Data["Input"].(string); ok && !strings.Contains(es, in) {
		t.Errorf("Parse(%q) Spanish error %q does not show what was typed, %s", text, es, in)
	}
	if got := i18n.Error(i18n.Spanish, fmt.Errorf("wrapped: %w", ue)); got != es {
		t.Errorf("i18n.Error(es) = %q, want %q", got, es)
	}
}

package bot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/i18n"
)

// seriesForms are every form of the series grammar, in English and in
// Spanish, as PRODUCT.md lists them and a few ways people write them.
var seriesForms = []struct {
	text string
	want Command
}{
	// every:, until:, count: in English.
	{`new "Community of practice" 2026-03-10 15:00 every:month`,
		Command{Name: "new", Title: "Community of practice", Date: "2026-03-10", Time: "15:00", Every: "month"}},
	{`new "CoP" 2026-03-10 15:00 every:week count:6`,
		Command{Name: "new", Title: "CoP", Date: "2026-03-10", Time: "15:00", Every: "week", Count: 6}},
	{`new "CoP" 2026-03-10 15:00 every:2w until:2026-06-30`,
		Command{Name: "new", Title: "CoP", Date: "2026-03-10", Time: "15:00", Every: "2w", Until: "2026-06-30"}},
	{`new "CoP" tue 3pm 90m every:monthly until:30 jun #general`,
		Command{Name: "new", Title: "CoP", Date: "tue", Time: "3pm", Duration: 90 * time.Minute, Every: "month", Until: "30 jun", Channel: "#general"}},
	{`new Webinar cycle tue 15:00 Every:Weekly COUNT:12 kind:webinar`,
		Command{Name: "new", Title: "Webinar cycle", Date: "tue", Time: "15:00", Every: "week", Count: 12, Kind: "webinar"}},
	{`new "CoP" 2026-03-10 15:00 until:"30 june 2026" every:fortnightly`,
		Command{Name: "new", Title: "CoP", Date: "2026-03-10", Time: "15:00", Every: "2w", Until: "30 june 2026"}},
	{`new "CoP" 2026-03-10 15:00 every:biweekly count:52`,
		Command{Name: "new", Title: "CoP", Date: "2026-03-10", Time: "15:00", Every: "2w", Count: 52}},
	{"move 12 all 2026-03-11 16:00", Command{Name: "move", ID: 12, All: true, Date: "2026-03-11", Time: "16:00"}},
	{"move #12 ALL wed 4pm 2h", Command{Name: "move", ID: 12, All: true, Date: "wed", Time: "4pm", Duration: 2 * time.Hour}},
	{"cancel 12 all", Command{Name: "cancel", ID: 12, All: true}},
	{"cancel 12 all the agreement ended", Command{Name: "cancel", ID: 12, All: true, Reason: "the agreement ended"}},
	{"cancel 12 allergies going round", Command{Name: "cancel", ID: 12, Reason: "allergies going round"}},
	{"join 12 all", Command{Name: "join", ID: 12, All: true}},
	{"leave #12 all", Command{Name: "leave", ID: 12, All: true}},
	{"lessons 12 all", Command{Name: "lessons", ID: 12, All: true}},
	{"lessons evaluation all", Command{Name: "lessons", Words: "evaluation all"}},
	// cada:, hasta:, veces: in Spanish.
	{`nueva "Comunidad de práctica" 2026-03-10 15:00 cada:mes`,
		Command{Name: "new", Title: "Comunidad de práctica", Date: "2026-03-10", Time: "15:00", Every: "month"}},
	{`nueva "CdP" mañana a las 15:00 cada:semana veces:6`,
		Command{Name: "new", Title: "CdP", Date: "mañana", Time: "a las 15:00", Every: "week", Count: 6}},
	{`nueva "CdP" martes 15h cada:2semanas hasta:30 de junio`,
		Command{Name: "new", Title: "CdP", Date: "martes", Time: "15h", Every: "2w", Until: "30 de junio"}},
	{`nueva "CdP" martes 15h cada:2semanas hasta:el 30 de junio de 2026 #general`,
		Command{Name: "new", Title: "CdP", Date: "martes", Time: "15h", Every: "2w", Until: "el 30 de junio de 2026", Channel: "#general"}},
	{`nueva "CdP" martes 15h cada:"2 semanas" hasta:"30 jun"`,
		Command{Name: "new", Title: "CdP", Date: "martes", Time: "15h", Every: "2w", Until: "30 jun"}},
	{`nueva Comunidad de práctica el 10 de marzo a las 15:00 90 minutos cada:mensual veces:12 socio:"FOSIS"`,
		Command{Name: "new", Title: "Comunidad de práctica", Date: "el 10 de marzo", Time: "a las 15:00", Duration: 90 * time.Minute,
			Every: "month", Count: 12, Partners: []string{"FOSIS"}}},
	{`nueva "CdP" hoy 18:00 Cada:Semanal Hasta:2026-12-15`,
		Command{Name: "new", Title: "CdP", Date: "hoy", Time: "18:00", Every: "week", Until: "2026-12-15"}},
	{"mover 12 todas mañana a las 16:00", Command{Name: "move", ID: 12, All: true, Date: "mañana", Time: "a las 16:00"}},
	{"mover #12 todos el 4 de diciembre 4 p. m.", Command{Name: "move", ID: 12, All: true, Date: "el 4 de diciembre", Time: "4 p. m."}},
	{"cancelar 12 todas", Command{Name: "cancel", ID: 12, All: true}},
	{"cancelar 12 todas terminó el convenio", Command{Name: "cancel", ID: 12, All: true, Reason: "terminó el convenio"}},
	{"unirme 12 todas", Command{Name: "join", ID: 12, All: true}},
	{"salir 12 todas", Command{Name: "leave", ID: 12, All: true}},
	{"lecciones #12 todas", Command{Name: "lessons", ID: 12, All: true}},
	// Without all, as before.
	{"move 12 tue 16:00", Command{Name: "move", ID: 12, Date: "tue", Time: "16:00"}},
	{"join 12", Command{Name: "join", ID: 12}},
}

func TestParseSeries(t *testing.T) {
	for _, tt := range seriesForms {
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
}

// seriesMistakes are wrong series commands: each gets its own message,
// in English and in Spanish, with what was typed and how to write it.
var seriesMistakes = []struct {
	text   string
	id     string
	en, es string
}{
	{`new "CoP" tue 15:00 every:day`, msgUnknownEvery,
		`"day" is not how often a series can repeat. Write ` + "`every:week`, `every:2w` or `every:month`.",
		`"day" no es una frecuencia para una serie. Escribe ` + "`cada:semana`, `cada:2semanas` o `cada:mes`."},
	{`nueva "CdP" martes 15:00 cada:año`, msgUnknownEvery, `"año" is not how often`, `"año" no es una frecuencia`},
	{`new "CoP" tue 15:00 every:month count:0`, msgCountZero,
		"`count:0` makes no sessions. Write how many, from 1 to 52", "`veces:0` no crea ninguna sesión. Escribe cuántas, de 1 a 52"},
	{`nueva "CdP" martes 15:00 cada:mes veces:0`, msgCountZero, "`count:0` makes no sessions", "`veces:0` no crea ninguna sesión"},
	{`new "CoP" tue 15:00 every:week count:53`, msgCountTooMany,
		`"53" is more sessions than a series may have, 52.`, `"53" son más sesiones de las que puede tener una serie, 52.`},
	{`new "CoP" tue 15:00 every:week count:99999999999999999999`, msgCountTooMany, "more sessions than", "más sesiones de las que"},
	{`new "CoP" tue 15:00 every:week count:six`, msgCountNotNumber,
		`"six" is not a number of sessions. Write how many, from 1 to 52, like ` + "`count:6`.",
		`"six" no es un número de sesiones. Escribe cuántas, de 1 a 52, como ` + "`veces:6`."},
	{`nueva "CdP" martes 15:00 cada:semana veces:-3`, msgCountNotNumber, `"-3" is not a number of sessions`, `"-3" no es un número de sesiones`},
	{`new "CoP" tue 15:00 every:week until:someday`, msgUntilNotDate,
		`"someday" is not a date for ` + "`until:`. Write the last day", `"someday" no es una fecha para ` + "`hasta:`. Escribe el último día"},
	{`nueva "CdP" martes 15:00 cada:semana hasta:"el verano"`, msgUntilNotDate, `"el verano" is not a date`, `"el verano" no es una fecha`},
	{`new "CoP" tue 15:00 every:week until:32 dec`, msgNotADate, `"32 dec" is not a date`, `"32 dec" no es una fecha`},
	{`new "CoP" tue 15:00 every:week until:2026-06-30 count:6`, msgUntilAndCount,
		"Give `until:` or `count:`, not both", "Da `hasta:` o `veces:`, no ambas"},
	{`nueva "CdP" martes 15:00 cada:semana veces:6 hasta:30 jun`, msgUntilAndCount, "not both", "no ambas"},
	{`new "CoP" tue 15:00 count:6`, msgRepeatWithoutEvery,
		"`count:` says when a series ends, but nothing says how often it repeats.",
		"`count:` dice cuándo termina una serie, pero nada dice cada cuánto se repite."},
	{`nueva "CdP" martes 15:00 hasta:30 jun`, msgRepeatWithoutEvery, "`hasta:` says when a series ends", "`hasta:` dice cuándo termina una serie"},
	{`new "CoP" tue 15:00 every:week every:month`, msgKeyTwice, "`every:` is given twice. Give it once, like `every:month`.",
		"`every:` aparece dos veces. Dalo una sola vez, como `every:month`."},
	{`nueva "CdP" martes 15:00 cada:semana cada:mes`, msgKeyTwice, "`cada:` is given twice. Give it once, like `cada:mes`.",
		"`cada:` aparece dos veces. Dalo una sola vez, como `cada:mes`."},
	{`new "CoP" tue 15:00 every:`, msgKeyEmpty, "`every:` has no value", "`every:` no tiene valor"},
	{`nueva "CdP" martes 15:00 cada:semana veces:`, msgKeyEmpty, "`veces:` has no value", "`veces:` no tiene valor"},
	{`edit 12 every:week`, msgUnknownKey, `Unknown key "every:"`, `No conozco la clave "every:"`},
	{"move 12 tue 16:00 all", msgAllAfterID, "`all` goes right after the id: `move 12 all tue 16:00`.",
		"`todas` va justo después del número: `mover 12 todas mar 16:00`."},
	{"mover 12 mañana 16:00 todas", msgAllAfterID, "`all` goes right after the id", "`todas` va justo después del número"},
	{"move 12 all", msgDateTimeMissing, "The date and time are missing", "Faltan la fecha y la hora"},
	{"move all 2026-03-11 16:00", msgNotAnID, `"all" is not a session id`, `"all" no es el número de una sesión`},
	{"cancel all", msgNotAnID, `"all" is not a session id`, `"all" no es el número de una sesión`},
	{"join 12 everything", msgUnexpectedEnd, `Unexpected "everything" at the end. Write it like ` + "`join 12` or `join 12 all`.",
		`No esperaba "everything" al final. Escríbelo como ` + "`join 12` o `join 12 todas`."},
	{"unirme 12 todas ya", msgUnexpectedEnd, `Unexpected "ya" at the end. Write it like ` + "`unirme 12` or `unirme 12 all`.",
		`No esperaba "ya" al final. Escríbelo como ` + "`unirme 12` o `unirme 12 todas`."},
	{"salir", msgIDMissing, "`salir` needs a session id. Write it like `salir 12` or `salir 12 all`.",
		"`salir` necesita el número de una sesión. Escríbelo como `salir 12` o `salir 12 todas`."},
}

func TestParseSeriesErrors(t *testing.T) {
	for _, tt := range seriesMistakes {
		t.Run(tt.text, func(t *testing.T) {
			c, err := Parse(tt.text)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) = %+v, %v; want a *UsageError", tt.text, c, err)
			}
			if ue.ID != tt.id {
				t.Errorf("Parse(%q) message %q, want %q", tt.text, ue.ID, tt.id)
			}
			if en := i18n.Error(i18n.English, err); !strings.Contains(en, tt.en) {
				t.Errorf("Parse(%q) in English\n %q\ndoes not contain\n %q", tt.text, en, tt.en)
			}
			if es := i18n.Error(i18n.Spanish, err); !strings.Contains(es, tt.es) {
				t.Errorf("Parse(%q) in Spanish\n %q\ndoes not contain\n %q", tt.text, es, tt.es)
			}
			checkSpanish(t, tt.text, ue)
		})
	}
}

// UntilDay reads until:'s date as a day: with its year as written; without
// one, the first such day from the start's on; a weekday, the first after
// the start's day; today or tomorrow from now.
func TestUntilDay(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, santiago)     // Monday
	start := time.Date(2026, 3, 10, 15, 0, 0, 0, santiago) // Tuesday
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, santiago) }
	for date, want := range map[string]time.Time{
		"2026-06-30":         day(2026, 6, 30),
		"30 jun":             day(2026, 6, 30),
		"30 de junio":        day(2026, 6, 30),
		"el 30 de junio":     day(2026, 6, 30),
		"10 mar":             day(2026, 3, 10), // the start's own day
		"9 mar":              day(2027, 3, 9),  // before the start: next year's
		"29 feb":             day(2028, 2, 29),
		"fri":                day(2026, 3, 13),
		"martes":             day(2026, 3, 17), // the start is a Tuesday: the next one
		"tomorrow":           day(2026, 3, 3),  // from now, before the start
		"pasado mañana":      day(2026, 3, 4),
		"2026-03-01":         day(2026, 3, 1), // before the start: exchange says so
		"3 de marzo de 2027": day(2027, 3, 3),
	} {
		got, err := UntilDay(date, start, now, santiago)
		if err != nil || !got.Equal(want) {
			t.Errorf("UntilDay(%q) = %v, %v; want %v", date, got, err, want)
		}
	}
	_, err := UntilDay("someday", start, now, santiago)
	if es := i18n.Error(i18n.Spanish, err); !strings.Contains(es, `"someday" no es una fecha para `+"`hasta:`") {
		t.Errorf("UntilDay(someday) = %q", es)
	}
}

package bot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// spanishForms are commands typed in Spanish (and the English forms that
// came with them: edit, request, requests, plan), as PRODUCT.md lists them.
var spanishForms = []struct {
	text string
	want Command
}{
	{"ayuda", Command{Name: "help"}},
	{"AYUDA nueva", Command{Name: "help"}},
	{"nueva", Command{Name: "new"}},
	{`nueva "Empleo juvenil" 2026-12-03 15:00`,
		Command{Name: "new", Title: "Empleo juvenil", Date: "2026-12-03", Time: "15:00"}},
	{"nueva Empleo juvenil mañana a las 15:00",
		Command{Name: "new", Title: "Empleo juvenil", Date: "mañana", Time: "a las 15:00"}},
	{"nueva Taller pasado mañana 15h",
		Command{Name: "new", Title: "Taller", Date: "pasado mañana", Time: "15h"}},
	{"nueva Taller el 3 de diciembre a las 15:00 90 min",
		Command{Name: "new", Title: "Taller", Date: "el 3 de diciembre", Time: "a las 15:00", Duration: 90 * time.Minute}},
	{"nueva Taller 3 de diciembre 3 p. m.",
		Command{Name: "new", Title: "Taller", Date: "3 de diciembre", Time: "3 p. m."}},
	{"nueva Taller 3 dic 15hrs 1 hora",
		Command{Name: "new", Title: "Taller", Date: "3 dic", Time: "15hrs", Duration: time.Hour}},
	{"nueva Taller martes 15.00 2 horas",
		Command{Name: "new", Title: "Taller", Date: "martes", Time: "15.00", Duration: 2 * time.Hour}},
	{"nueva Taller mié 15:00 hrs 1h 30m",
		Command{Name: "new", Title: "Taller", Date: "mié", Time: "15:00 hrs", Duration: 90 * time.Minute}},
	{"nueva Taller miercoles 3 pm 1.5h",
		Command{Name: "new", Title: "Taller", Date: "miercoles", Time: "3 pm", Duration: 90 * time.Minute}},
	{"nueva Taller dom 10 a. m.",
		Command{Name: "new", Title: "Taller", Date: "dom", Time: "10 a. m."}},
	{"nueva Taller jue 3p.m.",
		Command{Name: "new", Title: "Taller", Date: "jue", Time: "3p.m."}},
	{"nueva Taller lunes 15 hrs",
		Command{Name: "new", Title: "Taller", Date: "lunes", Time: "15 hrs"}},
	{`nueva "Foro" el martes 9:30 tipo:taller idioma:es socio:"FOSIS Chile" enlace:https://meet.example.org/x`,
		Command{Name: "new", Title: "Foro", Date: "el martes", Time: "9:30", Kind: "workshop", Lang: "es",
			Partners: []string{"FOSIS Chile"}, Link: "https://meet.example.org/x"}},
	{`nueva "Foro" hoy 18:00 Tipo:Intercambio idioma:Español`,
		Command{Name: "new", Title: "Foro", Date: "hoy", Time: "18:00", Kind: "exchange", Lang: "es"}},
	{`nueva "Foro" 3 de diciembre de 2026 10:00`,
		Command{Name: "new", Title: "Foro", Date: "3 de diciembre de 2026", Time: "10:00"}},
	{`nueva "Foro" 1º de mayo 10:00`,
		Command{Name: "new", Title: "Foro", Date: "1º de mayo", Time: "10:00"}},
	{"nueva Día del Trabajo 1 de mayo a las 10:00",
		Command{Name: "new", Title: "Día del Trabajo", Date: "1 de mayo", Time: "a las 10:00"}},
	{"nueva Reunión con el equipo el viernes a las 9:00",
		Command{Name: "new", Title: "Reunión con el equipo", Date: "el viernes", Time: "a las 9:00"}},
	{`nueva "Foro" sáb a la 1pm`,
		Command{Name: "new", Title: "Foro", Date: "sáb", Time: "a la 1pm"}},
	{`nueva "Foro" mañana 15:00 1 hora y 30 minutos`,
		Command{Name: "new", Title: "Foro", Date: "mañana", Time: "15:00", Duration: 90 * time.Minute}},
	{`nueva "Foro" mañana 15:00 #general 90 minutos @U024BE7LH`,
		Command{Name: "new", Title: "Foro", Date: "mañana", Time: "15:00", Duration: 90 * time.Minute,
			Channel: "#general", Speakers: []store.Speaker{user("U024BE7LH", "")}}},
	{"nuevo Taller MAÑANA 12 p.m.",
		Command{Name: "new", Title: "Taller", Date: "MAÑANA", Time: "12 p.m."}},
	{"lista", Command{Name: "list"}},
	{"lista mías", Command{Name: "list", Scope: "mine"}},
	{"lista mias", Command{Name: "list", Scope: "mine"}},
	{"lista pasadas", Command{Name: "list", Scope: "past"}},
	{"LISTA Todas", Command{Name: "list", Scope: "all"}},
	{"ver 12", Command{Name: "show", ID: 12}},
	{"ver #12", Command{Name: "show", ID: 12}},
	{"unirme 3", Command{Name: "join", ID: 3}},
	{"salir #4", Command{Name: "leave", ID: 4}},
	{"mover 12 mañana a las 16:00", Command{Name: "move", ID: 12, Date: "mañana", Time: "a las 16:00"}},
	{"mover #12 el 4 de diciembre 4 p. m. 2 horas",
		Command{Name: "move", ID: 12, Date: "el 4 de diciembre", Time: "4 p. m.", Duration: 2 * time.Hour}},
	{"cancelar 12 la ponente está enferma", Command{Name: "cancel", ID: 12, Reason: "la ponente está enferma"}},
	{"ponentes 12 agregar @U1ABC", Command{Name: "speakers", ID: 12, Action: "add", Speakers: []store.Speaker{user("U1ABC", "")}}},
	{`ponentes 12 añadir "Ana Pérez <ana@example.org>"`, Command{Name: "speakers", ID: 12, Action: "add",
		Speakers: []store.Speaker{external("Ana Pérez", "ana@example.org")}}},
	{"ponentes #12 quitar <@U1|ana>", Command{Name: "speakers", ID: 12, Action: "remove", Speakers: []store.Speaker{user("U1", "ana")}}},
	{"calendario", Command{Name: "feed"}},
	{"calendario nuevo", Command{Name: "feed", Action: "reset"}},
	{"lecciones 12", Command{Name: "lessons", ID: 12}},
	{"lecciones empleo juvenil", Command{Name: "lessons", Words: "empleo juvenil"}},
	{"informe", Command{Name: "report"}},
	{"informe enero", Command{Name: "report", From: "enero"}},
	{"informe ene 2026", Command{Name: "report", From: "ene 2026"}},
	{"informe enero de 2026 marzo de 2026", Command{Name: "report", From: "enero de 2026", To: "marzo de 2026"}},
	{"informe january", Command{Name: "report", From: "january"}},
	{"informe noviembre hoy", Command{Name: "report", From: "noviembre", To: "hoy"}},
	{"informe el 3 de diciembre", Command{Name: "report", From: "el 3 de diciembre"}},
	{"informe mar", Command{Name: "report", From: "mar"}},
	{`editar 12 título:"Nuevo título" enlace:https://meet.example.org/y`,
		Command{Name: "edit", ID: 12, Title: "Nuevo título", Link: "https://meet.example.org/y"}},
	{`editar #12 descripción:"Sobre  empleo" tipo:taller idioma:en`,
		Command{Name: "edit", ID: 12, Description: "Sobre empleo", Kind: "workshop", Lang: "en"}},
	{`edit 12 title:"New" description:"More"`, Command{Name: "edit", ID: 12, Title: "New", Description: "More"}},
	{`solicitar "Empleo juvenil rural" socio:"FOSIS" para:#general`,
		Command{Name: "request", Topic: "Empleo juvenil rural", Partners: []string{"FOSIS"}, Channel: "#general"}},
	{"solicitar Empleo juvenil rural", Command{Name: "request", Topic: "Empleo juvenil rural"}},
	{`request Youth jobs partner:A for:<#C1|general>`,
		Command{Name: "request", Topic: "Youth jobs", Partners: []string{"A"}, Channel: "C1"}},
	{"solicitudes", Command{Name: "requests"}},
	{"solicitudes abiertas", Command{Name: "requests", Scope: "open"}},
	{"solicitudes todas", Command{Name: "requests", Scope: "all"}},
	{"requests open", Command{Name: "requests", Scope: "open"}},
	{"planificar 3", Command{Name: "plan", ID: 3}},
	{"plan #3", Command{Name: "plan", ID: 3}},
}

func TestParseSpanish(t *testing.T) {
	for _, tt := range spanishForms {
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

// spanishMistakes are wrong commands typed the Spanish way; each gets its
// own message, worded in both languages.
var spanishMistakes = []struct {
	text   string
	en, es string // part of the message in each language
}{
	{"lsita", "Unknown command \"lsita\". Did you mean `lista`?", "No conozco el comando \"lsita\". ¿Quisiste decir `lista`?"},
	{"nueav", "Did you mean `nueva`?", "¿Quisiste decir `nueva`?"},
	{"shwo 12", "Did you mean `show`?", "¿Quisiste decir `show`?"},
	{"canclar 12", "Did you mean `cancelar`?", "¿Quisiste decir `cancelar`?"},
	{"infrome enero", "Did you mean `informe`?", "¿Quisiste decir `informe`?"},
	{"xyzzy", `Unknown command "xyzzy". Use one of ` + "`help`", `No conozco el comando "xyzzy". Usa uno de estos: ` + "`ayuda`"},
	{"\xff", "characters I can't read", "caracteres que no puedo leer"},
	{`nueva "Taller`, "never closed", "nunca se cierran"},
	{"nueva Taller sin fecha", "I can't find the date", "No encuentro la fecha"},
	{"nueva mañana a las 15:00", "The title is missing", "Falta el título"},
	{`nueva "` + strings.Repeat("ñ", 151) + `" mañana 15:00`, "151 characters long", "El título tiene 151 caracteres; el límite es 150"},
	{"nueva Taller 32 de diciembre 15:00", `"32 de diciembre" is not a date`, `"32 de diciembre" no es una fecha`},
	{`nueva "T" 31 de febrero 15:00`, `"31 de febrero" is not a date`, `"31 de febrero" no es una fecha`},
	{`nueva "T" 31 feb 2027 15:00`, `"31 feb 2027" is not a date`, `"31 feb 2027" no es una fecha`},
	{`nueva "T" 31/12 15:00`, "could be read two ways", "se puede leer de dos maneras"},
	{`nueva "T" algún día 15:00`, `"algún" is not a date`, `"algún" no es una fecha`},
	{`nueva "T" mañana`, `The time is missing after "mañana"`, `Falta la hora después de "mañana"`},
	{`nueva "T" mañana a las`, `The time is missing after "mañana"`, `Falta la hora después de "mañana"`},
	{`nueva "T" pasado mañana`, `The time is missing after "pasado mañana"`, `Falta la hora después de "pasado mañana"`},
	{`nueva "T" mañana a las 25:00`, `"25:00" is not a time: hours go from 0 to 23`, `"25:00" no es una hora: las horas van de 0 a 23`},
	{`nueva "T" mañana a las tres`, `"tres" is not a time`, `"tres" no es una hora`},
	{`nueva "T" mañana 13 p. m.`, `"13 p. m." is not a time: with am or pm`, `"13 p. m." no es una hora: con am o pm`},
	{`nueva "T" mañana 15:75 hrs`, `"15:75 hrs" is not a time: minutes go from 00 to 59`, `"15:75 hrs" no es una hora: los minutos van de 00 a 59`},
	{`nueva "T" mañana 15`, `"15" is not a time`, `"15" no es una hora`},
	{`nueva "T" mañana 15:00 90 minutos 2 horas`, `There are two durations; "2" is one too many`, `Hay dos duraciones; "2" sobra`},
	{`nueva "T" mañana 15:00 25 horas`, `"25 horas" is longer than 24h`, `"25 horas" dura más de 24h`},
	{`nueva "T" mañana 15:00 0 min`, `"0 min" is less than a minute`, `"0 min" es menos de un minuto`},
	{`nueva "T" mañana 15:00 90 días`, `"90" is not a duration`, `"90" no es una duración`},
	{`nueva "T" mañana 15:00 tipo:fiesta`, `Unknown kind "fiesta"`, "No conozco el tipo \"fiesta\". Usa `tipo:webinar`"},
	{`nueva "T" mañana 15:00 idioma:francés`, `Unknown language "francés"`, `No conozco el idioma "francés"`},
	{`nueva "T" mañana 15:00 color:rojo`, `Unknown key "color:". Use ` + "`tz:`", `No conozco la clave "color:". Usa ` + "`tz:`, `tipo:`"},
	{`nueva "T" mañana 15:00 título:"Otro"`, `Unknown key "título:"`, `No conozco la clave "título:"`},
	{`nueva "T" mañana 15:00 tipo:taller tipo:webinar`, "`tipo:` is given twice. Give it once, like `tipo:webinar`.",
		"`tipo:` aparece dos veces. Dalo una sola vez, como `tipo:webinar`."},
	{`nueva "T" mañana 15:00 enlace:`, "`enlace:` has no value", "`enlace:` no tiene valor"},
	{`nueva "T" mañana 15:00 enlace:ftp://x.org`, `"ftp://x.org" is not a web link`, `"ftp://x.org" no es un enlace web`},
	{`nueva "T" mañana 15:00 tz:Marte/Olimpo`, `Unknown time zone "Marte/Olimpo"`, `No conozco la zona horaria "Marte/Olimpo"`},
	{`nueva "T" mañana 15:00 "segundo título"`, "only the title goes in quotes", "solo el título va entre comillas"},
	{`nueva "T" mañana 15:00 #a #b`, "There are two channels", "Hay dos canales"},
	{`nueva "T" mañana 15:00 <!subteam^S1|@equipo>`, "mentions a group", "menciona a un grupo"},
	{`nueva "T" mañana 15:00 https://x.org`, "Put the link after `link:`", "Pon el enlace después de `enlace:`"},
	{`nueva "T" mañana 15:00 ponente`, `I don't understand "ponente"`, `No entiendo "ponente"`},
	{`nueva "T" mañana 15:00 @ana`, `"@ana" is not a Slack user`, `"@ana" no es un usuario de Slack`},
	{`nueva "T" mañana 15:00 ana@example.org`, "put a name and the address in quotes", "escribe un nombre y la dirección entre comillas"},
	{`nueva "T" mañana 15:00 "Ana <ana@x>"`, `"ana@x" is not an email address`, `"ana@x" no es una dirección de correo`},
	{"lista futuras", "`lista` does not take \"futuras\". Write `list`", "`lista` no admite \"futuras\". Escribe `lista`, `lista mías`"},
	{"lista mías ahora", `Unexpected "ahora" at the end`, `No esperaba "ahora" al final`},
	{"ver", "`ver` needs a session id. Write it like `ver 12`.", "`ver` necesita el número de una sesión. Escríbelo como `ver 12`."},
	{"ver doce", `"doce" is not a session id`, `"doce" no es el número de una sesión`},
	{"ver 99999999999999999999", "too large for a session id", "demasiado grande para ser el número de una sesión"},
	{"unirme 0", "ids start at 1", "los números empiezan en 1"},
	{"mover 12", "The date and time are missing. Write them like `move 12", "Faltan la fecha y la hora. Escríbelas como `mover 12"},
	{"mover 12 a las 15:00 mañana", "The date goes before the time", "La fecha va antes de la hora"},
	{"mover 12 mañana 15:00 extra", `Unexpected "extra" at the end`, `No esperaba "extra" al final`},
	{"cancelar", "`cancelar` needs a session id", "`cancelar` necesita el número de una sesión"},
	{"ponentes 12", "Say `add` or `remove`", "Di `agregar` o `quitar`"},
	{"ponentes 12 invitar @U1ABC", `"invitar" is not ` + "`add`", `"invitar" no es ` + "`agregar`"},
	{"ponentes 12 agregar", "Say who to add", "Di a quién agregar"},
	{"ponentes 12 quitar", "Say who to remove", "Di a quién quitar"},
	{"ponentes 12 agregar ana", `"ana" is not a speaker`, `"ana" no es un ponente`},
	{`ponentes 12 agregar "<ana@example.org>"`, "The name is missing", "Falta el nombre"},
	{`ponentes 12 agregar "Ana Pérez"`, "is not a name and an email", "no es un nombre con un correo"},
	{"calendario borrar", "`calendario` does not take \"borrar\"", "`calendario` no admite \"borrar\""},
	{"informe algún", `"algún" is not a date or a month`, `"algún" no es una fecha ni un mes`},
	{"informe 2026-13", `"2026-13" is not a month`, `"2026-13" no es un mes`},
	{"informe enero marzo abril", `Unexpected "abril" at the end`, `No esperaba "abril" al final`},
	{"editar", "`editar` needs a session id", "`editar` necesita el número de una sesión"},
	{"editar 12", "Say what to change after the id", "Di qué cambiar después del número"},
	{"editar 12 mañana", `I don't understand "mañana". Say what to change with keys`, `No entiendo "mañana". Di qué cambiar con claves`},
	{"editar 12 tz:UTC", `Unknown key "tz:". Use ` + "`title:`", `No conozco la clave "tz:". Usa ` + "`título:`"},
	{`editar 12 título:""`, "`título:` has no value", "`título:` no tiene valor"},
	{`editar 12 título:"` + strings.Repeat("a", 160) + `"`, "160 characters long", "160 caracteres"},
	{"solicitar", "Say what the session should be about", "Di de qué debería tratar la sesión"},
	{`solicitar "Tema" socio:"A" extra`, `Unexpected "extra" at the end`, `No esperaba "extra" al final`},
	{`solicitar "Tema" tipo:taller`, `Unknown key "tipo:". Use ` + "`partner:`", `No conozco la clave "tipo:". Usa ` + "`socio:`"},
	{`solicitar "Tema" para:general`, `"general" is not a channel`, `"general" no es un canal`},
	{`solicitar ` + strings.Repeat("x ", 80), "159 characters long", "El tema tiene 159 caracteres"},
	{"solicitudes cerradas", "`solicitudes` does not take \"cerradas\"", "`solicitudes` no admite \"cerradas\""},
	{"planificar", "`planificar` needs the number of a request", "`planificar` necesita el número de una solicitud"},
	{"planificar abc", `"abc" is not the number of a request`, `"abc" no es el número de una solicitud`},
}

func TestParseSpanishErrors(t *testing.T) {
	for _, tt := range spanishMistakes {
		t.Run(tt.text, func(t *testing.T) {
			c, err := Parse(tt.text)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) = %+v, %v; want a *UsageError", tt.text, c, err)
			}
			if en := i18n.Error(i18n.English, err); !strings.Contains(en, tt.en) {
				t.Errorf("Parse(%q) error in English\n %q\ndoes not contain\n %q", tt.text, en, tt.en)
			}
			if es := i18n.Error(i18n.Spanish, err); !strings.Contains(es, tt.es) {
				t.Errorf("Parse(%q) error in Spanish\n %q\ndoes not contain\n %q", tt.text, es, tt.es)
			}
			if f := strings.Fields(tt.text); len(f) > 0 {
				if name := commandWords[foldWord(f[0])]; name != "" && c.Name != name {
					t.Errorf("Parse(%q) error came with Name %q, want %q", tt.text, c.Name, name)
				}
			}
			checkSpanish(t, tt.text, ue)
		})
	}
}

// The grammar's Spanish forms number at least 60, as the issue asks, and
// every message of the grammar is met by some test above or in
// TestParseErrors.
func TestSpanishFormsCount(t *testing.T) {
	if n := len(spanishForms) + len(spanishMistakes); n < 60 {
		t.Errorf("%d Spanish forms, want at least 60", n)
	}
}

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{
		"lsit": "list", "lsita": "lista", "helo": "help", "ayda": "ayuda", "reprot": "report",
		"lesons": "lessons", "leciones": "lecciones", "unrime": "unirme", "mvoe": "move",
		"calendaro": "calendario", "planifcar": "planificar", "speakrs": "speakers",
		"foo": "", "xyzzy": "", "a": "", "": "", "banana": "",
	} {
		if got := suggest(in); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseControl(t *testing.T) {
	tests := []struct {
		text string
		want Control
		ok   bool
	}{
		{"skip", ControlSkip, true},
		{"saltar", ControlSkip, true},
		{"Omitir", ControlSkip, true},
		{"paso", ControlSkip, true},
		{"PASO.", ControlSkip, true},
		{"*skip*", ControlSkip, true},
		{"`skip`", ControlSkip, true},
		{" saltar! ", ControlSkip, true},
		{"stop", ControlStop, true},
		{"parar", ControlStop, true},
		{"¡Listo!", ControlStop, true},
		{"listo 👍", ControlStop, true},
		{"terminar", ControlStop, true},
		{"Stop.", ControlStop, true},
		{"paso a paso funcionó", "", false},
		{"listo para replicar", "", false},
		{"no", "", false},
		{"", "", false},
		{"   ", "", false},
		{"skipping", "", false},
		{"lista", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseControl(tt.text)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseControl(%q) = %q, %v; want %q, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestWhenSpanish(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	// Tuesday 8 December 2026, 10:00 in Santiago.
	now := time.Date(2026, 12, 8, 10, 0, 0, 0, santiago)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, santiago) }
	tests := []struct {
		date, clock string
		want        time.Time
	}{
		{"pasado mañana", "15:00", at(12, 10, 15, 0)},
		{"el 3 de enero", "a las 15:00", time.Date(2027, 1, 3, 15, 0, 0, 0, santiago)},
		{"3 de diciembre de 2027", "3 p. m.", time.Date(2027, 12, 3, 15, 0, 0, 0, santiago)},
		{"martes", "15:00", at(12, 15, 15, 0)}, // today is Tuesday: next week
		{"el martes", "9am", at(12, 15, 9, 0)},
		{"mié", "15.00", at(12, 9, 15, 0)},
		{"miércoles", "15:00 hrs", at(12, 9, 15, 0)},
		{"jueves", "15hrs", at(12, 10, 15, 0)},
		{"hoy", "12 a. m.", at(12, 8, 0, 0)}, // midnight today, gone: exchange refuses it
		{"mañana", "12 a. m.", at(12, 9, 0, 0)},
		{"mañana", "a la 1pm", at(12, 9, 13, 0)},
		{"dic 25", "10 hrs", at(12, 25, 10, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.date+" "+tt.clock, func(t *testing.T) {
			got, err := When(tt.date, tt.clock, now, santiago)
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("When(%q, %q) = %v, %v; want %v", tt.date, tt.clock, got, err, tt.want)
			}
		})
	}
}

// Resolve keeps the day it took, so that the reply can say it in words.
func TestResolveSaysTheDay(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	now := time.Date(2026, 12, 8, 10, 0, 0, 0, santiago) // a Tuesday
	tests := []struct {
		text    string
		say     bool
		en, es  string
		wantDay int
	}{
		{"nueva Taller martes 15:00", true, "Tuesday 15 December 2026", "martes 15 de diciembre de 2026", 15},
		{"new Talk tue 3pm", true, "Tuesday 15 December 2026", "martes 15 de diciembre de 2026", 15},
		{"nueva Taller mañana a las 9:00", true, "Wednesday 9 December 2026", "miércoles 9 de diciembre de 2026", 9},
		{"mover 12 3 de enero 9:00", true, "Sunday 3 January 2027", "domingo 3 de enero de 2027", 3},
		{"nueva Taller 2026-12-20 9:00", false, "Sunday 20 December 2026", "domingo 20 de diciembre de 2026", 20},
	}
	for _, tt := range tests {
		c, err := Parse(tt.text)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.text, err)
		}
		if err := c.Resolve(now, santiago); err != nil {
			t.Fatalf("Resolve(%q): %v", tt.text, err)
		}
		if c.SayDate != tt.say || c.Start.Day() != tt.wantDay {
			t.Errorf("%q: Start %v, SayDate %v; want day %d, %v", tt.text, c.Start, c.SayDate, tt.wantDay, tt.say)
		}
		if got := i18n.LongDate(c.Start).Word(i18n.English); got != tt.en {
			t.Errorf("%q in English: %q, want %q", tt.text, got, tt.en)
		}
		if got := i18n.LongDate(c.Start).Word(i18n.Spanish); got != tt.es {
			t.Errorf("%q in Spanish: %q, want %q", tt.text, got, tt.es)
		}
	}
	// A date gone by is read as written; exchange refuses to schedule it.
	c, _ := Parse("nueva Taller 2026-12-01 9:00")
	if err := c.Resolve(now, santiago); err != nil || !c.Start.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, santiago)) {
		t.Errorf("a past date resolved to %v, %v", c.Start, err)
	}
}

func TestReportRangeMonths(t *testing.T) {
	santiago := mustZone(t, "America/Santiago")
	// Sunday 15 February 2026, 10:00 in Santiago.
	now := time.Date(2026, 2, 15, 10, 0, 0, 0, santiago)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, santiago) }
	tests := []struct {
		from, to   string
		start, end time.Time
	}{
		{"enero", "", day(2026, 1, 1), day(2026, 2, 1)},
		{"january", "", day(2026, 1, 1), day(2026, 2, 1)},
		{"febrero", "", day(2026, 2, 1), day(2026, 3, 1)}, // this month
		{"marzo", "", day(2025, 3, 1), day(2025, 4, 1)},   // not yet this year: last year's
		{"mar", "", day(2025, 3, 1), day(2025, 4, 1)},     // March, not Tuesday
		{"noviembre", "", day(2025, 11, 1), day(2025, 12, 1)},
		{"ene 2025", "", day(2025, 1, 1), day(2025, 2, 1)},
		{"enero de 2025", "", day(2025, 1, 1), day(2025, 2, 1)},
		{"noviembre", "enero", day(2025, 11, 1), day(2026, 2, 1)},
		{"el 3 de diciembre", "", day(2025, 12, 3), day(2025, 12, 4)},
		{"3 de febrero de 2026", "hoy", day(2026, 2, 3), day(2026, 2, 16)},
		{"pasado mañana", "", day(2026, 2, 17), day(2026, 2, 18)},
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
	_, _, err := ReportRange("marzo de 2026", "enero de 2026", now, santiago)
	want := "El informe empezaría (1 mar 2026) después de terminar (1 feb 2026)"
	if got := i18n.Error(i18n.Spanish, err); !strings.Contains(got, want) {
		t.Errorf("reversed range in Spanish = %q, want %q", got, want)
	}
}

func TestParseDurationSpanish(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"90 min": 90 * time.Minute, "1h 30m": 90 * time.Minute, "1 hora": time.Hour, "2 horas": 2 * time.Hour,
		"1.5 horas": 90 * time.Minute, "1 hora y 30 minutos": 90 * time.Minute, "90 minutos": 90 * time.Minute,
		"2 hours": 2 * time.Hour, "45 mins": 45 * time.Minute, "1 h 15 min": 75 * time.Minute, "1 Hora 5 Minutos": 65 * time.Minute,
	} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string][2]string{
		"2 días":     {`"2" is not a duration`, `"2" no es una duración`},
		"1 hora y":   {`"1 hora y" is not a duration`, `"1 hora y" no es una duración`},
		"25 horas":   {`"25 horas" is longer than 24h`, `"25 horas" dura más de 24h`},
		"30m 1h":     {`"30m 1h" is not a duration`, `"30m 1h" no es una duración`},
		"-2 horas":   {"is negative", "es negativa"},
		"0 minutos":  {"less than a minute", "menos de un minuto"},
		"hora":       {`"hora" is not a duration`, `"hora" no es una duración`},
		"1 hora 2 h": {`"1 hora 2 h" is not a duration`, `"1 hora 2 h" no es una duración`},
	} {
		_, err := ParseDuration(in)
		if got := i18n.Error(i18n.English, err); !strings.Contains(got, want[0]) {
			t.Errorf("ParseDuration(%q) in English = %q, want %q", in, got, want[0])
		}
		if got := i18n.Error(i18n.Spanish, err); !strings.Contains(got, want[1]) {
			t.Errorf("ParseDuration(%q) in Spanish = %q, want %q", in, got, want[1])
		}
	}
}

func BenchmarkParseSpanish(b *testing.B) {
	const text = `nueva Empleo juvenil el 3 de diciembre a las 15:00 90 min <@U2|ana> <#C1|general> tipo:taller socio:"FISDL El Salvador"`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(text); err != nil {
			b.Fatal(err)
		}
	}
}

// A mistake costs its parse and its wording, which now happens when it is
// shown rather than when it is found.
func BenchmarkParseError(b *testing.B) {
	for _, lang := range []i18n.Lang{i18n.English, i18n.Spanish} {
		b.Run(string(lang), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, err := Parse(`new "Youth employment" tomorrow 25:00`)
				if i18n.Error(lang, err) == "" {
					b.Fatal("no message")
				}
			}
		})
	}
}

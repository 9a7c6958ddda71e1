package i18n

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		fallback Lang
		prefs    []string
		want     Lang
	}{
		{English, []string{"es-CL"}, Spanish},
		{English, []string{"es-419"}, Spanish},
		{English, []string{"es_419"}, Spanish},
		{English, []string{"es-LA"}, Spanish}, // Slack's Latin American Spanish
		{English, []string{"es-ES"}, Spanish},
		{English, []string{"ES"}, Spanish},
		{Spanish, []string{"en-US"}, English},
		{Spanish, []string{"en-GB"}, English},
		{Spanish, []string{"pt-BR"}, Spanish}, // unknown: the configured default
		{English, []string{"pt-BR"}, English},
		{Spanish, []string{"fr"}, Spanish},
		{Spanish, []string{""}, Spanish},
		{Spanish, nil, Spanish},
		{English, []string{"not a locale!"}, English},
		{English, []string{"", "es"}, Spanish},      // no locale: the session's lang
		{English, []string{"pt-BR", "es"}, Spanish}, // first language we have
		{English, []string{"es-CL", "en"}, Spanish}, // first wins
		{English, []string{"fr-CH, fr;q=0.9, es;q=0.8, en;q=0.7"}, Spanish},
		{Spanish, []string{"de;q=0.9, en-US;q=0.95"}, English},
		{Lang("fr"), []string{"pt"}, English}, // a default we do not hold
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.fallback, tt.prefs), func(t *testing.T) {
			if got := Match(tt.fallback, tt.prefs...); got != tt.want {
				t.Errorf("Match(%q, %q) = %q, want %q", tt.fallback, tt.prefs, got, tt.want)
			}
		})
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"es": Spanish, "EN": English, " es-CL ": Spanish, "en_US": English} {
		if got, ok := ParseLang(in); !ok || got != want {
			t.Errorf("ParseLang(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "fr", "pt-BR", "xx-!!", "webinar"} {
		if got, ok := ParseLang(in); ok {
			t.Errorf("ParseLang(%q) = %q, want not ok", in, got)
		}
	}
}

func TestDurationPlurals(t *testing.T) {
	tests := []struct {
		d      time.Duration
		en, es string
	}{
		{time.Minute, "1 minute", "1 minuto"},
		{45 * time.Minute, "45 minutes", "45 minutos"},
		{time.Hour, "1 hour", "1 hora"},
		{90 * time.Minute, "1 hour 30 minutes", "1 hora y 30 minutos"},
		{121 * time.Minute, "2 hours 1 minute", "2 horas y 1 minuto"},
		{1_000_000 * time.Hour, "1,000,000 hours", "1.000.000 de horas"}, // Spanish "many"
	}
	for _, tt := range tests {
		if got := Duration(tt.d).Word(English); got != tt.en {
			t.Errorf("Duration(%v) in English = %q, want %q", tt.d, got, tt.en)
		}
		if got := Duration(tt.d).Word(Spanish); got != tt.es {
			t.Errorf("Duration(%v) in Spanish = %q, want %q", tt.d, got, tt.es)
		}
	}
}

func TestDates(t *testing.T) {
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 8, 15, 0, 0, 0, santiago)
	tests := []struct {
		v      Value
		en, es string
	}{
		{Day(at), "8 Dec 2026", "8 dic 2026"},
		{DayTime(at), "Tue 8 Dec 2026 15:00 -03", "mar 8 dic 2026 15:00 -03"},
		{LongDate(at), "Tuesday 8 December 2026", "martes 8 de diciembre de 2026"},
		{LongDate(time.Date(2027, 9, 1, 0, 0, 0, 0, time.UTC)), "Wednesday 1 September 2027", "miércoles 1 de septiembre de 2027"},
	}
	for _, tt := range tests {
		if got := tt.v.Word(English); got != tt.en {
			t.Errorf("%T in English = %q, want %q", tt.v, got, tt.en)
		}
		if got := tt.v.Word(Spanish); got != tt.es {
			t.Errorf("%T in Spanish = %q, want %q", tt.v, got, tt.es)
		}
	}
}

// typedErr is how a package outside i18n makes an error a surface words.
type typedErr struct {
	id   string
	data map[string]any
}

func (e *typedErr) Error() string               { return T(English, e.id, e.data) }
func (e *typedErr) MessageID() string           { return e.id }
func (e *typedErr) MessageData() map[string]any { return e.data }

// noID is a Message whose words are not in the catalogs.
type noID struct{}

func (noID) Error() string               { return "plain words" }
func (noID) MessageID() string           { return "" }
func (noID) MessageData() map[string]any { return nil }

func TestError(t *testing.T) {
	at := time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC)
	err := fmt.Errorf("scheduling: %w", &typedErr{id: "date.long", data: map[string]any{
		"Weekday": "x", "Day": 8, "Month": Msg("month.march"), "Year": Day(at)}})
	if got, want := Error(Spanish, err), "x 8 de marzo de 8 dic 2026"; got != want {
		t.Errorf("Error(es) = %q, want %q (values worded in the same language)", got, want)
	}
	if got, want := For(English).Error(err), "x 8 March 8 Dec 2026"; got != want {
		t.Errorf("Error(en) = %q, want %q", got, want)
	}
	if got := Error(Spanish, errors.New("disk full")); got != "disk full" {
		t.Errorf("a plain error = %q, want its own text", got)
	}
	if got := Error(Spanish, noID{}); got != "plain words" {
		t.Errorf("a Message without an id = %q, want its own Error text", got)
	}
	if got := Error(Spanish, nil); got != "" {
		t.Errorf("nil error = %q", got)
	}
}

func TestTUnknown(t *testing.T) {
	if got := T(Spanish, "no.such_id", nil); got != "no.such_id" {
		t.Errorf("unknown id = %q, want the id", got)
	}
	if got := T(Lang("fr"), "month.may", nil); got != "May" {
		t.Errorf("unknown language = %q, want English", got)
	}
	if got := For(Spanish).T("month.may", nil); got != "mayo" {
		t.Errorf("Localizer.T = %q", got)
	}
}

// Requests are served concurrently: wording must be safe from many
// goroutines at once (go test -race).
func TestTConcurrent(t *testing.T) {
	done := make(chan string)
	for i := range 8 {
		go func() {
			lang := Langs[i%len(Langs)]
			var s string
			for range 50 {
				s = Duration(time.Duration(i+1) * 90 * time.Minute).Word(lang)
			}
			done <- s
		}()
	}
	for range 8 {
		if s := <-done; s == "" {
			t.Error("empty wording")
		}
	}
}

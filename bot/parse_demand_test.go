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

// The staff's decisions on requests and `plan`, in both languages.
func TestParseDemand(t *testing.T) {
	tests := []struct {
		text string
		want Command
	}{
		{"requests", Command{Name: "requests"}},
		{"requests all", Command{Name: "requests", Scope: "all"}},
		{"solicitudes abiertas", Command{Name: "requests", Scope: "open"}},
		{"requests decline 3", Command{Name: "requests", Action: "decline", ID: 3}},
		{"requests decline #3 we covered it in #12", Command{Name: "requests", Action: "decline", ID: 3, Reason: "we covered it in #12"}},
		{"solicitudes rechazar 3 ya lo vimos", Command{Name: "requests", Action: "decline", ID: 3, Reason: "ya lo vimos"}},
		{"SOLICITUDES Declinar 3", Command{Name: "requests", Action: "decline", ID: 3}},
		{"requests merge 3 5", Command{Name: "requests", Action: "merge", ID: 3, Into: 5}},
		{"requests merge #3 #5", Command{Name: "requests", Action: "merge", ID: 3, Into: 5}},
		{"solicitudes fusionar 3 5", Command{Name: "requests", Action: "merge", ID: 3, Into: 5}},
		{"solicitudes unir 3 5", Command{Name: "requests", Action: "merge", ID: 3, Into: 5}},
		{"plan 3", Command{Name: "plan", ID: 3}},
		{"planificar #3", Command{Name: "plan", ID: 3}},
		{"plan 3 2026-12-03 15:00", Command{Name: "plan", ID: 3, Date: "2026-12-03", Time: "15:00"}},
		{"planificar 3 mañana a las 15:00 90 min <@U2|ana> <#C9|sur> tipo:taller",
			Command{Name: "plan", ID: 3, Date: "mañana", Time: "a las 15:00", Duration: 90 * time.Minute,
				Speakers: []store.Speaker{{UserID: "U2", Name: "ana"}}, Channel: "C9", Kind: "workshop"}},
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
}

func TestParseDemandMistakes(t *testing.T) {
	tests := []struct{ text, en, es string }{
		{"requests decline", "`requests decline` needs the number of a request, like `requests decline 3", "`requests decline` necesita el número de una solicitud"},
		{"solicitudes rechazar", "`solicitudes rechazar` needs the number", "`solicitudes rechazar` necesita el número de una solicitud, por ejemplo `solicitudes rechazar 3"},
		{"requests decline abc", `"abc" is not the number of a request`, `"abc" no es el número de una solicitud`},
		{"requests merge 3", "Say which request it joins, like `requests merge 3 5`", "Di con qué solicitud se fusiona"},
		{"requests merge", "`requests merge` needs the number of a request", "`requests merge` necesita el número"},
		{"requests merge 3 x", `"x" is not the number of a request`, `"x" no es el número de una solicitud`},
		{"requests merge 3 5 7", `Unexpected "7" at the end`, `No esperaba "7" al final`},
		{"requests open now", `Unexpected "now" at the end`, `No esperaba "now" al final`},
		{"requests close 3", "`requests` does not take \"close\"", "`requests` no admite \"close\""},
		{"plan", "`plan` needs the number of a request", "`plan` necesita el número de una solicitud"},
		{"plan 0", "", ""},
		{"plan 3 someday", `"someday" is not a date`, `"someday" no es una fecha`},
		{"plan 3 2026-12-03", "time", "hora"},
		{"plan 3 2026-12-03 15:00 title:x", `Unknown key "title:"`, `No conozco la clave "title:"`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			c, err := Parse(tt.text)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) = %+v, %v; want a mistake", tt.text, c, err)
			}
			if en := i18n.Error(i18n.English, err); !strings.Contains(en, tt.en) {
				t.Errorf("English %q lacks %q", en, tt.en)
			}
			if es := i18n.Error(i18n.Spanish, err); !strings.Contains(es, tt.es) {
				t.Errorf("Spanish %q lacks %q", es, tt.es)
			}
		})
	}
}

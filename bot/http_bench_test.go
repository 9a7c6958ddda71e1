package bot

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// BenchmarkSignedNew is one signed `new` through the real HTTP handler:
// verify, parse, store the session and its outbox rows, word the reply
// from the catalogs, answer. Run it with BenchmarkBareSignedHandler to
// compare against the floor.
func BenchmarkSignedNew(b *testing.B) {
	e := newTestBot(b)
	e.slack.Zones["U1"] = "America/Santiago" // as Slack gives every real user
	benchSignedNew(b, e, "U1", `new "Youth employment" `+futureDate(10)+` 15:00 90m <@U2|ana> <#C1|general> partner:"FISDL El Salvador"`)
}

// BenchmarkSignedNewSpanish is the same for a person whose Slack locale
// is es-CL, typing in Spanish and answered in Spanish.
func BenchmarkSignedNewSpanish(b *testing.B) {
	e := newTestBot(b)
	e.slack.Zones["UES"] = "America/Santiago"
	e.slack.Locales["UES"] = "es-CL"
	benchSignedNew(b, e, "UES", `nueva "Empleo juvenil" `+futureDate(10)+` 15:00 90m <@U2|ana> <#C1|general> socio:"FISDL El Salvador"`)
}

func benchSignedNew(b *testing.B, e *testEnv, user, text string) {
	client := e.http.Client()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := slashForm(user, "C1", text, fmt.Sprintf("bench-%d", i))
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/slack/commands", strings.NewReader(body))
		req.Header = sign(body, time.Now(), testSecret)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%v %v", err, resp)
		}
		io.Copy(io.Discard, resp.Body) // drain, so the connection is reused
		resp.Body.Close()
	}
	b.StopTimer()
	if n := e.sessionCount(); n != b.N {
		b.Fatalf("%d sessions for %d commands", n, b.N)
	}
}

// BenchmarkBareSignedHandler is the floor: slack-go's signature check over
// the raw body and a fixed JSON answer, through the same HTTP stack.
func BenchmarkBareSignedHandler(b *testing.B) {
	bot := New(Options{Config: Config{SigningSecret: testSecret}})
	srv := httptest.NewServer(bot.serve(func(w http.ResponseWriter, r *http.Request, body []byte) error {
		return writeJSON(w, ephemeral(Reply{Text: "ok"}))
	}))
	defer srv.Close()
	client := srv.Client()
	date := futureDate(10)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := slashForm("U1", "C1", `new "Youth employment" `+date+` 15:00 90m <@U2|ana> <#C1|general> partner:"FISDL El Salvador"`, fmt.Sprintf("bench-%d", i))
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header = sign(body, time.Now(), testSecret)
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%v %v", err, resp)
		}
		io.Copy(io.Discard, resp.Body) // drain, so the connection is reused
		resp.Body.Close()
	}
}

// BenchmarkScheduledReply is the part of BenchmarkSignedNew the catalogs
// are in: wording the reply to `new` (a message with a worded date and a
// nested message) for a reader of each language.
func BenchmarkScheduledReply(b *testing.B) {
	bt := New(Options{Config: testConfig()})
	s := &store.Session{ID: 12, Title: "Youth employment", Start: time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC),
		Duration: 90 * time.Minute, TZ: "America/Santiago", Channel: "C1"}
	for _, lang := range i18n.Langs {
		b.Run(string(lang), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				bt.scheduledReply(lang, s)
			}
		})
	}
}

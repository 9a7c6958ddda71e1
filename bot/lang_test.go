package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/i18n/i18ntest"
	"github.com/exchangebot/exchangebot/internal/slackfake"
)

// bilingual is the test configuration with the lesson questions in both
// languages, as many and in the same order.
func bilingual(c *Config) {
	c.Lessons.Questions = []string{"What worked well?", "What would you do differently?"}
	c.Lessons.ByLang = map[string][]string{
		"en": {"What worked well?", "What would you do differently?"},
		"es": {"¿Qué funcionó bien?", "¿Qué harías distinto?"},
	}
}

// readsIn fails unless text has every one of want and no passage of the
// other language's catalogs.
func readsIn(t *testing.T, lang i18n.Lang, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: missing %q in\n%s", what, w, text)
		}
	}
	if foreign := i18ntest.Foreign(lang, text); len(foreign) > 0 {
		t.Errorf("%s: a reader of %s reads %q in\n%s", what, lang, foreign, text)
	}
}

// ephemeralText is the text of a slash command's JSON answer.
func ephemeralText(t *testing.T, body string) string {
	t.Helper()
	var m struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	return m.Text
}

// messageText is a message as its reader sees it: the notification text
// and the texts of its blocks.
func messageText(m slackfake.Message) string {
	return m.Text + "\n" + blockTexts(string(m.Blocks))
}

// blockTexts is every text a person reads in blocks (or a view): the
// "text" of each text object, one a line; ids and URLs are left out.
func blockTexts(raw string) string {
	var v any
	if raw == "" || json.Unmarshal([]byte(raw), &v) != nil {
		return ""
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				out = append(out, s)
			}
			// In a fixed order: title, blocks, then the buttons.
			keys := slices.Sorted(maps.Keys(v))
			for _, k := range keys {
				walk(v[k])
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return strings.Join(out, "\n")
}

// dmsTo returns the messages posted in user's DM since from.
func (e *testEnv) dmsTo(user string, from int) []string {
	var out []string
	for _, m := range e.slack.Messages()[from:] {
		if m.Channel == "D"+user {
			out = append(out, messageText(m))
		}
	}
	return out
}

// TestReaderLanguage: in one workspace, a person whose Slack locale is
// es-CL reads Spanish replies and DMs, and one whose locale is en-US
// reads English, whichever language they type in; a channel reads the
// configured language.
func TestReaderLanguage(t *testing.T) {
	e := newTestBot(t, bilingual)
	e.slack.Locales["UES"] = "es-CL"
	e.slack.Locales["UEN"] = "en-US"
	es, en := i18n.Spanish, i18n.English

	// Replies, through the signed HTTP endpoint, whatever language the
	// command is typed in.
	for i, tt := range []struct {
		user, text string
		lang       i18n.Lang
		want       []string
	}{
		{"UES", "help", es, []string{"programa webinars", "`/exchange nueva`"}},
		{"UEN", "ayuda", en, []string{"schedules webinars", "`/exchange new`"}},
		{"UES", "show 99", es, []string{"No existe la sesión #99"}},
		{"UEN", "ver 99", en, []string{"There is no session #99"}},
		{"UES", `new "Foro" mañana a las`, es, []string{"Falta la hora"}},
		{"UEN", `nueva "Foro" mañana a las`, en, []string{"The time is missing"}},
		{"UES", "list", es, []string{"Próximas sesiones: ninguna"}},
		{"UEN", "lista", en, []string{"Upcoming sessions: none"}},
	} {
		code, body := e.command(tt.user, tt.text, fmt.Sprintf("trig-lang-%d", i))
		if code != 200 {
			t.Fatalf("%s %q: status %d", tt.user, tt.text, code)
		}
		readsIn(t, tt.lang, tt.user+" "+tt.text, ephemeralText(t, body), tt.want...)
	}
	// users.info is asked once per person, with the locale, and cached.
	for _, c := range e.slack.Calls("users.info") {
		if c.Form.Get("include_locale") != "true" {
			t.Errorf("users.info without include_locale: %v", c.Form)
		}
	}
	if n := len(e.slack.Calls("users.info")); n != 2 {
		t.Errorf("users.info called %d times for two people, want 2", n)
	}

	// The feed link carries the person's language.
	readsIn(t, es, "calendario", e.run("UES", "calendario"), ".ics?lang=es", "Suscribirse")
	readsIn(t, en, "feed", e.run("UEN", "feed"), ".ics?lang=en", "Subscribe")

	// A session both speak at, announced in a channel: the channel reads
	// the configured language (English), each speaker their own in DMs.
	start := scheduleAt(t, e, "UEN", "<@UES|sofia> <@UEN|john> <#CROOM|room>")
	e.deliver()
	ann := e.slack.Messages()[0]
	readsIn(t, en, "announcement", messageText(ann), "*When:*", "Add to calendar")

	seen := len(e.slack.Messages())
	e.clock.Set(start.Add(-time.Hour + time.Minute))
	e.deliver()
	readsIn(t, es, "reminder to UES", strings.Join(e.dmsTo("UES", seen), "\n"), "Recordatorio: *Youth employment* empieza", "(en 1 hora)")
	readsIn(t, en, "reminder to UEN", strings.Join(e.dmsTo("UEN", seen), "\n"), "Reminder: *Youth employment* starts", "(in 1 hour)")

	// After the session each is asked in their language, and the
	// walk-through answers in it.
	seen = len(e.slack.Messages())
	e.clock.Set(start.Add(90*time.Minute + 16*time.Minute))
	e.deliver()
	readsIn(t, es, "prompt to UES", strings.Join(e.dmsTo("UES", seen), "\n"),
		"Gracias por ser ponente", "*Pregunta 1 de 2:* ¿Qué funcionó bien?", "Registrar lecciones")
	readsIn(t, en, "prompt to UEN", strings.Join(e.dmsTo("UEN", seen), "\n"),
		"Thank you for speaking at", "*Question 1 of 2:* What worked well?", "Capture lessons")

	seen = len(e.slack.Messages())
	e.event(dm(t, "EvLang1", "DUES", "UES", "Los equipos espejo"))
	e.event(dm(t, "EvLang2", "DUES", "UES", "saltar"))
	e.event(dm(t, "EvLang3", "DUEN", "UEN", "Mirror teams"))
	e.event(dm(t, "EvLang4", "DUEN", "UEN", "skip"))
	e.deliver()
	readsIn(t, es, "walk-through of UES", strings.Join(e.dmsTo("UES", seen), "\n"),
		"Guardado. *Pregunta 2 de 2:* ¿Qué harías distinto?", "Omitida. Esa fue la última pregunta")
	readsIn(t, en, "walk-through of UEN", strings.Join(e.dmsTo("UEN", seen), "\n"),
		"Saved. *Question 2 of 2:* What would you do differently?", "Skipped. That was the last question")

	// Each answer is kept with its question as asked and its number; the
	// summary in the (English) channel shows the question in English.
	lessons, err := e.store.Lessons(context.Background(), 1)
	if err != nil || len(lessons) != 2 {
		t.Fatalf("lessons %+v, %v", lessons, err)
	}
	for _, l := range lessons {
		if l.QuestionIdx != 0 || (l.UserID == "UES") != (l.Question == "¿Qué funcionó bien?") {
			t.Errorf("lesson %+v", l)
		}
	}
	// The summary went out with the last reply (everyone was through);
	// the copy under the announcement is owed by it.
	e.deliver()
	var summary string
	for _, m := range e.slack.Messages()[seen:] {
		if m.Channel == "CROOM" {
			summary = m.Text
		}
	}
	readsIn(t, en, "summary", summary, "*Lessons from #1", "_What worked well?_\n> Los equipos espejo", "> Mirror teams")
	if strings.Contains(summary, "¿Qué") {
		t.Errorf("the English summary shows a question in Spanish:\n%s", summary)
	}
}

// TestSpanishSessionInTheChannel: a lang:es session's announcement,
// notes, reminders and summary are Spanish in the channel, though the
// configured language is English and its creator reads English; DMs
// stay in each reader's language.
func TestSpanishSessionInTheChannel(t *testing.T) {
	e := newTestBot(t, bilingual, func(c *Config) { c.Lessons.Channel = "CLESSONS" })
	e.slack.Locales["UEN"] = "en-US"
	es, en := i18n.Spanish, i18n.English

	start := scheduleAt(t, e, "UEN", "<@UEN|john> <#CROOM|room> lang:es link:https://meet.example.org/x")
	e.deliver()
	ann := e.slack.Messages()[0]
	readsIn(t, es, "announcement", messageText(ann), "*Cuándo:*", "*Tipo:* Webinar · #1 · en español", "Unirme", "Agregar al calendario")

	seen := len(e.slack.Messages())
	if r := e.run("UEN", "move 1 "+start.AddDate(0, 0, 1).Format("2006-01-02")+" 15:00"); !strings.Contains(r, "Moved *#1*") {
		t.Fatalf("move: %s (the creator reads English)", r)
	}
	start = start.AddDate(0, 0, 1)
	e.deliver()
	for _, m := range e.slack.Messages()[seen:] {
		readsIn(t, es, "note under the announcement", m.Text, "Cambio de hora: *Youth employment* era")
	}
	if up := e.slack.Calls("chat.update"); len(up) == 0 {
		t.Fatal("no update of the announcement")
	} else {
		readsIn(t, es, "updated announcement", blockTexts(up[len(up)-1].Form.Get("blocks")), "*Cuándo:*", "Unirme")
	}

	seen = len(e.slack.Messages())
	e.clock.Set(start.Add(-time.Hour + time.Minute))
	e.deliver()
	var thread, direct []string
	for _, m := range e.slack.Messages()[seen:] {
		switch m.Channel {
		case "CROOM":
			thread = append(thread, m.Text)
		case "DUEN":
			direct = append(direct, m.Text)
		}
	}
	if len(thread) != 1 || len(direct) != 1 {
		t.Fatalf("reminders: thread %q, DM %q", thread, direct)
	}
	readsIn(t, es, "reminder in the thread", thread[0], "Recordatorio: *Youth employment* empieza", "(en 1 hora)", "Unirse: <https://meet.example.org/x>")
	readsIn(t, en, "reminder by DM", direct[0], "Reminder: *Youth employment* starts", "Join: <https://meet.example.org/x>")

	e.clock.Set(start.Add(90*time.Minute + 16*time.Minute))
	e.deliver()
	e.event(dm(t, "EvEs1", "DUEN", "UEN", "Mirror teams"))
	e.event(dm(t, "EvEs2", "DUEN", "UEN", "stop"))
	seen = len(e.slack.Messages())
	e.deliver()
	e.deliver() // the copy under the announcement is owed by the first
	summaries := map[string]string{}
	for _, m := range e.slack.Messages()[seen:] {
		summaries[m.Channel] += m.Text
	}
	for _, ch := range []string{"CROOM", "CLESSONS"} {
		// The answer given in English is shown under its question in Spanish.
		readsIn(t, es, "summary in "+ch, summaries[ch], "*Lecciones de #1 Youth employment*", "_¿Qué funcionó bien?_\n> Mirror teams",
			"`/exchange lecciones 1` las muestra todas")
	}
}

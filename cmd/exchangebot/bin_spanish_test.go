package main

// Spanish and English on the built binary: one workspace where an es-CL
// person reads Spanish and an en-US person English, a session in Spanish
// whose channel posts are Spanish, a DM walk-through whose Spanish and
// English controls are obeyed and never stored, and the Spanish grammar
// through `exchangebot run`. Every text is checked against the catalogs:
// nothing of the other language's catalogs may appear in it.

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/i18n/i18ntest"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

const (
	binEsUser = "UESCL" // Slack locale es-CL
	binEnUser = "UENUS" // Slack locale en-US
)

// binEsForeign fails the test when text, read by a person of lang, holds
// a passage of the other language's catalogs.
func binEsForeign(t *testing.T, lang i18n.Lang, what, text string) {
	t.Helper()
	if strings.TrimSpace(text) == "" {
		t.Errorf("%s: empty", what)
		return
	}
	if f := i18ntest.Foreign(lang, text); len(f) > 0 {
		t.Errorf("%s (for %s) holds the other language's %q:\n%s", what, lang, f, text)
	}
}

// binEsCallText is what a person reads of a post: its text and the texts
// of its blocks (not their ids, such as block_id session_1).
func binEsCallText(c slackfake.Call) string {
	var texts []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "text" {
					texts = append(texts, s)
				} else {
					walk(x)
				}
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var blocks any
	json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks)
	walk(blocks)
	return c.Form.Get("text") + "\n" + strings.Join(texts, "\n")
}

// binEsMessage is the fixed part of a catalog message around its Input,
// as the terminal shows it (no backticks).
func binEsMessage(lang i18n.Lang, id string, data map[string]any) []string {
	if data == nil {
		data = map[string]any{}
	}
	data["Input"] = "\x00"
	var parts []string
	for _, p := range strings.Split(i18n.T(lang, id, data), "\x00") {
		if p = strings.TrimSpace(strings.ReplaceAll(p, "`", "")); len(p) >= 8 {
			parts = append(parts, p)
		}
	}
	return parts
}

// binEsDM posts a signed Events API message from user in their DM.
func binEsDM(t *testing.T, addr, user, text string) {
	t.Helper()
	ts := fmt.Sprintf("%d.%06d", time.Now().Unix(), time.Now().Nanosecond()/1000)
	postEvent(t, addr, "Ev"+user+ts, map[string]any{"type": "message", "channel": "D" + user, "user": user, "channel_type": "im",
		"text": text, "ts": ts, "event_ts": ts})
}

// binEsPosts are the bot's posts to a channel so far.
func binEsPosts(fake *slackfake.Server, channel string) []slackfake.Call {
	var out []slackfake.Call
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Form.Get("channel") == channel {
			out = append(out, c)
		}
	}
	return out
}

// binEsWaitPosts waits until the channel has n posts from the bot.
func binEsWaitPosts(t *testing.T, fake *slackfake.Server, channel string, n int, what string) []slackfake.Call {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		if posts := binEsPosts(fake, channel); len(posts) >= n {
			return posts
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d posts to %s after 90 s, want %d: %+v", what, len(binEsPosts(fake, channel)), channel, n, binEsPosts(fake, channel))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// One workspace, two people, one Spanish session: replies, DMs, channel
// posts and the DM walk-through each in the reader's language.
func TestBinSpanishLocalesSessionAndWalkThrough(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	fake.Locales[binEsUser] = "es-CL"
	fake.Locales[binEnUser] = "en-US"
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := writeLoadedConfig(t, dir, addr, fake.APIURL(), `language: "en"
reminders:
  before: ["15s"]
lessons:
  prompt_after: "2s"
  close_after: "90s"
`)
	// A session held in Spanish, starting in half a minute (to the second,
	// which a slash command cannot say), with one speaker of each language.
	ctx := context.Background()
	st := openTestStore(t, cfg.Database)
	svc := exchange.New(exchange.Options{Store: st, Policy: cfg.Policy()})
	start := time.Now().Truncate(time.Second).Add(30 * time.Second)
	sess, err := svc.Schedule(ctx, exchange.Actor{UserID: "UCOORD"}, exchange.Draft{
		Title: "Ruta Q7 Antofagasta", Start: start, Duration: 10 * time.Second, TZ: "America/Santiago",
		Channel: "C2ES", Lang: "es", Speakers: []store.Speaker{{UserID: binEsUser}, {UserID: binEnUser}},
	})
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	pr := &proc{t: t, addr: addr}

	// (1) Slash commands: each person reads their own language, whatever
	// language they type in.
	date := time.Now().AddDate(0, 0, 8).Format("2006-01-02")
	code, body := pr.command(binEnUser, `new "Field visit Q8" `+date+` 15:00 <#C1EN|general> idioma:es`)
	if code != 200 || !strings.Contains(body, "#2") {
		t.Fatalf("new from the en-US person: %d %s", code, body)
	}
	binEsForeign(t, i18n.English, "reply to new", body)
	for _, c := range []struct {
		user, text string
		lang       i18n.Lang
	}{
		{binEsUser, "ayuda", i18n.Spanish}, {binEsUser, "lista", i18n.Spanish}, {binEsUser, "ver 2", i18n.Spanish},
		{binEsUser, "list", i18n.Spanish}, {binEsUser, "unirme 2", i18n.Spanish},
		{binEnUser, "help", i18n.English}, {binEnUser, "lista", i18n.English}, {binEnUser, "show 2", i18n.English},
		{binEnUser, "join 2", i18n.English},
	} {
		code, body := pr.command(c.user, c.text)
		if code != 200 {
			t.Errorf("%s %q: %d %s", c.user, c.text, code, body)
		}
		binEsForeign(t, c.lang, fmt.Sprintf("%s %q", c.user, c.text), body)
	}
	if _, body := pr.command(binEsUser, "lsta"); !strings.Contains(body, "¿Quisiste decir") || !strings.Contains(body, "lista") {
		t.Errorf("a mistyped subcommand from the es-CL person: %s", body)
	}
	if _, body := pr.command(binEnUser, "lsit"); !strings.Contains(body, "Did you mean") || !strings.Contains(body, "list") {
		t.Errorf("a mistyped subcommand from the en-US person: %s", body)
	}
	// (2) The idioma:es session's announcement is Spanish though an en-US
	// person scheduled it.
	ann := binEsWaitPosts(t, fake, "C1EN", 1, "announcement of the idioma:es session")
	binEsForeign(t, i18n.Spanish, "announcement of #2", binEsCallText(ann[0]))

	// (2) The lang:es session: announcement and reminder in its channel;
	// (1) the speakers' reminder and prompt DMs in their own languages.
	posts := binEsWaitPosts(t, fake, "C2ES", 2, "announcement and reminder of the lang:es session")
	for i, c := range posts {
		binEsForeign(t, i18n.Spanish, fmt.Sprintf("post %d in the lang:es session's channel", i), binEsCallText(c))
	}
	esDMs := binEsWaitPosts(t, fake, "D"+binEsUser, 2, "reminder and prompt DMs to the es-CL speaker")
	enDMs := binEsWaitPosts(t, fake, "D"+binEnUser, 2, "reminder and prompt DMs to the en-US speaker")

	// (3) The walk-through: the es-CL speaker answers in Spanish, the
	// en-US speaker uses the English controls, and each language's
	// controls work for the other too.
	steps := []struct{ user, text string }{
		{binEsUser, "Primera lección: llegar temprano"},
		{binEsUser, "saltar"},
		{binEsUser, "Tercera lección: medir la asistencia"},
		{binEsUser, "listo"},
		{binEnUser, "First lesson: book the room"},
		{binEnUser, "skip"},
		{binEnUser, "stop"},
	}
	for _, s := range steps {
		before := len(binEsPosts(fake, "D"+s.user))
		binEsDM(t, addr, s.user, s.text)
		binEsWaitPosts(t, fake, "D"+s.user, before+1, fmt.Sprintf("the bot's answer to %q from %s", s.text, s.user))
	}
	esDMs, enDMs = binEsPosts(fake, "D"+binEsUser), binEsPosts(fake, "D"+binEnUser)
	for i, c := range esDMs {
		binEsForeign(t, i18n.Spanish, fmt.Sprintf("DM %d to the es-CL speaker", i), binEsCallText(c))
	}
	for i, c := range enDMs {
		binEsForeign(t, i18n.English, fmt.Sprintf("DM %d to the en-US speaker", i), binEsCallText(c))
	}
	// The summary goes to the announcement's thread once both speakers are
	// done (or at close_after), in Spanish.
	summary := waitCall(t, fake, "chat.postMessage", "lessons summary", func(c slackfake.Call) bool {
		return c.Form.Get("channel") == "C2ES" && strings.Contains(binEsCallText(c), "Primera lección")
	})
	binEsForeign(t, i18n.Spanish, "lessons summary", binEsCallText(summary))
	p.stop(t)

	lessons, err := st.Lessons(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range lessons {
		got[fmt.Sprintf("%s/%d", l.UserID, l.QuestionIdx)] = l.Answer
	}
	want := map[string]string{
		binEsUser + "/0": "Primera lección: llegar temprano",
		binEsUser + "/2": "Tercera lección: medir la asistencia",
		binEnUser + "/0": "First lesson: book the room",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stored answers %v, want %v (skip/saltar and stop/listo are controls, not answers)", got, want)
	}
	if t.Failed() {
		t.Logf("log:\n%s", log)
	}
}

// The Spanish grammar through `exchangebot run`: Spanish forms are read,
// mistakes get their Spanish message and store nothing.
func TestBinSpanishGrammarThroughRun(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	fake.Locales[binEsUser] = "es-CL"
	fake.Zones[binEsUser] = "America/Santiago"
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := writeLoadedConfig(t, dir, addr, fake.APIURL(), "")
	run := func(text string) string {
		t.Helper()
		cmd := exec.Command(bin, "run", "-config", cfgPath, "-as", binEsUser, "-channel", "C3", text)
		cmd.Env = cleanEnv()
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("run %q: %v %s", text, err, out)
		}
		return string(out)
	}
	valid := []string{
		`nueva "Ruta uno" 3 de diciembre 15hrs 90 min`,
		`nueva Ruta dos mañana a las 15:00 1h 30m`,
		`nueva "Ruta tres" mañana 15.00 idioma:es`,
		`nueva "Ruta cuatro" pasado mañana 3 pm 1 hora`,
	}
	for i, text := range valid {
		if out := run(text); !strings.Contains(out, fmt.Sprintf("#%d", i+1)) {
			t.Errorf("run %q: %s", text, out)
		} else {
			binEsForeign(t, i18n.Spanish, fmt.Sprintf("run %q", text), out)
		}
	}
	for _, text := range []string{"lista", "lista mías", "informe noviembre", "ayuda"} {
		binEsForeign(t, i18n.Spanish, fmt.Sprintf("run %q", text), run(text))
	}
	invalid := []struct {
		text, id string
		data     map[string]any
	}{
		{`nueva "Mal uno" 3 de diciembre a las 25:00`, "parse.hours_range", nil},
		{`nueva "Mal dos" mañana a las 15:75`, "parse.minutes_range", nil},
		{`nueva "Mal tres" mañana a las tarde`, "parse.not_a_time", nil},
		{`informe noviembrr`, "parse.not_date_or_month", nil},
		{`nueva "Mal cuatro" mañana 15:00 30 horas`, "parse.duration_too_long", nil},
		{`lsta`, "parse.did_you_mean", map[string]any{"Suggestion": "lista"}},
	}
	for _, c := range invalid {
		out := run(c.text)
		for _, part := range binEsMessage(i18n.Spanish, c.id, c.data) {
			if !strings.Contains(strings.ReplaceAll(out, "`", ""), part) {
				t.Errorf("run %q: %q lacks %q (%s)", c.text, out, part, c.id)
			}
		}
		binEsForeign(t, i18n.Spanish, fmt.Sprintf("run %q", c.text), out)
	}
	st := openTestStore(t, cfg.Database)
	for id := int64(1); id <= 4; id++ {
		if _, err := st.Session(context.Background(), id); err != nil {
			t.Errorf("session %d of the valid forms: %v", id, err)
		}
	}
	if s, err := st.Session(context.Background(), 5); err == nil {
		t.Errorf("a mistake stored session 5: %+v", s)
	}
}

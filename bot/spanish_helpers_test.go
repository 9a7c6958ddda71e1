package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
)

// everyError is one exchange.Error of each code and operation bot words,
// with the values exchange gives it, and one code bot does not know.
func everyError() []*exchange.Error {
	end := goldenStart.Add(90 * time.Minute)
	args := map[string]map[string]any{
		exchange.CodeNotAllowed:       {"id": int64(12), "creator": "UES", "delivery": int64(7)},
		exchange.CodeNotFound:         {"id": int64(12)},
		exchange.CodeCancelled:        {"id": int64(12)},
		exchange.CodeOver:             {"id": int64(12)},
		exchange.CodeNotHeld:          {"id": int64(12), "end": end},
		exchange.CodeMayNotAnswer:     {"id": int64(12)},
		exchange.CodeNoAnswers:        {"id": int64(12)},
		exchange.CodeTitleTooLong:     {"len": 151, "max": 150},
		exchange.CodeDuration:         {"duration": 25 * time.Hour, "max": exchange.MaxDuration},
		exchange.CodePast:             {"start": goldenStart.In(mustLoc("America/Santiago")), "tz": "America/Santiago"},
		exchange.CodeZone:             {"tz": "Marte/Olimpo"},
		exchange.CodeKind:             {"kind": "charla", "kinds": exchange.Kinds},
		exchange.CodeLang:             {"lang": "fr", "langs": exchange.Langs},
		exchange.CodeLink:             {"link": "ftp://x"},
		exchange.CodeSpeaker:          {"speaker": "Ana"},
		exchange.CodePeriod:           {"from": goldenStart, "to": goldenNow},
		exchange.CodeFormat:           {"format": "pdf", "formats": exchange.ExportFormats},
		exchange.CodeNotFailed:        {"delivery": int64(7), "state": "sent"},
		exchange.CodeDeliveryNotFound: {"delivery": int64(7)},
		exchange.CodeAlreadyAdded:     {"id": int64(12)},
		exchange.CodeAnswerTooLong:    {"id": int64(12), "len": exchange.MaxAnswer + 1, "max": exchange.MaxAnswer},
	}
	var out []*exchange.Error
	for key := range errorIDs {
		code, op, _ := strings.Cut(key, "/")
		a := map[string]any{}
		for k, v := range args[code] {
			a[k] = v
		}
		if op != "" {
			a["op"] = op
		} else if code == exchange.CodeNotAllowed {
			a["op"] = exchange.OpSpeakers
		}
		out = append(out, &exchange.Error{Code: code, Args: a})
	}
	out = append(out, &exchange.Error{Code: "zz_unheard_of"})
	slicesSortErrors(out)
	return out
}

func slicesSortErrors(es []*exchange.Error) {
	key := func(e *exchange.Error) string { return e.Code + "/" + fmt.Sprint(e.Arg("op")) }
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && key(es[j]) < key(es[j-1]); j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// goldenBot is a bot for one rendering, with helpers that read like the
// product.
type goldenBot struct {
	t *testing.T
	e *testEnv
}

func newGoldenBot(t *testing.T, config func(*Config)) *goldenBot {
	mutate := []func(*Config){bilingual}
	if config != nil {
		mutate = append(mutate, config)
	}
	e := newTestBot(t, mutate...)
	e.clock.Set(goldenNow)
	for user, locale := range map[string]string{"UES": "es-CL", "UES2": "es-419", "UES3": "es-MX"} {
		e.slack.Locales[user] = locale
		e.slack.Zones[user] = "America/Santiago"
	}
	return &goldenBot{t: t, e: e}
}

// say runs a command as UES and returns the reply.
func (g *goldenBot) say(text string) string { return g.e.run("UES", text) }

// says runs commands as UES, returning their replies one after another.
func (g *goldenBot) says(texts ...string) string { return g.saysAs("UES", texts...) }

func (g *goldenBot) saysAs(user string, texts ...string) string {
	var out []string
	for _, text := range texts {
		out = append(out, "> "+text+"\n"+g.e.run(user, text))
	}
	return strings.Join(out, "\n\n")
}

// schedule has UES schedule a lang:es session with UES2 speaking, at
// goldenStart, announced in CSALA, and delivers what is due.
func (g *goldenBot) schedule() { g.scheduleAs("UES") }

// scheduleAs is schedule with user organising it.
func (g *goldenBot) scheduleAs(user string) {
	r := g.e.run(user, `nueva "Empleo juvenil" 2026-12-03 15:00 90m <@UES2|sofia> <#CSALA|sala> socio:"FOSIS Chile" enlace:https://meet.example.org/ej idioma:es`)
	if !strings.Contains(r, "#") {
		g.t.Fatalf("nueva: %s", r)
	}
	g.deliver()
}

func (g *goldenBot) at(t time.Time) { g.e.clock.Set(t) }
func (g *goldenBot) deliver()       { g.e.deliver() }

// dm is user's reply in their DM with the bot, and the bot's answer
// (an outbox row, delivered).
func (g *goldenBot) dm(user, text string) {
	g.e.event(dm(g.t, fmt.Sprintf("EvG%d", dmSeq.Add(1)), "D"+user, user, text))
	g.deliver()
}

// answer has user answer session 1's questions in the DM, after it ends.
func (g *goldenBot) answer(user string, answers ...string) {
	g.at(goldenStart.Add(2 * time.Hour))
	g.deliver()
	for _, a := range answers {
		g.dm(user, a)
	}
}

// evaluated turns participant evaluation on, with the product's
// defaults: asked 30 minutes after the end, nudged after 48 hours,
// closed after a week, followed up after 90 days.
func evaluated(c *Config) {
	c.Evaluation = exchange.Evaluation{Enabled: true, After: 30 * time.Minute, NudgeAfter: 48 * time.Hour,
		CloseAfter: 168 * time.Hour, FollowUp: 2160 * time.Hour}
}

// evaluate has user, who joined session 1 and neither organised it nor
// spoke, get its ratings DM, rate it
// by button and say what they will apply in a DM reply.
func (g *goldenBot) evaluate(user string, rating int, plan string) {
	g.at(goldenEnd.Add(30 * time.Minute))
	g.e.settle()
	g.e.interaction(evalPress(user, "D"+user, actionRate+strconv.Itoa(rating), "1:"+strconv.Itoa(rating)))
	g.dm(user, plan)
}

// digest runs the weekly digest job and delivers it.
func (g *goldenBot) digest() {
	if err := g.e.bot.svc.OweDigest(context.Background()); err != nil {
		g.t.Fatal(err)
	}
	g.deliver()
}

// posts runs fn and returns what was posted and shown meanwhile: each
// message (or ephemeral, or update) with where it went and the texts of
// its blocks.
func (g *goldenBot) posts(fn func()) string {
	return g.postsIn(func(string) bool { return true }, fn)
}

// dmsOf is what posts returns, in user's DM with the bot only: the
// messages and ephemeral answers one reader reads there.
func (g *goldenBot) dmsOf(user string, fn func()) string {
	return g.postsIn(func(channel string) bool { return channel == "D"+user }, fn)
}

// postsIn is what posts returns, in the conversations keep keeps.
func (g *goldenBot) postsIn(keep func(channel string) bool, fn func()) string {
	from := len(g.e.slack.Calls())
	fn()
	var out []string
	for _, c := range g.e.slack.Calls()[from:] {
		switch c.Method {
		case "chat.postMessage", "chat.postEphemeral", "chat.update":
		default:
			continue
		}
		if !keep(c.Form.Get("channel")) {
			continue
		}
		where := c.Form.Get("channel")
		if u := c.Form.Get("user"); u != "" {
			where += " (" + u + ")"
		}
		if c.Form.Get("thread_ts") != "" {
			where += " thread"
		}
		if c.Error != "" {
			where += " refused: " + c.Error
		}
		text := c.Method + " " + where + "\n" + c.Form.Get("text")
		if b := blockTexts(c.Form.Get("blocks")); b != "" {
			text += "\n[blocks]\n" + b
		}
		out = append(out, text)
	}
	// The engine delivers to several conversations at once, and notes
	// due at the same moment may leave in either order: the wording is
	// what these files hold, so they are kept in a fixed order (the
	// engine's own tests check the order of delivery).
	sort.Strings(out)
	return strings.Join(out, "\n\n")
}

// wentOut fails the rendering unless an outbox row of each of kinds was
// sent: a row names only the kinds whose message it shows.
func (g *goldenBot) wentOut(kinds []string) {
	g.t.Helper()
	for _, k := range kinds {
		if len(g.e.sent(k)) == 0 {
			g.t.Errorf("no %s row went out, yet the row names it", k)
		}
	}
}

// view is the texts of the last form opened.
func (g *goldenBot) view() string {
	calls := g.e.slack.Calls("views.open")
	if len(calls) == 0 {
		g.t.Fatal("no form was opened")
	}
	b, _ := json.Marshal(calls[len(calls)-1].JSON["view"])
	return blockTexts(string(b))
}

// submitLessons submits the capture form of session 1 as user, one value
// per question; it returns the inline errors, if any.
func (g *goldenBot) submitLessons(user string, answers ...string) string {
	state := map[string]any{}
	for i, a := range answers {
		state[fmt.Sprintf("q%d", i+1)] = map[string]any{"answer": map[string]any{"type": "plain_text_input", "value": a}}
	}
	b, _ := json.Marshal(map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": fmt.Sprintf("trig-lessons-%d", dmSeq.Add(1)),
		"view": map[string]any{"id": "V2", "type": "modal", "callback_id": callbackLessons,
			"private_metadata": `{"session":1,"lang":"es"}`, "state": map[string]any{"values": state}},
	})
	_, body := g.e.interaction(string(b))
	return errorsOf(g.t, body)
}

// errorsOf is the inline errors of a view submission's answer.
func errorsOf(t *testing.T, body string) string {
	if strings.TrimSpace(body) == "" {
		return ""
	}
	var resp struct {
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("view answer %q: %v", body, err)
	}
	var lines []string
	for _, field := range []string{"title", "kind", "date", "time", "tz", "duration", "speakers", "link", "q1"} {
		if e, ok := resp.Errors[field]; ok {
			lines = append(lines, field+": "+e)
		}
	}
	return strings.Join(lines, "\n")
}

func joinAction(user, channel, value string) string {
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": fmt.Sprintf("trig-join-%d", dmSeq.Add(1)), "channel": map[string]any{"id": channel},
		"actions": []map[string]any{{"type": "button", "action_id": actionJoin, "block_id": "session_" + value, "value": value,
			"action_ts": fmt.Sprintf("1764331201.%06d", dmSeq.Add(1))}},
	})
	return string(b)
}

// feedTokens are the random parts of a rendering: feed and answer tokens.
var feedTokens = regexp.MustCompile(`(/calendar/u/|%2Fcalendar%2Fu%2F|token=|/answer/)[A-Za-z0-9_-]{20,}`)

func mask(s string) string { return feedTokens.ReplaceAllString(s, "${1}TOKEN") }

// golden compares got with testdata/golden/es/<name>.txt, or writes it
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", "es", filepath.FromSlash(name)+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(want) != got+"\n" {
		t.Errorf("%s differs from %s (run with -update if the change is meant):\n got:\n%s\nwant:\n%s", name, path, got, want)
	}
}

var _ = slackfake.Readable // the fake's helpers are used through testEnv

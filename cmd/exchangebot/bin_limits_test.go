package main

// Issue 10's limits on the built binary: the largest inputs the product
// accepts, sent from outside, never make a payload Slack would refuse.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// binLimitsText is n characters that grow when escaped for Slack (every
// & becomes &amp;) and have few places to split.
func binLimitsText(n int, seed string) string {
	unit := []rune(seed + " & más ")
	out := make([]rune, n)
	for i := range out {
		out[i] = unit[i%len(unit)]
	}
	return string(out)
}

// binLimitsReply checks a slash command's reply body as Slack would take
// it: a 200, an ephemeral message whose blocks are within Block Kit's
// limits and whose text is within chat's. It returns the reply's text.
func binLimitsReply(t *testing.T, what string, code int, body string) string {
	t.Helper()
	var m struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &m) != nil {
		t.Fatalf("%s: %d %.300s", what, code, body)
	}
	if len(m.Blocks) == 0 || string(m.Blocks) == "null" {
		t.Errorf("%s: a reply without blocks: %.300s", what, body)
	} else {
		for _, p := range slackfake.Check(slackfake.SurfaceMessage, m.Blocks) {
			t.Errorf("%s: Slack would refuse the reply: %s", what, p)
		}
	}
	if n := len([]rune(m.Text)); n > slackfake.MaxMessageText {
		t.Errorf("%s: reply text of %d characters", what, n)
	}
	return m.Text + slackfake.Readable(string(m.Blocks))
}

// binLimitsSeed writes, before the binary starts, a session held
// yesterday whose speaker U1 waits on the first lesson question, and
// upcoming sessions created by U1, each with a 150-character title, 12
// long partners and 30 speakers: the largest Home and the longest list.
func binLimitsSeed(t *testing.T, database string, upcoming int) {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC().Truncate(time.Second)
	err = st.Update(ctx, func(tx store.Tx) error {
		held := &store.Session{Title: "Held yesterday", Kind: "webinar", Start: now.Add(-26 * time.Hour), Duration: time.Hour,
			TZ: "UTC", Creator: "U1", Status: store.StatusConfirmed, Speakers: []store.Speaker{{UserID: "U1"}}, Created: now, Updated: now}
		if err := tx.CreateSession(ctx, held); err != nil {
			return err
		}
		if _, err := tx.RecordPrompt(ctx, held.ID, "U1", "DU1", now); err != nil {
			return err
		}
		for i := range upcoming {
			s := &store.Session{Title: binLimitsText(150, fmt.Sprintf("Sesión %d", i)), Kind: "workshop",
				Start: now.Add(time.Duration(48+i) * time.Hour), Duration: 90 * time.Minute, TZ: "America/Santiago",
				Description: binLimitsText(3000, "Descripción"), Link: "https://meet.example.org/" + strings.Repeat("a", 500),
				Channel: "C1", Creator: "U1", Status: store.StatusConfirmed, Created: now, Updated: now}
			for j := range 12 {
				s.Partners = append(s.Partners, binLimitsText(150, fmt.Sprintf("Fondo de Inversión Social %d", j)))
			}
			for j := range 15 {
				s.Speakers = append(s.Speakers, store.Speaker{UserID: fmt.Sprintf("U%09d", j)},
					store.Speaker{Name: binLimitsText(100, fmt.Sprintf("Ponente Externa %d", j)), Email: fmt.Sprintf("p%d@example.org", j)})
			}
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBinLimitsLargestInputs drives the built binary with the largest
// inputs it accepts: a session with the longest title, a 3,000-character
// description, 12 long partners and 30 speakers; a 3,900-character
// cancel reason; show and list over 200 sessions; a 3,500-character DM
// answer and the Capture form it prefills; the Home of a person with 200
// sessions. Every call succeeds, and the fake Slack, which refuses what
// breaks Block Kit's limits, refused nothing.
func TestBinLimitsLargestInputs(t *testing.T) {
	t.Parallel()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	addr := freePort(t)
	cfg := writeConfig(t, dir, addr, fake.APIURL(), "")
	const upcoming = 199
	binLimitsSeed(t, databaseOf(t, cfg), upcoming)
	p := startServe(t, dir, cfg, addr)
	ok := func(c slackfake.Call) bool { return c.Error == "" && len(c.Problems) == 0 }

	// new: the longest title, 12 long partners, 15 Slack and 15 external
	// speakers; then edit: the longest description.
	title := binLimitsText(150, "Título")
	cmd := []string{`new "` + title + `" ` + time.Now().UTC().AddDate(0, 0, 3).Format("2006-01-02") + ` 15:00 tz:UTC <#C1|general>`,
		"link:https://meet.example.org/" + strings.Repeat("b", 500)}
	for j := range 12 {
		cmd = append(cmd, fmt.Sprintf(`partner:"%s"`, binLimitsText(150, fmt.Sprintf("Ministerio de Desarrollo %d", j))))
	}
	for j := range 15 {
		cmd = append(cmd, fmt.Sprintf("<@UBIG%05d|ponente%d>", j, j), fmt.Sprintf(`"%s <x%d@example.org>"`, binLimitsText(100, fmt.Sprintf("Externa %d", j)), j))
	}
	id := upcoming + 2
	if code, reply := p.command("U1", strings.Join(cmd, " ")); code != 200 || !strings.Contains(reply, fmt.Sprintf("#%d", id)) {
		t.Fatalf("new: %d %.500s", code, reply)
	}
	ann := waitCall(t, fake, "chat.postMessage", "the announcement", func(c slackfake.Call) bool {
		return c.Form.Get("channel") == "C1" && c.Form.Get("thread_ts") == "" && strings.Contains(c.Form.Get("text")+c.Blocks(), "Título")
	})
	if !ok(ann) || !strings.Contains(ann.Blocks(), `"action_id":"join"`) {
		t.Errorf("announcement refused or sent without its blocks: %s %v", ann.Error, ann.Problems)
	}
	annTS := ""
	for _, m := range fake.Messages() {
		if m.Channel == "C1" && m.ThreadTS == "" {
			annTS = m.TS
		}
	}
	description := binLimitsText(3000, "Descripción larga")
	if code, reply := p.command("U1", fmt.Sprintf(`edit %d description:"%s"`, id, description)); code != 200 || strings.Contains(reply, "Usage") {
		t.Fatalf("edit: %d %.500s", code, reply)
	}
	edited := waitCall(t, fake, "chat.update", "the announcement with the description", func(c slackfake.Call) bool {
		return c.Form.Get("ts") == annTS && strings.Contains(c.Blocks(), "Descripción larga")
	})
	if !ok(edited) {
		t.Errorf("the edited announcement was refused: %s %v", edited.Error, edited.Problems)
	}
	code, reply := p.command("U1", fmt.Sprintf("show %d", id))
	if got := binLimitsReply(t, "show", code, reply); !strings.Contains(got, "Descripción larga") {
		t.Errorf("show without the description: %.500s", got)
	}

	// cancel with the longest reason: the announcement says so, and show.
	if code, reply := p.command("U1", fmt.Sprintf("cancel %d %s", id, binLimitsText(3900, "La ponente está enferma"))); code != 200 || !strings.Contains(reply, "ancel") {
		t.Fatalf("cancel: %d %.500s", code, reply)
	}
	cancelled := waitCall(t, fake, "chat.update", "the cancelled announcement", func(c slackfake.Call) bool {
		return c.Form.Get("ts") == annTS && strings.Contains(c.Form.Get("text")+c.Blocks(), "La ponente")
	})
	if !ok(cancelled) {
		t.Errorf("the cancelled announcement was refused: %s %v", cancelled.Error, cancelled.Problems)
	}
	code, reply = p.command("U1", fmt.Sprintf("show %d", id))
	if got := binLimitsReply(t, "show cancelled", code, reply); !strings.Contains(got, "La ponente") {
		t.Errorf("show of the cancelled session without its reason: %.500s", got)
	}

	// list: the first, a middle and the last page of 199 sessions.
	for _, page := range []string{"list", "list page 2", "list page 8"} {
		code, reply := p.command("U1", page)
		if got := binLimitsReply(t, page, code, reply); !strings.Contains(got, "Sesión") {
			t.Errorf("%s lists no seeded session: %.500s", page, got)
		}
	}

	// A 3,500-character DM answer, then Capture: the form opens.
	posted := len(fake.Calls("chat.postMessage"))
	nativeDM(t, p, fake, "U1", binLimitsText(3500, "Respuesta por DM"))
	ack := waitCalls(t, fake, "chat.postMessage", posted+1)[posted]
	if ack.Form.Get("channel") != "DU1" || !ok(ack) {
		t.Errorf("the DM answer was not acknowledged: %s %s %v", ack.Form.Get("channel"), ack.Error, ack.Problems)
	}
	nativePress(t, p, "U1", "DU1", "1.0", "capture_lessons", "1")
	form := waitCall(t, fake, "views.open", "the Capture form", func(slackfake.Call) bool { return true })
	if !ok(form) {
		t.Errorf("the Capture form did not open: %s %v", form.Error, form.Problems)
	}

	// The Home of a person with 200 sessions and a pending prompt.
	published := len(fake.Calls("views.publish"))
	postEvent(t, p.addr, "EvLimitsHome", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"})
	home := waitCall(t, fake, "views.publish", "U1's Home", func(c slackfake.Call) bool {
		u, _ := c.JSON["user_id"].(string)
		return u == "U1" && len(fake.Calls("views.publish")) > published
	})
	if !ok(home) {
		t.Errorf("U1's Home was refused: %s %v", home.Error, home.Problems)
	}
	if v, _ := json.Marshal(home.JSON["view"]); !strings.Contains(string(v), "Sesión 0") || !strings.Contains(string(v), `"action_id":"capture_lessons"`) {
		t.Errorf("U1's Home without the sessions or the pending prompt: %.500s", v)
	}

	for _, c := range fake.Calls() {
		if !ok(c) {
			t.Errorf("%s refused: %s %v", c.Method, c.Error, c.Problems)
		}
	}
	nativeClean(t, fake)
}

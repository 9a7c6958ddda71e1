package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// long is n characters of text that grows when escaped for Slack (every
// & becomes &amp;) and has few places to split.
func long(n int, seed string) string {
	unit := []rune(seed + " & más <b> ")
	out := make([]rune, n)
	for i := range out {
		out[i] = unit[i%len(unit)]
	}
	return string(out)
}

// biggest is a session with the largest inputs the product accepts: a
// 150-character title, a 3,000-character description, 12 long partners,
// 30 speakers with long names (15 without Slack), a long link and many
// participants.
func biggest(id int64, start time.Time) *store.Session {
	s := &store.Session{
		ID: id, Title: long(exchange.MaxTitle, "Título"), Kind: "workshop", Start: start, Duration: 90 * time.Minute,
		TZ: "America/Santiago", Description: long(3000, "Descripción"), Link: "https://meet.example.org/" + strings.Repeat("a", 500),
		Channel: "C1", Lang: "es", Creator: "U1", Status: store.StatusConfirmed, AnnounceChannel: "C1", AnnounceTS: "1764331201.000001",
	}
	for i := range 12 {
		s.Partners = append(s.Partners, long(150, fmt.Sprintf("Fondo de Inversión Social %d", i)))
	}
	for i := range 15 {
		s.Speakers = append(s.Speakers, store.Speaker{UserID: fmt.Sprintf("U%09d", i)})
		s.Speakers = append(s.Speakers, store.Speaker{Name: long(100, fmt.Sprintf("Ponente Externa %d", i)), Email: fmt.Sprintf("p%d@example.org", i)})
	}
	for i := range 300 {
		s.Participants = append(s.Participants, fmt.Sprintf("UP%05d", i))
	}
	return s
}

// biggestDraft is biggest(0, start) as a draft to schedule, in channel C1.
func biggestDraft(start time.Time) exchange.Draft {
	big := biggest(0, start)
	return exchange.Draft{Title: big.Title, Kind: big.Kind, Start: big.Start, Duration: big.Duration, TZ: big.TZ,
		Description: big.Description, Link: big.Link, Channel: "C1", Lang: "es", Partners: big.Partners, Speakers: big.Speakers}
}

func checkMessage(t *testing.T, what, text string, blocks []slack.Block) {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range slackfake.Check(slackfake.SurfaceMessage, raw) {
		t.Errorf("%s: %s", what, p)
	}
	if n := runes(text); n > slackfake.MaxMessageText {
		t.Errorf("%s: text of %d characters", what, n)
	}
	if len(blocks) == 0 && text == "" {
		t.Errorf("%s: empty message", what)
	}
}

func checkView(t *testing.T, what string, view any) {
	t.Helper()
	raw, err := json.Marshal(view)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, p := range slackfake.CheckView(m) {
		t.Errorf("%s: %s", what, p)
	}
}

// TestLimitsEveryPayload renders every message, form and Home the bot
// makes with the largest inputs, in both languages, and checks each
// payload against Block Kit's limits as the fake reads them.
func TestLimitsEveryPayload(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	b := e.bot
	start := e.clock.Now().Add(72 * time.Hour)
	big := biggest(7, start)
	cancelled := biggest(8, start)
	cancelled.Status, cancelled.CancelReason = store.StatusCancelled, long(3900, "La ponente está enferma")
	var many []*store.Session
	for i := range 66 {
		many = append(many, biggest(int64(100+i), start.Add(time.Duration(i)*time.Hour)))
	}
	var prompts []exchange.Pending
	for i := range 12 {
		prompts = append(prompts, exchange.Pending{Session: many[i]})
	}
	var results []store.SearchResult
	for i := range maxListed {
		results = append(results, store.SearchResult{Lesson: store.Lesson{SessionID: int64(i), UserID: "U1", SessionTitle: big.Title,
			Question: long(300, "¿Qué funcionó bien?"), AnnounceChannel: "C1", AnnounceTS: "1.2"}, Snippet: long(1000, "fragmento")})
	}
	meta := `{"session":7,"channel":"C1"}`
	for _, l := range i18n.Langs {
		t.Run(string(l), func(t *testing.T) {
			b.cfg.Language = string(l)
			text, blocks := b.announcement(big)
			checkMessage(t, "announcement", text, blocks)
			text, blocks = b.announcement(cancelled)
			checkMessage(t, "cancelled announcement", text, blocks)
			for _, s := range []*store.Session{big, cancelled} {
				r := b.showReply(l, s)
				checkMessage(t, "show", r.Text, r.Blocks)
			}
			for n := 1; n <= 3; n++ {
				from := (n - 1) * exchange.ListLimit
				page := exchange.Page{Sessions: many[from:min(from+exchange.ListLimit, len(many))], Number: n, Total: len(many)}
				r := b.listReply(l, exchange.ScopeAll, page)
				checkMessage(t, fmt.Sprintf("list page %d", n), r.Text, r.Blocks)
				if got := strings.Count(r.Text, "\n*#"); got != len(page.Sessions) {
					t.Errorf("list page %d: %d lines, want %d", n, got, len(page.Sessions))
				}
			}
			home := exchange.Home{UserID: "U1", Total: 200, Prompts: prompts, Staff: true, Month: start}
			for i := range 200 {
				home.Sessions = append(home.Sessions, biggest(int64(1000+i), start))
			}
			checkView(t, "home", b.homeView(l, home))
			checkView(t, "new session form", b.newSessionModal(l, "America/Santiago", `{"channel":"C1"}`))
			checkView(t, "edit form", b.editModal(l, big, meta))
			longer := *big
			longer.Description = long(5000, "Descripción")
			checkView(t, "edit form, description over an input's limit", b.editModal(l, &longer, meta))
			checkView(t, "move form", b.moveModal(l, big, meta))
			checkView(t, "cancel form", b.cancelModal(l, big, meta))
			answers := map[int]string{0: long(3500, "Respuesta por DM"), 1: long(3000, "Otra"), 2: "corta"}
			checkView(t, "capture form with a 3,500-character DM answer", b.lessonsModal(l, big, answers, meta))
			checkView(t, "search form with results", b.searchModal(l, long(200, "palabras"), results, true))
			checkMessage(t, "reminder", "", b.reminderBlocks(l, big, long(3000, "Recordatorio"), true))
			help := b.chatHelp(context.Background(), l, "U1")
			checkMessage(t, "chat answer", help, sections(help))
			checkMessage(t, "link note", linkNote(l, exchange.Notice{Title: big.Title, Link: big.Link, Start: start, TZ: big.TZ}), nil)
		})
	}
}

// TestLimitsOnTheWire sends the biggest session through every message
// it causes, with the fake Slack refusing anything over the limits: none
// is refused, and none needed the plain-text resend.
func TestLimitsOnTheWire(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	ctx := context.Background()
	s, err := e.bot.svc.Schedule(ctx, exchange.Actor{UserID: "U1"}, biggestDraft(e.clock.Now().Add(72*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if _, _, err := e.bot.svc.Join(ctx, fmt.Sprintf("UP%03d", i), s.ID); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Add(exchange.Coalesce)
	e.deliver()
	if r := e.run("U1", fmt.Sprintf("cancel %d %s", s.ID, long(3900, "La ponente está enferma"))); !strings.Contains(r, "Cancelled") {
		t.Fatalf("cancel: %s", r)
	}
	e.clock.Add(exchange.Coalesce)
	e.deliver()
	for _, c := range e.slack.Calls() {
		if c.Error != "" {
			t.Errorf("%s refused: %s %v", c.Method, c.Error, c.Problems)
		}
	}
	for _, m := range []string{"chat.postMessage", "chat.update", "views.publish"} {
		if len(e.slack.Calls(m)) == 0 {
			t.Errorf("no %s: the test did not exercise it", m)
		}
	}
	if n := e.metric(`exchangebot_plain_fallbacks_total{kind="announce"}`); n != 0 {
		t.Errorf("%v announcements went out as plain text", n)
	}
}

// TestLimitsOnTheWireAfterScheduling sends the biggest session through
// the messages that come after it is scheduled: a speaker added later,
// the reminders, the lesson prompts, DM answers of 3,500 characters, the
// Capture form prefilled with them, the summary and the nudges. The fake
// Slack refuses anything over the limits: none is refused, none went out
// as plain text.
func TestLimitsOnTheWireAfterScheduling(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions; c.Lessons.Channel = "CLESSONS" })
	ctx := context.Background()
	big := biggestDraft(e.clock.Now().Add(72 * time.Hour))
	s, err := e.bot.svc.Schedule(ctx, exchange.Actor{UserID: "U1"}, big)
	if err != nil {
		t.Fatal(err)
	}
	e.deliver()
	if r := e.run("U1", fmt.Sprintf("speakers %d add <@U7|eva>", s.ID)); !strings.Contains(r, "Added") {
		t.Fatalf("speakers add: %s", r)
	}
	e.deliver()
	e.clock.Set(big.Start.Add(-time.Hour))
	e.deliver()
	e.clock.Set(big.Start.Add(big.Duration + 16*time.Minute))
	e.deliver()
	speaker := big.Speakers[0].UserID
	for i := range 3 {
		e.event(dm(t, fmt.Sprintf("EvBig%d", i), "D"+speaker, speaker, long(3500, fmt.Sprintf("Respuesta %d", i))))
	}
	e.deliver()
	e.interaction(blockAction(speaker, "D"+speaker, strconv.FormatInt(s.ID, 10)))
	e.clock.Add(49 * time.Hour)
	e.deliver()
	e.clock.Set(big.Start.Add(big.Duration + 169*time.Hour)) // the questions close: the summary
	e.deliver()
	e.deliver() // its copy under the announcement

	for _, c := range e.slack.Calls() {
		if c.Error != "" {
			t.Errorf("%s refused: %s %v", c.Method, c.Error, c.Problems)
		}
	}
	sent := map[string]int{}
	for _, c := range e.slack.Calls("chat.postMessage") {
		sent[c.Form.Get("channel")]++
	}
	// U7's DM: added, reminded, asked, nudged; the speaker's: reminded,
	// asked, three answers acknowledged; the creator's: the answer links
	// for the speakers without Slack; the summary in both channels.
	if sent["DU7"] < 4 || sent["D"+speaker] < 5 || sent["DU1"] < 15 || sent["CLESSONS"] != 1 || sent["C1"] < 2 || len(e.slack.Calls("views.open")) != 1 {
		t.Errorf("the test did not exercise every message: posts by channel %v, views.open %d", sent, len(e.slack.Calls("views.open")))
	}
	for _, kind := range []string{kindAnnounce, kindReminder, kindPrompt, kindNudge, kindSummary, kindSpeakerAdded, exchange.KindReply, exchange.KindAnswerLink} {
		if n := e.metric(`exchangebot_plain_fallbacks_total{kind="` + kind + `"}`); n != 0 {
			t.Errorf("%v %s messages went out as plain text", n, kind)
		}
	}
}

func TestSplitMrkdwnKeepsTokensWhole(t *testing.T) {
	tok := "<https://meet.example.org/abc|the meeting>"
	text := strings.Repeat("word ", 590) + tok + " " + strings.Repeat("x&amp;y ", 10)
	for _, part := range splitMrkdwn(text, maxSectionText) {
		if runes(part) > maxSectionText {
			t.Errorf("part of %d characters", runes(part))
		}
		if strings.Count(part, "<") != strings.Count(part, ">") {
			t.Errorf("a token was cut: …%s", part[max(0, len(part)-60):])
		}
	}
	if got := strings.Join(splitMrkdwn(text, maxSectionText), " "); strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(text), " ") {
		t.Error("splitting lost or changed text")
	}
	if c := clipMrkdwn("ab <@U123> cd", 6); c != "ab…" {
		t.Errorf("clip inside a mention: %q", c)
	}
}

// BenchmarkHome builds and encodes the views.publish payload of a person
// with 200 upcoming sessions (each with 30 speakers, 12 partners and 300
// participants), 12 pending prompts and staff figures.
func BenchmarkHome(b *testing.B) {
	e := newTestBot(b)
	start := e.clock.Now().Add(72 * time.Hour)
	home := exchange.Home{UserID: "U1", Total: 200, Staff: true, Month: start}
	for i := range 200 {
		home.Sessions = append(home.Sessions, biggest(int64(1000+i), start.Add(time.Duration(i)*time.Hour)))
	}
	for i := range 12 {
		home.Prompts = append(home.Prompts, exchange.Pending{Session: home.Sessions[i]})
	}
	// The floor: encoding a view already built, which any Home pays.
	built := slack.PublishViewContextRequest{UserID: "U1", View: e.bot.homeView(i18n.Spanish, home)}
	b.Run("build+encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req := slack.PublishViewContextRequest{UserID: "U1", View: e.bot.homeView(i18n.Spanish, home)}
			if _, err := json.Marshal(req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode_only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(built); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// press is a block_actions payload: user presses actionID (value) in
// channel, or in their App Home when channel is "".
func press(user, channel, actionID, value string) string {
	p := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": fmt.Sprintf("trig-%s-%d", user, time.Now().UnixNano()),
		"actions":    []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b", "value": value, "action_ts": "1764331201.000000"}},
	}
	if channel == "" {
		p["view"] = map[string]any{"id": "VH" + user, "type": "home"}
		p["container"] = map[string]any{"type": "view", "view_id": "VH" + user}
	} else {
		p["channel"] = map[string]any{"id": channel}
		p["container"] = map[string]any{"type": "message", "channel_id": channel, "message_ts": "1764331201.000001"}
	}
	b, _ := json.Marshal(p)
	return string(b)
}

// homeOpened is an app_home_opened event for user.
func homeOpened(t *testing.T, user string) string {
	body := readFixture(t, "event-app-home-opened.json")
	body = strings.Replace(body, "U061F7AUR", user, 1)
	return strings.Replace(body, "Ev08MFMKH7", fmt.Sprintf("EvHome%d", time.Now().UnixNano()), 1)
}

// homeText is the readable JSON of the view last published to user.
func (e *testEnv) homeText(user string) string {
	e.t.Helper()
	view := e.slack.Home(user)
	if view == nil {
		e.t.Fatalf("no Home published to %s", user)
	}
	b, _ := json.Marshal(view)
	return slackfake.Readable(string(b))
}

// flush runs the deliveries owed up to the end of the current coalescing
// window.
func (e *testEnv) flush() {
	e.t.Helper()
	e.clock.Add(exchange.Coalesce)
	e.deliver()
}

func TestHomeOpenedPublishesSessionsAndPrompts(t *testing.T) {
	e := newTestBot(t)
	held := scheduleAt(t, e, "U1", `<@U2|ana> <#C1|general>`)
	e.run("U1", `new "Next exchange" `+futureDate(5)+` 10:00 <#C1|general>`)
	e.run("U9", "join 2")
	e.clock.Set(held.Add(90*time.Minute + 16*time.Minute)) // the prompts have gone out
	e.deliver()

	if code, _ := e.event(homeOpened(t, "U1")); code != 200 {
		t.Fatal(code)
	}
	pub := e.slack.Calls("views.publish")
	if len(pub) == 0 || pub[len(pub)-1].JSON["user_id"] != "U1" {
		t.Fatalf("views.publish calls: %+v", pub)
	}
	home := e.homeText("U1")
	for _, want := range []string{"Next exchange", "you organise it", "1 person going", "calendar.google.com", "outlook.office.com",
		"/calendar/session/2.ics", `"action_id":"capture_lessons"`, "Youth employment", `"action_id":"search_lessons"`,
		`"action_id":"new_session"`, "Held:"} {
		if !strings.Contains(home, want) {
			t.Errorf("U1's Home lacks %q:\n%s", want, home)
		}
	}
	// A participant sees the session they joined, with Leave, and no staff tools.
	e.event(homeOpened(t, "U9"))
	home = e.homeText("U9")
	if !strings.Contains(home, "Next exchange") || !strings.Contains(home, `"action_id":"leave"`) {
		t.Errorf("U9's Home: %s", home)
	}
}

func TestHomeOnlyForStaffShowsStaffTools(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Staff = []string{"U1"} })
	e.event(homeOpened(t, "U5"))
	home := e.homeText("U5")
	if strings.Contains(home, `"action_id":"new_session"`) || strings.Contains(home, "Held:") || !strings.Contains(home, "Nothing coming up") {
		t.Errorf("a participant's Home: %s", home)
	}
}

func TestJoinUpdatesCountAndHome(t *testing.T) {
	e := newTestBot(t)
	e.run("U1", `new "Youth employment" `+futureDate(4)+` 15:00 <#C1|general>`)
	e.deliver()
	s, _ := e.store.Session(context.Background(), 1)
	if s.AnnounceTS == "" {
		t.Fatal("not announced")
	}
	e.flush()
	e.slack.Reset()

	// Three joins in one window, by button and by command: one update.
	e.interaction(press("U3", "C1", actionJoin, "1"))
	e.run("U4", "join 1")
	e.run("U5", "join 1")
	e.deliver()
	if n := len(e.slack.Calls("chat.update")); n != 0 {
		t.Fatalf("%d updates before the window ended", n)
	}
	e.flush()
	upd := e.slack.Calls("chat.update")
	if len(upd) != 1 || upd[0].Form.Get("ts") != s.AnnounceTS || !strings.Contains(upd[0].Blocks(), "3 people going") {
		t.Fatalf("updates after three joins: %+v", upd)
	}
	published := map[string]bool{}
	for _, c := range e.slack.Calls("views.publish") {
		published[fmt.Sprint(c.JSON["user_id"])] = true
	}
	if !published["U3"] || !published["U4"] || !published["U5"] {
		t.Errorf("Homes published: %v", published)
	}
	if home := e.homeText("U3"); !strings.Contains(home, "Youth employment") || !strings.Contains(home, `"action_id":"leave"`) {
		t.Errorf("U3's Home after joining: %s", home)
	}

	// Leave from the Home: the Home is published again at once, the count follows.
	e.slack.Reset()
	e.interaction(press("U3", "", actionLeave, "1"))
	if home := e.homeText("U3"); strings.Contains(home, "Youth employment") {
		t.Errorf("U3's Home after leaving still shows the session: %s", home)
	}
	e.flush()
	if upd := e.slack.Calls("chat.update"); len(upd) != 1 || !strings.Contains(upd[0].Blocks(), "2 people going") {
		t.Fatalf("update after leave: %+v", upd)
	}
}

func TestEditChangesAnnouncementAndFeed(t *testing.T) {
	e := newTestBot(t)
	mux := http.NewServeMux()
	calendar.NewHandler(e.store, calendar.Options{BaseURL: "https://bot.example.org", Public: true}).Register(mux)
	feeds := httptest.NewServer(mux)
	defer feeds.Close()
	feed := func() string {
		resp, err := http.Get(feeds.URL + "/calendar/session/1.ics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	e.run("U1", `new "Youth employment" `+futureDate(4)+` 15:00 <#C1|general>`)
	e.deliver()
	if !strings.Contains(feed(), "SEQUENCE:0") {
		t.Fatalf("feed before: %s", feed())
	}
	e.slack.Reset()
	r := e.run("U1", `edit 1 title:"Youth employment in rural areas" link:https://meet.example.org/new`)
	if !strings.Contains(r, "Updated") {
		t.Fatalf("edit: %s", r)
	}
	e.deliver()
	upd := e.slack.Calls("chat.update")
	if len(upd) != 1 || !strings.Contains(upd[0].Blocks(), "Youth employment in rural areas") || !strings.Contains(upd[0].Blocks(), "https://meet.example.org/new") {
		t.Fatalf("announcement after edit: %+v", upd)
	}
	notes := e.slack.Calls("chat.postMessage")
	if len(notes) != 1 || notes[0].Form.Get("thread_ts") == "" || !strings.Contains(notes[0].Form.Get("text"), "New join link") {
		t.Fatalf("thread note for the new link: %+v", notes)
	}
	if f := feed(); !strings.Contains(f, "SEQUENCE:1") || !strings.Contains(f, "SUMMARY:Youth employment in rural areas") {
		t.Errorf("feed after edit: %s", f)
	}
}

func TestEditForm(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Staff = []string{"U1"} })
	e.run("U1", `new "Youth employment" `+futureDate(4)+` 15:00 <#C1|general>`)
	e.deliver()
	// Someone else's press is refused; the creator's opens the form prefilled.
	e.interaction(strings.Replace(press("U7", "C1", actionManage, ""), `"value":""`, `"selected_option":{"value":"edit:1"}`, 1))
	if len(e.slack.Calls("views.open")) != 0 {
		t.Fatal("the menu opened a form for someone who may not edit")
	}
	e.interaction(strings.Replace(press("U1", "C1", actionManage, ""), `"value":""`, `"selected_option":{"value":"edit:1"}`, 1))
	opened := e.slack.Calls("views.open")
	if len(opened) != 1 {
		t.Fatalf("views.open: %+v", opened)
	}
	view, _ := json.Marshal(opened[0].JSON["view"])
	if !strings.Contains(string(view), `"initial_value":"Youth employment"`) || !strings.Contains(string(view), callbackEdit) {
		t.Fatalf("edit form: %s", view)
	}
	sub := strings.Replace(viewSubmission("U1", map[string]map[string]any{
		"title": {"type": "plain_text_input", "value": "Renamed"},
		"kind":  {"type": "static_select", "selected_option": map[string]any{"value": "workshop"}},
	}, `{"session":1,"channel":"C1"}`), callbackNewSession, callbackEdit, 1)
	if code, body := e.interaction(sub); code != 200 || strings.TrimSpace(body) != "" {
		t.Fatalf("submit: %d %s", code, body)
	}
	s, _ := e.store.Session(context.Background(), 1)
	if s.Title != "Renamed" || s.Kind != "workshop" || s.Sequence != 1 {
		t.Errorf("after the form: %+v", s)
	}
}

func TestSpeakerAddedGetsDM(t *testing.T) {
	e := newTestBot(t)
	e.run("U1", `new "Youth employment" `+futureDate(4)+` 15:00 <#C1|general>`)
	e.deliver()
	e.slack.Reset()
	if r := e.run("U1", "speakers 1 add <@U7|eva>"); !strings.Contains(r, "Added") {
		t.Fatal(r)
	}
	e.deliver()
	var dm []slackfake.Call
	for _, c := range e.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "DU7" {
			dm = append(dm, c)
		}
	}
	if len(dm) != 1 || !strings.Contains(dm[0].Form.Get("text"), "added you as a speaker") || !strings.Contains(dm[0].Form.Get("text"), "See the announcement") {
		t.Fatalf("DMs to the added speaker: %+v", dm)
	}
	// Removed again: their reminders go.
	e.run("U1", "speakers 1 remove <@U7>")
	rows, _ := e.store.Deliveries(context.Background(), 1)
	for _, d := range rows {
		if d.Recipient == "U7" && d.Kind == kindReminder && d.State == store.StatePending {
			t.Errorf("reminder left for a removed speaker: %+v", d)
		}
	}
}

func TestReminderHasJoinButtonAndAnnouncement(t *testing.T) {
	e, s := remEnv(t, func(c *Config) { c.Reminders.Before = []time.Duration{time.Hour} })
	if _, err := e.bot.svc.Edit(context.Background(), exchange.Actor{UserID: "U1"}, s.ID, exchange.Changes{Link: ptr("https://meet.example.org/r")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(remStart.Add(-time.Hour))
	e.deliver()
	var found bool
	for _, c := range e.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") != "DU3P" || !strings.Contains(c.Form.Get("text"), "Reminder") {
			continue
		}
		found = true
		bl := c.Blocks()
		if !hasLinkButton(t, bl, "https://meet.example.org/r") || !strings.Contains(bl, Permalink(s.AnnounceChannel, s.AnnounceTS)) {
			t.Errorf("DM reminder blocks: %s", bl)
		}
	}
	if !found {
		t.Fatalf("no DM reminder: %+v", e.slack.Calls("chat.postMessage"))
	}
}

// hasLinkButton reports whether blocks (JSON) hold a button, in an
// actions block, that opens url.
func hasLinkButton(t *testing.T, blocks, url string) bool {
	t.Helper()
	var bs []struct {
		Type     string `json:"type"`
		Elements []struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(blocks), &bs); err != nil {
		t.Fatalf("blocks %q: %v", blocks, err)
	}
	for _, b := range bs {
		for _, e := range b.Elements {
			if b.Type == "actions" && e.Type == "button" && e.URL == url {
				return true
			}
		}
	}
	return false
}

func ptr(s string) *string { return &s }

func TestInvalidBlocksOnceAnnouncementArrivesAsText(t *testing.T) {
	e := newTestBot(t)
	e.run("U1", `new "Youth employment" `+futureDate(4)+` 15:00 <#C1|general> partner:"FISDL"`)
	e.slack.Fail("chat.postMessage", 1, "invalid_blocks")
	e.deliver()
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 2 || posts[0].Error != "invalid_blocks" || posts[1].Error != "" || posts[1].Form.Get("blocks") != "[]" ||
		!strings.Contains(posts[1].Form.Get("text"), "Youth employment") || !strings.Contains(posts[1].Form.Get("text"), "FISDL") {
		t.Fatalf("posts: %+v", posts)
	}
	s, _ := e.store.Session(context.Background(), 1)
	if s.AnnounceTS == "" {
		t.Error("the plain announcement was not recorded as the announcement")
	}
	if n := e.metric(`exchangebot_plain_fallbacks_total{kind="announce"}`); n != 1 {
		t.Errorf("plain fallbacks counted: %v", n)
	}
}

func TestChannelNotFoundTellsCreatorAndCounts(t *testing.T) {
	e := newTestBot(t)
	e.run("U1", `new "Youth employment" `+futureDate(4)+` 15:00 <#C404|gone>`)
	e.slack.FailChannel("C404", "channel_not_found") // deleted after scheduling
	e.deliver()
	e.deliver() // the creator's note
	var told bool
	for _, c := range e.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "DU1" && strings.Contains(c.Form.Get("text"), "could not post the announcement") {
			told = true
		}
	}
	if !told {
		t.Fatalf("creator not told: %+v", e.slack.Calls("chat.postMessage"))
	}
	if n := e.metric(`exchangebot_deliveries_total{kind="announce",outcome="failed"}`); n != 1 {
		t.Errorf("failed announcements on /metrics: %v", n)
	}
}

func TestPrivateChannelToldWhenScheduling(t *testing.T) {
	e := newTestBot(t)
	e.slack.FailChannel("GSECRET", "not_in_channel")
	r := e.run("U1", `new "Youth employment" `+futureDate(4)+` 15:00 <#GSECRET|board>`)
	if !strings.Contains(r, "private") || !strings.Contains(r, "/invite") || e.sessionCount() != 0 {
		t.Fatalf("reply %q, %d sessions", r, e.sessionCount())
	}
	// A private channel the bot is in, and a public one it is not in, are fine.
	e.slack.Private["GIN"] = true
	if r := e.run("U1", `new "A" `+futureDate(4)+` 15:00 <#GIN|in>`); !strings.Contains(r, "Scheduled") {
		t.Errorf("private, invited: %q", r)
	}
	e.slack.Private["GOUT"] = false
	if r := e.run("U1", `new "B" `+futureDate(4)+` 15:00 <#GOUT|out>`); !strings.Contains(r, "invite") {
		t.Errorf("private, not invited: %q", r)
	}
	if r := e.run("U1", `new "C" `+futureDate(4)+` 15:00 <#CPUBLIC|all>`); !strings.Contains(r, "Scheduled") {
		t.Errorf("public: %q", r)
	}
}

// A channel found fit is not asked about again for a while: many
// sessions scheduled in one channel cost one conversations.info, not a
// round trip each. One found unfit is asked about again at once, so an
// invitation shows on the next try.
func TestChannelCheckedOnceAWhile(t *testing.T) {
	e := newTestBot(t)
	calls := func(ch string) int {
		n := 0
		for _, c := range e.slack.Calls("conversations.info") {
			if c.Form.Get("channel") == ch {
				n++
			}
		}
		return n
	}
	for i := range 3 {
		if r := e.run("U1", fmt.Sprintf(`new "S%d" %s 15:00 <#CPUBLIC|all>`, i, futureDate(4))); !strings.Contains(r, "Scheduled") {
			t.Fatalf("new %d: %q", i, r)
		}
	}
	if n := calls("CPUBLIC"); n != 1 {
		t.Errorf("conversations.info asked %d times for three sessions, want 1", n)
	}
	e.clock.Set(e.clock.Now().Add(channelFitTTL + time.Minute))
	e.run("U1", `new "Later" `+futureDate(4)+` 15:00 <#CPUBLIC|all>`)
	if n := calls("CPUBLIC"); n != 2 {
		t.Errorf("conversations.info asked %d times once the answer was old, want 2", n)
	}

	e.slack.Private["GOUT"] = false
	e.run("U1", `new "Out" `+futureDate(4)+` 15:00 <#GOUT|out>`)
	e.slack.Private["GOUT"] = true // invited
	if r := e.run("U1", `new "In now" `+futureDate(4)+` 15:00 <#GOUT|out>`); !strings.Contains(r, "Scheduled") {
		t.Errorf("after the invitation: %q", r)
	}
}

func TestDMOutsideAConversationGetsAnAnswer(t *testing.T) {
	e := newTestBot(t)
	e.slack.Locales["U5"] = "es-CL"
	e.run("U1", `new "Empleo juvenil" `+futureDate(4)+` 15:00 <#C1|general>`)
	e.run("U5", "join 1")
	e.event(dm(t, "EvHola", "DU5", "U5", "hola"))
	e.deliver()
	got := e.postsTo("DU5")
	if len(got) != 1 || !strings.Contains(got[0], "¡Hola!") || !strings.Contains(got[0], "Empleo juvenil") || !strings.Contains(got[0], "/exchange ayuda") {
		t.Fatalf("answer to hola: %q", got)
	}
}

func TestListPagesAndMine(t *testing.T) {
	e := newTestBot(t)
	ctx := context.Background()
	start := e.clock.Now().Add(48 * time.Hour)
	for i := range 66 {
		d := exchange.Draft{Title: fmt.Sprintf("Session %02d", i+1), Start: start.Add(time.Duration(i) * time.Hour), Channel: "C1"}
		for j := range 5 {
			d.Speakers = append(d.Speakers, store.Speaker{UserID: fmt.Sprintf("USP%d%d", i, j)})
		}
		if _, err := e.bot.svc.Schedule(ctx, exchange.Actor{UserID: "U1"}, d); err != nil {
			t.Fatal(err)
		}
	}
	r := e.run("U2", "list")
	if n := strings.Count(r, "\n*#"); n != 25 {
		t.Errorf("page 1 has %d lines:\n%s", n, r)
	}
	if !strings.Contains(r, "41 more: `/exchange list page 2`, or `/exchange list all`") || !strings.Contains(r, "page 1 of 3") {
		t.Errorf("page 1 does not say what is left:\n%s", r)
	}
	if !strings.Contains(r, "<@USP00>, <@USP01>, <@USP02>, +2") {
		t.Errorf("speakers not compact:\n%s", r)
	}
	r = e.run("U2", "list page 3")
	if n := strings.Count(r, "\n*#"); n != 16 || strings.Contains(r, "more:") || !strings.Contains(r, "Session 66") {
		t.Errorf("page 3:\n%s", r)
	}
	if r := e.run("U2", "lista página 2"); !strings.Contains(r, "Session 26") || strings.Contains(r, "Session 25 ") {
		t.Errorf("lista página 2:\n%s", r)
	}
	if r := e.run("U1", "list mine"); !strings.Contains(r, "Session 01") {
		t.Errorf("list mine leaves out what I created:\n%s", r)
	}
	if r := e.run("U2", "list mine"); !strings.Contains(r, "none") {
		t.Errorf("list mine of someone with nothing:\n%s", r)
	}
}

func TestTerminalRendersWhatAPersonReads(t *testing.T) {
	loc := mustLoc("America/Santiago")
	at := time.Date(2026, 12, 3, 15, 0, 0, 0, loc)
	in := fmt.Sprintf("Scheduled *#1* M&amp;E &lt;draft&gt; for <!date^%d^{date_short_pretty} {time}|Thu 3 Dec 2026 15:00 -03> with <@U2|ana>, <@U3> in <#C1|general> <#C2>: <https://x.org/a|the link> <https://x.org/b> ~old~ _in person_ America/Buenos_Aires `list`",
		at.Unix())
	want := "Scheduled #1 M&E <draft> for Thu 3 Dec 2026 15:00 -03 with @ana, @U3 in #general #C2: the link (https://x.org/a) https://x.org/b old in person America/Buenos_Aires list"
	if got := terminalText(in, loc, "en"); got != want {
		t.Errorf("terminal:\n got %q\nwant %q", got, want)
	}
}

func TestListPageGrammar(t *testing.T) {
	tests := []struct {
		in          string
		scope       string
		page        int
		errContains string
	}{
		{"list", "", 0, ""},
		{"list page 2", "", 2, ""},
		{"list all page 3", "all", 3, ""},
		{"lista página 2", "", 2, ""},
		{"lista mías pagina 4", "mine", 4, ""},
		{"list mine", "mine", 0, ""},
		{"list page", "", 0, "Which page"},
		{"list page two", "", 0, "not a page number"},
		{"list page 0", "", 0, "not a page number"},
		{"list page 2 3", "", 0, "3"},
		{"list yesterday", "", 0, "yesterday"},
	}
	for _, tt := range tests {
		c, err := Parse(tt.in)
		if tt.errContains != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errContains) {
				t.Errorf("%q: error %v, want one with %q", tt.in, err, tt.errContains)
			}
			continue
		}
		if err != nil || c.Scope != tt.scope || c.Page != tt.page {
			t.Errorf("%q = scope %q page %d, %v; want %q %d", tt.in, c.Scope, c.Page, err, tt.scope, tt.page)
		}
	}
}

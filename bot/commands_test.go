package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// dbSnapshot counts every table a command could change.
func (e *testEnv) dbSnapshot() map[string]int {
	e.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"sessions", "session_speakers", "speakers", "session_partners", "participants", "outbox", "feed_tokens"} {
		var n int
		if err := e.store.DB().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out[table] = n
	}
	var seq, status string
	e.store.DB().QueryRow("SELECT group_concat(sequence || ':' || starts_at || ':' || status) FROM sessions").Scan(&seq)
	e.store.DB().QueryRow("SELECT group_concat(state) FROM outbox").Scan(&status)
	out["fingerprint:"+seq+"/"+status] = 1
	return out
}

func TestMalformedCommandsChangeNothing(t *testing.T) {
	e := newTestBot(t)
	d := futureDate(3)
	if r := e.run("U1", `new "Base session" `+d+` 10:00 <#C1|general> <@U2|ana>`); !strings.Contains(r, "#1") {
		t.Fatal(r)
	}
	e.deliver()
	e.slack.Reset()
	before := e.dbSnapshot()

	tests := []struct{ text, want string }{
		// The grammar reads the date; exchange refuses it, worded as before.
		{`new "T" 2020-01-01 10:00`, "That time is in the past (Wed 1 Jan 2020 10:00 -03). Pick a later date or time."},
		{`new "T" yesterday 10:00`, "in the past"},
		{`new "T" ayer 10:00`, "in the past"},
		{`new "T" 2026-02-31 10:00`, `"2026-02-31" is not a date`},
		{`new "T" 2027-13-01 10:00`, `"2027-13-01" is not a date`},
		{`new "T" 32 dec 10:00`, `"32 dec" is not a date`},
		{`new "T" 30 feb 10:00`, `"30 feb" is not a date`},
		{`new "T" ` + d + ` 25:00`, "hours go from 0 to 23"},
		{`new "T" ` + d + ` 13pm`, "the hour goes from 1 to 12"},
		{`new "T" ` + d + ` 15:60`, "minutes go from 00 to 59"},
		{`new "T" ` + d, "time is missing"},
		{`new "T" ` + d + ` noon`, `"noon" is not a time`},
		{`new "T" ` + d + ` 10:00 0m`, "less than a minute"},
		{`new "T" ` + d + ` 10:00 0h`, "less than a minute"},
		{`new "T" ` + d + ` 10:00 -30m`, `"-30m"`},
		{`new "T" ` + d + ` 10:00 25h`, "longer than 24h"},
		{`new "T" ` + d + ` 10:00 24h1m`, "longer than 24h"},
		{`new "T" ` + d + ` 10:00 1.5x`, `"1.5x" is not a duration`},
		{`new "T" ` + d + ` 10:00 tz:Mars/Olympus`, `Unknown time zone "Mars/Olympus"`},
		{`new "T" ` + d + ` 10:00 tz:`, "`tz:` has no value"},
		{`new "" ` + d + ` 10:00`, "title is missing"},
		{`new ` + d + ` 10:00`, "title is missing"},
		{`new "` + strings.Repeat("x", 151) + `" ` + d + ` 10:00`, "the limit is 150"},
		{`new ` + strings.Repeat("palabra ", 20) + d + ` 10:00`, "the limit is 150"},
		{`new "Unclosed ` + d + ` 10:00`, "never closed"},
		{`new “Curly unclosed ` + d + ` 10:00`, "never closed"},
		{`new "T" ` + d + ` 10:00 kind:party`, `Unknown kind "party"`},
		{`new "T" ` + d + ` 10:00 link:ftp://x`, "not a web link"},
		{`new "T" ` + d + ` 10:00 link:javascript:alert(1)`, "not a web link"},
		{`new "T" ` + d + ` 10:00 link:https://meet.example.org@evil.example/`, "not a web link"},
		{`new "T" ` + d + ` 10:00 link:<https://meet.example.org@evil.example/|meet>`, "not a web link"},
		{`new "T" ` + d + ` 10:00 lang:fr`, `Unknown language "fr"`},
		{`new "T" ` + d + ` 10:00 color:red`, `Unknown key "color:"`},
		{`new "T" ` + d + ` 10:00 @ana`, "autocomplete"},
		{`new "T" ` + d + ` 10:00 partner:`, "`partner:` has no value"},
		{`show 999`, "no session #999"},
		{`show`, "needs a session id"},
		{`show abc`, `"abc" is not a session id`},
		{`show #0`, "ids start at 1"},
		{`show 99999999999999999999`, "too large"},
		{`move 999 ` + d + ` 10:00`, "no session #999"},
		{`move 1`, "date and time are missing"},
		{`move 1 ` + d, "time is missing"},
		{`move 1 2020-01-01 10:00`, "That time is in the past (Wed 1 Jan 2020 10:00 -03)."},
		{`move 1 ` + d + ` 10:00 0m`, "less than a minute"},
		{`cancel 999`, "no session #999"},
		{`cancel`, "needs a session id"},
		{`speakers 1 add`, "Say who to add"},
		{`speakers 1 invite <@U3>`, `"invite" is not`},
		{`speakers 1 add "Jane <not-an-email>"`, "not an email address"},
		{`speakers 999 add <@U3>`, "no session #999"},
		{`join 999`, "no session #999"},
		{`join`, "needs a session id"},
		{`leave x`, `"x" is not a session id`},
		{`list everything`, `does not take "everything"`},
		{`feed now`, `does not take "now"`},
		{`frobnicate`, `Unknown command "frobnicate"`},
		{`lessons #0`, "ids start at 1"},
		{`report 2026-13`, `"2026-13" is not a month`},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d malformed cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := e.run("U1", tt.text)
			if !strings.Contains(got, tt.want) {
				t.Fatalf("reply %q\nwant it to contain %q", got, tt.want)
			}
			if got == tr(i18n.English, msgInternal) {
				t.Fatal("a user mistake was reported as an internal error")
			}
		})
	}
	e.deliver()
	after := e.dbSnapshot()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d before, %d after malformed commands", k, v, after[k])
		}
	}
	if len(after) != len(before) {
		t.Errorf("database changed: %v -> %v", before, after)
	}
	if calls := e.slack.Calls("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open"); len(calls) != 0 {
		t.Errorf("malformed commands reached Slack: %+v", calls)
	}
}

func TestMalformedCommandOverHTTPIsEphemeral(t *testing.T) {
	e := newTestBot(t)
	code, body := e.command("U1", `new "T" 2020-01-01 10:00`, "trig-bad")
	if code != 200 || !strings.Contains(body, `"response_type":"ephemeral"`) || !strings.Contains(body, "in the past") {
		t.Fatalf("got %d %s", code, body)
	}
	if e.sessionCount() != 0 {
		t.Fatal("stored a session")
	}
}

func TestStaffPermissions(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Staff = []string{"U1", "U9"} })
	d := futureDate(4)
	if r := e.run("U5", `new "Not staff" `+d+` 10:00`); !strings.Contains(r, "Only staff") {
		t.Fatalf("non-staff new: %q", r)
	}
	if e.sessionCount() != 0 {
		t.Fatal("non-staff scheduled a session")
	}
	if r := e.run("U1", `new "Staff session" `+d+` 10:00 <#C1>`); !strings.Contains(r, "#1") {
		t.Fatalf("staff new: %q", r)
	}
	for _, text := range []string{"move 1 " + d + " 11:00", "cancel 1", "speakers 1 add <@U7>"} {
		if r := e.run("U5", text); !strings.Contains(r, "Only staff or <@U1>") {
			t.Errorf("non-staff %q: %q", text, r)
		}
	}
	s, _ := e.store.Session(context.Background(), 1)
	if s.Sequence != 0 || s.Cancelled() || len(s.Speakers) != 0 {
		t.Fatalf("non-staff changed the session: %+v", s)
	}
	// Another staff member may manage it; anyone may list, show and join.
	if r := e.run("U9", "speakers 1 add <@U7>"); !strings.Contains(r, "Added") {
		t.Errorf("staff speakers: %q", r)
	}
	for _, text := range []string{"list", "show 1", "join 1"} {
		if r := e.run("U5", text); strings.Contains(r, "Only staff") {
			t.Errorf("%q refused to a participant: %q", text, r)
		}
	}
}

func TestEmptyStaffMeansEveryoneManages(t *testing.T) {
	e := newTestBot(t) // staff empty: everyone is staff
	d := futureDate(4)
	e.run("U1", `new "Mine" `+d+` 10:00 <#C1>`)
	if r := e.run("U1", "move 1 "+d+" 11:00"); !strings.Contains(r, "Moved") {
		t.Errorf("creator move: %q", r)
	}
	if r := e.run("U2", "cancel 1"); !strings.Contains(r, "Cancelled *#1*") {
		t.Errorf("with no staff list, another user could not cancel: %q", r)
	}
}

func TestStaffUserGroup(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Staff = []string{"S0614TZR7"} })
	e.slack.Groups["S0614TZR7"] = []string{"U1"}
	d := futureDate(4)
	if r := e.run("U5", `new "X" `+d+` 10:00`); !strings.Contains(r, "Only staff") {
		t.Errorf("non-member: %q", r)
	}
	if r := e.run("U1", `new "X" `+d+` 10:00`); !strings.Contains(r, "#1") {
		t.Errorf("member: %q", r)
	}
}

func TestSessionLifecycle(t *testing.T) {
	e := newTestBot(t)
	ctx := context.Background()
	d := futureDate(5)
	r := e.run("U1", `new Youth employment `+d+` 15:00 1.5h <@U2|ana> "Jane Doe <jane@example.org>" <#C1|general> partner:"FISDL El Salvador" partner:“Fondo Perú” kind:exchange lang:es link:<https://meet.example.org/y|meet>`)
	if !strings.Contains(r, "#1") {
		t.Fatal(r)
	}
	e.deliver()
	s, err := e.store.Session(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "Youth employment" || s.Kind != "exchange" || s.Duration != 90*time.Minute || s.Lang != "es" ||
		s.Link != "https://meet.example.org/y" || len(s.Partners) != 2 || s.Partners[1] != "Fondo Perú" || len(s.Speakers) != 2 {
		t.Fatalf("stored %+v", s)
	}
	if s.AnnounceChannel != "C1" || s.AnnounceTS == "" {
		t.Fatalf("announcement not recorded: %+v", s)
	}

	if r := e.run("U3", "list"); !strings.Contains(r, "#1") || !strings.Contains(r, "Youth employment") || !strings.Contains(r, "<!date^") {
		t.Errorf("list: %q", r)
	}
	if r := e.run("U3", "list mine"); strings.Contains(r, "#1") {
		t.Errorf("list mine before joining shows #1: %q", r)
	}
	if r := e.run("U2", "list mine"); !strings.Contains(r, "#1") {
		t.Errorf("speaker's list mine lacks #1: %q", r)
	}
	if r := e.run("U3", "show #1"); !strings.Contains(r, "FISDL El Salvador") || !strings.Contains(r, "Jane Doe") || !strings.Contains(r, "/calendar/session/1.ics") {
		t.Errorf("show: %q", r)
	}

	e.slack.Reset()
	if r := e.run("U1", "move 1 "+futureDate(6)+" 16:00"); !strings.Contains(r, "Moved *#1*") {
		t.Fatalf("move: %q", r)
	}
	e.deliver()
	thread := e.slack.Calls("chat.postMessage")
	// A lang:es session's channel reads Spanish.
	if len(thread) != 1 || thread[0].Form.Get("thread_ts") != s.AnnounceTS || !strings.Contains(thread[0].Form.Get("text"), "Cambio de hora") {
		t.Fatalf("move thread post = %+v", thread)
	}
	upd := e.slack.Calls("chat.update")
	if len(upd) != 1 || upd[0].Form.Get("ts") != s.AnnounceTS || upd[0].Form.Get("channel") != "C1" {
		t.Fatalf("move update = %+v", upd)
	}
	moved, _ := e.store.Session(ctx, 1)
	if moved.Sequence != 1 || moved.Duration != 90*time.Minute || !strings.Contains(upd[0].Blocks(), "<!date^"+strconv.FormatInt(moved.Start.Unix(), 10)) {
		t.Errorf("after move: seq %d dur %s blocks %s", moved.Sequence, moved.Duration, upd[0].Blocks())
	}

	if r := e.run("U4", "join 1"); !strings.Contains(r, "You joined") {
		t.Errorf("join: %q", r)
	}
	if r := e.run("U4", "list mine"); !strings.Contains(r, "#1") {
		t.Errorf("list mine after join: %q", r)
	}
	if r := e.run("U4", "leave 1"); !strings.Contains(r, "You left") {
		t.Errorf("leave: %q", r)
	}
	if r := e.run("U4", "leave 1"); !strings.Contains(r, "had not joined") {
		t.Errorf("second leave: %q", r)
	}

	if r := e.run("U1", "speakers 1 remove <@U2>"); !strings.Contains(r, "Removed <@U2>") {
		t.Errorf("remove speaker: %q", r)
	}
	if r := e.run("U1", "speakers 1 remove <@U2>"); !strings.Contains(r, "Nothing changed") {
		t.Errorf("remove again: %q", r)
	}

	e.deliver()
	e.slack.Reset()
	if r := e.run("U1", "cancel 1 the speaker is ill"); !strings.Contains(r, "Cancelled *#1*") {
		t.Fatalf("cancel: %q", r)
	}
	e.deliver()
	thread = e.slack.Calls("chat.postMessage")
	if len(thread) != 1 || thread[0].Form.Get("thread_ts") != s.AnnounceTS || !strings.Contains(thread[0].Form.Get("text"), "the speaker is ill") {
		t.Fatalf("cancel thread post = %+v", thread)
	}
	upd = e.slack.Calls("chat.update")
	// The session is in Spanish (lang:es), and so is its announcement.
	if len(upd) != 1 || !strings.Contains(upd[0].Blocks(), "Cancelada: Youth employment") || strings.Contains(upd[0].Blocks(), `"action_id":"join"`) {
		t.Fatalf("cancel update = %+v", upd)
	}
	if r := e.run("U1", "move 1 "+futureDate(7)+" 10:00"); !strings.Contains(r, "was cancelled") {
		t.Errorf("move after cancel: %q", r)
	}
	if r := e.run("U4", "join 1"); !strings.Contains(r, "was cancelled") {
		t.Errorf("join after cancel: %q", r)
	}
	// The join and leave's refresh of the announcement waits for the end
	// of its window; past it, nothing is owed any more.
	e.clock.Add(exchange.Coalesce)
	e.deliver()
	rows, _ := e.store.Deliveries(ctx, 1)
	for _, row := range rows {
		if row.State == store.StatePending {
			t.Errorf("pending after cancel: %+v", row)
		}
	}
}

func TestTimeZones(t *testing.T) {
	e := newTestBot(t)
	e.slack.Zones["U7"] = "Europe/Madrid"
	d := futureDate(5)
	e.run("U7", `new "Madrid" `+d+` 15:00`)
	e.run("U1", `new "Santiago default" `+d+` 15:00`)
	e.run("U7", `new "Explicit" `+d+` 15:00 tz:Asia/Tokyo`)
	ctx := context.Background()
	for id, zone := range map[int64]string{1: "Europe/Madrid", 2: "America/Santiago", 3: "Asia/Tokyo"} {
		s, err := e.store.Session(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		local := s.Start.In(mustLoc(zone))
		if s.TZ != zone || local.Hour() != 15 || local.Format("2006-01-02") != d {
			t.Errorf("#%d: zone %s start %s (local %s), want 15:00 on %s in %s", id, s.TZ, s.Start, local, d, zone)
		}
	}
	// users.info is cached: one call for U7 despite two commands.
	n := 0
	for _, c := range e.slack.Calls("users.info") {
		if c.Form.Get("user") == "U7" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("users.info called %d times for U7, want 1 (cached)", n)
	}
}

func TestFeedCommand(t *testing.T) {
	e := newTestBot(t)
	r := e.run("U1", "feed")
	for _, want := range []string{"https://bot.example.org/calendar/u/", "webcal://bot.example.org/calendar/u/", "calendar.google.com"} {
		if !strings.Contains(r, want) {
			t.Errorf("feed reply lacks %q: %s", want, r)
		}
	}
	if r2 := e.run("U1", "feed"); !strings.Contains(r2, "feed reset") || strings.Contains(r2, "/calendar/u/") {
		t.Errorf("second feed should not show a link it cannot know: %s", r2)
	}
	_, rest, _ := strings.Cut(r, "/calendar/u/")
	token, _, _ := strings.Cut(rest, ".ics")
	if _, err := e.store.FeedTokenUser(context.Background(), token); err != nil {
		t.Fatalf("token from reply unknown: %v", err)
	}
	r3 := e.run("U1", "feed reset")
	if !strings.Contains(r3, "old link no longer works") {
		t.Errorf("reset reply: %s", r3)
	}
	if _, err := e.store.FeedTokenUser(context.Background(), token); err == nil {
		t.Error("old token still valid after reset")
	}
}

func TestHelp(t *testing.T) {
	e := newTestBot(t)
	for _, text := range []string{"", "help", "HELP"} {
		r := e.run("U1", text)
		if !strings.Contains(r, "/exchange new") || !strings.Contains(r, "/exchange feed") {
			t.Errorf("help for %q: %s", text, r)
		}
	}
}

// TestFeedCommandFollowsFeedsPublic: the feed of every session needs a
// token when feeds are not public, and the reply gives it one.
func TestFeedCommandFollowsFeedsPublic(t *testing.T) {
	for _, public := range []bool{true, false} {
		e := newTestBot(t, func(c *Config) { c.FeedsPublic = public })
		r := e.run("U1", "feed")
		_, rest, _ := strings.Cut(r, "/calendar/u/")
		token, _, _ := strings.Cut(rest, ".ics")
		all := "<https://bot.example.org/calendar/all.ics?lang=en>"
		if !public {
			all = "<https://bot.example.org/calendar/all.ics?lang=en&token=" + token + ">"
		}
		if token == "" || !strings.Contains(r, "Every session, not only yours: "+all) {
			t.Errorf("feeds.public %v: reply lacks %s:\n%s", public, all, r)
		}
	}
}

// TestEditCommand: `edit` changes what was said, in either language,
// refreshes the announcement, and refuses what exchange refuses.
func TestEditCommand(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Staff = []string{"U1"} })
	if r := e.run("U1", `new "Youth employment" `+futureDate(3)+` 10:00 <#C1|general>`); !strings.Contains(r, "#1") {
		t.Fatal(r)
	}
	e.deliver()
	for _, tt := range []struct{ user, text, want string }{
		{"U1", `edit 1 title:"Youth employment, II" link:https://meet.example.org/yes description:"Bring data"`, "Updated *#1* Youth employment, II"},
		{"U1", `editar 1 tipo:taller`, "Updated *#1*"},
		{"U1", `edit 1 link:https://meet.example.org@evil.example/`, "not a web link"},
		{"U5", `edit 1 title:"Mine now"`, "Only staff or <@U1>, who scheduled #1, can edit it."},
	} {
		if r := e.run(tt.user, tt.text); !strings.Contains(r, tt.want) {
			t.Errorf("%s: %q, want %q", tt.text, r, tt.want)
		}
	}
	s, err := e.store.Session(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "Youth employment, II" || s.Link != "https://meet.example.org/yes" || s.Description != "Bring data" || s.Kind != "workshop" || s.Sequence != 2 {
		t.Errorf("after edits: %+v", s)
	}
	e.slack.Reset()
	e.deliver()
	if up := e.slack.Calls("chat.update"); len(up) == 0 || !strings.Contains(up[len(up)-1].Form.Get("blocks"), "Youth employment, II") {
		t.Errorf("announcement not refreshed: %+v", up)
	}
}

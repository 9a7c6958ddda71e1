package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// Before each occurrence after the first, a note in the series' thread
// says it is next, with a Join button for it alone; none is posted for an
// occurrence cancelled since.
func TestSeriesNoteBeforeEachOccurrence(t *testing.T) {
	e := newSeriesEnv(t)
	santiago := mustLoc("America/Santiago")
	ids := e.schedule(`new "Webinar cycle" 2026-03-04 10:00 <#C1|cop> tz:America/Santiago every:2w count:3`)
	e.deliver()
	if _, err := e.bot.svc.Cancel(context.Background(), exchange.Actor{UserID: "U1"}, ids[2], ""); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	e.slack.Reset()
	// When the first ends, the second is two weeks off: its note is due a
	// week before it, on 11 March.
	e.clock.Set(time.Date(2026, 3, 4, 11, 0, 0, 0, santiago))
	e.deliver()
	if n := len(e.slack.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("%d posts two weeks ahead", n)
	}
	e.clock.Set(time.Date(2026, 3, 11, 10, 0, 0, 0, santiago))
	e.deliver()
	var notes []slackfake.Call
	for _, c := range e.slack.Calls("chat.postMessage") {
		if strings.Contains(c.Form.Get("text"), "Next in this series") {
			notes = append(notes, c)
		}
	}
	if len(notes) != 1 {
		t.Fatalf("%d notes, want 1: %+v", len(notes), e.slack.Calls("chat.postMessage"))
	}
	n := notes[0]
	if n.Form.Get("thread_ts") != e.slack.Messages()[0].TS || !strings.Contains(n.Form.Get("text"), fmt.Sprintf("#%d, 2 of 2", ids[1])) ||
		!strings.Contains(n.Blocks(), `"action_id":"join","value":"`+fmt.Sprint(ids[1])+`"`) {
		t.Errorf("note %q in thread %q, blocks %s", n.Form.Get("text"), n.Form.Get("thread_ts"), n.Blocks())
	}
	// Past the third's time nothing more is said: it was cancelled.
	e.slack.Reset()
	e.clock.Set(time.Date(2026, 4, 2, 9, 0, 0, 0, santiago))
	e.deliver()
	for _, c := range e.slack.Calls("chat.postMessage") {
		if strings.Contains(c.Form.Get("text"), "Next in this series") {
			t.Errorf("a note for a cancelled occurrence: %q", c.Form.Get("text"))
		}
	}
}

// show and list say where an occurrence is in its series; lessons can be
// read for the whole series; the report counts series.
func TestSeriesShowListLessonsReport(t *testing.T) {
	e := newSeriesEnv(t)
	santiago := mustLoc("America/Santiago")
	if help := e.run("U3", "help"); !strings.Contains(help, "`/exchange move 12 all tue 16:00` moves #12 and the later ones") {
		t.Errorf("help says nothing of series:\n%s", help)
	}
	ids := e.schedule(`new "CoP" 2026-03-10 15:00 <@U2|ana> <#C1|cop> tz:America/Santiago every:week count:4`)
	show := e.run("U3", fmt.Sprintf("show %d", ids[2]))
	if !strings.Contains(show, "*Series:* 3 of 4, every week.") || !strings.Contains(show, fmt.Sprintf("#%d <!date^", ids[3])) ||
		!strings.Contains(show, fmt.Sprintf("join %d all", ids[2])) {
		t.Errorf("show:\n%s", show)
	}
	if _, err := e.bot.svc.Cancel(context.Background(), exchange.Actor{UserID: "U1"}, ids[1], ""); err != nil {
		t.Fatal(err)
	}
	// One cancelled: the others are 1, 2 and 3 of 3; the cancelled one says so.
	list := e.run("U3", "list")
	for i, id := range []int64{ids[0], ids[2], ids[3]} {
		if !strings.Contains(list, fmt.Sprintf("*#%d* CoP", id)) || !strings.Contains(list, fmt.Sprintf("%d of 3", i+1)) {
			t.Errorf("list lacks #%d as %d of 3:\n%s", id, i+1, list)
		}
	}
	if show := e.run("U3", fmt.Sprintf("show %d", ids[1])); !strings.Contains(show, "this one was cancelled") {
		t.Errorf("show of the cancelled one:\n%s", show)
	}

	// Lessons of the first and third, then read for the whole series.
	e.clock.Set(time.Date(2026, 3, 25, 12, 0, 0, 0, santiago))
	for id, answer := range map[int64]string{ids[0]: "Local partners mattered.", ids[2]: "Start with the data."} {
		if _, _, err := e.bot.svc.SubmitAnswers(context.Background(), "U2", "en", id, map[int]string{0: answer}, nil); err != nil {
			t.Fatal(err)
		}
	}
	r := e.run("U3", fmt.Sprintf("lessons %d all", ids[3]))
	first, third := strings.Index(r, "Local partners mattered."), strings.Index(r, "Start with the data.")
	if !strings.HasPrefix(r, "*Lessons from the series CoP* (every week, 4 sessions)") || first < 0 || third < first ||
		!strings.Contains(r, fmt.Sprintf("*#%d CoP*", ids[0])) || strings.Contains(r, fmt.Sprintf("*#%d CoP*", ids[1])) {
		t.Errorf("lessons of the series:\n%s", r)
	}
	if r := e.run("U3", fmt.Sprintf("lecciones %d todas", ids[0])); !strings.Contains(r, "Start with the data.") {
		t.Errorf("lecciones todas:\n%s", r)
	}

	// The report of March: three held (the second was cancelled), one series.
	e.run("U1", `new "One-off" 2026-03-26 10:00 tz:America/Santiago`)
	e.clock.Set(time.Date(2026, 4, 2, 12, 0, 0, 0, santiago))
	rep := e.run("U1", "report 2026-03")
	if !strings.Contains(rep, "Sessions held: 4") || !strings.Contains(rep, "• Series: 1, with 3 of the sessions held") {
		t.Errorf("report:\n%s", rep)
	}
}

// Mistakes typed in Slack get their message and store nothing.
func TestSeriesMistakesFromSlackStoreNothing(t *testing.T) {
	e := newSeriesEnv(t)
	for text, want := range map[string]string{
		`new "CoP" 2026-03-10 15:00 every:week count:0`:          "`count:0` makes no sessions",
		`new "CoP" 2026-03-10 15:00 every:week count:60`:         `"60" is more sessions than a series may have, 52.`,
		`new "CoP" 2026-03-10 15:00 every:week until:2026-03-09`: "The series would end (9 Mar 2026) before it starts (Tue 10 Mar 2026 15:00 -03)",
		`new "CoP" 2026-03-10 15:00 every:week until:2027-03-10`: "Repeating every week from 10 Mar 2026 until 10 Mar 2027 makes more than 52 sessions",
		`new "CoP" 2026-03-10 15:00 every:week until:9 mar`:      "Repeating every week from 10 Mar 2026 until 9 Mar 2027",
		`new "CoP" 2026-03-01 15:00 every:week count:3`:          "That time is in the past",
		`new "CoP" 2026-03-10 15:00 every:daily`:                 `"daily" is not how often a series can repeat`,
	} {
		if r := e.run("U1", text); !strings.Contains(r, want) {
			t.Errorf("%s\n replied %q\n want %q", text, r, want)
		}
	}
	if n := e.sessionCount(); n != 0 {
		t.Errorf("%d sessions stored", n)
	}
	if rows, _ := e.store.Deliveries(context.Background(), 0); len(rows) != 0 {
		t.Errorf("%d rows owed", len(rows))
	}
	// A one-off session has no series to act on.
	e.run("U1", `new "One" 2026-03-10 15:00`)
	for _, text := range []string{"move 1 all 2026-03-11 15:00", "cancel 1 all", "join 1 all", "leave 1 all", "lessons 1 all"} {
		if r := e.run("U1", text); !strings.Contains(r, "#1 is not part of a series") {
			t.Errorf("%s: %q", text, r)
		}
	}
	if s, _ := e.store.Session(context.Background(), 1); s.Cancelled() || s.Sequence != 0 {
		t.Errorf("the one-off changed: %+v", s)
	}
}

// The announcement of a series held in Spanish is in Spanish.
func TestSeriesAnnouncementInSpanish(t *testing.T) {
	e := newSeriesEnv(t)
	reply := e.run("U1", `nueva "Comunidad de práctica" 2026-03-10 15:00 <#C1|cop> tz:America/Santiago idioma:es cada:mes veces:3`)
	if !strings.Contains(reply, "Scheduled a series of 3 sessions, every month") {
		t.Fatalf("reply %q", reply)
	}
	e.deliver()
	ann := e.announcement()
	for _, want := range []string{"Serie: Comunidad de práctica", "*cada mes*, 3 sesiones de 1 hora", "*Próximas fechas*",
		"1 de 3 · *#1*", "Unirme a todas", "Unirme a una…", "mar 10 mar 2026 15:00 -03"} {
		if !strings.Contains(ann, want) {
			t.Errorf("announcement lacks %q:\n%s", want, ann)
		}
	}
	e.run("U1", "mover 2 todas 2026-04-11 16:00")
	e.deliver()
	var note string
	for _, c := range e.slack.Calls("chat.postMessage") {
		if c.Form.Get("thread_ts") != "" {
			note = slackfake.Readable(c.Form.Get("text"))
		}
	}
	if !strings.HasPrefix(note, "Cambio de fecha: 2 sesiones de *Comunidad de práctica*.") {
		t.Errorf("thread note %q", note)
	}
}

// The new-session form repeats: how often, and when it ends (a date or a
// number of sessions), beside the other fields.
func TestSeriesForm(t *testing.T) {
	e := newSeriesEnv(t)
	modal, _ := json.Marshal(e.bot.newSessionModal("en", "America/Santiago", "{}"))
	if !strings.Contains(string(modal), `"block_id":"repeat"`) || !strings.Contains(string(modal), `"block_id":"repeat_end"`) {
		t.Fatalf("the form has no repeat choice: %s", modal)
	}
	fields := func(repeat, ends string) map[string]map[string]any {
		return map[string]map[string]any{
			"title":      {"type": "plain_text_input", "value": "Community of practice"},
			"kind":       {"type": "static_select", "selected_option": map[string]any{"value": "exchange"}},
			"date":       {"type": "datepicker", "selected_date": "2026-03-10"},
			"time":       {"type": "timepicker", "selected_time": "15:00"},
			"tz":         {"type": "static_select", "selected_option": map[string]any{"value": "America/Santiago"}},
			"duration":   {"type": "static_select", "selected_option": map[string]any{"value": "90"}},
			"repeat":     {"type": "static_select", "selected_option": map[string]any{"value": repeat}},
			"repeat_end": {"type": "plain_text_input", "value": ends},
		}
	}
	var resp struct {
		Errors map[string]string `json:"errors"`
	}
	for _, tt := range []struct{ repeat, ends, field, want string }{
		{"month", "0", "repeat_end", "A series has 1 to 52 sessions, not 0"},
		{"week", "2026-03-01", "repeat_end", "The last day, 1 Mar 2026, is before the first session"},
		{"week", "someday", "repeat_end", "Write the last day"},
		{"none", "6", "repeat_end", "Choose how often it repeats"},
		{"daily", "", "repeat", "Choose every week, every two weeks or every month"},
	} {
		_, body := e.interaction(viewSubmission("U1", fields(tt.repeat, tt.ends), `{"channel":"C1"}`))
		resp.Errors = nil
		json.Unmarshal([]byte(body), &resp)
		if !strings.Contains(resp.Errors[tt.field], tt.want) {
			t.Errorf("repeat %q ends %q: errors %v, want %s: %q", tt.repeat, tt.ends, resp.Errors, tt.field, tt.want)
		}
	}
	if n := e.sessionCount(); n != 0 {
		t.Fatalf("mistaken forms stored %d sessions", n)
	}
	code, body := e.interaction(viewSubmission("U1", fields("month", "3"), `{"channel":"C1"}`))
	if code != 200 || strings.TrimSpace(body) != "" {
		t.Fatalf("good form answered %d %q", code, body)
	}
	sessions, _ := e.store.Sessions(context.Background(), store.Filter{})
	if len(sessions) != 3 || sessions[2].SeriesSize != 3 || sessions[2].Start.In(mustLoc("America/Santiago")).Month() != time.May {
		t.Fatalf("stored %d sessions: %+v", len(sessions), sessions)
	}
	if eph := e.slack.Calls("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].Form.Get("text"), "Scheduled a series of 3 sessions") {
		t.Errorf("confirmation %+v", eph)
	}
	// Until a date works too; without a repeat it is one session.
	e.interaction(viewSubmission("U1", fields("week", "2026-03-24"), `{"channel":"C1"}`))
	e.interaction(viewSubmission("U1", fields("none", ""), `{"channel":"C1"}`))
	if n := e.sessionCount(); n != 3+3+1 {
		t.Errorf("%d sessions, want 7", n)
	}
}

// `plan` schedules a series from a request as `new` does.
func TestSeriesPlannedFromARequest(t *testing.T) {
	e := newSeriesEnv(t)
	if r := e.run("U9", `request "Community of practice" for:<#C1|cop>`); !strings.Contains(r, "#1") {
		t.Fatalf("request: %s", r)
	}
	r := e.run("U1", "plan 1 2026-03-10 15:00 tz:America/Santiago every:month count:3")
	if !strings.Contains(r, "Scheduled a series of 3 sessions, every month") {
		t.Fatalf("plan with every: %s", r)
	}
	if n := e.sessionCount(); n != 3 {
		t.Errorf("%d sessions, want 3", n)
	}
	req, err := e.store.Request(context.Background(), 1)
	if err != nil || req.SessionID != 1 {
		t.Errorf("request %+v, %v; want planned into #1", req, err)
	}
}

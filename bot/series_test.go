package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/calendar"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// The series tests run on a fixed clock: Monday 2 March 2026, 12:00 UTC,
// a week before a monthly community of practice starts at 15:00 in
// Santiago, which leaves daylight saving on 5 April and returns to it on
// 6 September.
var seriesNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// seriesEnv is a bot with the calendar feeds served beside it over real
// HTTP, as the binary serves them.
type seriesEnv struct {
	*testEnv
	feeds *httptest.Server
}

func newSeriesEnv(t *testing.T) *seriesEnv {
	t.Helper()
	e := newTestBot(t)
	e.clock.Set(seriesNow)
	h := calendar.NewHandler(e.store, calendar.Options{BaseURL: "https://bot.example.org", Public: true, Now: e.clock.Now})
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &seriesEnv{testEnv: e, feeds: srv}
}

// schedule runs a `new` and returns the series' session ids in order.
func (e *seriesEnv) schedule(text string) []int64 {
	e.t.Helper()
	reply := e.run("U1", text)
	if !strings.Contains(reply, "Scheduled a series") {
		e.t.Fatalf("%s\nreplied %q", text, reply)
	}
	sessions, err := e.store.Sessions(context.Background(), store.Filter{})
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []int64
	for _, s := range sessions {
		if s.SeriesID != 0 {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// feed fetches a feed and parses it with an independent parser.
func (e *seriesEnv) feed(path string) *ics.Calendar {
	e.t.Helper()
	resp, err := http.Get(e.feeds.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		e.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if strings.Contains(string(body), "RRULE") {
		e.t.Errorf("the feed repeats with RRULE:\n%s", body)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(body)))
	if err != nil {
		e.t.Fatalf("golang-ical cannot parse %s: %v\n%s", path, err, body)
	}
	return cal
}

// feedEvent is one VEVENT as a client reads it.
type feedEvent struct {
	start    time.Time
	sequence string
	status   string
}

func feedEvents(t *testing.T, cal *ics.Calendar) map[int64]feedEvent {
	t.Helper()
	out := map[int64]feedEvent{}
	for _, ev := range cal.Events() {
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(ev.Id(), "session-"), "@bot.example.org"), 10, 64)
		if err != nil {
			t.Fatalf("UID %q", ev.Id())
		}
		if _, dup := out[id]; dup {
			t.Fatalf("two events with UID %q", ev.Id())
		}
		start, err := ev.GetStartAt()
		if err != nil {
			t.Fatalf("%s DTSTART: %v", ev.Id(), err)
		}
		out[id] = feedEvent{start: start, sequence: prop(ev, ics.ComponentPropertySequence), status: prop(ev, ics.ComponentPropertyStatus)}
	}
	return out
}

func prop(ev *ics.VEvent, p ics.ComponentProperty) string {
	if pr := ev.GetProperty(p); pr != nil {
		return pr.Value
	}
	return ""
}

var dateToken = regexp.MustCompile(`<!date\^(\d+)\^`)

// tokens are the moments a Slack text shows with <!date^…> tokens.
func tokens(text string) []time.Time {
	var out []time.Time
	for _, m := range dateToken.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, time.Unix(n, 0))
	}
	return out
}

// announcement is the latest version of the series' announcement Slack
// was given (posted, then updated).
func (e *seriesEnv) announcement() string {
	e.t.Helper()
	var last string
	for _, c := range e.slack.Calls("chat.postMessage", "chat.update") {
		if strings.Contains(c.Form.Get("blocks"), actionSeriesJoin) {
			last = c.Blocks()
		}
	}
	if last == "" {
		e.t.Fatal("no series announcement was posted")
	}
	return last
}

// pendingReminders lists a session's pending reminders as recipient@due.
func (e *seriesEnv) pendingReminders(id int64) []string {
	e.t.Helper()
	rows, err := e.store.Deliveries(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, d := range rows {
		if d.Kind == kindReminder && d.State == store.StatePending {
			out = append(out, d.Recipient+"@"+d.Due.UTC().Format("01-02T15:04"))
		}
	}
	slices.Sort(out)
	return out
}

// remindersFor is what pendingReminders should be for a session at start:
// the channel and the speaker, a day and an hour before.
func remindersFor(start time.Time, people ...string) []string {
	var out []string
	for _, p := range people {
		for _, off := range []time.Duration{24 * time.Hour, time.Hour} {
			out = append(out, p+"@"+start.Add(-off).UTC().Format("01-02T15:04"))
		}
	}
	slices.Sort(out)
	return out
}

const monthlyCoP = `new "Community of practice" 2026-03-10 15:00 90m <@U2|ana> <#C1|cop> tz:America/Santiago every:month count:8`

// A monthly series over both of Santiago's changes of time stays at 15:00
// local: in the feed, read back by another iCalendar parser, and in the
// <!date^…> tokens of the announcement Slack shows each reader.
func TestSeriesMonthlyKeepsLocalTimeAcrossDST(t *testing.T) {
	e := newSeriesEnv(t)
	santiago := mustLoc("America/Santiago")
	ids := e.schedule(monthlyCoP)
	if len(ids) != 8 {
		t.Fatalf("%d occurrences, want 8", len(ids))
	}
	e.deliver()

	evs := feedEvents(t, e.feed("/calendar/all.ics"))
	offsets := map[int]bool{}
	for i, id := range ids {
		ev, ok := evs[id]
		if !ok {
			t.Fatalf("no event for #%d", id)
		}
		local := ev.start.In(santiago)
		_, off := local.Zone()
		offsets[off] = true
		if local.Day() != 10 || local.Month() != time.March+time.Month(i) || local.Hour() != 15 || local.Minute() != 0 {
			t.Errorf("#%d starts %v in Santiago, want the 10th at 15:00", id, local)
		}
		if ev.sequence != "0" || ev.status != "CONFIRMED" {
			t.Errorf("#%d sequence %s status %s", id, ev.sequence, ev.status)
		}
	}
	if len(offsets) != 2 {
		t.Errorf("the series crossed %d UTC offsets, want 2 (the test should span a change of time)", len(offsets))
	}

	// The announcement lists the next dates, each at 15:00 in Santiago.
	ts := tokens(e.announcement())
	if len(ts) != 8 {
		t.Fatalf("announcement shows %d dates, want 8:\n%s", len(ts), e.announcement())
	}
	for i, at := range ts {
		local := at.In(santiago)
		if local.Hour() != 15 || local.Month() != time.March+time.Month(i) {
			t.Errorf("announcement date %d is %v in Santiago", i, local)
		}
	}
	// One announcement for the series, not one per occurrence.
	if n := len(e.slack.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d posts, want the one announcement", n)
	}
	// Every occurrence knows where it is, so its notes go to its thread.
	for _, id := range ids {
		if s, _ := e.store.Session(context.Background(), id); s.AnnounceTS == "" || s.AnnounceChannel != "C1" {
			t.Errorf("#%d does not know the announcement: %q %q", id, s.AnnounceChannel, s.AnnounceTS)
		}
	}
	// And `list` places each occurrence in the series, at its local time.
	list := e.run("U3", "list")
	for i, id := range ids {
		if !strings.Contains(list, fmt.Sprintf("*#%d* Community of practice", id)) || !strings.Contains(list, fmt.Sprintf("%d of 8", i+1)) {
			t.Errorf("list lacks #%d as %d of 8:\n%s", id, i+1, list)
		}
	}
}

// Move one, move all, cancel all: the feed, the reminders and the
// announcement follow, and what comes before the one acted on is left as
// it was.
func TestSeriesMoveOneMoveAllCancelAll(t *testing.T) {
	e := newSeriesEnv(t)
	santiago := mustLoc("America/Santiago")
	ids := e.schedule(strings.Replace(monthlyCoP, "count:8", "count:6", 1))
	e.deliver()
	at := func(id int64) time.Time {
		s, err := e.store.Session(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return s.Start
	}
	// snapshot of what must not change for earlier occurrences.
	type state struct {
		ev        feedEvent
		reminders []string
	}
	snap := func() map[int64]state {
		evs := feedEvents(t, e.feed("/calendar/all.ics"))
		out := map[int64]state{}
		for _, id := range ids {
			out[id] = state{evs[id], e.pendingReminders(id)}
		}
		return out
	}
	untouched := func(step string, before map[int64]state, keep ...int64) {
		t.Helper()
		now := snap()
		for _, id := range keep {
			if !now[id].ev.start.Equal(before[id].ev.start) || now[id].ev.sequence != before[id].ev.sequence ||
				!slices.Equal(now[id].reminders, before[id].reminders) {
				t.Errorf("%s: #%d changed: %+v, was %+v", step, id, now[id], before[id])
			}
		}
	}
	threadNotes := func() []string {
		var out []string
		for _, c := range e.slack.Calls("chat.postMessage") {
			if c.Form.Get("thread_ts") != "" {
				out = append(out, slackfake.Readable(c.Form.Get("text")))
			}
		}
		return out
	}

	// Move one: the second (10 April) to 14 April 16:00.
	before := snap()
	if r := e.run("U1", fmt.Sprintf("move %d 2026-04-14 16:00", ids[1])); !strings.Contains(r, "Moved") {
		t.Fatalf("move one: %q", r)
	}
	e.deliver()
	want := time.Date(2026, 4, 14, 16, 0, 0, 0, santiago)
	evs := feedEvents(t, e.feed("/calendar/all.ics"))
	if ev := evs[ids[1]]; !ev.start.Equal(want) || ev.sequence != "1" {
		t.Errorf("moved one in the feed: %+v, want %v sequence 1", ev, want)
	}
	if r := e.pendingReminders(ids[1]); !slices.Equal(r, remindersFor(want, "C1", "U2")) {
		t.Errorf("moved one's reminders %v, want %v", r, remindersFor(want, "C1", "U2"))
	}
	untouched("move one", before, ids[0], ids[2], ids[3], ids[4], ids[5])
	if !slices.ContainsFunc(tokens(e.announcement()), want.Equal) {
		t.Errorf("the announcement does not show the new date %v:\n%s", want, e.announcement())
	}
	if notes := threadNotes(); len(notes) != 1 || !strings.Contains(notes[0], "Moved") {
		t.Errorf("thread notes %q", notes)
	}

	// Move all from the fourth (10 June 15:00) to 11 June 16:00: the fifth
	// and sixth, in July and August, go a day later at 16:00 too.
	before = snap()
	r := e.run("U1", fmt.Sprintf("move %d all 2026-06-11 16:00", ids[3]))
	if !strings.Contains(r, "Moved 3 sessions") {
		t.Fatalf("move all: %q", r)
	}
	e.deliver()
	evs = feedEvents(t, e.feed("/calendar/all.ics"))
	for i, id := range ids[3:] {
		want := time.Date(2026, time.June+time.Month(i), 11, 16, 0, 0, 0, santiago)
		if ev := evs[id]; !ev.start.Equal(want) || ev.sequence != "1" {
			t.Errorf("#%d in the feed: %+v, want %v sequence 1", id, ev, want)
		}
		if !at(id).Equal(want) {
			t.Errorf("#%d stored at %v", id, at(id))
		}
		if r := e.pendingReminders(id); !slices.Equal(r, remindersFor(want, "C1", "U2")) {
			t.Errorf("#%d reminders %v, want %v", id, r, remindersFor(want, "C1", "U2"))
		}
		if !slices.ContainsFunc(tokens(e.announcement()), want.Equal) {
			t.Errorf("the announcement does not show #%d at %v", id, want)
		}
	}
	untouched("move all", before, ids[0], ids[1], ids[2])
	if notes := threadNotes(); len(notes) != 2 || !strings.Contains(notes[1], "3 sessions") {
		t.Errorf("thread notes %q, want one more for the move", notes)
	}

	// Cancel all from the fifth.
	before = snap()
	if r := e.run("U1", fmt.Sprintf("cancel %d all the agreement ended", ids[4])); !strings.Contains(r, "Cancelled 2 sessions") {
		t.Fatalf("cancel all: %q", r)
	}
	e.deliver()
	evs = feedEvents(t, e.feed("/calendar/all.ics"))
	for _, id := range ids[4:] {
		if ev := evs[id]; ev.status != "CANCELLED" || ev.sequence != "2" {
			t.Errorf("#%d in the feed: %+v, want CANCELLED sequence 2", id, ev)
		}
		if r := e.pendingReminders(id); len(r) != 0 {
			t.Errorf("#%d still reminds: %v", id, r)
		}
	}
	untouched("cancel all", before, ids[0], ids[1], ids[2], ids[3])
	ann := e.announcement()
	for _, id := range ids[4:] {
		if strings.Contains(ann, fmt.Sprintf("*#%d*", id)) {
			t.Errorf("the announcement still lists #%d:\n%s", id, ann)
		}
	}
	if strings.Count(ann, "Join all") != 1 || len(tokens(ann)) != 4 {
		t.Errorf("announcement after cancel all:\n%s", ann)
	}
	if notes := threadNotes(); len(notes) != 3 || !strings.Contains(notes[2], "Cancelled: the 2 sessions") ||
		!strings.Contains(notes[2], "the agreement ended") {
		t.Errorf("thread notes %q", notes)
	}
	// Every note went to the one announcement's thread.
	for _, c := range e.slack.Calls("chat.postMessage") {
		if th := c.Form.Get("thread_ts"); th != "" && th != e.slack.Messages()[0].TS {
			t.Errorf("a note went to thread %s, not the announcement's", th)
		}
	}
}

// Joining the series puts every occurrence still ahead in the person's
// own feed; leaving it takes them out.
func TestSeriesJoinGivesEveryFutureOccurrenceInThePersonalFeed(t *testing.T) {
	e := newSeriesEnv(t)
	ids := e.schedule(strings.Replace(monthlyCoP, "count:8", "count:5", 1))
	e.deliver()
	// The first is over by the time U7 joins.
	e.clock.Set(time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC))
	e.deliver()

	// The Join all button of the announcement, as Slack sends its press.
	var seriesID int64
	if s, _ := e.store.Session(context.Background(), ids[0]); s != nil {
		seriesID = s.SeriesID
	}
	code, _ := e.interaction(seriesButton("U7", "C1", actionSeriesJoin, strconv.FormatInt(seriesID, 10)))
	if code != 200 {
		t.Fatalf("press answered %d", code)
	}
	eph := e.slack.Calls("chat.postEphemeral")
	if len(eph) != 1 || !strings.Contains(eph[0].Form.Get("text"), "You joined the 4 sessions") {
		t.Fatalf("confirmation %+v", eph)
	}
	reply := e.run("U7", "feed")
	link := regexp.MustCompile(`/calendar/u/[^>|]+\.ics`).FindString(reply)
	if link == "" {
		t.Fatalf("no feed link in %q", reply)
	}
	evs := feedEvents(t, e.feed(link))
	var got []int64
	for id := range evs {
		got = append(got, id)
	}
	slices.Sort(got)
	if !slices.Equal(got, ids[1:]) {
		t.Errorf("U7's feed holds %v, want every occurrence still ahead %v", got, ids[1:])
	}
	// Each with the reminders a participant gets.
	for _, id := range ids[1:] {
		if r := e.pendingReminders(id); !slices.ContainsFunc(r, func(s string) bool { return strings.HasPrefix(s, "U7@") }) {
			t.Errorf("#%d has no reminder for U7: %v", id, r)
		}
	}
	// Again by command: nothing more to join.
	if r := e.run("U7", fmt.Sprintf("join %d all", ids[2])); !strings.Contains(r, "already joined every session") {
		t.Errorf("join all again: %q", r)
	}
	// Leave all: the feed empties.
	if r := e.run("U7", fmt.Sprintf("leave %d all", ids[1])); !strings.Contains(r, "You left 4 sessions") {
		t.Errorf("leave all: %q", r)
	}
	if evs := feedEvents(t, e.feed(link)); len(evs) != 0 {
		t.Errorf("U7's feed after leaving holds %v", evs)
	}
	// Join all again, and leave all with the announcement's button.
	e.run("U7", fmt.Sprintf("join %d all", ids[1]))
	e.slack.Reset()
	e.interaction(seriesButton("U7", "C1", actionSeriesLeave, strconv.FormatInt(seriesID, 10)))
	if eph := e.slack.Calls("chat.postEphemeral"); len(eph) != 1 || !strings.Contains(eph[0].Form.Get("text"), "You left 4 sessions") {
		t.Errorf("Leave all answered %+v", eph)
	}
	if evs := feedEvents(t, e.feed(link)); len(evs) != 0 {
		t.Errorf("U7's feed after Leave all holds %v", evs)
	}
	// Join one from the announcement's choice.
	e.slack.Reset()
	e.interaction(seriesSelect("U8", "C1", strconv.FormatInt(ids[3], 10)))
	if s, _ := e.store.Session(context.Background(), ids[3]); !s.HasParticipant("U8") {
		t.Errorf("choosing #%d did not join it: %v", ids[3], s.Participants)
	}
	if s, _ := e.store.Session(context.Background(), ids[2]); s.HasParticipant("U8") {
		t.Errorf("choosing one joined another")
	}
}

// seriesPressSeq makes each press its own, as Slack's action_ts does, so that
// none is taken for the redelivery of another.
var seriesPressSeq atomic.Int64

func seriesButton(user, channel, action, value string) string {
	n := seriesPressSeq.Add(1)
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": fmt.Sprintf("trig-%s-%d", user, n), "channel": map[string]any{"id": channel},
		"actions": []map[string]any{{"type": "button", "action_id": action, "block_id": "series_1", "value": value,
			"action_ts": fmt.Sprintf("1764331201.%06d", n)}},
	})
	return string(b)
}

func seriesSelect(user, channel, value string) string {
	n := seriesPressSeq.Add(1)
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": fmt.Sprintf("trig-%s-%d", user, n), "channel": map[string]any{"id": channel},
		"actions": []map[string]any{{"type": "static_select", "action_id": actionSeriesJoinOne, "block_id": "series_1",
			"selected_option": map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": "x"}},
			"action_ts":       "1764331202.000000"}},
	})
	return string(b)
}

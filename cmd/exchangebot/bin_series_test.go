package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// binSeriesEvent is one VEVENT of a feed as another iCalendar parser reads it.
type binSeriesEvent struct {
	start    time.Time
	sequence string
	status   string
}

var binSeriesUID = regexp.MustCompile(`^session-(\d+)@`)

// binSeriesFeed fetches a feed of the running binary and parses it with
// golang-ical, one event per session id; a UID seen twice fails the test.
func binSeriesFeed(t *testing.T, p *proc, path string) map[int64]binSeriesEvent {
	t.Helper()
	resp, err := http.Get("http://" + p.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("golang-ical cannot parse %s: %v\n%s", path, err, b)
	}
	out := map[int64]binSeriesEvent{}
	for _, ev := range cal.Events() {
		m := binSeriesUID.FindStringSubmatch(ev.Id())
		if m == nil {
			t.Fatalf("UID %q", ev.Id())
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if _, dup := out[id]; dup {
			t.Fatalf("two events with UID %q in %s", ev.Id(), path)
		}
		start, err := ev.GetStartAt()
		if err != nil {
			t.Fatalf("%s DTSTART: %v", ev.Id(), err)
		}
		e := binSeriesEvent{start: start}
		if pr := ev.GetProperty(ics.ComponentPropertySequence); pr != nil {
			e.sequence = pr.Value
		}
		if pr := ev.GetProperty(ics.ComponentPropertyStatus); pr != nil {
			e.status = pr.Value
		}
		out[id] = e
	}
	return out
}

var binSeriesToken = regexp.MustCompile(`<!date\^(\d+)\^`)

// binSeriesTokens are the moments a Slack text shows with <!date^…> tokens.
func binSeriesTokens(text string) []time.Time {
	var out []time.Time
	for _, m := range binSeriesToken.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, time.Unix(n, 0))
	}
	return out
}

// binSeriesAnnouncementShows waits for the announcement (posted, then
// updated in place) to show every moment of want, and returns its text.
func binSeriesAnnouncementShows(t *testing.T, fake *slackfake.Server, annTS string, want ...time.Time) string {
	t.Helper()
	c := waitCall(t, fake, "chat.update", fmt.Sprintf("an update of the announcement showing %v", want), func(c slackfake.Call) bool {
		if c.Form.Get("ts") != annTS || !strings.Contains(c.Blocks(), `"action_id":"series_join"`) {
			return false
		}
		shown := binSeriesTokens(c.Blocks())
		for _, w := range want {
			if !slices.ContainsFunc(shown, w.Equal) {
				return false
			}
		}
		return true
	})
	return c.Blocks()
}

// A monthly series in Santiago on the built binary, over one of Chile's
// changes of time: the feed and the announcement keep 15:00 local; move
// one, then move all from a later one, and the feed, the reminders and
// the announcement follow while the first stays as it was; joining the
// series fills the person's own feed with every occurrence ahead.
func TestBinSeriesDSTMoveJoin(t *testing.T) {
	t.Parallel()
	p, fake := startWithFake(t)
	santiago := mustZone(t, "America/Santiago")
	now := time.Now().In(santiago)
	// Eight months from the 10th cover seven months, longer than either
	// of Chile's seasons (the first Saturday of April to the first of
	// September, and back): the series always crosses a change of time.
	const n = 8
	at := func(i, day, hour int) time.Time {
		return time.Date(now.Year(), now.Month()+1+time.Month(i), day, hour, 0, 0, 0, santiago)
	}
	code, body := p.command("U1", fmt.Sprintf(`new "Community of practice" %s 15:00 90m <@U2|ana> <#C1|cop> tz:America/Santiago every:month count:%d`,
		at(0, 10, 15).Format("2006-01-02"), n))
	if code != 200 || !strings.Contains(body, fmt.Sprintf("Scheduled a series of %d sessions", n)) {
		t.Fatalf("new: %d %s", code, body)
	}
	post := waitCalls(t, fake, "chat.postMessage", 1)[0]
	annTS := fake.Messages()[0].TS

	evs := binSeriesFeed(t, p, "/calendar/all.ics")
	var ids []int64
	for id := range evs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) != n {
		t.Fatalf("%d events in the feed, want %d", len(ids), n)
	}

	t.Run("DST", func(t *testing.T) {
		offsets := map[int]bool{}
		for i, id := range ids {
			local := evs[id].start.In(santiago)
			_, off := local.Zone()
			offsets[off] = true
			if want := at(i, 10, 15); !local.Equal(want) || local.Hour() != 15 || local.Minute() != 0 {
				t.Errorf("#%d starts %v in Santiago, want %v", id, local, want)
			}
		}
		if len(offsets) != 2 {
			t.Errorf("the series crossed %d UTC offsets, want 2 (it should span a change of time)", len(offsets))
		}
		shown := binSeriesTokens(post.Blocks())
		if len(shown) != n {
			t.Fatalf("the announcement shows %d dates, want %d:\n%s", len(shown), n, post.Blocks())
		}
		for i, ts := range shown {
			if local := ts.In(santiago); !local.Equal(at(i, 10, 15)) || local.Hour() != 15 {
				t.Errorf("announcement date %d is %v in Santiago, want %v", i, local, at(i, 10, 15))
			}
		}
	})

	// Move the second to the 14th at 16:00; then, from the third, all
	// to the 11th at 16:00 (the later ones shift the same way, in local
	// time, across the change of time).
	want := map[int64]time.Time{ids[0]: at(0, 10, 15), ids[1]: at(1, 14, 16)}
	for i := 2; i < n; i++ {
		want[ids[i]] = at(i, 11, 16)
	}
	t.Run("MoveOneMoveAll", func(t *testing.T) {
		if _, r := p.command("U1", fmt.Sprintf("move %d %s 16:00", ids[1], want[ids[1]].Format("2006-01-02"))); !strings.Contains(r, "Moved") {
			t.Fatalf("move one: %s", r)
		}
		evs := binSeriesFeed(t, p, "/calendar/all.ics")
		for i, id := range ids {
			wantAt, wantSeq := at(i, 10, 15), "0"
			if i == 1 {
				wantAt, wantSeq = want[id], "1"
			}
			if !evs[id].start.Equal(wantAt) || evs[id].sequence != wantSeq {
				t.Errorf("after move one, #%d in the feed: %v sequence %s, want %v sequence %s", id, evs[id].start.In(santiago), evs[id].sequence, wantAt, wantSeq)
			}
		}
		binSeriesAnnouncementShows(t, fake, annTS, want[ids[1]])

		r := ""
		if _, r = p.command("U1", fmt.Sprintf("move %d all %s 16:00", ids[2], want[ids[2]].Format("2006-01-02"))); !strings.Contains(r, fmt.Sprintf("Moved %d sessions", n-2)) {
			t.Fatalf("move all: %s", r)
		}
		evs = binSeriesFeed(t, p, "/calendar/all.ics")
		for i, id := range ids {
			wantSeq := "1"
			if i == 0 {
				wantSeq = "0"
			}
			if !evs[id].start.Equal(want[id]) || evs[id].sequence != wantSeq || evs[id].status != "CONFIRMED" {
				t.Errorf("after move all, #%d in the feed: %+v (%v), want %v sequence %s", id, evs[id], evs[id].start.In(santiago), want[id].In(santiago), wantSeq)
			}
		}
		var all []time.Time
		for _, id := range ids {
			all = append(all, want[id])
		}
		ann := binSeriesAnnouncementShows(t, fake, annTS, all...)
		if shown := binSeriesTokens(ann); len(shown) != n {
			t.Errorf("the updated announcement shows %d dates, want %d:\n%s", len(shown), n, ann)
		}
	})

	t.Run("JoinSeries", func(t *testing.T) {
		series := hardButtonValue(t, post.Form.Get("blocks"), "series_join")
		press := bcPress("U7", "C1", "series_join", series, fmt.Sprintf("%d.000701", time.Now().Unix()))
		if code, body := postInteraction(t, p.addr, press, 0); code != 200 {
			t.Fatalf("Join all answered %d %s", code, body)
		}
		waitCall(t, fake, "chat.postEphemeral", "the join confirmation", func(c slackfake.Call) bool {
			return c.Form.Get("user") == "U7" && strings.Contains(c.Form.Get("text"), fmt.Sprintf("You joined the %d sessions", n))
		})
		_, reply := p.command("U7", "feed")
		link := regexp.MustCompile(`/calendar/u/[^>|\s]+\.ics`).FindString(reply)
		if link == "" {
			t.Fatalf("no feed link in %q", reply)
		}
		mine := binSeriesFeed(t, p, link)
		var got []int64
		for id := range mine {
			got = append(got, id)
		}
		slices.Sort(got)
		if !slices.Equal(got, ids) {
			t.Errorf("U7's feed holds %v, want every occurrence ahead %v", got, ids)
		}
	})

	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// The reminders owed follow each session's time: a day and an hour
	// before, for the first as scheduled, for the others as moved.
	st := openTestStore(t, databaseOf(t, p.cfg))
	for _, id := range ids {
		rows, err := st.Deliveries(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		dues := map[time.Time]int{}
		for _, d := range rows {
			if d.Kind == exchange.KindReminder && d.State == store.StatePending {
				dues[d.Due.UTC()]++
			}
		}
		dayBefore, hourBefore := want[id].Add(-24*time.Hour).UTC(), want[id].Add(-time.Hour).UTC()
		if len(dues) != 2 || dues[dayBefore] == 0 || dues[hourBefore] == 0 {
			t.Errorf("#%d's pending reminders are due %v, want only %v and %v", id, dues, dayBefore, hourBefore)
		}
	}
}

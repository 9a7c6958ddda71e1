package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

// A series of the most occurrences, each with the largest inputs, in
// both languages: its announcement, note, notices, show and lessons stay
// within Block Kit's limits as the fake reads them.
func TestSeriesLimitsEveryPayload(t *testing.T) {
	e := newTestBot(t)
	b := e.bot
	start := e.clock.Now().Add(72 * time.Hour)
	sr := &store.Series{ID: 3, Every: exchange.EveryWeek, Creator: "U1"}
	for i := range exchange.MaxOccurrences {
		o := biggest(int64(100+i), start.Add(time.Duration(i)*7*24*time.Hour))
		o.SeriesID, o.SeriesPlace, o.SeriesSize = sr.ID, i+1, exchange.MaxOccurrences
		sr.Occurrences = append(sr.Occurrences, o)
	}
	for _, l := range i18n.Langs {
		t.Run(string(l), func(t *testing.T) {
			text, blocks := b.seriesAnnouncement(l, sr)
			checkMessage(t, "series announcement", text, blocks)
			if !strings.Contains(text, "Título") {
				t.Errorf("announcement text %q", text)
			}
			note := i18n.T(l, "series.note.text", map[string]any{"Title": escapeText(sr.Occurrences[1].Title), "ID": 101,
				"Place": placeText(l, sr.Occurrences[1]), "When": dateIn(l, start, "America/Santiago")})
			checkMessage(t, "series note", note, sections(note))
			for _, ev := range []string{exchange.NoticeSeriesMoved, exchange.NoticeSeriesCancelled} {
				n := fmt.Sprintf(`{"event":%q,"title":%q,"start":"2026-12-03T18:00:00Z","was":"2026-12-02T18:00:00Z","tz":"America/Santiago","count":52,"reason":%q}`,
					ev, sr.Occurrences[0].Title, long(3900, "Motivo"))
				text, ok := seriesNoticeText(l, n)
				if !ok {
					t.Fatalf("%s not worded", ev)
				}
				checkMessage(t, ev, text, nil)
			}
		})
	}
}

// The biggest series on the wire: announced, joined, moved and cancelled
// with a fake Slack that refuses anything over the limits, and none is.
func TestSeriesLimitsOnTheWire(t *testing.T) {
	e := newTestBot(t)
	ctx := context.Background()
	count := exchange.MaxOccurrences
	d := biggestDraft(e.clock.Now().Add(72 * time.Hour))
	d.Repeat = exchange.Repeat{Every: exchange.EveryWeek, Count: &count}
	sr, err := e.bot.svc.ScheduleSeries(ctx, exchange.Actor{UserID: "U1"}, d)
	if err != nil {
		t.Fatal(err)
	}
	e.deliver()
	ids := sr.Occurrences
	if r := e.run("U5", fmt.Sprintf("join %d all", ids[0].ID)); !strings.Contains(r, "52") {
		t.Fatalf("join all: %s", r)
	}
	if r := e.run("U1", fmt.Sprintf("show %d", ids[3].ID)); !strings.Contains(r, "4 of 52") {
		t.Errorf("show: %s", r)
	}
	e.run("U1", fmt.Sprintf("move %d all %s 16:00", ids[2].ID, ids[2].Start.In(mustLoc("America/Santiago")).AddDate(0, 0, 1).Format("2006-01-02")))
	e.run("U1", fmt.Sprintf("cancel %d all %s", ids[40].ID, long(3900, "Motivo")))
	e.clock.Add(exchange.Coalesce)
	e.deliver()
	for _, c := range e.slack.Calls() {
		if c.Error != "" {
			t.Errorf("%s refused: %s %v", c.Method, c.Error, c.Problems)
		}
	}
	if len(e.slack.Calls("chat.update")) == 0 || len(e.slack.Calls("chat.postMessage")) < 3 {
		t.Errorf("the test did not exercise the announcement's updates and notes")
	}
}

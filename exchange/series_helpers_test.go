package exchange

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// A monthly community of practice: six occurrences from Tuesday 10 March
// 2026, 15:00 in Santiago, across the April change of time.
func scheduleMonthly(t *testing.T, e *testEnv, n int) *store.Series {
	t.Helper()
	santiago := mustZone("America/Santiago")
	sr, err := e.svc.ScheduleSeries(context.Background(), Actor{UserID: "U1", Channel: "C1"}, Draft{
		Title: "Community of practice", Start: time.Date(2026, 3, 10, 15, 0, 0, 0, santiago), Duration: 90 * time.Minute,
		Speakers: []store.Speaker{{UserID: "U2"}}, Partners: []string{"FOSIS"},
		Repeat: Repeat{Every: EveryMonth, Count: count(n)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sr
}

// pendingDue lists the pending rows of kind for a session as
// "recipient@due" in Santiago's wall time.
func (e *testEnv) pendingDue(id int64, kind string) []string {
	var out []string
	for _, d := range e.rows(id, kind, store.StatePending) {
		out = append(out, d.Recipient+"@"+d.Due.In(mustZone("America/Santiago")).Format("01-02 15:04"))
	}
	return out
}

// snapshot is what must stay as it is for an occurrence a change does
// not concern: its start, version and every row it owes.
func (e *testEnv) seriesSnapshot(id int64) string {
	s := e.session(id)
	rows, _ := e.store.Deliveries(context.Background(), id)
	var b strings.Builder
	fmt.Fprintf(&b, "%s seq %d %s %v;", s.Start, s.Sequence, s.Status, s.Participants)
	for _, d := range rows {
		fmt.Fprintf(&b, " %s/%s/%s/%s", d.Kind, d.Recipient, d.Due, d.State)
	}
	return b.String()
}

// seriesSnapshots are the ids of sr's occurrences, in order, and the
// seriesSnapshot of each, taken before a change.
func (e *testEnv) seriesSnapshots(sr *store.Series) ([]int64, map[int64]string) {
	var ids []int64
	before := map[int64]string{}
	for _, o := range sr.Occurrences {
		ids = append(ids, o.ID)
		before[o.ID] = e.seriesSnapshot(o.ID)
	}
	return ids, before
}

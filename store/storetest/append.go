package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// testAppendAnswer: an append stores the first answer, later ones go
// after it a blank line apart, the question's text follows the latest,
// the search index follows the text, and appends made at the same moment
// from many transactions all land.
func testAppendAnswer(t *testing.T, s store.Store) {
	ctx := context.Background()
	at := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	sess := addSession(t, s, "Youth employment", "webinar", at.Add(-3*time.Hour), time.Hour, nil, store.Speaker{UserID: "U1"})
	appendAnswer := func(question, answer string, now time.Time) error {
		return s.Update(ctx, func(tx store.Tx) error {
			return tx.AppendAnswer(ctx, store.Lesson{SessionID: sess.ID, UserID: "U1", QuestionIdx: 1, Question: question, Answer: answer}, now)
		})
	}
	if err := appendAnswer("What worked?", "Mirror teams.", at); err != nil {
		t.Fatal(err)
	}
	if err := appendAnswer("What worked well?", "Peer reviews.", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Lessons(ctx, sess.ID)
	if err != nil || len(got) != 1 {
		t.Fatalf("lessons = %+v, %v; want one", got, err)
	}
	l := got[0]
	if l.Answer != "Mirror teams."+store.AnswerJoin+"Peer reviews." || l.Question != "What worked well?" ||
		!l.Created.Equal(at) || !l.Updated.Equal(at.Add(time.Minute)) {
		t.Fatalf("after two appends: %+v", l)
	}
	if res, err := s.Search(ctx, "peer", 10); err != nil || len(res) != 1 {
		t.Errorf("Search(peer) = %d results, %v; want the appended text found", len(res), err)
	}

	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- appendAnswer("What worked well?", fmt.Sprintf("part %02d", i), at.Add(time.Hour))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, _ = s.Lessons(ctx, sess.ID)
	parts := strings.Split(got[0].Answer, store.AnswerJoin)
	if len(parts) != n+2 {
		t.Fatalf("answer holds %d parts after %d concurrent appends, want %d: %q", len(parts), n, n+2, parts)
	}
	sort.Strings(parts[2:])
	for i, p := range parts[2:] {
		if want := fmt.Sprintf("part %02d", i); p != want {
			t.Errorf("part %d = %q, want %q", i, p, want)
		}
	}
}

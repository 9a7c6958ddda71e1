package exchange

import (
	"context"
	"strings"
	"testing"

	"github.com/exchangebot/exchangebot/store"
)

// TestEvaluationAnswerLimit checks an answer over MaxAnswer characters is
// refused by the core whichever way it comes, the form or a DM reply,
// storing nothing and owing no reply; an answer of exactly MaxAnswer is
// taken.
func TestEvaluationAnswerLimit(t *testing.T) {
	e := newTestService(t, evaluating)
	ctx := context.Background()
	s := ratingsAsked(t, e)
	// Characters, not bytes: "á" is two bytes.
	long := strings.Repeat("á", MaxAnswer+1)
	before, replies := e.snapshot(s.ID), len(e.rows(0, KindReply))

	_, err := e.svc.SavePlan(ctx, "P1", s.ID, long, &ConfirmTo{})
	if got, ok := AsError(err); !ok || got.Code != CodeAnswerTooLong || got.Arg("len") != MaxAnswer+1 || got.Arg("max") != MaxAnswer {
		t.Errorf("form plan of %d characters: %v, want %s with len and max", MaxAnswer+1, err, CodeAnswerTooLong)
	}
	w := Walk{UserID: "P1", Channel: "DP1", Lang: "en", TS: "1764331200.000001", Key: "im:DP1:1764331200.000001"}
	st, err := e.svc.EvaluationReply(store.WithRequestKey(ctx, w.Key), w, long, false)
	if code(err) != CodeAnswerTooLong || st.Saved {
		t.Errorf("DM answer of %d characters: %+v, %v, want %s", MaxAnswer+1, st, err, CodeAnswerTooLong)
	}
	if after := e.snapshot(s.ID); after != before {
		t.Errorf("a too-long answer changed the store:\n%s\n%s", before, after)
	}
	if n := len(e.rows(0, KindReply)); n != replies {
		t.Errorf("%d replies owed after refusals, want %d", n, replies)
	}

	// Surrounding space is cleaned off before counting.
	fits := strings.Repeat("á", MaxAnswer)
	st, err = e.svc.EvaluationReply(ctx, w, "  "+fits+"\n", false)
	if err != nil || !st.Saved {
		t.Fatalf("DM answer of exactly %d characters: %+v, %v", MaxAnswer, st, err)
	}
	if ev, _ := e.store.Evaluation(ctx, s.ID, "P1"); ev.Plan != fits {
		t.Errorf("stored plan of %d characters, want %d", len([]rune(ev.Plan)), MaxAnswer)
	}
}

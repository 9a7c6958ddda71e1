package exchange

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// BenchmarkReport is the report of a quarter with 200 sessions held, 50
// participants asked about each (10,000 evaluations, half with a plan)
// and 300 requests: the store's figures alone, and with demand and
// evaluation counted (Service.Report).
func BenchmarkReport(b *testing.B) {
	e := newTestService(b, evaluating)
	ctx := context.Background()
	st := e.store
	from := t0.AddDate(0, -3, 0)
	err := st.Update(ctx, func(tx store.Tx) error {
		for i := range 200 {
			start := from.Add(time.Duration(i) * 10 * time.Hour)
			s := &store.Session{Title: fmt.Sprint("S", i), Kind: Kinds[i%3], Start: start, Duration: time.Hour, TZ: "UTC", Creator: "U1",
				Created: start, Updated: start, Partners: []string{fmt.Sprint("Partner ", i%7)}}
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
			for j := range 50 {
				u := fmt.Sprintf("P%d", j)
				if _, err := tx.AskEvaluation(ctx, s.ID, u, s.End()); err != nil {
					return err
				}
				rating, plan := 1+(i+j)%5, fmt.Sprint("plan ", j)
				c := store.EvaluationChange{Rating: &rating}
				if j%2 == 0 {
					c.Plan = &plan
				}
				if err := tx.ChangeEvaluation(ctx, s.ID, u, c, s.End()); err != nil {
					return err
				}
			}
			r := &store.Request{Topic: fmt.Sprint("R", i), Asker: "UA", Partners: []string{fmt.Sprint("Partner ", i%7)}, Created: start, Updated: start}
			if err := tx.CreateRequest(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	staff := Actor{UserID: "U1"}
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.Report(ctx, store.ReportQuery{From: from, To: t0, Now: t0, Location: e.svc.Policy().Location}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("with_figures", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := e.svc.Report(ctx, staff, from, t0)
			if err != nil || r.Evaluation.Total.Asked != 10000 {
				b.Fatal(r.Evaluation.Total, err)
			}
		}
	})
}

package store

import (
	"math"
	"testing"
)

// A share or mean over nobody is no figure (NaN), so that every surface
// says so instead of a 0 that reads as a result; over somebody it is the
// plain ratio.
func TestOutcomeFiguresWithoutABaseAreNoFigure(t *testing.T) {
	var none Outcomes
	for name, f := range map[string]float64{"response rate": none.ResponseRate(), "mean rating": none.MeanRating(),
		"plan share": none.PlanShare(), "uptake": none.Uptake()} {
		if !math.IsNaN(f) {
			t.Errorf("%s of nobody = %v, want NaN", name, f)
		}
	}
	o := Outcomes{Asked: 4, Responded: 2, Rated: 2, Ratings: [5]int{0, 0, 1, 1, 0}, WithPlan: 1, FollowedUp: 1, Partly: 1}
	for name, c := range map[string]struct{ got, want float64 }{"response rate": {o.ResponseRate(), 0.5},
		"mean rating": {o.MeanRating(), 3.5}, "plan share": {o.PlanShare(), 0.5}, "uptake": {o.Uptake(), 1}} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", name, c.got, c.want)
		}
	}
}

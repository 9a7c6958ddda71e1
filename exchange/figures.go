package exchange

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// The report's figures on demand and on what participants said, counted
// here from the stored requests and evaluations, so every backend and
// every surface (the report command, the web dashboard) shows the same.

// addFigures fills r's Demand and Evaluation for [from, to).
func (s *Service) addFigures(ctx context.Context, r *store.Report, from, to time.Time) error {
	reqs, err := s.st.Requests(ctx, store.RequestFilter{From: from, To: to})
	if err != nil {
		return err
	}
	r.Demand = demandFigures(reqs)
	evs, err := s.st.Evaluations(ctx, store.EvaluationFilter{From: from, To: to})
	if err != nil {
		return err
	}
	r.Evaluation = evaluationFigures(evs)
	return nil
}

// served reports whether a request has a confirmed session: its own, or
// that of the request it was merged into.
func served(q store.Request) bool {
	return !q.SessionStart.IsZero() && q.SessionStatus == store.StatusConfirmed &&
		(q.Status == store.RequestPlanned || q.Status == store.RequestMerged)
}

func demandFigures(reqs []store.Request) store.Demand {
	var d store.Demand
	byPartner := map[string]*store.DemandCount{}
	var waits []time.Duration
	for _, q := range reqs {
		d.Received++
		planned := served(q)
		switch {
		case planned:
			d.Planned++
			waits = append(waits, q.SessionStart.Sub(q.Created))
		case q.Status == store.RequestDeclined:
			d.Declined++
		case q.Status == store.RequestMerged:
			d.Merged++
		default:
			d.Open++
		}
		for _, p := range uniq(q.Partners) {
			c := byPartner[p]
			if c == nil {
				c = &store.DemandCount{Label: p}
				byPartner[p] = c
			}
			c.Received++
			if planned {
				c.Planned++
			}
			if q.Status == store.RequestDeclined {
				c.Declined++
			}
		}
	}
	d.MedianToSession = medianDuration(waits)
	for _, c := range byPartner {
		d.ByPartner = append(d.ByPartner, *c)
	}
	sort.Slice(d.ByPartner, func(i, j int) bool {
		a, b := d.ByPartner[i], d.ByPartner[j]
		if a.Received != b.Received {
			return a.Received > b.Received
		}
		return a.Label < b.Label
	})
	return d
}

func evaluationFigures(evs []store.Evaluation) store.EvaluationReport {
	var r store.EvaluationReport
	byKind, byPartner := map[string]*store.Outcomes{}, map[string]*store.Outcomes{}
	group := func(m map[string]*store.Outcomes, label string) *store.Outcomes {
		o := m[label]
		if o == nil {
			o = &store.Outcomes{Label: label}
			m[label] = o
		}
		return o
	}
	for _, e := range evs {
		tally(&r.Total, e)
		tally(group(byKind, e.SessionKind), e)
		for _, p := range uniq(e.Partners) {
			tally(group(byPartner, p), e)
		}
	}
	r.ByKind, r.ByPartner = sorted(byKind), sorted(byPartner)
	return r
}

// tally adds one participant's evaluation to o.
func tally(o *store.Outcomes, e store.Evaluation) {
	o.Asked++
	if e.Responded() {
		o.Responded++
	}
	if e.Rating >= 1 && e.Rating <= 5 {
		o.Rated++
		o.Ratings[e.Rating-1]++
	}
	if e.Plan != "" {
		o.WithPlan++
	}
	if !e.FollowedUpAt.IsZero() {
		o.FollowedUp++
	}
	switch e.Applied {
	case store.AppliedYes:
		o.Yes++
	case store.AppliedPartly:
		o.Partly++
	case store.AppliedNotYet:
		o.NotYet++
	}
}

// sorted lists groups by how many were asked, most first, then by label.
func sorted(m map[string]*store.Outcomes) []store.Outcomes {
	out := make([]store.Outcomes, 0, len(m))
	for _, o := range m {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Asked != out[j].Asked {
			return out[i].Asked > out[j].Asked
		}
		return out[i].Label < out[j].Label
	})
	return out
}

func uniq(labels []string) []string {
	var out []string
	for _, l := range labels {
		if l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// medianDuration averages the middle two of an even count; 0 for none.
func medianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	m := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[m]
	}
	return (ds[m-1] + ds[m]) / 2
}

package filter

import "github.com/exchangebot/exchangebot/store"

// Sessions is the WHERE clause (with its leading space, or "") over the
// sessions table that selects f's sessions; its arguments go to a.
func Sessions(f store.Filter, a *Args) string {
	conds := period("starts_at", f.From, f.To, a)
	if !f.EndedBefore.IsZero() {
		conds = append(conds, "starts_at + duration_s <= "+a.Add(f.EndedBefore.Unix()))
	}
	if !f.EndsAfter.IsZero() {
		conds = append(conds, "starts_at + duration_s > "+a.Add(f.EndsAfter.Unix()))
	}
	if f.Status != "" {
		conds = append(conds, "status = "+a.Add(f.Status))
	}
	if !f.CancelledSince.IsZero() {
		conds = append(conds, "(status <> 'cancelled' OR updated_at >= "+a.Add(f.CancelledSince.Unix())+")")
	}
	if f.SeriesID != 0 {
		conds = append(conds, "series_id = "+a.Add(f.SeriesID))
	}
	if f.User != "" {
		u := a.Add(f.User)
		mine := `(id IN (SELECT session_id FROM participants WHERE user_id = ` + u + `)
			OR id IN (SELECT ss.session_id FROM session_speakers ss JOIN speakers sp ON sp.id = ss.speaker_id WHERE sp.user_id = ` + u + `)`
		if f.OrCreated {
			mine += " OR creator = " + u
		}
		conds = append(conds, mine+")")
	}
	return where(conds)
}

// SessionOrder is the ORDER BY clause, with its leading space, that lists
// f's sessions soonest first, or latest first when f asks for the newest.
func SessionOrder(f store.Filter) string {
	if f.Newest {
		return " ORDER BY starts_at DESC, id DESC"
	}
	return " ORDER BY starts_at, id"
}

package assemble

import (
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// PauseState marks a rate pause among the rows of a backend's agenda
// query: its key is read as the recipient, its end as the next attempt.
// No outbox row has this state.
const PauseState = "paused"

// Agenda sorts the rows of an agenda query, read at now, into due rows,
// the next due time, claimed rows and rate pauses. The query lists due
// rows and claimed rows in the order the Agenda keeps, and at most one
// pending row not yet due.
func Agenda(rows []store.Delivery, now time.Time) store.Agenda {
	var a store.Agenda
	for _, d := range rows {
		switch {
		case d.State == PauseState:
			if a.Pauses == nil {
				a.Pauses = map[string]time.Time{}
			}
			a.Pauses[d.Recipient] = d.NextAttempt
		case d.State == store.StateSending:
			a.Sending = append(a.Sending, d)
		case d.NextAttempt.After(now):
			a.Next = d.NextAttempt
		default:
			a.Due = append(a.Due, d)
		}
	}
	return a
}

// DeliveryTimes sets d's times from stored unix seconds; a deadline of 0
// is none.
func DeliveryTimes(d *store.Delivery, due, deadline, next, updated int64) {
	d.Due = Time(due)
	d.Deadline = TimeOrZero(deadline)
	d.NextAttempt = Time(next)
	d.Updated = Time(updated)
}

// ClaimResult is the outcome of a change made only while the claim d is
// held, from the statement's error and the rows it changed: ErrNotFound
// when none, as the claim was lost.
func ClaimResult(d store.Delivery, changed int64, err error) error {
	if err != nil {
		return fmt.Errorf("store: delivery %d: %w", d.ID, err)
	}
	if changed == 0 {
		return fmt.Errorf("store: delivery %d attempt %d no longer held: %w", d.ID, d.Attempts, store.ErrNotFound)
	}
	return nil
}

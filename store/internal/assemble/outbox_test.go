package assemble

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// TestAgenda sorts the rows an agenda query returns, in its order: due
// rows, the next one not yet due, claimed rows, then the pauses.
func TestAgenda(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	due1 := store.Delivery{ID: 1, State: store.StatePending, NextAttempt: now.Add(-time.Hour)}
	due2 := store.Delivery{ID: 2, State: store.StatePending, NextAttempt: now}
	later := store.Delivery{ID: 3, State: store.StatePending, NextAttempt: now.Add(time.Minute)}
	sending := store.Delivery{ID: 4, State: store.StateSending, NextAttempt: now.Add(-2 * time.Hour)}
	pause := store.Delivery{State: PauseState, Recipient: "slack:chat.postMessage", NextAttempt: now.Add(30 * time.Second)}

	got := Agenda([]store.Delivery{due1, due2, later, sending, pause}, now)
	want := store.Agenda{
		Due:     []store.Delivery{due1, due2},
		Next:    later.NextAttempt,
		Sending: []store.Delivery{sending},
		Pauses:  map[string]time.Time{pause.Recipient: pause.NextAttempt},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Agenda =\n%+v\nwant\n%+v", got, want)
	}
	if got := Agenda(nil, now); !reflect.DeepEqual(got, store.Agenda{}) {
		t.Errorf("Agenda(nil) = %+v, want the zero Agenda", got)
	}
}

func TestDeliveryTimes(t *testing.T) {
	var d store.Delivery
	DeliveryTimes(&d, 1767225600, 0, 1767225660, 1767225720)
	if d.Due != Time(1767225600) || !d.Deadline.IsZero() || d.NextAttempt != Time(1767225660) || d.Updated != Time(1767225720) {
		t.Errorf("without a deadline: %+v", d)
	}
	DeliveryTimes(&d, 1767225600, 1767229200, 1767225660, 1767225720)
	if d.Deadline != Time(1767229200) {
		t.Errorf("Deadline = %v, want %v", d.Deadline, Time(1767229200))
	}
}

func TestClaimResult(t *testing.T) {
	d := store.Delivery{ID: 7, Attempts: 2}
	if err := ClaimResult(d, 1, nil); err != nil {
		t.Errorf("held: %v", err)
	}
	err := ClaimResult(d, 0, nil)
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "delivery 7 attempt 2") {
		t.Errorf("lost claim: %v, want ErrNotFound naming delivery 7 attempt 2", err)
	}
	boom := errors.New("disk full")
	if err := ClaimResult(d, 0, boom); !errors.Is(err, boom) || errors.Is(err, store.ErrNotFound) {
		t.Errorf("failed statement: %v, want it wrapped and not ErrNotFound", err)
	}
}

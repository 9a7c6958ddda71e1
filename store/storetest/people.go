// The people of a session: its speakers, in Slack or by email, and who
// joins and leaves.

package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

func testSpeakers(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s) // U2 and jane@example.org
	other := createSample(t, s)
	var added, removed []store.Speaker
	update(t, s, func(ctx context.Context, tx store.Tx) (err error) {
		added, err = tx.AddSpeakers(ctx, sess.ID, []store.Speaker{
			{UserID: "U2"}, // already speaking
			{Name: "Jane D.", Email: "JANE@example.org"},    // already speaking: emails ignore case
			{UserID: "U3", Name: "bea"},                     // new
			{Name: "Raúl Pérez", Email: "raul@example.org"}, // new, external
		})
		return err
	})
	if len(added) != 2 || added[0].UserID != "U3" || added[1].Email != "raul@example.org" || added[0].ID == 0 || added[1].ID == 0 {
		t.Fatalf("added = %+v; want U3 and raul, with ids", added)
	}
	got, err := s.Session(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, sp := range got.Speakers {
		keys = append(keys, sp.Key())
	}
	if fmt.Sprint(keys) != "[U2 jane@example.org U3 raul@example.org]" {
		t.Errorf("speakers = %v; want the new ones after the old, in order", keys)
	}
	// A person is one speaker across sessions.
	o, _ := s.Session(ctx, other.ID)
	if o.Speakers[0].ID != got.Speakers[0].ID || o.Speakers[1].ID != got.Speakers[1].ID {
		t.Errorf("speaker ids differ across sessions: %+v vs %+v", o.Speakers, got.Speakers)
	}

	update(t, s, func(ctx context.Context, tx store.Tx) (err error) {
		removed, err = tx.RemoveSpeakers(ctx, sess.ID, []store.Speaker{{UserID: "U2"}, {Email: "Jane@Example.org"}, {UserID: "U9"}})
		return err
	})
	if len(removed) != 2 || removed[0].UserID != "U2" || removed[1].Email != "Jane@Example.org" {
		t.Errorf("removed = %+v; want U2 and jane", removed)
	}
	got, _ = s.Session(ctx, sess.ID)
	keys = keys[:0]
	for _, sp := range got.Speakers {
		keys = append(keys, sp.Key())
	}
	if fmt.Sprint(keys) != "[U3 raul@example.org]" || got.HasSpeaker("U2") {
		t.Errorf("speakers after removal = %v", keys)
	}
	if o, _ := s.Session(ctx, other.ID); len(o.Speakers) != 2 {
		t.Errorf("removal touched another session: %+v", o.Speakers)
	}
	// Removed and added again: back, at the end.
	update(t, s, func(ctx context.Context, tx store.Tx) (err error) {
		added, err = tx.AddSpeakers(ctx, sess.ID, []store.Speaker{{UserID: "U2"}})
		return err
	})
	got, _ = s.Session(ctx, sess.ID)
	if len(added) != 1 || len(got.Speakers) != 3 || got.Speakers[2].UserID != "U2" {
		t.Errorf("re-added = %+v, speakers %+v", added, got.Speakers)
	}
}

func testJoinLeave(t *testing.T, s store.Store) {
	ctx := context.Background()
	sess := createSample(t, s)
	other := createSample(t, s)
	at := sess.Created
	var ok bool
	join := func(id int64, user string, when time.Time) bool {
		t.Helper()
		update(t, s, func(ctx context.Context, tx store.Tx) (err error) { ok, err = tx.Join(ctx, id, user, when); return })
		return ok
	}
	leave := func(id int64, user string) bool {
		t.Helper()
		update(t, s, func(ctx context.Context, tx store.Tx) (err error) { ok, err = tx.Leave(ctx, id, user); return })
		return ok
	}
	if !join(sess.ID, "P2", at.Add(time.Minute)) || !join(sess.ID, "P1", at.Add(2*time.Minute)) || !join(other.ID, "P1", at) {
		t.Fatal("a first join reported false")
	}
	if join(sess.ID, "P2", at.Add(3*time.Minute)) {
		t.Error("joining twice reported true")
	}
	got, _ := s.Session(ctx, sess.ID)
	if !slices.Equal(got.Participants, []string{"P2", "P1"}) || !got.HasParticipant("P1") || got.HasParticipant("P3") {
		t.Errorf("participants = %v; want joining order, a second join changing nothing", got.Participants)
	}
	if !leave(sess.ID, "P2") {
		t.Error("leaving reported false")
	}
	if leave(sess.ID, "P2") || leave(sess.ID, "P9") {
		t.Error("leaving without having joined reported true")
	}
	got, _ = s.Session(ctx, sess.ID)
	o, _ := s.Session(ctx, other.ID)
	if !slices.Equal(got.Participants, []string{"P1"}) || !slices.Equal(o.Participants, []string{"P1"}) {
		t.Errorf("after leave: %v, other session %v", got.Participants, o.Participants)
	}
}

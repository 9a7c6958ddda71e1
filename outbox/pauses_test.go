package outbox

import (
	"strings"
	"testing"
	"time"
)

func TestPausesByFamilyAndConversation(t *testing.T) {
	c := &clock{t: t0}
	p := NewPauses(c.Now)
	if whole := p.Note("chat.postMessage", "C1", 30*time.Second); whole {
		t.Error("one conversation limited the whole family")
	}
	for _, tc := range []struct {
		family, conv string
		want         time.Duration
	}{
		{"chat.postMessage", "C1", 30 * time.Second},
		{"chat.postMessage", "C2", 0},
		{"users.info", "", 0},
		{"chat.update", "C1", 0},
	} {
		if got := p.Wait(tc.family, tc.conv); got != tc.want {
			t.Errorf("Wait(%s, %s) = %s, want %s", tc.family, tc.conv, got, tc.want)
		}
	}
	c.Add(10 * time.Second)
	if whole := p.Note("chat.postMessage", "C2", 5*time.Second); !whole {
		t.Error("two conversations limited at once did not hold the family")
	}
	if got := p.Wait("chat.postMessage", "C3"); got != 5*time.Second {
		t.Errorf("family wait %s, want 5s", got)
	}
	if got := p.Wait("chat.postMessage", "C1"); got != 20*time.Second {
		t.Errorf("C1 wait %s, want its own 20s", got)
	}
	if p.Note("views.open", "", time.Second); p.Wait("views.open", "") != time.Second || p.Wait("users.info", "") != 0 {
		t.Error("a family without conversations is held as a whole, and alone")
	}
	c.Add(time.Minute)
	if got := p.Wait("chat.postMessage", "C1"); got != 0 {
		t.Errorf("wait %s after every pause ended", got)
	}
}

func TestBackoff(t *testing.T) {
	var got []string
	for a := 1; a <= 10; a++ {
		got = append(got, Backoff(a).String())
	}
	if want := "5s 10s 20s 40s 1m20s 2m40s 5m20s 10m0s 10m0s 10m0s"; strings.Join(got, " ") != want {
		t.Errorf("backoff %s, want %s", strings.Join(got, " "), want)
	}
}

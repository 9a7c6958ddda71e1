package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/store"
)

func TestPermalink(t *testing.T) {
	if got, want := Permalink("C1", "1700000000.123456"), "https://slack.com/archives/C1/p1700000000123456"; got != want {
		t.Errorf("Permalink %q, want %q", got, want)
	}
	for _, channel := range []string{"", "#general", "#c9", "general", "C1|general", "c1"} {
		if got := Permalink(channel, "1700000000.123456"); got != "" {
			t.Errorf("Permalink(%q) = %q, want none", channel, got)
		}
	}
	if got := Permalink("C1", ""); got != "" {
		t.Errorf("Permalink without ts %q, want empty", got)
	}
}

// A session announced in a channel typed as #name (only the fake Slack
// answers with the name; Slack answers with the id) is shown without a
// link to its announcement rather than with one that leads nowhere.
func TestShowWithoutIDLinksNoAnnouncement(t *testing.T) {
	e := newTestBot(t)
	e.run("U1", `new "Youth employment" 2026-12-03 15:00 #c9`)
	e.deliver()
	s, err := e.store.Session(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.AnnounceTS == "" || !strings.HasPrefix(s.AnnounceChannel, "#") {
		t.Fatalf("announced in %q at %q: not the case under test", s.AnnounceChannel, s.AnnounceTS)
	}
	for _, cmd := range []string{"show 1", "list"} {
		if r := e.run("U1", cmd); strings.Contains(r, "slack.com/archives/") {
			t.Errorf("%s links to an announcement in %q:\n%s", cmd, s.AnnounceChannel, r)
		}
	}
}

// TestNoticeText: the notes exchange owes under an announcement are
// worded here; rows queued before they were structured post as they are.
func TestNoticeText(t *testing.T) {
	was := time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC)
	payload := func(n exchange.Notice) string {
		b, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tt := range []struct {
		name, payload string
		want          []string
	}{
		{"legacy", "Moved: *T* was then, now later.", []string{"Moved: *T* was then, now later."}},
		{"moved", payload(exchange.Notice{Event: exchange.NoticeMoved, Title: "A <b> & c", Was: was, Start: was.Add(24 * time.Hour),
			Duration: 90 * time.Minute, TZ: "America/Santiago"}),
			[]string{"Moved: *A &lt;b&gt; &amp; c* was <!date^1772733600^", "now <!date^1772820000^", "(1 hour 30 minutes)."}},
		{"cancelled", payload(exchange.Notice{Event: exchange.NoticeCancelled, Title: "T", Start: was, TZ: "UTC", Reason: "<!channel> ill"}),
			[]string{"Cancelled: *T* (<!date^1772733600^", "will not take place. Reason: &lt;!channel&gt; ill"}},
	} {
		got := noticeText(i18n.English, store.Delivery{Kind: kindThread, Payload: tt.payload})
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tt.name, got, w)
			}
		}
	}
}

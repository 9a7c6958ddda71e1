package bot

import (
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
	if got := Permalink("C1", ""); got != "" {
		t.Errorf("Permalink without ts %q, want empty", got)
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

package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Regression tests for defects found in review.

func TestDMAnswerStoredAsTyped(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)
	// Slack sends &, < and > as entities.
	e.event(dm(t, "EvAmp", "DUA", "UA", "R&amp;D budgets &lt;3% of spend"))
	lessons, err := e.store.Lessons(context.Background(), 1)
	if err != nil || len(lessons) != 1 || lessons[0].Answer != "R&D budgets <3% of spend" {
		t.Fatalf("stored %+v, %v", lessons, err)
	}
}

func TestUserTextCannotPingTheChannel(t *testing.T) {
	e := newTestBot(t)
	d := futureDate(3)
	for _, text := range []string{
		`new "T" ` + d + ` 10:00 link:https://x.org/&gt;&lt;!channel&gt;`,
		`new "T" ` + d + ` 10:00 link:https://evil.example/x|Official`,
		`new "T" ` + d + ` 10:00 link:<https://x.org/a>b|c>`,
	} {
		if r := e.run("U1", text); !strings.Contains(r, "not a web link") {
			t.Errorf("%q accepted: %s", text, r)
		}
	}
	if e.sessionCount() != 0 {
		t.Fatal("a link with <, > or | was stored")
	}
	e.run("U1", `new "Hi <!channel> & all" `+d+` 10:00 <#C1>`)
	e.deliver()
	posts := e.slack.Calls("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("posts: %+v", posts)
	}
	// The notification text is mrkdwn: escaped. The header is plain_text,
	// which Slack never parses for mentions: shown as typed.
	if text := posts[0].Form.Get("text"); strings.Contains(text, "<!channel>") || !strings.Contains(text, "&lt;!channel&gt; &amp; all") {
		t.Errorf("title not escaped in text: %s", text)
	}
	if b := posts[0].Blocks(); !strings.Contains(b, `{"type":"plain_text","text":"Hi <!channel> & all"`) || strings.Count(b, "<!channel>") != 1 {
		t.Errorf("blocks: %s", b)
	}
}

func TestFailedZoneLookupIsNotCached(t *testing.T) {
	e := newTestBot(t)
	e.slack.Zones["U7"] = "Asia/Tokyo"
	e.slack.Fail("users.info", 1, "fatal_error")
	d := futureDate(5)
	e.run("U7", `new "First" `+d+` 15:00`)
	e.run("U7", `new "Second" `+d+` 15:00`)
	ctx := context.Background()
	first, _ := e.store.Session(ctx, 1)
	second, _ := e.store.Session(ctx, 2)
	if first.TZ != "America/Santiago" || second.TZ != "Asia/Tokyo" {
		t.Errorf("zones %s then %s; want the default while Slack failed, then the user's", first.TZ, second.TZ)
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	e := newTestBot(t)
	body := strings.Repeat("x", maxBody+1)
	code, _ := e.post("/slack/commands", "application/x-www-form-urlencoded", body, sign(body, time.Now(), testSecret))
	if code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", code)
	}
}

func TestPruneProcessed(t *testing.T) {
	e := newTestBot(t)
	ctx := context.Background()
	if err := e.store.MarkProcessed(ctx, "event:old", time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e.store.MarkProcessed(ctx, "event:new", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.bot.pruneProcessed(ctx); err != nil {
		t.Fatal(err)
	}
	var keys []string
	rows, _ := e.store.DB().Query("SELECT key FROM processed ORDER BY key")
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	if strings.Join(keys, ",") != "event:new" {
		t.Fatalf("keys after prune: %v", keys)
	}
}

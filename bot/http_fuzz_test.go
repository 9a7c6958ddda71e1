package bot

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzSlackPayloads sends arbitrary, correctly signed bodies to the three
// Slack endpoints: whatever arrives, the bot answers with a status below
// 500 and does not panic. (A signed body is the worst case: unsigned ones
// stop at the signature check.)
func FuzzSlackPayloads(f *testing.F) {
	for _, name := range []string{"slash-command.form", "event-url-verification.json", "event-message-im.json",
		"event-app-home-opened.json", "interactivity-block-actions.json", "interactivity-view-submission.json"} {
		b, err := readFixtureBytes(name)
		if err != nil {
			f.Fatal(err)
		}
		if strings.HasPrefix(name, "interactivity-") {
			f.Add(uint8(1), "payload="+string(b))
		} else if strings.HasPrefix(name, "event-") {
			f.Add(uint8(2), string(b))
		} else {
			f.Add(uint8(0), string(b))
		}
	}
	f.Add(uint8(1), "payload=%7B%22type%22%3A%22view_submission%22%2C%22view%22%3A%7B%22callback_id%22%3A%22new_session%22%7D%7D")
	f.Add(uint8(2), `{"type":"event_callback","event_id":"E1","event":{"type":"message","channel_type":"im","user":"U1","text":"skip"}}`)
	f.Add(uint8(0), "text=new+%22x%22+tomorrow+3pm&user_id=U1&channel_id=C1")

	e := newTestBot(f)
	h := http.NewServeMux()
	e.bot.Register(h)
	paths := []string{"/slack/commands", "/slack/interactivity", "/slack/events"}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header = sign(body, time.Now(), testSecret)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s answered %d to %q: %s", path, rec.Code, body, rec.Body)
		}
	})
}

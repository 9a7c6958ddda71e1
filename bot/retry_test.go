package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/exchangebot/exchangebot/store"
)

// retryButton is the value of the "Send again" button on the creator's
// note about a message Slack refused, from the DM posted to channel.
func retryButton(t *testing.T, e *testEnv, channel string) string {
	t.Helper()
	for _, c := range e.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") != channel || c.Error != "" || !strings.Contains(c.Form.Get("blocks"), actionRetry) {
			continue
		}
		var blocks []struct {
			Elements []struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
		}
		if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks); err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			for _, el := range b.Elements {
				if el.ActionID == actionRetry {
					return el.Value
				}
			}
		}
	}
	t.Fatalf("no retry button in %s: %+v", channel, e.slack.Calls("chat.postMessage"))
	return ""
}

// announced counts the announcements Slack took in channel.
func announced(e *testEnv, channel string) int {
	n := 0
	for _, c := range e.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == channel && c.Error == "" {
			n++
		}
	}
	return n
}

// ephemerals are the ephemeral replies user got, in order.
func ephemerals(e *testEnv, user string) []string {
	var out []string
	for _, c := range e.slack.Calls("chat.postEphemeral") {
		if c.Form.Get("user") == user {
			out = append(out, c.Form.Get("text"))
		}
	}
	return out
}

// The creator's note about an announcement Slack refused carries a "Send
// again" button: once the channel is back, the creator's press sends the
// announcement once; someone else's press is refused and changes nothing;
// a redelivered press acts once, and a later press says it is no longer
// failed.
func TestRetryButtonSendsTheFailedMessageAgain(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Policy.Staff = []string{"U1"} })
	e.run("U1", `new "Youth employment" `+futureDate(4)+` 15:00 <#C404|gone>`)
	e.slack.FailChannel("C404", "channel_not_found")
	e.deliver()
	e.deliver() // the creator's note
	value := retryButton(t, e, "DU1")
	if announced(e, "C404") != 0 {
		t.Fatal("announced in a channel that was gone")
	}
	e.slack.FixChannel("C404")

	// Someone else: refused, nothing requeued.
	e.interaction(evalPress("U2", "DU2", actionRetry, value))
	if got := ephemerals(e, "U2"); len(got) != 1 || !strings.Contains(got[0], "Only staff") {
		t.Fatalf("U2 told %q", got)
	}
	e.deliver()
	if n := announced(e, "C404"); n != 0 {
		t.Fatalf("announced %d times after a refused press", n)
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := e.store.Delivery(context.Background(), id); err != nil || d.State != store.StateFailed {
		t.Fatalf("after a refused press: %+v, %v", d, err)
	}

	// The creator, twice as Slack redelivers the same press.
	p := evalPress("U1", "DU1", actionRetry, value)
	if code, _ := e.interaction(p); code != 200 {
		t.Fatalf("press: %d", code)
	}
	e.interaction(p)
	e.deliver()
	if n := announced(e, "C404"); n != 1 {
		t.Fatalf("announced %d times after the creator's press, want 1", n)
	}
	got := ephemerals(e, "U1")
	if len(got) != 1 || !strings.Contains(got[0], "again now") || !strings.Contains(got[0], "Youth employment") {
		t.Fatalf("U1 told %q", got)
	}

	// A new press once it is sent: nothing to send again.
	e.interaction(evalPress("U1", "DU1", actionRetry, value))
	e.deliver()
	if n := announced(e, "C404"); n != 1 {
		t.Fatalf("announced %d times after a press on a sent message", n)
	}
	if got := ephemerals(e, "U1"); len(got) != 2 || !strings.Contains(got[1], "has not failed") {
		t.Fatalf("U1 told %q", got)
	}
}

package main

// Issue 10 on the built binary: the App Home, the announcement's count,
// edit reaching the feed, speakers told, reminders with a link button,
// the plain-text fallback, DMs answered, private channels refused at
// scheduling, and nothing sent that Slack's limits would refuse.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// nativeDM posts a message.im event from user; the message is first put
// in the fake's history, as Slack holds it.
func nativeDM(t *testing.T, p *proc, fake *slackfake.Server, user, text string) string {
	t.Helper()
	ts := fake.AddMessage("D"+user, user, text)
	postEvent(t, p.addr, "EvDM"+strings.ReplaceAll(ts, ".", ""), map[string]any{"type": "message", "channel": "D" + user,
		"user": user, "channel_type": "im", "text": text, "ts": ts, "event_ts": ts})
	return ts
}

// nativePress posts a signed button press.
func nativePress(t *testing.T, p *proc, user, channel, messageTS, actionID, value string) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1"},
		"user": map[string]any{"id": user}, "api_app_id": "A1", "trigger_id": fmt.Sprintf("native.%d", time.Now().UnixNano()),
		"channel": map[string]any{"id": channel}, "container": map[string]any{"type": "message", "message_ts": messageTS},
		"message": map[string]any{"ts": messageTS},
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b", "value": value, "action_ts": "1"}}})
	if code, reply := postInteraction(t, p.addr, string(payload), 0); code != 200 {
		t.Fatalf("press %s: %d %s", actionID, code, reply)
	}
}

// nativeHome waits for a views.publish to user whose view holds every want.
func nativeHome(t *testing.T, fake *slackfake.Server, user string, after int, want ...string) {
	t.Helper()
	waitCall(t, fake, "views.publish", "Home of "+user+" with "+strings.Join(want, ", "), func(c slackfake.Call) bool {
		if u, _ := c.JSON["user_id"].(string); u != user || c.Error != "" {
			return false
		}
		if len(fake.Calls("views.publish")) <= after {
			return false
		}
		v, _ := json.Marshal(c.JSON["view"])
		for _, w := range want {
			if !strings.Contains(slackfake.Readable(string(v)), w) {
				return false
			}
		}
		return true
	})
}

// nativeWaitPost waits, until 30 s after due, for a chat.postMessage
// that matches.
func nativeWaitPost(t *testing.T, fake *slackfake.Server, due time.Time, what string, match func(slackfake.Call) bool) {
	t.Helper()
	for {
		for _, c := range fake.Calls("chat.postMessage") {
			if match(c) {
				return
			}
		}
		if time.Now().After(due.Add(30 * time.Second)) {
			t.Fatalf("no %s 30 s after it was due (%s)", what, due.Format(time.RFC3339))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var nativeSequence = regexp.MustCompile(`SEQUENCE:(\d+)`)

// nativeSeq reads the SEQUENCE of session id's feed.
func nativeSeq(t *testing.T, p *proc, id int) int {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://%s/calendar/session/%d.ics", p.addr, id))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := nativeSequence.FindSubmatch(b)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("feed of #%d: %d %s", id, resp.StatusCode, b)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// nativeClean asserts that the binary sent nothing Slack's limits refuse
// and made no call before a Retry-After ran out.
func nativeClean(t *testing.T, fake *slackfake.Server) {
	t.Helper()
	for _, c := range fake.Calls() {
		if len(c.Problems) > 0 {
			t.Errorf("%s refused by Slack's limits: %v", c.Method, c.Problems)
		}
	}
	if _, violations := fake.RateCounts(); violations != 0 {
		t.Errorf("%d calls before a Retry-After ran out", violations)
	}
	if !t.Failed() {
		t.Logf("%d calls to the fake Slack, none against its limits", len(fake.Calls()))
	}
}

// nativeTopTS is the ts of the last message in channel outside a thread
// ("" for none).
func nativeTopTS(fake *slackfake.Server, channel string) string {
	ts := ""
	for _, m := range fake.Messages() {
		if m.Channel == channel && m.ThreadTS == "" {
			ts = m.TS
		}
	}
	return ts
}

func nativePost(fake *slackfake.Server, channel, text string) func(slackfake.Call) bool {
	return func(c slackfake.Call) bool {
		return c.Error == "" && c.Form.Get("channel") == channel &&
			strings.Contains(c.Form.Get("text")+c.Blocks(), text)
	}
}

// TestBinNativeHomeJoinEditDM: the Home on opening, a join updating the
// count and the joiner's Home, edit reaching the announcement and the
// feed's SEQUENCE, an added speaker's DM, "hola" answered, and a message
// after stop offered and added on a press.
func TestBinNativeHomeJoinEditDM(t *testing.T) {
	t.Parallel()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	addr := freePort(t)
	cfg := writeConfig(t, dir, addr, fake.APIURL(), "feeds:\n  public: true\n")

	// A session held yesterday whose speaker U7 waits on the first lesson
	// question, before the binary opens the database.
	func() {
		st, err := openStore(context.Background(), databaseOf(t, cfg))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		now := time.Now().UTC().Truncate(time.Second)
		held := &store.Session{Title: "Held yesterday", Kind: "webinar", Start: now.Add(-26 * time.Hour), Duration: time.Hour,
			TZ: "UTC", Creator: "U1", Created: now, Updated: now}
		err = st.Update(context.Background(), func(tx store.Tx) error {
			if err := tx.CreateSession(context.Background(), held); err != nil {
				return err
			}
			_, err := tx.RecordPrompt(context.Background(), held.ID, "U7", "DU7", now)
			return err
		})
		if err != nil || held.ID != 1 {
			t.Fatalf("seed: %v (id %d)", err, held.ID)
		}
	}()
	p := startServe(t, dir, cfg, addr)

	date := time.Now().UTC().AddDate(0, 0, 5).Format("2006-01-02")
	if _, reply := p.command("U1", `new "Native ride" `+date+` 15:00 tz:UTC <#C1|general>`); !strings.Contains(reply, "#2") {
		t.Fatalf("new: %s", reply)
	}
	ann := waitCall(t, fake, "chat.postMessage", "announcement", nativePost(fake, "C1", "Native ride"))
	annTS := nativeTopTS(fake, "C1")
	if !strings.Contains(ann.Blocks(), `"action_id":"join"`) || annTS == "" {
		t.Fatalf("announcement without Join: %s", ann.Blocks())
	}

	// (1) Opening the Home publishes it: the creator's sessions, the
	// speaker's pending prompt.
	postEvent(t, p.addr, "EvHome1", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"})
	nativeHome(t, fake, "U1", 0, "Native ride")
	postEvent(t, p.addr, "EvHome7", map[string]any{"type": "app_home_opened", "user": "U7", "channel": "DU7", "tab": "home"})
	nativeHome(t, fake, "U7", 0, "Held yesterday", `"action_id":"capture_lessons"`)

	// (2) A Join press: the count on the announcement, and the joiner's Home.
	published := len(fake.Calls("views.publish"))
	nativePress(t, p, "U4", "C1", annTS, "join", "2")
	waitCall(t, fake, "chat.update", "announcement showing 1 going", func(c slackfake.Call) bool {
		return c.Error == "" && c.Form.Get("ts") == annTS && strings.Contains(c.Blocks(), "1 person going")
	})
	nativeHome(t, fake, "U4", published, "Native ride")

	// (3) edit: the announcement changes, the feed's SEQUENCE rises.
	before := nativeSeq(t, p, 2)
	if _, reply := p.command("U1", `edit 2 title:"Native ride, renamed" link:https://meet.example/native`); !strings.Contains(reply, "renamed") {
		t.Fatalf("edit: %s", reply)
	}
	waitCall(t, fake, "chat.update", "announcement renamed", func(c slackfake.Call) bool {
		return c.Error == "" && c.Form.Get("ts") == annTS && strings.Contains(c.Blocks(), "Native ride, renamed")
	})
	if after := nativeSeq(t, p, 2); after <= before {
		t.Errorf("SEQUENCE %d after edit, %d before", after, before)
	} else {
		t.Logf("SEQUENCE %d -> %d", before, after)
	}

	// (4) A speaker added later is told by DM.
	if _, reply := p.command("U1", `speakers 2 add <@U8|bea>`); !strings.Contains(reply, "U8") {
		t.Errorf("speakers add: %s", reply)
	}
	waitCall(t, fake, "chat.postMessage", "DM to the added speaker", nativePost(fake, "DU8", "added you as a speaker"))

	// (7) "hola" outside a conversation is answered.
	nativeDM(t, p, fake, "U9", "hola")
	waitCall(t, fake, "chat.postMessage", "answer to hola", nativePost(fake, "DU9", "I schedule knowledge exchanges"))

	// After stop, a message is offered as an answer; the press adds it.
	nativeDM(t, p, fake, "U7", "stop")
	thought := nativeDM(t, p, fake, "U7", "One more thought: bring printed forms")
	offer := waitCall(t, fake, "chat.postMessage", "add-it offer", nativePost(fake, "DU7", "Shall I add this message"))
	if !strings.Contains(offer.Blocks(), `"action_id":"add_answer"`) {
		t.Fatalf("offer without a button: %s", offer.Blocks())
	}
	var offerTS string
	for _, m := range fake.Messages() {
		if m.Channel == "DU7" && strings.Contains(m.Text, "Shall I add") {
			offerTS = m.TS
		}
	}
	nativePress(t, p, "U7", "DU7", offerTS, "add_answer", "1:"+thought)
	waitCall(t, fake, "chat.update", "offer turned into added", func(c slackfake.Call) bool {
		return c.Error == "" && c.Form.Get("ts") == offerTS && strings.Contains(c.Form.Get("text"), "Added to your answer")
	})

	p.stop()
	st := openTestStore(t, databaseOf(t, cfg))
	answers, err := st.Lessons(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range answers {
		if strings.Contains(a.Answer, "bring printed forms") {
			found = true
		}
	}
	if !found {
		t.Errorf("the added message is not among the answers: %+v", answers)
	}
	// (9)
	nativeClean(t, fake)
}

// TestBinNativeReminderAndPlainText: an announcement Slack refuses once
// for its blocks arrives as plain text on the retry, and a reminder due
// seconds after scheduling carries the join link as a button, in the
// thread and by DM to the speaker.
func TestBinNativeReminderAndPlainText(t *testing.T) {
	t.Parallel()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	addr := freePort(t)
	// The command takes minutes; the reminder offset is what puts its
	// due time some 60 s after now, room for a slow start on a busy machine.
	start := time.Now().UTC().Truncate(time.Minute).Add(3 * time.Minute)
	offset := time.Until(start) - 60*time.Second
	cfg := writeConfig(t, dir, addr, fake.APIURL(), fmt.Sprintf("reminders:\n  before: [%q]\n", fmt.Sprintf("%ds", int(offset.Seconds()))))
	p := startServe(t, dir, cfg, addr)

	fake.Fail("chat.postMessage", 1, "invalid_blocks")
	if _, reply := p.command("U1", `new "Plain ride" `+start.Format("2006-01-02 15:04")+` tz:UTC <@U2|ana> <#C1|general> link:https://meet.example/plain`); !strings.Contains(reply, "#1") {
		t.Fatalf("new: %s", reply)
	}
	// (6) Refused once for its blocks, sent again as plain text.
	plain := waitCall(t, fake, "chat.postMessage", "announcement as plain text", func(c slackfake.Call) bool {
		return c.Error == "" && c.Form.Get("channel") == "C1" && c.Form.Get("thread_ts") == "" && strings.Contains(c.Form.Get("text"), "Plain ride")
	})
	if b := plain.Form.Get("blocks"); b != "" && b != "[]" && b != "null" {
		t.Errorf("the retry carries blocks again: %s", b)
	}
	refused := 0
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Error == "invalid_blocks" && c.Form.Get("channel") == "C1" {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d announcement posts refused, want the one the fake refused", refused)
	}
	annTS := nativeTopTS(fake, "C1")

	// (5) The reminder, in the thread and by DM, with the link as a button.
	hasButton := func(c slackfake.Call) bool {
		return strings.Contains(c.Blocks(), `"action_id":"reminder_join"`) && strings.Contains(c.Blocks(), `"url":"https://meet.example/plain"`)
	}
	due := start.Add(-offset)
	nativeWaitPost(t, fake, due, "reminder in the thread with the link button", func(c slackfake.Call) bool {
		return c.Error == "" && c.Form.Get("thread_ts") == annTS && hasButton(c)
	})
	nativeWaitPost(t, fake, due, "reminder DM with the link button", func(c slackfake.Call) bool {
		return c.Error == "" && c.Form.Get("channel") == "DU2" && hasButton(c)
	})
	nativeClean(t, fake)
}

// TestBinNativePrivateChannel: scheduling into a private channel the bot
// is not in tells the creator at once, and stores nothing.
func TestBinNativePrivateChannel(t *testing.T) {
	t.Parallel()
	p, fake := startWithFake(t)
	fake.Private["GSECRET"] = false
	fake.FailChannel("GSECRET", "not_in_channel")
	date := time.Now().UTC().AddDate(0, 0, 4).Format("2006-01-02")
	code, reply := p.command("U1", `new "Hidden ride" `+date+` 15:00 tz:UTC <#GSECRET|secret>`)
	if code != 200 || !strings.Contains(reply, "Invite me there first") || !strings.Contains(reply, "Nothing was saved") {
		t.Fatalf("new into a private channel: %d %s", code, reply)
	}
	if _, list := p.command("U1", "list"); strings.Contains(list, "Hidden ride") {
		t.Errorf("the refused session is listed: %s", list)
	}
	time.Sleep(2 * time.Second) // room for an announcement, if one were owed
	for _, c := range fake.Calls("chat.postMessage") {
		if strings.Contains(c.Form.Get("text"), "Hidden ride") {
			t.Errorf("something was sent for the refused session: %+v", c.Form)
		}
	}
	p.stop()
	st := openTestStore(t, databaseOf(t, p.cfg))
	if s, err := st.Session(context.Background(), 1); err == nil {
		t.Errorf("session stored after the refusal: %+v", s)
	}
	nativeClean(t, fake)
}

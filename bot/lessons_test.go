package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

var threeQuestions = []string{"What worked well?", "What would you do differently?", "What should peers replicate?"}

func lessonsFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var dmSeq atomic.Int64

// dm is a message.im event in the shape of testdata/event-message-im.json.
func dm(t *testing.T, eventID, channel, user, text string) string {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal([]byte(lessonsFixture(t, "event-message-im.json")), &ev); err != nil {
		t.Fatal(err)
	}
	ts := fmt.Sprintf("1764331200.%06d", dmSeq.Add(1))
	ev["event_id"] = eventID
	inner := ev["event"].(map[string]any)
	inner["channel"], inner["user"], inner["text"], inner["ts"], inner["event_ts"] = channel, user, text, ts, ts
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// post is what a test expects the fake Slack to have received.
type post struct {
	channel, thread string
	has, hasNot     []string
}

// posts checks the messages posted since the last call against want, in order.
type posts struct {
	t    *testing.T
	e    *testEnv
	seen int
}

func (p *posts) expect(step string, want ...post) []slackfake.Message {
	p.t.Helper()
	all := p.e.slack.Messages()
	got := all[p.seen:]
	p.seen = len(all)
	if len(got) != len(want) {
		var lines []string
		for _, m := range got {
			lines = append(lines, fmt.Sprintf("  %s thread=%q %q", m.Channel, m.ThreadTS, m.Text))
		}
		p.t.Fatalf("%s: %d messages, want %d:\n%s", step, len(got), len(want), strings.Join(lines, "\n"))
	}
	for i, w := range want {
		m := got[i]
		body := m.Text + "\n" + slackfake.Readable(string(m.Blocks))
		if m.Channel != w.channel || m.ThreadTS != w.thread {
			p.t.Errorf("%s #%d: posted to %s thread %q, want %s thread %q (%q)", step, i, m.Channel, m.ThreadTS, w.channel, w.thread, m.Text)
		}
		for _, s := range w.has {
			if !strings.Contains(body, s) {
				p.t.Errorf("%s #%d (%s): missing %q in\n%s", step, i, m.Channel, s, body)
			}
		}
		for _, s := range w.hasNot {
			if strings.Contains(body, s) {
				p.t.Errorf("%s #%d (%s): has %q in\n%s", step, i, m.Channel, s, body)
			}
		}
	}
	return got
}

// scheduleAt schedules a session three days ahead at 15:00 Santiago time
// and returns its start.
func scheduleAt(t *testing.T, e *testEnv, user, rest string) time.Time {
	t.Helper()
	loc := mustLoc("America/Santiago")
	day := e.clock.Now().In(loc).AddDate(0, 0, 3)
	reply := e.run(user, fmt.Sprintf(`new "Youth employment" %s 15:00 90m %s`, day.Format("2006-01-02"), rest))
	if !strings.Contains(reply, "Scheduled *#1*") {
		t.Fatalf("new: %s", reply)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 15, 0, 0, 0, loc)
}

func (e *testEnv) answered(sessionID int64) map[string]int {
	e.t.Helper()
	n, err := e.store.Answered(context.Background(), sessionID)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *testEnv) promptState(sessionID int64, user string) string {
	e.t.Helper()
	p, err := e.store.Prompt(context.Background(), sessionID, user)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.State
}

// TestLessonsOverASessionsLife follows one session from `new` to the
// summary, checking every message Slack receives.
func TestLessonsOverASessionsLife(t *testing.T) {
	e := newTestBot(t, func(c *Config) {
		c.Lessons.Channel = "CLESSONS"
		c.Lessons.Questions = threeQuestions
	})
	p := &posts{t: t, e: e}
	// UA schedules and speaks, so the prompts go to the two speakers only.
	start := scheduleAt(t, e, "UA", "<@UA|ana> <@UB|ben> <#CANN|south-south>")
	end := start.Add(90 * time.Minute)

	e.deliver()
	ann := p.expect("announcement", post{channel: "CANN", has: []string{"Youth employment", "Join"}})[0].TS

	for _, r := range []struct {
		before time.Duration
		says   string
	}{{24 * time.Hour, "in 24 hours"}, {time.Hour, "in 1 hour"}} {
		e.clock.Set(start.Add(-r.before))
		e.deliver()
		p.expect("reminder "+r.says,
			post{channel: "CANN", thread: ann, has: []string{"Reminder: *Youth employment*", r.says}},
			post{channel: "DUA", has: []string{"Reminder: *Youth employment*", r.says}},
			post{channel: "DUB", has: []string{"Reminder: *Youth employment*", r.says}})
	}

	e.clock.Set(end.Add(15 * time.Minute))
	e.deliver()
	prompt := []string{"Thank you for speaking at *Youth employment* (#1)", "1. What worked well?", "3. What should peers replicate?",
		`"action_id":"capture_lessons"`, `"value":"1"`, "Capture lessons", "`skip` moves on", "*Question 1 of 3:* What worked well?"}
	p.expect("prompts", post{channel: "DUA", has: prompt}, post{channel: "DUB", has: prompt})
	if s := e.promptState(1, "UB"); s != store.PromptAnswering {
		t.Fatalf("UB's prompt is %s, want answering", s)
	}

	// A walks through the questions in the DM, skipping the second.
	e.clock.Add(time.Hour)
	e.event(dm(t, "EvA1", "DUA", "UA", "Mirror teams made the evaluación credible."))
	e.deliver()
	p.expect("answer 1", post{channel: "DUA", has: []string{"Saved.", "*Question 2 of 3:* What would you do differently?"}})
	e.event(dm(t, "EvA2", "DUA", "UA", "skip"))
	e.deliver()
	p.expect("skip", post{channel: "DUA", has: []string{"Skipped.", "*Question 3 of 3:* What should peers replicate?"}})
	e.event(dm(t, "EvA3", "DUA", "UA", "Share the registry early,\nwith a data agreement."))
	e.deliver()
	p.expect("answer 3", post{channel: "DUA", has: []string{"Saved. That was the last question: thank you!", "#1"}})
	if got := e.answered(1); got["UA"] != 2 || got["UB"] != 0 {
		t.Fatalf("answers = %v, want 2 from UA", got)
	}

	// B is silent, so the summary waits for close time; only B is nudged.
	e.clock.Set(end.Add(15*time.Minute + 48*time.Hour))
	e.deliver()
	p.expect("nudge", post{channel: "DUB", has: []string{"gentle reminder", "*Youth employment* (#1)", "Capture lessons", "*Question 1 of 3:*"}})

	e.clock.Set(end.Add(168 * time.Hour))
	e.deliver()
	summary := []string{"*Lessons from #1 Youth employment*", "<@UA>", "_What worked well?_", "> Mirror teams made the evaluación credible.",
		"_What should peers replicate?_", "> Share the registry early,\n> with a data agreement.", "/exchange lessons 1"}
	skipped := []string{"What would you do differently?", "<@UB>"}
	p.expect("summary to the lessons channel", post{channel: "CLESSONS", has: summary, hasNot: skipped})
	e.deliver() // the thread copy the channel post queued
	p.expect("summary in the thread", post{channel: "CANN", thread: ann, has: summary, hasNot: skipped})

	e.clock.Add(24 * time.Hour)
	e.deliver()
	p.expect("nothing more")

	rows, err := e.store.Deliveries(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, d := range rows {
		if d.Kind == kindNudge || d.Kind == kindSummary {
			states[d.Kind+" "+d.Recipient] = d.State
		}
	}
	want := map[string]string{"nudge UA": "skipped", "nudge UB": "sent", "summary CLESSONS": "sent", "summary CANN": "sent"}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("%s is %q, want %q (all: %v)", k, states[k], v, states)
		}
	}
}

// promptedSession schedules a session with speakers UA and UB (created by
// UC, also prompted) and delivers everything up to the prompts.
func promptedSession(t *testing.T, e *testEnv) {
	t.Helper()
	start := scheduleAt(t, e, "UC", "<@UA|ana> <@UB|ben> <#CANN|south-south>")
	e.clock.Set(start.Add(90*time.Minute + 15*time.Minute))
	e.deliver()
	e.slack.Reset()
}

func (e *testEnv) postsTo(channel string) []string {
	var out []string
	for _, m := range e.slack.Messages() {
		if m.Channel == channel {
			out = append(out, m.Text)
		}
	}
	return out
}

func TestDMAnswersActOnceAndStopKeepsThem(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)
	before := len(e.postsTo("DUA"))

	first := dm(t, "EvR1", "DUA", "UA", "Peer reviews built trust.")
	e.event(first)
	e.event(first) // Slack redelivers the same event
	// The same message under a new event id (Socket Mode and HTTP both).
	e.event(strings.Replace(first, `"EvR1"`, `"EvR1-again"`, 1))
	e.deliver()
	if got := e.answered(1)["UA"]; got != 1 {
		t.Fatalf("answers after redelivery = %d, want 1", got)
	}
	if got := len(e.postsTo("DUA")) - before; got != 1 {
		t.Fatalf("replies after redelivery = %d, want 1", got)
	}

	e.event(dm(t, "EvR2", "DUA", "UA", "Start with the registry."))
	e.event(dm(t, "EvR3", "DUA", "UA", "Stop"))
	e.deliver()
	replies := e.postsTo("DUA")
	if last := replies[len(replies)-1]; !strings.Contains(last, "Stopped. I kept the 2 answers you gave for #1") {
		t.Errorf("reply to stop = %q", last)
	}
	if s := e.promptState(1, "UA"); s != store.PromptStopped {
		t.Errorf("prompt after stop is %s", s)
	}
	lessons, err := e.store.Lessons(context.Background(), 1)
	if err != nil || len(lessons) != 2 || lessons[0].Answer != "Peer reviews built trust." || lessons[1].Question != threeQuestions[1] {
		t.Fatalf("lessons after stop = %+v, %v", lessons, err)
	}

	// None of these is an answer: after stop (offered as an added answer),
	// someone else in the DM (answered with their sessions and help), a
	// channel message, an edit, a bot's own post (neither answered).
	n := len(e.slack.Messages())
	e.event(dm(t, "EvR4", "DUA", "UA", "One more thought"))
	e.event(dm(t, "EvR5", "DUA", "UB", "Hijack"))
	ch := strings.Replace(dm(t, "EvR6", "CANN", "UB", "In the channel"), `"channel_type":"im"`, `"channel_type":"channel"`, 1)
	e.event(ch)
	e.event(strings.Replace(dm(t, "EvR7", "DUB", "UB", "edited"), `"type":"message"`, `"type":"message","subtype":"message_changed"`, 1))
	e.event(strings.Replace(dm(t, "EvR8", "DUB", "UB", "from a bot"), `"type":"message"`, `"type":"message","bot_id":"B1"`, 1))
	e.deliver()
	if got := e.answered(1); got["UA"] != 2 || got["UB"] != 0 || len(got) != 1 {
		t.Errorf("answers = %v, want only UA's two", got)
	}
	msgs := e.slack.Messages()[n:]
	if len(msgs) != 2 {
		t.Fatalf("%d replies to messages that are not answers, want the offer and the help", len(msgs))
	}
	if !strings.Contains(msgs[0].Text, "stopped the questions") || !strings.Contains(string(msgs[0].Blocks), `"action_id":"add_answer"`) {
		t.Errorf("after stop: %s %s", msgs[0].Text, msgs[0].Blocks)
	}
	if !strings.Contains(msgs[1].Text, "/exchange help") {
		t.Errorf("chat answer: %s", msgs[1].Text)
	}
	// UB, whose prompt is in DUB, still answers there.
	e.event(dm(t, "EvR9", "DUB", "UB", "Local partners mattered."))
	if got := e.answered(1)["UB"]; got != 1 {
		t.Errorf("UB answers = %d, want 1", got)
	}
}

func blockAction(user, channel, value string) string {
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": "trig-" + user, "channel": map[string]any{"id": channel},
		"actions": []map[string]any{{"type": "button", "action_id": actionCapture, "block_id": "capture_" + value, "value": value, "action_ts": "1764331201.000000"}},
	})
	return string(b)
}

func TestCaptureModal(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	// U2 is the user in testdata/interactivity-view-submission.json.
	start := scheduleAt(t, e, "U1", "<@U2|ana> <@U3|ben> <#CANN|south-south>")
	e.clock.Set(start.Add(105 * time.Minute))
	e.deliver()
	e.event(dm(t, "EvM1", "DU2", "U2", "Old answer"))
	e.slack.Reset()

	e.interaction(blockAction("U2", "DU2", "1"))
	calls := e.slack.Calls("views.open")
	if len(calls) != 1 {
		t.Fatalf("views.open calls = %d, want 1", len(calls))
	}
	view, _ := calls[0].JSON["view"].(map[string]any)
	if view["callback_id"] != "lessons" || view["private_metadata"] != `{"session":1,"lang":"en"}` {
		t.Errorf("view = %v", view)
	}
	blocks, _ := view["blocks"].([]any)
	var ids []string
	for _, bl := range blocks[1:] {
		m := bl.(map[string]any)
		el := m["element"].(map[string]any)
		ids = append(ids, fmt.Sprintf("%s/%s/%v/%v", m["block_id"], el["action_id"], el["multiline"], m["optional"]))
		if m["block_id"] == "q1" && el["initial_value"] != "Old answer" {
			t.Errorf("q1 is not prefilled with the answer given: %v", el)
		}
	}
	if strings.Join(ids, " ") != "q1/answer/true/true q2/answer/true/true q3/answer/true/true" {
		t.Errorf("inputs = %v", ids)
	}

	// Someone who is not asked cannot open it.
	e.slack.Reset()
	e.interaction(blockAction("UX", "DUX", "1"))
	if n := len(e.slack.Calls("views.open")); n != 0 {
		t.Errorf("an outsider opened the form")
	}
	if c := e.slack.Calls("chat.postEphemeral"); len(c) != 1 || !strings.Contains(c[0].Form.Get("text"), "Only the speakers and the organiser of #1") {
		t.Errorf("outsider told: %v", c)
	}

	submission := strings.Replace(lessonsFixture(t, "interactivity-view-submission.json"), `{\"session\":12}`, `{\"session\":1}`, 1)
	code, body := e.interaction(submission)
	if code != 200 || strings.TrimSpace(body) != "" {
		t.Fatalf("submission answered %d %q", code, body)
	}
	lessons, _ := e.store.Lessons(context.Background(), 1)
	if len(lessons) != 1 || lessons[0].Answer != "Mirror teams made the evaluation credible." || lessons[0].UserID != "U2" {
		t.Fatalf("after the form: %+v; want q1 replaced, empty q2 not stored", lessons)
	}
	if s := e.promptState(1, "U2"); s != store.PromptDone {
		t.Errorf("U2's prompt is %s after the form, want done", s)
	}
	// The confirmation is owed with the answers, and goes to U2's DM
	// when the delivery engine runs.
	e.deliver()
	if m := e.slack.Messages(); !strings.Contains(m[len(m)-1].Text, "1 answer saved") || m[len(m)-1].Channel != "DU2" {
		t.Errorf("confirmation = %+v", m[len(m)-1])
	}

	for _, tt := range []struct{ name, from, old, new, want string }{
		{"empty", "U2", `"Mirror teams made the evaluation credible."`, `"  "`, "Answer at least one question"},
		{"outsider", "UX", `"id": "U2"`, `"id": "UX"`, "Only the speakers and the organiser of #1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			payload := strings.Replace(submission, tt.old, tt.new, 1)
			payload = strings.Replace(payload, "f6e5d4c3b2", "f6e5d4c3b2"+tt.name, 1) // a new trigger: not a redelivery
			code, body := e.interaction(payload)
			if code != 200 || !strings.Contains(body, `"response_action":"errors"`) || !strings.Contains(body, tt.want) {
				t.Errorf("answered %d %s", code, body)
			}
		})
	}

	// With U3 through too (stop), every speaker is done: the summary goes
	// now, not at close time. The creator U1 need not answer.
	e.slack.Reset()
	e.event(dm(t, "EvM2", "DU3", "U3", "stop"))
	e.deliver()
	e.deliver()
	var thread []slackfake.Message
	for _, m := range e.slack.Messages() {
		if m.Channel == "CANN" && m.ThreadTS != "" && strings.Contains(m.Text, "Lessons from #1") {
			thread = append(thread, m)
		}
	}
	if len(thread) != 1 || !strings.Contains(thread[0].Text, "Mirror teams made the evaluation credible.") {
		t.Fatalf("early summary in the thread: %+v", thread)
	}
}

func TestLessonsCommand(t *testing.T) {
	e := newTestBot(t)
	scheduleAt(t, e, "U1", "<@UA|ana> <@UB|ben> <#CANN|south-south>")
	e.deliver()
	if r := e.run("U1", `new "Cash transfers" `+e.clock.Now().In(mustLoc("America/Santiago")).AddDate(0, 0, 4).Format("2006-01-02")+` 10:00 <@UC>`); !strings.Contains(r, "#2") {
		t.Fatal(r)
	}
	ctx := context.Background()
	at := e.clock.Now()
	err := e.store.Update(ctx, func(tx store.Tx) error {
		for _, l := range []store.Lesson{
			{SessionID: 1, UserID: "UB", QuestionIdx: 0, Answer: "La evaluación externa y la EVALUACIÓN interna, juntas."},
			{SessionID: 1, UserID: "UB", QuestionIdx: 1, Answer: "Fewer slides."},
			{SessionID: 1, UserID: "UA", QuestionIdx: 0, Answer: "Mirror teams <@U999> & partners."},
			{SessionID: 2, UserID: "UC", QuestionIdx: 0, Answer: "One evaluacion was enough."},
		} {
			l.Question = testConfig().Lessons.Questions[l.QuestionIdx]
			at = at.Add(time.Minute)
			if _, err := tx.SaveAnswer(ctx, l, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := e.store.Session(ctx, 1)
	link := fmt.Sprintf("<https://slack.com/archives/%s/p%s|#1>", s1.AnnounceChannel, strings.Replace(s1.AnnounceTS, ".", "", 1))

	tests := []struct {
		text    string
		inOrder []string
	}{
		{"lessons 1", []string{"*Lessons from #1 Youth employment*", "<@UB>", "_What worked well?_", "> La evaluación externa",
			"_What would you do differently?_", "> Fewer slides.", "<@UA>", "> Mirror teams &lt;@U999&gt; &amp; partners."}},
		{"lessons #2", []string{"*Lessons from #2 Cash transfers*", "<@UC>", "> One evaluacion was enough."}},
		// Accents and case ignored; two mentions rank above one.
		{"lessons EVALUACION", []string{"matching “EVALUACION”", "• *" + link + "* Youth employment · <@UB> · _What worked well?_",
			"> La *evaluación* externa y la *EVALUACIÓN* interna", "• *#2* Cash transfers · <@UC>", "> One *evaluacion* was enough."}},
		{"lessons", []string{"*Latest lessons*", "*#2* Cash transfers · <@UC>", "*" + link + "* Youth employment · <@UA>", "`/exchange lessons 12` for one session", "`/exchange lessons evaluation` to search"}},
		{"lessons nothing-matches-this", []string{"No lessons match “nothing-matches-this”"}},
		{"lessons 99", []string{"There is no session #99"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := e.run("UZ", tt.text)
			rest := got
			for _, want := range tt.inOrder {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("%q: missing (or out of order) %q in\n%s", tt.text, want, got)
				}
				rest = rest[i+len(want):]
			}
		})
	}
}

package bot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/store"
)

// lessonsSubmission is user's capture form of session 1 coming back
// under trigger, one value per question.
func lessonsSubmission(user, trigger string, answers ...string) string {
	state := map[string]any{}
	for i, a := range answers {
		state[fmt.Sprintf("q%d", i+1)] = map[string]any{"answer": map[string]any{"type": "plain_text_input", "value": a}}
	}
	b, _ := json.Marshal(map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": trigger,
		"view": map[string]any{"id": "VL", "type": "modal", "callback_id": callbackLessons,
			"private_metadata": `{"session":1,"lang":"en"}`, "state": map[string]any{"values": state}},
	})
	return string(b)
}

// submitted sends a form and checks it closed (an empty 200).
func (e *testEnv) submitted(payload string) {
	e.t.Helper()
	if code, body := e.interaction(payload); code != http.StatusOK || strings.TrimSpace(body) != "" {
		e.t.Fatalf("form answered %d %q", code, body)
	}
}

const lessonsSaved = "Thank you: 2 answers saved for *Youth employment* (#1). Press *Capture lessons* again to edit them."

// The capture form's confirmation is owed in the commit that stores the
// answers: nothing is posted before the delivery engine runs, then it
// is posted once in the speaker's DM; the same submission again (Slack
// retrying it) stores nothing and says nothing.
func TestLessonsFormConfirmedOnce(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)
	seen := len(e.slack.Messages())
	form := lessonsSubmission("UA", "trig-form-1", "Mirror teams.", "Start earlier.")
	e.submitted(form)
	if rows := e.replyRows(); len(rows) != 1 || rows[0].State != store.StatePending || rows[0].Recipient != "UA" {
		t.Fatalf("reply rows once the form was stored: %+v", rows)
	}
	if got := e.slack.Messages()[seen:]; len(got) != 0 {
		t.Fatalf("posted before the delivery engine ran: %+v", got)
	}
	e.deliver()
	got := e.postedIn("DUA", seen)
	if len(got) != 1 || got[0].Text != lessonsSaved || got[0].ThreadTS != "" {
		t.Fatalf("posts after the delivery: %+v", got)
	}
	e.submitted(form)
	e.deliver()
	if got := e.postedIn("DUA", seen); len(got) != 1 {
		t.Fatalf("posts after a redelivered submission: %+v", got)
	}
	if rows := e.replyRows(); len(rows) != 1 || rows[0].State != store.StateSent {
		t.Fatalf("reply rows after a redelivered submission: %+v", rows)
	}
	if n := e.answered(1)["UA"]; n != 2 {
		t.Errorf("answers stored: %d", n)
	}
}

// A confirmation Slack fails to take stays owed, and goes out once on
// the retry.
func TestLessonsFormConfirmationRetriedWhenSlackFails(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)
	seen := len(e.slack.Messages())
	e.slack.Fail("chat.postMessage", 1, "internal_error")
	e.submitted(lessonsSubmission("UA", "trig-form-2", "Mirror teams.", "Start earlier."))
	if got := e.deliverPastAFailedPost("DUA", seen); len(got) != 1 || got[0].Text != lessonsSaved {
		t.Fatalf("posts after the retry: %+v", got)
	}
}

// A process that dies once the form is stored, before the confirmation
// is posted, leaves it owed: the next process posts it, once.
func TestLessonsFormConfirmedAfterACrash(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	promptedSession(t, e)
	seen := len(e.slack.Messages())
	e.submitted(lessonsSubmission("UA", "trig-form-3", "Mirror teams.", "Start earlier."))
	// e's process is gone before its delivery engine ran.
	next := e.otherProcess(1)
	if err := next.DeliverNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	next.Wait()
	if got := e.postedIn("DUA", seen); len(got) != 1 || got[0].Text != lessonsSaved {
		t.Fatalf("posts by the next process: %+v", got)
	}
}

// The evaluation forms confirm the same way, in the participant's DM:
// what they will apply, then at the follow-up what changed; each once,
// however often the submission comes.
func TestEvaluationFormsConfirmedOnce(t *testing.T) {
	e := newTestBot(t, evalConfig)
	start := scheduleAt(t, e, "U1", "<@U2|ana> <#CANN|south-south>")
	e.run("P1", "join 1")
	end := start.Add(90 * time.Minute)
	e.clock.Set(end.Add(30 * time.Minute))
	e.settle()
	seen := len(e.slack.Messages())
	plan := evalSubmission("P1", 1, exchange.PhaseRatings, "A checklist for intake")
	e.submitted(plan)
	if got := e.postedIn("DP1", seen); len(got) != 0 {
		t.Fatalf("posted before the delivery engine ran: %+v", got)
	}
	e.deliver()
	e.submitted(plan)
	e.deliver()
	got := e.postedIn("DP1", seen)
	if len(got) != 1 || !strings.HasPrefix(got[0].Text, "Saved what you will apply from *#1*.") {
		t.Fatalf("posts after the plan form: %+v", got)
	}
	if ev := e.evaluation(1, "P1"); ev.Plan != "A checklist for intake" {
		t.Errorf("P1's plan %+v", ev)
	}

	e.clock.Set(end.Add(2160 * time.Hour))
	e.settle()
	seen = len(e.slack.Messages())
	change := evalSubmission("P1", 1, exchange.PhaseFollowUp, "Intake takes a day, not a week")
	e.submitted(change)
	e.deliver()
	e.submitted(change)
	e.deliver()
	if got := e.postedIn("DP1", seen); len(got) != 1 || got[0].Text != "Saved what changed after *#1*. Thank you!" {
		t.Fatalf("posts after the follow-up form: %+v", got)
	}
}

// The new-session form opened from the Home (no channel to answer in)
// owes its confirmation as a DM with the session; opened from a channel,
// it answers there, ephemerally, at once, as before.
func TestNewSessionFormFromHomeConfirmedOnce(t *testing.T) {
	e := newTestBot(t)
	form := map[string]map[string]any{
		"title":    {"type": "plain_text_input", "value": "Youth employment"},
		"kind":     {"type": "static_select", "selected_option": map[string]any{"value": "webinar"}},
		"date":     {"type": "datepicker", "selected_date": futureDate(3)},
		"time":     {"type": "timepicker", "selected_time": "15:00"},
		"tz":       {"type": "static_select", "selected_option": map[string]any{"value": "America/Santiago"}},
		"duration": {"type": "static_select", "selected_option": map[string]any{"value": "90"}},
		"channel":  {"type": "conversations_select", "selected_conversation": "CANN"},
	}
	fromHome := viewSubmission("U1", form, `{}`)
	e.submitted(fromHome)
	if got := e.slack.Calls("chat.postMessage", "chat.postEphemeral"); len(got) != 0 {
		t.Fatalf("posted before the delivery engine ran: %+v", got)
	}
	if rows := e.replyRows(); len(rows) != 1 || rows[0].Recipient != "U1" || rows[0].State != store.StatePending {
		t.Fatalf("reply rows once the session was stored: %+v", rows)
	}
	e.deliver()
	e.submitted(fromHome)
	e.deliver()
	if n := e.sessionCount(); n != 1 {
		t.Fatalf("%d sessions after a redelivered form", n)
	}
	got := e.postedIn("DU1", 0)
	if len(got) != 1 || !strings.HasPrefix(got[0].Text, "Scheduled *#1* Youth employment") || !strings.Contains(got[0].Text, "<#CANN>") {
		t.Fatalf("DMs to the organiser: %+v", got)
	}

	// From a channel: the answer is the form's own, ephemeral, and no
	// row is owed for it.
	e.submitted(viewSubmission("U1", form, `{"channel":"C1"}`))
	if got := e.lastEphemeral("U1"); !strings.HasPrefix(got, "Scheduled *#2* Youth employment") {
		t.Errorf("organiser told %q", got)
	}
	if rows := e.replyRows(); len(rows) != 1 {
		t.Errorf("reply rows after the form from a channel: %+v", rows)
	}
}

package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
)

// addedQ2 is what UA reads once their message went to question 2.
const addedQ2 = "Added to your answer to question 2"

// alreadyAdded is what UA reads on pressing again an offer already added.
const alreadyAdded = "already in your lessons of #1"

// offered walks UA through one answer and `stop`, then one more message,
// which the bot offers to add: it returns that message's ts and text,
// and the offer as posted.
func offered(t *testing.T, e *testEnv) (ts, thought, offerTS string) {
	t.Helper()
	promptedSession(t, e)
	e.event(dm(t, "EvA1", "DUA", "UA", "Peer reviews built trust."))
	e.event(dm(t, "EvA2", "DUA", "UA", "stop"))
	thought = "One more thing: the registry needed a legal basis first."
	ts = e.slack.AddMessage("DUA", "UA", thought)
	body := strings.Replace(dm(t, "EvA3", "DUA", "UA", thought), `"ts":"`, `"ts":"`+ts+`","x":"`, 1)
	e.event(body)
	e.deliver()
	msgs := e.slack.Messages()
	offer := msgs[len(msgs)-1]
	if !strings.Contains(offer.Text, "stopped the questions") || !strings.Contains(string(offer.Blocks), "1:"+ts) {
		t.Fatalf("offer: %s %s", offer.Text, offer.Blocks)
	}
	if got := e.answered(1)["UA"]; got != 1 {
		t.Fatalf("the message was stored before it was offered: %d answers", got)
	}
	return ts, thought, offer.TS
}

// pressOn is UA's press of the offer to add the message at ts, on the
// offer posted at offerTS.
func pressOn(ts, offerTS string) string {
	p := strings.Replace(press("UA", "DUA", actionAddAnswer, "1:"+ts), `"message_ts":"1764331201.000001"`, `"message_ts":"`+offerTS+`"`, 1)
	return strings.Replace(p, `"container"`, `"message":{"ts":"`+offerTS+`"},"container"`, 1)
}

// addedTimes is how many of UA's answers to question 2 hold thought, and
// how many times in all: 1 and 1 when it was added once.
func (e *testEnv) addedTimes(thought string) (answers, times int) {
	e.t.Helper()
	lessons, err := e.store.Lessons(context.Background(), 1)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, l := range lessons {
		if l.UserID == "UA" && l.QuestionIdx == 1 && strings.Contains(l.Answer, thought) {
			answers++
			times += strings.Count(l.Answer, thought)
		}
	}
	return answers, times
}

func TestMessageAfterStopIsOfferedAndAdded(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	ts, thought, offerTS := offered(t, e)
	rowsBefore := len(e.replyRows())
	if code, body := e.interaction(pressOn(ts, offerTS)); code != http.StatusOK {
		t.Fatalf("press = %d %s", code, body)
	}
	lessons, _ := e.store.Lessons(context.Background(), 1)
	var added bool
	for _, l := range lessons {
		if l.UserID == "UA" && l.QuestionIdx == 1 && l.Answer == thought {
			added = true
		}
	}
	if !added {
		t.Fatalf("lessons after the press: %+v\n%+v", lessons, e.slack.Calls("conversations.history", "chat.update"))
	}
	if upd := e.slack.Calls("chat.update"); len(upd) != 1 || !strings.Contains(upd[0].Form.Get("text"), addedQ2) {
		t.Errorf("the offer was not replaced by its outcome: %+v", upd)
	}
	// The offer itself is updated, so nothing else is owed or posted.
	seen := len(e.slack.Messages())
	e.deliver()
	if rows := e.replyRows(); len(rows) != rowsBefore {
		t.Errorf("reply rows after the press: %+v", rows)
	}
	if got := e.postedIn("DUA", seen); len(got) != 0 {
		t.Errorf("posted after the offer was updated: %+v", got)
	}
}

// The answer is stored before Slack hears of the press; replacing the
// offer comes after, so Slack failing it fails nothing already stored,
// and Slack's retry of the press adds nothing.
func TestAddAnswerStoredWhenTheOfferCannotBeUpdated(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	ts, thought, offerTS := offered(t, e)
	e.slack.Fail("chat.update", 1, "internal_error")
	p := pressOn(ts, offerTS)
	if code, body := e.interaction(p); code != http.StatusOK {
		t.Fatalf("press with chat.update failing = %d %s", code, body)
	}
	if upd := e.slack.Calls("chat.update"); len(upd) != 1 {
		t.Fatalf("chat.update calls: %+v", upd)
	}
	if n, times := e.addedTimes(thought); n != 1 || times != 1 {
		t.Fatalf("the message is in %d answers, %d times", n, times)
	}
	if code, body := e.interaction(p); code != http.StatusOK {
		t.Fatalf("redelivered press = %d %s", code, body)
	}
	if n, times := e.addedTimes(thought); n != 1 || times != 1 {
		t.Fatalf("after a redelivered press the message is in %d answers, %d times", n, times)
	}
	// The offer still has its button (Slack failed the update): the
	// retried press turns it into "already added" instead.
	if upd := e.slack.Calls("chat.update"); len(upd) != 2 || !strings.Contains(upd[1].Form.Get("text"), alreadyAdded) {
		t.Errorf("a redelivered press did not tell the offer was added: %+v", upd)
	}
}

// A press that names no message to update is confirmed by DM, owed in
// the commit that stores the answer: nothing before the delivery engine
// runs, exactly one DM after, kept owed while Slack fails it, and
// nothing more for a redelivered press.
func TestAddAnswerWithoutOfferIsConfirmedByDM(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	ts, thought, _ := offered(t, e)
	seen := len(e.slack.Messages())
	rowsBefore := len(e.replyRows())
	p := press("UA", "DUA", actionAddAnswer, "1:"+ts) // no message in the payload
	if code, body := e.interaction(p); code != http.StatusOK {
		t.Fatalf("press = %d %s", code, body)
	}
	if got := e.postedIn("DUA", seen); len(got) != 0 {
		t.Fatalf("posted before the delivery engine ran: %+v", got)
	}
	if n, times := e.addedTimes(thought); n != 1 || times != 1 {
		t.Fatalf("the message is in %d answers, %d times", n, times)
	}
	rows := e.replyRows()
	if len(rows) != rowsBefore+1 || rows[len(rows)-1].State != store.StatePending {
		t.Fatalf("reply rows after the press: %+v", rows)
	}

	e.slack.Fail("chat.postMessage", 1, "internal_error")
	e.deliver()
	if got := e.postedIn("DUA", seen); len(got) != 0 {
		t.Fatalf("posted although Slack failed: %+v", got)
	}
	e.clock.Add(outbox.MaxBackoff)
	e.deliver()
	e.deliver()
	got := e.postedIn("DUA", seen)
	if len(got) != 1 || !strings.Contains(got[0].Text, addedQ2) {
		t.Fatalf("posts after the delivery: %+v", got)
	}

	if code, body := e.interaction(p); code != http.StatusOK {
		t.Fatalf("redelivered press = %d %s", code, body)
	}
	e.deliver()
	if got := e.postedIn("DUA", seen); len(got) != 1 {
		t.Fatalf("posts after a redelivered press: %+v", got)
	}
	if rows := e.replyRows(); len(rows) != rowsBefore+1 || rows[len(rows)-1].State != store.StateSent {
		t.Fatalf("reply rows after a redelivered press: %+v", rows)
	}
	if n, times := e.addedTimes(thought); n != 1 || times != 1 {
		t.Errorf("after a redelivered press the message is in %d answers, %d times", n, times)
	}
	if upd := e.slack.Calls("chat.update"); len(upd) != 0 {
		t.Errorf("updated a message the press did not name: %+v", upd)
	}
}

// A press refused (the message is not there to add) stores nothing; with
// no message to update, the refusal is owed by DM under the press's key,
// so a redelivered press is not refused twice.
func TestAddAnswerRefusedWithoutOfferIsToldOnce(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	offered(t, e)
	seen := len(e.slack.Messages())
	p := press("UA", "DUA", actionAddAnswer, "1:1764339999.000001") // no such message
	for range 2 {
		if code, body := e.interaction(p); code != http.StatusOK {
			t.Fatalf("press = %d %s", code, body)
		}
		e.deliver()
	}
	got := e.postedIn("DUA", seen)
	if len(got) != 1 || got[0].Text == "" || strings.Contains(got[0].Text, "Added to") {
		t.Fatalf("posts after a refused press, delivered twice: %+v", got)
	}
	if got := e.answered(1)["UA"]; got != 1 {
		t.Errorf("a refused press stored an answer: %d answers", got)
	}
}

// Two presses of the same offer, each with its own trigger (the second
// before the offer was replaced): the message is added once, and the
// second press only turns the offer into "already added": nothing is
// posted or owed for it.
func TestAddAnswerSameOfferPressedTwiceAddsOnce(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	ts, thought, offerTS := offered(t, e)
	seen := len(e.slack.Messages())
	rowsBefore := len(e.replyRows())
	first, second := pressOn(ts, offerTS), pressOn(ts, offerTS)
	if first == second {
		t.Fatal("the two presses share a trigger id")
	}
	for _, p := range []string{first, second} {
		if code, body := e.interaction(p); code != http.StatusOK {
			t.Fatalf("press = %d %s", code, body)
		}
	}
	e.deliver()
	if n, times := e.addedTimes(thought); n != 1 || times != 1 {
		t.Fatalf("after two presses the message is in %d answers, %d times", n, times)
	}
	upd := e.slack.Calls("chat.update")
	if len(upd) != 2 {
		t.Fatalf("chat.update calls: %+v", upd)
	}
	var added, already int
	for _, u := range upd {
		if u.Form.Get("ts") != offerTS {
			t.Errorf("updated %s, not the offer %s", u.Form.Get("ts"), offerTS)
		}
		switch text := u.Form.Get("text"); {
		case strings.Contains(text, addedQ2):
			added++
		case strings.Contains(text, alreadyAdded):
			already++
		}
	}
	if added != 1 || already != 1 {
		t.Errorf("offer updates: %d added, %d already added; want one each: %+v", added, already, upd)
	}
	if got := e.postedIn("DUA", seen); len(got) != 0 {
		t.Errorf("posted after the presses: %+v", got)
	}
	if rows := e.replyRows(); len(rows) != rowsBefore {
		t.Errorf("reply rows after the presses: %+v", rows)
	}
}

// With no offer to update, a second press with a new trigger adds
// nothing and owes nothing: the first press's DM is the one answer.
func TestAddAnswerWithoutOfferPressedTwiceIsToldOnce(t *testing.T) {
	e := newTestBot(t, func(c *Config) { c.Lessons.Questions = threeQuestions })
	ts, thought, _ := offered(t, e)
	seen := len(e.slack.Messages())
	for range 2 {
		if code, body := e.interaction(press("UA", "DUA", actionAddAnswer, "1:"+ts)); code != http.StatusOK {
			t.Fatalf("press = %d %s", code, body)
		}
		e.deliver()
	}
	if n, times := e.addedTimes(thought); n != 1 || times != 1 {
		t.Fatalf("after two presses the message is in %d answers, %d times", n, times)
	}
	got := e.postedIn("DUA", seen)
	if len(got) != 1 || !strings.Contains(got[0].Text, addedQ2) {
		t.Fatalf("posts after two presses: %+v", got)
	}
}

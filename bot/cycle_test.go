package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// evalConfig turns participant evaluation on, with the product's
// defaults, and makes U1 the only staff.
func evalConfig(c *Config) {
	c.Staff = []string{"U1"}
	c.Evaluation = exchange.Evaluation{Enabled: true, After: 30 * time.Minute, NudgeAfter: 48 * time.Hour,
		CloseAfter: 168 * time.Hour, FollowUp: 2160 * time.Hour}
}

var pressSeq atomic.Int64

// evalPress is a block_actions payload: user pressing a button of ours in
// channel. Each call is a new press (its own action_ts and trigger).
func evalPress(user, channel, actionID, value string) string {
	n := pressSeq.Add(1)
	return pressAt(user, channel, actionID, value, fmt.Sprintf("1764331300.%06d", n), fmt.Sprintf("trig-press-%d", n))
}

func pressAt(user, channel, actionID, value, actionTS, trigger string) string {
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": trigger, "channel": map[string]any{"id": channel}, "action_ts": actionTS,
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b", "value": value, "action_ts": actionTS}},
	})
	return string(b)
}

// evalSubmission is the evaluation form coming back with text.
func evalSubmission(user string, session int64, phase, text string) string {
	meta, _ := json.Marshal(evaluationMeta{Session: session, Phase: phase})
	b, _ := json.Marshal(map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": fmt.Sprintf("trig-eval-%d", pressSeq.Add(1)),
		"view": map[string]any{"id": "VE", "type": "modal", "callback_id": callbackEvaluation, "private_metadata": string(meta),
			"state": map[string]any{"values": map[string]any{"text": map[string]any{"text": map[string]any{"type": "plain_text_input", "value": text}}}}},
	})
	return string(b)
}

// settle delivers until nothing more goes out: rows owed by deliveries
// (an evaluation's DMs) wait for the next run.
func (e *testEnv) settle() {
	e.t.Helper()
	for range 4 {
		e.deliver()
	}
}

// sent lists, by recipient, the outbox rows of kind that went out.
func (e *testEnv) sent(kind string) map[string]int {
	e.t.Helper()
	out := map[string]int{}
	for _, d := range outboxRows(e.t, e.store, kind) {
		if d.State == store.StateSent {
			out[d.Recipient]++
		}
	}
	return out
}

// lastEphemeral is the text of the last ephemeral reply to user.
func (e *testEnv) lastEphemeral(user string) string {
	e.t.Helper()
	calls := e.slack.Calls("chat.postEphemeral")
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Form.Get("user") == user {
			return calls[i].Form.Get("text")
		}
	}
	return ""
}

// lastPost is the last message posted in channel.
func (e *testEnv) lastPost(channel string) slackfake.Message {
	e.t.Helper()
	msgs := e.slack.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Channel == channel {
			return msgs[i]
		}
	}
	e.t.Fatalf("nothing posted in %s", channel)
	return slackfake.Message{}
}

func (e *testEnv) evaluation(session int64, user string) store.Evaluation {
	e.t.Helper()
	ev, err := e.store.Evaluation(context.Background(), session, user)
	if err != nil {
		e.t.Fatalf("evaluation of #%d by %s: %v", session, user, err)
	}
	return ev
}

func wantSent(t *testing.T, step string, got map[string]int, want map[string]int) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: sent %v, want %v", step, got, want)
	}
}

// TestFromDemandToEvaluation walks the whole cycle on Slack with a clock
// moved by hand: requests asked, merged, declined and planned through the
// form; the askers told; reminders and the speaker's lessons; the
// participants' ratings by button and plans by DM reply and by form; one
// nudge to the silent; "don't ask me again" held for good; the 90-day
// follow-up to those with a plan only, with its one nudge; answers
// refused when late or from someone who did not join; and the report's
// figures against a count by hand of all of it.
func TestFromDemandToEvaluation(t *testing.T) {
	e := newTestBot(t, evalConfig, func(c *Config) {
		c.Lessons.Questions = []string{"What worked well?", "What would you do differently?"}
		c.Staff = append(c.Staff, "UE") // staff who reads Spanish
	})
	e.slack.Locales["UE"] = "es-CL"
	e.slack.Locales["UB"] = "es-CL"
	e.slack.Locales["P3"] = "es-419"
	ctx := context.Background()
	t0 := e.clock.Now()

	// Demand: three requests; one merged into another, one declined.
	if got := e.run("UA", `request "Youth employment in rural areas" partner:"FISDL" for:<#CANN|south>`); !strings.Contains(got, "*#1*") {
		t.Fatalf("request: %s", got)
	}
	e.clock.Add(time.Minute)
	if got := e.run("UB", `solicitar "Empleo juvenil rural" socio:MIDIS`); !strings.Contains(got, "Gracias: tu solicitud *#2*") {
		t.Fatalf("solicitar: %s", got)
	}
	e.run("UC", `request "Tax policy"`)
	if got := e.run("UA", "requests"); !strings.Contains(got, "decided by staff") {
		t.Errorf("non-staff requests: %s", got)
	}
	if got := e.run("U1", "requests"); !strings.Contains(got, "*#1* Youth employment in rural areas · <@UA>") || !strings.Contains(got, "FISDL · for <#CANN>") ||
		!strings.Contains(got, "*#3* Tax policy") {
		t.Errorf("requests: %s", got)
	}
	if got := e.run("U1", "solicitudes fusionar 2 1"); !strings.Contains(got, "Merged request *#2* into *#1*") {
		t.Fatalf("merge: %s", got)
	}
	if got := e.run("U1", "requests decline 3 out of scope for this year"); !strings.Contains(got, "Declined request *#3*") {
		t.Fatalf("decline: %s", got)
	}
	if got := e.run("U1", "requests decline 3"); !strings.Contains(got, "was declined already") {
		t.Errorf("declining twice: %s", got)
	}
	e.settle()
	if m := e.lastPost("DUB"); !strings.Contains(m.Text, "se fusionó con la #1") {
		t.Errorf("UB told of the merge: %q", m.Text)
	}
	if m := e.lastPost("DUC"); !strings.Contains(m.Text, "was declined: out of scope for this year") {
		t.Errorf("UC told of the decline: %q", m.Text)
	}

	// Plan: the form opens filled in from the request; scheduling links it.
	if code, body := e.command("U1", "plan 1", "trig-plan"); code != 200 {
		t.Fatalf("plan: %d %s", code, body)
	}
	opened := e.slack.Calls("views.open")
	if len(opened) != 1 {
		t.Fatalf("views.open calls: %d", len(opened))
	}
	view, _ := json.Marshal(opened[0].JSON["view"])
	for _, want := range []string{`"initial_value":"Youth employment in rural areas"`, `"initial_value":"FISDL"`, `"initial_conversation":"CANN"`, `\"request\":1`} {
		if !strings.Contains(string(view), want) {
			t.Errorf("plan form lacks %s:\n%s", want, view)
		}
	}
	loc := mustLoc("America/Santiago")
	day := t0.In(loc).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 15, 0, 0, 0, loc)
	form := map[string]map[string]any{
		"title":    {"type": "plain_text_input", "value": "Youth employment in rural areas"},
		"kind":     {"type": "static_select", "selected_option": map[string]any{"value": "webinar"}},
		"date":     {"type": "datepicker", "selected_date": day.Format("2006-01-02")},
		"time":     {"type": "timepicker", "selected_time": "15:00"},
		"tz":       {"type": "static_select", "selected_option": map[string]any{"value": "America/Santiago"}},
		"duration": {"type": "static_select", "selected_option": map[string]any{"value": "90"}},
		"speakers": {"type": "multi_users_select", "selected_users": []string{"U2"}},
		"partners": {"type": "plain_text_input", "value": "FISDL"},
		"channel":  {"type": "conversations_select", "selected_conversation": "CANN"},
	}
	if code, body := e.interaction(viewSubmission("U1", form, `{"channel":"C1","request":1}`)); code != 200 || strings.TrimSpace(body) != "" {
		t.Fatalf("plan form submitted: %d %s", code, body)
	}
	if r, _ := e.store.Request(ctx, 1); r.Status != store.RequestPlanned || r.SessionID != 1 {
		t.Fatalf("request #1 after planning: %+v", r)
	}
	if got := e.lastEphemeral("U1"); !strings.Contains(got, "Planned from request #1: <@UA> gets a DM") {
		t.Errorf("planner told %q", got)
	}
	// A second session, later, for the figures by kind and partner.
	day2 := day.AddDate(0, 0, 3)
	if got := e.run("U1", fmt.Sprintf(`new "Credit for rural youth" %s 10:00 60m <@U3> <#CANN> kind:workshop partner:MIDIS`, day2.Format("2006-01-02"))); !strings.Contains(got, "Scheduled *#2*") {
		t.Fatalf("second session: %s", got)
	}
	start2 := time.Date(day2.Year(), day2.Month(), day2.Day(), 10, 0, 0, 0, loc)
	for _, u := range []string{"P1", "P2", "P3", "P4", "P5", "U2"} {
		e.run(u, "join 1")
	}
	for _, u := range []string{"P4", "P5", "P6"} {
		e.run(u, "join 2")
	}
	e.settle()
	if m := e.lastPost("DUA"); !strings.Contains(m.Text, "is scheduled: *#1 Youth employment in rural areas*") {
		t.Errorf("UA told %q", m.Text)
	}
	if m := e.lastPost("DUB"); !strings.Contains(m.Text, "está programada: *#1 Youth employment in rural areas*") || !strings.Contains(m.Text, "solicitud #2") {
		t.Errorf("UB (merged) told %q", m.Text)
	}
	wantSent(t, "askers told", e.sent(exchange.KindRequestNews), map[string]int{"UA": 1, "UB": 2, "UC": 1})

	// Reminders, a day and an hour before.
	e.clock.Set(start.Add(-24 * time.Hour))
	e.settle()
	e.clock.Set(start.Add(-time.Hour))
	e.settle()
	if got := e.sent(exchange.KindReminder); got["P1"] != 2 || got["U2"] != 2 || got["CANN"] != 2 {
		t.Errorf("reminders before #1: %v", got)
	}

	// The speaker's lessons, in the DM walk-through.
	end := start.Add(90 * time.Minute)
	e.clock.Set(end.Add(15 * time.Minute))
	e.settle()
	e.event(dm(t, "EvL1", "DU2", "U2", "Mirror teams made it credible."))
	e.event(dm(t, "EvL2", "DU2", "U2", "Start the outreach earlier."))
	if got := e.answered(1)["U2"]; got != 2 {
		t.Errorf("U2 answered %d questions", got)
	}
	e.settle()
	if got := e.sent(exchange.KindSummary); got["CANN"] != 1 {
		t.Errorf("the lessons summary once every speaker answered: %v", got)
	}

	// The ratings DM, to each participant but the speaker.
	e.clock.Set(end.Add(30 * time.Minute))
	e.settle()
	wantSent(t, "ratings DMs", e.sent(exchange.KindEvaluation), map[string]int{"P1": 1, "P2": 1, "P3": 1, "P4": 1, "P5": 1})
	dmP1 := e.lastPost("DP1")
	for _, want := range []string{"How useful was it for your work?", `"action_id":"eval_rate_1","value":"1:1"`, `"action_id":"eval_rate_5","value":"1:5"`,
		"What will you apply from it?", `"action_id":"eval_plan"`, `"action_id":"eval_opt_out"`} {
		if !strings.Contains(slackfake.Readable(string(dmP1.Blocks)), want) {
			t.Errorf("ratings DM lacks %s:\n%s", want, dmP1.Blocks)
		}
	}

	// P1: 5 by button, changed to 4, then the first press comes again.
	first := pressAt("P1", "DP1", actionRate+"5", "1:5", "1764331400.000001", "trig-p1-a")
	e.interaction(first)
	if got := e.lastEphemeral("P1"); !strings.Contains(got, "you rated *#1* 5 of 5. What will you apply") {
		t.Errorf("P1 told %q", got)
	}
	e.interaction(evalPress("P1", "DP1", actionRate+"4", "1:4"))
	replies := len(e.slack.Calls("chat.postEphemeral"))
	e.interaction(first) // as Slack retries: the same payload
	if ev := e.evaluation(1, "P1"); ev.Rating != 4 {
		t.Errorf("P1's rating %d after a redelivered press, want 4", ev.Rating)
	}
	if n := len(e.slack.Calls("chat.postEphemeral")); n != replies {
		t.Errorf("a redelivered press was answered %d times", n-replies)
	}
	// ... and says what they will apply in a DM reply, delivered twice.
	inDP1 := func() int {
		n := 0
		for _, m := range e.slack.Messages() {
			if m.Channel == "DP1" {
				n++
			}
		}
		return n
	}
	postsBefore := inDP1()
	planDM := dm(t, "EvP1", "DP1", "P1", "A checklist for intake")
	e.event(planDM)
	e.event(planDM) // Slack's retry: the same event
	e.event(strings.Replace(planDM, "EvP1", "EvP1-again", 1))
	e.deliver()
	if n := inDP1() - postsBefore; n != 1 {
		t.Errorf("a plan by DM, delivered three times, drew %d posts in the DM, want the one confirmation", n)
	}
	if ev := e.evaluation(1, "P1"); ev.Plan != "A checklist for intake" || ev.Awaiting != store.AwaitNothing {
		t.Errorf("P1's plan %+v", ev)
	}
	if got := e.lastPost("DP1"); !strings.Contains(got.Text, "Saved what you will apply from *#1*") {
		t.Errorf("P1's plan answered %q", got.Text)
	}
	if n := strings.Count(fmt.Sprint(e.slack.Messages()), "Saved what you will apply from *#1*"); n != 1 {
		t.Errorf("the plan by DM was answered %d times", n)
	}
	// P2: 4, and a plan in the form.
	e.interaction(evalPress("P2", "DP2", actionRate+"4", "1:4"))
	e.interaction(evalPress("P2", "DP2", actionPlan, "1"))
	if v := e.slack.Calls("views.open"); len(v) != 2 || v[1].JSON["view"].(map[string]any)["callback_id"] != callbackEvaluation {
		t.Fatalf("plan form not opened: %+v", v)
	}
	if code, body := e.interaction(evalSubmission("P2", 1, exchange.PhaseRatings, "Mentoring for new staff")); code != 200 || strings.TrimSpace(body) != "" {
		t.Errorf("plan form: %d %s", code, body)
	}
	// P3, who reads Spanish: 2, no plan.
	if dm := slackfake.Readable(string(e.lastPost("DP3").Blocks)); !strings.Contains(dm, "¿Qué tan útil fue para tu trabajo?") ||
		!strings.Contains(dm, "No volver a preguntar") {
		t.Errorf("P3's ratings DM is not in Spanish:\n%s", dm)
	}
	e.interaction(evalPress("P3", "DP3", actionRate+"2", "1:2"))
	if got := e.lastEphemeral("P3"); !strings.Contains(got, "le diste a *#1* un 2 de 5") {
		t.Errorf("P3 told %q", got)
	}
	// UX did not join: refused, nothing stored.
	e.interaction(evalPress("UX", "DUX", actionRate+"5", "1:5"))
	if got := e.lastEphemeral("UX"); !strings.Contains(got, "You did not take part in #1") {
		t.Errorf("UX told %q", got)
	}
	if _, err := e.store.Evaluation(ctx, 1, "UX"); err == nil {
		t.Error("a rating from someone who did not join was stored")
	}

	// One nudge, to the silent only.
	e.clock.Set(end.Add(30*time.Minute + 48*time.Hour))
	e.settle()
	wantSent(t, "ratings nudges", e.sent(exchange.KindEvaluationNudge), map[string]int{"P4": 1, "P5": 1})
	// P4 answers the nudge, then asks never to be asked again.
	e.interaction(evalPress("P4", "DP4", actionRate+"3", "1:3"))
	e.event(dm(t, "EvP4", "DP4", "P4", "Share the toolkit with my team"))
	e.interaction(evalPress("P4", "DP4", actionOptOut, ""))
	if got := e.lastEphemeral("P4"); !strings.Contains(got, "I will not ask you to evaluate sessions again") {
		t.Errorf("P4 told %q", got)
	}

	// The second session: P4 is not asked, P5 and P6 are.
	end2 := start2.Add(time.Hour)
	e.clock.Set(end2.Add(30 * time.Minute))
	e.settle()
	if _, err := e.store.Evaluation(ctx, 2, "P4"); err == nil {
		t.Error("P4 was asked about #2 after saying not to")
	}
	e.interaction(evalPress("P6", "DP6", actionRate+"3", "2:3"))
	e.clock.Set(end2.Add(30*time.Minute + 48*time.Hour))
	e.settle()
	wantSent(t, "ratings DMs, both sessions", e.sent(exchange.KindEvaluation), map[string]int{"P1": 1, "P2": 1, "P3": 1, "P4": 1, "P5": 2, "P6": 1})
	wantSent(t, "ratings nudges, both sessions", e.sent(exchange.KindEvaluationNudge), map[string]int{"P4": 1, "P5": 2})

	// #1's questions are closed a week after they were asked.
	e.clock.Set(end.Add(30*time.Minute + 168*time.Hour))
	e.interaction(evalPress("P5", "DP5", actionRate+"4", "1:4"))
	if got := e.lastEphemeral("P5"); !strings.Contains(got, "The questions about #1 closed") {
		t.Errorf("P5 told %q", got)
	}
	if ev := e.evaluation(1, "P5"); ev.Rating != 0 || !ev.RatedAt.IsZero() {
		t.Errorf("a late rating was stored: %+v", ev)
	}

	// The follow-up, 90 days on, to those with a plan who did not opt out.
	e.clock.Set(end.Add(2160 * time.Hour))
	e.settle()
	wantSent(t, "follow-ups", e.sent(exchange.KindFollowUp), map[string]int{"P1": 1, "P2": 1})
	followUp := slackfake.Readable(string(e.lastPost("DP1").Blocks))
	for _, want := range []string{"A checklist for intake", "Did you apply it?", `"action_id":"eval_applied_yes"`, `"action_id":"eval_applied_not_yet"`} {
		if !strings.Contains(followUp, want) {
			t.Errorf("follow-up lacks %s:\n%s", want, followUp)
		}
	}
	e.interaction(evalPress("P1", "DP1", actionApplied+store.AppliedYes, "1:yes"))
	if got := e.lastEphemeral("P1"); !strings.Contains(got, "“Yes” noted for *#1*. What changed?") {
		t.Errorf("P1 told %q", got)
	}
	e.event(dm(t, "EvC1", "DP1", "P1", "Intake time halved"))
	if ev := e.evaluation(1, "P1"); ev.Applied != store.AppliedYes || ev.Changed != "Intake time halved" {
		t.Errorf("P1's follow-up %+v", ev)
	}
	e.clock.Set(end.Add(2160*time.Hour + 48*time.Hour))
	e.settle()
	wantSent(t, "follow-up nudges", e.sent(exchange.KindFollowUpNudge), map[string]int{"P2": 1})
	// Long after, nothing more goes to anyone.
	before := len(e.slack.Messages())
	e.clock.Set(end.Add(365 * 24 * time.Hour))
	e.settle()
	if n := len(e.slack.Messages()); n != before {
		t.Errorf("%d more messages a year on", n-before)
	}

	// The figures, counted by hand from the above.
	from, to := t0.Add(-time.Hour), start2.Add(24*time.Hour)
	r, err := e.bot.svc.Report(ctx, exchange.Actor{UserID: "U1"}, from, to)
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := e.store.Request(ctx, 1)
	r2, _ := e.store.Request(ctx, 2)
	wantDemand := store.Demand{Received: 3, Planned: 2, Declined: 1, Merged: 0, Open: 0,
		MedianToSession: (start.Sub(r1.Created) + start.Sub(r2.Created)) / 2,
		ByPartner:       []store.DemandCount{{Label: "FISDL", Received: 1, Planned: 1}, {Label: "MIDIS", Received: 1, Planned: 1}}}
	if !reflect.DeepEqual(r.Demand, wantDemand) {
		t.Errorf("demand\n got %+v\nwant %+v", r.Demand, wantDemand)
	}
	// #1: P1 4 (changed from 5) and a plan, applied; P2 4 and a plan,
	// silent at the follow-up; P3 2; P4 3 and a plan, then opted out; P5
	// silent. #2: P5 silent, P6 3; P4 not asked.
	webinar := store.Outcomes{Label: "webinar", Asked: 5, Responded: 4, Rated: 4, Ratings: [5]int{0, 1, 1, 2, 0}, WithPlan: 3, FollowedUp: 2, Yes: 1}
	workshop := store.Outcomes{Label: "workshop", Asked: 2, Responded: 1, Rated: 1, Ratings: [5]int{0, 0, 1, 0, 0}}
	total := store.Outcomes{Asked: 7, Responded: 5, Rated: 5, Ratings: [5]int{0, 1, 2, 2, 0}, WithPlan: 3, FollowedUp: 2, Yes: 1}
	fisdl, midis := webinar, workshop
	fisdl.Label, midis.Label = "FISDL", "MIDIS"
	wantEval := store.EvaluationReport{Total: total, ByKind: []store.Outcomes{webinar, workshop}, ByPartner: []store.Outcomes{fisdl, midis}}
	if !reflect.DeepEqual(r.Evaluation, wantEval) {
		t.Errorf("evaluation\n got %+v\nwant %+v", r.Evaluation, wantEval)
	}
	if m, rate, share, up := total.MeanRating(), total.ResponseRate(), total.PlanShare(), total.Uptake(); m != 3.2 || rate != 5.0/7 || share != 0.6 || up != 0.5 {
		t.Errorf("mean %v, response %v, plan share %v, uptake %v", m, rate, share, up)
	}
	text := e.run("U1", fmt.Sprintf("report %s %s", from.In(loc).Format("2006-01-02"), to.In(loc).Format("2006-01-02")))
	for _, want := range []string{
		"• Requests: 3 received, 2 planned, 1 declined, 0 merged, 0 open",
		"• Participants' evaluations: 5 of 7 answered (71%)",
		"• Usefulness: 3.2 of 5 (1: 0 · 2: 1 · 3: 2 · 4: 2 · 5: 0)",
		"• With a plan to apply: 3 (60% of those who answered)",
		"• Uptake at follow-up: 1 of 2 applied it, fully or partly (50%)",
		"   – Webinar: 4/5 answered, usefulness 3.3, plan 75%, uptake 50%",
		"   – MIDIS: 1/2 answered, usefulness 3.0, plan 0%, uptake –", // nobody of MIDIS was followed up: no figure
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	// The same figures in Spanish: a decimal comma, and a space before %.
	text = e.run("UE", fmt.Sprintf("informe %s %s", from.In(loc).Format("2006-01-02"), to.In(loc).Format("2006-01-02")))
	for _, want := range []string{
		"• Evaluaciones de participantes: 5 de 7 respondieron (71 %)",
		"• Utilidad: 3,2 de 5 (1: 0 · 2: 1 · 3: 2 · 4: 2 · 5: 0)",
		"• Con un plan para aplicar: 3 (60 % de quienes respondieron)",
		"   – Webinar: 4/5 respondieron, utilidad 3,3, plan 75 %, aplicación 50 %",
		"   – MIDIS: 1/2 respondieron, utilidad 3,0, plan 0 %, aplicación –",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Spanish report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "3.2") || strings.Contains(text, "3.3") {
		t.Errorf("Spanish report writes a decimal point:\n%s", text)
	}
}

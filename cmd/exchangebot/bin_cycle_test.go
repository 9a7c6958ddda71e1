package main

// From demand to evaluation on the built binary, on the real clock: the
// config's durations are seconds (config.go takes any positive duration,
// with the nudge before the close and the follow-up at least evaluation.after
// past the close), the session starts at the next whole minute (the
// grammar's times are minutes) and lasts one.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// bcPress is a block_actions payload of user pressing a button in channel.
func bcPress(user, channel, actionID, value, actionTS string) string {
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"trigger_id": "trig-" + actionTS, "channel": map[string]any{"id": channel}, "action_ts": actionTS,
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b", "value": value, "action_ts": actionTS}},
	})
	return string(b)
}

// bcDM posts a signed message.im event from user in channel.
func bcDM(t *testing.T, p *proc, eventID, channel, user, text string) {
	t.Helper()
	ts := fmt.Sprintf("%d.000100", time.Now().UnixNano()/1000)
	postEvent(t, p.addr, eventID, map[string]any{"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts, "channel_type": "im"})
}

// bcPosts counts the messages posted in channel whose text or blocks hold s.
func bcPosts(fake *slackfake.Server, channel, s string) int {
	n := 0
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Form.Get("channel") == channel && (strings.Contains(c.Form.Get("text"), s) || strings.Contains(slackfake.Readable(c.Form.Get("blocks")), s)) {
			n++
		}
	}
	return n
}

// bcEphemeral is the last ephemeral text to user.
func bcEphemeral(fake *slackfake.Server, user string) string {
	calls := fake.Calls("chat.postEphemeral")
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Form.Get("user") == user {
			return calls[i].Form.Get("text")
		}
	}
	return ""
}

func bcSent(t *testing.T, st store.Store, kind string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, d := range dlvRows(t, st, kind) {
		if d.State == store.StateSent {
			out[d.Recipient]++
		}
	}
	return out
}

func TestBinCycleFromDemandToEvaluation(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	fake.SetOpenIDClient("cid", "csecret")
	fake.AddIdentity("staff-code", slackfake.Identity{UserID: "U0STAFF", TeamID: "T1", Name: "Staff"})
	fake.SignInAs("staff-code")
	fake.Zones["U0STAFF"] = "UTC"
	dir := t.TempDir()
	addr := freePort(t)
	cfg := writeConfig(t, dir, addr, fake.APIURL(), `staff: ["U0STAFF"]
timezone: "UTC"
reminders:
  before: ["20s"]
lessons:
  prompt_after: "2s"
  nudge_after: "1h"
  close_after: "2h"
  questions: ["What worked well?"]
evaluation:
  after: "3s"
  nudge_after: "25s"
  close_after: "60s"
  follow_up: "70s"
web:
  client_id: "cid"
  client_secret: "csecret"
  session_key: "a-session-key-of-at-least-32-characters"
`)
	p := startServe(t, dir, cfg, addr)

	// Demand.
	if code, body := p.command("U1", `request "Rural youth employment" partner:"FISDL"`); code != 200 || !strings.Contains(body, "#1") {
		t.Fatalf("request: %d %s", code, body)
	}
	// Plan at the next whole minute at least 35 s away, for one minute.
	start := time.Now().UTC().Add(35 * time.Second).Truncate(time.Minute).Add(time.Minute)
	end := start.Add(time.Minute)
	code, body := p.command("U0STAFF", fmt.Sprintf("plan 1 %s %s 1m <@USPEAK> kind:webinar", start.Format("2006-01-02"), start.Format("15:04")))
	if code != 200 || !strings.Contains(body, "#1") {
		t.Fatalf("plan: %d %s", code, body)
	}
	// The asker is told.
	waitUntil(t, 30*time.Second, "U1 told of the planning", p.log, func() bool { return bcPosts(fake, "DU1", "is scheduled: *#1") == 1 })

	// Participants join by the announcement's button.
	for i, u := range []string{"P1", "P2", "P3", "P4"} {
		if code, body := postInteraction(t, p.addr, bcPress(u, "C1", "join", "1", fmt.Sprintf("1764331000.00000%d", i)), 0); code != 200 {
			t.Fatalf("%s join: %d %s", u, code, body)
		}
	}
	st := openTestStore(t, databaseOf(t, cfg))
	ctx := context.Background()
	s, err := st.Session(ctx, 1)
	if err != nil || len(s.Participants) != 4 || !s.Start.Equal(start) {
		t.Fatalf("session #1 after the joins: %+v, %v", s, err)
	}

	// Reminders 20 s before, to the speaker and each participant.
	waitUntil(t, time.Until(start)+30*time.Second, "reminders", p.log, func() bool {
		got := bcSent(t, st, exchange.KindReminder)
		return got["USPEAK"] == 1 && got["P1"] == 1 && got["P2"] == 1 && got["P3"] == 1 && got["P4"] == 1
	})

	// The speaker's lesson prompt, answered in the DM.
	waitUntil(t, time.Until(end)+30*time.Second, "lesson prompt", p.log, func() bool { return bcPosts(fake, "DUSPEAK", "What worked well?") > 0 })
	bcDM(t, p, "EvL1", "DUSPEAK", "USPEAK", "Mirror teams made it credible.")

	// The ratings DMs, to the four who joined.
	waitUntil(t, 60*time.Second, "ratings DMs", p.log, func() bool { return len(bcSent(t, st, exchange.KindEvaluation)) == 4 })
	// P1 rates 4 by button; Slack redelivers the same press.
	press := bcPress("P1", "DP1", "eval_rate_4", "1:4", "1764331400.000001")
	if code, body := postInteraction(t, p.addr, press, 0); code != 200 {
		t.Fatalf("P1's rating: %d %s", code, body)
	}
	waitUntil(t, 20*time.Second, "P1 answered", p.log, func() bool { return strings.Contains(bcEphemeral(fake, "P1"), "4 of 5") })
	first, err := st.Evaluation(ctx, 1, "P1")
	if err != nil || first.Rating != 4 || first.RatedAt.IsZero() {
		t.Fatalf("P1's evaluation after the press: %+v, %v", first, err)
	}
	answers := len(fake.Calls("chat.postEphemeral"))
	if code, body := postInteraction(t, p.addr, press, 1); code != 200 {
		t.Fatalf("P1's rating redelivered: %d %s", code, body)
	}
	// P2 says what they will apply in a DM reply.
	bcDM(t, p, "EvP2", "DP2", "P2", "A checklist for intake")
	// P3: don't ask me again.
	postInteraction(t, p.addr, bcPress("P3", "DP3", "eval_opt_out", "", "1764331400.000003"), 0)
	// UX did not join: refused, nothing stored.
	postInteraction(t, p.addr, bcPress("UX", "DUX", "eval_rate_5", "1:5", "1764331400.000004"), 0)
	waitUntil(t, 20*time.Second, "UX refused", p.log, func() bool { return strings.Contains(bcEphemeral(fake, "UX"), "did not take part in #1") })
	waitUntil(t, 20*time.Second, "P3 opted out", p.log, func() bool { return strings.Contains(bcEphemeral(fake, "P3"), "not ask you") })
	waitUntil(t, 20*time.Second, "P2's plan", p.log, func() bool { return bcPosts(fake, "DP2", "Saved what you will apply") == 1 })
	// P3's and UX's presses are answered in place; P2's DM reply in the DM.
	if n := len(fake.Calls("chat.postEphemeral")) - answers; n != 2 {
		t.Errorf("%d ephemeral answers after the redelivered press and two other presses, want 2 (the redelivery answers nothing)", n)
	}
	if ev, err := st.Evaluation(ctx, 1, "P1"); err != nil || ev.Rating != 4 || !ev.RatedAt.Equal(first.RatedAt) {
		t.Errorf("P1's evaluation after the redelivered press %+v, %v; want it as the first press left it (rated at %s)", ev, err, first.RatedAt)
	}
	if _, err := st.Evaluation(ctx, 1, "UX"); err == nil {
		t.Error("a rating from someone who did not join was stored")
	}

	// One nudge, to the silent P4 only; the follow-up to P2 only.
	waitUntil(t, 120*time.Second, "follow-up", p.log, func() bool { return len(bcSent(t, st, exchange.KindFollowUp)) > 0 })
	if got := bcSent(t, st, exchange.KindEvaluationNudge); len(got) != 1 || got["P4"] != 1 {
		t.Errorf("ratings nudges %v, want one to P4", got)
	}
	if n := bcPosts(fake, "DP4", ""); n != 3 {
		t.Errorf("%d posts to P4, want the reminder, the ratings DM and one nudge", n)
	}
	if got := bcSent(t, st, exchange.KindFollowUp); len(got) != 1 || got["P2"] != 1 {
		t.Errorf("follow-ups %v, want one to P2", got)
	}
	postInteraction(t, p.addr, bcPress("P2", "DP2", "eval_applied_partly", "1:partly", "1764331500.000001"), 0)
	waitUntil(t, 20*time.Second, "P2's partly", p.log, func() bool {
		ev, err := st.Evaluation(ctx, 1, "P2")
		return err == nil && ev.Applied == store.AppliedPartly
	})

	// The hand count: asked P1–P4; responded P1 (rating 4) and P2 (plan);
	// one rating, a 4; one plan; one followed up, partly.
	const received, planned, asked, responded, rated, rated4, withPlan, followedUp, partly = 1, 1, 4, 2, 1, 1, 1, 1, 1
	want := map[string]string{
		"requests_received": fmt.Sprint(received), "requests_planned": fmt.Sprint(planned), "requests_declined": "0",
		"evaluations_asked": fmt.Sprint(asked), "evaluations_responded": fmt.Sprint(responded),
		"usefulness_rated": fmt.Sprint(rated), "usefulness_rated_4": fmt.Sprint(rated4), "usefulness_rated_5": "0",
		"with_plan": fmt.Sprint(withPlan), "followed_up": fmt.Sprint(followedUp), "applied_partly": fmt.Sprint(partly), "applied_yes": "0",
	}
	// A window of three days around the start: the run may straddle
	// midnight, and only this test's rows are in the database.
	day := start.AddDate(0, 0, -1).Format("2006-01-02")
	last := start.AddDate(0, 0, 1).Format("2006-01-02")
	code, body = p.command("U0STAFF", "report "+day+" "+last)
	var reply struct{ Text string }
	if err := json.Unmarshal([]byte(body), &reply); code != 200 || err != nil {
		t.Fatalf("report: %d %v %s", code, err, body)
	}
	for _, line := range []string{
		fmt.Sprintf("• Requests: %d received, %d planned, 0 declined, 0 merged, 0 open", received, planned),
		fmt.Sprintf("• Participants' evaluations: %d of %d answered (%d%%)", responded, asked, 100*responded/asked),
		fmt.Sprintf("• Usefulness: 4.0 of 5 (1: 0 · 2: 0 · 3: 0 · 4: %d · 5: 0)", rated4),
		fmt.Sprintf("• With a plan to apply: %d (%d%% of those who answered)", withPlan, 100*withPlan/responded),
		fmt.Sprintf("• Uptake at follow-up: %d of %d applied it, fully or partly (%d%%)", partly, followedUp, 100*partly/followedUp),
	} {
		if !strings.Contains(reply.Text, line+"\n") {
			t.Errorf("report lacks %q:\n%s", line, reply.Text)
		}
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	if resp, err := client.Get("http://" + addr + "/login"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	resp, err := client.Get("http://" + addr + "/report.csv?from=" + day + "&to=" + last)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	records, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/report.csv: %d %v\n%s", resp.StatusCode, err, raw)
	}
	got := map[string]string{}
	for _, r := range records {
		if len(r) == 3 && r[1] == "" {
			got[r[0]] = r[2]
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("/report.csv %s = %q, want %s", k, got[k], v)
		}
	}
	p.stop()

	// The exports, on the same database.
	out, err := exec.Command(bin, "export", "evaluations", "-config", cfg, "-format", "csv").Output()
	if err != nil {
		t.Fatalf("export csv: %v", err)
	}
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("export csv: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "export", "evaluations", "-config", cfg, "-format", "json").Output()
	if err != nil {
		t.Fatalf("export json: %v", err)
	}
	var evs []exchange.ExportedEvaluation
	if err := json.Unmarshal(out, &evs); err != nil {
		t.Fatalf("export json: %v\n%s", err, out)
	}
	if len(rows) != len(evs)+1 {
		t.Fatalf("csv %d rows, json %d evaluations; want a header and one row each", len(rows), len(evs))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	nRated, nPlans, nPartly := 0, 0, 0
	for i, e := range evs {
		r := rows[i+1]
		rating := ""
		if e.Rating != 0 {
			rating = fmt.Sprint(e.Rating)
		}
		if r[col["user_id"]] != e.UserID || r[col["rating"]] != rating || r[col["plan"]] != e.Plan || r[col["applied"]] != e.Applied {
			t.Errorf("csv row %q differs from json %+v", r, e)
		}
		if e.Rating != 0 {
			nRated++
		}
		if e.Plan != "" {
			nPlans++
		}
		if e.Applied == store.AppliedPartly {
			nPartly++
		}
	}
	if len(evs) != asked || nRated != rated || nPlans != withPlan || nPartly != partly {
		t.Errorf("exported: %d asked, %d rated, %d plans, %d partly; want %d, %d, %d, %d", len(evs), nRated, nPlans, nPartly, asked, rated, withPlan, partly)
	}
}

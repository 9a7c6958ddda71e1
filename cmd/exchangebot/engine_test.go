package main

// The delivery engine on the built binary: punctual whatever the tick,
// cheap when idle, fast on a fan-out, and sorting Slack's errors into
// "later" and "never" (with a notice and `exchangebot retry`).

import (
	"bufio"
	"fmt"
	"net/http"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// metric reads one series from the binary's /metrics (0 when absent).
func metric(t *testing.T, addr, series string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	return 0
}

// waitUntil polls cond every 100 ms until it holds or limit passes.
func waitUntil(t *testing.T, limit time.Duration, what string, log *syncBuffer, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(limit); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%s: not after %s; log:\n%s", what, limit, log)
		}
	}
}

// postsByDelivery maps each outbox row to the calls that posted it
// successfully.
func postsByDelivery(fake *slackfake.Server) map[int64][]slackfake.Call {
	out := map[int64][]slackfake.Call{}
	for _, c := range fake.Calls("chat.postMessage") {
		if id := dlvID(c); id != 0 && c.Error == "" {
			out[id] = append(out[id], c)
		}
	}
	return out
}

// TestEnginePunctualWithTheDefaultTick: with the default 15 s tick,
// reminders at three offsets that fall between ticks reach Slack within a
// second of their due time, because the engine sleeps until the earliest
// due row rather than waiting for a tick.
func TestEnginePunctualWithTheDefaultTick(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := dlvConfigTick(t, dir, addr, fake.APIURL(), "@every 15s", `reminders:
  before: ["95s", "67s", "41s"]
`)
	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	// up is taken once the server answers, so that its ticks fall no
	// later than up+15 s, +30 s… however long it took to start (taken
	// before the start, a start slower than 7 s put the first tick after
	// the first reminder was due, and made it late for the test's sake).
	up := time.Now()
	// Ticks fall on up+15 s, +30 s… (a little earlier: the process began
	// before up); the reminders are due 7, 5 and 1 s past a tick (up+22,
	// +50, +76 s): a tick-driven loop would send them 8, 10 and 14 s late.
	// The session is written by another process, so the server learns of
	// it at its next tick, before the first is due.
	start := up.Truncate(time.Second).Add(117 * time.Second)
	st := dlvSchedule(t, cfg, &store.Session{
		Title: "Punctual", Kind: "webinar", Start: start, Duration: 30 * time.Minute, TZ: "UTC", Channel: "C1PUNCT",
		Creator: "U0COORD", Speakers: []store.Speaker{{UserID: "U1SPEAK"}}, Participants: []string{"U2JOIN"},
	})
	reminders := dlvRows(t, st, "reminder")
	if len(reminders) != 9 {
		t.Fatalf("%d reminders planned, want 3 offsets x (thread, speaker, participant)", len(reminders))
	}
	last := start.Add(-41 * time.Second)
	waitUntil(t, time.Until(last)+20*time.Second, "every reminder sent", log, func() bool {
		for _, d := range dlvRows(t, st, "reminder") {
			if d.State != store.StateSent {
				return false
			}
		}
		return true
	})
	p.stop(t)

	posts := postsByDelivery(fake)
	var lates []time.Duration
	for _, d := range reminders {
		calls := posts[d.ID]
		if len(calls) != 1 {
			t.Errorf("reminder %s to %s posted %d times", d.Payload, d.Recipient, len(calls))
			continue
		}
		late := calls[0].At.Sub(d.Due)
		lates = append(lates, late)
		if late < 0 || late > time.Second {
			t.Errorf("reminder %s to %s reached Slack %s after its due time, want within 1 s", d.Payload, d.Recipient, late.Round(time.Millisecond))
		}
	}
	sort.Slice(lates, func(i, j int) bool { return lates[i] < lates[j] })
	if len(lates) > 0 {
		t.Logf("9 reminders at 95/67/41 s, tick 15 s: lateness min %s, median %s, max %s",
			lates[0].Round(time.Millisecond), lates[len(lates)/2].Round(time.Millisecond), lates[len(lates)-1].Round(time.Millisecond))
	}
}

// TestEngineIdleCostsOneQueryPerTick: with nothing due (a session next
// week) and the default 15 s tick, each tick costs the engine one store
// query, counted on /metrics. Nothing else reads the database while idle
// but the hourly prune and the weekly digest (bot.Run), which a window
// of two ticks does not reach.
func TestEngineIdleCostsOneQueryPerTick(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := dlvConfigTick(t, dir, addr, fake.APIURL(), "@every 15s", "") // the default tick
	st := dlvSchedule(t, cfg, &store.Session{
		Title: "Next week", Kind: "webinar", Start: time.Now().Add(7 * 24 * time.Hour), Duration: time.Hour, TZ: "UTC",
		Channel: "C1IDLE", Creator: "U0COORD", Participants: []string{"U2JOIN"},
	})
	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	waitUntil(t, 10*time.Second, "the announcement", log, func() bool { return dlvRows(t, st, "announce")[0].State == store.StateSent })
	// The refreshes the scheduling and the join owe (the announcement's
	// count, App Homes) wait out their coalescing window; then all is idle.
	waitUntil(t, 15*time.Second, "the refreshes", log, func() bool {
		for _, kind := range []string{"update", "home"} {
			for _, d := range dlvRows(t, st, kind) {
				if d.State == store.StatePending || d.State == store.StateSending {
					return false
				}
			}
		}
		return true
	})
	// Let the looks that follow the last sends finish: settled once two
	// seconds cost no more than the ticks in them, rather than after a
	// fixed pause a busy machine can outlast.
	for prev, deadline := metric(t, addr, "exchangebot_outbox_store_queries_total"), time.Now().Add(30*time.Second); ; {
		time.Sleep(2 * time.Second)
		n := metric(t, addr, "exchangebot_outbox_store_queries_total")
		if n-prev <= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %.0f store queries in 2 s, 30 s after the last refresh; log:\n%s", n-prev, log)
		}
		prev = n
	}

	const window = 2*15*time.Second + time.Second
	before := metric(t, addr, "exchangebot_outbox_store_queries_total")
	t0 := time.Now()
	time.Sleep(window)
	after := metric(t, addr, "exchangebot_outbox_store_queries_total")
	elapsed := time.Since(t0)
	p.stop(t)
	ticks := float64(elapsed/(15*time.Second)) + 1
	queries := after - before
	t.Logf("idle: %.0f store queries in %s with the default 15 s tick", queries, elapsed.Round(time.Millisecond))
	if queries > ticks {
		t.Errorf("%.0f store queries in %s of idling, want at most one per tick (%.0f)", queries, elapsed.Round(time.Millisecond), ticks)
	}
	if queries < 1 {
		t.Errorf("no store query in %s: the tick does not wake the engine, or the counter does not count", elapsed)
	}
}

// TestEngineFanOut: 300 participants' reminder DMs due at one instant
// reach a Slack answering in 20 ms within 5 s of due, whatever the tick's
// phase, and a 429 on one conversation holds that one only.
func TestEngineFanOut(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	fake.SetDelay(20 * time.Millisecond)
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := dlvConfigTick(t, dir, addr, fake.APIURL(), "@every 15s", `reminders:
  before: ["1h"]
`)
	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	due := time.Now().Truncate(time.Second).Add(25 * time.Second) // learnt at the next tick, well before
	s := &store.Session{
		Title: "Fan-out", Kind: "webinar", Start: due.Add(time.Hour), Duration: time.Hour, TZ: "UTC", Channel: "C1FAN",
		Creator: "U0COORD", Speakers: []store.Speaker{{UserID: "U1SPEAK"}},
	}
	for i := range 300 {
		s.Participants = append(s.Participants, fmt.Sprintf("UP%03d", i))
	}
	st := dlvSchedule(t, cfg, s)
	// Slack limits posting to one participant's DM for 3 s, asking for 2.
	const held = "DUP042"
	time.Sleep(time.Until(due.Add(-2 * time.Second)))
	fake.RateLimitConversation("chat.postMessage", held, 3*time.Second, 2)

	waitUntil(t, 40*time.Second, "every reminder sent", log, func() bool {
		for _, d := range dlvRows(t, st, "reminder") {
			if d.State != store.StateSent {
				return false
			}
		}
		return true
	})
	p.stop(t)

	posts := postsByDelivery(fake)
	var lates []time.Duration
	var heldLate time.Duration
	rows := dlvRows(t, st, "reminder")
	if len(rows) != 302 {
		t.Fatalf("%d reminders, want 300 participants + speaker + thread", len(rows))
	}
	for _, d := range rows {
		calls := posts[d.ID]
		if len(calls) != 1 {
			t.Errorf("reminder to %s posted %d times", d.Recipient, len(calls))
			continue
		}
		late := calls[0].At.Sub(d.Due)
		if calls[0].Form.Get("channel") == held {
			heldLate = late
			continue
		}
		lates = append(lates, late)
		if late < 0 || late > 5*time.Second {
			t.Errorf("reminder to %s reached Slack %s after due, want within 5 s", d.Recipient, late.Round(time.Millisecond))
		}
	}
	// Under the fake's lock: the handler of the process's last call may
	// still be running after the process is gone.
	lim, viol := fake.RateCounts()
	if lim == 0 {
		t.Error("the limited conversation was never limited")
	}
	if viol != 0 {
		t.Errorf("%d calls came before a Retry-After had passed", viol)
	}
	if heldLate < 2*time.Second {
		t.Errorf("the limited DM arrived %s after due, before its Retry-After", heldLate)
	}
	sort.Slice(lates, func(i, j int) bool { return lates[i] < lates[j] })
	t.Logf("301 reminders (Slack 20 ms a call): p50 %s, p99 %s, last %s after due; the limited DM %s after due, %d calls answered 429",
		lates[len(lates)/2].Round(time.Millisecond), lates[len(lates)*99/100].Round(time.Millisecond),
		lates[len(lates)-1].Round(time.Millisecond), heldLate.Round(time.Millisecond), lim)
}

// TestEngineSlackErrors: ten seconds of invalid_auth (a token being
// replaced) lose no announcement; channel_not_found for good fails the
// announcement and the reminder that falls back to the channel, tells the
// creator once, counts as an error on /metrics, and `exchangebot retry`
// sends both once the channel is back.
func TestEngineSlackErrors(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := dlvConfigTick(t, dir, addr, fake.APIURL(), "@every 1s", `reminders:
  before: ["1h"]
`)
	fake.FailFor("chat.postMessage", 10*time.Second, "invalid_auth")
	authEnds := time.Now().Add(10 * time.Second)
	var sessions []*store.Session
	for i := range 3 {
		sessions = append(sessions, &store.Session{
			Title: fmt.Sprintf("Rotation %d", i), Kind: "webinar", Start: time.Now().Add(3 * time.Hour), Duration: time.Hour, TZ: "UTC",
			Channel: fmt.Sprintf("C%dROT", i), Creator: "U0COORD",
		})
	}
	st := dlvSchedule(t, cfg, sessions...)
	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	waitUntil(t, 60*time.Second, "every announcement sent", log, func() bool {
		for _, d := range dlvRows(t, st, "announce") {
			if d.State != store.StateSent {
				return false
			}
		}
		return true
	})
	posts := postsByDelivery(fake)
	refused := 0
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Error == "invalid_auth" {
			refused++
		}
	}
	for _, d := range dlvRows(t, st, "announce") {
		if len(posts[d.ID]) != 1 || posts[d.ID][0].At.Before(authEnds) {
			t.Errorf("announcement %d: %d posts, at %v (token back at %v)", d.ID, len(posts[d.ID]), posts[d.ID], authEnds)
		}
	}
	t.Logf("3 announcements through 10 s of invalid_auth: %d calls refused, all sent by %s after the token came back",
		refused, time.Since(authEnds).Round(time.Millisecond))

	// A channel that is gone for good.
	fake.FailChannel("CGONE", "channel_not_found")
	dlvSchedule(t, cfg, &store.Session{
		Title: "Gone", Kind: "webinar", Start: time.Now().Truncate(time.Second).Add(time.Hour + 4*time.Second), Duration: time.Hour,
		TZ: "UTC", Channel: "CGONE", Creator: "U9BOSS",
	})
	rowsOf := func() (ann, rem store.Delivery) {
		for _, d := range dlvRows(t, st, "announce") {
			if d.Recipient == "CGONE" {
				ann = d
			}
		}
		for _, d := range dlvRows(t, st, "reminder") {
			if d.Recipient == "CGONE" {
				rem = d
			}
		}
		return ann, rem
	}
	waitUntil(t, 30*time.Second, "the announcement and the reminder failed", log, func() bool {
		ann, rem := rowsOf()
		return ann.State == store.StateFailed && rem.State == store.StateFailed
	})
	time.Sleep(2 * time.Second) // room for a second notice, if one were owed
	notices := fake.Calls("chat.postMessage")
	var told []slackfake.Call
	for _, c := range notices {
		if c.Form.Get("channel") == "DU9BOSS" {
			told = append(told, c)
		}
	}
	ann, rem := rowsOf()
	if len(told) != 1 {
		t.Fatalf("the creator was told %d times, want once: %v", len(told), told)
	}
	for _, want := range []string{"Gone", "channel_not_found", fmt.Sprintf("exchangebot retry %d", ann.ID)} {
		if !strings.Contains(told[0].Form.Get("text"), want) {
			t.Errorf("notice %q lacks %q", told[0].Form.Get("text"), want)
		}
	}
	if n := metric(t, addr, `exchangebot_slack_api_errors_total{error="channel_not_found",method="chat.postMessage"}`); n != 2 {
		t.Errorf("slack_api_errors_total counts %v channel_not_found, want 2 (announcement, reminder)", n)
	}
	okCalls := 0
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Error == "" {
			okCalls++
		}
	}
	if n := metric(t, addr, `exchangebot_slack_api_calls_total{method="chat.postMessage",outcome="ok"}`); int(n) != okCalls {
		t.Errorf("slack_api_calls_total counts %v ok, the fake accepted %d", n, okCalls)
	}
	if n := metric(t, addr, `exchangebot_slack_api_calls_total{method="chat.postMessage",outcome="error"}`); int(n) != refused+2 {
		t.Errorf("slack_api_calls_total counts %v errors, want %d", n, refused+2)
	}
	if n := metric(t, addr, `exchangebot_deliveries_total{kind="announce",outcome="failed"}`); n != 1 {
		t.Errorf("deliveries_total counts %v failed announcements, want 1", n)
	}

	// Fixed: `retry` sends both, once each.
	fake.FixChannel("CGONE")
	cmd := exec.Command(bin, "retry", "-config", cfgPath)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("exchangebot retry: %v\n%s", err, out)
	}
	for _, want := range []string{fmt.Sprintf("requeued %d", ann.ID), fmt.Sprintf("requeued %d", rem.ID)} {
		if !strings.Contains(string(out), want) {
			t.Errorf("retry output lacks %q:\n%s", want, out)
		}
	}
	waitUntil(t, 10*time.Second, "both sent after retry", log, func() bool {
		ann, rem := rowsOf()
		return ann.State == store.StateSent && rem.State == store.StateSent
	})
	p.stop(t)
	posts = postsByDelivery(fake)
	if len(posts[ann.ID]) != 1 || len(posts[rem.ID]) != 1 {
		t.Errorf("after retry: announcement posted %d times, reminder %d", len(posts[ann.ID]), len(posts[rem.ID]))
	}
	s, err := st.Session(t.Context(), ann.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if s.AnnounceChannel != "CGONE" || s.AnnounceTS == "" {
		t.Errorf("the retried announcement is not the session's: %q %q", s.AnnounceChannel, s.AnnounceTS)
	}
	t.Logf("retry:\n%s", out)
}

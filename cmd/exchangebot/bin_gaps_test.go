package main

// Points of issues 8 and 12 shown in-process only until now, shown on the
// built binary: error logs limited per cause whatever a client sends, a
// Slack answer slower than recording's whole deadline still recorded once,
// and the evaluation's edges (a rating after the close, a redelivered DM
// plan, the speaker's lesson by DM). Sessions are scheduled through the
// exchange service before the binary starts, with times to the second, as
// delivery_test.go does.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/outbox"
	"github.com/exchangebot/exchangebot/store"
)

// binGapsEvent posts one raw Events API body, signed now; retry > 0 marks
// it as Slack's redelivery of the same event.
func binGapsEvent(t *testing.T, p *proc, body string, retry int) (int, string) {
	t.Helper()
	h := slackfake.Sign(e2eSecret, body, time.Now())
	h.Set("Content-Type", "application/json")
	if retry > 0 {
		h.Set("X-Slack-Retry-Num", fmt.Sprint(retry))
		h.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	return postSigned(t, http.DefaultClient, "http://"+p.addr+"/slack/events", body, h)
}

// binGapsDMBody is a message.im event from user in channel.
func binGapsDMBody(eventID, channel, user, text string) string {
	ts := fmt.Sprintf("%d.000200", time.Now().Unix())
	b, _ := json.Marshal(map[string]any{
		"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": eventID, "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts, "channel_type": "im"},
	})
	return string(b)
}

// binGapsLevelLine matches a warning or error line of the binary's text
// log, capturing its message.
var binGapsLevelLine = regexp.MustCompile(`level=(WARN|ERROR) msg=("(?:[^"\\]|\\.)*"|\S+)`)

// binGapsCauses counts the warning and error lines of log by cause, as
// logCause keys them (level and message without digits).
func binGapsCauses(log string) map[string]int {
	out := map[string]int{}
	for _, line := range strings.Split(log, "\n") {
		m := binGapsLevelLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		msg := strings.Trim(m[2], `"`)
		msg = strings.Map(func(c rune) rune {
			if c >= '0' && c <= '9' {
				return -1
			}
			return c
		}, msg)
		out[m[1]+" "+msg]++
	}
	return out
}

// One binary, one session: its participants' evaluation and its speaker's
// lessons (issue 12), and meanwhile floods of requests that would fill a
// log without its per-cause limit (issue 8).
func TestBinGapsEvaluationEdgesAndLogLimits(t *testing.T) {
	binary(t)
	t.Parallel()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	addr := freePort(t)
	const (
		after, nudge, closeAfter = time.Second, 7 * time.Second, 8 * time.Second
		duration                 = time.Second
	)
	cfgPath := writeConfig(t, dir, addr, fake.APIURL(), fmt.Sprintf(`reminders:
  before: ["1h"]
lessons:
  prompt_after: "1s"
  nudge_after: "1h"
  close_after: "2h"
  questions: ["What worked well?"]
evaluation:
  after: %q
  nudge_after: %q
  close_after: %q
  follow_up: "1h"
`, after, nudge, closeAfter))
	cfg, err := LoadConfig(cfgPath, true, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Truncate(time.Second).Add(3 * time.Second)
	st := dlvSchedule(t, cfg, &store.Session{
		Title: "Edges of the evaluation", Kind: "webinar", Start: start, Duration: duration, TZ: "UTC", Creator: "U0COORD",
		Speakers: []store.Speaker{{UserID: "USPEAK"}}, Participants: []string{"P1", "P2"},
	})
	closes := start.Add(duration + after + closeAfter)
	began := time.Now()
	p := startServe(t, dir, cfgPath, addr)
	t.Logf("started in %s", time.Since(began))
	ctx := context.Background()

	t.Run("speaker's lesson by DM is stored", func(t *testing.T) {
		waitUntil(t, 30*time.Second, "lesson prompt", p.log, func() bool { return bcPosts(fake, "DUSPEAK", "What worked well?") > 0 })
		const answer = "Mirror teams made it credible."
		if code, body := binGapsEvent(t, p, binGapsDMBody("EvGapsLesson", "DUSPEAK", "USPEAK", answer), 0); code != 200 {
			t.Fatalf("the speaker's DM: %d %s", code, body)
		}
		// Acknowledged means stored: no waiting.
		ls, err := st.Lessons(ctx, 1)
		if err != nil || len(ls) != 1 || ls[0].UserID != "USPEAK" || ls[0].Question != "What worked well?" || ls[0].Answer != answer {
			t.Fatalf("lessons of #1 after the speaker's DM answer: %+v, %v", ls, err)
		}
	})

	t.Run("a redelivered DM plan stores once and is confirmed once", func(t *testing.T) {
		waitUntil(t, 30*time.Second, "P2's ratings DM", p.log, func() bool { return bcSent(t, st, exchange.KindEvaluation)["P2"] == 1 })
		if time.Until(closes) < time.Second {
			t.Fatalf("the ratings DM to P2 came %s before the close; too late to answer it", time.Until(closes))
		}
		const plan = "A checklist for intake"
		body := binGapsDMBody("EvGapsPlan", "DP2", "P2", plan)
		for retry := range 2 {
			if code, resp := binGapsEvent(t, p, body, retry); code != 200 {
				t.Fatalf("P2's plan (retry %d): %d %s", retry, code, resp)
			}
		}
		ev, err := st.Evaluation(ctx, 1, "P2")
		if err != nil || ev.Plan != plan {
			t.Fatalf("P2's evaluation after the plan and its redelivery: %+v, %v; want the plan %q once", ev, err, plan)
		}
		waitUntil(t, 20*time.Second, "P2's confirmation", p.log, func() bool { return bcPosts(fake, "DP2", "Saved what you will apply") >= 1 })
		// The confirmation is owed in the transaction that stored the
		// plan: one row, whatever is posted later.
		replies := 0
		for _, d := range dlvRows(t, st, exchange.KindReply) {
			if d.Recipient == "P2" || strings.Contains(d.Payload, "DP2") {
				replies++
			}
		}
		if replies != 1 {
			t.Errorf("%d replies owed to P2 after the plan and its redelivery, want 1", replies)
		}
	})

	t.Run("bad signatures are refused and log at most a burst", func(t *testing.T) {
		before := binGapsCauses(p.logText())
		const n = 500
		var wrong atomic.Int32
		var wg sync.WaitGroup
		jobs := make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					body := commandBody("UBAD", fmt.Sprintf("new \"Forged %d\" %s 15:00", i, hardDate(3)))
					var h http.Header
					switch i % 3 {
					case 0: // another secret
						h = slackfake.Sign("not-the-secret", body, time.Now())
					case 1: // stale: replayed from ten minutes ago
						h = slackfake.Sign(e2eSecret, body, time.Now().Add(-10*time.Minute))
					default: // unsigned
						h = http.Header{}
					}
					h.Set("Content-Type", "application/x-www-form-urlencoded")
					if code, _ := postSigned(t, http.DefaultClient, "http://"+p.addr+"/slack/commands", body, h); code != http.StatusUnauthorized && code != http.StatusForbidden {
						wrong.Add(1)
					}
				}
			}()
		}
		for i := range n {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		if w := wrong.Load(); w != 0 {
			t.Errorf("%d of %d forged commands were not refused with 401 or 403", w, n)
		}
		log := p.logText()
		for cause, k := range binGapsCauses(log) {
			if grew := k - before[cause]; grew > logBurst {
				t.Errorf("%d lines of %q during %d forged commands, want at most %d", grew, cause, n, logBurst)
			}
		}
		if strings.Contains(log, "Forged") || strings.Contains(log, "UBAD") {
			t.Error("the log holds what a forged request carried")
		}
		if _, body := p.command("U1", "list"); strings.Contains(body, "Forged") {
			t.Errorf("a forged command was carried out: %s", body)
		}
	})

	t.Run("a flood of one cause logs a burst, then a count of what was held back", func(t *testing.T) {
		// A press the bot has no handler for logs a warning each time: the
		// one request of ours that logs per request.
		const n = 300
		line := regexp.MustCompile(`level=WARN msg="unknown action"[^\n]*`)
		held := regexp.MustCompile(` suppressed=(\d+)`)
		// tally counts the lines of the cause in log and the records they
		// say were held back.
		tally := func(log string) (lines, suppressed int) {
			for _, l := range line.FindAllString(log, -1) {
				lines++
				if m := held.FindStringSubmatch(l); m != nil {
					k := 0
					fmt.Sscan(m[1], &k)
					suppressed += k
				}
			}
			return lines, suppressed
		}
		if lines, _ := tally(p.logText()); lines != 0 {
			t.Fatalf("%d lines of the cause before the flood", lines)
		}
		began := time.Now()
		for i := range n {
			if code := hardPress(t, p.addr, "UFLOOD", "C1", fmt.Sprintf("no_such_action_%d", i), ""); code != 200 {
				t.Fatalf("press %d: %d", i, code)
			}
		}
		took := time.Since(began)
		// One more record passes every logEvery, however long the flood took.
		lines, _ := tally(p.logText())
		if most := logBurst + int(took/logEvery) + 1; lines < logBurst || lines > most {
			t.Errorf("%d lines of the cause after %d presses in %s, want the burst of %d and at most %d", lines, n, took.Round(time.Millisecond), logBurst, most)
		}
		// After the flood, the next record let through says how many were
		// held back: every press is a line or counted on one.
		floodLog := len(p.logText())
		extra := 0
		waitUntil(t, logEvery+10*time.Second, "a line with the count held back", p.log, func() bool {
			hardPress(t, p.addr, "UFLOOD", "C1", "no_such_action_again", "")
			extra++
			return held.MatchString(strings.Join(line.FindAllString(p.logText()[floodLog:], -1), "\n"))
		})
		lines, suppressed := tally(p.logText())
		if lines+suppressed < n || lines+suppressed > n+extra {
			t.Errorf("%d lines and %d held back after %d presses and %d more, want every press of the flood a line or counted", lines, suppressed, n, extra)
		}
		t.Logf("%d presses of one cause in %s, then %d more: %d lines, %d counted as held back", n, took.Round(time.Millisecond), extra, lines, suppressed)
	})

	t.Run("a rating after the close is refused and changes nothing", func(t *testing.T) {
		waitUntil(t, time.Until(closes)+20*time.Second, "the close", p.log, func() bool { return time.Now().After(closes.Add(500 * time.Millisecond)) })
		was, err := st.Evaluation(ctx, 1, "P1")
		if err != nil || was.Rating != 0 {
			t.Fatalf("P1's evaluation before the late press: %+v, %v", was, err)
		}
		if code, body := postInteraction(t, p.addr, bcPress("P1", "DP1", "eval_rate_4", "1:4", "1764332000.000001"), 0); code != 200 {
			t.Fatalf("P1's late rating: %d %s", code, body)
		}
		waitUntil(t, 20*time.Second, "P1 refused", p.log, func() bool { return bcEphemeral(fake, "P1") != "" })
		if got := bcEphemeral(fake, "P1"); !strings.HasPrefix(got, "The questions about #1 closed on ") || !strings.HasSuffix(got, "; nothing was stored.") {
			t.Errorf("P1's late rating answered %q, want the catalog's eval.error.closed", got)
		}
		now, err := st.Evaluation(ctx, 1, "P1")
		if err != nil || now.Rating != 0 || !now.RatedAt.IsZero() || now.Plan != was.Plan || !now.PlanAt.Equal(was.PlanAt) {
			t.Errorf("P1's evaluation after the late press: %+v, %v; want it unchanged: %+v", now, err, was)
		}
	})
	stopping := time.Now()
	if code := p.stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	t.Logf("stopped in %s", time.Since(stopping))
}

// binGapsSlowPosts is a Slack in front of fake whose chat.postMessage
// answers only after slow: the message is posted at once, the answer
// comes late.
func binGapsSlowPosts(t *testing.T, fake *slackfake.Server, slow time.Duration) (apiURL string, answered func() []time.Duration) {
	t.Helper()
	target, _ := url.Parse(fake.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var took []time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
			proxy.ServeHTTP(w, r)
			return
		}
		began := time.Now()
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r)
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		mu.Lock()
		took = append(took, time.Since(began))
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/", func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Duration(nil), took...)
	}
}

// Slack's answer to a post comes after recording's whole deadline
// (outbox.MarkTimeout) and most of the send's (outbox.SendTimeout): the
// message is recorded as sent with its ts and never posted again. The
// deadlines are constants, not config, so the test waits out the slow
// answer once.
func TestBinGapsSlowAnswerRecordedOnce(t *testing.T) {
	binary(t)
	t.Parallel()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	slow := outbox.MarkTimeout + 2*time.Second // 12 s of the send's 15
	apiURL, answered := binGapsSlowPosts(t, fake, slow)
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath := writeConfig(t, dir, addr, apiURL, "")
	p := startServe(t, dir, cfgPath, addr)
	if code, body := p.command("U1", `new "Slow answer" `+hardDate(4)+` 15:00 <#C1|general>`); code != 200 || !strings.Contains(body, "#1") {
		t.Fatalf("new: %d %s", code, body)
	}
	st := openTestStore(t, databaseOf(t, cfgPath))
	var row store.Delivery
	for deadline := time.Now().Add(slow + outbox.SendTimeout + 10*time.Second); ; time.Sleep(100 * time.Millisecond) {
		rows := dlvRows(t, st, exchange.KindAnnounce)
		if len(rows) == 1 && rows[0].State != store.StatePending && rows[0].State != store.StateSending {
			row = rows[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the announcement not recorded within %s: %+v", slow+outbox.SendTimeout+10*time.Second, rows)
		}
	}
	if code := p.stop(); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	var posts []slackfake.Call
	for _, c := range fake.Calls("chat.postMessage") {
		if dlvID(c) == row.ID {
			posts = append(posts, c)
		}
	}
	var ts []string
	for _, m := range fake.Messages() {
		if m.Channel == "C1" && strings.Contains(string(m.Metadata), fmt.Sprint(row.ID)) {
			ts = append(ts, m.TS)
		}
	}
	if row.State != store.StateSent || row.Attempts != 1 || len(posts) != 1 || len(ts) != 1 || row.TS != ts[0] {
		t.Fatalf("announcement row %s after %d attempts (ts %q, %s), posted %d times (ts %v); want sent once with its ts",
			row.State, row.Attempts, row.TS, row.LastError, len(posts), ts)
	}
	for _, d := range answered() {
		if d < outbox.MarkTimeout {
			t.Errorf("a post answered after %s, want every answer slower than recording's deadline (%s)", d, outbox.MarkTimeout)
		}
	}
	t.Logf("answered after %v; recorded sent with ts %s", answered(), row.TS)
}

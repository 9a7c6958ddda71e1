package main

// Several built binaries on one PostgreSQL database, as in production
// behind a load balancer: they share the work and never do it twice.

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/pgtest"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// replica is one running binary of a replica set.
type replica struct {
	cfg, addr string
	log       *syncBuffer
	p         *dlvProc
}

func (r *replica) url(path string) string { return "http://" + r.addr + path }

// replicaConfigs writes n configs sharing one new PostgreSQL database and
// one fake Slack; extra is YAML appended to each.
func replicaConfigs(t *testing.T, n int, fake *slackfake.Server, extra string) ([]*replica, *Config) {
	t.Helper()
	database := pgtest.URL(t)
	var rs []*replica
	var cfg *Config
	for i := range n {
		dir := t.TempDir()
		addr := freePort(t)
		body := fmt.Sprintf(`listen: %q
base_url: "http://%s"
database: %q
slack:
  bot_token: "xoxb-e2e"
  signing_secret: %q
  api_url: %q
scheduler:
  tick: "@every 1s"
%s`, addr, addr, database, e2eSecret, fake.APIURL(), extra)
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			var err error
			if cfg, err = LoadConfig(path, true, func(string) string { return "" }); err != nil {
				t.Fatal(err)
			}
		}
		rs = append(rs, &replica{cfg: path, addr: addr, log: &syncBuffer{}})
	}
	return rs, cfg
}

// startReplicas starts every replica at once and waits for all to answer.
func startReplicas(t *testing.T, bin string, rs []*replica) {
	t.Helper()
	var wg sync.WaitGroup
	for _, r := range rs {
		wg.Add(1)
		go func() { defer wg.Done(); r.p = dlvServe(t, bin, r.cfg, r.addr, r.log) }()
	}
	wg.Wait()
	// dlvServe's Fatal only ends its own goroutine: end the test here,
	// before a replica that never came up is used.
	if t.Failed() {
		t.FailNow()
	}
}

func stopReplicas(t *testing.T, rs []*replica) {
	t.Helper()
	for _, r := range rs {
		r.p.stop(t)
	}
}

// waitSent polls until every outbox row of kind is sent.
func waitSent(t *testing.T, st store.Store, kind string, want int, timeout time.Duration, rs []*replica) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		sent := 0
		for _, d := range dlvRows(t, st, kind) {
			if d.State == store.StateSent {
				sent++
			}
		}
		if sent == want {
			return
		}
		if time.Now().After(deadline) {
			var logs strings.Builder
			for i, r := range rs {
				fmt.Fprintf(&logs, "--- replica %d\n%s", i, r.log)
			}
			t.Fatalf("%d of %d %s rows sent after %s; logs:\n%s", sent, want, kind, timeout, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// exactlyOnce checks each row of kind was posted once, and its recorded
// ts is the one Slack gave.
func exactlyOnce(t *testing.T, st store.Store, fake *slackfake.Server, kind string) {
	t.Helper()
	perID := map[int64]int{}
	for _, c := range fake.Calls("chat.postMessage") {
		perID[dlvID(c)]++
	}
	msgTS := map[int64]string{}
	for _, m := range fake.Messages() {
		msgTS[dlvID(slackfake.Call{Form: map[string][]string{"metadata": {string(m.Metadata)}}})] = m.TS
	}
	for _, d := range dlvRows(t, st, kind) {
		if perID[d.ID] != 1 {
			t.Errorf("%s %d to %s posted %d times", kind, d.ID, d.Recipient, perID[d.ID])
		}
		if d.TS != msgTS[d.ID] {
			t.Errorf("%s %d: recorded ts %q, Slack has %q", kind, d.ID, d.TS, msgTS[d.ID])
		}
	}
}

// TestReplicasNewUnderLoad: 2,000 signed `new` spread over three replicas
// at concurrency 20: no errors, exactly 2,000 sessions, and each
// announcement posted once by one of them.
func TestReplicasNewUnderLoad(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	fake := slackfake.New()
	defer fake.Close()
	rs, cfg := replicaConfigs(t, 3, fake, "")
	startReplicas(t, bin, rs)
	st := openTestStore(t, cfg.Database)

	const n, concurrency = 2000, 20
	targets := []string{rs[0].url("/slack/commands"), rs[1].url("/slack/commands"), rs[2].url("/slack/commands")}
	res := loadRunOver(t, targets, n, concurrency)
	if res.errors != 0 {
		t.Fatalf("%d errors of %d", res.errors, n)
	}
	if got, err := st.CountSessions(context.Background()); err != nil || got != n {
		t.Fatalf("%d sessions stored for %d commands (%v)", got, n, err)
	}
	waitSent(t, st, "announce", n, 2*time.Minute, rs)
	stopReplicas(t, rs)
	exactlyOnce(t, st, fake, "announce")
	for i, r := range rs {
		if strings.Contains(r.log.String(), "level=ERROR") {
			t.Errorf("replica %d logged errors:\n%s", i, r.log)
		}
	}
	t.Logf("three replicas: new p50 %s p99 %s (%.0f req/s)", res.p50, res.p99, float64(n)/res.total.Seconds())
}

// TestReplicasSameCommandActsOnce: Slack redelivers a command to another
// replica (the same body and signature): it acts once.
func TestReplicasSameCommandActsOnce(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	fake := slackfake.New()
	defer fake.Close()
	rs, cfg := replicaConfigs(t, 2, fake, "")
	startReplicas(t, bin, rs)
	st := openTestStore(t, cfg.Database)
	date := time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, 4).Format("2006-01-02")
	for round := range 10 {
		body := commandBody("U1", fmt.Sprintf(`new "Sent twice %d" %s 15:00 <#C1|general>`, round, date))
		h := signed(body, time.Now())
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, r := range rs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _ = postSigned(t, http.DefaultClient, r.url("/slack/commands"), body, h)
			}()
		}
		wg.Wait()
		if codes[0] != 200 || codes[1] != 200 {
			t.Fatalf("round %d: status %v", round, codes)
		}
	}
	if got, _ := st.CountSessions(context.Background()); got != 10 {
		t.Errorf("%d sessions for 10 commands each sent to both replicas", got)
	}
	waitSent(t, st, "announce", 10, time.Minute, rs)
	stopReplicas(t, rs)
	exactlyOnce(t, st, fake, "announce")
}

// TestReplicasFeedShowsChangeWithinASecond: a session scheduled through
// one replica is in another replica's feeds within a second.
func TestReplicasFeedShowsChangeWithinASecond(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	fake := slackfake.New()
	defer fake.Close()
	rs, _ := replicaConfigs(t, 2, fake, "")
	startReplicas(t, bin, rs)
	get := func(url, etag string) (int, string, string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("ETag")
	}
	date := time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, 3).Format("2006-01-02")
	for round := range 5 {
		// Read first, so the other replica has a fresh answer cached.
		_, _, etag := get(rs[1].url("/calendar/all.ics"), "")
		title := fmt.Sprintf("Feed probe %d", round)
		body := commandBody("U1", fmt.Sprintf(`new %q %s 15:00`, title, date))
		if code, _ := postSigned(t, http.DefaultClient, rs[0].url("/slack/commands"), body, signed(body, time.Now())); code != 200 {
			t.Fatalf("new: %d", code)
		}
		changed := time.Now()
		for {
			code, ics, _ := get(rs[1].url("/calendar/all.ics"), etag)
			if code == 200 && strings.Contains(ics, "SUMMARY:"+title) {
				break
			}
			if took := time.Since(changed); took > time.Second {
				t.Fatalf("round %d: the other replica's feed still lacks the session %s after the change (status %d)", round, took, code)
			}
			time.Sleep(25 * time.Millisecond)
		}
		t.Logf("round %d: in the other replica's feed %s after the change", round, time.Since(changed).Round(time.Millisecond))
	}
	stopReplicas(t, rs)
}

// TestReplicasDeliverOnceThroughKills: 300 reminders due together on
// three replicas, one of them killed with SIGKILL twice mid-delivery and
// restarted; each reminder is posted exactly once, and the digest, whose
// cron fires every second on every replica, once.
func TestReplicasDeliverOnceThroughKills(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	fake := slackfake.New()
	defer fake.Close()
	fake.SetDelay(60 * time.Millisecond)
	rs, cfg := replicaConfigs(t, 3, fake, `reminders:
  before: ["1h"]
digest:
  cron: "@every 1s"
  channel: "C9DIGEST"
`)
	// Thirty sessions, each with a speaker and eight participants: a
	// thread note, a speaker DM and eight participant DMs each.
	due := time.Now().Truncate(time.Second).Add(8 * time.Second)
	var sessions []*store.Session
	for i := range 30 {
		s := &store.Session{
			Title: fmt.Sprintf("Replicas %d", i), Kind: "webinar", Start: due.Add(time.Hour), Duration: 30 * time.Minute, TZ: "UTC",
			Channel: fmt.Sprintf("C%dREPL", i), Creator: "U0COORD", Speakers: []store.Speaker{{UserID: fmt.Sprintf("U%dSPK", i)}},
		}
		for j := range 8 {
			s.Participants = append(s.Participants, fmt.Sprintf("U%dP%d", i, j))
		}
		sessions = append(sessions, s)
	}
	st := dlvSchedule(t, cfg, sessions...)
	if n := len(dlvRows(t, st, "reminder")); n != 300 {
		t.Fatalf("%d reminders planned, want 300", n)
	}
	firstDay := time.Now().In(cfg.BotConfig().Location).Format("2006-01-02")
	startReplicas(t, bin, rs)
	time.Sleep(time.Until(due.Add(300 * time.Millisecond)))

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 3))
	t.Logf("kill seed %d", seed)
	victim := rs[rng.IntN(len(rs))]
	// Each kill waits for the burst to be under way (a random number of
	// posts past what was sent before it), so that it lands while rows are
	// being sent rather than before the first claim or after the last post.
	posts := func() int { return len(fake.Calls("chat.postMessage")) }
	for range 2 {
		mark := posts() + 5 + rng.IntN(40)
		for deadline := time.Now().Add(5 * time.Second); posts() < mark && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		victim.p.kill()
		victim.p = dlvServe(t, bin, victim.cfg, victim.addr, victim.log)
	}
	// A killed replica's row in sending is recovered once its claim is old
	// enough that no live replica can still be posting it.
	waitSent(t, st, "reminder", 300, 2*time.Minute, rs)
	waitSent(t, st, "announce", 30, time.Minute, rs)
	lastDay := time.Now().In(cfg.BotConfig().Location).Format("2006-01-02")
	stopReplicas(t, rs)

	exactlyOnce(t, st, fake, "reminder")
	exactlyOnce(t, st, fake, "announce")
	digests := 0
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "C9DIGEST" {
			digests++
		}
	}
	days := 1
	if lastDay != firstDay {
		days = 2 // the test ran over midnight: one digest per day
	}
	if digests != days {
		t.Errorf("%d digests posted, want %d", digests, days)
	}
	exactlyOnce(t, st, fake, "digest")
	recovered := 0
	for _, r := range rs {
		recovered += strings.Count(r.log.String(), "recovery: delivery")
	}
	retried := 0
	for _, d := range dlvRows(t, st, "reminder") {
		if d.Attempts > 1 {
			retried++
		}
	}
	// Kills that all fell before the first claim or after the last post
	// would prove nothing about exactly once.
	if recovered == 0 && retried == 0 {
		t.Errorf("no kill landed while the reminders were going out (no row recovered from sending, none claimed twice)")
	}
	t.Logf("2 kills; %d rows recovered from sending, %d reminders took more than one claim", recovered, retried)
}

// TestReplicasShareRateLimitPauses: Slack answers one replica's post in a
// channel with 429, Retry-After 8 s; that replica is stopped (a rolling
// deploy) and another, started after, owes a post in the same channel: it
// waits out the 8 s too, then both posts go out once each.
func TestReplicasShareRateLimitPauses(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	fake := slackfake.New()
	defer fake.Close()
	rs, cfg := replicaConfigs(t, 2, fake, "")
	st := openTestStore(t, cfg.Database)
	date := time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, 4).Format("2006-01-02")
	schedule := func(r *replica, title string) {
		t.Helper()
		body := commandBody("U1", fmt.Sprintf(`new %q %s 15:00 <#C7LIM|limited>`, title, date))
		if code, _ := postSigned(t, http.DefaultClient, r.url("/slack/commands"), body, signed(body, time.Now())); code != 200 {
			t.Fatalf("new %s: status %d", title, code)
		}
	}
	// The window ends before Retry-After does, so the retry is answered.
	// It opens once the replica is up: a slow start must not use it up
	// before the first post. limitedAt is taken before the command that
	// leads to the 429, so it is no later than the 429 itself.
	rs[0].p = dlvServe(t, bin, rs[0].cfg, rs[0].addr, rs[0].log)
	fake.RateLimitConversation("chat.postMessage", "C7LIM", 7*time.Second, 8)
	limitedAt := time.Now()
	schedule(rs[0], "First")
	waitUntil(t, 7*time.Second, "the 429", rs[0].log, func() bool { return limited(fake) == 1 })
	rs[0].p.stop(t)

	rs[1].p = dlvServe(t, bin, rs[1].cfg, rs[1].addr, rs[1].log)
	schedule(rs[1], "Second")
	waitSent(t, st, "announce", 2, 30*time.Second, rs[1:])
	rs[1].p.stop(t)

	lim, viol := fake.RateCounts()
	if viol != 0 || lim != 1 {
		t.Errorf("%d calls came before a Retry-After had passed, %d were answered 429 (want 0 and 1)", viol, lim)
	}
	for _, c := range fake.Calls("chat.postMessage") {
		if wait := c.At.Sub(limitedAt); c.Form.Get("channel") == "C7LIM" && wait < 7*time.Second {
			t.Errorf("a post in the limited channel %s after the 429", wait.Round(time.Millisecond))
		}
	}
	exactlyOnce(t, st, fake, "announce")
}

// limited reads the fake's 429 count while calls may still arrive.
func limited(f *slackfake.Server) int {
	n, _ := f.RateCounts()
	return n
}

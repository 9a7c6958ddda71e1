package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// TestSpeedFigures measures, in one run, the figures BENCHMARKS.md records
// for PostgreSQL: `new` latency on the bare handler, the binary on SQLite
// and the binary on PostgreSQL, taken alternately so all three see the
// same machine; then deliveries per second with one replica and with
// three, against a fake Slack that answers at once. It asserts only
// correctness; it is slow, so it runs only with EXCHANGEBOT_SPEED=1.
func TestSpeedFigures(t *testing.T) {
	if os.Getenv("EXCHANGEBOT_SPEED") != "1" {
		t.Skip("set EXCHANGEBOT_SPEED=1 to measure the PostgreSQL figures")
	}
	firstPassOnly(t)
	bin := binary(t)
	const n, concurrency = 2000, 20

	baseBin := filepath.Join(t.TempDir(), "baseline")
	if out, err := exec.Command("go", "build", "-o", baseBin, "./testdata/baseline").CombinedOutput(); err != nil {
		t.Fatalf("build baseline: %v %s", err, out)
	}
	baseAddr := freePort(t)
	base := exec.Command(baseBin, e2eSecret, baseAddr)
	if err := base.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { base.Process.Kill(); base.Wait() }()
	waitHealthy(t, "http://"+baseAddr)

	fake := slackfake.New()
	defer fake.Close()
	lite, _ := startWithFake(t)
	pgs, _ := replicaConfigs(t, 1, fake, "")
	startReplicas(t, bin, pgs)

	targets := map[string]string{
		"bare handler": "http://" + baseAddr + "/slack/commands",
		"SQLite":       "http://" + lite.addr + "/slack/commands",
		"PostgreSQL":   pgs[0].url("/slack/commands"),
	}
	order := []string{"bare handler", "SQLite", "PostgreSQL"}
	for _, name := range order {
		loadRun(t, targets[name], 200, concurrency) // warm up
	}
	results := map[string][]loadResult{}
	for range 3 {
		for _, name := range order {
			r := loadRun(t, targets[name], n, concurrency)
			if r.errors != 0 {
				t.Fatalf("%s: %d errors", name, r.errors)
			}
			results[name] = append(results[name], r)
		}
	}
	for _, name := range order {
		for i, r := range results[name] {
			t.Logf("new, %-12s run %d: p50 %s p99 %s (%.0f req/s)", name, i+1, r.p50.Round(10*time.Microsecond),
				r.p99.Round(10*time.Microsecond), float64(n)/r.total.Seconds())
		}
	}
	lite.stop()
	stopReplicas(t, pgs)

	for _, replicas := range []int{1, 3} {
		perSecond := deliveryRate(t, bin, replicas)
		t.Logf("deliveries with %d replica(s): %.0f per second", replicas, perSecond)
	}
}

// deliveryRate schedules 1,800 reminders due at one moment, starts the
// replicas before it, and measures from that moment to the last one sent.
func deliveryRate(t *testing.T, bin string, replicas int) float64 {
	fake := slackfake.New()
	defer fake.Close()
	rs, cfg := replicaConfigs(t, replicas, fake, "reminders:\n  before: [\"1h\"]\n")
	due := time.Now().Truncate(time.Second).Add(6 * time.Second)
	var sessions []*store.Session
	for i := range 30 {
		s := &store.Session{
			Title: fmt.Sprintf("Rate %d", i), Kind: "webinar", Start: due.Add(time.Hour), Duration: 30 * time.Minute, TZ: "UTC",
			Channel: fmt.Sprintf("C%dRATE", i), Creator: "U0COORD", Speakers: []store.Speaker{{UserID: fmt.Sprintf("U%dSPK", i)}},
		}
		for j := range 58 {
			s.Participants = append(s.Participants, fmt.Sprintf("U%dP%d", i, j))
		}
		sessions = append(sessions, s)
	}
	st := dlvSchedule(t, cfg, sessions...)
	startReplicas(t, bin, rs)
	waitSent(t, st, "announce", 30, time.Minute, rs)
	time.Sleep(time.Until(due))
	waitSent(t, st, "reminder", 1800, 2*time.Minute, rs)
	took := time.Since(due)
	stopReplicas(t, rs)
	exactlyOnce(t, st, fake, "reminder")
	return 1800 / took.Seconds()
}

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// loadResult is one load run's latencies.
type loadResult struct {
	errors   int
	p50, p99 time.Duration
	total    time.Duration
}

// loadRun sends n signed `new` commands to target at the given
// concurrency and measures each round trip.
func loadRun(t *testing.T, target string, n, concurrency int) loadResult {
	t.Helper()
	return loadRunOver(t, []string{target}, n, concurrency)
}

// loadRunOver is loadRun spreading the commands over several targets in
// turn (replicas behind a load balancer).
func loadRunOver(t *testing.T, targets []string, n, concurrency int) loadResult {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}, Timeout: 10 * time.Second}
	date := time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, 9).Format("2006-01-02")
	lat := make([]time.Duration, n)
	errs := make([]bool, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				user := "U" + strconv.Itoa(100+i%concurrency)
				body := commandBody(user, `new "Youth employment" `+date+` 15:00 90m <@U2|ana> <#C1|general> partner:"FISDL El Salvador"`)
				req, _ := http.NewRequest(http.MethodPost, targets[i%len(targets)], strings.NewReader(body))
				req.Header = signed(body, time.Now())
				t0 := time.Now()
				resp, err := client.Do(req)
				lat[i] = time.Since(t0)
				if err != nil || resp.StatusCode != 200 {
					errs[i] = true
				}
				if resp != nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	r := loadResult{total: time.Since(start)}
	for _, e := range errs {
		if e {
			r.errors++
		}
	}
	slices.Sort(lat)
	r.p50 = lat[n/2]
	r.p99 = lat[(n*99)/100]
	return r
}

// TestLoadNew is the load run of the foundation issue: 2,000 signed `new`
// commands at concurrency 20 against the binary, and the same against a
// bare handler that only verifies the signature. It asserts correctness
// (no errors, exactly 2,000 sessions); the latencies are reported, not
// asserted. EXCHANGEBOT_LOAD_N changes the count.
func TestLoadNew(t *testing.T) {
	binary(t) // built before the clock starts
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("EXCHANGEBOT_LOAD_N")); err == nil && v > 0 {
		n = v
	}
	const concurrency = 20

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

	p, fake := startWithFake(t)
	addr := p.addr
	for i := range concurrency {
		fake.SetZone("U"+strconv.Itoa(100+i), "America/Santiago") // as Slack tells every real user's
	}

	// Warm both up (connections, caches, each sender's zone), then measure
	// the bare handler and the bot one after the other.
	const warm = 200
	loadRun(t, "http://"+baseAddr+"/slack/commands", warm, concurrency)
	loadRun(t, "http://"+addr+"/slack/commands", warm, concurrency)
	baseCPU := cpuTime(base.Process.Pid)
	bare := loadRun(t, "http://"+baseAddr+"/slack/commands", n, concurrency)
	baseCPU = cpuTime(base.Process.Pid) - baseCPU
	botCPU := cpuTime(p.cmd.Process.Pid)
	bot := loadRun(t, "http://"+addr+"/slack/commands", n, concurrency)
	botCPU = cpuTime(p.cmd.Process.Pid) - botCPU

	if bare.errors != 0 || bot.errors != 0 {
		t.Fatalf("errors: bare %d, bot %d", bare.errors, bot.errors)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	st := openTestStore(t, databaseOf(t, p.cfg))
	if got, _ := st.CountSessions(context.Background()); got != n+warm {
		t.Fatalf("%d sessions stored for %d commands", got, n+warm)
	}
	report := fmt.Sprintf("n=%d concurrency=%d\nbare handler: p50 %s p99 %s (%.0f req/s, %s CPU a command)\nexchangebot:  p50 %s p99 %s (%.0f req/s, %s CPU a command)\np99 ratio %.2fx",
		n, concurrency, bare.p50, bare.p99, float64(n)/bare.total.Seconds(), baseCPU/time.Duration(n),
		bot.p50, bot.p99, float64(n)/bot.total.Seconds(), botCPU/time.Duration(n),
		float64(bot.p99)/float64(bare.p99))
	t.Log("\n" + report)
}

// cpuTime is the CPU time (user and system) a process has used so far,
// from /proc; 0 where there is none. It measures what a command costs
// whatever else the machine is doing, which latencies cannot.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; count from the ')'.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / clockTicks
}

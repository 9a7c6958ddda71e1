package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// TestHangUpsFailNoOneElse: 2,000 signed `new` commands (five speakers
// each, so a transaction runs dozens of statements), 200 at a time, and
// the client of every other one hangs up at a random point of the time a
// command takes, while the commands share group commits. Every command
// whose client stayed gets its reply and its session; none fails for
// another's hang-up. (TestUpdateIsolatesCallers in store/sqlite is the
// deterministic form: there a hang-up always lands inside a statement.)
func TestHangUpsFailNoOneElse(t *testing.T) {
	binary(t)
	const n, concurrency = 2000, 200
	p, _ := startWithFake(t)
	target := "http://" + p.addr + "/slack/commands"
	date := time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, 9).Format("2006-01-02")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()

	type result struct {
		quit   bool
		status int
		reply  string
		err    error
	}
	results := make([]result, n)
	var latency atomic.Int64 // of the last command whose client stayed
	latency.Store(int64(20 * time.Millisecond))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for i := range jobs {
				r := &results[i]
				r.quit = i%2 == 1
				ctx, cancel := context.WithCancel(context.Background())
				if r.quit {
					// Somewhere in the time a command takes at the moment,
					// so hang-ups land before, during and after transactions.
					time.AfterFunc(time.Duration(rand.Int64N(latency.Load()*3/2)), cancel)
				}
				began := time.Now()
				body := commandBody(fmt.Sprintf("U%d", 100+i%50), fmt.Sprintf(`new "Hang-up %d" %s 15:00 90m <@U2|ana> <@U3|bo> <@U4|cy> <@U5|di> <@U6|ed> <#C1|general> partner:"FISDL El Salvador"`, i, date))
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
				req.Header = signed(body, time.Now())
				resp, err := client.Do(req)
				if err == nil {
					b, rerr := io.ReadAll(resp.Body)
					resp.Body.Close()
					r.status, r.reply, err = resp.StatusCode, string(b), rerr
				}
				r.err = err
				if !r.quit && err == nil {
					latency.Store(int64(time.Since(began)))
				}
				cancel()
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}

	st, err := openStore(context.Background(), databaseOf(t, p.cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.Sessions(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := make(map[string]bool, len(all))
	for _, s := range all {
		stored[s.Title] = true
	}
	var hungUp, quitStored, quitAnswered int
	for i, r := range results {
		title := fmt.Sprintf("Hang-up %d", i)
		if r.quit {
			if r.err != nil {
				hungUp++
				if !errors.Is(r.err, context.Canceled) {
					t.Errorf("command %d: %v, want the client's own cancellation", i, r.err)
				}
			} else {
				quitAnswered++
			}
			if stored[title] {
				quitStored++
			}
			continue
		}
		switch {
		case r.err != nil:
			t.Errorf("command %d (client stayed): %v", i, r.err)
		case r.status != http.StatusOK || !strings.Contains(r.reply, "Scheduled"):
			t.Errorf("command %d (client stayed): %d %s", i, r.status, r.reply)
		case !stored[title]:
			t.Errorf("command %d (client stayed) answered %q but is not stored", i, r.reply)
		}
	}
	t.Logf("%d commands, %d clients hung up (%d after all got their answer); %d of those sessions stored (their transaction had begun); %d stored in all",
		n, hungUp, quitAnswered, quitStored, len(all))
	if hungUp < n/4 {
		t.Errorf("only %d clients hung up before their answer; the test did not test much", hungUp)
	}
}

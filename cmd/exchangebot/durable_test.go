package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// burstRequest is one signed request of the burst, kept so it can be
// redelivered exactly as Slack would.
type burstRequest struct {
	path, contentType, body string
	user                    string
	join                    bool // a Join press; else a DM answer
}

// send posts r signed now and reports whether it got a 200.
func (r burstRequest) send(client *http.Client, addr string) bool {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+r.path, strings.NewReader(r.body))
	if err != nil {
		return false
	}
	req.Header = signed(r.body, time.Now())
	req.Header.Set("Content-Type", r.contentType)
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// seedForBurst stores a session held yesterday whose n askees each wait in
// their DM for the first lesson question, and a session next week to
// join, before the binary first opens the file.
func seedForBurst(t *testing.T, database string, n int) {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC().Truncate(time.Second)
	held := &store.Session{Title: "Held", Kind: "webinar", Start: now.Add(-26 * time.Hour), Duration: time.Hour, TZ: "UTC",
		Creator: "UC", Created: now, Updated: now}
	ahead := &store.Session{Title: "Ahead", Kind: "webinar", Start: now.Add(7 * 24 * time.Hour), Duration: time.Hour, TZ: "UTC",
		Creator: "UC", Created: now, Updated: now}
	err = st.Update(ctx, func(tx store.Tx) error {
		for _, s := range []*store.Session{held, ahead} {
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
		}
		for i := range n {
			if _, err := tx.RecordPrompt(ctx, held.ID, askee(i), "D"+askee(i), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || held.ID != 1 || ahead.ID != 2 {
		t.Fatalf("seed: %v (ids %d, %d)", err, held.ID, ahead.ID)
	}
}

func askee(i int) string  { return fmt.Sprintf("UA%04d", i) }
func joiner(i int) string { return fmt.Sprintf("UJ%04d", i) }

// burst is n DM answers (one per askee, each its own event) and n Join
// presses on session 2 (one per joiner), interleaved.
func burst(n int) []burstRequest {
	var out []burstRequest
	for i := range n {
		ts := fmt.Sprintf("%d.%06d", time.Now().Unix(), i)
		ev, _ := json.Marshal(map[string]any{
			"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
			"event_id": fmt.Sprintf("EvBurst%04d", i), "event_time": time.Now().Unix(),
			"event": map[string]any{"type": "message", "channel": "D" + askee(i), "user": askee(i), "channel_type": "im",
				"text": "Answer of " + askee(i), "ts": ts, "event_ts": ts},
		})
		press, _ := json.Marshal(map[string]any{
			"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": joiner(i)},
			"api_app_id": "A1", "trigger_id": fmt.Sprintf("burst.%04d.join", i), "channel": map[string]any{"id": "C1"},
			"actions": []map[string]any{{"type": "button", "action_id": "join", "block_id": "session_2", "value": "2", "action_ts": ts}},
		})
		out = append(out,
			burstRequest{path: "/slack/events", contentType: "application/json", body: string(ev), user: askee(i)},
			burstRequest{path: "/slack/interactivity", contentType: "application/x-www-form-urlencoded",
				body: url.Values{"payload": {string(press)}}.Encode(), user: joiner(i), join: true})
	}
	return out
}

// TestAcknowledgedSurviveKill: 1,000 DM answers and 1,000 Join presses,
// signed, through the built binary; SIGKILL mid-burst; restart. Every
// request that got a 200 is in the database. Then Slack's redelivery of
// the whole burst stores each answer and each RSVP exactly once.
func TestAcknowledgedSurviveKill(t *testing.T) {
	n := 1000
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	addr := freePort(t)
	cfg := writeConfig(t, dir, addr, fake.APIURL(), "")
	seedForBurst(t, databaseOf(t, cfg), n)
	p := startServe(t, dir, cfg, addr)

	reqs := burst(n)
	acked := make([]bool, len(reqs))
	var ok atomic.Int32
	killAt := int32(len(reqs) / 3)
	killed := make(chan struct{})
	var killOnce sync.Once
	kill := func() {
		killOnce.Do(func() {
			p.cmd.Process.Kill() // SIGKILL
			p.cmd.Wait()
			close(killed)
		})
	}
	const concurrency = 32
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}, Timeout: 10 * time.Second}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for i := range jobs {
				if reqs[i].send(client, addr) {
					acked[i] = true
					if ok.Add(1) == killAt {
						kill()
					}
				}
			}
		})
	}
	for i := range reqs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	kill() // in case fewer than killAt were answered
	<-killed

	var ackedAnswers, ackedJoins int
	for i, r := range reqs {
		if acked[i] {
			if r.join {
				ackedJoins++
			} else {
				ackedAnswers++
			}
		}
	}
	if ackedAnswers+ackedJoins == len(reqs) {
		t.Fatal("every request was answered before the kill: nothing was in flight")
	}

	// Restart on the same file: it opens after the kill.
	p = startServe(t, dir, cfg, addr)
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d after restart", code)
	}
	answers, joins := burstStored(t, databaseOf(t, cfg))
	var lost []string
	for i, r := range reqs {
		if !acked[i] {
			continue
		}
		if stored := answers[r.user] == 1 || r.join && joins[r.user]; !stored {
			lost = append(lost, r.user)
		}
	}
	t.Logf("killed after %d of %d requests answered 200 (%d DM answers, %d Join presses); stored: %d answers, %d RSVPs; acknowledged but missing: %d",
		ackedAnswers+ackedJoins, len(reqs), ackedAnswers, ackedJoins, len(answers), len(joins), len(lost))
	if len(lost) > 0 {
		t.Fatalf("%d acknowledged requests lost, e.g. %v", len(lost), lost[:min(5, len(lost))])
	}

	// Slack redelivers what it had no 200 for (and this redelivers it all):
	// each answer and RSVP is then stored once.
	p = startServe(t, dir, cfg, addr)
	for i, r := range reqs {
		if !r.send(client, addr) {
			t.Fatalf("redelivery of request %d (%s) not answered 200", i, r.user)
		}
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	answers, joins = burstStored(t, databaseOf(t, cfg))
	for i := range n {
		if answers[askee(i)] != 1 || !joins[joiner(i)] {
			t.Fatalf("after redelivery %s has %d answers, %s joined %v", askee(i), answers[askee(i)], joiner(i), joins[joiner(i)])
		}
	}
	if len(answers) != n || len(joins) != n {
		t.Fatalf("after redelivery %d people answered and %d joined, want %d each", len(answers), len(joins), n)
	}
}

// burstStored reads the answers per askee and the joiners from the
// database, the binary stopped.
func burstStored(t *testing.T, database string) (answers map[string]int, joins map[string]bool) {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if answers, err = st.Answered(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s, err := st.Session(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	joins = map[string]bool{}
	for _, u := range s.Participants {
		joins[u] = true
	}
	return answers, joins
}

package main

// Delivery guarantees on the built binary: reminders on time to the
// second with a one-second tick, and exactly once through repeated
// SIGKILLs while Slack is slow. The binary comes from binary() in
// e2e_test.go (built once per run, skipped under -short).

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// dlvConfig writes a config for a delivery test and returns its path and
// the parsed configuration the binary will run with.
func dlvConfig(t *testing.T, dir, addr, apiURL, extra string) (string, *Config) {
	t.Helper()
	return dlvConfigTick(t, dir, addr, apiURL, "@every 1s", extra)
}

// dlvConfigTick is dlvConfig with another scheduler.tick.
func dlvConfigTick(t *testing.T, dir, addr, apiURL, tick, extra string) (string, *Config) {
	t.Helper()
	body := fmt.Sprintf(`listen: %q
base_url: "http://%s"
database: %q
slack:
  bot_token: "xoxb-test"
  api_url: %q
scheduler:
  tick: %q
%s`, addr, addr, testDatabase(t, dir, "delivery.db"), apiURL, tick, extra)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path, true, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return path, cfg
}

// dlvSchedule schedules sessions through the exchange service, as `new`
// would but with times to the second, and has their participants join;
// it returns the database handle.
func dlvSchedule(t *testing.T, cfg *Config, sessions ...*store.Session) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := exchange.New(exchange.Options{Store: st, Policy: cfg.Policy()})
	for _, s := range sessions {
		got, err := svc.Schedule(ctx, exchange.Actor{UserID: s.Creator}, exchange.Draft{
			Title: s.Title, Kind: s.Kind, Start: s.Start, Duration: s.Duration, TZ: s.TZ, Channel: s.Channel, Speakers: s.Speakers,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range s.Participants {
			if _, _, err := svc.Join(ctx, u, got.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	return st
}

// dlvProc is one run of `exchangebot serve`.
type dlvProc struct {
	cmd *exec.Cmd
	log *syncBuffer
}

func dlvServe(t *testing.T, bin, cfgPath, addr string, log *syncBuffer) *dlvProc {
	t.Helper()
	cmd := exec.Command(bin, "serve", "-config", cfgPath)
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = log, log
	// The log may hold earlier runs' lines (a restart after a kill).
	started := strings.Count(log.String(), startedLine)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &dlvProc{cmd: cmd, log: log}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	waitServing(t, log.String, started+1, addr)
	return p
}

func (p *dlvProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

func (p *dlvProc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		t.Fatal("no exit 20 s after SIGTERM")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d after SIGTERM", code)
	}
}

// dlvID reads the outbox row a post names in its metadata (0 for none).
func dlvID(c slackfake.Call) int64 {
	var md slack.SlackMetadata
	if json.Unmarshal([]byte(c.Form.Get("metadata")), &md) != nil {
		return 0
	}
	id, _ := strconv.ParseInt(fmt.Sprint(md.EventPayload["delivery_id"]), 10, 64)
	return id
}

// dlvRows lists the outbox rows of the given kind.
func dlvRows(t *testing.T, st store.Store, kind string) []store.Delivery {
	t.Helper()
	all, err := st.Deliveries(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Delivery
	for _, d := range all {
		if d.Kind == kind {
			out = append(out, d)
		}
	}
	return out
}

func TestDeliveryOnTimeFromTheBinary(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := dlvConfig(t, dir, addr, fake.APIURL(), `reminders:
  before: ["40s", "20s"]
lessons:
  prompt_after: "5s"
`)
	start := time.Now().Truncate(time.Second).Add(time.Minute)
	const duration = 10 * time.Second
	st := dlvSchedule(t, cfg, &store.Session{
		Title: "On time", Kind: "webinar", Start: start, Duration: duration, TZ: "UTC", Channel: "C1TIME", Creator: "U0COORD",
		Speakers: []store.Speaker{{UserID: "U1SPEAK", Name: "ana"}}, Participants: []string{"U2JOIN"},
	})
	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)

	promptDue := start.Add(duration + 5*time.Second)
	for time.Now().Before(promptDue.Add(3 * time.Second)) {
		time.Sleep(250 * time.Millisecond)
	}
	p.stop(t)

	posts := map[int64]slackfake.Call{}
	for _, c := range fake.Calls("chat.postMessage") {
		if id := dlvID(c); id != 0 {
			if _, dup := posts[id]; dup {
				t.Errorf("delivery %d posted twice", id)
			}
			posts[id] = c
		}
	}
	s, err := st.Session(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.AnnounceTS == "" {
		t.Fatalf("no announcement; log:\n%s", log)
	}
	reminders := dlvRows(t, st, "reminder")
	if len(reminders) != 6 {
		t.Fatalf("%d reminders planned, want 2 offsets x (thread, speaker, participant)", len(reminders))
	}
	for _, d := range reminders {
		c, ok := posts[d.ID]
		if d.State != store.StateSent || !ok {
			t.Errorf("reminder %s %s: state %s (%s), posted %v", d.Payload, d.Recipient, d.State, d.LastError, ok)
			continue
		}
		if late := c.At.Sub(d.Due); late < 0 || late > 3*time.Second {
			t.Errorf("reminder %s to %s arrived %s after its due time", d.Payload, d.Recipient, late.Round(time.Millisecond))
		}
		if d.InThread != (c.Form.Get("thread_ts") == s.AnnounceTS) {
			t.Errorf("reminder to %s: thread_ts %q (announcement %s)", d.Recipient, c.Form.Get("thread_ts"), s.AnnounceTS)
		}
	}
	// The prompt is the lessons feature's; whatever it sends, it is handled
	// once due and not before the session ended.
	prompts := dlvRows(t, st, "prompt")
	if len(prompts) != 2 {
		t.Fatalf("%d prompts planned, want the speaker and the coordinator", len(prompts))
	}
	for _, d := range prompts {
		if !d.Due.Equal(promptDue) {
			t.Errorf("prompt to %s due %s, want %s", d.Recipient, d.Due, promptDue)
		}
		if d.State == store.StatePending && d.Attempts == 0 {
			t.Errorf("prompt to %s still untouched 3 s after it was due", d.Recipient)
		}
		if c, ok := posts[d.ID]; ok {
			if c.At.Before(start.Add(duration)) || c.At.After(promptDue.Add(3*time.Second)) {
				t.Errorf("prompt to %s posted at %s, session ended %s, prompt due %s", d.Recipient, c.At, start.Add(duration), promptDue)
			}
		}
	}
}

func TestDeliveryExactlyOnceThroughKills(t *testing.T) {
	bin := binary(t)
	t.Parallel()
	fake := slackfake.New()
	defer fake.Close()
	// Slow enough that the kills land while the workers are mid-send: each
	// reminder takes two calls, sixteen at a time.
	fake.SetDelay(time.Second)
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath, cfg := dlvConfig(t, dir, addr, fake.APIURL(), `reminders:
  before: ["1h"]
`)
	// Five sessions, each with one speaker and four participants: thirty
	// reminders (five in threads, twenty-five by DM) due together.
	due := time.Now().Truncate(time.Second).Add(5 * time.Second)
	var sessions []*store.Session
	for i := range 5 {
		s := &store.Session{
			Title: fmt.Sprintf("Crash %d", i), Kind: "webinar", Start: due.Add(time.Hour), Duration: 30 * time.Minute, TZ: "UTC",
			Channel: fmt.Sprintf("C%dCRASH", i), Creator: "U0COORD", Speakers: []store.Speaker{{UserID: fmt.Sprintf("U%dSPK", i)}},
		}
		for j := range 4 {
			s.Participants = append(s.Participants, fmt.Sprintf("U%dP%d", i, j))
		}
		sessions = append(sessions, s)
	}
	st := dlvSchedule(t, cfg, sessions...)
	reminders := dlvRows(t, st, "reminder")
	if len(reminders) != 30 {
		t.Fatalf("%d reminders planned, want 30", len(reminders))
	}

	log := &syncBuffer{}
	p := dlvServe(t, bin, cfgPath, addr, log)
	time.Sleep(time.Until(due.Add(300 * time.Millisecond)))

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("kill seed %d", seed)
	var runs sync.WaitGroup
	const kills = 6
	for k := range kills {
		time.Sleep(time.Duration(200+rng.IntN(900)) * time.Millisecond)
		p.kill()
		if k == 2 || k == 4 {
			// `exchangebot run` delivers what is due too, from a second
			// process on the same database.
			runs.Add(1)
			go func() {
				defer runs.Done()
				cmd := exec.Command(bin, "run", "-config", cfgPath, "help")
				cmd.Env = cleanEnv()
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("exchangebot run: %v\n%s", err, out)
				}
			}()
		}
		p = dlvServe(t, bin, cfgPath, addr, log)
	}
	runs.Wait()

	// Rows a killed process left in sending are recovered once their claim
	// is old enough that no live process can still be posting them.
	deadline := time.Now().Add(90 * time.Second)
	for {
		sent := 0
		for _, d := range dlvRows(t, st, "reminder") {
			if d.State == store.StateSent {
				sent++
			}
		}
		if sent == 30 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 30 reminders sent after 90 s; log:\n%s", sent, log)
		}
		time.Sleep(250 * time.Millisecond)
	}
	p.stop(t)

	perID := map[int64]int{}
	for _, c := range fake.Calls("chat.postMessage") {
		perID[dlvID(c)]++
	}
	msgTS := map[int64]string{}
	for _, m := range fake.Messages() {
		msgTS[dlvID(slackfake.Call{Form: map[string][]string{"metadata": {string(m.Metadata)}}})] = m.TS
	}
	recovered, retried := strings.Count(log.String(), "recovery: delivery"), 0
	for _, d := range dlvRows(t, st, "reminder") {
		if perID[d.ID] != 1 {
			t.Errorf("reminder %d to %s posted %d times", d.ID, d.Recipient, perID[d.ID])
		}
		if d.TS != msgTS[d.ID] {
			t.Errorf("reminder %d: recorded ts %q, Slack has %q", d.ID, d.TS, msgTS[d.ID])
		}
		if d.Attempts > 1 {
			retried++
		}
	}
	for _, d := range dlvRows(t, st, "announce") {
		if perID[d.ID] != 1 {
			t.Errorf("announcement %d posted %d times", d.ID, perID[d.ID])
		}
	}
	t.Logf("%d kills; %d rows recovered from sending, %d reminders took more than one claim", kills, recovered, retried)
}

package main

// End-to-end tests on the built binary: a real process, a real SQLite
// file, real HTTP, and the recording fake Slack.

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
)

const e2eSecret = "e2e-signing-secret"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/exchangebot once per test run. EXCHANGEBOT_TEST_BINARY
// runs the tests against another build instead (an older version, for a
// baseline in BENCHMARKS.md).
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if bin := os.Getenv("EXCHANGEBOT_TEST_BINARY"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "exchangebot-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "exchangebot")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freePort(t *testing.T) string {
	t.Helper()
	// The port is free only until someone binds it, and a test may leave
	// its port unbound for a while (a binary starting, or restarting after
	// a kill): never hand the same port to two tests of this process.
	portsGiven.Lock()
	defer portsGiven.Unlock()
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		if !portsGiven.m[addr] {
			portsGiven.m[addr] = true
			return addr
		}
	}
}

var portsGiven = struct {
	sync.Mutex
	m map[string]bool
}{m: map[string]bool{}}

// startedLine is what the binary logs once it listens, its SIGTERM
// handler already in place.
const startedLine = `msg="exchangebot started"`

// waitServing waits until the process writing log has logged its n-th
// start (it logs it once it holds its port) and /healthz answers at addr.
// /healthz alone is not enough: another process may hold a port freePort
// handed out (it is free only until bound), and a SIGTERM sent to a
// binary still starting kills it before its handler is in place
// ("signal: terminated").
func waitServing(t *testing.T, log func() string, n int, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if strings.Count(log(), startedLine) >= n {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("exchangebot did not come up on %s within 30 s:\n%s", addr, log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// proc is a running exchangebot.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	log  *syncBuffer
	dir  string
	cfg  string
}

// syncBuffer is a process's output, read while it runs. The buffer is
// not embedded: its ReadFrom would be promoted, and os/exec would write
// through it without the lock.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// writeConfig writes a config file for a test run and returns its path.
func writeConfig(t *testing.T, dir, addr, apiURL, extra string) string {
	t.Helper()
	cfg := fmt.Sprintf(`listen: %q
base_url: "http://%s"
database: %q
slack:
  bot_token: "xoxb-e2e"
  signing_secret: %q
  api_url: %q
scheduler:
  tick: "@every 1s"
%s`, addr, addr, testDatabase(t, dir, "e2e.db"), e2eSecret, apiURL, extra)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeLoadedConfig is writeConfig that also returns the configuration
// the binary will run with.
func writeLoadedConfig(t *testing.T, dir, addr, apiURL, extra string) (string, *Config) {
	t.Helper()
	path := writeConfig(t, dir, addr, apiURL, extra)
	cfg, err := LoadConfig(path, true, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return path, cfg
}

func startServe(t *testing.T, dir, cfgPath, addr string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), "serve", "-config", cfgPath)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	p := &proc{t: t, cmd: cmd, addr: addr, log: &syncBuffer{}, dir: dir, cfg: cfgPath}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	waitServing(t, p.logText, 1, addr)
	return p
}

// startWithFake starts the binary in a fresh directory, talking to a new
// recording fake Slack.
func startWithFake(t *testing.T) (*proc, *slackfake.Server) {
	t.Helper()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	addr := freePort(t)
	return startServe(t, dir, writeConfig(t, dir, addr, fake.APIURL(), ""), addr), fake
}

// logContains reads the log while the process runs.
func (p *proc) logContains(s string) bool { return strings.Contains(p.log.String(), s) }

// logText reads the log while the process runs.
func (p *proc) logText() string { return p.log.String() }

// cleanEnv drops Slack secrets from the environment so a developer's own
// tokens never leak into a test run.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLACK_") {
			env = append(env, kv)
		}
	}
	return env
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/healthz never answered", base)
}

// stop sends SIGTERM and returns the exit code.
func (p *proc) stop() int {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		p.t.Fatal("no exit 20 s after SIGTERM")
	}
	return p.cmd.ProcessState.ExitCode()
}

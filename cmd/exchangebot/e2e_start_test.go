package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

// A fresh directory, no config, no token: the bot starts offline on
// defaults, creates exchangebot.db there and answers /healthz on :8080.
func TestStartsOfflineOnDefaults(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	if ln, err := net.Listen("tcp", ":8080"); err != nil {
		t.Skip("port 8080 is busy here")
	} else {
		ln.Close()
	}
	dir := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd}
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	waitServing(t, out.String, 1, "127.0.0.1:8080")
	if _, err := os.Stat(filepath.Join(dir, "exchangebot.db")); err != nil {
		t.Fatalf("no database in the working directory: %v", err)
	}
	// Scheduling from the CLI works offline and the feed shows it.
	run := exec.Command(bin, "run", "-as", "U1", "-channel", "C1", `new "Try-out" tomorrow 15:00`)
	run.Dir, run.Env = dir, cleanEnv()
	reply, err := run.Output()
	if err != nil || !strings.Contains(string(reply), "#1") {
		t.Fatalf("run: %v %s", err, reply)
	}
	resp, err := http.Get("http://127.0.0.1:8080/calendar/all.ics")
	if err != nil {
		t.Fatal(err)
	}
	ics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(ics), "SUMMARY:Try-out") {
		t.Errorf("feed lacks the session:\n%s", ics)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "offline") {
		t.Errorf("log does not say offline:\n%s", out.String())
	}
}

// Offline, `run` answers on stdout and leaves the announcement queued;
// the server, offline too, then writes it to its log.
func TestRunOfflineQueuesForTheServer(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath := filepath.Join(dir, "config.yaml")
	db := testDatabase(t, dir, "exchangebot.db")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf("listen: %q\ndatabase: %q\nscheduler:\n  tick: \"@every 1s\"\n", addr, db)), 0o600)
	run := exec.Command(bin, "run", "-as", "U1", "-channel", "C9", `new "Offline" tomorrow 9am`)
	run.Dir, run.Env = dir, cleanEnv()
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		t.Fatal(err, stderr.String())
	}
	// The terminal shows what a person reads: no mrkdwn, no date tokens.
	if out := stdout.String(); !strings.Contains(out, "Scheduled #1 Offline for ") || strings.ContainsAny(out, "*<>") {
		t.Errorf("stdout: %s", out)
	}
	if strings.Contains(stderr.String(), "chat.postMessage") || !strings.Contains(stderr.String(), "queued") {
		t.Errorf("offline run delivered instead of queueing: %s", stderr.String())
	}
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := st.Deliveries(context.Background(), 1)
	st.Close()
	if len(rows) == 0 || rows[0].Kind != "announce" || rows[0].State != store.StatePending {
		t.Fatalf("announcement row after offline run: %+v", rows)
	}

	p := startServe(t, dir, cfgPath, addr)
	deadline := time.Now().Add(30 * time.Second)
	for !p.logContains("chat.postMessage") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(p.log.String(), "chat.postMessage") || !strings.Contains(p.log.String(), "channel=C9") {
		t.Errorf("the offline server did not log the queued announcement:\n%s", p.log.String())
	}
}

func TestBackupSubcommand(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	dir := t.TempDir()
	for _, args := range [][]string{{"run", `new "To back up" tomorrow 10:00`}, {"backup", "copy.db"}} {
		c := exec.Command(bin, args...)
		c.Dir, c.Env = dir, cleanEnv()
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v %s", args, err, out)
		}
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.Session(context.Background(), 1)
	if err != nil || s.Title != "To back up" {
		t.Fatalf("backup copy: %+v %v", s, err)
	}
	c := exec.Command(bin, "backup", "copy.db")
	c.Dir, c.Env = dir, cleanEnv()
	if out, err := c.CombinedOutput(); err == nil || !strings.Contains(string(out), "already exists") {
		t.Errorf("backup over an existing file: %v %s", err, out)
	}
}

func TestBadConfigStopsStart(t *testing.T) {
	firstPassOnly(t)
	bin := binary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.yaml")
	os.WriteFile(path, []byte("timezone: Mars/Olympus\n"), 0o600)
	c := exec.Command(bin, "serve", "-config", path)
	c.Env = cleanEnv()
	out, err := c.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "timezone") {
		t.Fatalf("bad config: %v %s", err, out)
	}
}

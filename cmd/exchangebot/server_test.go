package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
)

// raiseFileLimit lets the test process hold n more connections.
func raiseFileLimit(t *testing.T, n uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip("no open-file limit to read:", err)
	}
	if lim.Cur >= n+256 {
		return
	}
	lim.Cur = min(lim.Max, n+256)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < n+256 {
		t.Skipf("cannot open %d connections: open-file limit %d (%v)", n, lim.Cur, err)
	}
}

// halfSent opens a connection and sends a request whose body never
// finishes: its headers promise 100,000 bytes.
func halfSent(addr string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	_, err = io.WriteString(c, "POST /slack/commands HTTP/1.1\r\nHost: "+addr+
		"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\ntoken=")
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// TestSlowBodiesAreCutOff: 2,000 connections each sending a body a byte
// a second are all closed by the server within its read timeout (3 s
// here), /healthz answers all along, and the goroutines they held are
// gone afterwards.
func TestSlowBodiesAreCutOff(t *testing.T) {
	binary(t)
	const n = 2000
	const readTimeout = 3 * time.Second
	raiseFileLimit(t, n+100)
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir, addr := t.TempDir(), freePort(t)
	cfg := writeConfig(t, dir, addr, fake.APIURL(), fmt.Sprintf(`http:
  read_header_timeout: "1s"
  read_timeout: %q
`, readTimeout))
	p := startServe(t, dir, cfg, addr)
	baseGoroutines := metric(t, addr, "go_goroutines")

	// /healthz every 100 ms while the slow bodies hold their connections.
	var healthOK, healthFail atomic.Int64
	var healthWorst atomic.Int64
	stopHealth := make(chan struct{})
	healthDone := make(chan struct{})
	go func() {
		defer close(healthDone)
		client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		for {
			select {
			case <-stopHealth:
				return
			case <-time.After(100 * time.Millisecond):
			}
			began := time.Now()
			resp, err := client.Get("http://" + addr + "/healthz")
			if err != nil {
				healthFail.Add(1)
				t.Logf("/healthz: %v", err)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				healthFail.Add(1)
				continue
			}
			healthOK.Add(1)
			if d := int64(time.Since(began)); d > healthWorst.Load() {
				healthWorst.Store(d)
			}
		}
	}()

	conns := make([]net.Conn, n)
	// The server's read deadline starts somewhere between dialling and
	// the headers being written: measured from the dial, a close cannot
	// look early; from the write, it cannot look late.
	dialled, opened := make([]time.Time, n), make([]time.Time, n)
	closed, sinceDial := make([]time.Duration, n), make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n {
		dialled[i] = time.Now()
		c, err := halfSent(addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns[i], opened[i] = c, time.Now()
		wg.Go(func() {
			// Whatever the server answers, then the end of the connection.
			io.Copy(io.Discard, c)
			closed[i], sinceDial[i] = time.Since(opened[i]), time.Since(dialled[i])
		})
	}
	// A byte a second to every connection still open.
	stopDrip := make(chan struct{})
	go func() {
		for {
			select {
			case <-stopDrip:
				return
			case <-time.After(time.Second):
			}
			for _, c := range conns {
				c.Write([]byte("x"))
			}
		}
	}()
	allClosed := make(chan struct{})
	go func() { wg.Wait(); close(allClosed) }()
	select {
	case <-allClosed:
	case <-time.After(readTimeout + 30*time.Second):
		t.Fatalf("connections still open %s after the read timeout", 30*time.Second)
	}
	close(stopDrip)
	close(stopHealth)
	<-healthDone
	for _, c := range conns {
		c.Close()
	}

	slices.Sort(closed)
	slices.Sort(sinceDial)
	t.Logf("%d half-sent bodies closed after: min %s, median %s, max %s (read timeout %s); /healthz %d ok, %d failed, slowest %s",
		n, closed[0].Round(time.Millisecond), closed[n/2].Round(time.Millisecond), closed[n-1].Round(time.Millisecond), readTimeout,
		healthOK.Load(), healthFail.Load(), time.Duration(healthWorst.Load()).Round(time.Millisecond))
	// The server's deadline is the read timeout from when it began
	// reading each request; the margin is for a busy machine's scheduling
	// of 2,000 connections, not for the server.
	if closed[n-1] > readTimeout+2*time.Second {
		t.Errorf("slowest half-sent body closed after %s, read timeout %s", closed[n-1], readTimeout)
	}
	if sinceDial[0] < readTimeout-500*time.Millisecond {
		t.Errorf("a half-sent body was closed %s after its dial, before the read timeout %s", sinceDial[0], readTimeout)
	}
	if healthFail.Load() != 0 || healthOK.Load() == 0 {
		t.Errorf("/healthz: %d ok, %d failed while the slow bodies were open", healthOK.Load(), healthFail.Load())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		g := metric(t, addr, "go_goroutines")
		open := metric(t, addr, "exchangebot_http_connections")
		if g <= baseGoroutines+20 && open <= 1 {
			t.Logf("goroutines %v before, %v after; connections open %v", baseGoroutines, g, open)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines %v (was %v), connections %v, 10 s after the slow bodies were cut off", g, baseGoroutines, open)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code := p.stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// TestShutdownWithHalfSentRequest: SIGTERM while a request is still
// sending its body (and another connection sits idle) closes both and
// exits 0 well within the grace period, even though the read timeout is
// far longer.
func TestShutdownWithHalfSentRequest(t *testing.T) {
	binary(t)
	const grace = 10 * time.Second
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir, addr := t.TempDir(), freePort(t)
	cfg := writeConfig(t, dir, addr, fake.APIURL(), fmt.Sprintf(`http:
  read_timeout: "5m"
  shutdown_grace: %q
`, grace))
	p := startServe(t, dir, cfg, addr)

	slow, err := halfSent(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// Both are the server's before the signal: the half-sent one in its
	// handler, the idle one accepted.
	for metric(t, addr, "exchangebot_http_connections") < 3 {
		time.Sleep(20 * time.Millisecond)
	}
	closedAfter := func(c net.Conn) <-chan struct{} {
		ch := make(chan struct{})
		go func() { io.Copy(io.Discard, c); close(ch) }()
		return ch
	}
	slowClosed, idleClosed := closedAfter(slow), closedAfter(idle)

	began := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(grace + 10*time.Second):
		p.cmd.Process.Kill()
		t.Fatalf("still running %s after SIGTERM (grace %s)", grace+10*time.Second, grace)
	}
	took := time.Since(began)
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	if took > grace {
		t.Errorf("exited %s after SIGTERM, grace period %s", took, grace)
	}
	// The kernel closed both when the process exited; the wait is only
	// for the reading goroutines to run.
	for name, ch := range map[string]<-chan struct{}{"half-sent": slowClosed, "idle": idleClosed} {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Errorf("%s connection still open after exit", name)
		}
	}
	t.Logf("exit %d, %s after SIGTERM (grace %s)", p.cmd.ProcessState.ExitCode(), took.Round(time.Millisecond), grace)
}

// The listener holds at most its cap of connections: the next Accept
// waits until one closes, and Close wakes an Accept that waits.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newLimitListener(inner, 2)
	defer ln.Close()
	for range 3 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	accepted := make(chan net.Conn, 3)
	errs := make(chan error, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				errs <- err
				return
			}
			accepted <- c
		}
	}()
	first, second := <-accepted, <-accepted
	select {
	case <-accepted:
		t.Fatal("a third connection accepted over a cap of 2")
	case <-time.After(200 * time.Millisecond):
	}
	first.Close()
	first.Close() // twice frees one slot, not two
	third := <-accepted
	if got := ln.open.Load(); got != 2 {
		t.Errorf("%d connections open, want 2", got)
	}
	second.Close()
	third.Close()
	if got := ln.open.Load(); got != 0 {
		t.Errorf("%d connections open after every one closed", got)
	}
	// The accepting goroutine takes its slot again only once it runs:
	// wait for it rather than read the count the instant the last closes.
	deadline := time.Now().Add(5 * time.Second)
	for len(ln.sem) != 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := len(ln.sem); got != 1 {
		t.Errorf("%d slots taken with none open, want 1 (the Accept waiting)", got)
	}
	ln.Close()
	if err := <-errs; err == nil {
		t.Error("Accept after Close succeeded")
	}
}

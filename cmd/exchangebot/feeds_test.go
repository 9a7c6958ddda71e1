package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store"
)

// procStatus reads a "kB" field (VmRSS, VmHWM) of /proc/<pid>/status, in bytes.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skip("no /proc:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// TestFeedStampedeOnTheBinary: 10,000 sessions, a change made through a
// slash command, then 200 concurrent unauthenticated GETs of all.ics. The
// binary renders the feed once and its peak resident memory grows by less
// than 150 MB.
func TestFeedStampedeOnTheBinary(t *testing.T) {
	binary(t)
	const sessions, clients = 10000, 200
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir, addr := t.TempDir(), freePort(t)
	cfgPath := writeConfig(t, dir, addr, fake.APIURL(), "")

	ctx := context.Background()
	st, err := openStore(ctx, databaseOf(t, cfgPath))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	err = st.Update(ctx, func(tx store.Tx) error {
		for i := range sessions {
			s := &store.Session{
				Title: fmt.Sprintf("Intercambio nº %d: diseño de APIs, ¿REST o gRPC?", i), Kind: "webinar",
				Start: now.Add(time.Duration(i-300) * 6 * time.Hour), Duration: time.Hour, TZ: "Europe/Madrid",
				Description: "Traed preguntas; hablaremos de versiones, compatibilidad y errores.",
				Link:        "https://meet.example.org/abc-defg-hij", Creator: "U0", Status: store.StatusConfirmed,
				Created: now, Updated: now, Partners: []string{"Peña Tecnológica"},
				Speakers: []store.Speaker{{UserID: "U1", Name: "María José"}, {Name: "Zoë", Email: "zoe@example.org"}},
			}
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	p := startServe(t, dir, cfgPath, addr)
	base := "http://" + addr
	pid := p.cmd.Process.Pid
	resp, err := http.Get(base + "/calendar/all.ics")
	if err != nil {
		t.Fatal(err)
	}
	feedBytes, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if code, reply := p.command("U5", "join 400"); code != 200 || !strings.Contains(reply, "joined") {
		t.Fatalf("join: %d %s", code, reply)
	}
	renders := metric(t, addr, "exchangebot_feed_renders_total")
	rssBefore := procStatus(t, pid, "VmRSS")
	// Resets the process's peak RSS (VmHWM) to its current RSS.
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		t.Skip("cannot reset peak RSS:", err)
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 2 * time.Minute}
	defer client.CloseIdleConnections()
	sums := make([][32]byte, clients)
	errs := make([]error, clients)
	start := make(chan struct{})
	var wg sync.WaitGroup
	began := time.Now()
	for i := range clients {
		wg.Go(func() {
			<-start
			resp, err := client.Get(base + "/calendar/all.ics")
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			h := sha256.New()
			if _, err := io.Copy(h, resp.Body); err != nil || resp.StatusCode != 200 {
				errs[i] = fmt.Errorf("%s, %v", resp.Status, err)
				return
			}
			h.Sum(sums[i][:0])
		})
	}
	close(start)
	wg.Wait()
	took := time.Since(began)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		if sums[i] != sums[0] {
			t.Fatalf("client %d got other bytes than client 0", i)
		}
	}
	peak := procStatus(t, pid, "VmHWM")
	rssAfter := procStatus(t, pid, "VmRSS")
	if renders == 0 {
		// The warm-up GET rendered once, so the series must be there: a
		// build without it cannot show the one render this test is for.
		t.Errorf("no exchangebot_feed_renders_total after a rendered GET: renders not counted")
	} else if got := metric(t, addr, "exchangebot_feed_renders_total") - renders; got != 1 {
		t.Errorf("%v renders for %d concurrent GETs after one change, want 1", got, clients)
	}
	mb := func(b int64) float64 { return float64(b) / (1 << 20) }
	t.Logf("feed %.1f MB, %d sessions; RSS %.1f MB before, peak %.1f MB (growth %.1f MB), %.1f MB after; %d GETs in %s",
		mb(feedBytes), sessions, mb(rssBefore), mb(peak), mb(peak-rssBefore), mb(rssAfter), clients, took.Round(time.Millisecond))
	if peak-rssBefore > 150<<20 {
		t.Errorf("peak RSS grew by %.1f MB, want under 150 MB", mb(peak-rssBefore))
	}
	if code := p.stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// TestPrivateSessionFeedsOnTheBinary: with feeds.public false, the
// announcement's "Add to calendar" link carries the session's secret and
// works; the bare id is a 404, and so is all.ics without a token.
func TestPrivateSessionFeedsOnTheBinary(t *testing.T) {
	binary(t)
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	dir, addr := t.TempDir(), freePort(t)
	p := startServe(t, dir, writeConfig(t, dir, addr, fake.APIURL(), "feeds:\n  public: false\n"), addr)
	date := time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, 5).Format("2006-01-02")
	if code, reply := p.command("U1", `new "Members only" `+date+` 15:00 <#C1|general>`); code != 200 || !strings.Contains(reply, "Scheduled") {
		t.Fatalf("new: %d %s", code, reply)
	}
	post := waitCalls(t, fake, "chat.postMessage", 1)[0]
	// The announcement's Add to calendar links end with the .ics file.
	var link string
	if m := regexp.MustCompile(`<([^<>|]+)\|\.ics>`).FindStringSubmatch(slackfake.Readable(post.Form.Get("blocks"))); m != nil {
		link = m[1]
	}
	base := "http://" + addr
	if !strings.HasPrefix(link, base+"/calendar/session/1-") {
		t.Fatalf("announcement's calendar link %q does not carry a secret", link)
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(link); code != 200 || !strings.Contains(body, "SUMMARY:Members only") {
		t.Errorf("announcement's link %s: %d\n%s", link, code, body)
	}
	// A bare id is a 404 like an unknown one, so ids tell nothing; so is a
	// wrong secret. all.ics asks for a token.
	secret, tail, _ := strings.Cut(strings.TrimPrefix(link, base+"/calendar/session/1-"), ".ics")
	if secret == "" {
		t.Fatalf("no secret in the announcement's link %q", link)
	}
	first := "A"
	if strings.HasPrefix(secret, "A") {
		first = "B"
	}
	forged := base + "/calendar/session/1-" + first + secret[1:] + ".ics" + tail
	for _, tt := range []struct {
		url  string
		want int
	}{
		{base + "/calendar/session/1.ics", http.StatusNotFound},
		{base + "/calendar/session/2.ics", http.StatusNotFound},
		{forged, http.StatusNotFound},
		{base + "/calendar/all.ics", http.StatusUnauthorized},
	} {
		if code, _ := get(tt.url); code != tt.want {
			t.Errorf("%s: %d without a secret or token, want %d", tt.url, code, tt.want)
		}
	}
	// The same link after a restart: the key lives in the database.
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	p = startServe(t, dir, p.cfg, addr)
	if code, _ := get(link); code != 200 {
		t.Errorf("announcement's link after a restart: %d", code)
	}
	if code := p.stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
}

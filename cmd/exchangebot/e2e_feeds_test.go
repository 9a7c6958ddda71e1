package main

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The calendar side on the binary: `feed` gives a working personal link,
// `join` and `move` show in it, `feed reset` kills the old link, and a
// conditional GET of an unchanged feed is a 304.
func TestFeedsOnTheBinary(t *testing.T) {
	bin := binary(t)
	p, _ := startWithFake(t)
	dir, cfg, base := p.dir, p.cfg, "http://"+p.addr

	day := func(n int) string {
		return time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, n).Format("2006-01-02")
	}
	p.command("U1", `new "Cash transfers, lessons; from Perú 🇵🇪" `+day(5)+` 15:00 <#C1|general>`)
	p.command("U1", `new "Not mine" `+day(6)+` 10:00 <#C1|general>`)
	p.command("U3", "join 1")

	runCLI := func(args ...string) string {
		c := exec.Command(bin, append([]string{"run", "-config", cfg}, args...)...)
		c.Dir, c.Env = dir, cleanEnv()
		out, err := c.Output()
		if err != nil {
			t.Fatalf("run %v: %v", args, err)
		}
		return string(out)
	}
	reply := runCLI("-as", "U3", "feed")
	_, rest, _ := strings.Cut(reply, "/calendar/u/")
	token, _, _ := strings.Cut(rest, ".ics")
	link := base + "/calendar/u/" + token + ".ics"
	get := func(url string, header ...string) (int, string, http.Header) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	code, body, hdr := get(link)
	if code != 200 || !strings.Contains(body, "SUMMARY:Cash transfers\\, lessons\\; from Perú 🇵🇪") || strings.Contains(body, "Not mine") {
		t.Fatalf("personal feed %d:\n%s", code, body)
	}
	if hdr.Get("Content-Type") != "text/calendar; charset=utf-8" || !strings.Contains(body, "SEQUENCE:0") {
		t.Errorf("headers %v, body %s", hdr, body)
	}
	if code, body, _ := get(link, "If-None-Match", hdr.Get("ETag")); code != http.StatusNotModified || body != "" {
		t.Errorf("conditional GET: %d %q", code, body)
	}

	p.command("U1", "move 1 "+day(7)+" 16:00")
	code, body, hdr2 := get(link, "If-None-Match", hdr.Get("ETag"))
	if code != 200 || !strings.Contains(body, "SEQUENCE:1") || hdr2.Get("ETag") == hdr.Get("ETag") {
		t.Errorf("after move: %d etag %s\n%s", code, hdr2.Get("ETag"), body)
	}

	runCLI("-as", "U3", "feed", "reset")
	if code, _, _ := get(link); code != http.StatusNotFound {
		t.Errorf("rotated-away link: %d, want 404", code)
	}
	if code, _, _ := get(base + "/calendar/u/not-a-token.ics"); code != http.StatusNotFound {
		t.Errorf("unknown token: %d, want 404", code)
	}
	if code, body, _ := get(base + "/calendar/session/1.ics"); code != 200 || !strings.Contains(body, "BEGIN:VEVENT") {
		t.Errorf("session feed: %d", code)
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/pgtest"
	"github.com/exchangebot/exchangebot/store"
)

// TestMigrateSubcommand fills a SQLite database through the running bot,
// copies it with `exchangebot migrate -to`, and runs the bot on the copy:
// every read answers as it did on the original, links and tokens included,
// and the bot carries on from there.
func TestMigrateSubcommand(t *testing.T) {
	firstPassOnly(t) // the source is a SQLite file
	bin := binary(t)
	url := pgtest.URL(t)
	p, fake := startWithFake(t)
	dir, cfg, addr := p.dir, p.cfg, p.addr
	day := func(n int) string {
		return time.Now().In(mustZone(t, "America/Santiago")).AddDate(0, 0, n).Format("2006-01-02")
	}
	for _, c := range []struct{ user, text string }{
		{"U1", `new "Evaluación de impacto" ` + day(5) + ` 15:00 90m <@U2|ana> <#C1|general> partner:"FISDL El Salvador"`},
		{"U1", `new "Cash transfers" ` + day(6) + ` 10:00 <#C1|general> partner:"Prosperidad Social"`},
		{"U1", `new "Youth employment" ` + day(8) + ` 9am <#C1|general>`},
		{"U3", "join 1"}, {"U4", "join 1"}, {"U3", "join 2"},
		{"U1", "move 2 " + day(9) + " 11:00"},
		{"U1", "cancel 3 speaker ill"},
		{"U1", `speakers 1 add "Jane Doe <jane@example.org>"`},
		// A series (#4 to #6) the copy must keep together.
		{"U1", `new "Community of practice" ` + day(12) + ` 15:00 <#C1|general> every:week count:3`},
		{"U3", "join 5 all"},
		{"U5", `request "Rural youth employment" partner:"FISDL"`},
	} {
		if code, body := p.command(c.user, c.text); code != 200 || strings.Contains(body, "rror") {
			t.Fatalf("%s: %d %s", c.text, code, body)
		}
	}
	_, feedReply := p.command("U3", "feed")
	token := regexp.MustCompile(`/calendar/u/([A-Za-z0-9_-]+)\.ics`).FindStringSubmatch(feedReply)
	if token == nil {
		t.Fatalf("feed reply: %s", feedReply)
	}
	waitCalls(t, fake, "chat.postMessage", 4+1+1) // announcements (the series has one), the move and the cancel notes
	migSeedLessons(t, databaseOf(t, cfg))

	reads := func(p *proc) map[string]string {
		out := map[string]string{}
		for _, c := range []string{"show 1", "show 2", "show 3", "show 5", "list all", "list mine", "report", "requests all", "lessons evaluacion", "lessons 1"} {
			_, out[c] = p.command("U3", c)
		}
		for _, path := range []string{"/calendar/all.ics", "/calendar/u/" + token[1] + ".ics", "/calendar/session/1.ics"} {
			resp, err := http.Get("http://" + addr + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// DTSTAMP is when the feed was made; the rest is the data.
			out[path] = resp.Status + "\n" + regexp.MustCompile(`(?m)^DTSTAMP:.*\r?\n`).ReplaceAllString(string(b), "") + resp.Header.Get("ETag")
		}
		return out
	}
	before := reads(p)
	if !strings.Contains(before["show 5"], "2 of 3") || !strings.Contains(before["list mine"], "#6") {
		t.Fatalf("the series before the copy:\n%s\n%s", before["show 5"], before["list mine"])
	}
	if !strings.Contains(before["lessons evaluacion"], "grupo de control") || strings.Contains(before["lessons evaluacion"], "mobile money") ||
		!strings.Contains(before["requests all"], "Rural youth employment") {
		t.Fatalf("the lessons and requests before the copy:\n%s\n%s", before["lessons evaluacion"], before["requests all"])
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}

	migrate := func() (string, error) {
		c := exec.Command(bin, "migrate", "-config", cfg, "-to", url)
		c.Dir, c.Env = dir, cleanEnv()
		out, err := c.CombinedOutput()
		return string(out), err
	}
	out, err := migrate()
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	for _, table := range []string{"series", "sessions", "outbox", "participants", "feed_tokens", "feed_state", "processed", "speakers",
		"lessons", "requests", "request_partners", "evaluations"} {
		if !regexp.MustCompile(`(?m)^` + table + ` +[1-9]\d* +[1-9]\d* +[0-9a-f]{16} +ok$`).MatchString(out) {
			t.Errorf("migrate output lacks a verified, non-empty %s:\n%s", table, out)
		}
	}
	if strings.Contains(out, "MISMATCH") || !strings.Contains(out, "verified every table") {
		t.Errorf("migrate output:\n%s", out)
	}
	if out, err := migrate(); err == nil || !strings.Contains(out, "not empty") {
		t.Errorf("a second migrate into the same database: %v\n%s", err, out)
	}

	// The bot on the copy.
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pgCfg := regexp.MustCompile(`(?m)^database: .*$`).ReplaceAllString(string(b), "database: "+`"`+url+`"`)
	if err := os.WriteFile(cfg, []byte(pgCfg), 0o600); err != nil {
		t.Fatal(err)
	}
	p2 := startServe(t, dir, cfg, addr)
	after := reads(p2)
	for k, want := range before {
		if after[k] != want {
			t.Errorf("%s on the copy:\n%s\nwant (on the original):\n%s", k, after[k], want)
		}
	}
	if _, body := p2.command("U1", `new "After the move" `+day(10)+` 15:00`); !strings.Contains(body, "#7") {
		t.Errorf("new on the copy: %s", body)
	}
	if code := p2.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func TestMigrateRefusesBadArguments(t *testing.T) {
	firstPassOnly(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate"}, "usage: exchangebot migrate"},
		{[]string{"migrate", "-to", "other.db"}, "-to must be a postgres:// URL"},
		{[]string{"migrate", "-to", "postgres://u:hunter2@db:5432"}, "names no database"},
		{[]string{"migrate", "-from", "postgres://u:hunter2@db/x", "-to", "postgres://u:hunter2@db/y"}, "already PostgreSQL"},
		{[]string{"migrate", "-from", "/nonexistent/x.db", "-to", "postgres://db/y"}, "no such file"},
	} {
		var stdout, stderr strings.Builder
		if code := run(tt.args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: exit %d, %q; want %q", tt.args, code, stderr.String(), tt.want)
		}
		if strings.Contains(stderr.String(), "hunter2") {
			t.Errorf("%v: the password reached the message: %s", tt.args, stderr.String())
		}
	}
}

// migSeedLessons gives the running bot's database what only time would
// (answers to the lesson questions, an evaluation under way), written
// beside the bot as another process would, so the copy has them to carry.
func migSeedLessons(t *testing.T, database string) {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	rating, plan := 4, "Design the control group before the first transfer"
	err = st.Update(ctx, func(tx store.Tx) error {
		for _, l := range []store.Lesson{
			{SessionID: 1, UserID: "U2", QuestionIdx: 0, Question: "What worked?", Answer: "La evaluación de impacto necesitó un grupo de control desde el diseño."},
			{SessionID: 1, UserID: "U2", QuestionIdx: 1, Question: "What would you change?", Answer: "Start the baseline survey earlier."},
			{SessionID: 2, UserID: "U1", QuestionIdx: 0, Question: "What worked?", Answer: "Paying by mobile money reached women first."},
		} {
			if _, err := tx.SaveAnswer(ctx, l, now); err != nil {
				return err
			}
		}
		if _, err := tx.AskEvaluation(ctx, 1, "U3", now); err != nil {
			return err
		}
		return tx.ChangeEvaluation(ctx, 1, "U3", store.EvaluationChange{Rating: &rating, Plan: &plan}, now)
	})
	if err != nil {
		t.Fatal(err)
	}
}

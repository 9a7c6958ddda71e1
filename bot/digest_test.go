package bot

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestWeeklyDigest(t *testing.T) {
	if e := newTestBot(t); len(e.bot.cronJobs) != 0 {
		t.Errorf("cron jobs without digest.channel: %v", e.bot.cronJobs)
	}
	e := newTestBot(t, func(c *Config) { c.DigestChannel = "CDIGEST" })
	job, ok := e.bot.cronJobs["0 9 * * MON"]
	if !ok || job.name != "digest" {
		t.Fatalf("cron jobs = %v, want the digest on digest.cron", e.bot.cronJobs)
	}
	day := func(n int) string {
		return e.clock.Now().In(mustLoc("America/Santiago")).AddDate(0, 0, n).Format("2006-01-02")
	}
	for _, cmd := range []string{
		`new "Soon" ` + day(2) + ` 10:00 <@UA|ana>`,
		`new "Called off" ` + day(3) + ` 10:00`,
		`new "Later" ` + day(9) + ` 10:00`,
		`new "Within the week" ` + day(6) + ` 10:00`,
		"cancel 2",
	} {
		e.run("U1", cmd)
	}
	e.deliver()
	p := &posts{t: t, e: e}
	p.seen = len(e.slack.Messages())

	ctx := context.Background()
	// The cron can fire twice (a restart on the minute): one digest.
	for range 2 {
		if err := job.fn(ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.deliver()
	p.expect("digest", post{channel: "CDIGEST",
		has:    []string{"*The coming week*: 2 sessions", "• *#1* Soon · <!date^", "<@UA>", "• *#4* Within the week", "`/exchange join 1` to take part, `/exchange show 1` for details"},
		hasNot: []string{"Called off", "Later", "#2", "#3"}})
	if i, j := strings.Index(e.slack.Messages()[p.seen-1].Text, "#1"), strings.Index(e.slack.Messages()[p.seen-1].Text, "#4"); i > j {
		t.Error("digest not in date order")
	}

	// Two weeks on nothing is scheduled; and a digest that could not go
	// out within a day is dropped rather than posted stale.
	e.clock.Add(14 * 24 * time.Hour)
	if err := job.fn(ctx); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	digests := e.postsTo("CDIGEST")
	if len(digests) != 2 || !strings.Contains(digests[1], "*The coming week*: no sessions scheduled. `/exchange new` schedules one.") {
		t.Fatalf("digests = %q", digests)
	}
	e.clock.Add(7 * 24 * time.Hour)
	if err := job.fn(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(25 * time.Hour)
	e.deliver()
	if n := len(e.postsTo("CDIGEST")); n != 2 {
		t.Errorf("a stale digest was posted (%d digests)", n)
	}
}

package bot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/internal/slackfake"
	"github.com/exchangebot/exchangebot/store/sqlite"
)

// When Slack does not say a person's zone, the time is read in the
// configured zone (America/Santiago here) and the reply says so, and how
// to give one; the next command asks Slack again.
func TestZoneUnknownIsSaid(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(*slackfake.Server)
		text   string // after the date and time
		want   []string
	}{
		{"users.info fails", func(f *slackfake.Server) { f.Fail("users.info", 1, "fatal_error") }, "",
			[]string{"Scheduled *#1*", "Slack did not tell me your time zone, so I read the time in *America/Santiago*: ",
				" 15:00 -03.", "`/exchange cancel 1`", "`tz:Africa/Johannesburg`"}},
		{"users.info rate limited", func(f *slackfake.Server) { f.RateLimit(time.Minute, 30) }, "",
			[]string{"Scheduled *#1*", "*America/Santiago*", "`tz:Africa/Johannesburg`"}},
		{"in the session's language", func(f *slackfake.Server) { f.Fail("users.info", 1, "fatal_error") }, " lang:es",
			[]string{"Scheduled *#1*", "Slack no me dijo tu zona horaria, así que leí la hora en *America/Santiago*: ",
				"`/exchange cancelar 1`", "`tz:Africa/Johannesburg`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestBot(t)
			e.slack.Zones["U7"] = "Africa/Johannesburg"
			d := futureDate(5)
			tt.break_(e.slack)
			reply := e.run("U7", `new "Youth employment" `+d+` 15:00`+tt.text)
			for _, w := range tt.want {
				if !strings.Contains(reply, w) {
					t.Errorf("reply %q lacks %q", reply, w)
				}
			}
			s, err := e.store.Session(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if local := s.Start.In(mustLoc("America/Santiago")); s.TZ != "America/Santiago" || local.Hour() != 15 {
				t.Errorf("stored in %s at %s, want 15:00 America/Santiago", s.TZ, local)
			}

			// Slack answers again (and any Retry-After it gave is over):
			// the zone is learnt, and nothing extra is said.
			e.slack.RateLimit(0, 0)
			e.clock.Set(e.clock.Now().Add(time.Minute))
			reply = e.run("U7", `new "Open data" `+d+` 15:00`)
			if !strings.Contains(reply, "Scheduled *#2*") || strings.Contains(reply, "time zone") {
				t.Errorf("reply once Slack answers: %q", reply)
			}
			if s, _ := e.store.Session(context.Background(), 2); s == nil || s.TZ != "Africa/Johannesburg" {
				t.Errorf("second session in %v, want Africa/Johannesburg", s)
			}
		})
	}
}

// TestZoneLookupHangs: Slack takes the connection for users.info (and
// for the staff group) and never answers. The command, through real
// HTTP, is still answered within Slack's 3 s, naming the zone it read.
func TestZoneLookupHangs(t *testing.T) {
	t.Run("users.info", func(t *testing.T) {
		e := newTestBot(t)
		e.slack.Hang("users.info")
		start := time.Now()
		code, body := e.command("U7", `new "Youth employment" `+futureDate(5)+` 15:00`, "trig-hang")
		took := time.Since(start)
		var msg struct{ Text string }
		json.Unmarshal([]byte(body), &msg)
		t.Logf("answered in %s with a hanging users.info", took.Round(time.Millisecond))
		if code != 200 || !strings.Contains(msg.Text, "Scheduled *#1*") || !strings.Contains(msg.Text, "*America/Santiago*") {
			t.Fatalf("answer %d %q", code, msg.Text)
		}
		if took >= 3*time.Second {
			t.Errorf("answered after %s; Slack gives up at 3 s", took)
		}
	})
	t.Run("staff group and users.info", func(t *testing.T) {
		e := newTestBot(t, func(c *Config) { c.Staff = []string{"S0614TZR7"} })
		e.slack.Groups["S0614TZR7"] = []string{"U7"}
		// The group is learnt once (tz: given, so no users.info), then
		// both lookups hang once its members are due to be asked again:
		// the last known members count, and users.info gets what is left
		// of the time Slack waits.
		if r := e.run("U7", `new "First" `+futureDate(5)+` 10:00 tz:Europe/Madrid`); !strings.Contains(r, "Scheduled *#1*") {
			t.Fatal(r)
		}
		e.clock.Set(e.clock.Now().Add(staffTTL + time.Minute))
		e.slack.Hang("usergroups.users.list")
		e.slack.Hang("users.info")
		start := time.Now()
		code, body := e.command("U7", `new "Youth employment" `+futureDate(5)+` 15:00`, "trig-hang-2")
		took := time.Since(start)
		var msg struct{ Text string }
		json.Unmarshal([]byte(body), &msg)
		t.Logf("answered in %s with both lookups hanging", took.Round(time.Millisecond))
		if code != 200 || !strings.Contains(msg.Text, "Scheduled *#2*") || !strings.Contains(msg.Text, "*America/Santiago*") {
			t.Fatalf("answer %d %q", code, msg.Text)
		}
		if took >= 3*time.Second {
			t.Errorf("answered after %s; Slack gives up at 3 s", took)
		}
	})
}

// Offline (no Slack token: `exchangebot run` from a shell) nobody's zone
// can be asked, and the configured one is meant: the reply says nothing
// of Slack not telling it.
func TestZoneNotSaidOffline(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := New(Options{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: testNow, Config: testConfig()})
	if !b.Offline() {
		t.Fatal("a bot without a Slack client is not offline")
	}
	for _, text := range []string{`new "Youth employment" ` + futureDate(5) + ` 15:00`, `nuevo "Empleo juvenil" ` + futureDate(6) + ` 15:00 idioma:es`} {
		reply := b.Terminal(b.Execute(context.Background(), Request{UserID: "U7", Text: text}))
		if !strings.Contains(reply, "#") || strings.Contains(reply, "Slack did not tell") || strings.Contains(reply, "Slack no me dijo") {
			t.Errorf("offline reply to %q: %q", text, reply)
		}
	}
	s, err := st.Session(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.TZ != "America/Santiago" || s.Start.In(mustLoc("America/Santiago")).Hour() != 15 {
		t.Errorf("stored in %s at %s, want 15:00 America/Santiago", s.TZ, s.Start)
	}
}

// A profile with a locale but no zone: the zone note is in the caller's
// language, like the rest of the reply, not in the session's.
func TestZoneNoteInTheCallersLocale(t *testing.T) {
	e := newTestBot(t)
	e.slack.Locales["U8"] = "en-US"
	reply := e.run("U8", `new "Youth employment" `+futureDate(5)+` 15:00 lang:es`)
	if !strings.Contains(reply, "Scheduled *#1*") || !strings.Contains(reply, "Slack did not tell me your time zone") || strings.Contains(reply, "no me dijo") {
		t.Errorf("reply %q: want the zone note in English", reply)
	}
}

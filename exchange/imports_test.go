package exchange

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/exchangebot/exchangebot"

// deps lists what each package imports, directly or not (tests aside),
// as the go command sees it.
func deps(t *testing.T, pkgs ...string) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-json"}, pkgs...)...).Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("go list: %v\n%s", err, ee.Stderr) // an import cycle lands here
	} else if err != nil {
		t.Fatalf("go list: %v", err)
	}
	got := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got[p.ImportPath] = p.Deps
	}
	if len(got) != len(pkgs) {
		t.Fatalf("go list answered for %d packages, asked %d", len(got), len(pkgs))
	}
	return got
}

// TestLayering keeps the product core and the store free of every
// surface and transport, and the feeds free of Slack's surface: a change
// that would make exchange speak HTTP or Slack, or store know a caller,
// fails here.
func TestLayering(t *testing.T) {
	surfaces := []string{module + "/bot", module + "/calendar", module + "/web", module + "/mail", module + "/cmd", module + "/outbox"}
	drivers := []string{"database/sql", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/lib/pq", "github.com/mattn/go-sqlite3"}
	transports := []string{"github.com/slack-go", "net/http"}
	under := func(dep string, roots []string) bool {
		for _, r := range roots {
			if dep == r || strings.HasPrefix(dep, r+"/") {
				return true
			}
		}
		return false
	}
	all := deps(t, module+"/exchange", module+"/store", module+"/calendar", module+"/web", module+"/mail")
	for _, rule := range []struct {
		pkg    string
		banned []string
		why    string
	}{
		{"exchange", append(append(append([]string{}, surfaces...), drivers...), transports...), "the core speaks no Slack, HTTP or SQL"},
		{"store", append(append([]string{module}, drivers...), transports...), "store is the bottom: no package of ours, no driver"},
		{"calendar", []string{module + "/bot"}, "feeds get what they need from bot as data or funcs"},
		{"web", []string{module + "/bot", module + "/mail", module + "/store/sqlite"}, "pages are a surface of exchange beside Slack's, on any store"},
		{"mail", []string{module + "/bot", module + "/web", module + "/store/sqlite", "github.com/slack-go"}, "email is a surface of exchange and knows no Slack"},
	} {
		for _, dep := range all[module+"/"+rule.pkg] {
			if under(dep, rule.banned) {
				t.Errorf("%s imports %s: %s", rule.pkg, dep, rule.why)
			}
		}
	}
}

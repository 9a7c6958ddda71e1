package main

import (
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

func TestDatabaseFromEnvironment(t *testing.T) {
	const u = "postgres://bot:hunter2@db.internal:5432/exchangebot"
	env := map[string]string{"EXCHANGEBOT_DATABASE": u}
	c, err := LoadConfig(writeFile(t, `database: "other.db"`), true, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Database != u {
		t.Errorf("database = %q, want the environment's", c.Database)
	}
}

func TestBadPostgresURLNamedWithoutItsPassword(t *testing.T) {
	for _, db := range []string{
		"postgres://bot:hunter2@/exchangebot",        // no host
		"postgres://bot:hunter2@db.internal:5432",    // no database
		"postgresql://bot:hunter2@db.internal:5432/", // no database
	} {
		_, err := LoadConfig(writeFile(t, "database: \""+db+"\""), true, noEnv)
		if err == nil || !strings.Contains(err.Error(), "config: database:") {
			t.Errorf("%s: error %v does not name the key", db, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

func TestRedactDatabase(t *testing.T) {
	for in, want := range map[string]string{
		"exchangebot.db":                           "exchangebot.db",
		"/var/lib/x/db.sqlite":                     "/var/lib/x/db.sqlite",
		"postgres://bot:hunter2@db:5432/x":         "postgres://bot:xxxxx@db:5432/x",
		"postgres://bot@db/x?password=hunter2":     "postgres://bot@db/x?password=xxxxx",
		"postgresql://db/x?sslmode=require":        "postgresql://db/x?sslmode=require",
		"postgres://bot:hunter2@db/x?sslmode=None": "postgres://bot:xxxxx@db/x?sslmode=None",
		// The client key's passphrase is a password too.
		"postgres://bot@db/x?sslkey=k.pem&sslpassword=hunter2": "postgres://bot@db/x?sslkey=k.pem&sslpassword=xxxxx",
		// A -to that is not PostgreSQL is echoed in its refusal.
		"mysql://bot:hunter2@db/x":         "mysql://bot:xxxxx@db/x",
		"postgres://bot:hunter2@db:port/x": "postgres://(unparsable URL)",
	} {
		if got := redactDatabase(in); got != want {
			t.Errorf("redactDatabase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVersionSubcommand(t *testing.T) {
	out, err := exec.Command(binary(t), "version").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// A build from a checkout: no release version was linked in.
	want := "exchangebot (devel) " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	if !strings.HasPrefix(string(out), "exchangebot (devel)") || !strings.Contains(string(out), runtime.Version()) {
		t.Errorf("version = %q, want like %q", out, want)
	}
}

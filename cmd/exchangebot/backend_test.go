package main

// The end-to-end tests run twice: as they are, on SQLite files, and again
// by TestEndToEndOnPostgres, which re-runs this test binary with
// EXCHANGEBOT_E2E_POSTGRES=1 so that every database a test makes is a
// fresh PostgreSQL database instead. A test picks its database with
// testDatabase and opens it with openTestStore; tests of SQLite itself
// call firstPassOnly.

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/exchangebot/exchangebot/internal/pgtest"
	"github.com/exchangebot/exchangebot/store"
)

const envE2EPostgres = "EXCHANGEBOT_E2E_POSTGRES"

func TestMain(m *testing.M) {
	// The tests choose their language by their config files, whatever
	// the locale of the machine running them.
	localeEnv = func(string) string { return "" }
	waitingParallel()
	os.Exit(pgtest.Main(m))
}

// endToEndParallel is how many parallel tests run at once here unless
// -parallel says otherwise. The parallel tests are end-to-end runs that
// mostly wait on the real clock (a reminder 95 s ahead, an evaluation
// closing after 60 s); at the default of one per CPU, a 2-CPU machine
// would sit idle through them.
const endToEndParallel = 3

func waitingParallel() {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set && runtime.GOMAXPROCS(0) < endToEndParallel {
		flag.Set("test.parallel", strconv.Itoa(endToEndParallel))
	}
}

// onPostgres reports whether this run is the PostgreSQL pass.
func onPostgres() bool { return os.Getenv(envE2EPostgres) == "1" }

// testDatabase is the database setting for a test: a file in dir on the
// SQLite pass, a new PostgreSQL database on the PostgreSQL pass.
func testDatabase(t *testing.T, dir, file string) string {
	t.Helper()
	if onPostgres() {
		return pgtest.URL(t)
	}
	return filepath.Join(dir, file)
}

// openTestStore opens a test's database, whichever backend it is, and
// closes it after the test.
func openTestStore(t *testing.T, database string) store.Store {
	t.Helper()
	st, err := openStore(context.Background(), database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// databaseOf reads the database setting of a config file.
func databaseOf(t *testing.T, cfgPath string) string {
	t.Helper()
	cfg, err := LoadConfig(cfgPath, true, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Database
}

// firstPassOnly skips a test on the PostgreSQL pass when running it again
// there would add nothing: a test of something only SQLite has (a file,
// backup), one that does not touch the database, or one that makes its
// own PostgreSQL databases anyway (replicas, migrate).
func firstPassOnly(t *testing.T) {
	if onPostgres() {
		t.Skip("runs once, on the first (SQLite) pass")
	}
}

// TestEndToEndOnPostgres runs this package's tests again with every test
// database on PostgreSQL (one server for both processes).
func TestEndToEndOnPostgres(t *testing.T) {
	if onPostgres() {
		t.Skip("this is the PostgreSQL pass")
	}
	binary(t) // skips under -short, like the tests it would run
	admin := pgtest.Admin(t)
	args := []string{"-test.skip=^TestEndToEndOnPostgres$", "-test.v", "-test.count=1"}
	// -run narrows the pass to the same tests, unless it picked this one
	// alone: then the pass runs everything.
	if run := flagValue("test.run"); run != "" {
		if re, err := regexp.Compile(run); err == nil && !re.MatchString("TestEndToEndOnPostgres") {
			args = append(args, "-test.run="+run)
		}
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envE2EPostgres+"=1", pgtest.EnvURL+"="+admin)
	out, err := cmd.CombinedOutput()
	var ran []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); strings.HasPrefix(line, "--- PASS: ") && len(f) >= 4 {
			ran = append(ran, f[2]+" "+f[3])
		}
	}
	t.Logf("passed on PostgreSQL: %s", strings.Join(ran, ", "))
	if err != nil {
		t.Fatalf("the PostgreSQL pass failed: %v\n%s", err, out)
	}
}

// flagValue returns the value of a test flag given to this binary.
func flagValue(name string) string {
	for _, a := range os.Args[1:] {
		if v, ok := strings.CutPrefix(a, "-"+name+"="); ok {
			return v
		}
	}
	return ""
}

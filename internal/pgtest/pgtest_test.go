package pgtest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

func TestEachCallGetsAnEmptyDatabaseOfItsOwn(t *testing.T) {
	ctx := context.Background()
	a, b := connect(t, URL(t)), connect(t, URL(t))
	if _, err := a.Exec(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a table made in one test database is visible in another")
	}
	var enc string
	if err := b.QueryRow(ctx, "SHOW server_encoding").Scan(&enc); err != nil {
		t.Fatal(err)
	}
	if enc != "UTF8" {
		t.Errorf("server_encoding = %s, want UTF8", enc)
	}
}

func TestStartedClusterListensOnLoopbackOnly(t *testing.T) {
	Admin(t)
	if cluster == nil {
		t.Skipf("using the server named by %s", EnvURL)
	}
	conn := connect(t, URL(t))
	for setting, want := range map[string]string{"listen_addresses": "127.0.0.1", "fsync": "off"} {
		var got string
		if err := conn.QueryRow(context.Background(), "SELECT current_setting($1)", setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
}

func TestDatabaseDroppedWhenTheTestEnds(t *testing.T) {
	var name string
	t.Run("user", func(t *testing.T) {
		u := URL(t)
		name = u[strings.LastIndex(u, "/")+1 : strings.Index(u, "?")]
		// A connection left open must not stop the drop.
		connect(t, u)
	})
	var n int
	if err := connect(t, Admin(t)).QueryRow(context.Background(),
		"SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if name == "" || n != 0 {
		t.Errorf("database %q still there after its test (count %d)", name, n)
	}
}

// TestHelperNeedsPostgres is run in a child process by
// TestWithoutPostgresSkipsOrFailsWhenRequired.
func TestHelperNeedsPostgres(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") != "1" {
		t.Skip("run as a child of TestWithoutPostgresSkipsOrFailsWhenRequired")
	}
	URL(t)
	t.Log("reached past URL")
}

func TestWithoutPostgresSkipsOrFailsWhenRequired(t *testing.T) {
	for _, tc := range []struct {
		require  string
		wantFail bool
		want     string
	}{
		{"", false, "--- SKIP: TestHelperNeedsPostgres"},
		{"1", true, "EXCHANGEBOT_REQUIRE_POSTGRES=1 makes this a failure"},
	} {
		t.Run("require="+tc.require, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperNeedsPostgres$", "-test.v")
			cmd.Env = []string{
				"PGTEST_CHILD=1",
				"PATH=/nonexistent",
				EnvBin + "=" + filepath.Join(t.TempDir(), "no-postgres-here"),
				EnvRequire + "=" + tc.require,
			}
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.wantFail {
				t.Errorf("child failed = %v (%v), want %v", failed, err, tc.wantFail)
			}
			if !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "no PostgreSQL for this test") {
				t.Errorf("child output lacks %q and the reason:\n%s", tc.want, out)
			}
			if strings.Contains(string(out), "reached past URL") {
				t.Errorf("test went on without a database:\n%s", out)
			}
		})
	}
}

func TestStaleClusterOfAKilledTestBinaryIsStopped(t *testing.T) {
	if _, err := findBin(); err != nil {
		Admin(t) // skips, or fails when required
	}
	// Not t.TempDir(): the server may run as another user, who must reach
	// into base, and t.TempDir's parent is private.
	base, err := os.MkdirTemp("", "pgtest-stale-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	stale, err := Start(base)
	if err != nil {
		t.Fatal(err)
	}
	defer stale.Stop()
	// Pretend its owner died: a process that has exited.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stale.dir, "owner.pid"), []byte(strconv.Itoa(dead.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh, err := Start(base)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Stop()
	if _, err := os.Stat(stale.dir); !os.IsNotExist(err) {
		t.Errorf("stale cluster directory still there: %v", err)
	}
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(stale.port), time.Second)
	if err == nil && fresh.port != stale.port {
		conn.Close()
		t.Errorf("stale cluster still accepts connections on port %d", stale.port)
	}
	c := connect(t, fresh.URL("postgres"))
	if err := c.Ping(context.Background()); err != nil {
		t.Errorf("new cluster: %v", err)
	}
}

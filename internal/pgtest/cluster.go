package pgtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Cluster is a throwaway PostgreSQL cluster in a temporary directory.
type Cluster struct {
	dir  string // holds data/, the socket, the log and owner.pid
	bin  string // directory of initdb, pg_ctl and postgres
	port int
	cred *syscall.Credential // whom to run the server as; nil: as ourselves
}

const dirPrefix = "exchangebot-pg-"

// Start creates and starts a cluster in a new directory under base. Only
// the superuser "postgres" exists, trusted from 127.0.0.1, so the URL needs
// no password. Durability is switched off: a test database never outlives
// the test.
func Start(base string) (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	stopStale(base, bin, cred)
	dir, err := os.MkdirTemp(base, dirPrefix)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin, cred: cred}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, c.fail(err)
	}
	if cred != nil {
		// initdb refuses to run as root, and the server must own its files.
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, c.fail(err)
		}
	}
	if err := c.initdb(); err != nil {
		return nil, c.fail(err)
	}
	// A free port can be taken between our probe and the server's bind;
	// try a few before giving up.
	for attempt := 1; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			return nil, c.fail(err)
		}
		err = c.start()
		if err == nil {
			return c, nil
		}
		if attempt == 3 || !strings.Contains(err.Error(), "already in use") {
			return nil, c.fail(err)
		}
	}
}

// URL returns the address of database db on the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// Stop stops the server at once (its data is thrown away) and removes the
// directory.
func (c *Cluster) Stop() error {
	_, err := c.pgctl("stop", "-m", "immediate", "-w")
	if rmErr := os.RemoveAll(c.dir); err == nil {
		err = rmErr
	}
	if err != nil {
		return fmt.Errorf("stop cluster in %s: %w", c.dir, err)
	}
	return nil
}

func (c *Cluster) fail(err error) error {
	os.RemoveAll(c.dir)
	return err
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) initdb() error {
	args := []string{"-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8"}
	// C.UTF-8 makes lower() and the text search parser treat letters
	// beyond ASCII as letters, as a production cluster's UTF-8 locale does.
	out, err := c.command("initdb", append(args, "--locale=C.UTF-8")...).CombinedOutput()
	if err != nil && strings.Contains(string(out), "locale") {
		os.RemoveAll(c.data())
		out, err = c.command("initdb", append(args, "--no-locale")...).CombinedOutput()
	}
	if err != nil {
		return fmt.Errorf("initdb in %s%s: %v\n%s", c.dir, c.asWhom(), err, out)
	}
	return nil
}

func (c *Cluster) asWhom() string {
	if c.cred == nil {
		return ""
	}
	return fmt.Sprintf(" as uid %d (every directory above it must be searchable by that user)", c.cred.Uid)
}

func (c *Cluster) start() error {
	opts := strings.Join([]string{
		"-c listen_addresses=127.0.0.1",
		"-c port=" + strconv.Itoa(c.port),
		"-c unix_socket_directories=" + c.dir,
		"-c fsync=off",
		"-c synchronous_commit=off",
		"-c full_page_writes=off",
		"-c max_connections=200",
	}, " ")
	logFile := filepath.Join(c.dir, "server.log")
	if out, err := c.pgctl("start", "-w", "-t", "120", "-l", logFile, "-o", opts); err != nil {
		log, _ := os.ReadFile(logFile)
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return nil
}

func (c *Cluster) pgctl(args ...string) ([]byte, error) {
	return c.command("pg_ctl", append([]string{"-D", c.data()}, args...)...).CombinedOutput()
}

func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

// findBin finds the directory of initdb: EXCHANGEBOT_PG_BIN, then PATH,
// then Debian's /usr/lib/postgresql/<version>/bin, newest version first.
func findBin() (string, error) {
	if dir := os.Getenv(EnvBin); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBin, dir, err)
		}
		return dir, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		return "", errors.New("initdb is not on PATH nor under /usr/lib/postgresql/*/bin")
	}
	version := func(p string) int {
		v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
		return v
	}
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	return filepath.Dir(found[0]), nil
}

// runAs returns the postgres user's credentials when we are root, since
// initdb and the server refuse to run as root.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and there is no postgres user to run the server as: %w", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("postgres user: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// stopStale stops clusters left behind by test binaries that were killed
// before Main could stop them, so they do not pile up.
func stopStale(base, bin string, cred *syscall.Credential) {
	dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue // its owner is alive, or we cannot tell
		}
		stale := &Cluster{dir: dir, bin: bin, cred: cred}
		stale.pgctl("stop", "-m", "immediate", "-w")
		os.RemoveAll(dir)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

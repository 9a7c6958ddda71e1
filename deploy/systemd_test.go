package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const unitFile = "systemd/exchangebot.service"

// unitSettings reads the [Service] section of a unit into key -> values.
func unitSettings(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	settings := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = line
		case section == "[Service]":
			k, v, _ := strings.Cut(line, "=")
			settings[k] = append(settings[k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return settings
}

func TestSystemdUnitIsHardened(t *testing.T) {
	s := unitSettings(t, unitFile)
	for key, want := range map[string]string{
		"DynamicUser":            "yes",
		"ProtectSystem":          "strict",
		"ProtectHome":            "yes",
		"NoNewPrivileges":        "yes",
		"PrivateTmp":             "yes",
		"PrivateDevices":         "yes",
		"StateDirectory":         "exchangebot",
		"WorkingDirectory":       "%S/exchangebot",
		"CapabilityBoundingSet":  "",
		"MemoryDenyWriteExecute": "yes",
		"KillSignal":             "SIGTERM",
	} {
		if got, ok := s[key]; !ok || got[len(got)-1] != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if exec := s["ExecStart"]; len(exec) != 1 || !strings.HasPrefix(exec[0], "/usr/local/bin/exchangebot serve") {
		t.Errorf("ExecStart = %q", exec)
	}
}

// systemdAnalyze finds systemd-analyze, or skips; under
// EXCHANGEBOT_REQUIRE_SYSTEMD_ANALYZE=1 (CI, which installs it) a missing
// one is a failure.
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("systemd-analyze")
	if err != nil {
		msg := "systemd-analyze not found (Debian package systemd); the unit is not verified"
		if os.Getenv("EXCHANGEBOT_REQUIRE_SYSTEMD_ANALYZE") == "1" {
			t.Fatal(msg + "; EXCHANGEBOT_REQUIRE_SYSTEMD_ANALYZE=1 makes this a failure")
		}
		t.Skip(msg)
	}
	return p
}

// unitWithBinary copies the unit where systemd-analyze can read it, with
// ExecStart pointing at a real executable: verify checks that it exists,
// and the build tree has no /usr/local/bin/exchangebot.
func unitWithBinary(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "exchangebot")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/exchangebot").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	b, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(dir, "exchangebot.service")
	body := strings.ReplaceAll(string(b), "/usr/local/bin/exchangebot", bin)
	if err := os.WriteFile(unit, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return unit
}

func TestSystemdAnalyzeVerify(t *testing.T) {
	sa := systemdAnalyze(t)
	unit := unitWithBinary(t)
	out, err := exec.Command(sa, "verify", unit).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The exposure score: 0 is locked down, 10 is "UNSAFE". The unit
	// scores 1.1 with systemd 252; keep it under 2.
	out, err = exec.Command(sa, "security", "--offline=yes", "--threshold=20", unit).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security: exposure above 2.0: %v\n%s", err, out)
	}
}

package deploy

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, …
	args string
}

// parseDockerfile reads the subset of the syntax we use: comments,
// backslash continuations, one instruction per logical line.
func parseDockerfile(t *testing.T, path string) [][]instruction {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]instruction
	var logical string
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && logical == "") {
			continue
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			logical += cont + " "
			continue
		}
		logical += trimmed
		cmd, args, _ := strings.Cut(logical, " ")
		logical = ""
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("%s: %s before the first FROM", path, in.cmd)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	return stages
}

func find(stage []instruction, cmd string) []instruction {
	var out []instruction
	for _, in := range stage {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

func jsonArray(t *testing.T, in instruction) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(in.args), &v); err != nil {
		t.Fatalf("%s %s: want the JSON (exec) form: %v", in.cmd, in.args, err)
	}
	return v
}

const dockerfile = "../Dockerfile"

// goBuild returns the build stage's go build command.
func goBuild(t *testing.T, stages [][]instruction) string {
	t.Helper()
	for _, in := range find(stages[0], "RUN") {
		if strings.Contains(in.args, "go build") {
			return in.args
		}
	}
	t.Fatal("the build stage has no RUN … go build")
	return ""
}

func TestDockerfileProperties(t *testing.T) {
	stages := parseDockerfile(t, dockerfile)
	if len(stages) != 2 {
		t.Fatalf("want a build stage and a runtime stage, got %d stages", len(stages))
	}
	build, runtime := goBuild(t, stages), stages[1]

	t.Run("static build", func(t *testing.T) {
		if !strings.Contains(build, "CGO_ENABLED=0") || !strings.Contains(build, "./cmd/exchangebot") {
			t.Errorf("go build is not a static build of ./cmd/exchangebot: %s", build)
		}
	})
	t.Run("zone data embedded", func(t *testing.T) {
		main, err := os.ReadFile("../cmd/exchangebot/version.go")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(build, "timetzdata") && !bytes.Contains(main, []byte(`_ "time/tzdata"`)) {
			t.Error("neither -tags timetzdata nor an import of time/tzdata")
		}
	})
	t.Run("distroless non-root", func(t *testing.T) {
		from := find(runtime, "FROM")[0].args
		if !strings.HasPrefix(from, "gcr.io/distroless/static") {
			t.Errorf("runtime image %q is not distroless static", from)
		}
		users := find(runtime, "USER")
		if len(users) == 0 {
			t.Fatal("no USER: the server would run as root")
		}
		if u := users[len(users)-1].args; !strings.HasPrefix(u, "nonroot") && !strings.HasPrefix(u, "65532") {
			t.Errorf("USER %s, want nonroot (65532)", u)
		}
	})
	t.Run("database on a volume", func(t *testing.T) {
		var cfg struct{ Database string }
		configCopied := false
		for _, in := range find(runtime, "COPY") {
			f := strings.Fields(in.args)
			if f[len(f)-1] == "/etc/exchangebot/config.yaml" {
				configCopied = true
				b, err := os.ReadFile(filepath.Join("..", f[len(f)-2]))
				if err != nil {
					t.Fatal(err)
				}
				if err := yaml.Unmarshal(b, &cfg); err != nil {
					t.Fatal(err)
				}
			}
		}
		if !configCopied {
			t.Fatal("no config copied to /etc/exchangebot/config.yaml")
		}
		var volumes []string
		for _, in := range find(runtime, "VOLUME") {
			volumes = append(volumes, jsonArray(t, in)...)
		}
		dir := filepath.Dir(cfg.Database)
		if !filepath.IsAbs(cfg.Database) || !contains(volumes, dir) {
			t.Errorf("database %q is not on a volume (volumes %v)", cfg.Database, volumes)
		}
		// The volume's directory must be the server user's, or a new
		// volume starts unwritable.
		owned := false
		for _, in := range find(runtime, "COPY") {
			if strings.Contains(in.args, "--chown=65532") && strings.HasSuffix(in.args, " "+dir) {
				owned = true
			}
		}
		if !owned {
			t.Errorf("%s is not created owned by 65532", dir)
		}
	})
	t.Run("entrypoint is the binary", func(t *testing.T) {
		ep := jsonArray(t, find(runtime, "ENTRYPOINT")[0])
		if ep[0] != "/usr/local/bin/exchangebot" {
			t.Errorf("ENTRYPOINT %v", ep)
		}
		cmd := jsonArray(t, find(runtime, "CMD")[0])
		if strings.Join(cmd, " ") != "serve -config /etc/exchangebot/config.yaml" {
			t.Errorf("CMD %v", cmd)
		}
	})
	t.Run("no secrets baked in", func(t *testing.T) {
		secret := regexp.MustCompile(`(?i)token|secret|password|xox[bp]-`)
		for _, stage := range stages {
			for _, in := range append(find(stage, "ENV"), find(stage, "ARG")...) {
				if secret.MatchString(in.args) {
					t.Errorf("%s %s: secrets belong in the environment at run time", in.cmd, in.args)
				}
			}
		}
	})
}

// TestDockerfileBuildCommand runs the Dockerfile's own go build line here,
// as the builder stage would, and checks what it makes: no container engine
// is needed for that part of the image.
func TestDockerfileBuildCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary the way the image does; skipped with -short")
	}
	build := goBuild(t, parseDockerfile(t, dockerfile))
	out := filepath.Join(t.TempDir(), "exchangebot")
	build = strings.ReplaceAll(build, "${VERSION}", "v0.0.0-image-test")
	build = strings.ReplaceAll(build, "/out/exchangebot", out)
	cmd := exec.Command("sh", "-c", build)
	cmd.Dir = ".."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, b)
	}

	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("binary is dynamically linked (%v): the distroless static image has no libc", p.Type)
		}
	}

	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// A zone name found nowhere but in the zone database.
	if !bytes.Contains(bin, []byte("Antarctica/DumontDUrville")) {
		t.Error("zone data is not embedded in the binary")
	}

	v, err := exec.Command(out, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(v), "exchangebot v0.0.0-image-test ") {
		t.Errorf("version: %v: %q, want the -X main.version value", err, v)
	}
	// The configuration baked into the image must pass validation.
	if b, err := exec.Command(out, "manifest", "-config", "../deploy/docker/config.yaml").CombinedOutput(); err != nil {
		t.Errorf("image config rejected: %v\n%s", err, b)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// excluded reports whether .dockerignore's patterns leave path (relative
// to the build context, slash-separated) out of the context: as Docker
// reads them, a pattern matches the path or one of its parent
// directories, and a later "!" pattern brings a path back.
func excluded(patterns []string, path string) bool {
	out := false
	for _, p := range patterns {
		keep := strings.HasPrefix(p, "!")
		re := patternRegexp(filepath.Clean(strings.TrimPrefix(strings.TrimPrefix(p, "!"), "/")))
		for dir := path; dir != "."; dir = filepath.Dir(dir) {
			if re.MatchString(dir) {
				out = !keep
				break
			}
		}
	}
	return out
}

// patternRegexp is a .dockerignore pattern as a regular expression: "*"
// and "?" stay within one path element, "**" spans any number of them.
func patternRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch {
		case strings.HasPrefix(p[i:], "**/"):
			b.WriteString("(.*/)?")
			i += 2
		case strings.HasPrefix(p[i:], "**"):
			b.WriteString(".*")
			i++
		case p[i] == '*':
			b.WriteString("[^/]*")
		case p[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// TestDockerignoreKeepsWhatTheBuildNeeds: the files the Dockerfile copies
// by name and every Go and embedded file the binary is built from are in
// the build context. The build line itself is run by
// TestDockerfileBuildCommand, but from the checkout, which .dockerignore
// does not touch.
func TestDockerignoreKeepsWhatTheBuildNeeds(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	if !excluded(patterns, "exchangebot.db") || !excluded(patterns, "config.yaml") {
		t.Errorf(".dockerignore lets a local database or config.yaml into the image's context: %q", patterns)
	}

	need := []string{"go.mod", "go.sum"}
	for _, stage := range parseDockerfile(t, dockerfile) {
		for _, in := range find(stage, "COPY") {
			f := strings.Fields(in.args)
			if strings.HasPrefix(f[0], "--from=") {
				continue
			}
			for _, src := range f[:len(f)-1] {
				if !strings.HasPrefix(src, "--") && src != "." {
					need = append(need, src)
				}
			}
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "list", "-deps", "-f",
		`{{if .Module}}{{if .Module.Main}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}
{{end}}{{end}}{{end}}`, "../cmd/exchangebot").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, abs := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			t.Fatal(err)
		}
		need = append(need, filepath.ToSlash(rel))
	}
	if len(need) < 50 {
		t.Fatalf("only %d files needed by the build? %v", len(need), need)
	}
	for _, f := range need {
		if excluded(patterns, f) {
			t.Errorf(".dockerignore leaves out %s, which the image's build needs", f)
		}
	}
}

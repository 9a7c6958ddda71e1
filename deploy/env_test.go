package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// configEnv reads, from the binary's config loader, the environment
// variables it takes settings from: the map in parseConfig whose entries
// read "NAME": &c.Field.
func configEnv(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../cmd/exchangebot/config.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range regexp.MustCompile(`"([A-Z][A-Z0-9_]+)":\s*&c\.`).FindAllStringSubmatch(string(b), -1) {
		names = append(names, m[1])
	}
	// The database URL and the Slack tokens at least: fewer means the
	// pattern no longer matches how config.go is written.
	if len(names) < 4 {
		t.Fatalf("found %v in config.go; has the way it reads the environment changed?", names)
	}
	return names
}

// TestEveryConfigVariableIsPassed: each variable the binary reads reaches
// the compose replicas and is named where the unit, the image's config and
// the README tell an operator where secrets go. A variable added to
// config.go and forgotten here would leave a deployment unable to set it.
func TestEveryConfigVariableIsPassed(t *testing.T) {
	names := configEnv(t)
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Services map[string]composeService }
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for name, s := range f.Services {
		if name == "postgres" {
			continue
		}
		for _, v := range names {
			if _, ok := s.Environment[v]; !ok {
				t.Errorf("compose service %s does not pass %s", name, v)
			}
		}
	}
	for _, doc := range []string{unitFile, "docker/config.yaml", "../README.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range names {
			if !strings.Contains(string(b), v) {
				t.Errorf("%s does not name %s", doc, v)
			}
		}
	}
}

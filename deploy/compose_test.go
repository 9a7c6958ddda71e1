package deploy

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type composeService struct {
	Image       string
	Build       *struct{ Context, Dockerfile string }
	Environment map[string]string
	Ports       []string
	Volumes     []string
	DependsOn   map[string]struct{ Condition string } `yaml:"depends_on"`
	Healthcheck *struct{ Test []string }
	ReadOnly    bool `yaml:"read_only"`
}

// TestComposeFile checks deploy/compose.yaml: PostgreSQL, and two replicas
// of the image built from the Dockerfile pointed at it. yaml.v3 resolves
// the anchor and merge keys as compose does.
func TestComposeFile(t *testing.T) {
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]composeService
		Volumes  map[string]any
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	pg, ok := f.Services["postgres"]
	if !ok || !strings.HasPrefix(pg.Image, "postgres:") {
		t.Fatalf("no postgres service: %+v", f.Services)
	}
	if len(pg.Ports) != 0 {
		t.Errorf("postgres publishes %v: only the replicas should reach it", pg.Ports)
	}
	if pg.Healthcheck == nil || !strings.Contains(strings.Join(pg.Healthcheck.Test, " "), "pg_isready") {
		t.Error("postgres has no pg_isready health check for the replicas to wait on")
	}
	if len(pg.Volumes) == 0 {
		t.Error("postgres data not on a volume")
	} else if _, named := f.Volumes[strings.Split(pg.Volumes[0], ":")[0]]; !named {
		t.Errorf("postgres data not on a named volume: %v", pg.Volumes)
	}
	// Compose interpolation; ${VAR:?msg} refuses to start without VAR.
	interp := regexp.MustCompile(`\$\{([A-Z_]+)(:[?-][^}]*)?\}`)
	literalSecret := func(v string) bool { return v != "" && !interp.MatchString(v) }
	if literalSecret(pg.Environment["POSTGRES_PASSWORD"]) {
		t.Error("POSTGRES_PASSWORD is written in the file")
	}

	replicas, ports := 0, map[string]bool{}
	for name, s := range f.Services {
		if name == "postgres" {
			continue
		}
		replicas++
		if s.Build == nil || s.Build.Context != ".." || s.Build.Dockerfile != "Dockerfile" {
			t.Errorf("%s is not built from the repository's Dockerfile: %+v", name, s.Build)
		}
		if s.DependsOn["postgres"].Condition != "service_healthy" {
			t.Errorf("%s does not wait for a healthy postgres", name)
		}
		db := s.Environment["EXCHANGEBOT_DATABASE"]
		u, err := url.Parse(interp.ReplaceAllString(db, "x"))
		if err != nil || u.Scheme != "postgres" || u.Hostname() != "postgres" || u.Path != "/exchangebot" {
			t.Errorf("%s: EXCHANGEBOT_DATABASE %q does not point at the postgres service", name, db)
		}
		if p, _ := u.User.Password(); p != "x" {
			t.Errorf("%s: the database password is not taken from the environment: %q", name, db)
		}
		for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} {
			if literalSecret(s.Environment[k]) {
				t.Errorf("%s: %s is written in the file", name, k)
			}
		}
		// The config is mounted, so that base_url (no variable sets it)
		// can be the load balancer's; by default the image's own file.
		config := ""
		for _, v := range s.Volumes {
			if src, ok := strings.CutSuffix(v, ":/etc/exchangebot/config.yaml:ro"); ok {
				config = regexp.MustCompile(`\$\{[A-Z_]+:-([^}]*)\}`).ReplaceAllString(src, "$1")
			}
		}
		if _, err := os.Stat(config); config == "" || err != nil {
			t.Errorf("%s mounts no config file read-only at /etc/exchangebot/config.yaml, or its default is missing (%q): %v", name, config, s.Volumes)
		}
		for _, p := range s.Ports {
			host := strings.Split(p, ":")[0]
			if ports[host] {
				t.Errorf("two replicas publish host port %s", host)
			}
			ports[host] = true
		}
	}
	if replicas != 2 {
		t.Errorf("%d replicas, want 2", replicas)
	}
}

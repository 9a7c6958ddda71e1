package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exchangebot/exchangebot/i18n"
	"github.com/exchangebot/exchangebot/i18n/i18ntest"
)

// cliCase is one run of the program, in process, by an operator whose
// config (cfg, in dir, with database db) sets the language; it expects
// exit status code and, in stdout or stderr, message id with data.
type cliCase struct {
	name string
	args func(dir, cfg string) []string
	code int
	id   string
	data func(dir, db string) map[string]any
}

func noData(string, string) map[string]any { return nil }

var cliCases = []cliCase{
	{"help", func(_, cfg string) []string { return []string{"help", "-config", cfg} }, 0, "cli.usage", noData},
	{"unknown command", func(_, cfg string) []string { return []string{"nonsense", "-config", cfg} }, 2,
		"cli.unknown_command", func(string, string) map[string]any { return map[string]any{"Command": "nonsense"} }},
	{"unknown flag", func(_, cfg string) []string { return []string{"manifest", "-config=" + cfg, "-nonsense"} }, 1,
		"cli.error.flag", func(string, string) map[string]any {
			return map[string]any{"Detail": "flag provided but not defined: -nonsense", "Command": "manifest"}
		}},
	{"backup usage", func(_, cfg string) []string { return []string{"backup", "-config", cfg} }, 1, "cli.backup.usage", noData},
	{"backup", func(dir, cfg string) []string {
		return []string{"backup", "-config", cfg, filepath.Join(dir, "copy.db")}
	}, 0,
		"cli.backup.done", func(dir, db string) map[string]any {
			return map[string]any{"Database": db, "File": filepath.Join(dir, "copy.db")}
		}},
	{"backup exists", func(_, cfg string) []string { return []string{"backup", "-config", cfg, cfg} }, 1,
		"cli.backup.exists", func(dir, _ string) map[string]any { return map[string]any{"File": filepath.Join(dir, "config.yaml")} }},
	{"export usage", func(_, cfg string) []string { return []string{"export", "-config", cfg} }, 1, "cli.export.usage", noData},
	{"export format", func(_, cfg string) []string {
		return []string{"export", "evaluations", "-config", cfg, "-format", "md"}
	}, 1,
		"cli.export.format", func(string, string) map[string]any {
			return map[string]any{"Formats": "csv", "Last": "json", "Format": "md"}
		}},
	{"migrate usage", func(_, cfg string) []string { return []string{"migrate", "-config", cfg} }, 1, "cli.migrate.usage", noData},
	{"migrate to a file", func(_, cfg string) []string { return []string{"migrate", "-config", cfg, "-to", "other.db"} }, 1,
		"cli.migrate.not_postgres", func(string, string) map[string]any { return map[string]any{"URL": "other.db"} }},
	{"migrate to no database", func(_, cfg string) []string {
		return []string{"migrate", "-config", cfg, "-to", "postgres://u:hunter2@db:5432"}
	}, 1, "cli.migrate.bad_to", func(string, string) map[string]any {
		return map[string]any{"URL": "postgres://u:xxxxx@db:5432", "Reason": i18n.Msg("cli.postgres.no_database")}
	}},
	{"migrate from PostgreSQL", func(_, cfg string) []string {
		return []string{"migrate", "-config", cfg, "-from", "postgres://db/x", "-to", "postgres://db/y"}
	}, 1, "cli.migrate.source_postgres", func(string, string) map[string]any { return map[string]any{"Database": "postgres://db/x"} }},
	{"retry none", func(_, cfg string) []string { return []string{"retry", "-config", cfg} }, 0, "cli.retry.none", noData},
	{"retry not an id", func(_, cfg string) []string { return []string{"retry", "-config", cfg, "twelve"} }, 1,
		"cli.retry.not_id", func(string, string) map[string]any { return map[string]any{"Input": "twelve"} }},
	{"retry no such delivery", func(_, cfg string) []string { return []string{"retry", "-config", cfg, "99"} }, 1,
		"cli.retry.not_found", func(string, string) map[string]any { return map[string]any{"ID": 99} }},
	{"bad key", func(dir, cfg string) []string {
		return []string{"manifest", "-config", rewrite(dir, cfg, "timezone: Mars/Base\n")}
	}, 1, "cli.error.config_key", func(dir, _ string) map[string]any {
		return map[string]any{"File": filepath.Join(dir, "config.yaml"), "Key": "timezone",
			"Reason": bad("timezone", "cli.config.reason.timezone", map[string]any{"Value": `"Mars/Base"`})}
	}},
	{"unknown key", func(dir, cfg string) []string { return []string{"manifest", "-config", rewrite(dir, cfg, "nope: 1\n")} }, 1,
		"cli.error.config_yaml", func(dir, _ string) map[string]any {
			return map[string]any{"File": filepath.Join(dir, "config.yaml"),
				"Detail": "yaml: unmarshal errors:\n  line 3: field nope not found in type main.Config"}
		}},
	{"database unreachable", func(dir, cfg string) []string {
		return []string{"export", "lessons", "-config", rewrite(dir, cfg, "database: "+filepath.Join(dir, "gone", "x.db")+"\n")}
	}, 1, "cli.error.database", func(dir, _ string) map[string]any {
		return map[string]any{"Database": filepath.Join(dir, "gone", "x.db"), "Detail": "\x00"}
	}},
}

// rewrite sets line ("key: value\n") in the config file cfg, in dir, and
// returns its path.
func rewrite(dir, cfg, line string) string {
	b, err := os.ReadFile(cfg)
	if err != nil {
		panic(err)
	}
	key, _, _ := strings.Cut(line, ":")
	var keep []string
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if !strings.HasPrefix(l, key+":") {
			keep = append(keep, l)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(strings.Join(keep, "")+line), 0o600); err != nil {
		panic(err)
	}
	return cfg
}

// Every subcommand's answers and mistakes are worded in the configured
// language: each case reads its catalog message in English and in
// Spanish, and neither holds a passage of the other language's catalogs.
func TestCLIWordedInTheConfiguredLanguage(t *testing.T) {
	firstPassOnly(t)
	for _, tt := range cliCases {
		outputs := map[i18n.Lang]string{}
		for _, lang := range i18n.Langs {
			t.Run(tt.name+"/"+string(lang), func(t *testing.T) {
				dir := t.TempDir()
				db := filepath.Join(dir, "x.db")
				cfg := filepath.Join(dir, "config.yaml")
				body := "language: " + string(lang) + "\ndatabase: " + db + "\n"
				if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				var stdout, stderr strings.Builder
				code := run(tt.args(dir, cfg), &stdout, &stderr)
				out := stdout.String() + stderr.String()
				outputs[lang] = out
				if code != tt.code {
					t.Errorf("exit %d, want %d:\n%s", code, tt.code, out)
				}
				// A value of "\x00" is a detail the system words: the
				// message up to it is checked.
				want, _, _ := strings.Cut(i18n.T(lang, tt.id, tt.data(dir, db)), "\x00")
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
				if foreign := i18ntest.Foreign(lang, out); len(foreign) > 0 {
					t.Errorf("%s output holds the other language's %q:\n%s", lang, foreign, out)
				}
				if strings.Contains(out, "hunter2") {
					t.Errorf("the password reached the output:\n%s", out)
				}
			})
		}
		if outputs[i18n.English] != "" && outputs[i18n.English] == outputs[i18n.Spanish] {
			t.Errorf("%s: English and Spanish read alike:\n%s", tt.name, outputs[i18n.English])
		}
	}
}

// Without a config file to read, the operator's locale picks the
// language; a config file decides whatever the locale.
func TestCLILang(t *testing.T) {
	es := writeFile(t, "language: es\n")
	bare := writeFile(t, "")
	for _, tt := range []struct {
		args   []string
		locale map[string]string
		want   i18n.Lang
	}{
		{[]string{"run", "-config", es, "list"}, nil, i18n.Spanish},
		{[]string{"run", "--config=" + es}, map[string]string{"LANG": "en_US.UTF-8"}, i18n.Spanish},
		{[]string{"run", "-config", bare}, map[string]string{"LANG": "es_CL.UTF-8"}, i18n.English},
		{[]string{"run", "-config", "/nonexistent/config.yaml"}, map[string]string{"LANG": "es_CL.UTF-8"}, i18n.Spanish},
		{[]string{"run", "-config", "/nonexistent/config.yaml"}, map[string]string{"LC_ALL": "C", "LANG": "es_CL.UTF-8"}, i18n.English},
		{[]string{"run", "-config", "/nonexistent/config.yaml"}, map[string]string{"LC_MESSAGES": "es_ES@euro"}, i18n.Spanish},
		{[]string{"run", "-config", "/nonexistent/config.yaml"}, nil, i18n.English},
	} {
		if got := cliLang(tt.args, func(k string) string { return tt.locale[k] }); got != tt.want {
			t.Errorf("%v with %v: %s, want %s", tt.args, tt.locale, got, tt.want)
		}
	}
}

// A missing config file is worded in the operator's locale: no file
// says otherwise.
func TestMissingConfigInTheLocale(t *testing.T) {
	localeEnv = func(k string) string { return map[string]string{"LANG": "es_CL.UTF-8"}[k] }
	defer func() { localeEnv = func(string) string { return "" } }()
	var stdout, stderr strings.Builder
	missing := filepath.Join(t.TempDir(), "config.yaml")
	if code := run([]string{"manifest", "-config", missing}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := i18n.T(i18n.Spanish, "cli.error.config_missing", map[string]any{"File": missing})
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
}

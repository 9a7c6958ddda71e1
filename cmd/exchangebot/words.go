package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/exchangebot/exchangebot/i18n"
)

// cliLang is the language the command line speaks to its operator: the
// configured `language`, as everywhere else, read from the config file
// the arguments name (config.yaml here by default) before anything else,
// so that usage, flag mistakes and a config that fails validation are
// worded in it too. A config file without the key is English, the
// default `language`. Without a config file to read (none here, or the
// one named is missing), the operator's locale (LC_ALL, LC_MESSAGES,
// LANG, as "es_CL.UTF-8") is the only word on their language, else
// English.
func cliLang(args []string, getenv func(string) string) i18n.Lang {
	path := "config.yaml"
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasValue {
			path = value
		} else if i+1 < len(args) {
			path = args[i+1]
		}
		break
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return localeLang(getenv)
	}
	// Only the one key, leniently, whatever else is wrong in the file
	// (yaml reads on past a duplicate or mistyped key): the full, strict
	// read comes later and words its complaints in this language.
	var c struct {
		Language string `yaml:"language"`
	}
	_ = yaml.NewDecoder(bytes.NewReader(b)).Decode(&c)
	if lang := i18n.Lang(c.Language); slices.Contains(i18n.Langs, lang) {
		return lang
	}
	return i18n.English
}

// localeLang is the language of the first POSIX locale variable set, in
// their order of precedence; C and POSIX are English.
func localeLang(getenv func(string) string) i18n.Lang {
	for _, env := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(env)
		if v == "" {
			continue
		}
		// "es_CL.UTF-8@euro": the language and region only.
		v, _, _ = strings.Cut(v, ".")
		v, _, _ = strings.Cut(v, "@")
		return i18n.Match(i18n.English, v)
	}
	return i18n.English
}

// localeEnv reads the locale variables; tests replace it so that the
// machine's locale does not choose their language.
var localeEnv = os.Getenv

// cliError is an operator's mistake worded from the catalogs (run prints
// it in the operator's language); err, when set, is the cause behind it,
// kept for errors.Is and for its detail.
type cliError struct {
	id   string
	data map[string]any
	err  error
}

// userError is the mistake id with its values.
func userError(id string, data map[string]any) error { return &cliError{id: id, data: data} }

// Error is the English wording, for logs and the tests of callers.
func (e *cliError) Error() string               { return i18n.T(i18n.English, e.id, e.data) }
func (e *cliError) Unwrap() error               { return e.err }
func (e *cliError) MessageID() string           { return e.id }
func (e *cliError) MessageData() map[string]any { return e.data }

// parseFlags parses a subcommand's flags, wording a mistaken flag (one
// not defined, a value of the wrong type) with where to read the flags.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return &cliError{id: "cli.error.flag", data: map[string]any{"Detail": err.Error(), "Command": fs.Name()}, err: err}
}

// storeError words a database that cannot be opened (unreachable,
// refusing the credentials, a file in a missing directory), naming it
// without its password.
func storeError(database string, err error) error {
	if err == nil {
		return nil
	}
	return &cliError{id: "cli.error.database", data: map[string]any{"Database": redactDatabase(database), "Detail": err.Error()}, err: err}
}

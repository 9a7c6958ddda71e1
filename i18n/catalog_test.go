package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// The CLDR plural forms each language needs (English: one, other;
// Spanish adds many, for round millions: "1 000 000 de sesiones").
var pluralForms = map[Lang][]string{
	English: {"one", "other"},
	Spanish: {"many", "one", "other"},
}

var formNames = []string{"zero", "one", "two", "few", "many", "other"}

// catalog reads the catalog files of lang on their own, without go-i18n,
// into id -> plural form -> text (a plain string is the form "other").
func catalog(t *testing.T, lang Lang) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, name := range catalogFiles(lang) {
		for id, forms := range catalogFile(t, name) {
			if _, dup := out[id]; dup {
				t.Fatalf("%s: %s is in two catalog files", lang, id)
			}
			out[id] = forms
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s catalog is empty", lang)
	}
	return out
}

// catalogFile reads one catalog file as catalog does.
func catalogFile(t *testing.T, name string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			id := prefix + k
			switch v := v.(type) {
			case string:
				out[id] = map[string]string{"other": v}
			case map[string]any:
				if isPlural(v) {
					forms := map[string]string{}
					for f, s := range v {
						if f == "description" {
							continue
						}
						str, ok := s.(string)
						if !ok || !slices.Contains(formNames, f) {
							t.Fatalf("%s: %s.%s is not a plural form", name, id, f)
						}
						forms[f] = str
					}
					out[id] = forms
					continue
				}
				walk(id+".", v)
			default:
				t.Fatalf("%s: %s is a %T", name, id, v)
			}
		}
	}
	var raw map[string]any
	if _, err := toml.DecodeFS(catalogs, name, &raw); err != nil {
		t.Fatalf("catalog %s: %v", name, err)
	}
	walk("", raw)
	return out
}

func isPlural(m map[string]any) bool {
	for _, f := range formNames {
		if _, ok := m[f]; ok {
			return true
		}
	}
	return false
}

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	en, es := catalog(t, English), catalog(t, Spanish)
	for id := range en {
		if _, ok := es[id]; !ok {
			t.Errorf("%q is in English but not in Spanish", id)
		}
	}
	for id := range es {
		if _, ok := en[id]; !ok {
			t.Errorf("%q is in Spanish but not in English", id)
		}
	}
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func placeholders(forms map[string]string) []string {
	var names []string
	for _, s := range forms {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			if !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
	}
	slices.Sort(names)
	return names
}

func TestCatalogPlaceholders(t *testing.T) {
	en, es := catalog(t, English), catalog(t, Spanish)
	for id, forms := range en {
		if got, want := placeholders(es[id]), placeholders(forms); !slices.Equal(got, want) {
			t.Errorf("%q: Spanish uses %v, English %v", id, got, want)
		}
	}
	// Only plain {{.Name}} placeholders: a template action in a catalog
	// would be code a translator could break.
	for lang, c := range map[Lang]map[string]map[string]string{English: en, Spanish: es} {
		for id, forms := range c {
			for f, s := range forms {
				if rest := placeholder.ReplaceAllString(s, ""); strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
					t.Errorf("%s %q (%s) has a template action other than {{.Name}}: %q", lang, id, f, s)
				}
			}
		}
	}
}

func TestCatalogPluralForms(t *testing.T) {
	plurals := 0
	for _, lang := range Langs {
		for id, forms := range catalog(t, lang) {
			if len(forms) == 1 {
				continue
			}
			plurals++
			var got []string
			for f := range forms {
				got = append(got, f)
			}
			slices.Sort(got)
			if want := pluralForms[lang]; !slices.Equal(got, want) {
				t.Errorf("%s %q has the forms %v, want %v", lang, id, got, want)
			}
			if !slices.Contains(placeholders(forms), "Count") {
				t.Errorf("%s %q has plural forms but never shows .Count", lang, id)
			}
		}
	}
	if plurals == 0 {
		t.Fatal("no plural message in the catalogs: this test checks nothing")
	}
}

// Each form is the one T picks for its count, through go-i18n's CLDR
// rules, and every message renders in both languages.
func TestCatalogRenders(t *testing.T) {
	counts := map[string]int{"one": 1, "other": 2, "many": 1_000_000}
	for _, lang := range Langs {
		for id, forms := range catalog(t, lang) {
			data := map[string]any{}
			for _, p := range placeholders(forms) {
				data[p] = "<" + p + ">"
			}
			for form, text := range forms {
				if len(forms) > 1 {
					data["Count"] = counts[form]
				}
				want := placeholder.ReplaceAllStringFunc(text, func(m string) string {
					name := placeholder.FindStringSubmatch(m)[1]
					if name == "Count" && len(forms) > 1 {
						return strconv.Itoa(counts[form])
					}
					return "<" + name + ">"
				})
				cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
				if len(forms) > 1 {
					cfg.PluralCount = counts[form]
				}
				got, err := localizers[lang].Localize(cfg)
				if err != nil {
					t.Errorf("%s %q (%s): %v", lang, id, form, err)
					continue
				}
				if got != want {
					t.Errorf("%s %q with count %d:\n got %q\nwant %q", lang, id, counts[form], got, want)
				}
			}
		}
	}
}

// sourceStrings returns every string literal in the module's Go code
// (tests and testdata aside), and the values of constants whose names
// begin with msg or Msg: the convention for message ids.
func sourceStrings(t *testing.T) (literals map[string]bool, msgConsts map[string]string) {
	t.Helper()
	literals, msgConsts = map[string]bool{}, map[string]string{}
	root := ".."
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					if s, err := strconv.Unquote(n.Value); err == nil {
						literals[s] = true
					}
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i >= len(n.Values) || !(strings.HasPrefix(name.Name, "msg") || strings.HasPrefix(name.Name, "Msg")) {
						continue
					}
					if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						msgConsts[path+": "+name.Name] = s
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return literals, msgConsts
}

var idShape = regexp.MustCompile(`^[a-z_]+(\.[a-z0-9_]+)+$`)

func TestCatalogIDsAreUsed(t *testing.T) {
	en := catalog(t, English)
	literals, msgConsts := sourceStrings(t)
	for id := range en {
		if !literals[id] {
			t.Errorf("%q is in the catalogs but no Go code names it", id)
		}
	}
	for where, id := range msgConsts {
		if _, ok := en[id]; !ok {
			t.Errorf("%s = %q is not in the catalogs", where, id)
		}
	}
	// A literal shaped like an id in one of the catalogs' groups must be
	// an id: this catches a mistyped id outside the msg constants.
	groups := map[string]bool{}
	for id := range en {
		groups[id[:strings.IndexByte(id+".", '.')]] = true
	}
	for s := range literals {
		if idShape.MatchString(s) && groups[s[:strings.IndexByte(s, '.')]] {
			if _, ok := en[s]; !ok {
				t.Errorf("%q looks like a message id but is not in the catalogs", s)
			}
		}
	}
}

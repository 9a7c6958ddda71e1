package i18n

import (
	"sort"

	"github.com/BurntSushi/toml"
)

// Texts returns every text of lang's catalogs by message id: each plural
// form of a message, as written, placeholders and all. It is for checks
// that look at renderings as a whole (see package i18ntest); to word a
// message, use T.
func Texts(lang Lang) map[string][]string {
	out := map[string][]string{}
	for _, name := range catalogFiles(lang) {
		var raw map[string]any
		if _, err := toml.DecodeFS(catalogs, name, &raw); err != nil {
			panic("i18n: " + err.Error()) // init has loaded these files already
		}
		collect(out, "", raw)
	}
	return out
}

func collect(out map[string][]string, prefix string, m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case string:
			if pluralForm[k] {
				out[prefix[:len(prefix)-1]] = append(out[prefix[:len(prefix)-1]], v)
			} else {
				out[prefix+k] = append(out[prefix+k], v)
			}
		case map[string]any:
			collect(out, prefix+k+".", v)
		}
	}
	for id := range out {
		sort.Strings(out[id])
	}
}

var pluralForm = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

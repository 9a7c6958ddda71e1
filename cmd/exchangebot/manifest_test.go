package main

import (
	"strings"
	"testing"
)

// TestManifestInTheConfiguredLanguage: a manifest has one wording for
// everyone, the configured language's; its usage hint names the
// subcommands as that language writes them.
func TestManifestInTheConfiguredLanguage(t *testing.T) {
	for _, tt := range []struct{ lang, hint, desc string }{
		{"en", "new | list [mine|past|all]", "Schedule knowledge exchanges"},
		{"es", "nueva | lista [mías|pasadas|todas]", "Programa intercambios de conocimiento"},
	} {
		c := Defaults()
		c.Language = tt.lang
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		cmd := manifest(c)["features"].(map[string]any)["slash_commands"].([]any)[0].(map[string]any)
		if hint := cmd["usage_hint"].(string); !strings.HasPrefix(hint, tt.hint) || len(hint) > 1000 {
			t.Errorf("%s: usage_hint %q", tt.lang, hint)
		}
		if desc := cmd["description"].(string); !strings.HasPrefix(desc, tt.desc) || len(desc) > 100 {
			t.Errorf("%s: description %q", tt.lang, desc)
		}
		info := manifest(c)["display_information"].(map[string]any)
		if n := len([]rune(info["description"].(string))); n > 139 {
			t.Errorf("%s: app description is %d characters, Slack's limit is 139", tt.lang, n)
		}
		if n := len([]rune(info["long_description"].(string))); n < 175 || n > 4000 {
			t.Errorf("%s: long description is %d characters, Slack wants 175 to 4,000", tt.lang, n)
		}
	}
}

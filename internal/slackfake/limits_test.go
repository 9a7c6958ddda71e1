package slackfake

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	section := func(n int) string { return `{"type":"section","text":{"type":"mrkdwn","text":"` + long(n) + `"}}` }
	tests := []struct {
		name    string
		surface Surface
		blocks  string
		bad     bool
	}{
		{"section at the limit", SurfaceMessage, "[" + section(3000) + "]", false},
		{"section over", SurfaceMessage, "[" + section(3001) + "]", true},
		{"empty section", SurfaceMessage, "[" + section(0) + "]", true},
		{"header over", SurfaceMessage, `[{"type":"header","text":{"type":"plain_text","text":"` + long(151) + `"}}]`, true},
		{"context over", SurfaceMessage, `[{"type":"context","elements":[{"type":"mrkdwn","text":"` + long(3001) + `"}]}]`, true},
		{"51 blocks in a message", SurfaceMessage, "[" + strings.TrimSuffix(strings.Repeat(section(1)+",", 51), ",") + "]", true},
		{"51 blocks in a modal", SurfaceModal, "[" + strings.TrimSuffix(strings.Repeat(section(1)+",", 51), ",") + "]", false},
		{"101 blocks on a Home", SurfaceHome, "[" + strings.TrimSuffix(strings.Repeat(section(1)+",", 101), ",") + "]", true},
		{"button text over", SurfaceMessage, `[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"` + long(76) + `"}}]}]`, true},
		{"initial value over max_length", SurfaceModal, `[{"type":"input","label":{"type":"plain_text","text":"A"},"element":{"type":"plain_text_input","max_length":3000,"initial_value":"` + long(3001) + `"}}]`, true},
		{"input in a message", SurfaceMessage, `[{"type":"input","label":{"type":"plain_text","text":"A"},"element":{"type":"plain_text_input"}}]`, true},
		{"option text over", SurfaceMessage, `[{"type":"actions","elements":[{"type":"overflow","options":[{"text":{"type":"plain_text","text":"` + long(76) + `"},"value":"v"}]}]}]`, true},
	}
	for _, tt := range tests {
		if got := Check(tt.surface, []byte(tt.blocks)); (len(got) > 0) != tt.bad {
			t.Errorf("%s: problems %v, want bad=%v", tt.name, got, tt.bad)
		}
	}
	if got := CheckView(map[string]any{"type": "modal", "title": map[string]any{"type": "plain_text", "text": long(25)}, "blocks": []any{}}); len(got) == 0 {
		t.Error("a modal title of 25 characters passed")
	}
}

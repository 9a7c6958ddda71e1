package bot

import "testing"

func TestPermalink(t *testing.T) {
	if got, want := Permalink("C1", "1700000000.123456"), "https://slack.com/archives/C1/p1700000000123456"; got != want {
		t.Errorf("Permalink %q, want %q", got, want)
	}
	if got := Permalink("C1", ""); got != "" {
		t.Errorf("Permalink without ts %q, want empty", got)
	}
}

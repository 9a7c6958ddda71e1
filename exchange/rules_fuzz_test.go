package exchange

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzCheckLink: whatever is typed, an accepted link is an http(s) URL
// with a host and no user info, with nothing invisible in it, and
// checking it again changes nothing.
func FuzzCheckLink(f *testing.F) {
	for _, s := range []string{"https://meet.example.org/abc", "HTTP://x.org:80/a?b#c", "https://a@b/", "https://x.org/\u202e",
		`https://x.org\@y`, "https://[::1]:8080/", "https://x.org/%40y", "ftp://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := CheckLink(in)
		if err != nil {
			if code(err) != CodeLink {
				t.Fatalf("CheckLink(%q) failed with %v, not a link error", in, err)
			}
			return
		}
		u, perr := url.Parse(out)
		if perr != nil || !utf8.ValidString(out) || u.Host == "" || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") {
			t.Fatalf("CheckLink(%q) accepted %q (%+v, %v)", in, out, u, perr)
		}
		if i := strings.IndexFunc(out, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || invisible(r) }); i >= 0 ||
			strings.ContainsAny(out, `<>|\`) {
			t.Fatalf("CheckLink(%q) accepted %q with a character it refuses", in, out)
		}
		if again, err := CheckLink(out); err != nil || again != out {
			t.Fatalf("CheckLink(%q) = %q, but again %q, %v", in, out, again, err)
		}
	})
}

// FuzzCleanLine: the result is valid UTF-8 on one line with single
// spaces, nothing invisible, and cleaning it again changes nothing.
func FuzzCleanLine(f *testing.F) {
	for _, s := range []string{"Youth employment", " a\n\tb ", "x\u202ey", "\xff", "\u2066\u2069", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := CleanLine(in)
		if !utf8.ValidString(out) || out != strings.TrimSpace(out) || strings.Contains(out, "  ") {
			t.Fatalf("CleanLine(%q) = %q", in, out)
		}
		for _, r := range out {
			if r != ' ' && (unicode.IsSpace(r) || unicode.IsControl(r) || invisible(r)) {
				t.Fatalf("CleanLine(%q) = %q keeps %U", in, out, r)
			}
		}
		if CleanLine(out) != out {
			t.Fatalf("CleanLine not idempotent on %q", in)
		}
	})
}

package exchange

import (
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/exchangebot/exchangebot/store"
)

// Limits of a session.
const (
	// MaxTitle is the longest title, in characters.
	MaxTitle = 150
	// MaxDuration caps a session: anything longer is far more likely a
	// typo (90h for 90m) than a real session.
	MaxDuration = 24 * time.Hour
	// DefaultDuration is a session's length when none is given.
	DefaultDuration = time.Hour
	// MaxAnswer is the longest evaluation answer (what a participant
	// will apply, what changed), in characters, however it is given:
	// what a message section shows whole when it is quoted back at the
	// follow-up.
	MaxAnswer = 2000
)

// Kinds are the kinds of session, the default first.
var Kinds = []string{"webinar", "exchange", "workshop"}

// Langs are the languages a session may be held in; "" means the
// configured language.
var Langs = []string{"es", "en"}

// DefaultKind is a session's kind when none is given.
func DefaultKind() string { return Kinds[0] }

// IsKind reports whether k is one of Kinds.
func IsKind(k string) bool { return slices.Contains(Kinds, k) }

// IsLang reports whether l is one of Langs.
func IsLang(l string) bool { return slices.Contains(Langs, l) }

// invisible are the characters that change how text around them is
// shown without being seen: bidirectional embeddings, overrides and
// isolates (which can make "exe.pdf" read as "fdp.exe") and the marks.
func invisible(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, // LRE RLE PDF LRO RLO
		r >= 0x2066 && r <= 0x2069,            // LRI RLI FSI PDI
		r == 0x200E, r == 0x200F, r == 0x061C: // LRM RLM ALM
		return true
	}
	return false
}

// CleanLine makes s fit for one line: a title, a name, a partner, a
// reason. Control and bidi formatting characters go, line breaks and tabs
// become spaces, runs of spaces fold into one, and the ends are trimmed.
func CleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r) || invisible(r):
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// CleanText is CleanLine for text with lines (a description, an answer):
// line breaks and tabs stay, other control and bidi characters go.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case unicode.IsControl(r) || invisible(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// CheckTitle cleans a title and checks it against the limits.
func CheckTitle(title string) (string, error) {
	t := CleanLine(title)
	if t == "" {
		return "", fail(CodeTitleEmpty)
	}
	if n := utf8.RuneCountInString(t); n > MaxTitle {
		return "", fail(CodeTitleTooLong, "len", n, "max", MaxTitle)
	}
	return t, nil
}

// checkAnswer refuses an evaluation answer about session id longer
// than MaxAnswer; text is already clean.
func checkAnswer(id int64, text string) error {
	if n := utf8.RuneCountInString(text); n > MaxAnswer {
		return fail(CodeAnswerTooLong, "id", id, "len", n, "max", MaxAnswer)
	}
	return nil
}

// CheckDuration checks a session's length: more than zero, at most MaxDuration.
func CheckDuration(d time.Duration) error {
	if d <= 0 || d > MaxDuration {
		return fail(CodeDuration, "duration", d, "max", MaxDuration)
	}
	return nil
}

// CheckLink checks a join link: an absolute http or https URL with a
// host, and nothing that could make it lead somewhere other than it
// reads: no user info (https://meet.example@evil.example/ goes to
// evil.example), no spaces, control characters or backslashes, and none
// of <, > and | that would end or relabel a link in Slack's <url|label>.
// It returns the link with its scheme in lower case.
func CheckLink(link string) (string, error) {
	bad := fail(CodeLink, "link", link)
	s := strings.TrimSpace(link)
	scheme, rest, ok := strings.Cut(s, "://")
	scheme = strings.ToLower(scheme)
	if !ok || (scheme != "http" && scheme != "https") || !utf8.ValidString(s) {
		return "", bad
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || invisible(r) }) >= 0 ||
		strings.ContainsAny(s, `<>|\`) {
		return "", bad
	}
	s = scheme + "://" + rest
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", bad
	}
	// An @ anywhere before the path would be read as user info by someone.
	host, _, _ := strings.Cut(rest, "/")
	if strings.Contains(host, "@") {
		return "", bad
	}
	return s, nil
}

var zones sync.Map // IANA name -> *time.Location

// LoadZone is time.LoadLocation with a cache (the standard one reads the
// zone file on every call) that refuses "Local": no caller means the
// server's zone.
func LoadZone(name string) (*time.Location, error) {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location), nil
	}
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fail(CodeZone, "tz", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fail(CodeZone, "tz", name)
	}
	zones.Store(name, loc)
	return loc, nil
}

// cleanSpeakers cleans speakers' names and refuses an external speaker
// without an email (the only way to reach them).
func cleanSpeakers(in []store.Speaker) ([]store.Speaker, error) {
	out := make([]store.Speaker, 0, len(in))
	for _, sp := range in {
		sp.Name = CleanLine(sp.Name)
		sp.Email = strings.TrimSpace(sp.Email)
		if sp.UserID == "" && (sp.Email == "" || sp.Name == "") {
			return nil, fail(CodeSpeaker, "speaker", sp.Name+" "+sp.Email)
		}
		if !slices.ContainsFunc(out, func(o store.Speaker) bool { return o.Key() == sp.Key() }) {
			out = append(out, sp)
		}
	}
	return out, nil
}

// cleanPartners cleans partner names and drops empty ones.
func cleanPartners(in []string) []string {
	var out []string
	for _, p := range in {
		if p = CleanLine(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

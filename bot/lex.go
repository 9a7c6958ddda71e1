package bot

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/exchangebot/exchangebot/store"
)

// The lexer splits command text into args. It is pulled one arg at a time
// so that free-text tails (a cancel reason, search words) can be taken as
// typed, apostrophes and all.
type lexer struct {
	s   string
	pos int
}

// An arg is one word of the command, or one quoted value.
type arg struct {
	text     string // quotes removed, backslash escapes applied
	raw      string // as typed
	quoted   bool   // the whole arg is one quoted value: a title, "Name <email>"
	hasQuote bool   // some part is quoted, so it is never a date, an id or a mention
	plain    int    // bytes of text before the first quoted part; a key ends within them
}

// key splits kind:webinar or partner:"Fondo X" into key and value.
func (a arg) key() (key, value string, ok bool) {
	i := strings.IndexByte(a.text[:a.plain], ':')
	if i <= 0 {
		return "", "", false
	}
	for _, r := range a.text[:i] {
		if !unicode.IsLetter(r) { // título:, descripción:
			return "", "", false
		}
	}
	return strings.ToLower(a.text[:i]), a.text[i+1:], true
}

func isDoubleQuote(r rune) bool { return r == '"' || r == '“' || r == '”' }
func isSingleQuote(r rune) bool { return r == '\'' || r == '‘' || r == '’' }
func isQuote(r rune) bool       { return isDoubleQuote(r) || isSingleQuote(r) }

func (lx *lexer) next() (arg, bool, error) {
	lx.skipSpace()
	if lx.pos >= len(lx.s) {
		return arg{}, false, nil
	}
	start := lx.pos
	if w, ok := lx.plainWord(); ok {
		return arg{text: w, raw: w, plain: len(w)}, true, nil
	}
	a := arg{plain: -1}
	var b strings.Builder
	if n := slackEscapeLen(lx.s[lx.pos:]); n > 0 {
		b.WriteString(lx.s[lx.pos : lx.pos+n])
		lx.pos += n
	}
	for lx.pos < len(lx.s) {
		r, n := utf8.DecodeRuneInString(lx.s[lx.pos:])
		if unicode.IsSpace(r) {
			break
		}
		if r == '\\' {
			if e, m := utf8.DecodeRuneInString(lx.s[lx.pos+1:]); isQuote(e) {
				b.WriteRune(e)
				lx.pos += 1 + m
				continue
			}
		}
		// A quote opens only at the start of a word or of a key's value:
		// elsewhere it is an apostrophe (Ana's, Ana’s).
		if isQuote(r) && (lx.pos == start || lx.s[lx.pos-1] == ':') {
			if !a.hasQuote {
				a.plain, a.hasQuote = b.Len(), true
			}
			atStart := lx.pos == start
			if err := lx.quotedValue(&b); err != nil {
				return arg{}, false, err
			}
			a.quoted = atStart && lx.atSpaceOrEnd()
			continue
		}
		b.WriteRune(r)
		lx.pos += n
	}
	a.text, a.raw = b.String(), lx.s[start:lx.pos]
	if a.plain < 0 {
		a.plain = len(a.text)
	}
	return a, true, nil
}

// plainWord reads a word without quotes, escapes or a leading <, which
// is its own text: most words are, and they need no copy.
func (lx *lexer) plainWord() (string, bool) {
	if lx.s[lx.pos] == '<' {
		return "", false
	}
	end := lx.pos
	for end < len(lx.s) {
		r, n := utf8.DecodeRuneInString(lx.s[end:])
		if unicode.IsSpace(r) {
			break
		}
		if isQuote(r) || r == '\\' {
			return "", false
		}
		end += n
	}
	w := lx.s[lx.pos:end]
	lx.pos = end
	return w, true
}

// quotedValue reads a quoted value starting at the opening quote into b.
func (lx *lexer) quotedValue(b *strings.Builder) error {
	from := lx.pos
	open, n := utf8.DecodeRuneInString(lx.s[lx.pos:])
	lx.pos += n
	for lx.pos < len(lx.s) {
		r, n := utf8.DecodeRuneInString(lx.s[lx.pos:])
		if r == '\\' {
			if e, m := utf8.DecodeRuneInString(lx.s[lx.pos+1:]); isQuote(e) || e == '\\' {
				b.WriteRune(e)
				lx.pos += 1 + m
				continue
			}
		}
		lx.pos += n
		// Slack clients mix straight and curly quotes, so any quote of the
		// same kind closes. A single quote doubles as an apostrophe
		// ('Ana's talk'), so it closes only before a space.
		if isDoubleQuote(open) && isDoubleQuote(r) || isSingleQuote(open) && isSingleQuote(r) && lx.atSpaceOrEnd() {
			return nil
		}
		b.WriteRune(r)
	}
	return usage(msgUnclosedQuote, "Input", echo(lx.s[from:]))
}

func (lx *lexer) skipSpace() {
	for lx.pos < len(lx.s) {
		r, n := utf8.DecodeRuneInString(lx.s[lx.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		lx.pos += n
	}
}

func (lx *lexer) atSpaceOrEnd() bool {
	r, _ := utf8.DecodeRuneInString(lx.s[lx.pos:])
	return lx.pos >= len(lx.s) || unicode.IsSpace(r)
}

// rest returns the unread text as typed.
func (lx *lexer) rest() string {
	r := strings.TrimSpace(lx.s[lx.pos:])
	lx.pos = len(lx.s)
	return r
}

func (lx *lexer) all() ([]arg, error) {
	args := make([]arg, 0, 8)
	for {
		a, ok, err := lx.next()
		if err != nil || !ok {
			return args, err
		}
		args = append(args, a)
	}
}

// slackEscapeLen is the length of the Slack escape starting s
// (<@U1|ana maria>, <#C1|general>, <https://x|a label>), 0 if none.
// Its label may hold spaces, so it is read whole.
func slackEscapeLen(s string) int {
	if len(s) < 2 || s[0] != '<' {
		return 0
	}
	if s[1] != '@' && s[1] != '#' && s[1] != '!' && !hasPrefixFold(s[1:], "http") && !hasPrefixFold(s[1:], "mailto:") {
		return 0
	}
	end := strings.IndexAny(s[1:], "<>")
	if end < 0 || s[1+end] != '>' {
		return 0
	}
	return end + 2
}

// freeText is a cancel reason as typed, without the quotes if it is one quoted value.
func freeText(s string) string {
	sub := lexer{s: s}
	if a, ok, err := sub.next(); err == nil && ok && a.quoted && sub.rest() == "" {
		return cleanText(a.text)
	}
	return cleanText(s)
}

// Slack escapes &, < and > in command text.
var unescapeEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// cleanText decodes Slack's escapes and folds runs of spaces and newlines
// into one space.
func cleanText(s string) string {
	if strings.Contains(s, "&") {
		s = unescapeEntities.Replace(s)
	}
	if tidy(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// tidy reports whether s has no space to fold: single spaces between words.
func tidy(s string) bool {
	prev := ' '
	for _, r := range s {
		if unicode.IsSpace(r) && (r != ' ' || prev == ' ') {
			return false
		}
		prev = r
	}
	return prev != ' ' || s == ""
}

var accentFolder = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ñ", "n")

// foldWord makes date words comparable: lower case, no accents, no final dot (dec.).
func foldWord(s string) string {
	s = strings.ToLower(s)
	if !isASCII(s) {
		s = accentFolder.Replace(s)
	}
	return strings.TrimSuffix(s, ".")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// smallInt reads a number of min to max ASCII digits.
func smallInt(s string, min, max int) (int, bool) {
	if len(s) < min || len(s) > max || !isDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isUpperAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < 'A' || s[i] > 'Z') && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// echo quotes what the user typed for a message, cut short so a pasted
// essay does not come back whole.
func echo(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return `"` + s + `"`
}

// parseMention reads <@U123|ana>, <@U123> or a plain @U123ABC.
func parseMention(s string) (store.Speaker, error) {
	s = strings.TrimRight(s, ",;") // @ana, @bo
	// Errors are built only when needed: this runs on every mention.
	bad := func() error { return usage(msgNotAUser, "Input", echo(s)) }
	if strings.HasPrefix(s, "<@") {
		if len(s) < 3 || !strings.HasSuffix(s, ">") {
			return store.Speaker{}, bad()
		}
		inner := s[2 : len(s)-1]
		id, name, _ := strings.Cut(inner, "|")
		if strings.ContainsAny(inner, "<>") || !isUserID(id, false) {
			return store.Speaker{}, bad()
		}
		return store.Speaker{UserID: id, Name: cleanText(name)}, nil
	}
	if id := s[1:]; isUserID(id, true) {
		return store.Speaker{UserID: id}, nil
	}
	return store.Speaker{}, bad()
}

// isUserID reports whether s looks like a Slack user id (U024BE7LH, W0123ABC).
// A plain @word needs a digit too, so that @UNICEF is not taken for an id.
func isUserID(s string, plain bool) bool {
	if len(s) < 2 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	digit := false
	for i := 1; i < len(s); i++ {
		switch b := s[i]; {
		case b >= '0' && b <= '9':
			digit = true
		case b < 'A' || b > 'Z':
			return false
		}
	}
	return digit || !plain
}

// parseChannel reads <#C123|general>, <#C123> or a plain #general.
func parseChannel(s string) (string, error) {
	bad := func() error {
		return usage(msgNotAChannel, "Input", echo(s))
	}
	if strings.HasPrefix(s, "<#") {
		if len(s) < 3 || !strings.HasSuffix(s, ">") {
			return "", bad()
		}
		inner := s[2 : len(s)-1]
		id, _, _ := strings.Cut(inner, "|")
		if strings.ContainsAny(inner, "<>") || len(id) < 2 || (id[0] != 'C' && id[0] != 'G') || !isUpperAlnum(id) {
			return "", bad()
		}
		return id, nil
	}
	name := strings.ToLower(s[1:])
	if name == "" || utf8.RuneCountInString(name) > 80 {
		return "", bad()
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' {
			return "", bad()
		}
	}
	return "#" + name, nil
}

// parseExternal reads "Name <email>" or "Name email" for a speaker
// without a Slack account. The brackets are optional because an example
// with them cannot be shown as written in Slack's mrkdwn, which reads
// <…> as markup.
func parseExternal(s string) (store.Speaker, error) {
	s = strings.TrimSpace(unescapeEntities.Replace(unlinkMailto(s)))
	var name, email string
	if open := strings.LastIndexByte(s, '<'); open >= 0 && strings.HasSuffix(s, ">") {
		name, email = s[:open], s[open+1:len(s)-1]
	} else {
		// Without brackets the address is the last word, and has an @.
		cut := 0
		if i := strings.LastIndexFunc(s, unicode.IsSpace); i >= 0 {
			_, size := utf8.DecodeRuneInString(s[i:])
			cut = i + size
		}
		if !strings.Contains(s[cut:], "@") {
			return store.Speaker{}, usage(msgNotNameAndEmail, "Input", echo(s))
		}
		name, email = s[:cut], s[cut:]
	}
	name = cleanText(name)
	email = strings.ToLower(strings.TrimSpace(email))
	if name == "" {
		return store.Speaker{}, usage(msgNameMissing, "Input", echo(email))
	}
	if !validEmail(email) {
		return store.Speaker{}, usage(msgNotAnEmail, "Input", echo(email))
	}
	return store.Speaker{Name: name, Email: email}, nil
}

// unlinkMailto turns Slack's <mailto:a@b.org|a@b.org> back into the address.
func unlinkMailto(s string) string {
	for {
		i := strings.Index(s, "<mailto:")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return s
		}
		addr, _, _ := strings.Cut(s[i+len("<mailto:"):i+j], "|")
		s = s[:i] + addr + s[i+j+1:]
	}
}

// validEmail checks only the shape local@domain.tld: the mail server is
// the judge of the rest.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.ContainsAny(s, " \t\n<>\"(),;:[]\\") || strings.Contains(domain, "@") {
		return false
	}
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.HasPrefix(domain, ".") && !strings.Contains(domain, "..")
}

// parseLink reads an http(s) URL, plain or as Slack sends it: <https://x|x>.
func parseLink(v string) (string, error) {
	s := strings.TrimSpace(v)
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s, _, _ = strings.Cut(s[1:len(s)-1], "|")
	}
	s = unescapeEntities.Replace(s)
	bad := func() error {
		return usage(msgNotALink, "Input", echo(v))
	}
	scheme, rest, ok := strings.Cut(s, "://")
	scheme = strings.ToLower(scheme)
	// <, > and | would end or relabel the link in Slack's <url|label>
	// syntax and could smuggle in a mention such as <!channel>.
	if !ok || (scheme != "http" && scheme != "https") || strings.IndexFunc(s, isSpaceOrControl) >= 0 || strings.ContainsAny(s, "<>|") {
		return "", bad()
	}
	s = scheme + "://" + rest
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", bad()
	}
	return s, nil
}

func isSpaceOrControl(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// word is a[i]'s text made comparable for keywords (foldWord), or "" past
// the end and for a quoted arg, which is never a keyword.
func word(a []arg, i int) string {
	if i >= len(a) || a[i].hasQuote {
		return ""
	}
	return foldWord(a[i].text)
}

// joinText is the text of a's args, one space apart: a date or a time of
// several words as written.
func joinText(a []arg) string {
	if len(a) == 1 {
		return a[0].text
	}
	var b strings.Builder
	for i, x := range a {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x.text)
	}
	return b.String()
}

// fieldArgs splits a date, time or duration kept as written back into
// args, appended to buf: callers pass a small array's slice so that
// reading a date again allocates nothing.
func fieldArgs(s string, buf []arg) []arg {
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			return buf
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		buf = append(buf, arg{text: s[:end], raw: s[:end], plain: end})
		s = s[end:]
	}
}

package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/exchangebot/exchangebot/i18n"
)

// page is what every template gets: the reader's language and who they
// are, the words, and the page's own data.
type page struct {
	Lang    i18n.Lang
	Title   string
	Nav     string // the section the page belongs to, for the menu
	User    *viewer
	SignIn  bool   // sign-in is set up
	CSRF    string // the token every form posts back
	Message string // an error page's message id
	// Switch links to this page in the other language.
	Other    i18n.Lang
	OtherURL string
	Data     any
}

// T words a message id in the page's language; args are name, value
// pairs for its placeholders (a "Count" picks the plural form).
func (p *page) T(id string, args ...any) string {
	if !knownWord(id) {
		panic("web: " + id + " is not in words.go")
	}
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	return i18n.T(p.Lang, id, data)
}

// langCookie keeps the language a reader chose with the switch.
const langCookie = "xb_lang"

// newPage reads the reader's language (?lang= from the switch, then the
// cookie it set, then Accept-Language, then the configured language), who
// they are, and the CSRF token of their forms.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request) *page {
	p := &page{SignIn: s.o.ClientID != ""}
	var cookieLang string
	if c, err := r.Cookie(langCookie); err == nil {
		cookieLang = c.Value
	}
	chosen := r.URL.Query().Get("lang")
	p.Lang = i18n.Match(s.o.Language, chosen, cookieLang, r.Header.Get("Accept-Language"))
	if l, ok := i18n.ParseLang(chosen); ok && string(l) != cookieLang {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	}
	p.Other = i18n.English
	if p.Lang == i18n.English {
		p.Other = i18n.Spanish
	}
	q := r.URL.Query()
	q.Set("lang", string(p.Other))
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	p.OtherURL = u.String()
	p.User = s.viewer(r)
	p.CSRF = s.csrfToken(w, r)
	return p
}

// render executes a page's template into a buffer first, so a template
// error becomes a 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, p *page) {
	t := s.pages[name]
	var buf bytes.Buffer
	buf.Grow(32 << 10) // most pages fit: no regrowing on the way
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.o.Log.Error("web template failed", "template", name, "error", err)
		http.Error(w, p.T("web.error.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", string(p.Lang))
	w.Header().Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// parsePages parses each page with the layout it fills.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", n, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// marks turns the store's match markers into <mark>; built once, as a
// Replacer's first use is most of its cost.
var marks = strings.NewReplacer("\x02", "<mark>", "\x03", "</mark>")

var funcs = template.FuncMap{
	// mark shows a search snippet with its matches highlighted: the text
	// is escaped first, then the store's markers become <mark>.
	"mark": func(s string) template.HTML {
		return template.HTML(marks.Replace(template.HTMLEscapeString(s)))
	},
	"add": func(a, b int) int { return a + b },
}

// logPath keeps answer tokens out of logs.
func logPath(p string) string {
	if strings.HasPrefix(p, "/answer/") {
		return "/answer/…"
	}
	return p
}

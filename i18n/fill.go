package i18n

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// fillParser is the template parser of the catalogs. Their messages
// hold only {{.Name}} placeholders (the catalog tests refuse anything
// else), so a message is cut once into its text and its names and then
// filled by concatenation: text/template's reflection cost more than all
// the rest of a reply. A value prints as fmt.Print prints it, as
// text/template would, and a missing one as "<no value>".
type fillParser struct{}

func (fillParser) Cacheable() bool { return true }

func (fillParser) Parse(src, left, right string) (template.ParsedTemplate, error) {
	if left == "" {
		left = "{{"
	}
	if right == "" {
		right = "}}"
	}
	var t filled
	for {
		i := strings.Index(src, left)
		if i < 0 {
			t.text = append(t.text, src)
			return &t, nil
		}
		j := strings.Index(src[i:], right)
		if j < 0 {
			return nil, fmt.Errorf("i18n: unclosed %s in %q", left, src)
		}
		name := strings.TrimSpace(src[i+len(left) : i+j])
		if !strings.HasPrefix(name, ".") || strings.ContainsAny(name[1:], " .|()") || len(name) < 2 {
			return nil, fmt.Errorf("i18n: %s%s%s is not a {{.Name}} placeholder", left, name, right)
		}
		t.text = append(t.text, src[:i])
		t.names = append(t.names, name[1:])
		src = src[i+j+len(right):]
	}
}

// filled is a parsed message: text[0] names[0] text[1] names[1] … text[n].
type filled struct {
	text  []string
	names []string
}

func (t *filled) Execute(data any) (string, error) {
	if len(t.names) == 0 {
		return t.text[0], nil
	}
	values, _ := data.(map[string]any)
	var b strings.Builder
	for i, name := range t.names {
		b.WriteString(t.text[i])
		v, ok := values[name]
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			if !ok {
				b.WriteString("<no value>")
			} else {
				fmt.Fprint(&b, v)
			}
		}
	}
	b.WriteString(t.text[len(t.text)-1])
	return b.String(), nil
}

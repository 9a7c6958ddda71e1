package slackfake

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Surface is where blocks are shown; each has its own block limit.
type Surface string

// The surfaces Check knows.
const (
	SurfaceMessage Surface = "message" // chat.postMessage, chat.update, chat.postEphemeral: 50 blocks
	SurfaceModal   Surface = "modal"   // views.open, views.update, views.push: 100 blocks
	SurfaceHome    Surface = "home"    // views.publish: 100 blocks
)

// Slack's documented Block Kit limits, read here independently of the
// bot's own renderer so that a test of one checks the other
// (https://api.slack.com/reference/block-kit/blocks and
// /reference/block-kit/block-elements, /reference/surfaces/views).
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxSectionText   = 3000
	maxField         = 2000
	maxFields        = 10
	maxContextItems  = 10
	maxHeader        = 150
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxURL           = 3000
	maxOptionText    = 75
	maxOptionValue   = 150
	maxOptions       = 100
	maxOverflow      = 5
	maxActions       = 25
	maxInputLabel    = 2000
	maxInputLength   = 3000
	maxPlaceholder   = 150
	maxViewTitle     = 24
	maxMetadata      = 3000
	maxID            = 255
	// MaxMessageText is chat.postMessage's limit on text: longer is msg_too_long.
	MaxMessageText = 40000
)

// Check lists every way the blocks (a JSON array) break Slack's limits
// on surface; none means Slack would take them.
func Check(surface Surface, blocks []byte) []string {
	var bs []map[string]any
	if err := json.Unmarshal(blocks, &bs); err != nil {
		return []string{"blocks are not a JSON array of objects: " + err.Error()}
	}
	c := &checker{}
	limit := maxViewBlocks
	if surface == SurfaceMessage {
		limit = maxMessageBlocks
	}
	if len(bs) > limit {
		c.bad("%d blocks, more than %d on a %s", len(bs), limit, surface)
	}
	for i, b := range bs {
		c.block(fmt.Sprintf("block %d", i), b, surface)
	}
	return c.problems
}

// CheckView lists the ways a view (modal or home tab, as JSON) breaks
// Slack's limits: its blocks and its own fields.
func CheckView(view map[string]any) []string {
	surface := SurfaceModal
	if view["type"] == "home" {
		surface = SurfaceHome
	}
	raw, _ := json.Marshal(view["blocks"])
	if view["blocks"] == nil {
		raw = []byte("[]")
	}
	problems := Check(surface, raw)
	c := &checker{problems: problems}
	for _, k := range []string{"title", "submit", "close"} {
		if t, ok := view[k].(map[string]any); ok {
			c.text("view "+k, t, maxViewTitle)
		}
	}
	if s, _ := view["private_metadata"].(string); utf8.RuneCountInString(s) > maxMetadata {
		c.bad("private_metadata of %d characters, more than %d", utf8.RuneCountInString(s), maxMetadata)
	}
	if s, _ := view["callback_id"].(string); len(s) > maxID {
		c.bad("callback_id longer than %d", maxID)
	}
	return c.problems
}

type checker struct{ problems []string }

func (c *checker) bad(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// text checks a text object: present, not empty, within max characters.
func (c *checker) text(where string, t map[string]any, max int) {
	s, ok := t["text"].(string)
	if !ok || s == "" {
		c.bad("%s: empty text", where)
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		c.bad("%s: text of %d characters, more than %d", where, n, max)
	}
}

func (c *checker) str(where, key string, m map[string]any, max int) {
	if s, ok := m[key].(string); ok && utf8.RuneCountInString(s) > max {
		c.bad("%s: %s of %d characters, more than %d", where, key, utf8.RuneCountInString(s), max)
	}
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func list(v any) []any { l, _ := v.([]any); return l }

func (c *checker) block(where string, b map[string]any, surface Surface) {
	c.str(where, "block_id", b, maxID)
	switch b["type"] {
	case "section":
		if t := obj(b["text"]); t != nil {
			c.text(where+" section", t, maxSectionText)
		} else if b["fields"] == nil {
			c.bad("%s: section with neither text nor fields", where)
		}
		fields := list(b["fields"])
		if len(fields) > maxFields {
			c.bad("%s: %d fields, more than %d", where, len(fields), maxFields)
		}
		for i, f := range fields {
			c.text(fmt.Sprintf("%s field %d", where, i), obj(f), maxField)
		}
		if a := obj(b["accessory"]); a != nil {
			c.element(where+" accessory", a)
		}
	case "header":
		c.text(where+" header", obj(b["text"]), maxHeader)
	case "context":
		els := list(b["elements"])
		if len(els) == 0 || len(els) > maxContextItems {
			c.bad("%s: context with %d elements", where, len(els))
		}
		for i, e := range els {
			if m := obj(e); m["type"] != "image" {
				c.text(fmt.Sprintf("%s context %d", where, i), m, maxSectionText)
			}
		}
	case "actions":
		els := list(b["elements"])
		if len(els) == 0 || len(els) > maxActions {
			c.bad("%s: actions with %d elements", where, len(els))
		}
		for i, e := range els {
			c.element(fmt.Sprintf("%s element %d", where, i), obj(e))
		}
	case "input":
		if surface == SurfaceMessage {
			c.bad("%s: input block in a message", where)
		}
		c.text(where+" label", obj(b["label"]), maxInputLabel)
		if h := obj(b["hint"]); h != nil {
			c.text(where+" hint", h, maxInputLabel)
		}
		c.element(where+" element", obj(b["element"]))
	case "divider", "image", "rich_text":
	default:
		c.bad("%s: unknown block type %v", where, b["type"])
	}
}

func (c *checker) element(where string, e map[string]any) {
	c.str(where, "action_id", e, maxID)
	if p := obj(e["placeholder"]); p != nil {
		c.text(where+" placeholder", p, maxPlaceholder)
	}
	switch e["type"] {
	case "button":
		c.text(where+" button", obj(e["text"]), maxButtonText)
		c.str(where, "value", e, maxButtonValue)
		c.str(where, "url", e, maxURL)
	case "overflow":
		opts := list(e["options"])
		if len(opts) < 1 || len(opts) > maxOverflow {
			c.bad("%s: overflow with %d options", where, len(opts))
		}
		c.options(where, opts)
	case "static_select", "multi_static_select":
		opts := list(e["options"])
		if len(opts) == 0 || len(opts) > maxOptions {
			c.bad("%s: select with %d options", where, len(opts))
		}
		c.options(where, opts)
		if io := obj(e["initial_option"]); io != nil {
			c.options(where+" initial", []any{io})
		}
	case "plain_text_input", "url_text_input", "email_text_input", "number_input":
		max := maxInputLength
		if n, ok := e["max_length"].(float64); ok {
			if n > maxInputLength || n < 1 {
				c.bad("%s: max_length %v out of range", where, n)
			}
			max = int(n)
		}
		if s, ok := e["initial_value"].(string); ok && utf8.RuneCountInString(s) > max {
			c.bad("%s: initial_value of %d characters, more than max_length %d", where, utf8.RuneCountInString(s), max)
		}
	}
}

func (c *checker) options(where string, opts []any) {
	for i, o := range opts {
		m := obj(o)
		c.text(fmt.Sprintf("%s option %d", where, i), obj(m["text"]), maxOptionText)
		c.str(fmt.Sprintf("%s option %d", where, i), "value", m, maxOptionValue)
		c.str(fmt.Sprintf("%s option %d", where, i), "url", m, maxURL)
	}
}

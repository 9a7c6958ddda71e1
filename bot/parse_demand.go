package bot

import (
	"errors"

	"github.com/exchangebot/exchangebot/i18n"
)

// The grammar of knowledge demand beyond `request` (keys.go): the staff's
// `requests` with its decisions, and `plan`.

// Message ids of the demand grammar's mistakes.
const (
	msgDecideIDMissing = "demand.parse.id_missing"   // Command, Form
	msgMergeInto       = "demand.parse.into_missing" // Form
	msgFormDecline     = "demand.form.decline"
	msgFormMerge       = "demand.form.merge"
	msgFormPlan        = "demand.form.plan"
)

// requestActions are the decisions `requests` takes, in both languages.
var requestActions = map[string]string{
	"decline": "decline", "rechazar": "decline", "declinar": "decline",
	"merge": "merge", "fusionar": "merge", "unir": "merge", "juntar": "merge",
}

// parseRequests reads `requests [open|all]`, `requests decline <id>
// [reason]` and `requests merge <id> <into>`.
func parseRequests(lx *lexer, typed string) (Command, error) {
	c := Command{Name: "requests"}
	first, ok, err := lx.next()
	if err != nil || !ok {
		return c, err
	}
	w := word([]arg{first}, 0)
	if scope, ok := requestScopes[w]; ok {
		c.Scope = scope
		args, err := lx.all()
		if err != nil {
			return Command{}, err
		}
		return c, extraArgs(args, 0, i18n.Msg(msgFormRequests))
	}
	action, ok := requestActions[w]
	if !ok {
		return Command{}, usage(msgBadChoice, "Command", typed, "Input", echo(first.raw), "Form", i18n.Msg(msgFormRequests))
	}
	c.Action = action
	command := typed + " " + first.text
	if action == "decline" {
		form := i18n.Msg(msgFormDecline)
		a, ok, err := lx.next()
		if err != nil {
			return Command{}, err
		}
		if !ok {
			return Command{}, usage(msgDecideIDMissing, "Command", command, "Form", form)
		}
		if c.ID, err = requestID(a, form); err != nil {
			return Command{}, err
		}
		c.Reason = freeText(lx.rest())
		return c, nil
	}
	form := i18n.Msg(msgFormMerge)
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	if len(args) == 0 {
		return Command{}, usage(msgDecideIDMissing, "Command", command, "Form", form)
	}
	if c.ID, err = requestID(args[0], form); err != nil {
		return Command{}, err
	}
	if len(args) < 2 {
		return Command{}, usage(msgMergeInto, "Form", form)
	}
	if c.Into, err = requestID(args[1], form); err != nil {
		return Command{}, err
	}
	return c, extraArgs(args, 2, form)
}

// requestID reads a request number, written 3 or #3.
func requestID(a arg, form any) (int64, error) {
	id, err := parseID(a, form)
	var ue *UsageError
	if errors.As(err, &ue) && ue.ID == msgNotAnID {
		return 0, usage(msgNotARequestID, "Input", echo(a.raw), "Form", form)
	}
	return id, err
}

// parsePlan reads `plan <id>`, which opens the form, or `plan <id> <date>
// <time> [<duration>] [@speaker…] [#channel] [key:value…]`, which
// schedules in one line what the request asked for, as `new` does.
func parsePlan(lx *lexer, typed string) (Command, error) {
	form := i18n.Msg(msgFormPlan)
	args, err := lx.all()
	if err != nil {
		return Command{}, err
	}
	c := Command{Name: "plan"}
	if len(args) == 0 {
		return Command{}, usage(msgRequestIDMissing, "Command", typed, "Form", form)
	}
	if c.ID, err = requestID(args[0], form); err != nil {
		return Command{}, err
	}
	if len(args) == 1 {
		return c, nil
	}
	next, err := c.dateTime(args, 1, form)
	if err != nil {
		return Command{}, err
	}
	return c, c.extras(args[next:])
}

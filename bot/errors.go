package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
)

// verbs word exchange's operations inside "Only staff or … can VERB it".
var verbs = map[string]string{
	exchange.OpEdit:     "edit",
	exchange.OpMove:     "move",
	exchange.OpCancel:   "cancel",
	exchange.OpSpeakers: "change the speakers of",
}

// errorText words an error of the exchange service for the person who
// caused it: what was wrong and how to do it right.
func (b *Bot) errorText(e *exchange.Error) string {
	if text, ok := seriesErrorText(i18n.English, e); ok {
		return text
	}
	cmd := b.cfg.Command
	id, _ := e.Arg("id").(int64)
	switch e.Code {
	case exchange.CodeNotStaff:
		if e.Arg("op") == exchange.OpReport {
			return "Reports are for staff. Ask a coordinator, or an admin to add you to `staff` in the config."
		}
		return "Only staff can schedule sessions. Ask a coordinator, or an admin to add you to `staff` in the config."
	case exchange.CodeNotAllowed:
		verb := verbs[fmt.Sprint(e.Arg("op"))]
		return fmt.Sprintf("Only staff or <@%s>, who scheduled #%d, can %s it.", e.Arg("creator"), id, verb)
	case exchange.CodeNotFound:
		return fmt.Sprintf("There is no session #%d. `%s list all` shows the sessions and their numbers.", id, cmd)
	case exchange.CodeCancelled:
		if e.Arg("op") == exchange.OpJoin {
			return fmt.Sprintf("#%d was cancelled, so it cannot be joined. `%s list` shows what is coming up.", id, cmd)
		}
		return fmt.Sprintf("#%d was cancelled, so it cannot be changed. Schedule a new session with `%s new`.", id, cmd)
	case exchange.CodeOver:
		return fmt.Sprintf("#%d is already over. `%s list` shows what is coming up.", id, cmd)
	case exchange.CodeNotHeld:
		end, _ := e.Arg("end").(time.Time)
		return fmt.Sprintf("#%d has not been held yet. Its lessons can be captured once it ends, %s.", id, slackDate(end, "UTC"))
	case exchange.CodeMayNotAnswer:
		return fmt.Sprintf("Only the speakers and the organiser of #%d answer its lesson questions. `%s lessons %d` shows their answers.", id, cmd, id)
	case exchange.CodeNoAnswers:
		return "Answer at least one question, or press Cancel."
	case exchange.CodeTitleEmpty:
		return "Give the session a title."
	case exchange.CodeTitleTooLong:
		return fmt.Sprintf("The title is %d characters long; the limit is %d. Shorten it.", e.Arg("len"), e.Arg("max"))
	case exchange.CodeDuration:
		return fmt.Sprintf("A session lasts more than zero and at most %s. Write a duration like `90m`, `1h30m` or `1.5h`.", formatDuration(exchange.MaxDuration))
	case exchange.CodePast:
		start, _ := e.Arg("start").(time.Time)
		return i18n.T(i18n.English, msgInPast, map[string]any{"When": i18n.DayTime(start)})
	case exchange.CodeZone:
		return fmt.Sprintf("%s is not a time zone. Write an IANA zone like `tz:America/Santiago` or `tz:Europe/Madrid`.", echo(fmt.Sprint(e.Arg("tz"))))
	case exchange.CodeKind:
		return fmt.Sprintf("Unknown kind %s. Use %s.", echo(fmt.Sprint(e.Arg("kind"))), keyChoices("kind", exchange.Kinds))
	case exchange.CodeLang:
		return fmt.Sprintf("Unknown language %s. Use %s.", echo(fmt.Sprint(e.Arg("lang"))), keyChoices("lang", exchange.Langs))
	case exchange.CodeLink:
		return fmt.Sprintf("%s is not a web link. Write it like `link:https://meet.example.org/abc`.", echo(fmt.Sprint(e.Arg("link"))))
	case exchange.CodeSpeaker:
		return fmt.Sprintf("%s is not a name and an email. Write someone without Slack like `\"Ana Pérez <ana@example.org>\"`.", echo(fmt.Sprint(e.Arg("speaker"))))
	case exchange.CodeNothingToEdit:
		return fmt.Sprintf("Say what to change, like `%s edit 12 title:\"New title\"`.", cmd)
	case exchange.CodePeriod:
		return "The report would start after it ends. Write the earlier date first, like `report 2026-01 2026-03`."
	case exchange.CodeFormat:
		return fmt.Sprintf("%s is not a format. Use one of %s.", echo(fmt.Sprint(e.Arg("format"))), strings.Join(exchange.ExportFormats, ", "))
	}
	return "That cannot be done (" + e.Code + "). Nothing was changed."
}

// keyChoices is "`kind:webinar`, `kind:exchange` or `kind:workshop`".
func keyChoices(key string, values []string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = "`" + key + ":" + v + "`"
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

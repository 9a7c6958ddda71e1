package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/exchange"
	"github.com/exchangebot/exchangebot/i18n"
)

// errorIDs word exchange's error codes: the message id of each code, or
// of a code and the operation it refused (code + "/" + op), which reads
// differently ("only staff can schedule" and "reports are for staff").
var errorIDs = map[string]string{
	exchange.CodeNotStaff:                             "refusal.not_staff",
	exchange.CodeNotStaff + "/" + exchange.OpReport:   "refusal.not_staff_report",
	exchange.CodeNotAllowed + "/" + exchange.OpEdit:   "refusal.not_allowed.edit",
	exchange.CodeNotAllowed + "/" + exchange.OpMove:   "refusal.not_allowed.move",
	exchange.CodeNotAllowed + "/" + exchange.OpCancel: "refusal.not_allowed.cancel",
	exchange.CodeNotAllowed:                           "refusal.not_allowed.speakers",
	exchange.CodeNotFound:                             "refusal.not_found",
	exchange.CodeCancelled:                            "refusal.cancelled",
	exchange.CodeCancelled + "/" + exchange.OpJoin:    "refusal.cancelled_join",
	exchange.CodeOver:                                 "refusal.over",
	exchange.CodeNotHeld:                              "refusal.not_held",
	exchange.CodeMayNotAnswer:                         "refusal.may_not_answer",
	exchange.CodeNoAnswers:                            "refusal.no_answers",
	exchange.CodeAlreadyAdded:                         "addanswer.already_added",
	exchange.CodeTitleEmpty:                           "refusal.title_empty",
	exchange.CodeTitleTooLong:                         "refusal.title_too_long",
	exchange.CodeDuration:                             "refusal.duration",
	exchange.CodePast:                                 "refusal.past",
	exchange.CodeZone:                                 "refusal.zone",
	exchange.CodeKind:                                 "refusal.kind",
	exchange.CodeLang:                                 "refusal.lang",
	exchange.CodeLink:                                 "refusal.link",
	exchange.CodeSpeaker:                              "refusal.speaker",
	exchange.CodeNothingToEdit:                        "refusal.nothing_to_edit",
	exchange.CodePeriod:                               "refusal.period",
	exchange.CodeFormat:                               "refusal.format",
	exchange.CodeNotAllowed + "/" + exchange.OpRetry:  "retry.not_allowed",
	exchange.CodeNotFailed:                            "retry.not_failed",
	exchange.CodeDeliveryNotFound:                     "retry.not_found",
	exchange.CodeAnswerTooLong:                        msgAnswerTooLong,
}

// msgAnswerTooLong words an evaluation answer over exchange.MaxAnswer,
// in a form or a DM alike: Count, Max.
const msgAnswerTooLong = "eval.error.too_long"

// msgErrorUnknown words a code this version does not know.
const msgErrorUnknown = "refusal.unknown"

// errorText words an error of the exchange service in lang for the
// person who caused it: what was wrong and how to do it right.
func (b *Bot) errorText(lang i18n.Lang, e *exchange.Error) string {
	if text, ok := seriesErrorText(lang, e); ok {
		return text
	}
	id := errorIDs[e.Code+"/"+fmt.Sprint(e.Arg("op"))]
	if id == "" {
		id = errorIDs[e.Code]
	}
	if id == "" {
		return tr(lang, msgErrorUnknown, "Code", e.Code)
	}
	return i18n.T(lang, id, b.errorData(e))
}

// errorData is the values of e's wording: its Args under the names the
// catalogs use, times and lists worded for the reader.
func (b *Bot) errorData(e *exchange.Error) map[string]any {
	data := map[string]any{"Cmd": b.cfg.Command}
	for k, v := range e.Args {
		switch k {
		case "id":
			data["ID"] = v
		case "delivery":
			data["Delivery"] = v
		case "creator":
			data["Creator"] = v
		case "end":
			t, _ := v.(time.Time)
			data["End"] = slackDateValue{t}
		case "start":
			t, _ := v.(time.Time)
			data["When"] = i18n.DayTime(t)
		case "len":
			data["Count"] = v
		case "max":
			data["Max"] = v
		case "tz", "kind", "lang", "link", "speaker", "format":
			data["Input"] = echo(fmt.Sprint(v))
		}
	}
	switch e.Code {
	case exchange.CodeDuration:
		data["Max"] = i18n.Duration(exchange.MaxDuration)
	case exchange.CodeFormat:
		data["Choices"] = strings.Join(exchange.ExportFormats, ", ")
	}
	return data
}

// slackDateValue is a time shown with Slack's date token (dateIn).
type slackDateValue struct{ t time.Time }

// Word implements i18n.Value.
func (v slackDateValue) Word(lang i18n.Lang) string { return dateIn(lang, v.t, "UTC") }

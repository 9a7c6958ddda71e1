package exchange

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Codes of the errors a person must read. They are stable: surfaces word
// them (in the reader's language) by code, reading the values from Args.
const (
	// CodeNotStaff: only staff may do Args["op"] (OpSchedule, OpReport).
	CodeNotStaff = "not_staff"
	// CodeNotAllowed: only staff or the creator (Args["creator"]) may do
	// Args["op"] to session Args["id"].
	CodeNotAllowed = "not_allowed"
	// CodeNotFound: there is no session Args["id"].
	CodeNotFound = "not_found"
	// CodeCancelled: session Args["id"] was cancelled, so Args["op"] cannot be done.
	CodeCancelled = "cancelled"
	// CodeOver: session Args["id"] has ended, so it cannot be joined.
	CodeOver = "over"
	// CodeNotHeld: session Args["id"] has not ended yet (Args["end"]), so
	// it has no lessons to capture.
	CodeNotHeld = "not_held"
	// CodeMayNotAnswer: only the speakers and the organiser of session
	// Args["id"] answer its questions.
	CodeMayNotAnswer = "may_not_answer"
	// CodeNoAnswers: a form came back with every answer empty.
	CodeNoAnswers = "no_answers"
	// CodeAlreadyAdded: the message offered to be added to the lessons of
	// session Args["id"] was added already; nothing was added again.
	CodeAlreadyAdded = "already_added"
	// CodeTitleEmpty: the title is missing.
	CodeTitleEmpty = "title_empty"
	// CodeTitleTooLong: the title has Args["len"] characters, more than Args["max"].
	CodeTitleTooLong = "title_too_long"
	// CodeDuration: Args["duration"] is not more than zero and at most Args["max"].
	CodeDuration = "duration"
	// CodePast: the start Args["start"] (in zone Args["tz"]) is in the past.
	CodePast = "past"
	// CodeZone: Args["tz"] is not an IANA time zone.
	CodeZone = "zone"
	// CodeKind: Args["kind"] is not one of Args["kinds"].
	CodeKind = "kind"
	// CodeLang: Args["lang"] is not one of Args["langs"].
	CodeLang = "lang"
	// CodeLink: Args["link"] is not an http(s) link a person can safely
	// follow (no user info, spaces, control characters or <, >, |).
	CodeLink = "link"
	// CodeSpeaker: a speaker without Slack needs a name and an email (Args["speaker"]).
	CodeSpeaker = "speaker"
	// CodeNothingToEdit: an edit named no field to change.
	CodeNothingToEdit = "nothing_to_edit"
	// CodePeriod: a report period starts (Args["from"]) after it ends (Args["to"]).
	CodePeriod = "period"
	// CodeFormat: Args["format"] is not one of Args["formats"].
	CodeFormat = "format"

	// CodeEvery: a series cannot repeat every Args["every"]; it repeats
	// at one of Args["everies"].
	CodeEvery = "every"
	// CodeSeriesEnds: a series was given both an until date and a count.
	CodeSeriesEnds = "series_ends"
	// CodeSeriesCount: a series of Args["count"] occurrences; it has 1
	// to Args["max"].
	CodeSeriesCount = "series_count"
	// CodeSeriesUntil: a series' until date, Args["until"] (a day, as
	// midnight UTC), is before its start, Args["start"] (in zone Args["tz"]).
	CodeSeriesUntil = "series_until"
	// CodeSeriesTooLong: repeating every Args["every"] from Args["start"]
	// until Args["until"] (a day, as midnight UTC) passes the limit of
	// Args["max"] occurrences.
	CodeSeriesTooLong = "series_too_long"
	// CodeNotSeries: session Args["id"] is not part of a series, so
	// Args["op"] cannot act on its series.
	CodeNotSeries = "not_series"
	// CodeTopicEmpty: a request names no topic.
	CodeTopicEmpty = "topic_empty"
	// CodeTopicTooLong: the topic has Args["len"] characters, more than Args["max"].
	CodeTopicTooLong = "topic_too_long"
	// CodeRequestNotFound: there is no request Args["id"].
	CodeRequestNotFound = "request_not_found"
	// CodeRequestDecided: request Args["id"] is no longer open: it is
	// Args["status"] (planned into session Args["session"], or merged
	// into request Args["into"]).
	CodeRequestDecided = "request_decided"
	// CodeMergeSelf: request Args["id"] cannot be merged into itself.
	CodeMergeSelf = "merge_self"
	// CodeNotJoined: the person did not take part in session Args["id"]
	// (or was not asked about it), so they cannot evaluate it.
	CodeNotJoined = "not_joined"
	// CodeEvaluationClosed: the question about session Args["id"] closed
	// at Args["closed"].
	CodeEvaluationClosed = "evaluation_closed"
	// CodeNotAsked: the follow-up about session Args["id"] was not asked
	// (yet), so it cannot be answered.
	CodeNotAsked = "not_asked"
	// CodeRating: Args["rating"] is not a rating from 1 to 5.
	CodeRating = "rating"
	// CodeApplied: Args["applied"] is not one of Args["values"].
	CodeApplied = "applied"
	// CodeEmptyAnswer: a form about session Args["id"] came back empty.
	CodeEmptyAnswer = "empty_answer"
	// CodeAnswerTooLong: an evaluation answer about session Args["id"]
	// has Args["len"] characters, more than Args["max"].
	CodeAnswerTooLong = "answer_too_long"
	// CodeNotFailed: delivery Args["delivery"] is Args["state"] (pending,
	// sending or sent), not failed, so there is nothing to send again.
	CodeNotFailed = "not_failed"
	// CodeDeliveryNotFound: there is no delivery Args["delivery"].
	CodeDeliveryNotFound = "delivery_not_found"
)

// Operations named in errors' Args["op"].
const (
	OpSchedule = "schedule"
	OpEdit     = "edit"
	OpMove     = "move"
	OpCancel   = "cancel"
	OpSpeakers = "speakers"
	OpJoin     = "join"
	OpLeave    = "leave"
	OpLessons  = "lessons"
	OpReport   = "report"
	// OpRequests is what staff do with requests: list, plan, decline, merge.
	OpRequests = "requests"
	// OpRetry sends a failed message again.
	OpRetry = "retry"
)

// Error is a mistake or a refusal a person must read: nothing was
// changed. Code is one of the Code constants; Args holds the values the
// wording needs, under the keys each code documents.
type Error struct {
	Code string
	Args map[string]any
}

func (e *Error) Error() string {
	keys := make([]string, 0, len(e.Args))
	for k := range e.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("exchange: ")
	b.WriteString(e.Code)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, e.Args[k])
	}
	return b.String()
}

// Is lets errors.Is match an *Error by code: errors.Is(err, &Error{Code: CodePast}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Arg returns one of the values, or nil.
func (e *Error) Arg(key string) any { return e.Args[key] }

func fail(code string, kv ...any) *Error {
	e := &Error{Code: code, Args: make(map[string]any, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Args[kv[i].(string)] = kv[i+1]
	}
	return e
}

// Errors returns every *Error in err, which may join several (see
// Service.CheckDraft), in order.
func Errors(err error) []*Error {
	if e, ok := err.(*Error); ok {
		return []*Error{e}
	}
	var out []*Error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, Errors(e)...)
		}
	} else if u := errors.Unwrap(err); u != nil {
		out = Errors(u)
	}
	return out
}

// AsError returns err's *Error when it has one (the first, of several).
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

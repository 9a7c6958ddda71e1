package bot

import (
	"github.com/exchangebot/exchangebot/i18n"
)

// UsageError is a user mistake: what was wrong and how to write it right.
// It is a message id of the i18n catalogs and the values it shows, so
// that each reader gets it in their language (i18n.Error, or In);
// Error() is its English wording.
type UsageError struct {
	ID   string         // message id in the catalogs
	Data map[string]any // the values its placeholders show
}

func (e *UsageError) Error() string { return e.In(i18n.English) }

// In words the mistake in lang.
func (e *UsageError) In(lang i18n.Lang) string { return i18n.T(lang, e.ID, e.Data) }

// MessageID implements i18n.Message.
func (e *UsageError) MessageID() string { return e.ID }

// MessageData implements i18n.Message.
func (e *UsageError) MessageData() map[string]any { return e.Data }

// usage is a typed mistake: the message id, then its values as name,
// value pairs.
func usage(id string, pairs ...any) *UsageError {
	e := &UsageError{ID: id}
	if len(pairs) > 0 {
		e.Data = make(map[string]any, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			e.Data[pairs[i].(string)] = pairs[i+1]
		}
	}
	return e
}

// msgNotAvailable answers a command the grammar reads but no handler
// serves yet: Command, Slash (the configured slash command).
const msgNotAvailable = "command.not_available"

// msgFormOnlyInSlack answers a bare `new` outside Slack: Cmd.
const msgFormOnlyInSlack = "command.form_only_in_slack"

// Message ids of the grammar's mistakes. Input is what was typed, quoted
// by echo; Form is how to write it right (a string, or an i18n.Msg when
// its words depend on the language).
const (
	msgUnreadable       = "parse.unreadable"
	msgUnknownCommand   = "parse.unknown_command"
	msgUnclosedQuote    = "parse.unclosed_quote"
	msgTitleMissing     = "parse.title_missing"
	msgTitleTooLong     = "parse.title_too_long" // Count, Max
	msgNoDate           = "parse.no_date"
	msgDateTimeMissing  = "parse.date_time_missing"  // Form
	msgDateAfterTime    = "parse.date_after_time"    // Form
	msgTimeMissing      = "parse.time_missing"       // Date
	msgNotADate         = "parse.not_a_date"         // Input
	msgAmbiguousDate    = "parse.ambiguous_date"     // Input
	msgNotATime         = "parse.not_a_time"         // Input
	msgMinutesRange     = "parse.minutes_range"      // Input
	msgHoursRange       = "parse.hours_range"        // Input
	msgAmPmRange        = "parse.ampm_range"         // Input
	msgInPast           = "parse.in_past"            // When: exchange's CodePast, worded in errors.go
	msgNotADuration     = "parse.not_a_duration"     // Input
	msgDurationNegative = "parse.duration_negative"  // Input
	msgDurationTooLong  = "parse.duration_too_long"  // Input
	msgDurationTooShort = "parse.duration_too_short" // Input
	msgTwoDurations     = "parse.two_durations"      // Input
	msgNotAMonth        = "parse.not_a_month"        // Input
	msgNotDateOrMonth   = "parse.not_date_or_month"  // Input
	msgReportReversed   = "parse.report_reversed"    // From, To
	msgQuotedExtra      = "parse.quoted_extra"       // Input
	msgNotUnderstood    = "parse.not_understood"     // Input
	msgGroupMention     = "parse.group_mention"      // Input
	msgEmailWithoutName = "parse.email_without_name" // Input
	msgLinkWithoutKey   = "parse.link_without_key"
	msgTwoChannels      = "parse.two_channels"   // First, Second
	msgUnknownKey       = "parse.unknown_key"    // Input, Keys
	msgKeyTwice         = "parse.key_twice"      // Key, Example
	msgKeyEmpty         = "parse.key_empty"      // Key, Example
	msgUnknownTZ        = "parse.unknown_tz"     // Input
	msgUnknownKind      = "parse.unknown_kind"   // Input
	msgUnknownLang      = "parse.unknown_lang"   // Input
	msgBadChoice        = "parse.bad_choice"     // Command, Input, Form
	msgIDMissing        = "parse.id_missing"     // Command, Form
	msgNotAnID          = "parse.not_an_id"      // Input, Form
	msgIDTooLarge       = "parse.id_too_large"   // Input, Form
	msgIDZero           = "parse.id_zero"        // Input, Form
	msgUnexpectedEnd    = "parse.unexpected_end" // Input, Form
	msgSayAddRemove     = "parse.say_add_remove" // Form
	msgNotAddRemove     = "parse.not_add_remove" // Input, Form
	msgSayWhoToAdd      = "parse.say_who_add"    // Form
	msgSayWhoToRemove   = "parse.say_who_remove" // Form
	msgNotASpeaker      = "parse.not_a_speaker"  // Input
	msgNotAUser         = "parse.not_a_user"     // Input
	msgNotAChannel      = "parse.not_a_channel"  // Input
	msgNotNameAndEmail  = "parse.not_name_email" // Input
	msgNameMissing      = "parse.name_missing"   // Input
	msgNotAnEmail       = "parse.not_an_email"   // Input
	msgNotALink         = "parse.not_a_link"     // Input
	msgDidYouMean       = "parse.did_you_mean"   // Input, Suggestion
	msgKeysNew          = "parse.keys.new"
	msgKeysEdit         = "parse.keys.edit"
	msgKeysRequest      = "parse.keys.request"
	msgEditNothing      = "parse.edit_nothing"       // Form
	msgEditNotKey       = "parse.edit_not_key"       // Input, Form
	msgTopicMissing     = "parse.topic_missing"      // Form
	msgTopicTooLong     = "parse.topic_too_long"     // Count, Max
	msgRequestIDMissing = "parse.request_id_missing" // Command, Form
	msgNotARequestID    = "parse.not_a_request_id"   // Input, Form
	msgFormEdit         = "parse.form.edit"
	msgFormRequest      = "parse.form.request"
	msgFormRequests     = "parse.form.requests"
	msgFormNew          = "parse.form.new"
	msgFormList         = "parse.form.list"
	msgPageMissing      = "native.parse.page_missing" // Command, Input, Form
	msgBadPage          = "native.parse.bad_page"     // Input, Form
	msgFormFeed         = "parse.form.feed"
	msgFormMove         = "parse.form.move"
	msgFormCancel       = "parse.form.cancel"
	msgFormSpeakers     = "parse.form.speakers"
	msgFormLessons      = "parse.form.lessons"
	msgFormReport       = "parse.form.report"
)

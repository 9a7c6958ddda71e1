package exchange

import (
	"context"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// A form a person submits (their lessons, what they will apply, what
// changed, a new session) is confirmed to them afterwards. Whether it is depends on the
// surface: Slack closes the modal and owes a message, a web page answers
// in its own response and owes nothing. So the surface asks, in the
// operation's input (ConfirmTo), and the operation owes the confirmation
// as a KindReply row in the same transaction as what it stores: it is
// retried when Slack fails, survives a crash, and a redelivered
// submission, refused by its request key, owes no second one.

// ConfirmTo asks an operation to owe the person who submitted a form a
// confirmation of what it stored. Nil asks for none.
type ConfirmTo struct {
	// Channel is the conversation to confirm in; empty, the person's
	// direct conversation with the bot.
	Channel string
}

// What a FormReply confirms.
const (
	SavedLessons = "lessons" // answers to the lesson questions
	SavedPlan    = "plan"    // what they will apply (evaluation)
	SavedChange  = "change"  // what changed since (follow-up)
	SavedSession = "session" // a session (or series) scheduled
	SavedAdded   = "added"   // a message added to an answer (AddAnswer)
)

// FormReply is what a form stored, for the surface to word.
type FormReply struct {
	Saved   string `json:"saved"`   // one of the Saved* words
	Session int64  `json:"session"` // a series' first occurrence
	Title   string `json:"title,omitempty"`
	Answers int    `json:"answers,omitempty"` // lessons stored
	Request int64  `json:"request,omitempty"` // the request a session was planned from
	// Question is the index of the question a message was added to
	// (SavedAdded).
	Question int `json:"question,omitempty"`
}

// scheduled confirms sess, scheduled from d.
func scheduled(sess *store.Session, d Draft) FormReply {
	return FormReply{Saved: SavedSession, Session: sess.ID, Title: sess.Title, Request: d.Request}
}

// oweConfirmation owes userID the confirmation f, in tx, when to asks
// for one; it reports whether it did.
func oweConfirmation(ctx context.Context, tx store.Tx, userID string, to *ConfirmTo, f FormReply, now time.Time) (bool, error) {
	if to == nil {
		return false, nil
	}
	// No message to answer and no key: a form's request key already
	// guards the transaction this commits in.
	return true, oweReply(ctx, tx, Walk{UserID: userID, Channel: to.Channel}, Reply{Form: &f}, now)
}

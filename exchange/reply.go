package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Every message to the bot in its DM is owed an answer: the next
// question of a walk-through, the thanks at its end, an evaluation's
// confirmation, or, for a message that changes nothing (a greeting, a
// control word with nothing to act on, a refusal), chat or the refusal.
// A redelivered message must not get a second one, and a crash must not
// lose it. The answer is therefore an outbox row (KindReply) committed
// with the message's request key, in the same transaction as the change
// it answers: the surface acknowledges once that commits, and a
// redelivery finds the key and says nothing.

// errNothingWaits ends a walk-through or evaluation transaction that
// found nothing to act on: it rolls back, so the request key is left for
// the reply the caller owes (OweReply).
var errNothingWaits = errors.New("exchange: nothing waits on this reply")

// replyLate is how long a reply may wait (Slack down) and still be
// worth sending: a day later it answers nothing the person remembers.
const replyLate = 24 * time.Hour

// Reply is the payload of a KindReply row: where the message it answers
// was, and what to say. With neither Text, Walk, Eval nor Form it is the
// chat answer, which the surface puts together when it sends it.
type Reply struct {
	// Channel is the conversation to answer in; a form's confirmation
	// (Form) may leave it empty for the person's direct conversation.
	Channel string `json:"channel"`
	TS      string `json:"ts"` // the person's message
	Thread  string `json:"thread,omitempty"`
	// Text is a refusal, worded by the surface in the reader's language
	// when it was owed (the typed error is not stored).
	Text string     `json:"text,omitempty"`
	Walk *WalkReply `json:"walk,omitempty"`
	Eval *EvalReply `json:"eval,omitempty"`
	Form *FormReply `json:"form,omitempty"`
}

// WalkReply is what one step of a lesson walk-through did, for the
// surface to word: the next question (by index), or the end.
type WalkReply struct {
	Session int64  `json:"session"`
	Title   string `json:"title"`
	Saved   bool   `json:"saved,omitempty"`
	Skipped bool   `json:"skipped,omitempty"`
	Stopped bool   `json:"stopped,omitempty"`
	Next    int    `json:"next"`
	Done    bool   `json:"done,omitempty"`
	Answers int    `json:"answers,omitempty"` // once Stopped
	// Open is another walk-through that waits on the person once this
	// one has ended: their next replies answer it.
	Open *OpenWalk `json:"open,omitempty"`
}

// OpenWalk is a walk-through still waiting on a question.
type OpenWalk struct {
	Session int64  `json:"session"`
	Title   string `json:"title"`
	Next    int    `json:"next"`
}

// EvalReply is what a DM reply did to an evaluation.
type EvalReply struct {
	Session int64  `json:"session"`
	Phase   string `json:"phase"`
	Saved   bool   `json:"saved,omitempty"`
	Stopped bool   `json:"stopped,omitempty"`
}

// ReadReply decodes a KindReply payload.
func ReadReply(payload string) (Reply, error) {
	var r Reply
	if err := json.Unmarshal([]byte(payload), &r); err != nil || r.Channel == "" && r.Form == nil {
		return Reply{}, fmt.Errorf("exchange: reply payload %q", payload)
	}
	return r, nil
}

// OweReply owes w's person one reply to the message w names, under its
// key (w.Key, also ctx's request key): refusal, worded already, or the
// chat answer when refusal is empty. Under ctx's request key it fails
// with store.ErrDuplicate when the message was already handled; and one
// key owes one reply even once the request key itself has been pruned.
func (s *Service) OweReply(ctx context.Context, w Walk, refusal string) error {
	now := s.now()
	return s.update(ctx, func(tx store.Tx) (bool, error) {
		return true, oweReply(ctx, tx, w, Reply{Text: refusal}, now)
	})
}

// oweReply enqueues r as the reply to w's message, in tx.
func oweReply(ctx context.Context, tx store.Tx, w Walk, r Reply, now time.Time) error {
	r.Channel, r.TS, r.Thread = w.Channel, w.TS, w.Thread
	payload, err := json.Marshal(r)
	if err != nil {
		return err
	}
	d := store.Delivery{Kind: KindReply, Recipient: w.UserID, Payload: string(payload), Due: now, Deadline: now.Add(replyLate)}
	if w.Key != "" {
		d.Dedupe = "reply:" + w.Key
	}
	return tx.Enqueue(ctx, d, now)
}

// openWalk is the walk-through that waits on w's person now, in tx, if
// any: after one ends, another may still be open.
func (s *Service) openWalk(ctx context.Context, tx store.Tx, w Walk) (*OpenWalk, error) {
	p, err := tx.ActivePrompt(ctx, w.Channel, w.UserID)
	if errors.Is(err, store.ErrNotFound) || err == nil && p.NextQuestion >= len(s.p.Lessons.Questions) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sess, err := tx.Session(ctx, p.SessionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &OpenWalk{Session: sess.ID, Title: sess.Title, Next: p.NextQuestion}, nil
}

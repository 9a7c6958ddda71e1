package exchange

import (
	"context"
	"errors"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// The lesson walk-through in a person's direct conversation with the
// bot: one question at a time, skip and stop, and after stop the offer
// to add one more thought. Each step owes its reply in its own commit
// (see Reply).

// Walk identifies one person's direct conversation with the bot, where
// they answer the lesson questions one at a time.
type Walk struct {
	UserID  string
	Channel string
	// Lang is the language the questions were asked in; an answer is
	// stored with its question as asked (and its index, the same in
	// every language).
	Lang string
	// TS and Thread place the message being answered (its thread's ts
	// when it was in one), where its reply goes; Key is its request key,
	// under which that reply is owed once (see Reply).
	TS, Thread, Key string
}

// Step is where a walk-through stands after one reply. The reply to
// the person (a WalkReply) is owed in the same transaction.
type Step struct {
	// Session is what the reply was about; nil when no walk-through waits
	// on this person here (the reply is ordinary chat): then nothing was
	// stored, not even the request's key, which the reply the caller owes
	// commits with it (OweReply).
	Session *store.Session
	Saved   bool // the reply was stored as the answer to the question asked
	Skipped bool
	Stopped bool
	// Next is the question to ask next (0-based); Done means there is none.
	Next int
	Done bool
	// Answers counts the person's answers to the session, once Stopped.
	Answers int
}

type walkMove int

const (
	moveAnswer walkMove = iota
	moveSkip
	moveStop
)

// Answer stores text as the answer to the question w's walk-through waits
// on and moves to the next question.
func (s *Service) Answer(ctx context.Context, w Walk, text string) (Step, error) {
	return s.walk(ctx, w, moveAnswer, text)
}

// Skip moves w's walk-through to the next question without an answer.
func (s *Service) Skip(ctx context.Context, w Walk) (Step, error) {
	return s.walk(ctx, w, moveSkip, "")
}

// Stop ends w's walk-through, keeping the answers given.
func (s *Service) Stop(ctx context.Context, w Walk) (Step, error) {
	return s.walk(ctx, w, moveStop, "")
}

func (s *Service) walk(ctx context.Context, w Walk, move walkMove, text string) (Step, error) {
	now := s.now()
	var st Step
	err := s.update(ctx, func(tx store.Tx) (bool, error) {
		st = Step{}
		if err := s.step(ctx, tx, w, move, text, &st, now); err != nil {
			return false, err
		}
		r := &WalkReply{Session: st.Session.ID, Title: st.Session.Title, Saved: st.Saved, Skipped: st.Skipped, Stopped: st.Stopped,
			Next: st.Next, Done: st.Done, Answers: st.Answers}
		if st.Done {
			var err error
			if r.Open, err = s.openWalk(ctx, tx, w); err != nil {
				return false, err
			}
		}
		return true, oweReply(ctx, tx, w, Reply{Walk: r}, now)
	})
	if errors.Is(err, errNothingWaits) {
		return Step{}, nil
	}
	if err != nil {
		return Step{}, err
	}
	return st, nil
}

// step moves w's walk-through one step in tx, filling st.
func (s *Service) step(ctx context.Context, tx store.Tx, w Walk, move walkMove, text string, st *Step, now time.Time) error {
	qs := s.p.Lessons.Questions
	p, err := tx.ActivePrompt(ctx, w.Channel, w.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return errNothingWaits
	}
	if err != nil {
		return err
	}
	sess, err := tx.Session(ctx, p.SessionID)
	if err != nil {
		return err
	}
	if err := held(sess, now); err != nil {
		return err
	}
	st.Session = sess
	i := p.NextQuestion
	switch move {
	case moveStop:
		if err := tx.StopPrompt(ctx, sess.ID, w.UserID, now); err != nil {
			return err
		}
		counts, err := tx.Answered(ctx, sess.ID)
		if err != nil {
			return err
		}
		st.Stopped, st.Done, st.Answers, st.Next = true, true, counts[w.UserID], len(qs)
		return s.walkEnded(ctx, tx, sess, w, now)
	case moveSkip:
		st.Skipped = true
	case moveAnswer:
		if i < len(qs) {
			q := s.p.Lessons.QuestionsIn(w.Lang)[i]
			l := store.Lesson{SessionID: sess.ID, UserID: w.UserID, QuestionIdx: i, Question: q, Answer: text}
			if _, err := tx.SaveAnswer(ctx, l, now); err != nil {
				return err
			}
		}
		st.Saved = true
	}
	i++
	st.Next = i
	if i < len(qs) {
		return tx.AdvancePrompt(ctx, sess.ID, w.UserID, i, store.PromptAnswering, now)
	}
	st.Done = true
	if err := tx.AdvancePrompt(ctx, sess.ID, w.UserID, i, store.PromptDone, now); err != nil {
		return err
	}
	return s.walkEnded(ctx, tx, sess, w, now)
}

// walkEnded owes what the end of w's walk-through about sess changes:
// their Home, and the summary once every speaker is through.
func (s *Service) walkEnded(ctx context.Context, tx store.Tx, sess *store.Session, w Walk, now time.Time) error {
	if err := oweHomes(ctx, tx, now, w.UserID); err != nil {
		return err
	}
	_, err := s.summarizeIfAllAnswered(ctx, tx, sess, now)
	return err
}

// Stopped returns the session whose walk-through w last said stop to in
// this conversation, while its lessons are still open: a message after
// that is likely one more thought, to be offered as an added answer.
func (s *Service) Stopped(ctx context.Context, w Walk) (*store.Session, bool) {
	ps, err := s.st.UserPrompts(ctx, w.UserID)
	if err != nil {
		return nil, false
	}
	for _, p := range ps {
		if p.DMChannel != w.Channel {
			continue
		}
		if p.State != store.PromptStopped {
			return nil, false
		}
		sess, err := s.st.Session(ctx, p.SessionID)
		if err != nil || sess.Cancelled() || s.closed(sess, s.now()) {
			return nil, false
		}
		return sess, true
	}
	return nil, false
}

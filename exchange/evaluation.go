package exchange

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// Participant evaluation: evaluation.after past a session's end each
// participant is asked, once, how useful it was (1–5) and what they will
// apply; at evaluation.follow_up those who said what they would apply are
// asked whether they did and what changed. One nudge at most for each
// question, and "don't ask me again" holds for good.

// Phases of an evaluation, as forms and buttons name them.
const (
	PhaseRatings  = "ratings"   // how useful, what they will apply
	PhaseFollowUp = "follow_up" // applied?, what changed
)

// Applied lists the answers to "did you apply it?".
var Applied = []string{store.AppliedYes, store.AppliedPartly, store.AppliedNotYet}

// ratingsClose is when answers to the ratings DM stop being taken.
func (s *Service) ratingsClose(sess *store.Session) time.Time {
	ev := s.p.Evaluation
	return sess.End().Add(ev.After + ev.CloseAfter)
}

// followUpClose is when answers to the follow-up stop being taken.
func (s *Service) followUpClose(sess *store.Session) time.Time {
	ev := s.p.Evaluation
	return sess.End().Add(ev.FollowUp + ev.CloseAfter)
}

// planEvaluation owes the row that asks the participants, when the
// session is over, who is to be asked.
func (s *Service) planEvaluation(ctx context.Context, tx store.Tx, sess *store.Session, now time.Time) error {
	if !s.p.Evaluation.Enabled {
		return nil
	}
	return tx.Enqueue(ctx, store.Delivery{
		Kind: KindEvaluate, SessionID: sess.ID, Due: sess.End().Add(s.p.Evaluation.After), Deadline: s.ratingsClose(sess),
		Dedupe: "evaluate:" + planKey(sess),
	}, now)
}

// Evaluators are the people asked to evaluate a session: those who
// joined it, except its speakers and organiser, who are asked for its
// lessons instead.
func Evaluators(sess *store.Session) []string {
	skip := PromptRecipients(sess)
	var out []string
	for _, u := range sess.Participants {
		if !slices.Contains(skip, u) && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// OweEvaluations is the work of a KindEvaluate row d: each participant
// who joined sess (and did not opt out) is recorded as asked and owed the
// ratings DM, due when d was, and its nudge. Running it again owes
// nothing twice. It returns how many were asked.
func (s *Service) OweEvaluations(ctx context.Context, d store.Delivery, sess *store.Session) (int, error) {
	ev := s.p.Evaluation
	if !ev.Enabled || sess.Cancelled() {
		return 0, nil
	}
	now := s.now()
	key, closes := planKey(sess), s.ratingsClose(sess)
	asked := 0
	err := s.update(ctx, func(tx store.Tx) (bool, error) {
		asked = 0
		for _, u := range Evaluators(sess) {
			out, err := tx.OptedOut(ctx, u)
			if err != nil {
				return false, err
			}
			if out {
				continue
			}
			if _, err := tx.AskEvaluation(ctx, sess.ID, u, d.Due); err != nil {
				return false, err
			}
			asked++
			for _, row := range []store.Delivery{
				{Kind: KindEvaluation, Due: d.Due},
				{Kind: KindEvaluationNudge, Due: d.Due.Add(ev.NudgeAfter)},
			} {
				row.SessionID, row.Recipient, row.Deadline = sess.ID, u, closes
				row.Dedupe = fmt.Sprintf("%s:%s:%s", row.Kind, key, u)
				if err := tx.Enqueue(ctx, row, now); err != nil {
					return false, err
				}
			}
		}
		return asked > 0, nil
	})
	return asked, err
}

// EvaluationDM decides, as a DM of kind (KindEvaluation,
// KindEvaluationNudge, KindFollowUp, KindFollowUpNudge) is about to go to
// userID in channel, whether it is still owed, and if so records where
// it goes and what a reply there will answer, before it is out, so a
// quick reply finds it. ok is false when there is nothing to ask: the
// person opted out, answered already, or the question closed.
func (s *Service) EvaluationDM(ctx context.Context, kind string, sess *store.Session, userID, channel string) (ev store.Evaluation, ok bool, err error) {
	now := s.now()
	err = s.st.Update(ctx, func(tx store.Tx) error {
		ok = false
		if !s.p.Evaluation.Enabled || sess.Cancelled() {
			return nil
		}
		out, err := tx.OptedOut(ctx, userID)
		if err != nil || out {
			return err
		}
		ev, err = tx.Evaluation(ctx, sess.ID, userID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		c := store.EvaluationChange{DMChannel: &channel}
		switch kind {
		case KindEvaluation, KindEvaluationNudge:
			if !now.Before(s.ratingsClose(sess)) || ev.Rating > 0 && ev.Plan != "" || kind == KindEvaluationNudge && ev.Responded() {
				return nil
			}
			if ev.Plan == "" {
				c.Awaiting = ptr(store.AwaitPlan)
			}
		case KindFollowUp, KindFollowUpNudge:
			if !now.Before(s.followUpClose(sess)) || ev.Plan == "" || ev.Applied != "" && ev.Changed != "" {
				return nil
			}
			if kind == KindFollowUpNudge && (ev.FollowedUpAt.IsZero() || ev.Applied != "" || ev.Changed != "") {
				return nil
			}
			c.FollowedUp = ev.FollowedUpAt.IsZero()
			if ev.Changed == "" {
				c.Awaiting = ptr(store.AwaitChange)
			}
		default:
			return fmt.Errorf("exchange: %q is not an evaluation DM", kind)
		}
		if err := tx.ChangeEvaluation(ctx, sess.ID, userID, c, now); err != nil {
			return err
		}
		ev, err = tx.Evaluation(ctx, sess.ID, userID)
		ok = err == nil
		return err
	})
	return ev, ok, err
}

func ptr[T any](v T) *T { return &v }

// evaluable loads, inside tx, the session and userID's evaluation of it
// for an answer in phase, and checks the question is open now.
func (s *Service) evaluable(ctx context.Context, tx store.Tx, userID string, id int64, phase string, now time.Time) (*store.Session, store.Evaluation, error) {
	sess, err := tx.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.Evaluation{}, fail(CodeNotFound, "id", id)
	}
	if err != nil {
		return nil, store.Evaluation{}, err
	}
	ev, err := tx.Evaluation(ctx, id, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.Evaluation{}, fail(CodeNotJoined, "id", id)
	}
	if err != nil {
		return nil, store.Evaluation{}, err
	}
	closes := s.ratingsClose(sess)
	if phase == PhaseFollowUp {
		if ev.FollowedUpAt.IsZero() {
			return nil, store.Evaluation{}, fail(CodeNotAsked, "id", id)
		}
		closes = s.followUpClose(sess)
	}
	if !now.Before(closes) {
		return nil, store.Evaluation{}, fail(CodeEvaluationClosed, "id", id, "closed", closes)
	}
	return sess, ev, nil
}

// answer runs one answer of userID about session id in phase: the checks,
// then change, in one transaction, so a refused answer stores nothing.
func (s *Service) answer(ctx context.Context, userID string, id int64, phase string,
	change func(tx store.Tx, sess *store.Session, ev store.Evaluation, now time.Time) (bool, error)) (*store.Session, error) {
	now := s.now()
	var sess *store.Session
	err := s.update(ctx, func(tx store.Tx) (bool, error) {
		var ev store.Evaluation
		var err error
		if sess, ev, err = s.evaluable(ctx, tx, userID, id, phase, now); err != nil {
			return false, err
		}
		return change(tx, sess, ev, now)
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// Rate stores how useful userID found session id, 1 to 5; a later rating
// replaces it while the question is open.
func (s *Service) Rate(ctx context.Context, userID string, id int64, rating int) (*store.Session, error) {
	if rating < 1 || rating > 5 {
		return nil, fail(CodeRating, "rating", rating)
	}
	return s.answer(ctx, userID, id, PhaseRatings, func(tx store.Tx, sess *store.Session, _ store.Evaluation, now time.Time) (bool, error) {
		return false, tx.ChangeEvaluation(ctx, sess.ID, userID, store.EvaluationChange{Rating: &rating}, now)
	})
}

// SavePlan stores what userID will apply from session id (the form) and
// owes them the follow-up on it, and their confirmation when confirm
// asks for it.
func (s *Service) SavePlan(ctx context.Context, userID string, id int64, text string, confirm *ConfirmTo) (*store.Session, error) {
	text = CleanText(text)
	if text == "" {
		return nil, fail(CodeEmptyAnswer, "id", id)
	}
	if err := checkAnswer(id, text); err != nil {
		return nil, err
	}
	return s.answer(ctx, userID, id, PhaseRatings, func(tx store.Tx, sess *store.Session, _ store.Evaluation, now time.Time) (bool, error) {
		planned, err := s.setPlan(ctx, tx, sess, userID, text, now)
		if err != nil {
			return false, err
		}
		confirmed, err := oweConfirmation(ctx, tx, userID, confirm, FormReply{Saved: SavedPlan, Session: sess.ID, Title: sess.Title}, now)
		return planned || confirmed, err
	})
}

func (s *Service) setPlan(ctx context.Context, tx store.Tx, sess *store.Session, userID, text string, now time.Time) (bool, error) {
	if err := tx.ChangeEvaluation(ctx, sess.ID, userID, store.EvaluationChange{Plan: &text, Awaiting: ptr(store.AwaitNothing)}, now); err != nil {
		return false, err
	}
	ev := s.p.Evaluation
	if !ev.Enabled {
		return false, nil
	}
	// Only those who said what they will apply are followed up.
	at, key := sess.End().Add(ev.FollowUp), planKey(sess)
	for _, row := range []store.Delivery{
		{Kind: KindFollowUp, Due: at},
		{Kind: KindFollowUpNudge, Due: at.Add(ev.NudgeAfter)},
	} {
		row.SessionID, row.Recipient, row.Deadline = sess.ID, userID, s.followUpClose(sess)
		row.Dedupe = fmt.Sprintf("%s:%s:%s", row.Kind, key, userID)
		if err := tx.Enqueue(ctx, row, now); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Apply stores whether userID applied what they planned from session id:
// one of Applied.
func (s *Service) Apply(ctx context.Context, userID string, id int64, applied string) (*store.Session, error) {
	if !slices.Contains(Applied, applied) {
		return nil, fail(CodeApplied, "applied", applied, "values", Applied)
	}
	return s.answer(ctx, userID, id, PhaseFollowUp, func(tx store.Tx, sess *store.Session, _ store.Evaluation, now time.Time) (bool, error) {
		return false, tx.ChangeEvaluation(ctx, sess.ID, userID, store.EvaluationChange{Applied: &applied}, now)
	})
}

// SaveChange stores what changed for userID since session id, at the
// follow-up (the form), and owes their confirmation when confirm asks
// for it.
func (s *Service) SaveChange(ctx context.Context, userID string, id int64, text string, confirm *ConfirmTo) (*store.Session, error) {
	text = CleanText(text)
	if text == "" {
		return nil, fail(CodeEmptyAnswer, "id", id)
	}
	if err := checkAnswer(id, text); err != nil {
		return nil, err
	}
	return s.answer(ctx, userID, id, PhaseFollowUp, func(tx store.Tx, sess *store.Session, _ store.Evaluation, now time.Time) (bool, error) {
		if err := tx.ChangeEvaluation(ctx, sess.ID, userID, store.EvaluationChange{Changed: &text, Awaiting: ptr(store.AwaitNothing)}, now); err != nil {
			return false, err
		}
		return oweConfirmation(ctx, tx, userID, confirm, FormReply{Saved: SavedChange, Session: sess.ID, Title: sess.Title}, now)
	})
}

// EvaluationForm opens the form of phase about session id for userID:
// the session and their evaluation so far, once checked they may answer.
func (s *Service) EvaluationForm(ctx context.Context, userID string, id int64, phase string) (*store.Session, store.Evaluation, error) {
	var sess *store.Session
	var ev store.Evaluation
	err := s.st.Update(ctx, func(tx store.Tx) (err error) {
		sess, ev, err = s.evaluable(ctx, tx, userID, id, phase, s.now())
		return err
	})
	return sess, ev, err
}

// OptOut records, for good, that userID is never to be asked to evaluate
// a session again: nothing more is sent to them, and their DM replies
// are no longer taken as answers.
func (s *Service) OptOut(ctx context.Context, userID string) error {
	now := s.now()
	return s.update(ctx, func(tx store.Tx) (bool, error) { return false, tx.OptOut(ctx, userID, now) })
}

// EvalStep is what one DM reply did to an evaluation.
type EvalStep struct {
	// Session is what the reply was about; nil when no evaluation waits
	// on this person here (then, as with Step, nothing was stored).
	Session *store.Session
	Phase   string
	Saved   bool // stored as the plan (ratings) or what changed (follow-up)
	Stopped bool // a control word: no words wanted, nothing stored
}

// EvaluationReply takes a DM reply from w as the answer to the
// evaluation question waiting there, if any; stop, when set, means the
// person said they would rather not say (skip, stop).
func (s *Service) EvaluationReply(ctx context.Context, w Walk, text string, stop bool) (EvalStep, error) {
	var st EvalStep
	now := s.now()
	err := s.update(ctx, func(tx store.Tx) (bool, error) {
		st = EvalStep{}
		ev, err := tx.ActiveEvaluation(ctx, w.Channel, w.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return false, errNothingWaits
		}
		if err != nil {
			return false, err
		}
		phase := PhaseRatings
		if ev.Awaiting == store.AwaitChange {
			phase = PhaseFollowUp
		}
		sess, _, err := s.evaluable(ctx, tx, w.UserID, ev.SessionID, phase, now)
		if err != nil {
			return false, err
		}
		st.Session, st.Phase = sess, phase
		if err := s.evalStep(ctx, tx, sess, w, phase, text, stop, &st, now); err != nil {
			return false, err
		}
		return true, oweReply(ctx, tx, w, Reply{Eval: &EvalReply{Session: sess.ID, Phase: phase, Saved: st.Saved, Stopped: st.Stopped}}, now)
	})
	if errors.Is(err, errNothingWaits) {
		return EvalStep{}, nil // as with Step, nothing stored: the caller owes a reply
	}
	if err != nil {
		return EvalStep{}, err
	}
	return st, nil
}

// evalStep stores, in tx, what a DM reply from w says to the evaluation
// of sess waiting in phase, filling st.
func (s *Service) evalStep(ctx context.Context, tx store.Tx, sess *store.Session, w Walk, phase, text string, stop bool, st *EvalStep, now time.Time) error {
	if text = CleanText(text); stop || text == "" {
		st.Stopped = true
		return tx.ChangeEvaluation(ctx, sess.ID, w.UserID, store.EvaluationChange{Awaiting: ptr(store.AwaitNothing)}, now)
	}
	if err := checkAnswer(sess.ID, text); err != nil {
		return err
	}
	st.Saved = true
	if phase == PhaseFollowUp {
		return tx.ChangeEvaluation(ctx, sess.ID, w.UserID, store.EvaluationChange{Changed: &text, Awaiting: ptr(store.AwaitNothing)}, now)
	}
	_, err := s.setPlan(ctx, tx, sess, w.UserID, text, now)
	return err
}

// RepliesToEvaluation reports whether a DM reply from w answers an
// evaluation rather than a lesson walk-through: one waits for words, and
// was asked after the last lesson question (when both wait, the latest
// question is the one the person is answering).
func (s *Service) RepliesToEvaluation(ctx context.Context, w Walk) bool {
	ev, err := s.st.ActiveEvaluation(ctx, w.Channel, w.UserID)
	if err != nil {
		return false
	}
	// A question closed since takes no more replies: they go where they
	// would have gone without it.
	sess, err := s.st.Session(ctx, ev.SessionID)
	if err != nil {
		return false
	}
	closes := s.ratingsClose(sess)
	if ev.Awaiting == store.AwaitChange {
		closes = s.followUpClose(sess)
	}
	if !s.now().Before(closes) {
		return false
	}
	p, err := s.st.ActivePrompt(ctx, w.Channel, w.UserID)
	if err != nil {
		return true
	}
	return !ev.AwaitingSince.Before(p.Updated)
}

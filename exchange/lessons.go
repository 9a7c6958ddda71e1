package exchange

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// held refuses lessons for a session that has not ended yet.
func held(sess *store.Session, now time.Time) error {
	if sess.End().After(now) {
		return fail(CodeNotHeld, "id", sess.ID, "end", sess.End())
	}
	return nil
}

// mayAnswer reports whether userID answers the session's questions: the
// people prompts go to, and anyone already prompted (a speaker since
// removed keeps their prompt).
func (s *Service) mayAnswer(ctx context.Context, sess *store.Session, userID string) (bool, error) {
	if slices.Contains(PromptRecipients(sess), userID) {
		return true, nil
	}
	_, err := s.st.Prompt(ctx, sess.ID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// answerable loads a session userID wants to answer the questions of and
// checks they may, now.
func (s *Service) answerable(ctx context.Context, userID string, id int64) (*store.Session, error) {
	sess, err := s.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.mayAnswer(ctx, sess, userID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fail(CodeMayNotAnswer, "id", sess.ID)
	}
	if err := held(sess, s.now()); err != nil {
		return nil, err
	}
	return sess, nil
}

// Capture opens the lesson form: the session and userID's answers so
// far by question, once the session has been held and if they answer it.
func (s *Service) Capture(ctx context.Context, userID string, id int64) (*store.Session, map[int]string, error) {
	sess, err := s.answerable(ctx, userID, id)
	if err != nil {
		return nil, nil, err
	}
	lessons, err := s.st.Lessons(ctx, sess.ID)
	if err != nil {
		return nil, nil, err
	}
	mine := map[int]string{}
	for _, l := range lessons {
		if l.UserID == userID {
			mine[l.QuestionIdx] = l.Answer
		}
	}
	return sess, mine, nil
}

// SubmitAnswers stores a form of answers by question index, asked in
// lang; blank ones keep what was there. The form answers the person's
// prompt, so their walk-through is done. It returns how many answers it
// stored, and owes their confirmation when confirm asks for it.
func (s *Service) SubmitAnswers(ctx context.Context, userID, lang string, id int64, answers map[int]string, confirm *ConfirmTo) (*store.Session, int, error) {
	qs := s.p.Lessons.QuestionsIn(lang)
	sess, err := s.answerable(ctx, userID, id)
	if err != nil {
		return nil, 0, err
	}
	var given []store.Lesson
	for i, q := range qs {
		if a := strings.TrimSpace(answers[i]); a != "" {
			given = append(given, store.Lesson{SessionID: sess.ID, UserID: userID, QuestionIdx: i, Question: q, Answer: a})
		}
	}
	if len(given) == 0 {
		return nil, 0, fail(CodeNoAnswers, "id", sess.ID)
	}
	now := s.now()
	err = s.update(ctx, func(tx store.Tx) (bool, error) {
		for _, l := range given {
			if _, err := tx.SaveAnswer(ctx, l, now); err != nil {
				return false, err
			}
		}
		// DM replies would now overwrite what the form gave.
		if err := tx.AdvancePrompt(ctx, sess.ID, userID, len(qs), store.PromptDone, now); err != nil {
			return false, err
		}
		if err := oweHomes(ctx, tx, now, userID); err != nil {
			return false, err
		}
		confirmed, err := oweConfirmation(ctx, tx, userID, confirm, FormReply{Saved: SavedLessons, Session: sess.ID, Title: sess.Title, Answers: len(given)}, now)
		if err != nil {
			return false, err
		}
		summarized, err := s.summarizeIfAllAnswered(ctx, tx, sess, now)
		return confirmed || summarized, err
	})
	if err != nil {
		return nil, 0, err
	}
	return sess, len(given), nil
}

// summarizeIfAllAnswered makes the summary due now once every Slack
// speaker is through with their prompt, instead of at close_after. It
// reports whether it did.
func (s *Service) summarizeIfAllAnswered(ctx context.Context, tx store.Tx, sess *store.Session, now time.Time) (bool, error) {
	if sess.Cancelled() {
		return false, nil
	}
	prompts, err := tx.Prompts(ctx, sess.ID)
	if err != nil {
		return false, err
	}
	through := map[string]bool{}
	for _, p := range prompts {
		through[p.UserID] = p.Finished()
	}
	// Speakers outside Slack count once they can answer: by email, or
	// through a link their session's creator forwards.
	speakers := 0
	for _, sp := range sess.Speakers {
		if sp.UserID == "" && (sp.Email == "" || !s.p.Mail && sess.Creator == "") {
			continue
		}
		if !through[sp.Key()] {
			return false, nil
		}
		speakers++
	}
	if speakers == 0 {
		return false, nil
	}
	return tx.ExpediteDelivery(ctx, SummaryKey(sess), now)
}

// RecordPrompt notes that userID was asked about the session in channel
// and starts their walk-through there; a retried prompt keeps how far
// they got. A sender records it before the first question is out, so a
// quick reply finds it.
func (s *Service) RecordPrompt(ctx context.Context, sessionID int64, userID, channel string) (store.Prompt, error) {
	var p store.Prompt
	now := s.now()
	err := s.update(ctx, func(tx store.Tx) (bool, error) {
		var err error
		if p, err = tx.RecordPrompt(ctx, sessionID, userID, channel, now); err != nil {
			return false, err
		}
		// Their Home lists the questions waiting on them.
		return true, oweHomes(ctx, tx, now, userID)
	})
	return p, err
}

// Nudge reports whether userID is still owed the one nudge about the
// session, and the question to show: not when they answered anything,
// said stop, or were never prompted.
func (s *Service) Nudge(ctx context.Context, sess *store.Session, userID string) (next int, ok bool, err error) {
	qs := s.p.Lessons.Questions
	if sess.Cancelled() || len(qs) == 0 {
		return 0, false, nil
	}
	answered, err := s.st.Answered(ctx, sess.ID)
	if err != nil || answered[userID] > 0 {
		return 0, false, err
	}
	p, err := s.st.Prompt(ctx, sess.ID, userID)
	if errors.Is(err, store.ErrNotFound) || err == nil && p.Finished() {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return min(p.NextQuestion, len(qs)-1), true, nil
}

// OweSummaryThread owes, once, the copy of a summary that goes under the
// announcement, when d is the planned summary row (to lessons.channel).
// Splitting it in two rows keeps one post per row, so a retry repeats
// neither.
func (s *Service) OweSummaryThread(ctx context.Context, d store.Delivery, sess *store.Session) error {
	if d.InThread || sess.Channel == "" {
		return nil
	}
	now := s.now()
	return s.update(ctx, func(tx store.Tx) (bool, error) {
		return true, tx.Enqueue(ctx, store.Delivery{
			Kind: KindSummary, SessionID: sess.ID, Recipient: sess.Channel, InThread: true, Due: now,
			Dedupe: SummaryThreadKey(d.Dedupe),
		}, now)
	})
}

// Lessons returns one session and its lessons, speaker by speaker.
func (s *Service) Lessons(ctx context.Context, id int64) (*store.Session, []store.Lesson, error) {
	sess, err := s.Session(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	lessons, err := s.st.Lessons(ctx, sess.ID)
	return sess, lessons, err
}

// LatestLessons lists the most recently given or edited answers.
func (s *Service) LatestLessons(ctx context.Context, limit int) ([]store.Lesson, error) {
	return s.st.LatestLessons(ctx, limit)
}

// Search finds lessons matching words, best first; see store.Search.
func (s *Service) Search(ctx context.Context, words string, limit int) ([]store.SearchResult, error) {
	return s.st.Search(ctx, words, limit)
}

// AddedKey is the key recorded when the message with ts (in a person's
// conversation with the bot) is added to userID's lessons of a session:
// every press of the offer to add it names the same message, so the key
// makes a second press change nothing, whatever its own request key.
func AddedKey(sessionID int64, userID, ts string) string {
	return fmt.Sprintf("%sadded:%d:%s:%s", store.KeptKeyPrefix, sessionID, userID, ts)
}

// AddAnswer adds text, the message with ts, to userID's lessons of
// session id: as the answer to the question they stopped at, or after
// what they already answered to it. It returns the question's index.
// With confirm it owes them a confirmation of it (SavedAdded) in the
// same transaction.
//
// Everything it decides on (the session, whether they answer it, where
// they stopped) is read inside the transaction, and the answer grows in
// one statement (Tx.AppendAnswer), so two messages added at once both
// land. The message is added once: the transaction records AddedKey
// instead of the request's own key (a request that names the message
// cannot be told from a second press), and a message already added is
// refused with CodeAlreadyAdded. The key is a kept one, so an offer
// pressed again days later is still refused. An empty ts names no
// message and adds every time.
func (s *Service) AddAnswer(ctx context.Context, userID string, id int64, ts, text string, confirm *ConfirmTo) (*store.Session, int, error) {
	qs := s.p.Lessons.Questions
	text = CleanText(text)
	if len(qs) == 0 || text == "" {
		return nil, 0, fail(CodeNoAnswers, "id", id)
	}
	if ts != "" {
		ctx = store.WithRequestKey(ctx, AddedKey(id, userID, ts))
	}
	var sess *store.Session
	var i int
	now := s.now()
	err := s.update(ctx, func(tx store.Tx) (bool, error) {
		var err error
		if sess, i, err = s.addingTo(ctx, tx, userID, id, now); err != nil {
			return false, err
		}
		l := store.Lesson{SessionID: sess.ID, UserID: userID, QuestionIdx: i, Question: qs[i], Answer: text}
		if err := tx.AppendAnswer(ctx, l, now); err != nil {
			return false, err
		}
		f := FormReply{Saved: SavedAdded, Session: sess.ID, Title: sess.Title, Question: i}
		if _, err := oweConfirmation(ctx, tx, userID, confirm, f, now); err != nil {
			return false, err
		}
		return true, oweHomes(ctx, tx, now, userID)
	})
	if errors.Is(err, store.ErrDuplicate) && ts != "" {
		return nil, 0, fail(CodeAlreadyAdded, "id", id)
	}
	if err != nil {
		return nil, 0, err
	}
	return sess, i, nil
}

// addingTo checks, in tx, that userID may add to their lessons of
// session id now (as answerable does), and returns the session and the
// question added to: where their walk-through stopped, else the last.
func (s *Service) addingTo(ctx context.Context, tx store.Tx, userID string, id int64, now time.Time) (*store.Session, int, error) {
	sess, err := tx.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, fail(CodeNotFound, "id", id)
	}
	if err != nil {
		return nil, 0, err
	}
	prompts, err := tx.Prompts(ctx, sess.ID)
	if err != nil {
		return nil, 0, err
	}
	qs := s.p.Lessons.Questions
	i, prompted := len(qs)-1, false
	for _, p := range prompts {
		if p.UserID == userID {
			i, prompted = min(p.NextQuestion, len(qs)-1), true
		}
	}
	if !prompted && !slices.Contains(PromptRecipients(sess), userID) {
		return nil, 0, fail(CodeMayNotAnswer, "id", sess.ID)
	}
	if err := held(sess, now); err != nil {
		return nil, 0, err
	}
	return sess, i, nil
}

// Library lists lessons for the library: ranked when q has words, else
// the latest first, within q's partner, kind and period.
func (s *Service) Library(ctx context.Context, q store.LessonQuery) ([]store.SearchResult, error) {
	if !q.From.IsZero() && !q.To.IsZero() && backwards(q.From, q.To) {
		return nil, fail(CodePeriod, "from", q.From, "to", q.To)
	}
	return s.st.Library(ctx, q)
}

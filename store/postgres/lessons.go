package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

const promptColumns = "session_id, user_id, dm_channel, state, next_question, prompted_at, updated_at"

func scanPrompt(row pgx.Row) (store.Prompt, error) {
	var p store.Prompt
	var prompted, updated int64
	err := row.Scan(&p.SessionID, &p.UserID, &p.DMChannel, &p.State, &p.NextQuestion, &prompted, &updated)
	p.PromptedAt = assemble.Time(prompted)
	p.Updated = assemble.Time(updated)
	return p, err
}

// RecordPrompt notes that userID was asked about the session in dmChannel
// and starts the DM walk-through. Recording it again keeps how far the
// person already got.
func (t *Tx) RecordPrompt(ctx context.Context, sessionID int64, userID, dmChannel string, now time.Time) (store.Prompt, error) {
	p, err := scanPrompt(t.q().QueryRow(ctx, `INSERT INTO prompts (session_id, user_id, dm_channel, state, next_question, prompted_at, updated_at)
		VALUES ($1, $2, $3, 'answering', 0, $4, $4)
		ON CONFLICT (session_id, user_id) DO UPDATE SET dm_channel = excluded.dm_channel,
			state = CASE WHEN prompts.state = 'open' THEN 'answering' ELSE prompts.state END, updated_at = excluded.updated_at
		RETURNING `+promptColumns, sessionID, userID, dmChannel, unix(now)))
	if err != nil {
		return store.Prompt{}, fmt.Errorf("store: session %d prompt %s: %w", sessionID, userID, err)
	}
	return p, nil
}

// Prompt returns userID's prompt for the session.
func (s *Store) Prompt(ctx context.Context, sessionID int64, userID string) (store.Prompt, error) {
	p, err := scanPrompt(s.pool.QueryRow(ctx, "SELECT "+promptColumns+" FROM prompts WHERE session_id = $1 AND user_id = $2", sessionID, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Prompt{}, fmt.Errorf("store: session %d prompt %s: %w", sessionID, userID, store.ErrNotFound)
	}
	if err != nil {
		return store.Prompt{}, fmt.Errorf("store: session %d prompt %s: %w", sessionID, userID, err)
	}
	return p, nil
}

// UserPrompts lists every prompt userID was sent, latest first.
func (s *Store) UserPrompts(ctx context.Context, userID string) ([]store.Prompt, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+promptColumns+" FROM prompts WHERE user_id = $1 ORDER BY prompted_at DESC, session_id DESC", userID)
	out, err := collect(rows, err, scanPrompt)
	if err != nil {
		return nil, fmt.Errorf("store: prompts of %s: %w", userID, err)
	}
	return out, nil
}

// ActivePrompt returns the prompt a reply from userID in dmChannel
// answers: the latest one still walking through its questions.
func (t *Tx) ActivePrompt(ctx context.Context, dmChannel, userID string) (store.Prompt, error) {
	return activePrompt(ctx, t.q(), dmChannel, userID)
}

// ActivePrompt reads the prompt a DM reply would answer; see Tx.ActivePrompt.
func (s *Store) ActivePrompt(ctx context.Context, dmChannel, userID string) (store.Prompt, error) {
	return activePrompt(ctx, s.pool, dmChannel, userID)
}

func activePrompt(ctx context.Context, q querier, dmChannel, userID string) (store.Prompt, error) {
	p, err := scanPrompt(q.QueryRow(ctx, "SELECT "+promptColumns+` FROM prompts
		WHERE dm_channel = $1 AND user_id = $2 AND state = 'answering' ORDER BY prompted_at DESC, session_id DESC LIMIT 1`, dmChannel, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Prompt{}, fmt.Errorf("store: active prompt %s in %s: %w", userID, dmChannel, store.ErrNotFound)
	}
	if err != nil {
		return store.Prompt{}, fmt.Errorf("store: active prompt %s in %s: %w", userID, dmChannel, err)
	}
	return p, nil
}

// Prompts lists everyone asked about the session.
func (t *Tx) Prompts(ctx context.Context, sessionID int64) ([]store.Prompt, error) {
	rows, err := t.q().Query(ctx, "SELECT "+promptColumns+" FROM prompts WHERE session_id = $1 ORDER BY prompted_at, user_id", sessionID)
	out, err := collect(rows, err, scanPrompt)
	if err != nil {
		return nil, fmt.Errorf("store: session %d prompts: %w", sessionID, err)
	}
	return out, nil
}

// AdvancePrompt moves a prompt to question next in state, creating it
// when the person answers without having been prompted.
func (t *Tx) AdvancePrompt(ctx context.Context, sessionID int64, userID string, next int, state string, now time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO prompts (session_id, user_id, state, next_question, prompted_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (session_id, user_id) DO UPDATE SET state = excluded.state, next_question = excluded.next_question,
			updated_at = excluded.updated_at`,
		sessionID, userID, state, next, unix(now))
	if err != nil {
		return fmt.Errorf("store: session %d prompt %s: %w", sessionID, userID, err)
	}
	return nil
}

// StopPrompt ends the DM walk-through, keeping the answers given.
func (t *Tx) StopPrompt(ctx context.Context, sessionID int64, userID string, now time.Time) error {
	return t.exec1(ctx, sessionID, "UPDATE prompts SET state = 'stopped', updated_at = $1 WHERE session_id = $2 AND user_id = $3",
		unix(now), sessionID, userID)
}

// SaveAnswer stores l's answer, replacing an earlier answer to the same
// question. Saving the same text again changes nothing. It reports whether
// anything changed.
func (t *Tx) SaveAnswer(ctx context.Context, l store.Lesson, now time.Time) (bool, error) {
	n, err := t.affected(ctx, `INSERT INTO lessons (session_id, user_id, question_idx, question, answer, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)
		ON CONFLICT (session_id, user_id, question_idx) DO UPDATE SET answer = excluded.answer, question = excluded.question,
			updated_at = excluded.updated_at
		WHERE lessons.answer <> excluded.answer OR lessons.question <> excluded.question`,
		l.SessionID, l.UserID, l.QuestionIdx, l.Question, l.Answer, unix(now))
	if err != nil {
		return false, fmt.Errorf("store: session %d lesson of %s: %w", l.SessionID, l.UserID, err)
	}
	return n > 0, nil
}

// AppendAnswer adds l's answer after the one already given to the same
// question, a blank line between, or stores it when there is none. ON
// CONFLICT DO UPDATE locks the row, so appends at once queue up.
func (t *Tx) AppendAnswer(ctx context.Context, l store.Lesson, now time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO lessons (session_id, user_id, question_idx, question, answer, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)
		ON CONFLICT (session_id, user_id, question_idx) DO UPDATE SET answer = lessons.answer || $7::text || excluded.answer,
			question = excluded.question, updated_at = excluded.updated_at`,
		l.SessionID, l.UserID, l.QuestionIdx, l.Question, l.Answer, unix(now), store.AnswerJoin)
	if err != nil {
		return fmt.Errorf("store: session %d lesson of %s: %w", l.SessionID, l.UserID, err)
	}
	return nil
}

const lessonColumns = `l.id, l.session_id, l.user_id, l.question_idx, l.question, l.answer, l.created_at, l.updated_at,
	s.title, s.starts_at, s.kind, s.announce_channel, s.announce_ts`

func scanLesson(row pgx.Row, extra ...any) (store.Lesson, error) {
	var l store.Lesson
	var created, updated, start int64
	dst := append([]any{&l.ID, &l.SessionID, &l.UserID, &l.QuestionIdx, &l.Question, &l.Answer, &created, &updated,
		&l.SessionTitle, &start, &l.SessionKind, &l.AnnounceChannel, &l.AnnounceTS}, extra...)
	err := row.Scan(dst...)
	l.Created = assemble.Time(created)
	l.Updated = assemble.Time(updated)
	l.SessionStart = assemble.Time(start)
	return l, err
}

func (s *Store) queryLessons(ctx context.Context, what, query string, args ...any) ([]store.Lesson, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	out, err := collect(rows, err, func(r pgx.Row) (store.Lesson, error) { return scanLesson(r) })
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// bySpeaker orders one session's lessons speaker by speaker, in the order
// they first answered, then question by question.
const bySpeaker = `(SELECT MIN(f.created_at) FROM lessons f WHERE f.session_id = l.session_id AND f.user_id = l.user_id),
	l.user_id, l.question_idx`

// Lessons lists one session's answers, speaker by speaker.
func (s *Store) Lessons(ctx context.Context, sessionID int64) ([]store.Lesson, error) {
	return s.queryLessons(ctx, fmt.Sprintf("session %d lessons", sessionID), "SELECT "+lessonColumns+`
		FROM lessons l JOIN sessions s ON s.id = l.session_id WHERE l.session_id = $1 ORDER BY `+bySpeaker, sessionID)
}

// LatestLessons lists the most recently given or edited answers.
func (s *Store) LatestLessons(ctx context.Context, limit int) ([]store.Lesson, error) {
	return s.queryLessons(ctx, "latest lessons", "SELECT "+lessonColumns+`
		FROM lessons l JOIN sessions s ON s.id = l.session_id ORDER BY l.updated_at DESC, l.id DESC LIMIT $1`, limit)
}

// AllLessons lists every answer for export: session by session in the
// order they were held, then speaker by speaker.
func (s *Store) AllLessons(ctx context.Context) ([]store.Lesson, error) {
	return s.queryLessons(ctx, "all lessons", "SELECT "+lessonColumns+`
		FROM lessons l JOIN sessions s ON s.id = l.session_id ORDER BY s.starts_at, s.id, `+bySpeaker)
}

// Answered counts each person's answers to the session.
func (s *Store) Answered(ctx context.Context, sessionID int64) (map[string]int, error) {
	return answered(ctx, s.pool, sessionID)
}

// Answered counts answers inside the transaction.
func (t *Tx) Answered(ctx context.Context, sessionID int64) (map[string]int, error) {
	return answered(ctx, t.q(), sessionID)
}

func answered(ctx context.Context, q querier, sessionID int64) (map[string]int, error) {
	rows, err := q.Query(ctx, "SELECT user_id, count(*) FROM lessons WHERE session_id = $1 GROUP BY user_id", sessionID)
	if err != nil {
		return nil, fmt.Errorf("store: session %d answered: %w", sessionID, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var user string
		var n int
		if err := rows.Scan(&user, &n); err != nil {
			return nil, fmt.Errorf("store: session %d answered: %w", sessionID, err)
		}
		out[user] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: session %d answered: %w", sessionID, err)
	}
	return out, nil
}

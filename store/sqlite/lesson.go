package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
	"github.com/exchangebot/exchangebot/store/internal/filter"
)

const promptColumns = "session_id, user_id, dm_channel, state, next_question, prompted_at, updated_at"

func scanPrompt(sc scanner) (store.Prompt, error) {
	var p store.Prompt
	var prompted, updated int64
	err := sc.Scan(&p.SessionID, &p.UserID, &p.DMChannel, &p.State, &p.NextQuestion, &prompted, &updated)
	p.PromptedAt = assemble.Time(prompted)
	p.Updated = assemble.Time(updated)
	return p, err
}

// RecordPrompt notes that userID was asked about the session in
// dmChannel and starts the DM walk-through. Recording it again (a retried
// delivery) keeps how far the person already got.
func (t *Tx) RecordPrompt(ctx context.Context, sessionID int64, userID, dmChannel string, now time.Time) (store.Prompt, error) {
	p, err := scanPrompt(t.tx.QueryRowContext(ctx, `INSERT INTO prompts (session_id, user_id, dm_channel, state, next_question, prompted_at, updated_at)
		VALUES (?, ?, ?, 'answering', 0, ?, ?)
		ON CONFLICT (session_id, user_id) DO UPDATE SET dm_channel = excluded.dm_channel,
			state = CASE WHEN prompts.state = 'open' THEN 'answering' ELSE prompts.state END, updated_at = excluded.updated_at
		RETURNING `+promptColumns, sessionID, userID, dmChannel, now.Unix(), now.Unix()))
	if err != nil {
		return store.Prompt{}, fmt.Errorf("store: session %d prompt %s: %w", sessionID, userID, err)
	}
	return p, nil
}

// Prompt returns userID's prompt for the session.
func (s *Store) Prompt(ctx context.Context, sessionID int64, userID string) (store.Prompt, error) {
	return prompt(ctx, s.db, sessionID, userID)
}

func prompt(ctx context.Context, q querier, sessionID int64, userID string) (store.Prompt, error) {
	p, err := scanPrompt(q.QueryRowContext(ctx, "SELECT "+promptColumns+" FROM prompts WHERE session_id = ? AND user_id = ?", sessionID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Prompt{}, fmt.Errorf("store: session %d prompt %s: %w", sessionID, userID, store.ErrNotFound)
	}
	if err != nil {
		return store.Prompt{}, fmt.Errorf("store: session %d prompt %s: %w", sessionID, userID, err)
	}
	return p, nil
}

// ActivePrompt returns the prompt a reply from userID in dmChannel
// answers: the latest one still walking through its questions. Matching
// the user as well as the channel is what keeps a speaker to their own
// prompts.
func (t *Tx) ActivePrompt(ctx context.Context, dmChannel, userID string) (store.Prompt, error) {
	return activePrompt(ctx, t.tx, dmChannel, userID)
}

// UserPrompts lists every prompt userID was sent, latest first.
func (s *Store) UserPrompts(ctx context.Context, userID string) ([]store.Prompt, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+promptColumns+" FROM prompts WHERE user_id = ? ORDER BY prompted_at DESC, session_id DESC", userID)
	out, err := collect(rows, err, scanPrompt)
	if err != nil {
		return nil, fmt.Errorf("store: prompts of %s: %w", userID, err)
	}
	return out, nil
}

// ActivePrompt reads the prompt a DM reply would answer; see Tx.ActivePrompt.
func (s *Store) ActivePrompt(ctx context.Context, dmChannel, userID string) (store.Prompt, error) {
	return activePrompt(ctx, s.db, dmChannel, userID)
}

func activePrompt(ctx context.Context, q querier, dmChannel, userID string) (store.Prompt, error) {
	p, err := scanPrompt(q.QueryRowContext(ctx, "SELECT "+promptColumns+` FROM prompts
		WHERE dm_channel = ? AND user_id = ? AND state = 'answering' ORDER BY prompted_at DESC, session_id DESC LIMIT 1`, dmChannel, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Prompt{}, fmt.Errorf("store: active prompt %s in %s: %w", userID, dmChannel, store.ErrNotFound)
	}
	if err != nil {
		return store.Prompt{}, fmt.Errorf("store: active prompt %s in %s: %w", userID, dmChannel, err)
	}
	return p, nil
}

// Prompts lists everyone asked about the session.
func (t *Tx) Prompts(ctx context.Context, sessionID int64) ([]store.Prompt, error) {
	return prompts(ctx, t.tx, sessionID)
}

func prompts(ctx context.Context, q querier, sessionID int64) ([]store.Prompt, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+promptColumns+" FROM prompts WHERE session_id = ? ORDER BY prompted_at, user_id", sessionID)
	out, err := collect(rows, err, scanPrompt)
	if err != nil {
		return nil, fmt.Errorf("store: session %d prompts: %w", sessionID, err)
	}
	return out, nil
}

// AdvancePrompt moves a prompt to question next in state. A person who
// answers in the form without having been prompted (the creator of an
// old session) gets a row here too.
func (t *Tx) AdvancePrompt(ctx context.Context, sessionID int64, userID string, next int, state string, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO prompts (session_id, user_id, state, next_question, prompted_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (session_id, user_id) DO UPDATE SET state = excluded.state, next_question = excluded.next_question,
			updated_at = excluded.updated_at`,
		sessionID, userID, state, next, now.Unix(), now.Unix())
	if err != nil {
		return fmt.Errorf("store: session %d prompt %s: %w", sessionID, userID, err)
	}
	return nil
}

// StopPrompt ends the DM walk-through, keeping the answers given.
func (t *Tx) StopPrompt(ctx context.Context, sessionID int64, userID string, now time.Time) error {
	return t.exec1(ctx, sessionID, "UPDATE prompts SET state = 'stopped', updated_at = ? WHERE session_id = ? AND user_id = ?",
		now.Unix(), sessionID, userID)
}

// SaveAnswer stores l's answer, replacing an earlier answer to the same
// question. Saving the same text again changes nothing, so a redelivered
// message is harmless. It reports whether anything changed.
func (t *Tx) SaveAnswer(ctx context.Context, l store.Lesson, now time.Time) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO lessons (session_id, user_id, question_idx, question, answer, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (session_id, user_id, question_idx) DO UPDATE SET answer = excluded.answer, question = excluded.question,
			updated_at = excluded.updated_at
		WHERE lessons.answer <> excluded.answer OR lessons.question <> excluded.question`,
		l.SessionID, l.UserID, l.QuestionIdx, l.Question, l.Answer, now.Unix(), now.Unix())
	if err != nil {
		return false, fmt.Errorf("store: session %d lesson of %s: %w", l.SessionID, l.UserID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// AppendAnswer adds l's answer after the one already given to the same
// question, a blank line between, or stores it when there is none.
func (t *Tx) AppendAnswer(ctx context.Context, l store.Lesson, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO lessons (session_id, user_id, question_idx, question, answer, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (session_id, user_id, question_idx) DO UPDATE SET answer = lessons.answer || ? || excluded.answer,
			question = excluded.question, updated_at = excluded.updated_at`,
		l.SessionID, l.UserID, l.QuestionIdx, l.Question, l.Answer, now.Unix(), now.Unix(), store.AnswerJoin)
	if err != nil {
		return fmt.Errorf("store: session %d lesson of %s: %w", l.SessionID, l.UserID, err)
	}
	return nil
}

const lessonColumns = `l.id, l.session_id, l.user_id, l.question_idx, l.question, l.answer, l.created_at, l.updated_at,
	s.title, s.starts_at, s.kind, s.announce_channel, s.announce_ts`

func scanLesson(sc scanner, extra ...any) (store.Lesson, error) {
	var l store.Lesson
	var created, updated, start int64
	dst := append([]any{&l.ID, &l.SessionID, &l.UserID, &l.QuestionIdx, &l.Question, &l.Answer, &created, &updated,
		&l.SessionTitle, &start, &l.SessionKind, &l.AnnounceChannel, &l.AnnounceTS}, extra...)
	err := sc.Scan(dst...)
	l.Created = assemble.Time(created)
	l.Updated = assemble.Time(updated)
	l.SessionStart = assemble.Time(start)
	return l, err
}

func (s *Store) queryLessons(ctx context.Context, what, query string, args ...any) ([]store.Lesson, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	out, err := collect(rows, err, func(sc scanner) (store.Lesson, error) { return scanLesson(sc) })
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
		FROM lessons l JOIN sessions s ON s.id = l.session_id WHERE l.session_id = ? ORDER BY `+bySpeaker, sessionID)
}

// LatestLessons lists the most recently given or edited answers.
func (s *Store) LatestLessons(ctx context.Context, limit int) ([]store.Lesson, error) {
	return s.queryLessons(ctx, "latest lessons", "SELECT "+lessonColumns+`
		FROM lessons l JOIN sessions s ON s.id = l.session_id ORDER BY l.updated_at DESC, l.id DESC LIMIT ?`, limit)
}

// AllLessons lists every answer for export: session by session in the
// order they were held, then speaker by speaker.
func (s *Store) AllLessons(ctx context.Context) ([]store.Lesson, error) {
	return s.queryLessons(ctx, "all lessons", "SELECT "+lessonColumns+`
		FROM lessons l JOIN sessions s ON s.id = l.session_id ORDER BY s.starts_at, s.id, `+bySpeaker)
}

// Answered counts each person's answers to the session.
func (s *Store) Answered(ctx context.Context, sessionID int64) (map[string]int, error) {
	return answered(ctx, s.db, sessionID)
}

// Answered counts answers inside the transaction.
func (t *Tx) Answered(ctx context.Context, sessionID int64) (map[string]int, error) {
	return answered(ctx, t.tx, sessionID)
}

func answered(ctx context.Context, q querier, sessionID int64) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, "SELECT user_id, COUNT(*) FROM lessons WHERE session_id = ? GROUP BY user_id", sessionID)
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

// Search finds answers matching words, best first. Every word must match;
// "quoted words" match as a phrase and a word ending in * as a prefix
// (evalua* finds "evaluaciones"). When nothing matches every word, any
// word will do, so a long query still finds something. Case and accents
// are ignored.
func (s *Store) Search(ctx context.Context, words string, limit int) ([]store.SearchResult, error) {
	terms := ftsTerms(words)
	if len(terms) == 0 {
		return nil, nil
	}
	res, err := s.search(ctx, strings.Join(terms, " "), limit)
	if err != nil || len(res) > 0 || len(terms) == 1 {
		return res, err
	}
	return s.search(ctx, strings.Join(terms, " OR "), limit)
}

// searchRank weighs a match in the answer well above one in the question,
// since every answer to a question shares its words.
const searchRank = "bm25(0.2, 1.0)"

// maxRanked bounds the answers one search ranks. bm25 costs about a
// microsecond per matching answer, so a word found in most of 50,000
// answers would take tens of milliseconds; past this many matches only
// the newest are ranked, which keeps a search within a few milliseconds.
const maxRanked = 2000

func (s *Store) search(ctx context.Context, match string, limit int) ([]store.SearchResult, error) {
	return s.searchWhere(ctx, match, store.LessonQuery{Limit: limit})
}

// searchWhere is search narrowed by q's filters, up to q.Limit results;
// q's words are already in match.
func (s *Store) searchWhere(ctx context.Context, match string, q store.LessonQuery) ([]store.SearchResult, error) {
	// Walking the doclist newest first is cheap next to ranking it.
	var oldest int64
	err := s.db.QueryRowContext(ctx, "SELECT rowid FROM lessons_fts WHERE lessons_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
		match, maxRanked-1).Scan(&oldest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: search %q: %w", match, err)
	}
	// Ordering by the rank column lets FTS5 sort and stop at the limit
	// itself, so snippet() runs only for the rows returned.
	args := filter.NewArgs("?")
	query := "SELECT " + lessonColumns + `, snippet(lessons_fts, 1, ` + args.Add(store.MarkStart) + `, ` + args.Add(store.MarkEnd) + `, '…', 24), lessons_fts.rank
		FROM lessons_fts JOIN lessons l ON l.id = lessons_fts.rowid JOIN sessions s ON s.id = l.session_id
		WHERE lessons_fts MATCH ` + args.Add(match) + ` AND lessons_fts.rank MATCH ` + args.Add(searchRank) + ` AND lessons_fts.rowid >= ` + args.Add(oldest) +
		filter.Lessons(q, args) + ` ORDER BY lessons_fts.rank LIMIT ` + args.Add(q.Limit)
	rows, err := s.db.QueryContext(ctx, query, args.List()...)
	out, err := collect(rows, err, func(sc scanner) (r store.SearchResult, err error) {
		r.Lesson, err = scanLesson(sc, &r.Snippet, &r.Rank)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", match, err)
	}
	return out, nil
}

// ftsTerms turns what a person typed into FTS5 terms. Every term is
// quoted, so nothing typed (AND, NEAR, a : or parenthesis) is read as
// query syntax. Prefix matching is only on request (a trailing *): it
// doubles the cost of a search, as FTS5 merges every matching term's
// list in memory.
func ftsTerms(words string) []string {
	words = filter.Words(words)
	var terms []string
	add := func(t string, prefix bool) {
		if strings.IndexFunc(t, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			return // only punctuation: the tokenizer would leave an empty phrase
		}
		t = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		if prefix {
			t += "*"
		}
		terms = append(terms, t)
	}
	for rest := words; rest != ""; {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 { // an unclosed quote: the rest is the phrase
				add(rest[1:], false)
				break
			}
			add(rest[1:1+end], false)
			rest = rest[2+end:]
			continue
		}
		end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
		if end < 0 {
			end = len(rest)
		}
		word := rest[:end]
		add(strings.TrimRight(word, "*"), strings.HasSuffix(word, "*"))
		rest = rest[end:]
	}
	return terms
}

// ExpediteDelivery makes the pending delivery with the dedupe key due now
// (the summary, once every speaker has answered). Enqueueing the same key
// would not do it: Enqueue leaves a live row alone. It reports whether a
// row moved.
func (t *Tx) ExpediteDelivery(ctx context.Context, dedupe string, now time.Time) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE outbox SET due_at = ?, next_attempt_at = ?, updated_at = ?
		WHERE dedupe = ? AND state = 'pending' AND next_attempt_at > ?`, now.Unix(), now.Unix(), now.Unix(), dedupe, now.Unix())
	if err != nil {
		return false, fmt.Errorf("store: expedite %s: %w", dedupe, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

package sqlite

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
	"github.com/exchangebot/exchangebot/store/internal/filter"
)

// IssueAnswerToken makes a new answer link token for email at the
// session; only its hash is stored.
func (t *Tx) IssueAnswerToken(ctx context.Context, sessionID int64, email string, now time.Time) (string, error) {
	token, hash, err := assemble.NewToken()
	if err != nil {
		return "", fmt.Errorf("store: answer token: %w", err)
	}
	_, err = t.exec(ctx, "INSERT INTO answer_tokens (token_hash, session_id, email, created_at) VALUES (?, ?, ?, ?)",
		hash, sessionID, strings.ToLower(email), now.Unix())
	if err != nil {
		return "", fmt.Errorf("store: answer token for session %d: %w", sessionID, err)
	}
	return token, nil
}

// AnswerToken returns what token stands for, or ErrNotFound.
func (s *Store) AnswerToken(ctx context.Context, token string) (store.AnswerToken, error) {
	want := assemble.TokenHash(token)
	var a store.AnswerToken
	var got []byte
	var created int64
	err := s.db.QueryRowContext(ctx, "SELECT token_hash, session_id, email, created_at FROM answer_tokens WHERE token_hash = ?", want).
		Scan(&got, &a.SessionID, &a.Email, &created)
	if errors.Is(err, sql.ErrNoRows) || err == nil && subtle.ConstantTimeCompare(got, want) != 1 {
		return store.AnswerToken{}, fmt.Errorf("store: answer token: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.AnswerToken{}, fmt.Errorf("store: answer token: %w", err)
	}
	a.Created = assemble.Time(created)
	return a, nil
}

// Library lists lessons matching q; see store.Store.
func (s *Store) Library(ctx context.Context, q store.LessonQuery) ([]store.SearchResult, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	if strings.TrimSpace(q.Words) == "" {
		args := filter.NewArgs("?")
		query := "SELECT " + lessonColumns + `
			FROM lessons l JOIN sessions s ON s.id = l.session_id WHERE 1` + filter.Lessons(q, args) + `
			ORDER BY l.updated_at DESC, l.id DESC LIMIT ` + args.Add(q.Limit)
		rows, err := s.db.QueryContext(ctx, query, args.List()...)
		out, err := collect(rows, err, func(sc scanner) (r store.SearchResult, err error) {
			r.Lesson, err = scanLesson(sc)
			r.Snippet = r.Answer
			return r, err
		})
		if err != nil {
			return nil, fmt.Errorf("store: library: %w", err)
		}
		return out, nil
	}
	terms := ftsTerms(q.Words)
	if len(terms) == 0 {
		return nil, nil
	}
	res, err := s.searchWhere(ctx, strings.Join(terms, " "), q)
	if err != nil || len(res) > 0 || len(terms) == 1 {
		return res, err
	}
	return s.searchWhere(ctx, strings.Join(terms, " OR "), q)
}

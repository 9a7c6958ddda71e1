package postgres

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

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
	_, err = t.exec(ctx, "INSERT INTO answer_tokens (token_hash, session_id, email, created_at) VALUES ($1, $2, $3, $4)",
		hash, sessionID, strings.ToLower(email), unix(now))
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
	err := s.pool.QueryRow(ctx, "SELECT token_hash, session_id, email, created_at FROM answer_tokens WHERE token_hash = $1", want).
		Scan(&got, &a.SessionID, &a.Email, &created)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && subtle.ConstantTimeCompare(got, want) != 1 {
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
		args := filter.NewArgs("$")
		query := "SELECT " + lessonColumns + `
			FROM lessons l JOIN sessions s ON s.id = l.session_id WHERE true` + filter.Lessons(q, args) +
			" ORDER BY l.updated_at DESC, l.id DESC LIMIT " + args.Add(q.Limit)
		rows, err := s.pool.Query(ctx, query, args.List()...)
		out, err := collect(rows, err, func(row pgx.Row) (r store.SearchResult, err error) {
			r.Lesson, err = scanLesson(row)
			r.Snippet = r.Answer
			return r, err
		})
		if err != nil {
			return nil, fmt.Errorf("store: library: %w", err)
		}
		return out, nil
	}
	terms := searchTerms(q.Words)
	if len(terms) == 0 {
		return nil, nil
	}
	return s.searchAll(ctx, terms, q)
}

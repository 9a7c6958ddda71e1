package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/internal/assemble"
)

// RotateFeedToken gives the user a new random feed token, revoking any
// previous one. Only its hash is stored, so the token is returned once.
func (t *Tx) RotateFeedToken(ctx context.Context, userID string, now time.Time) (string, error) {
	token, hash, err := assemble.NewToken()
	if err != nil {
		return "", fmt.Errorf("store: feed token: %w", err)
	}
	_, err = t.exec(ctx, `INSERT INTO feed_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		userID, hash, now.Unix())
	if err != nil {
		return "", fmt.Errorf("store: feed token for %s: %w", userID, err)
	}
	return token, nil
}

// FeedTokenCreated reports when the user's current token was made, or
// ErrNotFound when they have none.
func (s *Store) FeedTokenCreated(ctx context.Context, userID string) (time.Time, error) {
	var at int64
	err := s.db.QueryRowContext(ctx, "SELECT created_at FROM feed_tokens WHERE user_id = ?", userID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("store: feed token for %s: %w", userID, store.ErrNotFound)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: feed token for %s: %w", userID, err)
	}
	return assemble.Time(at), nil
}

// FeedTokenUser returns the user a feed token belongs to, or ErrNotFound
// for an unknown or revoked token.
func (s *Store) FeedTokenUser(ctx context.Context, token string) (string, error) {
	want := assemble.TokenHash(token)
	var user string
	var got []byte
	err := s.db.QueryRowContext(ctx, "SELECT user_id, token_hash FROM feed_tokens WHERE token_hash = ?", want).Scan(&user, &got)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: feed token: %w", store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: feed token: %w", err)
	}
	// The index lookup already matched; the constant-time compare keeps the
	// final decision free of early-exit timing whatever the index does.
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return "", fmt.Errorf("store: feed token: %w", store.ErrNotFound)
	}
	return user, nil
}

// serverKeyBytes is the size of a ServerKey: 256 bits for HMAC-SHA256.
const serverKeyBytes = 32

// ServerKey returns the secret kept under name, making it on first use.
// Two processes making it at once both insert-or-ignore, then both read
// the one that won.
func (s *Store) ServerKey(ctx context.Context, name string) ([]byte, error) {
	var key []byte
	err := s.db.QueryRowContext(ctx, "SELECT key FROM server_keys WHERE name = ?", name).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		fresh := make([]byte, serverKeyBytes)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("store: server key %s: %w", name, err)
		}
		if _, err := s.exec(ctx, "INSERT INTO server_keys (name, key, created_at) VALUES (?, ?, unixepoch()) ON CONFLICT (name) DO NOTHING", name, fresh); err != nil {
			return nil, fmt.Errorf("store: server key %s: %w", name, err)
		}
		err = s.db.QueryRowContext(ctx, "SELECT key FROM server_keys WHERE name = ?", name).Scan(&key)
	}
	if err != nil {
		return nil, fmt.Errorf("store: server key %s: %w", name, err)
	}
	return key, nil
}

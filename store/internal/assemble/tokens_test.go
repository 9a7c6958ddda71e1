package assemble

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"
)

// TestTokenHash pins the hash: tokens issued before a change, or copied
// from the other backend, must still be found.
func TestTokenHash(t *testing.T) {
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" // SHA-256 of "abc"
	if got := hex.EncodeToString(TokenHash("abc")); got != want {
		t.Errorf("TokenHash(abc) = %s, want %s", got, want)
	}
}

func TestNewToken(t *testing.T) {
	token, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 24 {
		t.Errorf("token %q: %d bytes (%v), want 24 in URL-safe base64", token, len(raw), err)
	}
	if !bytes.Equal(hash, TokenHash(token)) {
		t.Errorf("hash %x is not TokenHash(token) %x", hash, TokenHash(token))
	}
	other, _, err := NewToken()
	if err != nil || other == token {
		t.Errorf("a second token %q (%v), want a different one", other, err)
	}
}

func TestCeilUnix(t *testing.T) {
	sec := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		t    time.Time
		want int64
	}{
		{"whole second", sec, sec.Unix()},
		{"a nanosecond after", sec.Add(time.Nanosecond), sec.Unix() + 1},
		{"just before the next", sec.Add(time.Second - time.Nanosecond), sec.Unix() + 1},
		{"in another zone", sec.Add(500 * time.Millisecond).In(time.FixedZone("UTC-6", -6*3600)), sec.Unix() + 1},
	}
	for _, tt := range tests {
		if got := CeilUnix(tt.t); got != tt.want {
			t.Errorf("%s: CeilUnix(%v) = %d, want %d", tt.name, tt.t, got, tt.want)
		}
	}
}

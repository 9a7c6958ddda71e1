package assemble

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// tokenBytes gives 192 random bits, above the 128 the feeds need.
const tokenBytes = 24

// NewToken makes a random token for a link (a feed, an answer link) and
// the hash that is stored in its place: the token itself is shown once
// and never kept.
func NewToken() (token string, hash []byte, err error) {
	buf := make([]byte, tokenBytes)
	if _, err := rand.Read(buf); err != nil {
		return "", nil, err
	}
	token = base64.RawURLEncoding.EncodeToString(buf)
	return token, TokenHash(token), nil
}

// TokenHash is what is stored for token, and looked up when it comes
// back. Both backends hash alike, so the hashes copied from one to the
// other still find their links.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

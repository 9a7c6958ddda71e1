package calendar

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// Site is where the feeds are served and how session links are made.
type Site struct {
	// BaseURL is the server's public root, as in links shared in Slack.
	BaseURL string
	// SessionKey, when set, signs session feed links: each carries a
	// secret derived from its session id, and a bare id is refused. It is
	// nil when feeds are public.
	SessionKey []byte
}

// SessionURL is the one-event calendar of a session, for "add to
// calendar": /calendar/session/<id>.ics, or /calendar/session/<id>-<secret>.ics
// when links are signed.
func (s Site) SessionURL(id int64) string {
	u := strings.TrimRight(s.BaseURL, "/") + "/calendar/session/" + strconv.FormatInt(id, 10)
	if s.SessionKey != nil {
		u += "-" + sessionSecret(s.SessionKey, id)
	}
	return u + ".ics"
}

// sessionSecret is what a signed session link carries: 128 bits of
// HMAC-SHA256 of the id under the server's key, in base64url.
//
// Derived rather than drawn at random and stored per session: any process
// with the key (the server, the CLI posting an announcement) builds the
// same link without a read, sessions made before feeds went private get
// links without a backfill, and a check costs a hash, not a query. The
// price is that one session's link cannot be revoked alone; replacing the
// key revokes them all. The key itself is random (crypto/rand, 256 bits)
// and kept in the database, so every process sharing it agrees.
func sessionSecret(key []byte, id int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("exchangebot session feed\x00"))
	m.Write(strconv.AppendInt(nil, id, 10))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// checkSessionSecret reports whether secret is session id's under key.
func checkSessionSecret(key []byte, id int64, secret string) bool {
	if key == nil {
		return false
	}
	return hmac.Equal([]byte(secret), []byte(sessionSecret(key, id)))
}

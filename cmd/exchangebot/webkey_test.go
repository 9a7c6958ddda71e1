package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exchangebot/exchangebot/store/sqlite"
)

// The key of sign-in cookies and form tokens is the configured one, else
// one kept in the database: every process on that database (a restart, a
// replica, the CLI) gets the same key, and another database another.
func TestWebKeyIsConfiguredOrKeptInTheDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keyOf := func(file string, cfg *Config) []byte {
		t.Helper()
		st, err := sqlite.Open(ctx, filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		k, err := webKey(ctx, cfg, st)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	empty := &Config{}
	first, again, other := keyOf("a.db", empty), keyOf("a.db", empty), keyOf("b.db", empty)
	if len(first) < 32 {
		t.Fatalf("kept key of %d bytes, want 32 or more (web refuses less)", len(first))
	}
	if !bytes.Equal(first, again) {
		t.Error("a second process on the same database got another key: its cookies and forms would be refused")
	}
	if bytes.Equal(first, other) {
		t.Error("two databases share a key")
	}
	set := &Config{}
	set.Web.SessionKey = strings.Repeat("k", 40)
	if got := keyOf("a.db", set); string(got) != set.Web.SessionKey {
		t.Errorf("configured key not used: %q", got)
	}
	if k, _ := sqlite.Open(ctx, filepath.Join(dir, "a.db")); k != nil {
		defer k.Close()
		feed, err := k.ServerKey(ctx, sessionFeedKey)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(feed, first) {
			t.Error("cookies and feed links share one key")
		}
	}
}

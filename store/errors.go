// Package store holds what exchangebot keeps (sessions, speakers, RSVPs,
// feed tokens, the outbox of messages owed, lessons) in the core's words:
// the data types, the Store and Tx interfaces a backend implements, and
// the sentinel errors every backend returns.
//
// Reads are methods on Store; every change runs inside Store.Update, so a
// change and the messages it makes the bot owe commit together. The
// SQLite backend is store/sqlite; store/storetest is the contract suite
// every backend passes. This package imports no other package of ours.
package store

import "errors"

// Sentinel errors. Backends wrap them with context (%w), so callers test
// with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrTooNew    = errors.New("database schema is newer than this program")
	ErrDuplicate = errors.New("already done")
)

package sqlite

import (
	"context"
	"time"
)

// checkpointEvery is how often the write-ahead log is copied back into
// the database file when something was written.
//
// SQLite's own automatic checkpoint runs inside the commit that fills the
// log past 1,000 pages, fsyncing the log and the database while every
// writer waits behind it: under a load of commands those commits were the
// slowest one in a hundred. The connections turn it off
// (wal_autocheckpoint(0)), and this goroutine checkpoints beside the
// writer instead: a PASSIVE checkpoint takes no lock a writer needs. The
// last connection to close checkpoints what is left, as SQLite always does.
var checkpointEvery = time.Second // a variable for tests

func (s *Store) checkpointer(every time.Duration) {
	defer close(s.checkpointerDone)
	t := time.NewTicker(every)
	defer t.Stop()
	var done uint64
	for {
		select {
		case <-s.closing:
			return
		case <-t.C:
		}
		seq := s.writeSeq.Load()
		if seq == done {
			continue
		}
		// A log busy with readers is copied as far as they allow; the next
		// turn does the rest.
		if _, err := s.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)"); err == nil {
			done = seq
		}
	}
}

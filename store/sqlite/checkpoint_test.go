package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/exchangebot/exchangebot/store"
)

// writeRows commits n outbox rows, each in its own Update.
func writeRows(t *testing.T, s *Store, from, n int) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	for i := from; i < from+n; i++ {
		err := s.Update(ctx, func(tx store.Tx) error {
			return tx.Enqueue(ctx, store.Delivery{Kind: "digest", Recipient: "C1", Payload: fmt.Sprintf("%0500d", i), Due: now,
				Dedupe: fmt.Sprintf("checkpoint:%d", i)}, now)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// No commit checkpoints the log, however long it grows: the pages stay
// in the log until the checkpointer, beside the writer, copies them into
// the database file.
func TestCheckpointsBesideTheWriter(t *testing.T) {
	was := checkpointEvery
	checkpointEvery = time.Hour // the checkpointer waits: only commits could checkpoint
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := Open(context.Background(), path)
	checkpointEvery = was
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := fileSize(t, path)
	// About 3,000 pages: three times what SQLite's own automatic
	// checkpoint would let the log hold before a commit copied it back.
	writeRows(t, s, 0, 6000)
	if wal := fileSize(t, path+"-wal"); wal < 1000*4096 {
		t.Fatalf("log of %d bytes; the load is too small to tell", wal)
	}
	if after := fileSize(t, path); after != before {
		t.Fatalf("database file went from %d to %d bytes: a commit checkpointed", before, after)
	}

	// The checkpointer copies the log back when it runs.
	checkpointEvery = 10 * time.Millisecond
	defer func() { checkpointEvery = was }()
	t2, err := Open(context.Background(), path) // a second store on the file, whose checkpointer runs often
	if err != nil {
		t.Fatal(err)
	}
	defer t2.Close()
	writeRows(t, t2, 6000, 1)
	for deadline := time.Now().Add(10 * time.Second); fileSize(t, path) == before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the checkpointer never copied the log into the database file")
		}
	}
}

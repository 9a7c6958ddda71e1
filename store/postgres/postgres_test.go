package postgres

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/exchangebot/exchangebot/internal/pgtest"
	"github.com/exchangebot/exchangebot/store"
	"github.com/exchangebot/exchangebot/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openTest opens a store on a fresh database.
func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	return openTB(t)
}

func openTB(t testing.TB) (*Store, string) {
	t.Helper()
	url := pgtest.URL(t)
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, url
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTest(t)
		return s
	})
}

// Replicas starting together all ask for the same new server key at
// once: each gets it, the same one (a statement whose snapshot predates
// another's insert must look again).
func TestServerKeyMadeByManyAtOnce(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	for round := range 20 {
		name := fmt.Sprint("key", round)
		keys := make([][]byte, 8)
		errs := make([]error, len(keys))
		var wg sync.WaitGroup
		for i := range keys {
			wg.Go(func() { keys[i], errs[i] = s.ServerKey(ctx, name) })
		}
		wg.Wait()
		for i := range keys {
			if errs[i] != nil {
				t.Fatalf("round %d: %v", round, errs[i])
			}
			if !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: two keys for %s", round, name)
			}
		}
	}
}

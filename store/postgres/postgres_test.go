package postgres

import (
	"context"
	"os"
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

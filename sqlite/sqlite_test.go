package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/sqlite"
	"github.com/parleyhq/parley/storetest"
)

// store is a DB with both halves of the contract.
type store struct {
	*sqlite.DB
	*sqlite.SessionStore
	*sqlite.EventStore
}

func open(path string, configure ...func(*sqlite.DB)) (*store, error) {
	db := sqlite.NewDB(path)
	for _, f := range configure {
		f(db)
	}
	if err := db.Open(); err != nil {
		return nil, err
	}
	return &store{db, sqlite.NewSessionStore(db), sqlite.NewEventStore(db)}, nil
}

// MustOpenDB opens a new database in a temporary directory and closes it
// when the test ends.
func MustOpenDB(tb testing.TB, configure ...func(*sqlite.DB)) *store {
	tb.Helper()
	s, err := open(filepath.Join(tb.TempDir(), "parley.db"), configure...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestContract(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name     string
		maxBatch int
	}{{"GroupCommit", 0}, {"OneByOne", 1}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T) storetest.Opener {
				path := filepath.Join(t.TempDir(), "parley.db")
				return func() (storetest.Store, error) {
					return open(path, func(db *sqlite.DB) { db.MaxBatch = mode.maxBatch })
				}
			})
		})
	}
}

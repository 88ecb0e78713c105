package postgres_test

import (
	"os"
	"testing"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/storetest"
)

// The tests share one PostgreSQL cluster, started on first use and stopped
// when they end (internal/pgtest); each takes a schema of its own.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// store is a DB with both halves of the contract.
type store struct {
	*postgres.DB
	*postgres.SessionStore
	*postgres.EventStore
}

func open(url string, configure ...func(*postgres.DB)) (*store, error) {
	db := postgres.NewDB(url)
	for _, f := range configure {
		f(db)
	}
	if err := db.Open(); err != nil {
		return nil, err
	}
	return &store{db, postgres.NewSessionStore(db), postgres.NewEventStore(db)}, nil
}

// MustOpenDB opens a new database (a schema of the shared cluster) and
// closes it when the test ends.
func MustOpenDB(tb testing.TB, configure ...func(*postgres.DB)) (*store, string) {
	tb.Helper()
	url := pgtest.URL(tb)
	s, err := open(url, configure...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s, url
}

// MustOpenTwo opens a new database twice, as two servers on it do (each
// its own pool and committers), and closes both when the test ends.
func MustOpenTwo(tb testing.TB) (a, b *store, url string) {
	tb.Helper()
	a, url = MustOpenDB(tb)
	b, err := open(url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = b.Close() })
	return a, b, url
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
				url := pgtest.URL(t)
				return func() (storetest.Store, error) {
					return open(url, func(db *postgres.DB) { db.MaxBatch = mode.maxBatch })
				}
			})
		})
	}
}

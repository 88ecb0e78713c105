package main

import (
	"net/url"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/sqlite"
)

// store is a database with both halves of the storage contract.
type store interface {
	parley.SessionStore
	parley.EventStore
	Close() error
}

// redactDB returns a --db value fit for logs: a PostgreSQL URL without
// its password.
func redactDB(db string) string {
	if !isPostgresURL(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "(a PostgreSQL URL that does not parse)"
	}
	return u.Redacted()
}

// isPostgresURL reports whether a --db value names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

type sqliteStore struct {
	*sqlite.DB
	*sqlite.SessionStore
	*sqlite.EventStore
}

type postgresStore struct {
	*postgres.DB
	*postgres.SessionStore
	*postgres.EventStore
}

// storeOptions are the settings openStore passes to either database.
type storeOptions struct {
	// ReadOnly opens the database for reading only (no migration, no
	// writes), for audits.
	ReadOnly bool
	// MaxBatch caps the appends of one group commit (0: the database's
	// default; 1 turns group commit off).
	MaxBatch int
}

// openStore opens the database a --db flag names: a PostgreSQL URL or a
// SQLite file.
func openStore(db string, o storeOptions) (store, error) {
	if isPostgresURL(db) {
		d := postgres.NewDB(db)
		d.ReadOnly, d.MaxBatch = o.ReadOnly, o.MaxBatch
		if err := d.Open(); err != nil {
			return nil, err
		}
		return postgresStore{d, postgres.NewSessionStore(d), postgres.NewEventStore(d)}, nil
	}
	d := sqlite.NewDB(db)
	d.ReadOnly, d.MaxBatch = o.ReadOnly, o.MaxBatch
	if err := d.Open(); err != nil {
		return nil, err
	}
	return sqliteStore{d, sqlite.NewSessionStore(d), sqlite.NewEventStore(d)}, nil
}

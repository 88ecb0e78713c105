package main

import (
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

// openStore opens the database a --db flag names: a PostgreSQL URL or a
// SQLite file. readOnly opens it for reading only (no migration, no
// writes), for audits.
func openStore(db string, readOnly bool) (store, error) {
	if isPostgresURL(db) {
		d := postgres.NewDB(db)
		d.ReadOnly = readOnly
		if err := d.Open(); err != nil {
			return nil, err
		}
		return postgresStore{d, postgres.NewSessionStore(d), postgres.NewEventStore(d)}, nil
	}
	d := sqlite.NewDB(db)
	d.ReadOnly = readOnly
	if err := d.Open(); err != nil {
		return nil, err
	}
	return sqliteStore{d, sqlite.NewSessionStore(d), sqlite.NewEventStore(d)}, nil
}

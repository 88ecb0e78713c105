// Package migrate applies a store's embedded SQL migrations: files named
// NNN_what.sql, applied once each, in order, each in its own transaction
// together with its row in schema_migrations.
//
// It is a dozen lines of what a migration tool does, in the shape of
// benbjohnson/wtf's sqlite.migrate, because parley's stores need nothing
// more (no down migrations, no Go migrations, no out-of-order files) and
// pressly/goose v3 would bring its drivers' modules (ClickHouse, MSSQL,
// YDB, the Docker client, ...) into parley's module graph. The SQLite and
// PostgreSQL stores share it; PostgreSQL passes an advisory lock so that
// two servers starting at once do not both migrate.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Dialect is what differs between databases.
type Dialect struct {
	// Placeholder returns the bind parameter n (1-based): "?" for SQLite,
	// "$1", "$2", ... for PostgreSQL.
	Placeholder func(n int) string
	// Lock, if set, runs first in each migration's transaction (PostgreSQL:
	// "SELECT pg_advisory_xact_lock(...)"). SQLite needs none: its
	// transactions take the write lock (BEGIN IMMEDIATE).
	Lock string
}

// Migration is one file: its version (the number its name starts with),
// name and SQL.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Load reads the *.sql files of dir in fsys, sorted by version. Two files
// with one version, or a name that does not start with a number, are
// errors.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, name := range names {
		base := path.Base(name)
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migrate: %s: the name must start with a positive version number and '_'", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrate: %s and %s share version %d", ms[i-1].Name, ms[i].Name, ms[i].Version)
		}
	}
	return ms, nil
}

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`

// Apply applies the migrations db has not applied yet and returns their
// names. A database at a version this build does not know (written by a
// newer parley) is refused.
func Apply(ctx context.Context, db *sql.DB, ms []Migration, d Dialect) ([]string, error) {
	// Under the lock too: in PostgreSQL, two CREATE TABLE IF NOT EXISTS
	// at once can both find no table and one then fails on a duplicate
	// catalog row.
	if err := inTx(ctx, db, d, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, createTable)
		return err
	}); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []string
	for _, m := range ms {
		ok, err := apply(ctx, db, m, d)
		if err != nil {
			return applied, fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		if ok {
			applied = append(applied, m.Name)
		}
	}
	return applied, Check(ctx, db, ms)
}

func apply(ctx context.Context, db *sql.DB, m Migration, d Dialect) (bool, error) {
	done := false
	err := inTx(ctx, db, d, func(tx *sql.Tx) error {
		// Checked inside the transaction, under the lock, so that of two
		// processes migrating at once only one applies each file.
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = "+d.Placeholder(1), m.Version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES ("+d.Placeholder(1)+", "+d.Placeholder(2)+")", m.Version, m.Name); err != nil {
			return err
		}
		done = true
		return nil
	})
	return done && err == nil, err
}

// inTx runs fn in a transaction that holds the dialect's lock and commits
// it if fn succeeds.
func inTx(ctx context.Context, db *sql.DB, d Dialect, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if d.Lock != "" {
		if _, err := tx.ExecContext(ctx, d.Lock); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// ErrVersion is returned (wrapped) by Check when the database's schema is
// not the one this build expects.
var ErrVersion = errors.New("migrate: schema version mismatch")

// Check reports whether db has exactly the migrations ms applied, for
// openers that must not write (a read-only audit).
func Check(ctx context.Context, db *sql.DB, ms []Migration) error {
	var have int
	err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&have)
	if err != nil {
		return fmt.Errorf("%w: no schema_migrations table (not a parley database?): %v", ErrVersion, err)
	}
	want := 0
	if len(ms) > 0 {
		want = ms[len(ms)-1].Version
	}
	switch {
	case have > want:
		return fmt.Errorf("%w: the database is at version %d, newer than this build's %d: use a newer parley", ErrVersion, have, want)
	case have < want:
		return fmt.Errorf("%w: the database is at version %d, this build expects %d: open it with parley serve to migrate it", ErrVersion, have, want)
	}
	return nil
}

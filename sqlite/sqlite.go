// Package sqlite implements parley's storage contract (parley.SessionStore
// and parley.EventStore) on an embedded SQLite database, through
// modernc.org/sqlite (pure Go, no cgo).
//
// The database runs in WAL mode with synchronous=FULL: a commit returns
// once the write-ahead log is on disk, so an acknowledged append survives a
// crash of the process or the machine. One fsync per append would cap
// appends at the disk's fsync rate, so appends go through one writer
// goroutine that commits whatever has queued up while the previous commit
// was syncing in one transaction (group commit); each append returns when
// its batch is durable. Reads use their own connections and never wait for
// the writer (WAL readers see the last commit).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/groupcommit"
	"github.com/parleyhq/parley/internal/migrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrClosed is returned by calls on a closed DB.
var ErrClosed = errors.New("sqlite: database closed")

// ErrReadOnly is returned by writes to a DB opened ReadOnly.
var ErrReadOnly = errors.New("sqlite: database opened read-only")

// Defaults of DB's settings.
const (
	DefaultMaxBatch   = groupcommit.DefaultMaxBatch // appends per group commit
	DefaultQueue      = groupcommit.DefaultQueue
	DefaultReadConns  = 4
	maxBatchEvents    = 8192 // events per group commit, whatever the appends
	busyTimeoutMillis = 10000
)

// DB is a parley database in one SQLite file.
type DB struct {
	// Path is the database file; Open creates it (and its directory) if
	// absent, unless ReadOnly.
	Path string
	// ReadOnly opens an existing database for reading only: no migration,
	// no writer, PRAGMA query_only. Open fails unless the schema is the one
	// this build knows. For audits, which must not change what they check.
	ReadOnly bool
	// MaxBatch caps the appends committed in one transaction (default
	// DefaultMaxBatch). 1 turns group commit off: one transaction, and one
	// fsync, per append.
	MaxBatch int
	// Queue is how many appends may wait for the writer (default
	// DefaultQueue); beyond it AppendEvents blocks (or gives up when its
	// context ends).
	Queue int
	// Now is the clock for SessionRecord.Created (default time.Now).
	Now func() time.Time
	// CheckpointFrames is the size of the write-ahead log, in pages, past
	// which the writer lets it start over (default DefaultCheckpointFrames;
	// checkpoint.go). Checkpoints run in the background, never inside a
	// commit.
	CheckpointFrames int
	// CheckpointInterval is the least time between two background
	// checkpoints (default DefaultCheckpointInterval).
	CheckpointInterval time.Duration

	read  *sql.DB // readers: WAL lets them run beside the writer
	write *sql.DB // one connection, BEGIN IMMEDIATE, used by the writer alone
	ckpt  *sql.DB // one connection, for the background checkpoints
	w     *writer
}

// NewDB returns a DB for the file at path; call Open before use.
func NewDB(path string) *DB {
	return &DB{Path: path, Now: time.Now}
}

// dsn builds the connection string. busy_timeout: a reader checkpointing or
// another process holding the lock makes us wait, not fail. foreign_keys is
// off by default in SQLite and must be set per connection.
func (db *DB) dsn(write bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeoutMillis))
	q.Set("_foreign_keys", "1")
	if db.ReadOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_journal_mode", "WAL")
	}
	// FULL: in WAL mode, NORMAL does not sync the log on commit, and a
	// power cut could lose acknowledged appends.
	q.Set("_synchronous", "FULL")
	if write {
		// Checkpoints run in the background (checkpoint.go), not in the
		// COMMIT that takes the log past 1,000 pages.
		q.Add("_pragma", "wal_autocheckpoint(0)")
		// A log that grew while readers kept it from starting over is cut
		// back to this size when it does.
		q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit(db.CheckpointFrames)))
		// Take the write lock when the transaction starts, so that the
		// heads a batch reads cannot change under it.
		q.Set("_txlock", "immediate")
		// cache_size and mmap_size stay SQLite's defaults (2 MB, none):
		// measured in December, a 16 MB writer cache doubled the idle
		// memory per session (25 to 52 KB: creating sessions fills it
		// with definitions), 6 MB took it to 33 KB, a 256 MB mmap to
		// 32 KB, and none cut the server's CPU per action beyond the
		// noise of loadtest.
	}
	return "file:" + db.Path + "?" + q.Encode()
}

// Open opens the database, creating and migrating it if needed, and starts
// the writer.
func (db *DB) Open() (err error) {
	if db.Path == "" {
		return parley.Errorf(parley.EINVALID, "sqlite: database path required")
	}
	if db.Now == nil {
		db.Now = time.Now
	}
	if db.ReadOnly {
		if _, err := os.Stat(db.Path); err != nil {
			return parley.Errorf(parley.ENOTFOUND, "sqlite: %v", err)
		}
	} else if err := os.MkdirAll(filepath.Dir(db.Path), 0o755); err != nil {
		return err
	}
	ms, err := migrate.Load(migrationFS, "migrations")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			db.closeDBs()
		}
	}()
	if db.read, err = sql.Open("sqlite", db.dsn(false)); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", db.Path, err)
	}
	db.read.SetMaxOpenConns(DefaultReadConns)
	if db.ReadOnly {
		if err := migrate.Check(context.Background(), db.read, ms); err != nil {
			return parley.Errorf(parley.EINVALID, "%s: %v", db.Path, err)
		}
		return nil
	}
	if db.write, err = sql.Open("sqlite", db.dsn(true)); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", db.Path, err)
	}
	db.write.SetMaxOpenConns(1)
	// Keep the writer's connection (and its prepared statements) open.
	db.write.SetConnMaxIdleTime(0)
	db.write.SetMaxIdleConns(1)
	if _, err := migrate.Apply(context.Background(), db.write, ms, migrate.Dialect{Placeholder: func(int) string { return "?" }}); err != nil {
		if errors.Is(err, migrate.ErrVersion) {
			return parley.Errorf(parley.EINVALID, "%s: %v", db.Path, err)
		}
		return fmt.Errorf("sqlite: %s: %w", db.Path, err)
	}
	if db.ckpt, err = sql.Open("sqlite", db.dsn(false)); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", db.Path, err)
	}
	db.ckpt.SetMaxOpenConns(1)
	db.w, err = newWriter(db.write, newCheckpointer(db.ckpt, db.CheckpointFrames, db.CheckpointInterval), db.MaxBatch, db.Queue)
	return err
}

// Close stops the writer once the appends already queued are committed,
// then closes the database. Appends after Close return ErrClosed.
func (db *DB) Close() error {
	if db.w != nil {
		db.w.close()
	}
	return db.closeDBs()
}

func (db *DB) closeDBs() error {
	var errs []error
	for _, d := range []*sql.DB{db.write, db.ckpt, db.read} {
		if d != nil {
			errs = append(errs, d.Close())
		}
	}
	return errors.Join(errs...)
}

// Stats counts what the writer did since Open: appends, events and the
// transactions (each one fsync) they took. Appends/Batches is the mean
// group-commit batch.
type Stats = groupcommit.Stats

// Stats returns the writer's counters.
func (db *DB) Stats() Stats {
	if db.w == nil {
		return Stats{}
	}
	return db.w.q.Stats()
}

// WALStats returns the checkpoint counters (zero for a read-only DB).
func (db *DB) WALStats() WALStats {
	if db.w == nil {
		return WALStats{}
	}
	return db.w.ck.stats()
}

// FormatError translates a driver error into a parley error where one
// fits: a broken UNIQUE or PRIMARY KEY constraint is ECONFLICT. Anything
// else is returned as is (an internal error).
func FormatError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &parley.Error{Code: parley.ECONFLICT, Message: "already exists", Err: err}
		}
	}
	return err
}

func hashOf(b []byte) parley.Hash {
	var h parley.Hash
	// A stored hash of the wrong length (a hand-edited row) keeps what
	// fits; the audit chain then reports the mismatch.
	copy(h[:], b)
	if len(b) != len(h) {
		h[0] ^= 0xff
	}
	return h
}

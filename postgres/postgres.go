// Package postgres implements parley's storage contract (parley.SessionStore
// and parley.EventStore) on PostgreSQL, through jackc/pgx v5, so that
// several `parley serve` processes can share one database.
//
// The schema is the SQLite store's, in PostgreSQL's dialect
// (migrations/NNN_*.sql, embedded and applied by internal/migrate under an
// advisory lock, so that servers starting together do not both migrate).
//
// Appends go through group commit (internal/groupcommit): a committer
// takes every append queued while the previous commit was flushing and
// writes them in one transaction, so that one WAL flush makes a whole
// batch durable; each append is answered only after COMMIT returns (with
// synchronous_commit on, PostgreSQL's default, that means the WAL is on
// disk).
//
// Several processes may append to one session. A batch locks the heads
// rows of its sessions (SELECT ... FOR UPDATE, in session order, so that
// two batches cannot deadlock) before it links events to them, so batches
// touching one session take turns, and the second sees the head the first
// committed: an append whose next seq is no longer the session's count gets
// ECONFLICT, as the contract says, and its caller reloads and retries. The
// UNIQUE (session, seq) constraint stands behind the lock. A batch whose
// heads this process committed or heard of (headCache) links its events to
// them first and checks them as it locks and moves them, in the same round
// trip as the insert of its events and COMMIT; if another process moved one, the check fails,
// the batch rolls back and is linked again from the heads read under the
// lock. Either way each event links to the head the lock holds.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/groupcommit"
	"github.com/parleyhq/parley/internal/migrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrClosed is returned by calls on a closed DB.
var ErrClosed = errors.New("postgres: database closed")

// ErrReadOnly is returned by writes to a DB opened ReadOnly.
var ErrReadOnly = errors.New("postgres: database opened read-only")

// Defaults of DB's settings.
const (
	DefaultMaxBatch   = groupcommit.DefaultMaxBatch // appends per group commit
	DefaultQueue      = groupcommit.DefaultQueue
	DefaultCommitters = 2 // batches in flight: one is built while another flushes
	DefaultReadConns  = 8
	// DefaultPollInterval is how often WatchHeads asks for a poll while
	// its connection is down.
	DefaultPollInterval = time.Second
	maxBatchEvents      = 8192 // events per group commit, whatever the appends
)

// migrationLock is the advisory lock key migrations take, with the
// schema's hash as the second key: servers of one schema migrate one at a
// time, servers of different schemas do not wait for each other.
const migrationLock = `SELECT pg_advisory_xact_lock(1886548332, hashtext(current_schema()))`

// DB is a parley database in PostgreSQL.
type DB struct {
	// URL is the connection string, postgres://USER[:PASSWORD]@HOST:PORT/DB
	// (or key=value pairs), with pgx's options: search_path to use a
	// schema other than public, pool_max_conns to size the pool (default
	// Committers + DefaultReadConns).
	URL string
	// ReadOnly opens an existing database for reading only: no migration,
	// no writer, every transaction read-only. Open fails unless the schema
	// is the one this build knows. For audits, which must not change what
	// they check.
	ReadOnly bool
	// MaxBatch caps the appends committed in one transaction (default
	// DefaultMaxBatch). 1 turns group commit off: one transaction, and
	// one WAL flush, per append.
	MaxBatch int
	// Committers is how many batches may be in flight at once, each on a
	// connection of its own (default DefaultCommitters).
	Committers int
	// Queue is how many appends may wait for a committer (default
	// DefaultQueue); beyond it AppendEvents blocks (or gives up when its
	// context ends).
	Queue int
	// Now is the clock for SessionRecord.Created (default time.Now).
	Now func() time.Time
	// NoNotify leaves out the NOTIFY each batch sends for the heads it
	// moves (see WatchHeads), for a database one process uses alone.
	NoNotify bool
	// PollInterval is how often WatchHeads asks its caller to poll while
	// it is not listening (default DefaultPollInterval).
	PollInterval time.Duration

	pool    *pgxpool.Pool
	channel string // of the NOTIFYs, named after the schema
	// listening are the backends of WatchHeads's connections.
	listening listeners
	q         *groupcommit.Queue
	w         *writer // the committers'
	closed    atomic.Bool
}

// NewDB returns a DB for the database at url; call Open before use.
func NewDB(url string) *DB {
	return &DB{URL: url, Now: time.Now}
}

// Open connects, migrates the database unless ReadOnly, and starts the
// committers.
func (db *DB) Open() (err error) {
	if db.URL == "" {
		return parley.Errorf(parley.EINVALID, "postgres: database URL required")
	}
	if db.Now == nil {
		db.Now = time.Now
	}
	if db.Committers <= 0 {
		db.Committers = DefaultCommitters
	}
	cfg, err := pgxpool.ParseConfig(db.URL)
	if err != nil {
		// pgx's message masks a password in the URL.
		return parley.Errorf(parley.EINVALID, "postgres: %v", err)
	}
	if !strings.Contains(db.URL, "pool_max_conns") {
		cfg.MaxConns = int32(db.Committers + DefaultReadConns)
	}
	if db.ReadOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return fmt.Errorf("postgres: %s: %w", where, err)
	}
	defer func() {
		if err != nil {
			db.pool.Close()
			db.pool = nil
		}
	}()
	if err := db.pool.Ping(ctx); err != nil {
		// Like a missing SQLite file: nothing to open there.
		return &parley.Error{Code: parley.ENOTFOUND, Message: "postgres: cannot connect to " + where, Err: err}
	}
	if err := db.migrate(ctx); err != nil {
		if errors.Is(err, migrate.ErrVersion) {
			return parley.Errorf(parley.EINVALID, "postgres: %s: %v", where, err)
		}
		return fmt.Errorf("postgres: %s: %w", where, err)
	}
	if err := db.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&db.channel); err != nil {
		return fmt.Errorf("postgres: %s: %w", where, err)
	}
	db.channel = channelOf(db.channel)
	if !db.ReadOnly {
		w := &writer{pool: db.pool, heads: newHeadCache(), listening: &db.listening}
		if !db.NoNotify {
			w.channel = db.channel
		}
		db.w = w
		db.q = groupcommit.New(groupcommit.Config{
			MaxBatch:   db.MaxBatch,
			MaxEvents:  maxBatchEvents,
			Queue:      db.Queue,
			Committers: db.Committers,
			Commit:     w.commit,
			Wrap: func(r *groupcommit.Request, err error) error {
				return FormatError(fmt.Errorf("postgres: write to session %s: %w", r.Session, err))
			},
		})
	}
	return nil
}

// migrate applies the embedded migrations (or, ReadOnly, checks that the
// database has exactly them) through database/sql, which internal/migrate
// shares with the SQLite store.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrate.Load(migrationFS, "migrations")
	if err != nil {
		return err
	}
	sqldb := stdlib.OpenDBFromPool(db.pool)
	defer sqldb.Close()
	if db.ReadOnly {
		return migrate.Check(ctx, sqldb, ms)
	}
	_, err = migrate.Apply(ctx, sqldb, ms, migrate.Dialect{
		Placeholder: func(n int) string { return fmt.Sprintf("$%d", n) },
		Lock:        migrationLock,
	})
	return err
}

// Close stops the committers once the appends already queued are
// committed, then closes the connections. Calls after Close return
// ErrClosed.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	if db.q != nil {
		db.q.Close()
	}
	if db.pool != nil {
		db.pool.Close()
	}
	return nil
}

// Stats counts what the committers did since Open: appends, events and
// the transactions (each one WAL flush) they took. Appends/Batches is the
// mean group-commit batch.
type Stats = groupcommit.Stats

// Stats returns the committers' counters.
func (db *DB) Stats() Stats {
	if db.q == nil {
		return Stats{}
	}
	return db.q.Stats()
}

// reader returns the pool for reads, or ErrClosed.
func (db *DB) reader() (*pgxpool.Pool, error) {
	if db.pool == nil || db.closed.Load() {
		return nil, ErrClosed
	}
	return db.pool, nil
}

// submit queues r for the next group commit and waits for its outcome.
func (db *DB) submit(ctx context.Context, r *groupcommit.Request) error {
	switch {
	case db.ReadOnly:
		return ErrReadOnly
	case db.q == nil:
		return ErrClosed
	}
	err := db.q.Submit(ctx, r)
	if errors.Is(err, groupcommit.ErrClosed) {
		return ErrClosed
	}
	return err
}

// FormatError translates a driver error into a parley error where one
// fits: a broken UNIQUE or PRIMARY KEY constraint (SQLSTATE 23505) is
// ECONFLICT. Anything else is returned as is (an internal error).
func FormatError(err error) error {
	if isUniqueViolation(err) {
		return &parley.Error{Code: parley.ECONFLICT, Message: "already exists", Err: err}
	}
	return err
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
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

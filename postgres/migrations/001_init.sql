-- Sessions, their seats and their hash-chained events (parley.SessionStore
-- and parley.EventStore): the schema of sqlite/migrations/001_init.sql in
-- PostgreSQL's dialect, table for table and column for column, so that the
-- two stores run the same statements. Hashes are 32-byte SHA-256 digests.
-- Payloads and definitions are BYTEA, not JSONB: JSONB reorders keys and
-- drops white space, and the audit chain hashes the bytes as written.
-- Session IDs are COLLATE "C": compared and listed byte by byte, as SQLite
-- does, whatever the database's collation (FindSessions pages by ID).

CREATE TABLE sessions (
    id         TEXT COLLATE "C" PRIMARY KEY,
    definition BYTEA NOT NULL,
    created    BIGINT NOT NULL              -- Unix nanoseconds
);

-- The chain head of each session: the event count and the last event's
-- hash (the genesis while there are none), written in the same transaction
-- as the events, so that audit verify notices a deleted last event. An
-- appender locks its session's row (SELECT ... FOR UPDATE) before it links
-- events to the head, so that two servers appending to one session take
-- turns: the second sees the first's head and gets ECONFLICT.
CREATE TABLE heads (
    session TEXT COLLATE "C" PRIMARY KEY REFERENCES sessions (id),
    events  BIGINT NOT NULL,
    head    BYTEA NOT NULL
);

CREATE TABLE seats (
    session    TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
    seat       INTEGER NOT NULL,
    role       TEXT NOT NULL,
    name       TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,       -- SHA-256 of the bearer token
    PRIMARY KEY (session, seat)
);

CREATE TABLE events (
    session  TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
    seq      BIGINT NOT NULL,
    type     TEXT NOT NULL,
    audience TEXT NOT NULL,
    payload  BYTEA NOT NULL,
    prev     BYTEA NOT NULL,
    hash     BYTEA NOT NULL,
    -- One event per sequence number and session: the chain stays one chain
    -- even if a writer got past the lock on the head.
    UNIQUE (session, seq)
);

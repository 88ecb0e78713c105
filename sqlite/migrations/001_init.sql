-- Sessions, their seats and their hash-chained events (parley.SessionStore
-- and parley.EventStore). Hashes are 32-byte SHA-256 digests; payloads and
-- definitions are BLOBs so that they come back byte for byte, as the audit
-- chain needs.

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    definition BLOB NOT NULL,
    created    INTEGER NOT NULL            -- Unix nanoseconds
) STRICT;

-- The chain head of each session: the event count and the last event's
-- hash (the genesis while there are none), written in the same transaction
-- as the events, so that audit verify notices a deleted last event. A
-- table of its own because every commit that appends to a session
-- rewrites it, and SQLite rewrites a whole row, definition and all.
CREATE TABLE heads (
    session TEXT PRIMARY KEY REFERENCES sessions (id),
    events  INTEGER NOT NULL,
    head    BLOB NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE seats (
    session    TEXT NOT NULL REFERENCES sessions (id),
    seat       INTEGER NOT NULL,
    role       TEXT NOT NULL,
    name       TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,       -- SHA-256 of the bearer token
    PRIMARY KEY (session, seat)
) STRICT;

CREATE TABLE events (
    session  TEXT NOT NULL REFERENCES sessions (id),
    seq      INTEGER NOT NULL,
    type     TEXT NOT NULL,
    audience TEXT NOT NULL,
    payload  BLOB NOT NULL,
    prev     BLOB NOT NULL,
    hash     BLOB NOT NULL,
    -- One event per sequence number and session: the chain stays one chain
    -- even if two writers get past the in-memory check.
    UNIQUE (session, seq)
) STRICT;

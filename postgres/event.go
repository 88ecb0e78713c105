package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/groupcommit"
)

// EventStore implements parley.EventStore.
type EventStore struct{ db *DB }

var _ parley.EventStore = (*EventStore)(nil)

// NewEventStore returns the events of db.
func NewEventStore(db *DB) *EventStore { return &EventStore{db: db} }

// AppendEvents implements parley.EventStore. The append joins the next
// group commit and returns once that transaction has committed. Once
// queued it is waited for even if ctx ends, so that the answer is never
// ambiguous; ctx bounds the wait for a place in the queue.
//
// If the connection breaks during COMMIT, the append fails with an
// internal error although it may have been stored; a caller that retries
// must re-read the head first (it then gets ECONFLICT if it was stored).
func (s *EventStore) AppendEvents(ctx context.Context, session string, next int64, events []parley.EventRecord) ([]parley.EventRecord, error) {
	if s.db.ReadOnly {
		return nil, ErrReadOnly
	}
	if err := parley.ValidateAppend(next, events); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &groupcommit.Request{Session: session, Next: next, Events: events}
	if err := s.db.submit(ctx, r); err != nil {
		return nil, err
	}
	return r.Out, nil
}

// FindEvents implements parley.EventStore.
func (s *EventStore) FindEvents(ctx context.Context, session string, from int64, limit int) ([]parley.EventRecord, error) {
	limit, err := parley.FindLimit(from, limit)
	if err != nil {
		return nil, err
	}
	pool, err := s.db.reader()
	if err != nil {
		return nil, err
	}
	rows, err := pool.Query(ctx, `SELECT seq, type, audience, payload, prev, hash FROM events
		WHERE session = $1 AND seq >= $2 ORDER BY seq LIMIT $3`, session, from, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: find events: %w", err)
	}
	var out []parley.EventRecord
	for rows.Next() {
		e := parley.EventRecord{Session: session}
		var payload, prev, hash []byte
		if err := rows.Scan(&e.Seq, &e.Type, &e.Audience, &payload, &prev, &hash); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: find events: %w", err)
		}
		e.Payload, e.Prev, e.Hash = payload, hashOf(prev), hashOf(hash)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find events: %w", err)
	}
	if len(out) == 0 {
		// None: past the end, or no such session? Sessions are never
		// deleted, so a later statement answers for this one.
		if _, err := s.ChainHead(ctx, session); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ChainHead implements parley.EventStore.
func (s *EventStore) ChainHead(ctx context.Context, session string) (parley.ChainHead, error) {
	h := parley.ChainHead{Session: session}
	pool, err := s.db.reader()
	if err != nil {
		return h, err
	}
	var b []byte
	err = pool.QueryRow(ctx, `SELECT events, head FROM heads WHERE session = $1`, session).Scan(&h.Events, &b)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, parley.Errorf(parley.ENOTFOUND, "session %q not found", session)
	}
	if err != nil {
		return h, fmt.Errorf("postgres: chain head: %w", err)
	}
	h.Hash = hashOf(b)
	return h, nil
}

// sqlFindOf reads the events of many sessions, each from its own seq, in
// one statement: the cursors travel as arrays and each is joined to its
// session's range of the (session, seq) index.
const sqlFindOf = `SELECT e.session, e.seq, e.type, e.audience, e.payload, e.prev, e.hash
	FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS c (session, from_seq, ord)
	JOIN events e ON e.session = c.session COLLATE "C" AND e.seq >= c.from_seq
	ORDER BY c.ord, e.seq LIMIT $3`

// FindEventsOf implements parley.EventStore.
func (s *EventStore) FindEventsOf(ctx context.Context, cursors []parley.EventCursor, limit int) ([]parley.EventRecord, error) {
	limit, err := parley.FindOfLimit(cursors, limit)
	if err != nil || len(cursors) == 0 {
		return nil, err
	}
	pool, err := s.db.reader()
	if err != nil {
		return nil, err
	}
	ids, from := make([]string, len(cursors)), make([]int64, len(cursors))
	for i, c := range cursors {
		ids[i], from[i] = c.Session, c.From
	}
	rows, err := pool.Query(ctx, sqlFindOf, ids, from, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: find events of %d sessions: %w", len(cursors), err)
	}
	defer rows.Close()
	var out []parley.EventRecord
	for rows.Next() {
		var e parley.EventRecord
		var payload, prev, hash []byte
		if err := rows.Scan(&e.Session, &e.Seq, &e.Type, &e.Audience, &payload, &prev, &hash); err != nil {
			return nil, fmt.Errorf("postgres: find events of %d sessions: %w", len(cursors), err)
		}
		e.Payload, e.Prev, e.Hash = payload, hashOf(prev), hashOf(hash)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find events of %d sessions: %w", len(cursors), err)
	}
	return out, nil
}

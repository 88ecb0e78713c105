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

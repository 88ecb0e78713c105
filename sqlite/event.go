package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/groupcommit"
)

// EventStore implements parley.EventStore.
type EventStore struct{ db *DB }

var _ parley.EventStore = (*EventStore)(nil)

// NewEventStore returns the events of db.
func NewEventStore(db *DB) *EventStore { return &EventStore{db: db} }

// AppendEvents implements parley.EventStore. The append joins the writer's
// next group commit and returns once that transaction is on disk. Once
// queued it is waited for even if ctx ends, so that the answer is never
// ambiguous; ctx bounds the wait for a place in the queue.
func (s *EventStore) AppendEvents(ctx context.Context, session string, next int64, events []parley.EventRecord) ([]parley.EventRecord, error) {
	if s.db.ReadOnly {
		return nil, ErrReadOnly
	}
	if s.db.w == nil {
		return nil, ErrClosed
	}
	if err := parley.ValidateAppend(next, events); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &groupcommit.Request{Session: session, Next: next, Events: events}
	if err := s.db.w.submit(ctx, r); err != nil {
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
	// One read transaction: the session check and the events come from
	// one snapshot.
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, sqlFind, session, from, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find events: %w", err)
	}
	out, err := scanEvents(rows, nil, session)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if _, err := head(ctx, tx, session); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ChainHead implements parley.EventStore.
func (s *EventStore) ChainHead(ctx context.Context, session string) (parley.ChainHead, error) {
	if s.db.read == nil {
		return parley.ChainHead{}, ErrClosed
	}
	return head(ctx, s.db.read, session)
}

func head(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, session string) (parley.ChainHead, error) {
	h := parley.ChainHead{Session: session}
	var b []byte
	err := q.QueryRowContext(ctx, `SELECT events, head FROM heads WHERE session = ?`, session).Scan(&h.Events, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return h, parley.Errorf(parley.ENOTFOUND, "session %q not found", session)
	}
	if err != nil {
		return h, fmt.Errorf("sqlite: chain head: %w", err)
	}
	h.Hash = hashOf(b)
	return h, nil
}

// FindEventsOf implements parley.EventStore: one read transaction, so that
// the sessions' events come from one snapshot, and a statement per
// cursor, which costs no round trip in an embedded database.
func (s *EventStore) FindEventsOf(ctx context.Context, cursors []parley.EventCursor, limit int) ([]parley.EventRecord, error) {
	limit, err := parley.FindOfLimit(cursors, limit)
	if err != nil || len(cursors) == 0 {
		return nil, err
	}
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx, sqlFind)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find events: %w", err)
	}
	defer stmt.Close()
	var out []parley.EventRecord
	for _, c := range cursors {
		if len(out) == limit {
			break
		}
		rows, err := stmt.QueryContext(ctx, c.Session, c.From, limit-len(out))
		if err != nil {
			return nil, fmt.Errorf("sqlite: find events: %w", err)
		}
		if out, err = scanEvents(rows, out, c.Session); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readTx begins a read-only transaction.
func (s *EventStore) readTx(ctx context.Context) (*sql.Tx, error) {
	if s.db.read == nil {
		return nil, ErrClosed
	}
	tx, err := s.db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: find events: %w", err)
	}
	return tx, nil
}

// sqlFind reads a session's events from a seq on.
const sqlFind = `SELECT seq, type, audience, payload, prev, hash FROM events
	WHERE session = ? AND seq >= ? ORDER BY seq LIMIT ?`

// scanEvents appends the events of session that rows (of sqlFind) hold
// to out, and closes rows.
func scanEvents(rows *sql.Rows, out []parley.EventRecord, session string) ([]parley.EventRecord, error) {
	for rows.Next() {
		e := parley.EventRecord{Session: session}
		var payload, prev, hash []byte
		if err := rows.Scan(&e.Seq, &e.Type, &e.Audience, &payload, &prev, &hash); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: find events: %w", err)
		}
		e.Payload, e.Prev, e.Hash = payload, hashOf(prev), hashOf(hash)
		out = append(out, e)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("sqlite: find events: %w", err)
	}
	return out, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/groupcommit"
)

// SessionStore implements parley.SessionStore.
type SessionStore struct{ db *DB }

var _ parley.SessionStore = (*SessionStore)(nil)

// NewSessionStore returns the sessions of db.
func NewSessionStore(db *DB) *SessionStore { return &SessionStore{db: db} }

// CreateSession implements parley.SessionStore. The session is written
// by the writer goroutine, in its next group commit, and is durable when
// CreateSession returns.
func (s *SessionStore) CreateSession(ctx context.Context, rec *parley.SessionRecord) error {
	if s.db.ReadOnly {
		return ErrReadOnly
	}
	if s.db.w == nil {
		return ErrClosed
	}
	if err := rec.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if rec.ID == "" {
		rec.ID = parley.NewSessionID()
	}
	rec.Created = s.db.Now().UTC()
	for i := range rec.Seats {
		rec.Seats[i].Session = rec.ID
	}
	return s.db.w.submit(ctx, &groupcommit.Request{Session: rec.ID, Create: rec})
}

// FindSession implements parley.SessionStore.
func (s *SessionStore) FindSession(ctx context.Context, id string) (*parley.SessionRecord, error) {
	recs, err := s.find(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, parley.Errorf(parley.ENOTFOUND, "session %q not found", id)
	}
	return recs[0], nil
}

// FindSessions implements parley.SessionStore.
func (s *SessionStore) FindSessions(ctx context.Context, f parley.SessionFilter) ([]*parley.SessionRecord, error) {
	switch {
	case f.Limit < 0 || f.Limit > parley.MaxFindSessions:
		return nil, parley.Errorf(parley.EINVALID, "find sessions: limit %d out of range 0 to %d", f.Limit, parley.MaxFindSessions)
	case f.Limit == 0:
		f.Limit = 100
	}
	return s.find(ctx, `WHERE id > ? ORDER BY id LIMIT ?`, f.After, f.Limit)
}

func (s *SessionStore) find(ctx context.Context, where string, args ...any) ([]*parley.SessionRecord, error) {
	if s.db.read == nil {
		return nil, ErrClosed
	}
	tx, err := s.db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: find sessions: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, `SELECT id, definition, created FROM sessions `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find sessions: %w", err)
	}
	var recs []*parley.SessionRecord
	for rows.Next() {
		var r parley.SessionRecord
		var def []byte
		var created int64
		if err := rows.Scan(&r.ID, &def, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: find sessions: %w", err)
		}
		r.Definition, r.Created = def, time.Unix(0, created).UTC()
		recs = append(recs, &r)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("sqlite: find sessions: %w", err)
	}
	for _, r := range recs {
		if r.Seats, err = seats(ctx, tx, `WHERE session = ? ORDER BY seat`, r.ID); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

func seats(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, args ...any) ([]parley.SeatRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT session, seat, role, name, token_hash FROM seats `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find seats: %w", err)
	}
	defer rows.Close()
	var out []parley.SeatRecord
	for rows.Next() {
		var st parley.SeatRecord
		var h []byte
		if err := rows.Scan(&st.Session, &st.Seat, &st.Role, &st.Name, &h); err != nil {
			return nil, fmt.Errorf("sqlite: find seats: %w", err)
		}
		st.TokenHash = hashOf(h)
		out = append(out, st)
	}
	return out, rows.Err()
}

// FindSeat implements parley.SessionStore. The lookup goes by the token
// hash (its unique index), then the session must match: a token of another
// session finds nothing.
func (s *SessionStore) FindSeat(ctx context.Context, session string, tokenHash parley.Hash) (*parley.SeatRecord, error) {
	if s.db.read == nil {
		return nil, ErrClosed
	}
	sts, err := seats(ctx, s.db.read, `WHERE token_hash = ? AND session = ?`, tokenHash[:], session)
	if err != nil {
		return nil, err
	}
	if len(sts) != 1 || sts[0].TokenHash != tokenHash {
		return nil, parley.Errorf(parley.ENOTFOUND, "no seat of session %q has this token", session)
	}
	return &sts[0], nil
}

package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/groupcommit"
)

// SessionStore implements parley.SessionStore.
type SessionStore struct{ db *DB }

var _ parley.SessionStore = (*SessionStore)(nil)

// NewSessionStore returns the sessions of db.
func NewSessionStore(db *DB) *SessionStore { return &SessionStore{db: db} }

// CreateSession implements parley.SessionStore. The session is written in
// the next group commit and is durable when CreateSession returns.
func (s *SessionStore) CreateSession(ctx context.Context, rec *parley.SessionRecord) error {
	if s.db.ReadOnly {
		return ErrReadOnly
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
	return s.db.submit(ctx, &groupcommit.Request{Session: rec.ID, Create: rec})
}

// FindSession implements parley.SessionStore.
func (s *SessionStore) FindSession(ctx context.Context, id string) (*parley.SessionRecord, error) {
	recs, err := s.find(ctx, `WHERE id = $1`, id)
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
	// IDs are COLLATE "C" (the migration): byte order, as in SQLite,
	// whatever the database's collation.
	return s.find(ctx, `WHERE id > $1 ORDER BY id LIMIT $2`, f.After, f.Limit)
}

// find reads sessions and then their seats. The two statements see two
// snapshots, which is enough: a session and its seats commit together and
// are never changed or deleted, so seats of every session the first finds
// are there for the second.
func (s *SessionStore) find(ctx context.Context, where string, args ...any) ([]*parley.SessionRecord, error) {
	pool, err := s.db.reader()
	if err != nil {
		return nil, err
	}
	rows, err := pool.Query(ctx, `SELECT id, definition, created FROM sessions `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: find sessions: %w", err)
	}
	var recs []*parley.SessionRecord
	byID := map[string]*parley.SessionRecord{}
	var ids []string
	for rows.Next() {
		var r parley.SessionRecord
		var def []byte
		var created int64
		if err := rows.Scan(&r.ID, &def, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: find sessions: %w", err)
		}
		r.Definition, r.Created = def, time.Unix(0, created).UTC()
		recs = append(recs, &r)
		byID[r.ID] = &r
		ids = append(ids, r.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find sessions: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	seats, err := seats(ctx, pool, `WHERE session = ANY($1::text[]) ORDER BY session, seat`, ids)
	if err != nil {
		return nil, err
	}
	for _, st := range seats {
		r := byID[st.Session]
		r.Seats = append(r.Seats, st)
	}
	return recs, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func seats(ctx context.Context, q querier, where string, args ...any) ([]parley.SeatRecord, error) {
	rows, err := q.Query(ctx, `SELECT session, seat, role, name, token_hash FROM seats `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: find seats: %w", err)
	}
	defer rows.Close()
	var out []parley.SeatRecord
	for rows.Next() {
		var st parley.SeatRecord
		var seat int32
		var h []byte
		if err := rows.Scan(&st.Session, &seat, &st.Role, &st.Name, &h); err != nil {
			return nil, fmt.Errorf("postgres: find seats: %w", err)
		}
		st.Seat, st.TokenHash = int(seat), hashOf(h)
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find seats: %w", err)
	}
	return out, nil
}

// FindSeat implements parley.SessionStore. The lookup goes by the token
// hash (its unique index), then the session must match: a token of another
// session finds nothing.
func (s *SessionStore) FindSeat(ctx context.Context, session string, tokenHash parley.Hash) (*parley.SeatRecord, error) {
	pool, err := s.db.reader()
	if err != nil {
		return nil, err
	}
	sts, err := seats(ctx, pool, `WHERE token_hash = $1 AND session = $2`, tokenHash[:], session)
	if err != nil {
		return nil, err
	}
	if len(sts) != 1 || sts[0].TokenHash != tokenHash {
		return nil, parley.Errorf(parley.ENOTFOUND, "no seat of session %q has this token", session)
	}
	return &sts[0], nil
}

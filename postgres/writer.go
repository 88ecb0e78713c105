package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/internal/groupcommit"
)

// writer commits the batches of the group-commit queue. Unlike the SQLite
// writer it keeps no heads in memory: other processes append to the same
// sessions, so each batch reads the heads it extends under a row lock.
type writer struct {
	pool    *pgxpool.Pool
	channel string // NOTIFY the heads moved on this channel, unless ""
}

// Statements of a batch. The events and heads of a whole batch travel as
// arrays (unnest), so a batch is four round trips whatever its size:
// BEGIN, the locked heads, the writes, COMMIT.
const (
	sqlLockHeads = `SELECT session, events, head FROM heads WHERE session = ANY($1::text[]) ORDER BY session FOR UPDATE`
	sqlInsert    = `INSERT INTO events (session, seq, type, audience, payload, prev, hash)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bytea[], $6::bytea[], $7::bytea[])`
	sqlMoveHeads = `UPDATE heads AS h SET events = u.events, head = u.head
		FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::bigint[]) AS u (session, events, head, added)
		WHERE h.session = u.session AND h.events = u.events - u.added`
	// NOTIFY is transactional: listeners hear of the heads when, and
	// only if, the batch commits.
	sqlNotify = `SELECT pg_notify($1, u.session || ' ' || u.events || ' ' || encode(u.head, 'hex'))
		FROM unnest($2::text[], $3::bigint[], $4::bytea[]) AS u (session, events, head)`
)

// commit is the queue's CommitFunc: one transaction for the batch.
func (w *writer) commit(batch []*groupcommit.Request) error {
	ctx := context.Background()
	tx, err := w.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var appends []*groupcommit.Request
	for _, r := range batch {
		if r.Create == nil {
			appends = append(appends, r)
			continue
		}
		if err := createSession(ctx, tx, r); err != nil {
			return err
		}
	}
	if len(appends) > 0 {
		if err := appendEvents(ctx, tx, appends, w.channel); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		if errors.Is(err, pgx.ErrTxCommitRollback) {
			return err // rolled back for sure: the batch may be retried
		}
		return fmt.Errorf("%w: %w", groupcommit.ErrCommit, err)
	}
	return nil
}

// appendEvents locks the heads of the batch's sessions, links each
// append's events to its session's chain and writes events and heads.
// An append to a missing session or at a seq that is not the session's
// count gets its own error; the others go on.
func appendEvents(ctx context.Context, tx pgx.Tx, batch []*groupcommit.Request, channel string) error {
	ids := make([]string, 0, len(batch))
	for _, r := range batch {
		ids = append(ids, r.Session)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	rows, err := tx.Query(ctx, sqlLockHeads, ids)
	if err != nil {
		return err
	}
	chains := make(map[string]*audit.Chain, len(ids))
	for rows.Next() {
		var c audit.Chain
		var head []byte
		if err := rows.Scan(&c.Session, &c.Next, &head); err != nil {
			rows.Close()
			return err
		}
		c.Head = hashOf(head)
		chains[c.Session] = &c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	from := make(map[string]int64, len(chains)) // each moved head's count before the batch
	var ev eventColumns
	for _, r := range batch {
		c := chains[r.Session]
		switch {
		case c == nil:
			r.Err = parley.Errorf(parley.ENOTFOUND, "session %q not found", r.Session)
			continue
		case r.Next != c.Next:
			r.Err = parley.Errorf(parley.ECONFLICT, "session %s: append at seq %d, but the next seq is %d", r.Session, r.Next, c.Next)
			continue
		}
		if _, ok := from[c.Session]; !ok {
			from[c.Session] = c.Next
		}
		r.Out = make([]parley.EventRecord, len(r.Events))
		for i, e := range r.Events {
			out := &r.Out[i]
			out.Type, out.Audience, out.Payload = e.Type, e.Audience, e.Payload
			c.Link(out)
			ev.add(out)
		}
	}
	if len(from) == 0 {
		return nil
	}
	var heads headColumns
	for id, before := range from {
		c := chains[id]
		heads.add(c, c.Next-before)
	}
	b := &pgx.Batch{}
	b.Queue(sqlInsert, ev.session, ev.seq, ev.typ, ev.audience, ev.payload, ev.prev, ev.hash)
	moved := b.Queue(sqlMoveHeads, heads.session, heads.events, heads.head, heads.added)
	moved.Exec(func(tag pgconn.CommandTag) error {
		// Each head was locked and read by this transaction: one that
		// did not move means the lock did not hold.
		if n := tag.RowsAffected(); n != int64(len(heads.session)) {
			return fmt.Errorf("moved %d of %d chain heads: %w", n, len(heads.session), errStale)
		}
		return nil
	})
	if channel != "" {
		b.Queue(sqlNotify, channel, heads.session, heads.events, heads.head)
	}
	return tx.SendBatch(ctx, b).Close()
}

// errStale says a locked head moved under the batch: a broken invariant.
var errStale = errors.New("postgres: a chain head changed under its lock")

// eventColumns are a batch's events as the columns sqlInsert takes.
type eventColumns struct {
	session, typ, audience []string
	seq                    []int64
	payload, prev, hash    [][]byte
}

func (c *eventColumns) add(e *parley.EventRecord) {
	c.session = append(c.session, e.Session)
	c.seq = append(c.seq, e.Seq)
	c.typ = append(c.typ, e.Type)
	c.audience = append(c.audience, e.Audience)
	c.payload = append(c.payload, e.Payload)
	c.prev = append(c.prev, e.Prev[:])
	c.hash = append(c.hash, e.Hash[:])
}

// headColumns are the heads a batch moves, with how many events each
// gained.
type headColumns struct {
	session []string
	events  []int64
	head    [][]byte
	added   []int64
}

func (c *headColumns) add(ch *audit.Chain, added int64) {
	c.session = append(c.session, ch.Session)
	c.events = append(c.events, ch.Next)
	head := ch.Head
	c.head = append(c.head, head[:])
	c.added = append(c.added, added)
}

// createSession inserts a session, its head and its seats under a
// savepoint, so that a taken ID or token undoes only this session
// (PostgreSQL aborts the whole transaction after a failed statement
// otherwise). A taken ID or token sets r.Err; other errors fail the
// batch.
func createSession(ctx context.Context, tx pgx.Tx, r *groupcommit.Request) error {
	rec := r.Create
	genesis := audit.Genesis(rec.ID, rec.Definition)
	n := len(rec.Seats)
	seat, role, name, hash := make([]int32, n), make([]string, n), make([]string, n), make([][]byte, n)
	for i, s := range rec.Seats {
		seat[i], role[i], name[i] = int32(s.Seat), s.Role, s.Name
		hash[i] = append([]byte(nil), s.TokenHash[:]...)
	}
	b := &pgx.Batch{}
	b.Queue(`SAVEPOINT create_session`)
	b.Queue(`INSERT INTO sessions (id, definition, created) VALUES ($1, $2, $3)`, rec.ID, []byte(rec.Definition), rec.Created.UnixNano())
	b.Queue(`INSERT INTO heads (session, events, head) VALUES ($1, 0, $2)`, rec.ID, genesis[:])
	if n > 0 {
		b.Queue(`INSERT INTO seats (session, seat, role, name, token_hash)
			SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::text[], $5::bytea[])`, rec.ID, seat, role, name, hash)
	}
	b.Queue(`RELEASE SAVEPOINT create_session`)
	err := tx.SendBatch(ctx, b).Close()
	if err == nil || !isUniqueViolation(err) {
		return err
	}
	r.Err = parley.Errorf(parley.ECONFLICT, "session %s: the ID or a seat token is already in use", rec.ID)
	if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT create_session`); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `RELEASE SAVEPOINT create_session`)
	return err
}

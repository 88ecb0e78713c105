package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/internal/groupcommit"
)

// writer is the SQLite side of group commit (package groupcommit): it
// commits each batch the queue hands it in one BEGIN IMMEDIATE transaction
// on the only write connection, so one fsync covers the whole batch.
//
// Every write of the process goes through it, so it keeps the chain heads
// of the sessions it has seen in memory (heads) instead of reading them in
// every batch. A heads row is updated only if it still holds the head the
// writer expects; if another process wrote to the file, the batch
// fails, the cache is dropped and the requests are retried one by one from
// what is on disk.
type writer struct {
	db    *sql.DB
	ck    *checkpointer
	q     *groupcommit.Queue
	stmts [numStmts]*sql.Stmt
	heads map[string]audit.Chain // used by the one committer alone
}

// Statements the writer prepares once (SQL parsing was a sixth of its CPU
// time when each batch parsed them anew).
const (
	stmtInsertEvent = iota
	stmtSelectHead
	stmtUpdateHead
	stmtInsertSession
	stmtInsertHead
	stmtInsertSeat
	numStmts
)

var stmtSQL = [numStmts]string{
	stmtInsertEvent:   `INSERT INTO events (session, seq, type, audience, payload, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?)`,
	stmtSelectHead:    `SELECT events, head FROM heads WHERE session = ?`,
	stmtUpdateHead:    `UPDATE heads SET events = ?, head = ? WHERE session = ? AND events = ? AND head = ?`,
	stmtInsertSession: `INSERT INTO sessions (id, definition, created) VALUES (?, ?, ?)`,
	stmtInsertHead:    `INSERT INTO heads (session, events, head) VALUES (?, 0, ?)`,
	stmtInsertSeat:    `INSERT INTO seats (session, seat, role, name, token_hash) VALUES (?, ?, ?, ?, ?)`,
}

// maxCachedHeads bounds the head cache; past it the cache starts over.
const maxCachedHeads = 1 << 16

// errStale says the heads row did not hold the head the writer
// expected: someone else wrote to the database.
var errStale = errors.New("sqlite: the chain head changed outside this writer")

func newWriter(db *sql.DB, ck *checkpointer, maxBatch, queue int) (*writer, error) {
	w := &writer{db: db, ck: ck, heads: map[string]audit.Chain{}}
	for i, q := range stmtSQL {
		st, err := db.Prepare(q)
		if err != nil {
			w.closeStmts()
			ck.close()
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
		w.stmts[i] = st
	}
	w.q = groupcommit.New(groupcommit.Config{
		MaxBatch:  maxBatch,
		MaxEvents: maxBatchEvents,
		Queue:     queue,
		Commit:    w.commit,
		Wrap: func(r *groupcommit.Request, err error) error {
			return FormatError(fmt.Errorf("sqlite: write to session %s: %w", r.Session, err))
		},
	})
	return w, nil
}

func (w *writer) closeStmts() {
	for _, st := range w.stmts {
		if st != nil {
			st.Close()
		}
	}
}

// submit queues r for the next group commit and waits for its outcome.
func (w *writer) submit(ctx context.Context, r *groupcommit.Request) error {
	err := w.q.Submit(ctx, r)
	if errors.Is(err, groupcommit.ErrClosed) {
		return ErrClosed
	}
	return err
}

// close lets the queue commit what is waiting, then stops the
// checkpointer and releases the statements.
func (w *writer) close() {
	w.q.Close()
	w.ck.close()
	w.closeStmts()
}

// commit is the queue's CommitFunc: one transaction, and the head cache
// kept in step with what committed.
func (w *writer) commit(batch []*groupcommit.Request) error {
	w.ck.writerCheckpoint(w.db)
	chains, err := w.tx(batch)
	if err != nil {
		clear(w.heads) // it may hold heads of the failed transaction
		return err
	}
	w.ck.committed()
	if len(w.heads)+len(chains) > maxCachedHeads {
		clear(w.heads)
	}
	for id, c := range chains {
		if c != nil {
			w.heads[id] = *c
		}
	}
	return nil
}

// tx runs one group-commit transaction and returns the heads it moved. A
// request that fails on its own (an append to a missing session or at the
// wrong seq, a session whose ID or token is taken) gets r.Err without
// failing the transaction; an error returned fails them all.
func (w *writer) tx(batch []*groupcommit.Request) (map[string]*audit.Chain, error) {
	ctx := context.Background()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	st := &txStmts{tx: tx, all: &w.stmts}
	// Sized for the batch: grown entry by entry they were a tenth of the
	// writer's allocation.
	chains := make(map[string]*audit.Chain, len(batch)) // this batch's view; nil: no such session
	moved := make([]*audit.Chain, 0, len(batch))        // heads to write, in batch order
	from := make(map[*audit.Chain]audit.Chain, len(batch))
	for _, r := range batch {
		r.Out, r.Err = nil, nil
		if r.Create != nil {
			c, err := createSession(ctx, tx, st, r)
			if err != nil {
				return nil, err
			}
			if c != nil {
				chains[r.Session] = c
			}
			continue
		}
		c, err := w.chain(ctx, st, chains, r.Session)
		if err != nil {
			return nil, err
		}
		switch {
		case c == nil:
			r.Err = parley.Errorf(parley.ENOTFOUND, "session %q not found", r.Session)
			continue
		case r.Next != c.Next:
			r.Err = parley.Errorf(parley.ECONFLICT, "session %s: append at seq %d, but the next seq is %d", r.Session, r.Next, c.Next)
			continue
		}
		if _, ok := from[c]; !ok {
			from[c] = *c
			moved = append(moved, c)
		}
		r.Out = make([]parley.EventRecord, len(r.Events))
		for i, e := range r.Events {
			out := &r.Out[i]
			out.Type, out.Audience, out.Payload = e.Type, e.Audience, e.Payload
			c.Link(out)
			if _, err := st.get(ctx, stmtInsertEvent).ExecContext(ctx, out.Session, out.Seq, out.Type, out.Audience, []byte(out.Payload), out.Prev[:], out.Hash[:]); err != nil {
				return nil, err
			}
		}
	}
	for _, c := range moved {
		old := from[c]
		res, err := st.get(ctx, stmtUpdateHead).ExecContext(ctx, c.Next, c.Head[:], c.Session, old.Next, old.Head[:])
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return nil, errors.Join(err, errStale)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("%w: %w", groupcommit.ErrCommit, err)
	}
	return chains, nil
}

// txStmts are the writer's prepared statements bound to one transaction,
// each on its first use: a batch of appends uses two of the six, and
// binding them all was a twentieth of the writer's allocation.
type txStmts struct {
	tx  *sql.Tx
	all *[numStmts]*sql.Stmt
	on  [numStmts]*sql.Stmt
}

func (t *txStmts) get(ctx context.Context, i int) *sql.Stmt {
	if t.on[i] == nil {
		t.on[i] = t.tx.StmtContext(ctx, t.all[i])
	}
	return t.on[i]
}

// chain returns the session's chain as this transaction sees it: from the
// batch, else the cache, else the heads row. nil means no such session.
func (w *writer) chain(ctx context.Context, st *txStmts, chains map[string]*audit.Chain, session string) (*audit.Chain, error) {
	if c, ok := chains[session]; ok {
		return c, nil
	}
	if c, ok := w.heads[session]; ok {
		chains[session] = &c
		return &c, nil
	}
	var events int64
	var head []byte
	err := st.get(ctx, stmtSelectHead).QueryRowContext(ctx, session).Scan(&events, &head)
	if errors.Is(err, sql.ErrNoRows) {
		chains[session] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c := &audit.Chain{Session: session, Next: events, Head: hashOf(head)}
	chains[session] = c
	return c, nil
}

// createSession inserts a session and its seats under a savepoint, so that
// a taken ID or token undoes only this session (SQLite keeps the
// transaction open after a failed statement). It returns the new chain, or
// nil with r.Err set.
func createSession(ctx context.Context, tx *sql.Tx, st *txStmts, r *groupcommit.Request) (*audit.Chain, error) {
	rec := r.Create
	if _, err := tx.ExecContext(ctx, `SAVEPOINT create_session`); err != nil {
		return nil, err
	}
	genesis := audit.Genesis(rec.ID, rec.Definition)
	err := func() error {
		if _, err := st.get(ctx, stmtInsertSession).ExecContext(ctx, rec.ID, []byte(rec.Definition), rec.Created.UnixNano()); err != nil {
			return err
		}
		if _, err := st.get(ctx, stmtInsertHead).ExecContext(ctx, rec.ID, genesis[:]); err != nil {
			return err
		}
		for _, s := range rec.Seats {
			if _, err := st.get(ctx, stmtInsertSeat).ExecContext(ctx, rec.ID, s.Seat, s.Role, s.Name, s.TokenHash[:]); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		if parley.ErrorCode(FormatError(err)) != parley.ECONFLICT {
			return nil, err
		}
		r.Err = parley.Errorf(parley.ECONFLICT, "session %s: the ID or a seat token is already in use", rec.ID)
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO create_session`); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `RELEASE create_session`); err != nil {
		return nil, err
	}
	if r.Err != nil {
		return nil, nil
	}
	c := audit.NewChain(rec.ID, genesis)
	return &c, nil
}

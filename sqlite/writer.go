package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
)

// request is one write waiting for the writer: an append (session, next,
// events) or the creation of a session (create).
type request struct {
	session string
	next    int64
	events  []parley.EventRecord
	create  *parley.SessionRecord

	out  []parley.EventRecord // an append's linked records, on success
	err  error
	done chan struct{}
}

// writer is the one goroutine that writes: group commit. It takes the
// first queued request, adds every other request already queued (up to
// maxBatch), commits them in one transaction (one fsync) and answers each.
// While it syncs, new requests queue up and form the next batch, so the
// batch grows with the load and a lone append waits for no timer.
//
// Every write of the process goes through it, so it keeps the chain heads
// of the sessions it has seen in memory (heads) instead of reading them in
// every batch. A heads row is updated only if it still holds the head the
// writer expects; if another process wrote to the file, the batch
// fails, the cache is dropped and the requests are retried one by one from
// what is on disk.
type writer struct {
	db       *sql.DB
	maxBatch int
	reqs     chan *request
	stmts    [numStmts]*sql.Stmt
	heads    map[string]audit.Chain

	mu     sync.RWMutex // guards closed against sends on a closed reqs
	closed bool
	done   chan struct{}

	appends, events, batches atomic.Int64
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

func newWriter(db *sql.DB, maxBatch, queue int) (*writer, error) {
	if maxBatch <= 0 {
		maxBatch = DefaultMaxBatch
	}
	if queue <= 0 {
		queue = DefaultQueue
	}
	w := &writer{db: db, maxBatch: maxBatch, reqs: make(chan *request, queue), done: make(chan struct{}), heads: map[string]audit.Chain{}}
	for i, q := range stmtSQL {
		st, err := db.Prepare(q)
		if err != nil {
			w.closeStmts()
			return nil, fmt.Errorf("sqlite: prepare: %w", err)
		}
		w.stmts[i] = st
	}
	go w.run()
	return w, nil
}

func (w *writer) closeStmts() {
	for _, st := range w.stmts {
		if st != nil {
			st.Close()
		}
	}
}

// submit queues r and waits for its outcome. ctx bounds only the wait for
// a place in the queue: once queued, the request is committed or fails as
// a whole and submit waits for that answer, so that the caller never has
// to guess whether an append it gave up on was stored.
func (w *writer) submit(ctx context.Context, r *request) error {
	r.done = make(chan struct{})
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.reqs <- r:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	<-r.done
	return r.err
}

// close stops taking requests, lets the writer commit what is queued and
// waits for it to finish.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.done
	w.closeStmts()
}

func (w *writer) run() {
	defer close(w.done)
	batch := make([]*request, 0, w.maxBatch)
	for r := range w.reqs {
		batch = append(batch[:0], r)
		n := len(r.events)
	fill:
		for len(batch) < w.maxBatch && n < maxBatchEvents {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
				n += len(r.events)
			default:
				break fill
			}
		}
		w.commit(batch)
	}
}

// commit writes batch in one transaction and answers every request in it.
// If a statement fails, each request is retried alone, so that one
// request's failure is not every request's. If COMMIT itself fails, all
// fail and none is retried: whether such a commit reached the disk is not
// known, and a retry could store an append twice.
func (w *writer) commit(batch []*request) {
	chains, err := w.tx(batch)
	if err != nil {
		clear(w.heads) // it may hold heads of the failed transaction
		if len(batch) > 1 && !errors.Is(err, errCommit) {
			for _, r := range batch {
				w.commit([]*request{r})
			}
			return
		}
	} else {
		if len(w.heads)+len(chains) > maxCachedHeads {
			clear(w.heads)
		}
		for id, c := range chains {
			if c != nil {
				w.heads[id] = *c
			}
		}
		w.batches.Add(1)
	}
	for _, r := range batch {
		if err != nil {
			r.out, r.err = nil, FormatError(fmt.Errorf("sqlite: write to session %s: %w", r.session, err))
		}
		if r.err == nil && r.create == nil {
			w.appends.Add(1)
			w.events.Add(int64(len(r.out)))
		}
		close(r.done)
	}
}

// tx runs one group-commit transaction and returns the heads it moved. A
// request that fails on its own (an append to a missing session or at the
// wrong seq, a session whose ID or token is taken) gets r.err without
// failing the transaction; an error returned fails them all.
func (w *writer) tx(batch []*request) (map[string]*audit.Chain, error) {
	ctx := context.Background()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	var st [numStmts]*sql.Stmt
	for i, s := range w.stmts {
		st[i] = tx.StmtContext(ctx, s)
	}
	chains := make(map[string]*audit.Chain) // this batch's view; nil: no such session
	var moved []*audit.Chain                // heads to write, in batch order
	from := make(map[*audit.Chain]audit.Chain)
	for _, r := range batch {
		r.out, r.err = nil, nil
		if r.create != nil {
			c, err := createSession(ctx, tx, &st, r)
			if err != nil {
				return nil, err
			}
			if c != nil {
				chains[r.session] = c
			}
			continue
		}
		c, err := w.chain(ctx, st[stmtSelectHead], chains, r.session)
		if err != nil {
			return nil, err
		}
		switch {
		case c == nil:
			r.err = parley.Errorf(parley.ENOTFOUND, "session %q not found", r.session)
			continue
		case r.next != c.Next:
			r.err = parley.Errorf(parley.ECONFLICT, "session %s: append at seq %d, but the next seq is %d", r.session, r.next, c.Next)
			continue
		}
		if _, ok := from[c]; !ok {
			from[c] = *c
			moved = append(moved, c)
		}
		r.out = make([]parley.EventRecord, len(r.events))
		for i, e := range r.events {
			out := &r.out[i]
			out.Type, out.Audience, out.Payload = e.Type, e.Audience, e.Payload
			c.Link(out)
			if _, err := st[stmtInsertEvent].ExecContext(ctx, out.Session, out.Seq, out.Type, out.Audience, []byte(out.Payload), out.Prev[:], out.Hash[:]); err != nil {
				return nil, err
			}
		}
	}
	for _, c := range moved {
		old := from[c]
		res, err := st[stmtUpdateHead].ExecContext(ctx, c.Next, c.Head[:], c.Session, old.Next, old.Head[:])
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return nil, errors.Join(err, errStale)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("%w: %w", errCommit, err)
	}
	return chains, nil
}

// errCommit marks an error of COMMIT itself.
var errCommit = errors.New("commit failed")

// chain returns the session's chain as this transaction sees it: from the
// batch, else the cache, else the heads row. nil means no such session.
func (w *writer) chain(ctx context.Context, sel *sql.Stmt, chains map[string]*audit.Chain, session string) (*audit.Chain, error) {
	if c, ok := chains[session]; ok {
		return c, nil
	}
	if c, ok := w.heads[session]; ok {
		chains[session] = &c
		return &c, nil
	}
	var events int64
	var head []byte
	err := sel.QueryRowContext(ctx, session).Scan(&events, &head)
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
// nil with r.err set.
func createSession(ctx context.Context, tx *sql.Tx, st *[numStmts]*sql.Stmt, r *request) (*audit.Chain, error) {
	rec := r.create
	if _, err := tx.ExecContext(ctx, `SAVEPOINT create_session`); err != nil {
		return nil, err
	}
	genesis := audit.Genesis(rec.ID, rec.Definition)
	err := func() error {
		if _, err := st[stmtInsertSession].ExecContext(ctx, rec.ID, []byte(rec.Definition), rec.Created.UnixNano()); err != nil {
			return err
		}
		if _, err := st[stmtInsertHead].ExecContext(ctx, rec.ID, genesis[:]); err != nil {
			return err
		}
		for _, s := range rec.Seats {
			if _, err := st[stmtInsertSeat].ExecContext(ctx, rec.ID, s.Seat, s.Role, s.Name, s.TokenHash[:]); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		if parley.ErrorCode(FormatError(err)) != parley.ECONFLICT {
			return nil, err
		}
		r.err = parley.Errorf(parley.ECONFLICT, "session %s: the ID or a seat token is already in use", rec.ID)
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO create_session`); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `RELEASE create_session`); err != nil {
		return nil, err
	}
	if r.err != nil {
		return nil, nil
	}
	c := audit.NewChain(rec.ID, genesis)
	return &c, nil
}

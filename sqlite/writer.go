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

// appendReq is one AppendEvents call waiting for the writer.
type appendReq struct {
	session string
	next    int64
	events  []parley.EventRecord
	out     []parley.EventRecord // the linked records, on success
	err     error
	done    chan struct{}
}

// writer is the one goroutine that writes events: group commit. It takes
// the first queued append, adds every other append already queued (up to
// maxBatch), commits them in one transaction (one fsync) and answers each.
// While it syncs, new appends queue up and form the next batch, so the
// batch grows with the load and a lone append waits for no timer.
type writer struct {
	db       *sql.DB
	maxBatch int
	reqs     chan *appendReq

	mu     sync.RWMutex // guards closed against sends on a closed reqs
	closed bool
	done   chan struct{}

	appends, events, batches atomic.Int64
}

func newWriter(db *sql.DB, maxBatch, queue int) *writer {
	if maxBatch <= 0 {
		maxBatch = DefaultMaxBatch
	}
	if queue <= 0 {
		queue = DefaultQueue
	}
	w := &writer{db: db, maxBatch: maxBatch, reqs: make(chan *appendReq, queue), done: make(chan struct{})}
	go w.run()
	return w
}

// submit queues r and waits for its outcome. ctx bounds only the wait for
// a place in the queue: once queued, the append is committed or fails as a
// whole and submit waits for that answer, so that the caller never has to
// guess whether an append it gave up on was stored.
func (w *writer) submit(ctx context.Context, r *appendReq) error {
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

// close stops taking appends, lets the writer commit what is queued and
// waits for it to finish.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.done
}

func (w *writer) run() {
	defer close(w.done)
	batch := make([]*appendReq, 0, w.maxBatch)
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

// commit writes batch in one transaction and answers every append in it.
// If the transaction fails, each append is retried alone, so that one
// append's failure is not every append's.
func (w *writer) commit(batch []*appendReq) {
	err := w.tx(batch)
	if err != nil && len(batch) > 1 {
		for _, r := range batch {
			w.commit([]*appendReq{r})
		}
		return
	}
	if err == nil {
		w.batches.Add(1)
	}
	for _, r := range batch {
		if err != nil {
			r.out, r.err = nil, FormatError(fmt.Errorf("sqlite: append to session %s: %w", r.session, err))
		}
		if r.err == nil {
			w.appends.Add(1)
			w.events.Add(int64(len(r.out)))
		}
		close(r.done)
	}
}

const insertEvent = `INSERT INTO events (session, seq, type, audience, payload, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?)`

// tx runs one group-commit transaction. An append whose session is
// missing, or whose next is not the session's event count, fails on its
// own (r.err) without failing the transaction; an error returned fails
// them all.
func (w *writer) tx(batch []*appendReq) error {
	ctx := context.Background()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	ins, err := tx.PrepareContext(ctx, insertEvent)
	if err != nil {
		return err
	}
	defer ins.Close()
	chains := make(map[string]*audit.Chain)
	var dirty []*audit.Chain // sessions whose head moved, in batch order
	seen := make(map[*audit.Chain]bool)
	for _, r := range batch {
		r.out, r.err = nil, nil
		c, err := w.chain(ctx, tx, chains, r.session)
		if err != nil {
			return err
		}
		switch {
		case c == nil:
			r.err = parley.Errorf(parley.ENOTFOUND, "session %q not found", r.session)
			continue
		case r.next != c.Next:
			r.err = parley.Errorf(parley.ECONFLICT, "session %s: append at seq %d, but the next seq is %d", r.session, r.next, c.Next)
			continue
		}
		if !seen[c] {
			seen[c] = true
			dirty = append(dirty, c)
		}
		r.out = make([]parley.EventRecord, len(r.events))
		for i, e := range r.events {
			out := &r.out[i]
			out.Type, out.Audience, out.Payload = e.Type, e.Audience, e.Payload
			c.Link(out)
			if _, err := ins.ExecContext(ctx, out.Session, out.Seq, out.Type, out.Audience, []byte(out.Payload), out.Prev[:], out.Hash[:]); err != nil {
				return err
			}
		}
	}
	for _, c := range dirty {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET events = ?, head = ? WHERE id = ?`, c.Next, c.Head[:], c.Session)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(err, fmt.Errorf("session %s: head not updated", c.Session))
		}
	}
	return tx.Commit()
}

// chain returns the session's chain as this transaction sees it: read from
// the sessions row the first time, then carried along the batch. nil means
// no such session.
func (w *writer) chain(ctx context.Context, tx *sql.Tx, chains map[string]*audit.Chain, session string) (*audit.Chain, error) {
	if c, ok := chains[session]; ok {
		return c, nil
	}
	var events int64
	var head []byte
	err := tx.QueryRowContext(ctx, `SELECT events, head FROM sessions WHERE id = ?`, session).Scan(&events, &head)
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

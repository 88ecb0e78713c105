package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/internal/groupcommit"
)

// writer commits the batches of the group-commit queue. Other processes
// append to the same sessions, so what it keeps of the heads (heads) is
// only a guess, checked under the heads' row locks by each batch.
type writer struct {
	pool    *pgxpool.Pool
	channel string // NOTIFY the heads moved on this channel, unless ""
	// listening are the backends of the DB's own listeners, which a
	// NOTIFY is not sent for.
	listening *listeners
	heads     *headCache
	// Batches linked to cached heads, and those of them whose heads had
	// moved (each then linked again from the heads read under lock).
	cached, moved atomic.Int64
}

// Statements of a batch. The events and heads of a whole batch travel as
// arrays, and the statements are pipelined: a batch whose heads are cached
// is one round trip (BEGIN, sqlMoveHeads, which locks, checks and moves
// the heads, sqlInsert and COMMIT); one whose heads are not is two (BEGIN
// with sqlLockHeads, then the same writes and COMMIT). The NOTIFY's own
// short transaction follows the COMMIT in the same pipeline, and the
// appends are answered without waiting for it.
const (
	// sqlLockHeads locks and reads heads rows, each by the primary key's
	// index, in the order of $1 (sorted by the caller, so that batches
	// cannot deadlock): FOR UPDATE keeps the subquery from being merged
	// into the join, so each row is looked up for its session in turn.
	// (WHERE session = ANY($1) read the whole table for a few rows.)
	sqlLockHeads = `SELECT u.session, h.events, h.head FROM unnest($1::text[]) AS u (session),
		LATERAL (SELECT events, head FROM heads WHERE session = u.session FOR UPDATE) AS h`
	// sqlMoveHeads moves each head from where the batch found it (under
	// its lock, or in the cache) to where its events leave it, locking it
	// first if the batch has not, in the order given (migrations/002); if
	// one is not where the batch found it, it fails with SQLSTATE PH001,
	// and the statements pipelined behind it, the COMMIT included, are
	// skipped.
	sqlMoveHeads = `SELECT parley_move_heads($1::text[], $2::bigint[], $3::bytea[], $4::bigint[], $5::bytea[])`
	sqlInsert    = `INSERT INTO events (session, seq, type, audience, payload, prev, hash)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bytea[], $6::bytea[], $7::bytea[])`
)

// errHeadMoved says a head a batch linked to from the cache had moved
// (another server appended): the batch rolled back and is linked again
// from the heads read under their locks.
var errHeadMoved = errors.New("postgres: a cached chain head moved")

// commit is the queue's CommitFunc: one transaction for the batch, on a
// connection of the pool, begun and ended by hand so that BEGIN and COMMIT
// travel with the statements around them.
func (w *writer) commit(batch []*groupcommit.Request) error {
	ctx := context.Background()
	pc, err := w.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	c := pc.Conn()
	n, err := w.tx(ctx, c, batch, true)
	if errors.Is(err, errHeadMoved) {
		w.moved.Add(1)
		rollback(ctx, c)
		w.heads.forget(sessionsOf(batch))
		for _, r := range batch {
			r.Out, r.Err = nil, nil
		}
		n, err = w.tx(ctx, c, batch, false)
	}
	if err != nil {
		rollback(ctx, c)
		// The pool closes a connection released inside a transaction.
		pc.Release()
		w.heads.forget(sessionsOf(batch))
		return err
	}
	if n == nil {
		pc.Release()
		return nil
	}
	// The batch is stored: its appends are answered now, while the
	// NOTIFY's transaction pipelined behind the COMMIT completes.
	go func() {
		err := n.wait()
		if err != nil {
			rollback(ctx, c)
		}
		pc.Release()
		if err != nil {
			w.renotify(ctx, n.moved) // the batch itself is stored
		}
	}()
	return nil
}

// rollback ends the transaction a failure left open on c, if any.
func rollback(ctx context.Context, c *pgx.Conn) {
	if !c.IsClosed() && c.PgConn().TxStatus() != 'I' {
		_, _ = c.Exec(ctx, "ROLLBACK")
	}
}

// sessionsOf returns the sessions of batch's requests.
func sessionsOf(batch []*groupcommit.Request) []string {
	ids := make([]string, 0, len(batch))
	for _, r := range batch {
		if r.Create != nil {
			ids = append(ids, r.Create.ID)
		} else {
			ids = append(ids, r.Session)
		}
	}
	return ids
}

// pendingNotify is the NOTIFY transaction of a committed batch, whose
// results are still to be read.
type pendingNotify struct {
	br    pgx.BatchResults
	n     int
	moved headColumns
}

// wait reads the NOTIFY's results.
func (p *pendingNotify) wait() error {
	for range p.n {
		if _, err := p.br.Exec(); err != nil {
			p.br.Close()
			return err
		}
	}
	return p.br.Close()
}

// tx writes batch in one transaction (linking its appends to the cached
// heads when cached is set, and every one is there) and returns once the
// COMMIT has succeeded, with the NOTIFY still to be read, if any.
func (w *writer) tx(ctx context.Context, c *pgx.Conn, batch []*groupcommit.Request, cached bool) (*pendingNotify, error) {
	var appends, creates []*groupcommit.Request
	for _, r := range batch {
		if r.Create != nil {
			creates = append(creates, r)
		} else {
			appends = append(appends, r)
		}
	}
	// Creates first: each under a savepoint of its own, so that a taken
	// ID or token undoes only its session.
	if len(creates) > 0 {
		if _, err := c.Exec(ctx, "BEGIN"); err != nil {
			return nil, err
		}
		for _, r := range creates {
			if err := createSession(ctx, c, r); err != nil {
				return nil, err
			}
		}
	}
	b := &pgx.Batch{}
	check := -1 // the statement of b that locks and checks the cached heads
	var chains map[string]*audit.Chain
	if len(appends) > 0 {
		var err error
		if cached {
			if chains, check = w.queueCached(b, appends, len(creates) == 0); chains != nil {
				w.cached.Add(1)
			}
		}
		if chains == nil {
			if chains, err = lockHeads(ctx, c, appends, len(creates) == 0); err != nil {
				return nil, err
			}
			queueAppends(b, appends, chains)
		}
	}
	b.Queue("COMMIT")
	data := b.Len() // the statements up to and including the batch's COMMIT
	var moved headColumns
	if w.channel != "" {
		if moved = movedHeads(appends); len(moved.session) > 0 {
			queueNotify(b, w.channel, moved, w.listening.list())
		}
	}
	br := c.SendBatch(ctx, b)
	if err := readCommit(br, data, check); err != nil {
		br.Close()
		return nil, err
	}
	w.cache(creates, chains)
	if b.Len() == data {
		return nil, br.Close()
	}
	return &pendingNotify{br: br, n: b.Len() - data, moved: moved}, nil
}

// readCommit reads the results of a batch's statements up to its COMMIT
// (data of them). A failure the server reports (a PgError) means it
// skipped the COMMIT; any other failure (the connection cut) leaves
// unknown whether it committed. The failure of statement check says a
// cached head had moved.
func readCommit(br pgx.BatchResults, data, check int) error {
	for i := range data - 1 {
		if _, err := br.Exec(); err != nil {
			if i == check && isHeadMoved(err) {
				return fmt.Errorf("%w: %w", errHeadMoved, err)
			}
			return commitError(err)
		}
	}
	tag, err := br.Exec()
	switch {
	case err != nil:
		return commitError(err)
	case tag.String() != "COMMIT":
		return fmt.Errorf("postgres: the batch rolled back (%s)", tag)
	}
	return nil
}

// cache keeps the heads a committed batch left: the genesis of the
// sessions it created, and the chains its appends were linked to (which
// linking advanced to the new heads).
func (w *writer) cache(creates []*groupcommit.Request, chains map[string]*audit.Chain) {
	for _, r := range creates {
		if r.Err == nil {
			w.heads.put(audit.NewChain(r.Create.ID, audit.Genesis(r.Create.ID, r.Create.Definition)))
		}
	}
	for _, c := range chains {
		w.heads.put(*c)
	}
}

// queueCached links appends to the cached heads of their sessions and
// queues, after BEGIN when begin is set, the writes, whose first statement
// locks and checks those heads; it returns the chains and that statement's
// place in b, or nil (and queues nothing) when a head is not cached or an
// append is not at its session's cached next seq.
func (w *writer) queueCached(b *pgx.Batch, appends []*groupcommit.Request, begin bool) (map[string]*audit.Chain, int) {
	chains := w.heads.chains(sortedSessions(appends))
	if chains == nil {
		return nil, -1
	}
	next := make(map[string]int64, len(chains))
	for id, c := range chains {
		next[id] = c.Next
	}
	for _, r := range appends {
		if r.Next != next[r.Session] {
			return nil, -1 // the caller's or the cache's: the lock will say
		}
		next[r.Session] += int64(len(r.Events))
	}
	if begin {
		b.Queue("BEGIN")
	}
	return chains, queueAppends(b, appends, chains)
}

// queueNotify queues the NOTIFY of the heads a batch moved, sent only if
// another server listens (listeners.go), in a transaction of its own after
// the batch's COMMIT, committed without waiting for its WAL flush
// (synchronous_commit off). NOTIFY makes the
// transactions that send it take turns at COMMIT, the flush included
// (PostgreSQL takes a database-wide lock for it until the transaction
// ends); sent with the batch, it made the batches of all servers on the
// database flush one at a time. This way each batch flushes with the
// others as PostgreSQL groups WAL flushes, and only the short NOTIFY
// transactions take turns. A listener hears of a head after the batch
// that moved it has committed, as before.
func queueNotify(b *pgx.Batch, channel string, moved headColumns, own []int32) {
	b.Queue(sqlNotify, channel, notifyPayloads(moved), own)
}

// maxNotifyPayload bounds a NOTIFY payload, under PostgreSQL's 8000 bytes.
const maxNotifyPayload = 7900

// notifyPayloads writes the heads a batch moved as NOTIFY payloads: a line
// "SESSION EVENTS HEXHASH" a head, as many lines to a payload as fit, so
// that a batch costs its listeners one notification, or a few, however
// many sessions it moved.
func notifyPayloads(moved headColumns) []string {
	var out []string
	var p []byte
	for i, id := range moved.session {
		line := fmt.Appendf(nil, "%s %d %x", id, moved.events[i], moved.head[i])
		if len(p) > 0 && len(p)+1+len(line) > maxNotifyPayload {
			out, p = append(out, string(p)), p[:0]
		}
		if len(p) > 0 {
			p = append(p, '\n')
		}
		p = append(p, line...)
	}
	if len(p) > 0 {
		out = append(out, string(p))
	}
	return out
}

// renotify sends the NOTIFY of a committed batch whose own failed, on a
// connection of the pool, a few times. If it still fails, the listeners
// are unlikely to be connected either, and poll the heads when they are
// again (WatchHeads).
func (w *writer) renotify(ctx context.Context, moved headColumns) {
	for try := range 3 {
		if try > 0 {
			time.Sleep(time.Duration(try) * 50 * time.Millisecond)
		}
		pc, err := w.pool.Acquire(ctx)
		if err != nil {
			continue
		}
		b := &pgx.Batch{}
		queueNotify(b, w.channel, moved, w.listening.list())
		err = pc.Conn().SendBatch(ctx, b).Close()
		if err != nil && !pc.Conn().IsClosed() && pc.Conn().PgConn().TxStatus() != 'I' {
			_, _ = pc.Conn().Exec(ctx, "ROLLBACK")
		}
		pc.Release()
		if err == nil {
			return
		}
	}
}

// commitError classifies a failure of a pipeline that holds the COMMIT.
func commitError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if isHeadMoved(err) { // heads locked by the batch itself
			return fmt.Errorf("%w: %w", errStale, err)
		}
		return err
	}
	return fmt.Errorf("%w: %w", groupcommit.ErrCommit, err)
}

// isHeadMoved says whether err is sqlMoveHeads finding a head not where
// its batch found it.
func isHeadMoved(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "PH001"
}

// sortedSessions returns the sessions of appends, sorted, each once.
func sortedSessions(appends []*groupcommit.Request) []string {
	ids := make([]string, 0, len(appends))
	for _, r := range appends {
		ids = append(ids, r.Session)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// queueAppends links each append's events to its session's chain and
// queues the writes of heads and events, and returns the place in b of the
// first (sqlMoveHeads), or -1 if nothing is written. An append to a missing
// session or at a seq that is not the session's count gets its own error;
// the others go on.
func queueAppends(b *pgx.Batch, appends []*groupcommit.Request, chains map[string]*audit.Chain) int {
	var ev eventColumns
	found := make(map[string]audit.Chain, len(chains)) // each head as the batch found it
	for _, r := range appends {
		c := chains[r.Session]
		switch {
		case c == nil:
			r.Err = parley.Errorf(parley.ENOTFOUND, "session %q not found", r.Session)
			continue
		case r.Next != c.Next:
			r.Err = parley.Errorf(parley.ECONFLICT, "session %s: append at seq %d, but the next seq is %d", r.Session, r.Next, c.Next)
			continue
		}
		if _, ok := found[r.Session]; !ok {
			found[r.Session] = *c
		}
		r.Out = make([]parley.EventRecord, len(r.Events))
		for i, e := range r.Events {
			out := &r.Out[i]
			out.Type, out.Audience, out.Payload = e.Type, e.Audience, e.Payload
			c.Link(out)
			ev.add(out)
		}
	}
	to := movedHeads(appends)
	if len(to.session) == 0 {
		return -1
	}
	var from headColumns
	for _, id := range to.session {
		f := found[id]
		from.events = append(from.events, f.Next)
		from.head = append(from.head, f.Head[:])
	}
	move := b.Len()
	b.Queue(sqlMoveHeads, to.session, from.events, from.head, to.events, to.head)
	b.Queue(sqlInsert, ev.session, ev.seq, ev.typ, ev.audience, ev.payload, ev.prev, ev.hash)
	return move
}

// lockHeads locks and reads the heads rows of the sessions of appends (in
// session order, so that two batches lock in one order and cannot
// deadlock), after BEGIN when begin is set, in one round trip. A session
// with no row is missing from the map.
func lockHeads(ctx context.Context, c *pgx.Conn, appends []*groupcommit.Request, begin bool) (map[string]*audit.Chain, error) {
	ids := sortedSessions(appends)
	b := &pgx.Batch{}
	if begin {
		b.Queue("BEGIN")
	}
	b.Queue(sqlLockHeads, ids)
	br := c.SendBatch(ctx, b)
	defer br.Close()
	if begin {
		if _, err := br.Exec(); err != nil {
			return nil, err
		}
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	chains := make(map[string]*audit.Chain, len(ids))
	for rows.Next() {
		var ch audit.Chain
		var head []byte
		if err := rows.Scan(&ch.Session, &ch.Next, &head); err != nil {
			return nil, err
		}
		ch.Head = hashOf(head)
		chains[ch.Session] = &ch
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return chains, br.Close()
}

// movedHeads returns the heads the successful appends of batch move, in
// session order.
func movedHeads(batch []*groupcommit.Request) headColumns {
	last := map[string]parley.EventRecord{}
	for _, r := range batch {
		if r.Err != nil || len(r.Out) == 0 {
			continue
		}
		last[r.Session] = r.Out[len(r.Out)-1]
	}
	ids := make([]string, 0, len(last))
	for id := range last {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var h headColumns
	for _, id := range ids {
		e := last[id]
		h.session = append(h.session, id)
		h.events = append(h.events, e.Seq+1)
		h.head = append(h.head, e.Hash[:])
	}
	return h
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

// headColumns are heads as sqlMoveHeads and notifyPayloads take them.
type headColumns struct {
	session []string
	events  []int64
	head    [][]byte
}

// createSession inserts a session, its head and its seats under a
// savepoint, so that a taken ID or token undoes only this session
// (PostgreSQL aborts the whole transaction after a failed statement
// otherwise). A taken ID or token sets r.Err; other errors fail the
// batch.
func createSession(ctx context.Context, tx *pgx.Conn, r *groupcommit.Request) error {
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

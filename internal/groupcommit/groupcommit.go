// Package groupcommit batches the writes of a store into shared
// transactions: group commit. A durable commit costs one fsync (SQLite) or
// one WAL flush (PostgreSQL); paying it once per append would cap appends
// at the disk's flush rate, a few hundred a second. A Queue instead lets
// each committer take the first waiting request and every request already
// queued behind it, commit them in one transaction, and only then answer
// each. While a commit is syncing, new requests queue up and form the next
// batch, so batches grow with the load and a lone write waits for no timer.
//
// The queue knows nothing of SQL: a store supplies the function that
// commits a batch. Both parley stores (sqlite, postgres) use it, so that
// their answers mean the same: an append that returns nil is durable, and
// an append that returns an error was either not stored or, only when the
// COMMIT itself failed, is reported as such (ErrCommit) and must not be
// retried blindly.
package groupcommit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/parleyhq/parley"
)

// Request is one write waiting for a committer: an append of Events to
// Session at seq Next, or, when Create is set, the creation of a session.
type Request struct {
	Session string
	Next    int64
	Events  []parley.EventRecord
	Create  *parley.SessionRecord

	// Out and Err are the outcome, set by the commit function: an append's
	// linked records on success, or why this request alone failed
	// (ENOTFOUND, ECONFLICT) while the rest of its batch committed.
	Out []parley.EventRecord
	Err error

	done chan struct{}
}

// CommitFunc writes batch in one transaction. It sets Out or Err of each
// request that succeeds or fails on its own, and returns an error when the
// transaction as a whole failed (then Out and Err are ignored). An error
// that wraps ErrCommit says the COMMIT itself failed, so that whether the
// batch is stored is unknown.
type CommitFunc func(batch []*Request) error

// ErrCommit marks an error of COMMIT itself: the batch may or may not be
// stored.
var ErrCommit = errors.New("commit failed")

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("groupcommit: queue closed")

// Config sets up a Queue.
type Config struct {
	// MaxBatch caps the requests committed in one transaction; 1 turns
	// group commit off (one transaction per request). Default 512.
	MaxBatch int
	// MaxEvents caps the events of one batch, whatever its requests; the
	// request that crosses it still joins. Default 8192.
	MaxEvents int
	// Queue is how many requests may wait; beyond it Submit blocks (or
	// gives up when its context ends). Default 4096.
	Queue int
	// Committers is how many batches may be in flight at once, each on a
	// connection of its own (default 1). SQLite has one writer; a
	// PostgreSQL server can work on one batch while it flushes another.
	Committers int
	// Commit writes a batch (required).
	Commit CommitFunc
	// Wrap, if set, turns the error of a failed transaction into the
	// error each of its requests returns (adding the store's name, or
	// translating driver errors).
	Wrap func(r *Request, err error) error
}

// Defaults of Config.
const (
	DefaultMaxBatch  = 512
	DefaultMaxEvents = 8192
	DefaultQueue     = 4096
)

// Queue is a group-commit queue with its committer goroutines.
type Queue struct {
	cfg  Config
	reqs chan *Request

	mu     sync.RWMutex // guards closed against sends on a closed reqs
	closed bool
	wg     sync.WaitGroup

	appends, events, batches, failed atomic.Int64
}

// New starts a queue and its committers. It panics if cfg.Commit is nil (a
// programmer error).
func New(cfg Config) *Queue {
	if cfg.Commit == nil {
		panic("groupcommit: Config.Commit is nil")
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	if cfg.Queue <= 0 {
		cfg.Queue = DefaultQueue
	}
	if cfg.Committers <= 0 {
		cfg.Committers = 1
	}
	q := &Queue{cfg: cfg, reqs: make(chan *Request, cfg.Queue)}
	for range cfg.Committers {
		q.wg.Go(q.run)
	}
	return q
}

// Submit queues r and waits for its outcome. ctx bounds only the wait for
// a place in the queue: once queued, the request is committed or fails as
// a whole and Submit waits for that answer, so that the caller never has
// to guess whether a write it gave up on was stored. It returns r.Err.
func (q *Queue) Submit(ctx context.Context, r *Request) error {
	r.done = make(chan struct{})
	q.mu.RLock()
	if q.closed {
		q.mu.RUnlock()
		return ErrClosed
	}
	select {
	case q.reqs <- r:
	case <-ctx.Done():
		q.mu.RUnlock()
		return ctx.Err()
	}
	q.mu.RUnlock()
	<-r.done
	return r.Err
}

// Close stops taking requests, lets the committers commit what is queued
// and waits for them to finish.
func (q *Queue) Close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.reqs)
	}
	q.mu.Unlock()
	q.wg.Wait()
}

// Stats counts what the committers did: appends and their events that
// succeeded, the transactions (batches) that committed, and those that
// failed as a whole (each then retried request by request, or, if COMMIT
// failed, answered with the error).
type Stats struct {
	Appends, Events, Batches, Failed int64
}

// Stats returns the counters since New.
func (q *Queue) Stats() Stats {
	return Stats{Appends: q.appends.Load(), Events: q.events.Load(), Batches: q.batches.Load(), Failed: q.failed.Load()}
}

func (q *Queue) run() {
	batch := make([]*Request, 0, q.cfg.MaxBatch)
	for r := range q.reqs {
		batch = append(batch[:0], r)
		n := len(r.Events)
	fill:
		for len(batch) < q.cfg.MaxBatch && n < q.cfg.MaxEvents {
			select {
			case r, ok := <-q.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
				n += len(r.Events)
			default:
				break fill
			}
		}
		q.commit(batch)
	}
}

// commit writes batch and answers every request in it. If the transaction
// fails before its COMMIT, each request is retried alone, so that one
// request's failure is not every request's. If COMMIT itself fails, all
// fail and none is retried: whether such a commit reached the disk is not
// known, and a retry could store an append twice.
func (q *Queue) commit(batch []*Request) {
	for _, r := range batch {
		r.Out, r.Err = nil, nil
	}
	err := q.cfg.Commit(batch)
	if err != nil {
		q.failed.Add(1)
	}
	if err != nil && len(batch) > 1 && !errors.Is(err, ErrCommit) {
		for _, r := range batch {
			q.commit([]*Request{r})
		}
		return
	}
	if err == nil {
		q.batches.Add(1)
	}
	for _, r := range batch {
		if err != nil {
			r.Out, r.Err = nil, err
			if q.cfg.Wrap != nil {
				r.Err = q.cfg.Wrap(r, err)
			}
		}
		if r.Err == nil && r.Create == nil {
			q.appends.Add(1)
			q.events.Add(int64(len(r.Out)))
		}
		close(r.done)
	}
}

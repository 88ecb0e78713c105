package live

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// Session is one live session. Every call takes its lock: the driver is
// not safe for concurrent use, and an action is validated, stored and
// published before the next one is looked at, so that what a seat is told
// is always durable.
type Session struct {
	id string
	m  *Manager

	mu     sync.Mutex
	b      *built           // nil: not loaded (or unloaded after a failed append)
	hashes []parley.Hash    // the seats' token hashes, by seat
	head   parley.ChainHead // of what is stored, which is what b has
	known  atomic.Int64     // head.Events, read without the lock (Watch)
	tail   atomic.Pointer[storedTail]
	byHash map[parley.Hash]int // seat by token hash
	// signed: the session ended in an agreement and its accord is stored
	// (monitor.go); mon is the monitoring state, nil until used.
	signed bool
	mon    *monitor
	subs   map[*Subscription]struct{}
	told   *session.Move // the move the streams were last told (turn.go)
	timer  *time.Timer
	closed bool
	// remotes are the connected remote agents, by seat index; changed is
	// closed (and cleared) whenever the session changes, for them to
	// look again.
	remotes map[int]*AgentConn
	changed chan struct{}
	// used is when a call last needed the session in memory (ensure);
	// RetireEnded unloads ended sessions left alone for a while.
	used time.Time
}

// ID returns the session's ID.
func (s *Session) ID() string { return s.id }

// maxAttempts bounds the retries of an action refused on a copy of the
// session another writer had moved on from.
const maxAttempts = 3

// retryFor bounds the time an action whose append keeps losing races with
// another writer of the same session (another server instance) is tried
// again; the retries after the second wait a random while, longer each
// time, so that writers racing each other fall out of step.
const retryFor = 10 * time.Second

// do runs op on the driver and stores the events it caused before
// returning; it returns them as stored. When storing fails the session is
// unloaded, so that the next call rebuilds it from the stores, which are
// the truth; an append that lost a race (ECONFLICT), and an action refused
// on a copy of the session that another writer has moved on from, are
// tried again on the rebuilt session. op's own error is returned after
// its events (a lapse noticed before a refused action, say) are stored.
func (s *Session) do(ctx context.Context, op func(d *session.Driver) ([]protocol.Event, error)) ([]parley.EventRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	for attempt := 1; ; attempt++ {
		if err := s.ensure(ctx); err != nil {
			return nil, err
		}
		evs, opErr := op(s.b.driver)
		if opErr != nil && len(evs) == 0 && attempt < maxAttempts && s.stale(ctx) {
			s.unload() // refused on a state another writer moved on from
			continue
		}
		recs, err := s.commit(ctx, evs)
		if err != nil {
			s.unload()
			if parley.ErrorCode(err) == parley.ECONFLICT && time.Since(start) < retryFor {
				backoff(attempt)
				continue
			}
			return recs, err
		}
		s.arm()
		if err := s.sign(ctx); err != nil {
			s.unload()
			return recs, err
		}
		return recs, opErr
	}
}

// backoff waits before the attempt after attempt: not at all after the
// first, then up to a millisecond more each time (at most 20), at random.
func backoff(attempt int) {
	if attempt > 1 {
		time.Sleep(rand.N(time.Duration(min(attempt-1, 20)) * time.Millisecond))
	}
}

// stale reports whether the store holds events this copy of the session
// has not seen (another server instance appended them).
func (s *Session) stale(ctx context.Context) bool {
	h, err := s.m.Events.ChainHead(ctx, s.id)
	return err == nil && h != s.head
}

// commit stores events the driver produced, in order, in appends of at
// most parley.MaxAppendEvents, and publishes each append once it is
// durable.
func (s *Session) commit(ctx context.Context, evs []protocol.Event) ([]parley.EventRecord, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	if int64(evs[0].Seq) != s.head.Events {
		return nil, fmt.Errorf("live: session %s: the driver's event %d does not follow the %d stored", s.id, evs[0].Seq, s.head.Events)
	}
	recs, err := protocol.Records(evs)
	if err != nil {
		return nil, err
	}
	return s.store(ctx, recs)
}

// store appends records after the session's head, in appends of at most
// parley.MaxAppendEvents, and publishes each append once it is durable.
// The lock is held.
func (s *Session) store(ctx context.Context, recs []parley.EventRecord) ([]parley.EventRecord, error) {
	// An action a client gave up on is still stored: the state in memory
	// has taken it, so the store must too.
	ctx = context.WithoutCancel(ctx)
	var out []parley.EventRecord
	for len(recs) > 0 {
		n := min(len(recs), parley.MaxAppendEvents)
		got, err := s.m.Events.AppendEvents(ctx, s.id, s.head.Events, recs[:n])
		if err != nil {
			return out, err
		}
		last := got[len(got)-1]
		s.setHead(parley.ChainHead{Session: s.id, Events: last.Seq + 1, Hash: last.Hash})
		recs = recs[n:]
		var turn *turnNews
		if len(recs) == 0 {
			turn = s.nextTurn() // handed over with the last events
		}
		s.publishWith(got, turn)
		s.notify()
		if out == nil {
			out = got // one append, the usual case: no copy
		} else {
			out = append(slices.Clip(out), got...)
		}
	}
	if len(out) > 0 {
		s.tail.Store(&storedTail{recs: out})
	}
	return out, nil
}

// storedTail holds the records of a session's last append, as the store
// returned them (records).
type storedTail struct{ recs []parley.EventRecord }

// ensure loads the session from the stores unless it is in memory: the
// definition, a fresh driver, and the stored events replayed into it
// (session.Driver.Resume). Events the driver goes on to produce at once —
// built-in agents' moves cut short by a crash, turns that lapsed while the
// server was down — are stored before ensure returns.
func (s *Session) ensure(ctx context.Context) error {
	if s.closed {
		return ErrClosed
	}
	s.used = s.m.now()
	if s.b != nil {
		return nil
	}
	rec, err := s.m.Sessions.FindSession(ctx, s.id)
	if err != nil {
		return err
	}
	b, err := build(rec.Definition, s.m.now, &s.m.models)
	if err != nil {
		return fmt.Errorf("live: session %s: %w", s.id, err)
	}
	head, events, signed, err := s.stored(ctx)
	if err != nil {
		return err
	}
	if err := b.driver.Resume(ctx, events); err != nil {
		return fmt.Errorf("live: session %s: restore: %w", s.id, err)
	}
	s.catchSubs(ctx, head)
	s.install(rec, b, head)
	s.signed = signed
	evs, err := b.driver.Run(ctx)
	if err == nil {
		_, err = s.commit(ctx, evs)
	}
	if err == nil {
		err = s.sign(ctx) // an agreement stored by a server that stopped before signing it
	}
	if err != nil {
		s.unload()
		return err
	}
	s.arm()
	s.publishTurn() // the move the record led to, if it moved while unloaded
	return nil
}

// stored reads the session's head and its negotiation's events up to
// it, and whether the monitoring of its agreement has begun (the
// monitoring events that follow are left for loadMonitor).
func (s *Session) stored(ctx context.Context) (parley.ChainHead, []protocol.Event, bool, error) {
	head, err := s.m.Events.ChainHead(ctx, s.id)
	if err != nil {
		return head, nil, false, err
	}
	events := make([]protocol.Event, 0, head.Events)
	signed := false
	err = s.decoded(ctx, 0, head.Events, func(r parley.EventRecord, ev protocol.Event) error {
		if protocol.MonitorType(r.Type) {
			signed = true
			return nil
		}
		if signed {
			return fmt.Errorf("live: session %s: event %d: a %s event after the monitoring began", s.id, r.Seq, r.Type)
		}
		events = append(events, ev)
		return nil
	})
	return head, events, signed, err
}

// decoded calls fn for the stored events from seq from up to (not
// including) to, each with its decoded payload; the payload of a
// monitoring event (protocol.MonitorType) is not a negotiation event, and
// fn gets the zero event for it.
func (s *Session) decoded(ctx context.Context, from, to int64, fn func(parley.EventRecord, protocol.Event) error) error {
	return s.records(ctx, from, to, func(r parley.EventRecord) error {
		var ev protocol.Event
		if protocol.MonitorType(r.Type) {
			return fn(r, ev)
		}
		if err := json.Unmarshal(r.Payload, &ev); err != nil {
			return fmt.Errorf("live: session %s: event %d: %w", s.id, r.Seq, err)
		}
		return fn(r, ev)
	})
}

// records calls fn for the stored events from seq from up to (not
// including) to, reading them page by page; those the session's last
// append stored (its tail) are taken from memory instead, as the store
// returned them: a stream opened on a session just created, or one that
// reconnects near the head, reads nothing from the store.
func (s *Session) records(ctx context.Context, from, to int64, fn func(parley.EventRecord) error) error {
	if t := s.tail.Load(); t != nil && len(t.recs) > 0 {
		first := t.recs[0].Seq
		if end := first + int64(len(t.recs)); from >= first && from < to && to <= end {
			for _, r := range t.recs[from-first : to-first] {
				if err := fn(r); err != nil {
					return err
				}
			}
			return nil
		} else if from < first && to > first && to <= end {
			if err := s.readRecords(ctx, from, first, fn); err != nil {
				return err
			}
			return s.records(ctx, first, to, fn)
		}
	}
	return s.readRecords(ctx, from, to, fn)
}

// readRecords is records from the store.
func (s *Session) readRecords(ctx context.Context, from, to int64, fn func(parley.EventRecord) error) error {
	for from < to {
		page, err := s.m.Events.FindEvents(ctx, s.id, from, int(min(to-from, parley.MaxFindEvents)))
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return fmt.Errorf("live: session %s: events %d to %d missing from the store", s.id, from, to)
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		from = page[len(page)-1].Seq + 1
	}
	return nil
}

// install makes a built session the one in memory.
func (s *Session) install(rec *parley.SessionRecord, b *built, head parley.ChainHead) {
	s.b = b
	s.setHead(head)
	s.hashes = make([]parley.Hash, len(rec.Seats))
	s.byHash = make(map[parley.Hash]int, len(rec.Seats))
	for _, st := range rec.Seats {
		if st.Seat >= 0 && st.Seat < len(s.hashes) {
			s.hashes[st.Seat] = st.TokenHash
			s.byHash[st.TokenHash] = st.Seat
		}
	}
}

// unload drops the session from memory (its subscribers stay): the next
// call rebuilds it from the stores.
func (s *Session) unload() {
	s.b, s.hashes, s.byHash, s.mon, s.signed = nil, nil, nil, nil, false
	s.tail.Store(nil)
	s.stopTimer()
}

// Tick lets the session check its wall-clock deadlines (a turn that
// lapsed, the negotiation's deadline) and stores what that caused.
func (s *Session) Tick(ctx context.Context) error {
	_, err := s.do(ctx, func(d *session.Driver) ([]protocol.Event, error) { return d.Tick(ctx) })
	return err
}

// minWait keeps a timer that finds nothing to do from spinning.
const minWait = 5 * time.Millisecond

// arm sets the timer for the driver's next wall-clock deadline.
func (s *Session) arm() {
	s.stopTimer()
	if !s.m.Timers || s.closed || s.b == nil {
		return
	}
	next, ok := s.b.driver.NextTick()
	if !ok {
		return
	}
	s.timer = time.AfterFunc(max(next.Sub(s.m.now())+time.Millisecond, minWait), s.fire)
}

func (s *Session) stopTimer() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
}

// fire is the timer's callback.
func (s *Session) fire() {
	if err := s.Tick(context.Background()); err != nil && err != ErrClosed {
		s.m.log().Error("live: tick", "session", s.id, "err", err)
	}
}

// close stops the timer and ends every subscription.
func (s *Session) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.stopTimer()
	for sub := range s.subs {
		sub.drop()
	}
	s.notify()
}

// changes returns a channel closed at the session's next change (a
// stored event, or the server closing it). The session's lock is held.
func (s *Session) changes() <-chan struct{} {
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// notify wakes whoever waits on changes. The session's lock is held.
func (s *Session) notify() {
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

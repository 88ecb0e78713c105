package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// followWorkers bounds the sessions Watch loads, or hands new events to,
// at once.
const followWorkers = 4

// Watch keeps the manager in step with the other servers that share its
// store (several `parley serve` on one PostgreSQL), until ctx ends; it
// returns w's error (ctx's when ctx ended). When w says sessions moved on
// past what the manager holds, the manager reads their new events — of
// all the sessions heard of meanwhile at once (parley.EventStore's
// FindEventsOf), however many heads a burst of commits moved — hands them
// to each session's event streams and has its driver follow them
// (session.Driver.Follow), so that its views, timers and next actions
// start from the stored state; a session it does not hold yet is loaded,
// so that its deadlines run here too, should the server that holds it
// stop. When w cannot tell (the zero head), every session held is checked
// against the store, and running sessions not held are loaded. Heads the
// manager appended itself cost nothing.
func (m *Manager) Watch(ctx context.Context, w parley.HeadWatcher) error {
	f := &follower{m: m, pending: map[string]int64{}, wake: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); f.run(ctx) }()
	err := w.WatchHeads(ctx, f.moved)
	cancel()
	<-done
	return err
}

// follower collects the sessions to bring up to date; moved must not
// block, so the work is done by run, which takes all that was heard of
// while it worked on the last lot.
type follower struct {
	m       *Manager
	mu      sync.Mutex
	pending map[string]int64 // session → the most events it was said to have
	all     bool             // check every session held
	wake    chan struct{}
}

func (f *follower) moved(h parley.ChainHead) {
	if h.Session != "" {
		if s := f.m.get(h.Session); s != nil && s.known.Load() >= h.Events {
			return // this server's own append, or one it has caught up with
		}
	}
	f.mu.Lock()
	if h.Session == "" {
		f.all = true
	} else {
		f.pending[h.Session] = max(f.pending[h.Session], h.Events)
	}
	f.mu.Unlock()
	f.poke()
}

// poke wakes run.
func (f *follower) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// again puts sessions back on the list, for the next lot.
func (f *follower) again(mvs []moved) {
	if len(mvs) == 0 {
		return
	}
	f.mu.Lock()
	for _, mv := range mvs {
		f.pending[mv.id] = max(f.pending[mv.id], mv.events)
	}
	f.mu.Unlock()
	f.poke()
}

// sweepEvery is how often Watch reads the new events of every session it
// holds, whatever it heard: a store may tell of a commit only after it
// (PostgreSQL's NOTIFY follows the commit in a transaction of its own),
// and a server killed between the two leaves the others unaware of that
// commit until the session's next one. One query per MaxEventCursors
// sessions.
const sweepEvery = 5 * time.Second

func (f *follower) run(ctx context.Context) {
	every := f.m.sweepEvery
	if every <= 0 {
		every = sweepEvery
	}
	sweep := time.NewTicker(every)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		case <-sweep.C:
			f.again(f.held())
		}
		ids, all := f.take()
		if all {
			// Sessions created while nobody listened are not held yet.
			if err := f.m.loadRunning(ctx); err != nil && ctx.Err() == nil {
				f.m.log().Warn("live: looking for sessions other servers created", "err", err)
			}
		}
		f.follow(ctx, ids)
	}
}

// moved is a session to bring up to date, to at least events events (0:
// to whatever the store holds).
type moved struct {
	id     string
	events int64
}

// held lists every session held, to be read from where it stands.
func (f *follower) held() []moved {
	list := f.m.list()
	out := make([]moved, len(list))
	for i, s := range list {
		out[i] = moved{id: s.id}
	}
	return out
}

// take returns the sessions to check, and whether to check every one,
// and clears the list.
func (f *follower) take() ([]moved, bool) {
	f.mu.Lock()
	pending, all := f.pending, f.all
	f.pending, f.all = map[string]int64{}, false
	f.mu.Unlock()
	if all {
		for _, mv := range f.held() {
			pending[mv.id] = max(pending[mv.id], 0)
		}
	}
	out := make([]moved, 0, len(pending))
	for id, n := range pending {
		out = append(out, moved{id, n})
	}
	return out, all
}

// follow brings sessions up to date: those not held are loaded, and the
// new events of those held are read MaxEventCursors sessions to a query
// and handed to each.
func (f *follower) follow(ctx context.Context, mvs []moved) {
	var load, read []moved
	var cursors []parley.EventCursor
	for _, mv := range mvs {
		s := f.m.get(mv.id)
		switch {
		case s == nil:
			load = append(load, mv)
		case mv.events == 0 || s.known.Load() < mv.events:
			read = append(read, mv)
			cursors = append(cursors, parley.EventCursor{Session: mv.id, From: s.known.Load()})
		}
	}
	parallel(load, func(mv moved) {
		_, err := f.m.Session(ctx, mv.id)
		f.failed(ctx, mv.id, err)
	})
	for len(read) > 0 {
		n := min(len(read), parley.MaxEventCursors)
		f.read(ctx, read[:n], cursors[:n])
		read, cursors = read[n:], cursors[n:]
	}
}

// read reads the new events of sessions held, one query for all, and
// hands each its own. Sessions the answer was cut short of (it reached
// the limit) are read again in the next lot. If the query fails, each
// session reads its own.
func (f *follower) read(ctx context.Context, mvs []moved, cursors []parley.EventCursor) {
	limit := f.m.followLimit
	if limit <= 0 {
		limit = parley.MaxFindEvents
	}
	recs, err := f.m.Events.FindEventsOf(ctx, cursors, limit)
	if err != nil {
		if ctx.Err() == nil {
			f.m.log().Warn("live: reading what other servers appended", "sessions", len(mvs), "err", err)
		}
		parallel(mvs, func(mv moved) { f.catchUp(ctx, mv, nil, false) })
		return
	}
	got := map[string][]parley.EventRecord{}
	for i := 0; i < len(recs); {
		j := i + 1
		for j < len(recs) && recs[j].Session == recs[i].Session {
			j++
		}
		got[recs[i].Session] = recs[i:j:j]
		i = j
	}
	if len(recs) == limit {
		// Cut short: the last session read may have more, and the ones
		// after it were not read. The last takes what was read of it;
		// both are read again in the next lot.
		last := recs[len(recs)-1].Session
		cut := slices.IndexFunc(mvs, func(mv moved) bool { return mv.id == last })
		if cut < 0 {
			f.m.log().Error("live: the store answered events of a session not asked for", "session", last)
			parallel(mvs, func(mv moved) { f.catchUp(ctx, mv, nil, false) })
			return
		}
		f.again(mvs[cut:])
		mvs = slices.Clone(mvs[:cut+1])
		mvs[cut].events = 0
	}
	// A session of which nothing was read past what it holds now, and that
	// was not said to hold more, is left alone, not even locked — its lock
	// may be held for a commit of its own, and waiting for each such one
	// would hold up the sessions that did move.
	mvs = slices.DeleteFunc(mvs, func(mv moved) bool { return f.holdsAll(mv, got[mv.id]) })
	parallel(mvs, func(mv moved) { f.catchUp(ctx, mv, got[mv.id], true) })
}

// holdsAll reports whether the session mv already holds every event recs
// (read of it from the seq it held when the query began) and every event
// it was said to have. Its own appends count: the read may catch the
// events of a commit of its own that it stored meanwhile (the sweep
// checks a session with events 0, from what it held before that commit),
// and those are no reason to take its lock.
func (f *follower) holdsAll(mv moved, recs []parley.EventRecord) bool {
	s := f.m.get(mv.id)
	if s == nil {
		return false // catchUp says nothing of a session gone
	}
	known := s.known.Load()
	return mv.events <= known && (len(recs) == 0 || recs[len(recs)-1].Seq < known)
}

// catchUp hands one session what was read of it (read: recs are its
// events from the seq it held when they were read on), or has it read
// its own.
func (f *follower) catchUp(ctx context.Context, mv moved, recs []parley.EventRecord, read bool) {
	s := f.m.get(mv.id)
	if s == nil {
		return
	}
	var err error
	if read {
		err = s.follow(ctx, recs, mv.events)
	} else {
		err = s.catchUp(ctx, mv.events)
	}
	f.failed(ctx, mv.id, err)
}

// failed logs what went wrong bringing a session up to date, unless the
// server is closing or the session is gone.
func (f *follower) failed(ctx context.Context, id string, err error) {
	if err != nil && !errors.Is(err, ErrClosed) && ctx.Err() == nil && parley.ErrorCode(err) != parley.ENOTFOUND {
		f.m.log().Error("live: following another server's appends", "session", id, "err", err)
	}
}

// parallel calls fn for each of items, followWorkers at a time, and
// waits for all.
func parallel[T any](items []T, fn func(T)) {
	next := make(chan T)
	var wg sync.WaitGroup
	for range min(followWorkers, len(items)) {
		wg.Go(func() {
			for it := range next {
				fn(it)
			}
		})
	}
	for _, it := range items {
		next <- it
	}
	close(next)
	wg.Wait()
}

// follow hands the session the events read of it from the store — its
// stored events from some seq at or before the head it holds on — and
// brings it to at least events events (0: to what recs hold). What it
// holds already (this server appended it meanwhile) is skipped. If recs
// do not reach events, or do not continue what it holds, it reads what
// it needs itself (catchUp).
func (s *Session) follow(ctx context.Context, recs []parley.EventRecord, events int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || (events > 0 && s.b != nil && s.head.Events >= events) {
		return nil
	}
	if s.b == nil {
		return s.ensure(ctx) // unloaded after a failed append: load it again
	}
	for len(recs) > 0 && recs[0].Seq < s.head.Events {
		recs = recs[1:]
	}
	switch {
	case len(recs) > 0 && recs[0].Seq > s.head.Events:
		return s.catchUpLocked(ctx, 0) // not what it holds: read all it lacks
	case len(recs) > 0:
		if err := s.advance(ctx, recs); err != nil {
			return err
		}
	}
	if s.head.Events < events {
		return s.catchUpLocked(ctx, events)
	}
	return nil
}

// catchUp brings the session in step with the store after another writer
// appended to it: the new events go to the subscribers and the driver
// follows them. If the driver cannot follow (the record does not come out
// as this copy would have it), the session is rebuilt from the store.
// A session that holds at least events events already (this server's own
// append, heard of before it was done) is not read again.
func (s *Session) catchUp(ctx context.Context, events int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.catchUpLocked(ctx, events)
}

// catchUpLocked is catchUp with the lock held.
func (s *Session) catchUpLocked(ctx context.Context, events int64) error {
	if s.closed || (events > 0 && s.b != nil && s.head.Events >= events) {
		return nil
	}
	if s.b == nil {
		return s.ensure(ctx) // unloaded after a failed append: load it again
	}
	h, err := s.m.Events.ChainHead(ctx, s.id)
	if err != nil || h.Events <= s.head.Events {
		return err
	}
	recs, err := s.since(ctx, h.Events)
	if err != nil {
		return s.rebuild(ctx, err)
	}
	return s.advance(ctx, recs)
}

// advance has the session take stored events that continue the head it
// holds (recs[0].Seq is head.Events): the driver follows them, the
// subscribers get them, and what the built-in agents go on to do is
// stored. The lock is held.
func (s *Session) advance(ctx context.Context, recs []parley.EventRecord) error {
	evs, mon, err := s.decode(recs)
	if err == nil && mon {
		// The monitoring of the agreement moved on: rebuild the session,
		// monitoring state and all, from the store.
		s.unload()
		return s.ensure(ctx)
	}
	if err == nil && recs[0].Prev != s.head.Hash {
		err = fmt.Errorf("live: session %s: the stored event %d does not link to the head held (%s)", s.id, s.head.Events, s.head)
	}
	if err == nil {
		err = s.b.driver.Follow(ctx, evs)
	}
	if err != nil {
		return s.rebuild(ctx, err)
	}
	last := recs[len(recs)-1]
	s.setHead(parley.ChainHead{Session: s.id, Events: last.Seq + 1, Hash: last.Hash})
	s.publish(recs)
	s.publishTurn()
	// What the built-in agents go on to do (a record the other writer
	// left cut between two appends) is stored here.
	more, err := s.b.driver.Run(ctx)
	if err == nil {
		_, err = s.commit(ctx, more)
	}
	if err != nil {
		s.unload()
		return err
	}
	s.arm()
	return nil
}

// rebuild reloads the session from the store after it could not follow
// what another writer stored (why); the lock is held.
func (s *Session) rebuild(ctx context.Context, why error) error {
	s.m.log().Warn("live: rebuilding a session another server moved on", "session", s.id, "err", why)
	s.unload()
	return s.ensure(ctx)
}

// decode decodes the payloads of the negotiation's events among recs;
// mon says whether any is a monitoring event (protocol.MonitorType).
func (s *Session) decode(recs []parley.EventRecord) (evs []protocol.Event, mon bool, err error) {
	evs = make([]protocol.Event, 0, len(recs))
	for _, r := range recs {
		if protocol.MonitorType(r.Type) {
			mon = true
			continue
		}
		var ev protocol.Event
		if err := json.Unmarshal(r.Payload, &ev); err != nil {
			return nil, false, fmt.Errorf("live: session %s: event %d: %w", s.id, r.Seq, err)
		}
		evs = append(evs, ev)
	}
	return evs, mon, nil
}

// since reads the stored events after the head held, up to (not
// including) seq to.
func (s *Session) since(ctx context.Context, to int64) ([]parley.EventRecord, error) {
	var recs []parley.EventRecord
	err := s.records(ctx, s.head.Events, to, func(r parley.EventRecord) error {
		recs = append(recs, r)
		return nil
	})
	return recs, err
}

// catchSubs hands the subscribers the stored events up to head that they
// have not been given (another writer appended them while this copy of
// the session was unloaded, or behind). If they cannot be read, the
// subscribers are dropped: they resume from the last seq they saw.
func (s *Session) catchSubs(ctx context.Context, head parley.ChainHead) {
	if len(s.subs) == 0 || s.head.Session == "" || head.Events <= s.head.Events {
		return
	}
	recs, err := s.since(ctx, head.Events)
	if err != nil {
		for sub := range s.subs {
			sub.drop()
		}
		return
	}
	s.publish(recs)
}

// setHead records the head of what is stored and held; the lock is held.
func (s *Session) setHead(h parley.ChainHead) {
	s.head = h
	s.known.Store(h.Events)
}

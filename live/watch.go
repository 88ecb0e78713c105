package live

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// watchWorkers bounds the sessions Watch brings up to date at once.
const watchWorkers = 4

// Watch keeps the manager in step with the other servers that share its
// store (several `parley serve` on one PostgreSQL), until ctx ends; it
// returns w's error (ctx's when ctx ended). When w says a session moved on
// past what the manager holds, the manager reads the new events, hands
// them to the session's event streams and has its driver follow them
// (session.Driver.Follow), so that its views, timers and next actions
// start from the stored state; a session it does not hold yet is loaded,
// so that its deadlines run here too, should the server that holds it
// stop. When w cannot tell (the zero head), every session held is checked
// against the store, and running sessions not held are loaded. Heads the manager appended itself cost nothing.
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
// block, so the work is done by run.
type follower struct {
	m       *Manager
	mu      sync.Mutex
	pending map[string]int64 // session → the most events it was said to have
	all     bool             // check every session held
	wake    chan struct{}
}

func (f *follower) moved(h parley.ChainHead) {
	if h.Session != "" {
		f.m.mu.Lock()
		s := f.m.sessions[h.Session]
		f.m.mu.Unlock()
		if s != nil && s.known.Load() >= h.Events {
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
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *follower) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		}
		ids, all := f.take()
		if all {
			// Sessions created while nobody listened are not held yet.
			if err := f.m.loadRunning(ctx); err != nil && ctx.Err() == nil {
				f.m.log().Warn("live: looking for sessions other servers created", "err", err)
			}
		}
		next := make(chan moved)
		var wg sync.WaitGroup
		for range min(watchWorkers, len(ids)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for mv := range next {
					f.follow(ctx, mv)
				}
			}()
		}
		for _, mv := range ids {
			next <- mv
		}
		close(next)
		wg.Wait()
	}
}

// moved is a session to bring up to date, to at least events events (0:
// to whatever the store holds).
type moved struct {
	id     string
	events int64
}

// take returns the sessions to check, and whether to check every one,
// and clears the list.
func (f *follower) take() ([]moved, bool) {
	f.mu.Lock()
	pending, all := f.pending, f.all
	f.pending, f.all = map[string]int64{}, false
	f.mu.Unlock()
	if all {
		for _, s := range f.m.list() {
			pending[s.id] = 0
		}
	}
	out := make([]moved, 0, len(pending))
	for id, n := range pending {
		out = append(out, moved{id, n})
	}
	return out, all
}

// follow brings one session up to date, loading it if it is not held.
func (f *follower) follow(ctx context.Context, mv moved) {
	id := mv.id
	f.m.mu.Lock()
	s := f.m.sessions[id]
	f.m.mu.Unlock()
	var err error
	if s == nil {
		_, err = f.m.Session(ctx, id)
	} else {
		err = s.catchUp(ctx, mv.events)
	}
	if err != nil && !errors.Is(err, ErrClosed) && ctx.Err() == nil && parley.ErrorCode(err) != parley.ENOTFOUND {
		f.m.log().Error("live: following another server's appends", "session", id, "err", err)
	}
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
	recs, evs, mon, err := s.since(ctx, h.Events)
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
		s.m.log().Warn("live: rebuilding a session another server moved on", "session", s.id, "err", err)
		s.unload()
		return s.ensure(ctx)
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

// since reads the stored events after the head held, up to (not
// including) seq to, as records and, for the negotiation's events, as
// events; mon says whether any is a monitoring event.
func (s *Session) since(ctx context.Context, to int64) (recs []parley.EventRecord, evs []protocol.Event, mon bool, err error) {
	err = s.decoded(ctx, s.head.Events, to, func(r parley.EventRecord, ev protocol.Event) error {
		recs = append(recs, r)
		if protocol.MonitorType(r.Type) {
			mon = true
		} else {
			evs = append(evs, ev)
		}
		return nil
	})
	return recs, evs, mon, err
}

// catchSubs hands the subscribers the stored events up to head that they
// have not been given (another writer appended them while this copy of
// the session was unloaded, or behind). If they cannot be read, the
// subscribers are dropped: they resume from the last seq they saw.
func (s *Session) catchSubs(ctx context.Context, head parley.ChainHead) {
	if len(s.subs) == 0 || s.head.Session == "" || head.Events <= s.head.Events {
		return
	}
	recs, _, _, err := s.since(ctx, head.Events)
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

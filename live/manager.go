package live

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// ErrClosed is returned once the manager is closed.
var ErrClosed = errors.New("live: the server is shutting down")

// DefaultBuffer is how many events a subscriber may fall behind by before
// it is dropped.
const DefaultBuffer = 256

// Manager keeps the live sessions of a server: each is driven by a
// session.Driver in memory under a lock of its own and stored, event by
// event, in the stores before anything is acknowledged. Sessions are
// loaded from the stores when first used (and at Open, the ones still
// running, so that their timers run); the stores are the truth, memory a
// cache of it.
type Manager struct {
	// Sessions and Events are the stores. Required.
	Sessions parley.SessionStore
	Events   parley.EventStore
	// Now is the wall clock (default time.Now); tests inject their own.
	Now func() time.Time
	// Log receives what clients are not shown (internal errors, restores).
	Log *slog.Logger
	// Buffer is how many events a subscriber may fall behind by before it
	// is dropped (default DefaultBuffer).
	Buffer int
	// Timers arms timers for wall-clock deadlines (default true via
	// NewManager); tests with an injected clock turn them off and call
	// Tick.
	Timers bool
	// AgentTimeout bounds a remote agent's reply to a turn (0: the agent
	// protocol's default, agentwire.Options.Timeout: 10 s, or the time
	// left before a wall-clock deadline).
	AgentTimeout time.Duration

	models   modelCache
	analyses analysisCache // the mediators' panels and the debriefs

	// followLimit caps the events Watch reads in one query (0:
	// parley.MaxFindEvents); tests lower it to see answers cut short.
	followLimit int
	// sweepEvery is how often Watch reads every session held (0:
	// sweepEvery); tests shorten it.
	sweepEvery time.Duration

	mu       sync.Mutex
	sessions map[string]*Session
	closed   bool
	timers   sync.WaitGroup // timer callbacks in flight
}

// NewManager returns a manager on the stores, with the wall clock and
// timers.
func NewManager(sessions parley.SessionStore, events parley.EventStore) *Manager {
	return &Manager{Sessions: sessions, Events: events, Now: time.Now, Log: slog.Default(), Buffer: DefaultBuffer, Timers: true}
}

// Open loads every session that has not ended, so that its deadlines run
// again; ended ones are loaded when asked for. A session that cannot be
// rebuilt is logged and left for its requests to fail.
func (m *Manager) Open(ctx context.Context) error { return m.loadRunning(ctx) }

// loadRunning loads every stored session that has not ended and is not
// held yet.
func (m *Manager) loadRunning(ctx context.Context) error {
	var after string
	for {
		recs, err := m.Sessions.FindSessions(ctx, parley.SessionFilter{After: after, Limit: parley.MaxFindSessions})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			after = rec.ID
			if m.held(rec.ID) {
				continue
			}
			running, err := m.running(ctx, rec.ID)
			if err != nil {
				return err
			}
			if !running {
				continue
			}
			if _, err := m.Session(ctx, rec.ID); err != nil {
				m.log().Error("live: cannot restore session", "session", rec.ID, "err", err)
			}
		}
		if len(recs) < parley.MaxFindSessions {
			return nil
		}
	}
}

// running reports whether a stored session's last event is not its end.
func (m *Manager) running(ctx context.Context, id string) (bool, error) {
	h, err := m.Events.ChainHead(ctx, id)
	if err != nil || h.Events == 0 {
		return err == nil, err
	}
	evs, err := m.Events.FindEvents(ctx, id, h.Events-1, 1)
	if err != nil || len(evs) == 0 {
		return err == nil, err
	}
	typ := evs[0].Type
	return typ != string(protocol.EvEnd) && !protocol.MonitorType(typ), nil
}

// Session returns the session id, loading it from the stores if needed.
// Returns ENOTFOUND if there is no such session.
func (m *Manager) Session(ctx context.Context, id string) (*Session, error) {
	if len(id) == 0 || len(id) > parley.MaxSessionID {
		return nil, parley.Errorf(parley.ENOTFOUND, "no session %q", clip([]byte(id)))
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	s, ok := m.sessions[id]
	if !ok {
		if m.sessions == nil {
			m.sessions = map[string]*Session{}
		}
		s = &Session{id: id, m: m}
		m.sessions[id] = s
	}
	m.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensure(ctx); err != nil {
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			m.forget(s)
		}
		return nil, err
	}
	return s, nil
}

// held reports whether session id is in memory.
func (m *Manager) held(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.sessions[id]
	return ok
}

// get returns session id if it is in memory, else nil.
func (m *Manager) get(id string) *Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sessions[id]
}

// forget drops s from memory (a session that does not exist).
func (m *Manager) forget(s *Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sessions[s.id] == s {
		delete(m.sessions, s.id)
	}
}

// Loaded returns the number of sessions in memory.
func (m *Manager) Loaded() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}

// Tick lets every loaded session check its wall-clock deadlines now, as
// its timer would; for tests with an injected clock.
func (m *Manager) Tick(ctx context.Context) error {
	var errs []error
	for _, s := range m.list() {
		errs = append(errs, s.Tick(ctx))
	}
	return errors.Join(errs...)
}

func (m *Manager) list() []*Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Session, 0, len(m.sessions))
	for _, s := range m.sessions {
		out = append(out, s)
	}
	return out
}

// Close stops the timers and ends every event stream; it waits for timer
// callbacks in flight. The stores are the caller's to close, after.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	for _, s := range m.list() {
		s.close()
	}
	m.timers.Wait()
	return nil
}

func (m *Manager) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

func (m *Manager) log() *slog.Logger {
	if m.Log == nil {
		return slog.Default()
	}
	return m.Log
}

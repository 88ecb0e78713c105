package live

import "time"

// Ended sessions stay readable (views, transcripts, debriefs, monitoring)
// but need not stay in memory: a server that runs for months would
// otherwise hold every session it ever ran, each with its whole record
// of rounds. RetireEnded unloads the ones nobody has used for a while;
// the next call loads them again from the stores, which are the truth.

// RetireEnded unloads every session in memory whose negotiation has ended
// and that no call has needed for at least idle (and that no remote
// agent is connected to); its subscribers stay. It returns how many it
// unloaded. The server calls it now and then (parley serve: every
// minute, for sessions idle for a minute).
func (m *Manager) RetireEnded(idle time.Duration) int {
	now, n := m.now(), 0
	for _, s := range m.list() {
		if s.retire(now, idle) {
			n++
		}
	}
	return n
}

// retire unloads s if it has ended and was last used idle or more before
// now.
func (s *Session) retire(now time.Time, idle time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b == nil || !s.b.driver.Done() || len(s.remotes) > 0 || now.Sub(s.used) < idle {
		return false
	}
	s.unload()
	return true
}

// InMemory returns the number of sessions whose state is in memory (the
// ones RetireEnded has not unloaded); Loaded counts every session the
// manager knows of.
func (m *Manager) InMemory() int {
	n := 0
	for _, s := range m.list() {
		s.mu.Lock()
		if s.b != nil {
			n++
		}
		s.mu.Unlock()
	}
	return n
}

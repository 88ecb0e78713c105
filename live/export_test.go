package live

// SetFollowLimit caps the events m's Watch reads in one query, so that
// tests see answers cut short.
func SetFollowLimit(m *Manager, n int) { m.followLimit = n }

package live

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley"
)

// SetFollowLimit caps the events m's Watch reads in one query, so that
// tests see answers cut short.
func SetFollowLimit(m *Manager, n int) { m.followLimit = n }

// SetSweep sets how often m's Watch reads the new events of every session
// it holds, whatever it heard.
func SetSweep(m *Manager, every time.Duration) { m.sweepEvery = every }

// RefSlow reads b as Ref.UnmarshalJSON does, always by encoding/json: the
// reference its fast path is held to.
func RefSlow(b []byte) (Ref, error) {
	var r Ref
	err := r.unmarshalJSON(bytes.TrimSpace(b))
	return r, err
}

// TurnJSON is the payload a turn event's record carries.
func TurnJSON(t *Turn) []byte { return t.json() }

// PlainList reads a list of refs without encoding/json, if it can.
func PlainList(raw []byte) ([]Ref, bool) { return plainList(raw, 4) }

// Records returns the records s.records gives for [from, to), and those
// the store holds for it.
func Records(ctx context.Context, s *Session, from, to int64) (got, stored []parley.EventRecord, err error) {
	err = errors.Join(
		s.records(ctx, from, to, func(r parley.EventRecord) error { got = append(got, r); return nil }),
		s.readRecords(ctx, from, to, func(r parley.EventRecord) error { stored = append(stored, r); return nil }))
	return got, stored, err
}

// Lots is how many times events were handed to sub (each wakes its
// reader).
func Lots(sub *Subscription) int {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.lots
}

// SweepRead runs the read Watch does for s, from seq from, as the sweep
// does (told of no head): the new events read are handed to s, and a
// session that holds them already is left alone.
func SweepRead(ctx context.Context, m *Manager, s *Session, from int64) {
	f := &follower{m: m, pending: map[string]int64{}, wake: make(chan struct{}, 1)}
	f.read(ctx, []moved{{id: s.id}}, []parley.EventCursor{{Session: s.id, From: from}})
}

// Lock takes s's lock, as an action does while its commit waits, and
// returns its release.
func Lock(s *Session) (unlock func()) {
	s.mu.Lock()
	return s.mu.Unlock
}

package live

import (
	"bytes"
	"time"
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

package session

import (
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// Clock is where a negotiation stands on the wall clock, for a server to
// show and to set its timers by. Zero times mean "none".
type Clock struct {
	// Start is when the session started.
	Start time.Time
	// Deadline is when the whole negotiation times out (Config.Deadline).
	Deadline time.Time
	// Turn is when the current turn lapses: the start of the next round
	// on the wall clock (Config.Hour).
	Turn time.Time
	// Day and Hour place the current round on the session calendar
	// (protocol.Calendar).
	Day  int
	Hour float64
}

// Clock returns the session's wall-clock deadlines and its place on the
// calendar. After the end only Start is set.
func (d *Driver) Clock() Clock {
	c := Clock{Start: d.start}
	t, ok := protocol.Peek(d.p)
	if !ok {
		return c
	}
	c.Day, c.Hour = protocol.Calendar(d.cfg.Protocol, t.Round)
	if d.cfg.Deadline > 0 {
		c.Deadline = d.start.Add(d.cfg.Deadline)
	}
	if d.cfg.Hour > 0 {
		c.Turn = d.roundStart(t.Round + 1)
	}
	return c
}

// NextTick returns when Tick next has something to do — the earlier of the
// turn's lapse and the negotiation's deadline — and false when nothing
// waits on the clock (no wall-clock settings, or the negotiation has
// ended). A server arms a timer for it.
func (d *Driver) NextTick() (time.Time, bool) {
	c := d.Clock()
	next := c.Deadline
	if !c.Turn.IsZero() && (next.IsZero() || c.Turn.Before(next)) {
		next = c.Turn
	}
	return next, !next.IsZero()
}

// roundStart is when round starts on the wall clock.
func (d *Driver) roundStart(round int) time.Time {
	day, hour := protocol.Calendar(d.cfg.Protocol, round)
	wall := (24*float64(day) + hour) * float64(d.cfg.Hour)
	if wall > float64(maxWait) {
		wall = float64(maxWait) // a calendar past any wall clock
	}
	return d.start.Add(time.Duration(wall))
}

// maxWait bounds how far ahead a turn deadline is put (about 146 years),
// so that huge calendars do not overflow time.Duration.
const maxWait = time.Duration(1<<62 - 1)

// lapsed reports whether turn t, of a seat played from outside, has run
// past its wall-clock deadline. Recorded lapses are inputs while
// restoring, so the clock is not read then.
func (d *Driver) lapsed(t parley.Turn) bool {
	if d.cfg.Hour <= 0 || d.restoring {
		return false
	}
	return !d.cfg.Clock().Before(d.roundStart(t.Round + 1))
}

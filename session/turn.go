package session

import (
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// EvTurn is the type of the event that says whose move it is (Driver.Move).
// It is not one of the protocol's events: the driver derives it from the
// state the record leads to, and never records it.
const EvTurn protocol.EventType = "turn"

// Move says whose move it is once the events recorded so far have been
// applied: the event of type EvTurn that a server hands a session's event
// streams each time it changes.
//
// It is derived, not recorded: the same record always leads to the same
// move, so transcripts, replay and the audit chain hold the protocol's
// events only and do not change; a stream that reconnects is told the
// current move afresh.
type Move struct {
	Type protocol.EventType `json:"type"`
	// Audience is who may know it. Whose move it is, is public in both
	// protocols: a seat waits for another and may know which one, even
	// when what moved the turn on (a party's answer to the text, seen by
	// its caucus only) is hidden from it; the view's move (View.Move) has
	// the same audience.
	Audience parley.Audience `json:"audience"`
	// After is the seq of the last event recorded before the move (−1:
	// none yet): the move holds after it.
	After int `json:"after"`
	// Round (0-based), Day and Hour are the round the move belongs to and
	// its place on the calendar; after the end, the last round's.
	Round int     `json:"round"`
	Day   int     `json:"day,omitempty"`
	Hour  float64 `json:"hour,omitempty"`
	// Actor is whose move it is (a party, or parley.MediatorActor), and
	// protocol.NoActor once the negotiation has ended; Seat is that seat,
	// nil after the end.
	Actor int          `json:"actor"`
	Seat  *parley.Seat `json:"seat"`
}

// Same reports whether two moves hand the same seat the same round (or
// both say the negotiation has ended): a server tells its streams of a
// move only when it is not the same as the last one told. Two turns of one
// seat in one round (the mediator extending the deadline, then writing
// the text) are one move.
func (m Move) Same(o Move) bool { return m.Actor == o.Actor && m.Round == o.Round }

// Move returns whose move it is now (see Move).
func (d *Driver) Move() Move {
	mv := Move{Type: EvTurn, Audience: parley.ToEveryone(), After: d.recorded - 1, Actor: protocol.NoActor}
	if t, ok := protocol.Peek(d.p); ok {
		s := parley.ActorSeat(t.Actor)
		mv.Round, mv.Actor, mv.Seat = t.Round, t.Actor, &s
	} else {
		mv.Round = max(d.p.Result().Rounds-1, 0)
	}
	mv.Day, mv.Hour = protocol.Calendar(d.cfg.Protocol, mv.Round)
	return mv
}

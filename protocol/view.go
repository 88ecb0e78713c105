package protocol

import (
	"slices"
	"strings"

	"github.com/parleyhq/parley"
)

// View is what one seat may see of a negotiation, computed from the events
// whose audience includes the seat — never filtered after the fact. It is
// the reference definition of a seat's view: package session keeps the
// same views incrementally for its agents and servers, and its tests check
// them against this one.
type View struct {
	Seat parley.Seat
	// Events are the events the seat may see, in order (kept only when
	// the view was made with events; see NewView).
	Events []Event
	// History holds the valid actions among them, oldest first: what
	// parley.Turn.History holds on the seat's turn.
	History []parley.Action
	// Instructions are, for a party seat, its principals' instructions
	// since its last action, oldest first: what parley.Turn.Instructions
	// holds on its next turn.
	Instructions []parley.Instruction
	// Caucus holds the caucus messages the seat may see, oldest first.
	Caucus []Event
	keep   bool
}

// NewView returns an empty view for seat s; with events set it keeps the
// visible events themselves too (View.Events).
func NewView(s parley.Seat, events bool) *View { return &View{Seat: s, keep: events} }

// ViewOf folds events into a new view for seat s, keeping the events.
func ViewOf(events []Event, s parley.Seat) *View {
	v := NewView(s, true)
	for _, ev := range events {
		v.Add(ev)
	}
	return v
}

// Add folds ev into the view if the seat may see it, and reports whether
// it did.
func (v *View) Add(ev Event) bool {
	if !ev.Audience.Includes(v.Seat) {
		return false
	}
	if v.keep {
		v.Events = append(v.Events, ev)
	}
	switch ev.Type {
	case EvAction:
		if ev.Action == nil || Invalid(ev) {
			break
		}
		v.History = append(v.History, *ev.Action)
		if actor, ok := v.Seat.Actor(); ok && actor == ev.Action.Actor {
			v.Instructions = nil
		}
	case EvInstruction:
		if ev.Instruction != nil && v.Seat.Role == parley.SeatParty && v.Seat.Party == ev.Actor {
			v.Instructions = append(v.Instructions, *ev.Instruction)
		}
	case EvCaucus:
		v.Caucus = append(v.Caucus, ev)
	}
	return true
}

// invalidNote starts the note of an action the protocol refused.
const invalidNote = "invalid: "

// Invalid reports whether ev records an action the protocol refused (which
// ended the negotiation as broken).
func Invalid(ev Event) bool { return ev.Type == EvAction && strings.HasPrefix(ev.Note, invalidNote) }

// Catchup keeps one seat's view over a record that only grows, bringing
// it up to date from where it left off: a server that shows a seat its
// view after every move folds in the new events only, instead of all of
// them every time (ViewOf). What it returns is what ViewOf returns for the
// same record and seat.
type Catchup struct {
	v    View    // without its events
	idx  []int32 // the index in the record of each event the seat may see
	upto int     // the events of the record folded in
}

// NewCatchup returns an empty view of seat s to catch up.
func NewCatchup(s parley.Seat) *Catchup { return &Catchup{v: View{Seat: s}} }

// View folds the events of record it has not seen into the seat's view
// and returns the view, as ViewOf(record, seat) would. record must begin
// with the events of the record given before (it only grows). The view's
// Events are its own; History, Instructions and Caucus are shared with
// the Catchup (clipped, so that appending to them copies): callers must
// not modify their elements.
func (c *Catchup) View(record []Event) *View {
	if len(record) < c.upto {
		panic("protocol: Catchup: the record shrank") // a caller's bug: records only grow
	}
	for i := c.upto; i < len(record); i++ {
		if c.v.Add(record[i]) {
			c.idx = append(c.idx, int32(i))
		}
	}
	c.upto = len(record)
	v := &View{Seat: c.v.Seat, keep: true, History: slices.Clip(c.v.History),
		Instructions: slices.Clip(c.v.Instructions), Caucus: slices.Clip(c.v.Caucus)}
	if len(c.idx) > 0 {
		v.Events = make([]Event, len(c.idx))
		for k, i := range c.idx {
			v.Events[k] = record[i]
		}
	}
	return v
}

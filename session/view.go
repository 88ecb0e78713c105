package session

import (
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// views keeps every seat's view incrementally, as protocol.View defines
// it, for the turns the driver hands agents: the actions each seat may see
// (Turn.History) and the instructions pending for each party's delegate
// (Turn.Instructions).
//
// Most actions are public, so most seats see every action: such a seat
// shares the protocol's log of all actions (shared[i]) and costs nothing
// per step. The first action a seat may not see gives it a history of its
// own, which then grows with the actions it may see.
type views struct {
	seats   []parley.Seat
	log     func() []parley.Action // every valid action (protocol.Protocol.Actions)
	own     [][]parley.Action      // per seat, once it no longer shares log
	shared  []bool
	private []int                  // seats that no longer share log
	pending [][]parley.Instruction // per party: instructions since its last action
}

// init sets up the views of seats over the protocol's log of actions.
func (v *views) init(seats []parley.Seat, log func() []parley.Action) {
	v.seats, v.log = seats, log
	v.own = make([][]parley.Action, len(seats))
	v.shared = make([]bool, len(seats))
	for i := range v.shared {
		v.shared[i] = true
	}
	n := 0
	for _, s := range seats {
		if s.Role == parley.SeatParty {
			n = max(n, s.Party+1)
		}
	}
	v.pending = make([][]parley.Instruction, n)
}

// index returns the index of a seat, or −1.
func (v *views) index(s parley.Seat) int {
	for i, x := range v.seats {
		if x == s {
			return i
		}
	}
	return -1
}

// history returns seat i's history, with its capacity clipped so that an
// agent appending to it cannot write into the driver's.
func (v *views) history(i int) []parley.Action {
	h := v.log()
	if i < 0 {
		return nil
	}
	if !v.shared[i] {
		h = v.own[i]
	}
	return h[:len(h):len(h)]
}

// add folds one event into the views.
func (v *views) add(ev *protocol.Event) {
	switch ev.Type {
	case protocol.EvAction:
		if ev.Action == nil || protocol.Invalid(*ev) {
			return
		}
		a := *ev.Action
		if ev.Audience.Public() {
			for _, i := range v.private {
				v.own[i] = append(v.own[i], a)
			}
		} else {
			for i, s := range v.seats {
				in := ev.Audience.Includes(s)
				switch {
				case v.shared[i] && !in:
					log := v.log()
					v.own[i] = append([]parley.Action(nil), log[:len(log)-1]...)
					v.shared[i] = false
					v.private = append(v.private, i)
				case !v.shared[i] && in:
					v.own[i] = append(v.own[i], a)
				}
			}
		}
		if a.Actor >= 0 && a.Actor < len(v.pending) {
			v.pending[a.Actor] = nil
		}
	case protocol.EvInstruction:
		if ev.Instruction != nil && ev.Actor >= 0 && ev.Actor < len(v.pending) {
			v.pending[ev.Actor] = append(v.pending[ev.Actor], *ev.Instruction)
		}
	}
}

// View is what one seat may see of a negotiation, for a server to show:
// the seat's events and what follows from them (protocol.View), its turn
// when it must move, the current text, and the result.
type View struct {
	protocol.View
	// Turn is the seat's turn when it is the seat's move, else nil.
	Turn *parley.Turn
	// Text is the current single negotiating text (mediated protocols):
	// it is public.
	Text []parley.Clause
	// Move is the seat whose move it is, when the seat may know it (the
	// audience of Driver.Move: everyone); Moving is false after the end.
	Move   parley.Seat
	Moving bool
	// Round is the current round (0-based) and Time the relative time
	// towards the deadline in rounds, as the protocol's turn says.
	Round int
	Time  float64
	// Result is the result so far (End is parley.Running while open).
	Result protocol.Result
	// Brief is what the seat knows of the scenario: the issues, the
	// parties' names, and its own side's preferences only
	// (parley.Scenario.Brief).
	Brief *parley.Scenario
}

// seatView is what View keeps of a seat's view between calls: the view,
// brought up to date with the events since (protocol.Catchup), and the
// seat's brief, which never changes.
type seatView struct {
	c     *protocol.Catchup
	brief *parley.Scenario
}

// View computes seat's view from the events whose audience includes it,
// folding in only those recorded since its last call for the seat
// (protocol.Catchup: the same view as protocol.ViewOf over every event).
// It needs the events: with Config.Discard it returns EINVALID. Callers
// must not modify what the view holds but its Events.
func (d *Driver) View(seat parley.Seat) (*View, error) {
	if d.cfg.Discard {
		return nil, parley.Errorf(parley.EINVALID, "session: events are discarded, so there are no views to show")
	}
	sv := d.seen[seat]
	if sv == nil {
		if d.seen == nil {
			d.seen = map[parley.Seat]*seatView{}
		}
		sv = &seatView{c: protocol.NewCatchup(seat), brief: d.m.Scenario.Brief(seat)}
		d.seen[seat] = sv
	}
	v := &View{View: *sv.c.View(d.record), Result: d.p.Result(), Brief: sv.brief}
	if t, ok := d.p.Next(); ok {
		v.Text, v.Round, v.Time = t.Text, t.Round, t.Time
		if mv := d.Move(); mv.Seat != nil && mv.Audience.Includes(seat) {
			v.Move, v.Moving = *mv.Seat, true
		}
	}
	if t, ok := d.Turn(seat); ok {
		v.Turn = &t
	}
	return v, nil
}

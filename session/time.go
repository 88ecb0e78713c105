package session

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// This file holds the driver's time: the relative time t that agents see
// and that discounts what the parties get, and the end of a negotiation as
// agents are told it.
//
// The protocol counts rounds: its Turn.Time is rounds used over the round
// deadline. With a wall-clock deadline (Config.Deadline) the driver reads
// its clock and hands agents the nearer of the two: t = max(rounds used /
// round deadline, seconds used / time limit), and Turn.Left, the time left.

// elapsed is the wall-clock time since New; 0 without a deadline.
func (d *Driver) elapsed() float64 {
	if d.cfg.Deadline <= 0 {
		return 0
	}
	return float64(d.cfg.Clock().Sub(d.start)) / float64(d.cfg.Deadline)
}

// timeOf returns the relative time of a turn whose protocol time is
// rounds: the nearer deadline counts.
func (d *Driver) timeOf(rounds float64) float64 {
	if d.restoring {
		return min(rounds, 1)
	}
	return min(max(rounds, d.elapsed()), 1)
}

// timed sets the turn's Time and Left from the clock.
func (d *Driver) timed(t *parley.Turn) {
	if d.cfg.Deadline <= 0 {
		return
	}
	el := d.cfg.Clock().Sub(d.start)
	t.Time = min(max(t.Time, float64(el)/float64(d.cfg.Deadline)), 1)
	t.Left = max(d.cfg.Deadline-el, 0)
}

// pastDeadline reports whether the wall-clock deadline has passed while
// the negotiation is open.
func (d *Driver) pastDeadline() bool {
	return d.cfg.Deadline > 0 && !d.restoring && !d.Done() && d.cfg.Clock().Sub(d.start) > d.cfg.Deadline
}

// settle records the relative time at the end, once the negotiation has
// ended: the time of the action that ended it, 1 at a deadline.
func (d *Driver) settle(at float64) {
	if d.settled {
		return
	}
	res := d.p.Result()
	if res.End == parley.Running {
		return
	}
	d.settled = true
	d.endT = at
	if res.End == parley.Deadline {
		d.endT = 1
	}
}

// Time returns the relative time t in [0, 1]: at the end once the
// negotiation has ended (the time of the action that ended it; 1 when a
// deadline ended it), else now. What parties get is discounted at it
// (parley.PartyModel.Payoff).
func (d *Driver) Time() float64 {
	if d.settled {
		return d.endT
	}
	t, ok := protocol.Peek(d.p)
	if !ok {
		return d.endT
	}
	return d.timeOf(t.Time)
}

// Payoffs returns what each party gets if the negotiation ends now (or
// got, once it has ended): of the agreement, else its reservation value,
// discounted at Time, and undiscounted.
func (d *Driver) Payoffs() (discounted, undiscounted []float64) {
	res := d.p.Result()
	t := d.Time()
	discounted = make([]float64, len(d.m.Parties))
	undiscounted = make([]float64, len(d.m.Parties))
	for i := range d.m.Parties {
		discounted[i], undiscounted[i] = d.m.Parties[i].Payoff(res.Agreement, t)
	}
	return discounted, undiscounted
}

// finish tells every agent that wants to hear it how the negotiation
// ended (End is Running when it did not), once.
func (d *Driver) finish(ctx context.Context) {
	if d.finished {
		return
	}
	d.finished = true
	if len(d.finishers) == 0 {
		return
	}
	for _, f := range d.finishers {
		e := d.Ending(f.seat)
		f.a.Finish(ctx, &e)
	}
}

// Ending is how the negotiation ended as seat is told it (End is
// parley.Running while it is open): the result, the relative time at the
// end, what the seat's party got, and the actions of the seat's view. A
// server hands it to a remote agent (agentwire.Codec.Finished).
func (d *Driver) Ending(seat parley.Seat) parley.Ending {
	res := d.p.Result()
	t := d.Time()
	e := parley.Ending{End: res.End, Agreement: res.Agreement, Why: res.Why, Rounds: res.Rounds, Time: t}
	if seat.Role == parley.SeatParty && seat.Party >= 0 && seat.Party < len(d.m.Parties) {
		e.Utility, e.Undiscounted = d.m.Parties[seat.Party].Payoff(res.Agreement, t)
	}
	if i := d.v.index(seat); i >= 0 && d.v.log != nil && !d.forget {
		e.History = d.v.history(i)
	}
	return e
}

// Close releases the agents that hold something (parley.FinishingAgent:
// subprocesses, connections): those not yet told how the negotiation
// ended are told now — with End Running when it has not ended. Runners
// call it when they are done with a driver, however they are done (defer
// d.Close()); it is idempotent. The driver stays readable (Result, View)
// but must not be driven after it.
func (d *Driver) Close() {
	d.finish(context.Background())
}

package session

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// Restore rebuilds a negotiation from its recorded events — after a
// server restarts, say — on a driver fresh from New with the same model,
// protocol, players and seed. The inputs of seats played from outside
// (their actions, instructions and caucus messages), timeouts, lapses and
// agent errors are applied as recorded; built-in agents act again, which
// rebuilds their state, and every event they cause must come out as
// recorded. Agents whose action comes from outside the process
// (parley.ContextAgent, parley.ContextPrincipal: a subprocess, a remote
// program) are not asked again: their recorded actions and instructions
// are applied as inputs. Wall-clock deadlines are not checked while
// restoring (recorded timeouts and lapses are inputs); give the driver the
// session's original Config.Start so that they stay where they were.
//
// A recorded history that does not come out again is refused with
// ECONFLICT naming the first differing event (a different seed, agent or
// scenario); the driver is then unusable. On success the recorded events
// count as returned: the next call returns only new ones. Restore needs
// the events, so it is EINVALID with Config.Discard.
func (d *Driver) Restore(ctx context.Context, recorded []protocol.Event) error {
	return d.restore(ctx, recorded, false)
}

// Resume is Restore for a record that may have been cut short while
// built-in agents were acting: a server that stores the events of one call
// in several appends, and crashed between two of them. Where the record
// ends and the built-in agents go on, their further events are not an
// error: the next call (Run, Tick) returns them, for the server to store.
// Everything recorded must still come out as recorded.
func (d *Driver) Resume(ctx context.Context, recorded []protocol.Event) error {
	return d.restore(ctx, recorded, true)
}

func (d *Driver) restore(ctx context.Context, recorded []protocol.Event, cut bool) error {
	if d.cfg.Discard {
		return parley.Errorf(parley.EINVALID, "session: restore needs the events; the driver discards them")
	}
	if d.steps > 0 || d.told > 0 || len(d.record) != 1 {
		return parley.Errorf(parley.EINVALID, "session: restore needs a driver fresh from New")
	}
	return d.replay(ctx, recorded, 0, cut)
}

// replay applies recorded, the events from seq base on, as Restore does
// from 0: inputs as recorded, built-in agents acting again.
func (d *Driver) replay(ctx context.Context, recorded []protocol.Event, base int, cut bool) error {
	d.restoring = true
	defer func() { d.restoring = false }()
	end := base + len(recorded)
	for {
		if err := d.match(recorded, base, cut); err != nil {
			return err
		}
		if err := d.run(ctx); err != nil {
			return err
		}
		if err := d.match(recorded, base, cut); err != nil {
			return err
		}
		n := len(d.record)
		if n >= end {
			d.told = end
			d.restoring = false
			if d.Done() {
				d.finish(ctx)
			}
			return nil
		}
		if err := d.apply(recorded, n-base); err != nil {
			return err
		}
	}
}

// match checks the events produced so far against the recorded ones
// (recorded[0] is the event of seq base); with cut, events past the end
// of the record are new, not a mismatch.
func (d *Driver) match(recorded []protocol.Event, base int, cut bool) error {
	for i := d.matched; i < len(d.record); i++ {
		j := i - base
		if j >= len(recorded) && cut {
			break
		}
		if j >= len(recorded) {
			return parley.Errorf(parley.ECONFLICT, "session: restore: the negotiation goes on past the %d recorded events (a %s event)", base+len(recorded), d.record[i].Type)
		}
		if err := protocol.SameEvent(recorded[j], d.record[i]); err != nil {
			return err
		}
	}
	d.matched = len(d.record)
	return nil
}

// apply feeds the recorded input event recorded[i] to the protocol.
func (d *Driver) apply(recorded []protocol.Event, i int) error {
	var err error
	ev := recorded[i]
	at := d.Time()
	switch ev.Type {
	case protocol.EvAction:
		if ev.Action == nil {
			return parley.Errorf(parley.ECONFLICT, "session: restore: event %d: an action event without an action", ev.Seq)
		}
		at := 1.0
		if t, ok := protocol.Peek(d.p); ok {
			at = d.timeOf(t.Time)
		}
		d.step(protocol.SubmittedAction(recorded, i), at)
		return nil
	case protocol.EvInstruction:
		if ev.Instruction == nil {
			return parley.Errorf(parley.ECONFLICT, "session: restore: event %d: an instruction event without an instruction", ev.Seq)
		}
		err = d.p.Instruct(ev.Actor, ev.Faction, *ev.Instruction)
	case protocol.EvCaucus:
		err = d.p.Caucus(ev.Audience.Seat.Party, ev.Actor, ev.Message)
	case protocol.EvTimeout:
		err = d.p.Timeout()
	case protocol.EvLapse:
		err = d.p.Lapse(ev.Actor)
	case protocol.EvAgentError:
		err = d.p.Fail(ev.Actor, ev.Note)
	default:
		return parley.Errorf(parley.ECONFLICT, "session: restore: event %d: a recorded %s event did not come out again", ev.Seq, ev.Type)
	}
	if err != nil {
		return &parley.Error{Code: parley.ECONFLICT, Message: "session: restore: event " + itoa(ev.Seq) + ": " + string(ev.Type) + " refused", Err: err}
	}
	d.drain()
	d.settle(at)
	return nil
}

package session_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// Driver.View keeps each seat's view between calls and folds in only the
// new events; after every step of a session played from outside (answers,
// instructions, caucus messages) each seat's view is the one
// protocol.ViewOf computes from scratch over the driver's events, and the
// brief is the seat's.
func TestViewCatchesUp(t *testing.T) {
	t.Parallel()
	m, cfg := istanbul(t)
	d := restoreDriver(t, m, cfg)
	seats := []parley.Seat{parley.MediatorSeat(), parley.ObserverSeat()}
	for p := range m.Parties {
		seats = append(seats, parley.PartySeat(p), parley.PrincipalSeat(p, 0))
	}
	check := func(step int) {
		t.Helper()
		for k, seat := range seats {
			if (step+k)%3 == 0 {
				continue // some seats skip a few steps, to catch up on several
			}
			v, err := d.View(seat)
			if err != nil {
				t.Fatal(err)
			}
			ref := protocol.ViewOf(d.Events(), seat)
			if !reflect.DeepEqual(v.Events, ref.Events) || !reflect.DeepEqual(v.History, ref.History) ||
				!reflect.DeepEqual(v.Instructions, ref.Instructions) || !reflect.DeepEqual(v.Caucus, ref.Caucus) {
				t.Fatalf("step %d, %s: the view (%d events, %d actions, %d instructions, %d caucus) is not ViewOf's (%d, %d, %d, %d)",
					step, seat, len(v.Events), len(v.History), len(v.Instructions), len(v.Caucus),
					len(ref.Events), len(ref.History), len(ref.Instructions), len(ref.Caucus))
			}
			if !reflect.DeepEqual(v.Brief, m.Scenario.Brief(seat)) {
				t.Fatalf("step %d, %s: not the seat's brief", step, seat)
			}
			if len(v.Events) > 0 {
				v.Events[0].Note = "edited by a caller" // the next view is not changed by it
			}
		}
	}
	check(0)
	ctx := context.Background()
	dele := -1
	for i := range m.Parties {
		if m.Parties[i].Delegation {
			dele = i
		}
	}
	instructed, caucused := 0, 0
	for step := 1; step < 40 && !d.Done(); step++ {
		playOutside(t, d, 1)
		if step%4 == 0 {
			if _, err := d.Instruct(ctx, parley.PrincipalSeat(dele, 0), parley.Instruction{Kind: parley.LowerFloor, Delta: 0.01}); err != nil {
				t.Fatal(err)
			}
			instructed++
		}
		if step%3 == 0 {
			if _, err := d.Caucus(ctx, parley.MediatorSeat(), step%len(m.Parties), "note"); err == nil {
				caucused++
			}
		}
		check(step)
	}
	if instructed == 0 || caucused == 0 {
		t.Errorf("%d instructions, %d caucus messages: the views were not tested on them", instructed, caucused)
	}
}

// scribbler wraps an agent and writes over the text of every turn it is
// handed, after acting on it: what an agent does with its turn must not
// reach the protocol, whose turns the driver reads without copying them.
type scribbler struct{ parley.Agent }

func (s scribbler) Act(t *parley.Turn) parley.Action {
	a := s.Agent.Act(t)
	for i := range t.Text {
		t.Text[i] = parley.Clause{Issue: 99, Option: 99, State: parley.ClauseFinal}
	}
	return a
}

// The Istanbul negotiation comes out event for event the same when its
// agents scribble on the turns they are handed.
func TestAgentsCannotWriteIntoTheText(t *testing.T) {
	t.Parallel()
	m, cfg := istanbul(t)
	run := func(scribble bool) []protocol.Event {
		pc, err := cfg.ProtocolConfig()
		if err != nil {
			t.Fatal(err)
		}
		sc := session.Config{Protocol: pc, Seed: cfg.Seed, Target: cfg.Target, Principals: principals(t, m, cfg, -1)}
		for _, spec := range cfg.Agents {
			p := mustAgent(t, spec)
			if scribble {
				p.Agent = scribbler{p.Agent}
			}
			sc.Parties = append(sc.Parties, p)
		}
		sc.Mediator = mustAgent(t, cfg.Mediator)
		if scribble {
			sc.Mediator.Agent = scribbler{sc.Mediator.Agent}
		}
		d, err := session.New(m, sc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return d.Events()
	}
	clean, scribbled := run(false), run(true)
	if len(clean) < 20 || !reflect.DeepEqual(clean, scribbled) {
		t.Fatalf("%d events, %d with scribbling agents: want the same", len(clean), len(scribbled))
	}
}

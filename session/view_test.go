package session_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
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

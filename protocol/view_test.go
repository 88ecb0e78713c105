package protocol_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// A Catchup brought up to date at random points of random sessions shows
// every seat the view protocol.ViewOf computes from scratch over the
// record so far (the naive reference), and what a caller does to the
// views it was given changes nothing it shows later.
func TestCatchupMatchesViewOf(t *testing.T) {
	t.Parallel()
	checked := 0
	for seed := range uint64(60) {
		s, _, events, _ := randomRun(t, seed, seed%3 != 0)
		r := rand.New(rand.NewPCG(seed, 99))
		seats := []parley.Seat{parley.MediatorSeat(), parley.ObserverSeat()}
		for p := range s.Parties {
			seats = append(seats, parley.PartySeat(p), parley.PrincipalSeat(p, 0), parley.PrincipalSeat(p, 1))
		}
		for _, seat := range seats {
			c := protocol.NewCatchup(seat)
			for n := 0; n <= len(events); n += r.IntN(4) {
				got, want := c.View(events[:n]), protocol.ViewOf(events[:n], seat)
				if !sameView(got, want) {
					t.Fatalf("seed %d, %s, %d events:\n got %+v\nwant %+v", seed, seat, n, got, want)
				}
				checked++
				// A caller appending to or editing its view.
				got.Events = append(got.Events, protocol.Event{Type: "x"})
				if len(got.Events) > 1 {
					got.Events[0].Note = "edited"
				}
				got.History = append(got.History, parley.Action{Kind: parley.ActWalkAway})
				got.Caucus = append(got.Caucus, protocol.Event{Type: "y"})
			}
			if got, want := c.View(events), protocol.ViewOf(events, seat); !sameView(got, want) {
				t.Fatalf("seed %d, %s, all %d events:\n got %+v\nwant %+v", seed, seat, len(events), got, want)
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d views compared", checked)
	}
}

func sameView(a, b *protocol.View) bool {
	return a.Seat == b.Seat && reflect.DeepEqual(a.Events, b.Events) && reflect.DeepEqual(a.History, b.History) &&
		reflect.DeepEqual(a.Instructions, b.Instructions) && reflect.DeepEqual(a.Caucus, b.Caucus)
}

package session_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// TestFollow plays the Istanbul scenario on one driver and has another
// follow its record in chunks of random length, cut anywhere (between an
// input and the built-in agents' answers too), as a second server on one
// database does: after each chunk and whatever its built-in agents go on
// to produce, the follower's events are a prefix of the record; at the end
// they are the record, and both drivers go on alike. A doctored event is
// ECONFLICT; events that do not start at the driver's next seq, or a
// driver with events it has not returned, are EINVALID.
func TestFollow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, cfg := istanbul(t)
	a := restoreDriver(t, m, cfg)
	playOutside(t, a, 12)
	recorded := a.Events()
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 1))
		b := restoreDriver(t, m, cfg)
		if _, err := b.Run(ctx); err != nil {
			t.Fatal(err)
		}
		for chunks := 0; len(b.Events()) < len(recorded); chunks++ {
			pos := len(b.Events())
			if chunks > 2*len(recorded) {
				t.Fatalf("seed %d: the follower is stuck at %d of %d events", seed, pos, len(recorded))
			}
			n := 1 + r.IntN(min(6, len(recorded)-pos))
			if err := b.Follow(ctx, recorded[pos:pos+n]); err != nil {
				t.Fatalf("seed %d: follow %d..%d: %v", seed, pos, pos+n, err)
			}
			if _, err := b.Run(ctx); err != nil {
				t.Fatal(err)
			}
			got := eventsJSON(t, b.Events())
			if len(got) > len(recorded) || !reflect.DeepEqual(got, eventsJSON(t, recorded[:len(got)])) {
				t.Fatalf("seed %d: after following %d..%d the follower's events are not a prefix of the record", seed, pos, pos+n)
			}
		}
		if seed == 0 {
			playOutside(t, a, 8)
			playOutside(t, b, 8)
			if !reflect.DeepEqual(eventsJSON(t, a.Events()), eventsJSON(t, b.Events())) || !reflect.DeepEqual(a.Result(), b.Result()) {
				t.Fatal("the original and the follower go on differently")
			}
		}
	}

	b := restoreDriver(t, m, cfg)
	if _, err := b.Run(ctx); err != nil {
		t.Fatal(err)
	}
	pos := len(b.Events())
	if err := b.Follow(ctx, recorded[pos+1:]); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("follow from the wrong seq: %v, want EINVALID", err)
	}
	doctored := append([]protocol.Event(nil), recorded[pos:]...)
	for i, ev := range doctored {
		if ev.Type == protocol.EvAction && ev.Action.Kind == parley.ActText { // the built-in mediator's
			act := *ev.Action
			act.Reason = "changed"
			doctored[i].Action = &act
			break
		}
	}
	if err := b.Follow(ctx, doctored); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("follow a doctored record: %v, want ECONFLICT", err)
	}
	c := restoreDriver(t, m, cfg)
	if err := c.Resume(ctx, recorded[:1]); err != nil {
		t.Fatal(err)
	}
	if len(c.Events()) < 2 {
		t.Fatal("the built-in mediator did not go on past the start")
	}
	// The mediator's text is not returned yet.
	if err := c.Follow(ctx, recorded[len(c.Events()):]); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("follow with events not returned: %v, want EINVALID", err)
	}
}

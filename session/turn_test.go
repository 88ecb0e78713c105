package session_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// TestMove plays the Istanbul account with the mediator and the first
// faction of each delegation played from outside, and checks the move
// after every call against what the driver waits for: the seat whose move
// it is (the view's move for every seat, an observer's too), public, after
// the last recorded event; a refused action moves nothing; after the end
// nobody's. A driver restored from the record alone says the same: the
// move is derived from the record, never recorded.
func TestMove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, cfg := istanbul(t)
	d := restoreDriver(t, m, cfg)
	if _, err := d.Run(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(when string) session.Move {
		t.Helper()
		mv := d.Move()
		if mv.Type != session.EvTurn || !mv.Audience.Public() || mv.After != len(d.Events())-1 {
			t.Fatalf("%s: move %+v after %d events", when, mv, len(d.Events()))
		}
		seat, waiting := d.Awaiting()
		switch {
		case d.Done():
			if mv.Seat != nil || mv.Actor != protocol.NoActor {
				t.Fatalf("%s: after the end the move is %+v", when, mv)
			}
		case waiting && (mv.Seat == nil || *mv.Seat != seat):
			t.Fatalf("%s: the driver waits for %v, the move says %+v", when, seat, mv)
		}
		for _, s := range []parley.Seat{parley.ObserverSeat(), parley.PartySeat(0), parley.MediatorSeat()} {
			v, err := d.View(s)
			if err != nil {
				t.Fatal(err)
			}
			if v.Moving != (mv.Seat != nil) || (v.Moving && v.Move != *mv.Seat) {
				t.Fatalf("%s: %v's view has move %v (%v), the move event %+v", when, s, v.Move, v.Moving, mv)
			}
		}
		return mv
	}
	before := check("at the start")
	if _, err := d.Submit(ctx, parley.PartySeat(0), parley.Action{Kind: parley.ActAccept}); err == nil {
		t.Fatal("an action out of turn was taken")
	}
	if mv := check("after a refused action"); !mv.Same(before) || mv.After != before.After {
		t.Fatalf("a refused action moved the turn: %+v, was %+v", mv, before)
	}
	playOutside(t, d, 12)
	last := check("after the play")
	r := restoreDriver(t, m, cfg)
	if err := r.Resume(ctx, d.Events()); err != nil {
		t.Fatal(err)
	}
	got := r.Move()
	if got.Actor != last.Actor || got.Round != last.Round || got.After != last.After || !got.Same(last) {
		t.Fatalf("restored from the record the move is %+v, the driver's %+v", got, last)
	}
}

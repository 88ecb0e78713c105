package protocol_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// TestReasonsStayOnTheirSide: an actor's reason is recorded apart from
// its action, as a "reason" event that only its own side sees; the action
// that everyone (or the caucus) sees carries none; replay puts the reason
// back and matches; a transcript written when actions carried their
// reasons still replays.
func TestReasonsStayOnTheirSide(t *testing.T) {
	s := deleg()
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	cfg := protocol.MediatedConfig{Rounds: 4, Agenda: []int{0, 1}}
	p, err := protocol.NewMediated(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	acc := []parley.ClauseAnswer{parley.AnswerAccept, parley.AnswerAccept, parley.AnswerNone}
	steps := []parley.Action{
		{Actor: -1, Kind: parley.ActText, Outcome: parley.Outcome{1, 1, -1}, Reason: "mediator: Nash point"},
		{Actor: 0, Kind: parley.ActAnswer, Answers: acc, Reason: "host: u=0.700, floor 0.650"},
		{Actor: 1, Kind: parley.ActAnswer, Answers: acc, Reason: "coalition: u=0.610, floor 0.600"},
	}
	for _, a := range steps {
		if err := p.Step(a); err != nil {
			t.Fatal(err)
		}
	}
	events := p.Events()
	want := map[int]parley.Audience{-1: parley.ToSeat(parley.MediatorSeat()), 0: parley.ToDelegation(0), 1: parley.ToDelegation(1)}
	reasons := 0
	for i, ev := range events {
		if ev.Action != nil && ev.Action.Reason != "" {
			t.Errorf("event %d: the action carries its reason %q", ev.Seq, ev.Action.Reason)
		}
		if ev.Type != protocol.EvReason {
			continue
		}
		reasons++
		if i == 0 || events[i-1].Type != protocol.EvAction || events[i-1].Actor != ev.Actor {
			t.Errorf("event %d: a reason that does not follow its actor's action", ev.Seq)
		}
		if ev.Audience != want[ev.Actor] {
			t.Errorf("event %d: reason of actor %d for %s, want %s", ev.Seq, ev.Actor, ev.Audience, want[ev.Actor])
		}
		if a := protocol.SubmittedAction(events, i-1); a.Reason != steps[ev.Actor+1].Reason {
			t.Errorf("SubmittedAction of event %d: reason %q, want %q", ev.Seq, a.Reason, steps[ev.Actor+1].Reason)
		}
	}
	if reasons != len(steps) {
		t.Fatalf("%d reason events, want %d", reasons, len(steps))
	}
	seats := []parley.Seat{parley.ObserverSeat(), parley.MediatorSeat(), parley.PartySeat(0), parley.PartySeat(1), parley.PrincipalSeat(1, 0), parley.PrincipalSeat(1, 1)}
	for _, seat := range seats {
		for _, ev := range protocol.ViewOf(events, seat).Events {
			if ev.Type != protocol.EvReason {
				continue
			}
			mine := ev.Actor == parley.MediatorActor && seat.Role == parley.SeatMediator ||
				ev.Actor >= 0 && seat.Role != parley.SeatMediator && seat.Role != parley.SeatObserver && seat.Party == ev.Actor
			if !mine {
				t.Errorf("seat %s sees actor %d's reason %q", seat, ev.Actor, ev.Note)
			}
		}
	}
	h, err := protocol.NewHeader(s, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := protocol.Replay(h, events); err != nil {
		t.Fatalf("replay: %v", err)
	}
	// An older transcript: reasons inside the actions, no reason events.
	var old []protocol.Event
	for i, ev := range events {
		switch {
		case ev.Type == protocol.EvReason:
			continue
		case ev.Type == protocol.EvAction:
			a := protocol.SubmittedAction(events, i)
			ev.Action = &a
		}
		ev.Seq = len(old)
		old = append(old, ev)
	}
	if _, err := protocol.Replay(h, old); err != nil {
		t.Fatalf("replay of a transcript with reasons in its actions: %v", err)
	}
}

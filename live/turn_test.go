package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/session"
)

// A turn event's payload is written directly for plain names; over random
// turns it is what json.Marshal writes, byte for byte.
func TestTurnPayloadIsJSONMarshal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	names := []string{"Pakistan", "Afghanistan/Kabul", "mediator", "", "a<b", "x&y", `q"`, `b\s`, "é", "\u2028", "\xff", "tab\t", "~"}
	seats := []parley.Seat{parley.MediatorSeat(), parley.PartySeat(0), parley.PartySeat(3), parley.PrincipalSeat(1, 2), parley.ObserverSeat()}
	auds := []parley.Audience{parley.ToEveryone(), parley.ToCaucus(1), parley.ToSeat(parley.MediatorSeat())}
	direct := 0
	for range 5000 {
		mv := session.Move{Type: session.EvTurn, Audience: auds[r.IntN(len(auds))], After: r.IntN(50) - 1, Round: r.IntN(30),
			Day: r.IntN(3) * r.IntN(2), Actor: r.IntN(4) - 2}
		switch r.IntN(8) {
		case 0, 1:
			mv.Hour = float64(r.IntN(100)) / 8
		case 2:
			mv.Hour = r.NormFloat64() * 24
		case 3:
			mv.Hour = []float64{1e-6, 9.99e-7, 1e21, 9.99e20, -1e-6, 1e-7, 3e25, 0.1 + 0.2}[r.IntN(8)]
		}
		tu := live.Turn{Move: mv}
		if r.IntN(3) > 0 {
			s := seats[r.IntN(len(seats))]
			tu.Seat = &s
			tu.Mover = &live.SeatInfo{Seat: s, Role: names[r.IntN(len(names))], Name: names[r.IntN(len(names))],
				Player: names[r.IntN(len(names))], Token: names[r.IntN(len(names))] + names[r.IntN(len(names))], Connected: r.IntN(2) == 0}
		}
		want, err := json.Marshal(tu)
		if err != nil {
			t.Fatal(err)
		}
		if got := live.TurnJSON(&tu); !bytes.Equal(got, want) {
			t.Fatalf("turn %+v:\n got %s\nwant %s", tu, got, want)
		}
		if a := math.Abs(mv.Hour); !bytes.ContainsAny(want, `\<>&`) && a >= 1e-6 && a < 1e21 {
			direct++ // with an hour, written directly
		}
	}
	if direct < 500 {
		t.Errorf("only %d turns with plain names and an hour: the direct path is barely tested", direct)
	}
}

// A move's events and the turn event after them reach a turn stream in
// one hand-over (one wake of the stream, one write), the turn last; a
// stream without turns gets the events alone.
func TestTurnHandedWithEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := newManager(t, openStore(t))
	s, _, pak := created(t, m, loadSpec())
	sub, _, err := s.SubscribeTurns(ctx, pak)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.Subscribe(ctx, pak)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		v, err := s.View(ctx, pak)
		if err != nil || v.Turn == nil {
			t.Fatalf("no turn for Pakistan: %v", err)
		}
		answers := make([]string, len(v.Turn.Text))
		for k, cl := range v.Turn.Text {
			answers[k] = "none"
			if cl.State == parley.ClauseProposed {
				answers[k] = "reject"
			}
		}
		raw, _ := json.Marshal(answers)
		out, err := s.Act(ctx, pak, &live.Action{Kind: "answer", Answers: raw})
		if err != nil {
			t.Fatal(err)
		}
		if got := live.Lots(sub); got != i+1 {
			t.Fatalf("move %d: the turn stream was handed events %d times, want %d", i, got, i+1)
		}
		recs, _ := sub.Take()
		if len(recs) != len(out.Events)+1 || !live.IsTurn(recs[len(recs)-1]) {
			t.Fatalf("move %d: the turn stream got %d records (the last a turn: %v), want the %d events and the turn", i, len(recs), len(recs) > 0 && live.IsTurn(recs[len(recs)-1]), len(out.Events))
		}
		for k, r := range recs[:len(recs)-1] {
			if !bytes.Equal(r.Payload, out.Events[k]) || live.IsTurn(r) {
				t.Fatalf("move %d: record %d is %s, want %s", i, k, r.Payload, out.Events[k])
			}
		}
		if got, _ := plain.Take(); len(got) != len(out.Events) {
			t.Fatalf("move %d: the stream without turns got %d records, want the %d events", i, len(got), len(out.Events))
		}
	}
}

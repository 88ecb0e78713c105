package agent

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// prices is one issue of 101 prices whose utilities are opposed (buyer
// i/100, seller 1 − i/100), reservations 0, both parties discounting by d.
func prices(d float64) *parley.Model {
	m := &parley.Model{Sizes: []int{101}, Scenario: &parley.Scenario{Issues: []parley.Issue{{Name: "price"}}}}
	for p := range 2 {
		vs := make([]int64, 101)
		for i := range vs {
			v := float64(i) / 100
			if p == 1 {
				v = 1 - v
			}
			vs[i] = parley.Q(v)
		}
		u := parley.UtilityFn{Values: [][]int64{vs}}
		m.Parties = append(m.Parties, parley.PartyModel{Utility: u, Principals: []parley.Principal{{Utility: u, Discount: d}}, Weights: []float64{1}})
	}
	return m
}

// TestConcessionEarlierAsDiscountFalls: a time-dependent agent facing a
// smaller discount factor aims lower at every time (and the same as
// without discounting when d = 1), and two such agents agree earlier —
// the concession moves earlier as d falls.
func TestConcessionEarlierAsDiscountFalls(t *testing.T) {
	t.Parallel()
	var prevT float64 = 2
	var prevTarget int64 = 1 << 62
	for _, d := range []float64{1, 0.9, 0.5, 0.2} {
		m := prices(d)
		a := Linear()
		if err := a.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility, Discount: m.Parties[0].DiscountFactor()}); err != nil {
			t.Fatal(err)
		}
		if a.Target(0) != parley.Q(1) || a.Target(1) != 1 {
			t.Errorf("d=%v: target(0) = %v, target(1) = %v: the ends do not move", d, a.Target(0), a.Target(1))
		}
		if tg := a.Target(0.5); tg >= prevTarget {
			t.Errorf("d=%v: target(0.5) = %v, not below %v", d, parley.F(tg), parley.F(prevTarget))
		} else {
			prevTarget = tg
		}
		if d == 1 && a.Target(0.5) != parley.Q(0.5) {
			t.Errorf("d=1: target(0.5) = %v, want 0.5 as without discounting", parley.F(a.Target(0.5)))
		}
		players := []session.Player{{Agent: Linear(), Name: "linear"}, {Agent: Boulware(), Name: "boulware"}}
		drv, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 100}, Parties: players, Seed: 1, Discard: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := drv.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		res := drv.Result()
		if res.End != parley.Agreement {
			t.Fatalf("d=%v: end %s", d, res.End)
		}
		t.Logf("d=%v: target(0.5) = %.4f, agreement at t = %.3f", d, parley.F(a.Target(0.5)), drv.Time())
		if at := drv.Time(); at >= prevT {
			t.Errorf("d=%v: agreement at t=%v, not before %v", d, at, prevT)
		} else {
			prevT = at
		}
	}
}

// TestAcceptNextDiscounted: AC_next weighs the agent's own next offer as
// it would be worth a turn later. A linear buyer facing d = 0.5 at t = 0.5
// (its previous turn at 0.4) aims at 0.5·0.5^0.5 ≈ 0.354, so it would offer
// price 36 (0.36); an offer of price 34 (0.34) is below both, but beats
// 0.36·0.5^0.1 ≈ 0.336: it accepts — where the same agent without
// discounting refuses.
func TestAcceptNextDiscounted(t *testing.T) {
	t.Parallel()
	for _, d := range []float64{0.5, 1} {
		m := prices(d)
		a := Linear()
		if err := a.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility, Discount: m.Parties[0].DiscountFactor()}); err != nil {
			t.Fatal(err)
		}
		a.Act(&parley.Turn{Kind: parley.TurnRespond, Time: 0.4, Offer: parley.Outcome{10}, Offerer: 1})
		act := a.Act(&parley.Turn{Kind: parley.TurnRespond, Time: 0.5, Offer: parley.Outcome{34}, Offerer: 1})
		if accepted := act.Kind == parley.ActAccept; accepted != (d < 1) {
			t.Errorf("d=%v: %s %v at t=0.5", d, act.Kind, act.Outcome)
		}
	}
}

// TestDelegateFloorDiscounted: the text-answering delegate's floor falls
// faster with a smaller discount factor, and is the undiscounted one for
// d = 1.
func TestDelegateFloorDiscounted(t *testing.T) {
	t.Parallel()
	var floors []int64
	for _, d := range []float64{1, 0.8, 0.3} {
		m := prices(d)
		dl, err := NewDelegate(map[string]string{})
		if err != nil {
			t.Fatal(err)
		}
		if err := dl.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility, Discount: d}); err != nil {
			t.Fatal(err)
		}
		floors = append(floors, dl.Floor(0.5))
		if d == 1 && dl.Floor(0.5) != m.Parties[0].Utility.Q(0.5) {
			t.Errorf("d=%v: floor(0.5) = %v", d, m.Parties[0].Utility.F(dl.Floor(0.5)))
		}
	}
	if !(floors[0] > floors[1] && floors[1] > floors[2]) {
		t.Errorf("floors at t=0.5 for d = 1, 0.8, 0.3: %v", floors)
	}
}

package agent_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
)

// priceModel is one issue of 11 prices, 0 to 10: the buyer (party 0) values
// price i at 1 − i/10, the seller (party 1) at i/10; no reservation values.
func priceModel() *parley.Model {
	m := &parley.Model{Sizes: []int{11}}
	for p := range 2 {
		vs := make([]int64, 11)
		for i := range vs {
			v := float64(i) / 10
			if p == 0 {
				v = 1 - v
			}
			vs[i] = parley.Q(v)
		}
		m.Parties = append(m.Parties, parley.PartyModel{Utility: parley.UtilityFn{Values: [][]int64{vs}}})
	}
	return m
}

// ExampleNew makes a Boulware-style agent from a spec and asks it for offers:
// with e = 0.5 its target is 1 − t², so the seller asks for price 10 (target
// .9375), 8 (.75), 5 (.4375) and finally 1, the cheapest price that beats
// its reservation of 0.
func ExampleNew() {
	a, err := agent.New("boulware:e=0.5")
	if err != nil {
		fmt.Println(err)
		return
	}
	m := priceModel()
	s := &parley.Session{Model: m, Party: 1, Utility: &m.Parties[1].Utility, Rounds: 10, Rand: rand.New(rand.NewPCG(1, 1))}
	if err := a.Init(s); err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		act := a.Act(&parley.Turn{Actor: 1, Kind: parley.TurnPropose, Time: t})
		fmt.Printf("t=%.2f: %s price %d\n", t, act.Kind, act.Outcome[0])
	}
	act := a.Act(&parley.Turn{Actor: 1, Kind: parley.TurnRespond, Time: 0.5, Offer: parley.Outcome{8}, Offerer: 0})
	fmt.Println("price 8 at t=0.50:", act.Kind)

	_, err = agent.New("boulware:x=1")
	fmt.Println(err)
	// Output:
	// t=0.00: offer price 10
	// t=0.25: offer price 10
	// t=0.50: offer price 8
	// t=0.75: offer price 5
	// t=1.00: offer price 1
	// price 8 at t=0.50: accept
	// agent: boulware: unknown parameter x (known: e)
}

// Halfway is a complete new agent: it asks for its best outcome until half
// time, then for the outcome nearest 60% of its best, and accepts anything
// at least as good as what it asks. It takes its Index from the shared
// cache, so it never scans the outcome space per offer.
type Halfway struct {
	party int
	u     *parley.UtilityFn
	idx   *agent.Index
	buf   parley.Outcome
}

// Init implements parley.Agent.
func (h *Halfway) Init(s *parley.Session) error {
	h.party, h.u = s.Party, s.Utility
	h.idx = agent.DefaultCache.Get(s.Model, s.Utility)
	h.buf = make(parley.Outcome, len(s.Model.Sizes))
	return nil
}

// Act implements parley.Agent.
func (h *Halfway) Act(t *parley.Turn) parley.Action {
	rank := h.idx.Best()
	if t.Time >= 0.5 {
		rank = h.idx.AtLeast(h.idx.Max() * 6 / 10)
	}
	if t.Kind == parley.TurnRespond && h.u.Eval(t.Offer) >= h.idx.Utility(rank) {
		return parley.Action{Actor: h.party, Kind: parley.ActAccept}
	}
	// The runner copies Action.Outcome before calling Act again, so the
	// agent may reuse its buffer.
	h.buf = h.idx.Outcome(rank, h.buf)
	return parley.Action{Actor: h.party, Kind: parley.ActOffer, Outcome: h.buf}
}

func init() {
	agent.Register(agent.Info{Name: "halfway", Role: agent.RoleNegotiator,
		Summary: "asks for its best until half time, then for 60% of it"},
		func(map[string]string) (parley.Agent, error) { return &Halfway{}, nil })
}

func Example_customAgent() {
	m := priceModel()
	agents := []parley.Agent{}
	for _, spec := range []string{"halfway", "linear"} {
		a, err := agent.New(spec)
		if err != nil {
			fmt.Println(err)
			return
		}
		agents = append(agents, a)
	}
	for i, a := range agents {
		if err := a.Init(&parley.Session{Model: m, Party: i, Utility: &m.Parties[i].Utility, Rounds: 10}); err != nil {
			fmt.Println(err)
			return
		}
	}
	// A bilateral alternating-offers loop, 10 rounds.
	var standing parley.Outcome
	for step := 0; step < 20; step++ {
		who := step % 2
		t := &parley.Turn{Actor: who, Kind: parley.TurnRespond, Round: step / 2, Time: float64(step/2) / 10, Offer: standing, Offerer: 1 - who}
		if standing == nil {
			t.Kind = parley.TurnPropose
		}
		act := agents[who].Act(t)
		if act.Kind == parley.ActAccept {
			fmt.Printf("round %d: party %d accepts price %d\n", step/2, who, standing[0])
			return
		}
		standing = append(standing[:0], act.Outcome...) // copy
		fmt.Printf("round %d: party %d offers price %d\n", step/2, who, standing[0])
	}
	// Output:
	// round 0: party 0 offers price 0
	// round 0: party 1 offers price 10
	// round 1: party 0 offers price 0
	// round 1: party 1 offers price 9
	// round 2: party 0 offers price 0
	// round 2: party 1 offers price 8
	// round 3: party 0 offers price 0
	// round 3: party 1 offers price 7
	// round 4: party 0 offers price 0
	// round 4: party 1 offers price 6
	// round 5: party 0 offers price 4
	// round 5: party 1 offers price 5
	// round 6: party 0 offers price 4
	// round 6: party 1 accepts price 4
}

package agent

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
)

// anacNames are the agents of anac.go's family and the Bayesian learner.
var anacNames = []string{"agentk", "hardheaded", "cuhkagent", "agentgg", "bayesian"}

// modelerNames are the registered negotiators that implement
// OpponentModeler.
var modelerNames = []string{"frequency", "hardheaded", "cuhkagent", "agentgg", "bayesian"}

// Randomised agents take their randomness from Session.Rand alone: without
// one they refuse to start, and different sources give different plays.
func TestANACRandomness(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	for _, name := range []string{"agentk", "agentgg"} {
		err := mustNew(t, name).Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility})
		if parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s without Session.Rand: %v", name, err)
		}
	}
	rng := rand.New(rand.NewPCG(9, 9))
	m = randomParties(rng, []int{8, 6, 9, 7}, 2)
	for i := range m.Parties {
		m.Parties[i].Reservation = 0
	}
	differ := false
	var first []parley.Action
	for seed := range uint64(8) {
		s := newSAO(m, []parley.Agent{mustNew(t, "agentk"), mustNew(t, "boulware")}, 100)
		s.record = true
		if err := s.init(seed); err != nil {
			t.Fatal(err)
		}
		s.run()
		if seed == 0 {
			first = s.actions
		} else if !slices.EqualFunc(first, s.actions, func(a, b parley.Action) bool {
			return a.Kind == b.Kind && slices.Equal(a.Outcome, b.Outcome)
		}) {
			differ = true
		}
	}
	if !differ {
		t.Error("agentk played the same with 8 different seeds")
	}
}

// An offer worth exactly the reservation value is never accepted, one
// quantum more may be: AgentGG accepts anything that beats its reservation
// in its last turn, so it shows the boundary.
func TestANACAcceptanceAtReservation(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	x := NewIndex(m, &m.Parties[1].Utility)
	o := x.Outcome(x.Len()/2, nil)
	u := m.Parties[1].Utility.Eval(o)
	last := &parley.Turn{Actor: 1, Kind: parley.TurnRespond, Round: 99, Time: 0.995, Offer: o, Offerer: 0}
	for _, c := range []struct {
		res  int64
		want bool
	}{{u, false}, {u - 1, true}} {
		a := &AgentGG{}
		if err := a.Init(&parley.Session{Model: m, Party: 1, Utility: &m.Parties[1].Utility, Reservation: c.res,
			Rounds: 100, Rand: rand.New(rand.NewPCG(1, 1))}); err != nil {
			t.Fatal(err)
		}
		if got := a.Act(last).Kind == parley.ActAccept; got != c.want {
			t.Errorf("reservation u(o)%+d: accepted %v, want %v", c.res-u, got, c.want)
		}
	}
	// No negotiator accepts an offer worth exactly its reservation, at any
	// time, even one it has been offered over and over.
	for _, name := range negotiatorNames() {
		a := mustNew(t, name)
		if err := a.Init(&parley.Session{Model: m, Party: 1, Utility: &m.Parties[1].Utility, Reservation: u,
			Rounds: 20, Rand: rand.New(rand.NewPCG(2, 2))}); err != nil {
			t.Fatal(err)
		}
		for r := range 20 {
			act := a.Act(&parley.Turn{Actor: 1, Kind: parley.TurnRespond, Round: r, Time: (float64(r) + 0.5) / 20, Offer: o, Offerer: 0})
			if act.Kind == parley.ActAccept {
				t.Errorf("%s accepted an offer worth exactly its reservation in round %d", name, r)
				break
			}
		}
	}
}

// With the reservation above the index minimum (at the median candidate),
// targets stop at the reservation plus one quantum, never below, and the
// agents still agree with a conceder (something beats no agreement).
func TestReservationAboveIndexMinimum(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	x := NewIndex(m, &m.Parties[1].Utility)
	for _, rank := range []int{x.Len() / 2, x.Len() * 4 / 5} { // the median; high enough for AgentGG's floors to bind
		res := x.Utility(rank)
		s := &parley.Session{Model: m, Party: 1, Utility: &m.Parties[1].Utility, Reservation: res, Rounds: 100}
		h := &HardHeaded{}
		if err := h.Init(s); err != nil {
			t.Fatal(err)
		}
		g := &AgentGG{}
		s.Rand = rand.New(rand.NewPCG(1, 2))
		if err := g.Init(s); err != nil {
			t.Fatal(err)
		}
		for i := 0; i <= 1000; i++ {
			tm := float64(i) / 1000
			if tg := h.Target(tm); tg <= res {
				t.Fatalf("hardheaded target(%v) = %v ≤ reservation %v", tm, tg, res)
			}
			floor := math.Inf(-1) // AgentGG's floors: the reservation's ratio + 0.3, 0.25, 0.2
			switch {
			case tm >= 0.999:
				floor = g.ratio(res) + 0.2
			case tm >= 0.98:
				floor = g.ratio(res) + 0.25
			case tm >= 0.9:
				floor = g.ratio(res) + 0.3
			}
			if l := g.Lower(tm); l < floor-1e-12 || (tm >= 0.9 && g.utility(l) <= res) {
				t.Fatalf("agentgg lower(%v) = %v, below its floor %v", tm, l, floor)
			}
		}
		if got, want := h.Target(1), max(newScale(x).fixed(0.585), res+1); got != want {
			t.Errorf("hardheaded target(1) = %v, want max(0.585, reservation + quantum) = %v", got, want)
		}
	}
	res := x.Utility(x.Len() / 2)
	m.Parties[1].Reservation = res
	for _, name := range anacNames {
		sao := newSAO(m, []parley.Agent{Conceder(), mustNew(t, name)}, 100)
		if err := sao.init(4); err != nil {
			t.Fatal(err)
		}
		sao.run()
		if sao.end != parley.Agreement {
			t.Errorf("%s vs conceder with reservation at the median: %v", name, sao.end)
		} else if u := m.Parties[1].Utility.Eval(sao.outcome); u <= res {
			t.Errorf("%s agreed at %v ≤ reservation %v", name, u, res)
		}
	}
}

// AgentK's targets on a hand-worked case. One issue whose five options are
// worth 0, .25, .5, .75 and 1 to AgentK (so x = u). After one received offer
// of x, μ = x, σ = 0, emax = x and α = 3 + 6x (τ = 2):
//
//   - x = .5 at t = .5: α = 6, 1 − pre = .5⁶·.5 = 1/128, r = .1·128 > 2 so
//     r = 2 and target = 1 − 2/128 = .984375; δ = .484375 > 1/√m with
//     m = 400 − 300/8 = 362.5, so target −= 1/(δ·m) = 1/175.5859375.
//   - x = .75 at t = .9: α = 7.5, 1 − pre = .9^7.5·.25, r = .1/(1 − pre)
//     < 2 so target = 1 − .1 = .9; δ = .15, m = 400 − 300·.729 = 181.3,
//     target −= 1/(.15·181.3).
func TestAgentKTargets(t *testing.T) {
	t.Parallel()
	vs := []int64{0, parley.Q(0.25), parley.Q(0.5), parley.Q(0.75), parley.Q(1)}
	m := &parley.Model{Sizes: []int{5}}
	for p := range 2 {
		m.Parties = append(m.Parties, parley.PartyModel{Name: fmt.Sprint(p), Utility: parley.UtilityFn{Values: [][]int64{vs}}, Reservation: -1})
	}
	for _, c := range []struct {
		option int
		t      float64
		want   float64
	}{
		{2, 0.5, 1 - 2.0/128 - 1/175.5859375},
		{3, 0.9, 0.9 - 1/(0.15*181.3)},
	} {
		a := &AgentK{Tremor: 2}
		if err := a.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility, Reservation: -1,
			Rand: rand.New(rand.NewPCG(1, 1))}); err != nil {
			t.Fatal(err)
		}
		act := a.Act(&parley.Turn{Kind: parley.TurnRespond, Time: c.t, Offer: parley.Outcome{c.option}, Offerer: 1})
		if math.Abs(a.target-c.want) > 1e-9 {
			t.Errorf("x = %v at t = %v: target %.9f, want %.9f", parley.F(vs[c.option]), c.t, a.target, c.want)
		}
		// p = t^α/5 + (x − emax) + (x − target) < 0.1: no acceptance.
		if act.Kind == parley.ActAccept {
			t.Errorf("x = %v at t = %v: accepted", parley.F(vs[c.option]), c.t)
		}
	}
}

// AgentK accepts for sure an offer far above what it expected: after 99
// offers worth 0 (μ = .01, σ² = .0099, d = .345, emax = .352) one worth 1
// at t = .99 gives α = 3.06, target ≈ .51 and
// p = .99^α/5 + (1 − emax) + (1 − target) ≈ 1.33 > 1 (same model as
// TestAgentKTargets).
func TestAgentKAcceptsTheUnexpected(t *testing.T) {
	t.Parallel()
	vs := []int64{0, parley.Q(0.25), parley.Q(0.5), parley.Q(0.75), parley.Q(1)}
	m := &parley.Model{Sizes: []int{5}}
	for p := range 2 {
		m.Parties = append(m.Parties, parley.PartyModel{Name: fmt.Sprint(p), Utility: parley.UtilityFn{Values: [][]int64{vs}}, Reservation: -1})
	}
	for seed := range uint64(20) {
		a := &AgentK{Tremor: 2}
		if err := a.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility, Reservation: -1,
			Rand: rand.New(rand.NewPCG(seed, 1))}); err != nil {
			t.Fatal(err)
		}
		for r := range 99 {
			if act := a.Act(&parley.Turn{Kind: parley.TurnRespond, Round: r, Time: float64(r) / 100, Offer: parley.Outcome{0}, Offerer: 1}); act.Kind == parley.ActAccept {
				t.Fatalf("seed %d: accepted an offer worth 0 in round %d", seed, r)
			}
		}
		if act := a.Act(&parley.Turn{Kind: parley.TurnRespond, Round: 99, Time: 0.99, Offer: parley.Outcome{4}, Offerer: 1}); act.Kind != parley.ActAccept {
			t.Fatalf("seed %d: %v to an offer worth 1 (target %v, emax %v)", seed, act.Kind, a.target, a.emax)
		}
	}
}

// HardHeaded accepts every offer that beats its reservation and is worth
// at least the worst offer it has made itself, or its next offer (checked
// over whole negotiations against several opponents).
func TestHardHeadedAcceptance(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(12, 5))
	checked := 0
	for trial := range 20 {
		m := randomParties(rng, randomSizes(rng), 2)
		for _, other := range []string{"conceder", "linear", "random", "boulware"} {
			s := newSAO(m, []parley.Agent{mustNew(t, other), &HardHeaded{}}, 60)
			s.record = true
			if err := s.init(uint64(trial)); err != nil {
				t.Fatal(err)
			}
			s.run()
			pm := &m.Parties[1]
			lowest := int64(math.MaxInt64)
			var standing parley.Outcome
			for _, a := range s.actions {
				switch {
				case a.Actor == 0 && a.Kind == parley.ActOffer:
					standing = a.Outcome
				case a.Actor == 1 && a.Kind == parley.ActOffer:
					if v := pm.Utility.Eval(standing); standing != nil && v > pm.Reservation && v >= lowest {
						t.Fatalf("trial %d vs %s: refused %v worth %v ≥ its lowest offer %v", trial, other, standing, v, lowest)
					}
					lowest = min(lowest, pm.Utility.Eval(a.Outcome))
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
	// The first rule on its own: an offer below the one it would make next,
	// but as good as the worst it has made, is accepted.
	m := laptop(t)
	h := &HardHeaded{}
	if err := h.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility}); err != nil {
		t.Fatal(err)
	}
	x := h.Index()
	o := x.Outcome(x.Len()/2, nil)
	h.offered, h.last, h.lowest = true, x.Max(), m.Parties[0].Utility.Eval(o)
	if act := h.Act(&parley.Turn{Kind: parley.TurnRespond, Time: 0.1, Offer: o, Offerer: 1}); act.Kind != parley.ActAccept {
		t.Errorf("refused an offer as good as its worst own offer: %v", act.Kind)
	}
}

// offerFeed hands over each other party's offer once, never the agent's
// own, nor accepts or malformed offers.
func TestOfferFeed(t *testing.T) {
	t.Parallel()
	m := &parley.Model{Sizes: []int{2, 3}, Parties: make([]parley.PartyModel, 3)}
	var f offerFeed
	f.init(m, 1)
	var got []string
	fn := func(p int, o parley.Outcome) { got = append(got, fmt.Sprint(p, o)) }
	h := []parley.Action{
		{Actor: 0, Kind: parley.ActOffer, Outcome: parley.Outcome{1, 2}},
		{Actor: 1, Kind: parley.ActOffer, Outcome: parley.Outcome{0, 0}},
		{Actor: 2, Kind: parley.ActAccept},
		{Actor: 2, Kind: parley.ActOffer, Outcome: parley.Outcome{1}},
		{Actor: 5, Kind: parley.ActOffer, Outcome: parley.Outcome{1, 1}},
	}
	f.each(&parley.Turn{Kind: parley.TurnRespond, History: h[:3]}, fn)
	f.each(&parley.Turn{Kind: parley.TurnRespond, History: append(h, parley.Action{Actor: 2, Kind: parley.ActOffer, Outcome: parley.Outcome{0, 1}})}, fn)
	if want := []string{"0 [1 2]", "2 [0 1]"}; !slices.Equal(got, want) {
		t.Errorf("from histories: %v, want %v", got, want)
	}
	got = nil
	f.init(m, 1)
	f.each(&parley.Turn{Kind: parley.TurnRespond, Offer: parley.Outcome{1, 1}, Offerer: 1}, fn)
	f.each(&parley.Turn{Kind: parley.TurnRespond, Offer: parley.Outcome{1, 0}, Offerer: 2}, fn)
	f.each(&parley.Turn{Kind: parley.TurnPropose}, fn)
	if want := []string{"2 [1 0]"}; !slices.Equal(got, want) {
		t.Errorf("from standing offers: %v, want %v", got, want)
	}
}

// HardHeaded's target on a Genius profile (best 1, reservation 0):
// p(0) = 0.585 + (1 − 0.05)·0.415 = 0.97925, and the concession is late:
// still above 0.95 at t = 0.9 (0.9^20 = 0.12, p = 0.585 + 0.95·0.88·0.415).
func TestHardHeadedTarget(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	h := &HardHeaded{}
	if err := h.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility}); err != nil {
		t.Fatal(err)
	}
	sc := newScale(h.Index()) // Laptop's utilities lie in [0, 1] with best 1: unit(u) is u
	if got := sc.unit(h.Target(0)); math.Abs(got-0.97925) > 1e-9 {
		t.Errorf("target(0) = %v, want 0.97925", got)
	}
	want := 0.585 + (1-0.05-0.95*math.Pow(0.9, 20))*0.415
	if got := sc.unit(h.Target(0.9)); math.Abs(got-want) > 1e-9 || got < 0.93 {
		t.Errorf("target(0.9) = %v, want %v", got, want)
	}
	prev := h.Target(0)
	for i := 1; i <= 100; i++ {
		tg := h.Target(float64(i) / 100)
		if tg > prev {
			t.Fatalf("target rises at t = %v", float64(i)/100)
		}
		prev = tg
	}
}

// Without discounting, CUHKAgent on a small space offers only its best
// outcome until its last turns (fewer than 5), then the best offer it has
// received: against a hardliner it agrees on the hardliner's best in the
// last rounds.
func TestCUHKAgentHoldsThenConcedes(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	x := NewIndex(m, &m.Parties[0].Utility)
	for _, other := range []parley.Agent{Boulware(), &Hardliner{}} {
		s := newSAO(m, []parley.Agent{&CUHKAgent{}, other}, 50)
		s.record = true
		if err := s.init(1); err != nil {
			t.Fatal(err)
		}
		s.run()
		for i, a := range s.actions {
			if round := i / 2; a.Actor == 0 && a.Kind == parley.ActOffer && round < 50-4 {
				if u := m.Parties[0].Utility.Eval(a.Outcome); u != x.Max() {
					t.Fatalf("vs %T, round %d: offered %v below its best %v", other, round, parley.F(u), parley.F(x.Max()))
				}
			}
		}
		if _, ok := other.(*Hardliner); ok {
			hx := NewIndex(m, &m.Parties[1].Utility)
			if s.end != parley.Agreement || s.round < 50-4 || m.Parties[1].Utility.Eval(s.outcome) != hx.Max() {
				t.Errorf("vs hardliner: %v in round %d on %v, want agreement on the hardliner's best in the last 4 rounds", s.end, s.round, s.outcome)
			}
		}
	}
}

// On spaces beyond 3,000 outcomes, undiscounted, CUHKAgent offers from the
// band of utilities 0.95–1 rather than only its best.
func TestCUHKAgentLargeSpaceBand(t *testing.T) {
	t.Parallel()
	m := randomParties(rand.New(rand.NewPCG(2, 7)), []int{8, 8, 8, 8, 8}, 2)
	for i := range m.Parties {
		m.Parties[i].Reservation = 0
	}
	s := newSAO(m, []parley.Agent{&CUHKAgent{}, Boulware()}, 50)
	s.record = true
	if err := s.init(1); err != nil {
		t.Fatal(err)
	}
	s.run()
	x := NewIndex(m, &m.Parties[0].Utility)
	sc := newScale(x)
	below := 0
	for i, a := range s.actions {
		if a.Actor != 0 || a.Kind != parley.ActOffer || i/2 >= 50-4 {
			continue
		}
		u := m.Parties[0].Utility.Eval(a.Outcome)
		if sc.unit(u) < 0.95-1e-12 {
			t.Fatalf("round %d: offered %v, below the band", i/2, sc.unit(u))
		}
		if u < x.Max() {
			below++
		}
	}
	if below == 0 {
		t.Error("offered only its best outcome")
	}
}

// AgentGG estimates the Nash point's ratio once, 0.003 of the time after
// the opponent's second offer, as N = m + (1 − m)/1.7 from the best ratio m
// it has received, and anchors its schedule on it: l(0.5) = N + 0.3·(1 − N).
func TestAgentGGNash(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	x := NewIndex(m, &m.Parties[1].Utility)
	a := &AgentGG{}
	if err := a.Init(&parley.Session{Model: m, Party: 1, Utility: &m.Parties[1].Utility, Rounds: 100,
		Rand: rand.New(rand.NewPCG(1, 1))}); err != nil {
		t.Fatal(err)
	}
	// The second offer (t = 0.02) is the best for AgentGG; t = 0.022 is too
	// soon after it, t = 0.03 not.
	offers, times := []int{3, x.Len() - 4, 5, 6}, []float64{0.01, 0.02, 0.022, 0.03}
	for i, r := range offers {
		a.Act(&parley.Turn{Actor: 1, Kind: parley.TurnRespond, Round: i + 1, Time: times[i], Offer: x.Outcome(r, nil), Offerer: 0})
		if i < 3 && a.nash != 0.8 {
			t.Fatalf("N = %v at t = %v, before the estimate is due; want 0.8", a.nash, times[i])
		}
	}
	mr := a.ratio(x.Utility(x.Len() - 4))
	want := mr + (1-mr)/1.7
	if math.Abs(a.nash-want) > 1e-12 {
		t.Errorf("N = %v, want %v", a.nash, want)
	}
	if l := a.Lower(0.5); math.Abs(l-(want+0.3*(1-want))) > 1e-12 {
		t.Errorf("l(0.5) = %v, want %v", l, want+0.3*(1-want))
	}
}

// Every modelling agent's OpponentValues adds up to its OpponentUtility,
// and it has no model of itself nor of a party it has not heard.
func TestOpponentModelerTables(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(4, 4))
	m := randomParties(rng, []int{4, 7, 3, 5}, 3)
	for i := range m.Parties {
		m.Parties[i].Reservation = 0
	}
	for _, name := range modelerNames {
		a := mustNew(t, name)
		om := a.(OpponentModeler)
		s := newSAO(m, []parley.Agent{a, Boulware(), Boulware()}, 30)
		s.history = true
		if err := s.init(1); err != nil {
			t.Fatal(err)
		}
		o := parley.Outcome{0, 0, 0, 0}
		if _, ok := om.OpponentUtility(1, o); ok {
			t.Errorf("%s: a model before any offer", name)
		}
		s.run()
		if _, ok := om.OpponentUtility(0, o); ok {
			t.Errorf("%s: a model of itself", name)
		}
		if _, ok := om.OpponentValues(0, nil); ok {
			t.Errorf("%s: tables of itself", name)
		}
		for p := 1; p < 3; p++ {
			tab, ok := om.OpponentValues(p, nil)
			if !ok {
				t.Fatalf("%s: no tables of party %d", name, p)
			}
			for range 50 {
				for i, k := range m.Sizes {
					o[i] = rng.IntN(k)
				}
				u, ok := om.OpponentUtility(p, o)
				var sum float64
				for i, v := range o {
					sum += tab[i][v]
				}
				if !ok || math.Abs(u-sum) > 1e-12 {
					t.Fatalf("%s: party %d at %v: utility %v, tables sum to %v", name, p, o, u, sum)
				}
			}
		}
	}
}

// The Bayesian tables (prefix sums, O(k)) equal the direct expectation
// (O(k²)) for random posteriors.
func TestBayesTablesMatchNaive(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(6, 1))
	for range 200 {
		k := 1 + rng.IntN(9)
		var bi bayesIssue
		bi.reset(k)
		for j := range bi.post {
			bi.post[j] = rng.Float64()
		}
		bi.summarise()
		bi.tabulate()
		for v := range k {
			if want := bi.expect(v); math.Abs(bi.table[v]-want) > 1e-12 {
				t.Fatalf("k=%d v=%d: table %v, direct %v", k, v, bi.table[v], want)
			}
		}
	}
}

// The Bayesian learner finds an opponent whose evaluations have the
// triangular shapes it hypothesises: against a Boulware opponent over 100
// rounds its estimate correlates with the opponent's utility far better
// than chance, and better than before it heard an offer.
func TestBayesianLearns(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(8, 3))
	sizes := []int{5, 6, 4, 7, 5}
	m := randomParties(rng, sizes, 2)
	// The opponent (party 1): a peak per issue, weights 1..5.
	for i, k := range sizes {
		p := rng.IntN(k)
		for v := range k {
			m.Parties[1].Utility.Values[i][v] = parley.Q(float64(i+1) * shape(k, p, v) / 15)
		}
	}
	for i := range m.Parties {
		m.Parties[i].Reservation = 0
	}
	b := &Bayesian{}
	s := newSAO(m, []parley.Agent{b, Boulware()}, 100)
	if err := s.init(1); err != nil {
		t.Fatal(err)
	}
	s.run()
	var est, tru []float64
	for o := range m.Outcomes() {
		u, ok := b.OpponentUtility(1, o)
		if !ok {
			t.Fatal("no model")
		}
		est, tru = append(est, u), append(tru, parley.F(m.Parties[1].Utility.Eval(o)))
	}
	if r := pearson(est, tru); !(r > 0.7) {
		t.Errorf("Pearson correlation of the learnt model %.3f, want > 0.7", r)
	}
}

func pearson(f, g []float64) float64 {
	n := float64(len(f))
	var mf, mg float64
	for i := range f {
		mf += f[i] / n
		mg += g[i] / n
	}
	var a, b, c float64
	for i := range f {
		a += (f[i] - mf) * (g[i] - mg)
		b += (f[i] - mf) * (f[i] - mf)
		c += (g[i] - mg) * (g[i] - mg)
	}
	return a / math.Sqrt(b*c)
}

// bidLog against a naive list: distinct offers, sorted by utility, the best
// the first received of the highest, above(u) those worth more than u.
func TestBidLogMatchesNaive(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 9))
	var l bidLog
	l.init(2)
	type entry struct {
		o parley.Outcome
		u int64
	}
	var naive []entry
	for range 500 {
		o := parley.Outcome{rng.IntN(6), rng.IntN(6)}
		u := int64(o[0]*3 + o[1]%2) // ties on purpose
		l.add(o, u)
		if !slices.ContainsFunc(naive, func(e entry) bool { return slices.Equal(e.o, o) }) {
			naive = append(naive, entry{slices.Clone(o), u})
		}
		if l.Len() != len(naive) {
			t.Fatalf("%d logged, want %d distinct", l.Len(), len(naive))
		}
		if !slices.IsSorted(l.utils) {
			t.Fatal("not sorted")
		}
		i, _ := l.best()
		bestU := slices.MaxFunc(naive, func(a, b entry) int { return int(a.u - b.u) }).u
		first := naive[slices.IndexFunc(naive, func(e entry) bool { return e.u == bestU })]
		if got := l.outcome(i, nil); !slices.Equal(got, first.o) {
			t.Fatalf("best %v, want the first received of utility %d, %v", got, bestU, first.o)
		}
		q := int64(rng.IntN(20))
		n := 0
		for _, e := range naive {
			if e.u > q {
				n++
			}
		}
		if got := l.Len() - l.above(q); got != n {
			t.Fatalf("%d offers above %d, want %d", got, q, n)
		}
	}
}

// The turn clock counts the turns left in SAO: party k of n with R rounds
// plays at t = (r·n + k)/(R·n), so in round r it has R − 1 − r turns after
// the current one.
func TestTurnClock(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, k, rounds int }{{2, 0, 10}, {2, 1, 10}, {3, 2, 7}, {1, 0, 1}} {
		var tc turnClock
		tc.init(&parley.Session{Rounds: c.rounds})
		for r := range c.rounds {
			tc.tick(float64(r*c.n+c.k) / float64(c.rounds*c.n))
			if got, want := tc.after(), c.rounds-1-r; got != want {
				t.Fatalf("%+v round %d: %d turns after, want %d", c, r, got, want)
			}
		}
	}
	var tc turnClock
	tc.init(&parley.Session{})
	tc.tick(0.5)
	if tc.after() != math.MaxInt {
		t.Error("without a deadline or a second turn the clock cannot tell")
	}
}

// band returns the candidates within [a, b] that beat the reservation, or,
// when there are none, all the candidates of the nearest utility above a.
func TestBand(t *testing.T) {
	t.Parallel()
	m := randomParties(rand.New(rand.NewPCG(7, 7)), []int{3, 4, 2}, 1) // ties: utilities on a 0.1 grid
	var n negotiator
	res := m.Parties[0].Reservation
	if err := n.init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility, Reservation: res}); err != nil {
		t.Fatal(err)
	}
	x := n.idx
	for i := range x.Len() {
		for j := i; j < x.Len(); j++ {
			a, b := x.Utility(i)-1+int64(i%3), x.Utility(j)
			var want []int
			for r := range x.Len() {
				if u := x.Utility(r); u > res && u >= a && u <= b {
					want = append(want, r)
				}
			}
			if len(want) == 0 { // the nearest utility above a (and the reservation), all its ties
				near := x.Utility(max(x.AtLeast(a), x.AtLeast(res+1)))
				for r := range x.Len() {
					if x.Utility(r) == near {
						want = append(want, r)
					}
				}
			}
			lo, hi := n.band(a, b)
			if lo != want[0] || hi != want[len(want)-1]+1 || hi-lo != len(want) {
				t.Fatalf("band(%v, %v) = [%d, %d), want ranks %v", a, b, lo, hi, want)
			}
		}
	}
}

// The contract holds over approximate indexes too: binned (additive
// utilities) and sampled (hyper-rectangles), forced by an index limit of 1
// outcome. Offers are valid and beat the offerer's reservation, acceptances
// the acceptor's.
func TestANACOnApproximateIndexes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(21, 2))
	cache := NewIndexCache(IndexOptions{Limit: 1, Pool: 256, Bins: 64})
	names := append(slices.Clone(anacNames), "frequency")
	for trial := range 12 {
		sizes := []int{2 + rng.IntN(5), 2 + rng.IntN(5), 2 + rng.IntN(5)}
		m := &parley.Model{Sizes: sizes}
		for p := range 2 {
			one := randomModel(rng, sizes, 1<<40, []int{0, 3}[trial%2])
			pm := one.Parties[0]
			pm.Name, pm.Reservation = fmt.Sprint("p", p), 1<<40
			m.Parties = append(m.Parties, pm)
		}
		for _, name := range names {
			agents := []parley.Agent{mustNew(t, name), mustNew(t, names[rng.IntN(len(names))])}
			for _, a := range agents {
				a.(interface{ UseIndexCache(*IndexCache) }).UseIndexCache(cache)
			}
			s := newSAO(m, agents, 40)
			s.record, s.history = true, trial%3 == 0
			if err := s.init(uint64(trial)); err != nil {
				t.Fatal(err)
			}
			s.run()
			if kind := cache.Get(m, &m.Parties[0].Utility).Kind(); kind == IndexExact {
				t.Fatalf("trial %d: exact index", trial)
			}
			if s.end == parley.Broken {
				t.Fatalf("trial %d %s: broken protocol", trial, name)
			}
			var standing parley.Outcome
			for _, a := range s.actions {
				pm := &m.Parties[a.Actor]
				switch a.Kind {
				case parley.ActOffer:
					if u := pm.Utility.Eval(a.Outcome); u <= pm.Reservation {
						t.Fatalf("trial %d %s: offer %v at %v ≤ reservation", trial, name, a.Outcome, u)
					}
					standing = a.Outcome
				case parley.ActAccept:
					if u := pm.Utility.Eval(standing); u <= pm.Reservation {
						t.Fatalf("trial %d %s: accepted %v at %v ≤ reservation", trial, name, standing, u)
					}
				}
			}
		}
	}
}

// Agents that rank candidates with an opponent model use it: among
// outcomes equally good to them (issue 1 is worth nothing to the agent), they
// offer the one with the option the opponent keeps asking for, not the
// index's first.
func TestModelPicksAmongEqualOffers(t *testing.T) {
	t.Parallel()
	own := parley.UtilityFn{Values: [][]int64{{0, parley.Q(0.3), parley.Q(0.7), parley.Q(1)}, {0, 0}}}
	opp := parley.UtilityFn{Values: [][]int64{{parley.Q(1), parley.Q(0.7), parley.Q(0.3), 0}, {0, parley.Q(0.5)}}}
	m := &parley.Model{Sizes: []int{4, 2}, Parties: []parley.PartyModel{{Name: "a", Utility: own}, {Name: "b", Utility: opp}}}
	for _, name := range []string{"frequency", "bayesian", "hardheaded", "cuhkagent"} {
		a := mustNew(t, name)
		if err := a.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility, Rounds: 100,
			Rand: rand.New(rand.NewPCG(1, 1))}); err != nil {
			t.Fatal(err)
		}
		var act parley.Action
		for r, o := range []parley.Outcome{{0, 1}, {1, 1}} {
			act = a.Act(&parley.Turn{Kind: parley.TurnRespond, Round: r, Time: float64(r) / 100, Offer: o, Offerer: 1})
		}
		if act.Kind != parley.ActOffer || act.Outcome[1] != 1 {
			t.Errorf("%s: %v %v, want an offer with the opponent's option 1 on issue 1", name, act.Kind, act.Outcome)
		}
	}
}

// pickBy compares at most k candidates spread evenly over [lo, hi), the
// first of them lo, and keeps the lowest rank on ties.
func TestPickBy(t *testing.T) {
	t.Parallel()
	m := randomParties(rand.New(rand.NewPCG(5, 5)), []int{10, 10, 10, 10}, 1)
	x := NewIndex(m, &m.Parties[0].Utility)
	lo, hi := 1000, 1000+5000
	calls := 0
	r, _ := pickBy(x, lo, hi, 32, nil, func(parley.Outcome) float64 { calls++; return 1 })
	if r != lo || calls != 32 {
		t.Errorf("constant score: rank %d after %d calls, want %d after 32", r, calls, lo)
	}
	want := x.Outcome(lo+(31*5000)/32, nil) // the last candidate compared
	r, _ = pickBy(x, lo, hi, 32, nil, func(o parley.Outcome) float64 {
		if slices.Equal(o, want) {
			return 2
		}
		return 1
	})
	if r != lo+(31*5000)/32 {
		t.Errorf("rank %d, want the one scored best, %d", r, lo+(31*5000)/32)
	}
	if r, _ := pickBy(x, lo, lo+3, 32, nil, func(o parley.Outcome) float64 { return float64(o[0]) }); r < lo || r >= lo+3 {
		t.Errorf("small range: rank %d outside [%d, %d)", r, lo, lo+3)
	}
}

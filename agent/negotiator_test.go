package agent

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/sharedgenius"
)

// sao is a tiny stacked-alternating-offers loop, enough to test agents
// without package protocol: party 0 proposes; then parties take turns in
// order, each accepting the standing offer or replacing it; the offer is
// agreed when every other party has accepted it in a row. Round r (0-based)
// is the r-th pass over the parties and Turn.Time = r/rounds.
type sao struct {
	m       *parley.Model
	agents  []parley.Agent
	rounds  int
	history bool // pass Turn.History
	record  bool // keep every action (outcomes copied)

	// results
	end     parley.EndState
	outcome parley.Outcome
	round   int
	offers  int
	actions []parley.Action

	standing parley.Outcome
	hist     []parley.Action
	turn     parley.Turn
}

func newSAO(m *parley.Model, agents []parley.Agent, rounds int) *sao {
	return &sao{m: m, agents: agents, rounds: rounds, standing: make(parley.Outcome, len(m.Sizes))}
}

// init starts the agents with seeded sources.
func (s *sao) init(seed uint64) error {
	for i, a := range s.agents {
		err := a.Init(&parley.Session{
			Model: s.m, Party: i, Utility: &s.m.Parties[i].Utility,
			Reservation: s.m.Parties[i].Reservation, Rounds: s.rounds,
			Rand: rand.New(rand.NewPCG(seed, uint64(i))),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *sao) valid(o parley.Outcome) bool {
	if len(o) != len(s.m.Sizes) {
		return false
	}
	for i, v := range o {
		if v < 0 || v >= s.m.Sizes[i] {
			return false
		}
	}
	return true
}

// run plays one negotiation after init.
func (s *sao) run() {
	n := len(s.agents)
	s.offers, s.actions, s.hist = 0, s.actions[:0], s.hist[:0]
	accepts, offerer := 0, -1
	for step := 0; ; step++ {
		actor, round := step%n, step/n
		s.round = round
		if round >= s.rounds {
			s.end = parley.Deadline
			return
		}
		t := &s.turn
		*t = parley.Turn{Actor: actor, Kind: parley.TurnRespond, Round: round,
			Time: float64(round) / float64(s.rounds), Offer: s.standing, Offerer: offerer}
		if offerer < 0 {
			t.Kind, t.Offer = parley.TurnPropose, nil
		}
		if s.history {
			t.History = s.hist
		}
		a := s.agents[actor].Act(t)
		a.Actor = actor
		if s.record || s.history {
			c := a
			c.Outcome = slices.Clone(a.Outcome)
			if s.record {
				s.actions = append(s.actions, c)
			}
			if s.history {
				s.hist = append(s.hist, c)
			}
		}
		switch {
		case a.Kind == parley.ActOffer && s.valid(a.Outcome):
			copy(s.standing, a.Outcome) // the runner copies Action.Outcome
			offerer, accepts = actor, 0
			s.offers++
		case a.Kind == parley.ActAccept && offerer >= 0:
			if accepts++; accepts == n-1 {
				s.end, s.outcome = parley.Agreement, slices.Clone(s.standing)
				return
			}
		case a.Kind == parley.ActWalkAway:
			s.end = parley.WalkOut
			return
		default:
			s.end = parley.Broken
			return
		}
	}
}

func mustNew(tb testing.TB, spec string) parley.Agent {
	tb.Helper()
	a, err := New(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// negotiatorNames lists this file's offer-based agents (other registered
// negotiators, such as single-text delegates, play other protocols).
func negotiatorNames() []string {
	return []string{"boulware", "conceder", "frequency", "hardliner", "linear", "random", "timedependent:e=0.5", "titfortat",
		"agentk", "hardheaded", "cuhkagent", "agentgg", "bayesian"}
}

// loadGenius loads a Genius domain and its profiles from the shared data
// (negmas-tests/DIR), or skips.
func loadGenius(tb testing.TB, dir, domain string, profiles ...string) *parley.Model {
	tb.Helper()
	return sharedgenius.Model(tb, filepath.Join("negmas-tests", dir), domain, profiles...)
}

func laptop(tb testing.TB) *parley.Model {
	return loadGenius(tb, "Laptop", "Laptop-C-domain.xml", "Laptop-C-prof1.xml", "Laptop-C-prof2.xml")
}

// randomParties draws a model of n parties over sizes with random additive
// utilities in [0, 1) per issue and reservations drawn in [0, 0.5·issues).
func randomParties(rng *rand.Rand, sizes []int, n int) *parley.Model {
	m := &parley.Model{Sizes: sizes}
	for p := range n {
		u := parley.UtilityFn{Values: make([][]int64, len(sizes))}
		for i, k := range sizes {
			u.Values[i] = make([]int64, k)
			for j := range u.Values[i] {
				u.Values[i][j] = parley.Q(float64(rng.IntN(10)) / 10)
			}
		}
		res := parley.Q(rng.Float64() * 0.5 * float64(len(sizes)))
		m.Parties = append(m.Parties, parley.PartyModel{Name: fmt.Sprint("p", p), Utility: u, Reservation: res})
	}
	return m
}

// Every negotiator, against every other and in threes, on random models:
// offers are complete valid outcomes above the offerer's reservation,
// acceptances beat the acceptor's reservation, walking away happens only
// when nothing beats the reservation, and the same seed replays the same
// actions.
func TestNegotiatorContracts(t *testing.T) {
	t.Parallel()
	names := negotiatorNames()
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 60 {
		n := 2 + trial%2
		m := randomParties(rng, randomSizes(rng), n)
		for _, first := range names {
			specs := []string{first}
			for len(specs) < n {
				specs = append(specs, names[rng.IntN(len(names))])
			}
			play := func(seed uint64) *sao {
				agents := make([]parley.Agent, n)
				for i, sp := range specs {
					agents[i] = mustNew(t, sp)
				}
				s := newSAO(m, agents, 30)
				s.record, s.history = true, trial%4 == 0
				if err := s.init(seed); err != nil {
					t.Fatal(err)
				}
				s.run()
				return s
			}
			s := play(uint64(trial))
			name := fmt.Sprintf("trial %d %v", trial, specs)
			if s.end == parley.Broken {
				t.Fatalf("%s: broken protocol: %+v", name, s.actions[len(s.actions)-1])
			}
			var standing parley.Outcome
			for _, a := range s.actions {
				pm := &m.Parties[a.Actor]
				best := DefaultCache.Get(m, &pm.Utility).Max()
				switch a.Kind {
				case parley.ActOffer:
					if u := pm.Utility.Eval(a.Outcome); u <= pm.Reservation {
						t.Fatalf("%s: %s offered %v at %v ≤ reservation %v", name, specs[a.Actor], a.Outcome, u, pm.Reservation)
					}
					standing = a.Outcome
				case parley.ActAccept:
					if u := pm.Utility.Eval(standing); u <= pm.Reservation {
						t.Fatalf("%s: %s accepted %v at %v ≤ reservation %v", name, specs[a.Actor], standing, u, pm.Reservation)
					}
				case parley.ActWalkAway:
					if best > pm.Reservation {
						t.Fatalf("%s: %s walked away (%s) though %v beats its reservation %v", name, specs[a.Actor], a.Reason, best, pm.Reservation)
					}
				}
			}
			again := play(uint64(trial))
			if !slices.EqualFunc(s.actions, again.actions, func(a, b parley.Action) bool {
				return a.Kind == b.Kind && a.Actor == b.Actor && slices.Equal(a.Outcome, b.Outcome)
			}) {
				t.Fatalf("%s: the same seed gave different actions", name)
			}
		}
	}
}

func TestTimeDependentTargetMonotone(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	for _, e := range []float64{0.05, 0.2, 1, 2, 10} {
		a := NewTimeDependent(e)
		if err := a.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility}); err != nil {
			t.Fatal(err)
		}
		x := a.Index()
		prev := a.Target(0)
		if prev != x.Max() {
			t.Errorf("e=%v: target(0) = %v, want the best %v", e, prev, x.Max())
		}
		for i := 1; i <= 1000; i++ {
			tg := a.Target(float64(i) / 1000)
			if tg > prev {
				t.Fatalf("e=%v: target rises at t=%v", e, float64(i)/1000)
			}
			prev = tg
		}
		if want := max(x.Min(), m.Parties[0].Reservation+1); prev != want {
			t.Errorf("e=%v: target(1) = %v, want Pmin %v", e, prev, want)
		}
	}
	// Boulware concedes later than linear, linear later than conceder.
	b, l, c := Boulware(), Linear(), Conceder()
	for _, a := range []*TimeDependent{b, l, c} {
		if err := a.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility}); err != nil {
			t.Fatal(err)
		}
	}
	if !(b.Target(0.5) > l.Target(0.5) && l.Target(0.5) > c.Target(0.5)) {
		t.Errorf("targets at 0.5: boulware %v, linear %v, conceder %v", b.Target(0.5), l.Target(0.5), c.Target(0.5))
	}
	if err := NewTimeDependent(0).Init(&parley.Session{Model: m, Utility: &m.Parties[0].Utility}); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("e=0: %v", err)
	}
}

func TestHardlinerNeverConcedes(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	for _, other := range []string{"conceder", "hardliner", "random", "titfortat"} {
		s := newSAO(m, []parley.Agent{&Hardliner{}, mustNew(t, other)}, 50)
		s.record = true
		if err := s.init(1); err != nil {
			t.Fatal(err)
		}
		s.run()
		x := NewIndex(m, &m.Parties[0].Utility)
		best := x.Outcome(x.Best(), nil)
		for _, a := range s.actions {
			if a.Actor == 0 && a.Kind == parley.ActOffer && !slices.Equal(a.Outcome, best) {
				t.Fatalf("vs %s: hardliner offered %v, not its best %v", other, a.Outcome, best)
			}
		}
		if s.end == parley.Agreement && m.Parties[0].Utility.Eval(s.outcome) != x.Max() {
			t.Fatalf("vs %s: hardliner agreed to %v below its best", other, s.outcome)
		}
	}
}

// Two linear agents agree on a simple domain: one issue of 11 prices whose
// utilities are opposed (buyer i/10, seller 1 − i/10), reservations 0.
// Targets fall as 1 − t for both, so they meet at the middle price, 5.
func TestLinearAgentsAgree(t *testing.T) {
	t.Parallel()
	m := &parley.Model{Sizes: []int{11}}
	for p := range 2 {
		vs := make([]int64, 11)
		for i := range vs {
			v := float64(i) / 10
			if p == 1 {
				v = 1 - v
			}
			vs[i] = parley.Q(v)
		}
		m.Parties = append(m.Parties, parley.PartyModel{Utility: parley.UtilityFn{Values: [][]int64{vs}}})
	}
	s := newSAO(m, []parley.Agent{Linear(), Linear()}, 20)
	if err := s.init(1); err != nil {
		t.Fatal(err)
	}
	s.run()
	if s.end != parley.Agreement || s.outcome[0] != 5 {
		t.Fatalf("end %v at %v (round %d), want agreement on price 5", s.end, s.outcome, s.round)
	}
}

// Three linear agents reach agreement in stacked alternating offers.
func TestThreePartiesAgree(t *testing.T) {
	t.Parallel()
	m := randomParties(rand.New(rand.NewPCG(3, 3)), []int{4, 5, 3}, 3)
	for i := range m.Parties {
		m.Parties[i].Reservation = 0
	}
	s := newSAO(m, []parley.Agent{Linear(), Conceder(), &Frequency{}}, 50)
	s.history = true
	if err := s.init(1); err != nil {
		t.Fatal(err)
	}
	s.run()
	if s.end != parley.Agreement {
		t.Fatalf("end %v", s.end)
	}
}

func TestWalkAwayWhenNothingBeatsReservation(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	m.Parties[1].Reservation = m.Parties[1].Utility.Unit() // 1: nothing beats it
	for _, name := range negotiatorNames() {
		s := newSAO(m, []parley.Agent{Linear(), mustNew(t, name)}, 10)
		if err := s.init(1); err != nil {
			t.Fatal(err)
		}
		s.run()
		if s.end != parley.WalkOut || s.round != 0 {
			t.Errorf("%s: end %v in round %d, want a walk-out in round 0", name, s.end, s.round)
		}
	}
}

// The frequency model ranks an opponent's repeated options first.
func TestFrequencyModelLearns(t *testing.T) {
	t.Parallel()
	var om oppModel
	om.counts = [][]int32{make([]int32, 3), make([]int32, 3)}
	om.maxima = make([]int32, 2)
	om.weights = []float64{0.5, 0.5}
	om.last = make(parley.Outcome, 2)
	for _, o := range []parley.Outcome{{2, 0}, {2, 1}, {2, 2}, {2, 0}} {
		om.update(o)
	}
	if !(om.weights[0] > om.weights[1]) {
		t.Errorf("weights %v: the issue that never changed should weigh more", om.weights)
	}
	if !(om.estimate(parley.Outcome{2, 0}) > om.estimate(parley.Outcome{1, 0})) {
		t.Error("the repeated option should be valued more")
	}
}

// The reference run on Genius' Laptop domain (negmas-tests/Laptop, profiles
// 1 and 2, reservations 0): boulware (party 0) against conceder (party 1),
// 100 rounds, Turn.Time = round/100.
//
// Expected values, from the profiles (evaluations divided by each issue's
// largest, weights as given):
//
//	party 0: Laptop (w .4452) Dell .4 Mac .667 HP 1; Harddisk (w .3781)
//	         60 Gb 1, 80 Gb .667, 120 Gb .3; Monitor (w .1768) 19" 1, 20" .333, 23" .667
//	party 1: Laptop (w .3781) Dell .4 Mac 1 HP .667; Harddisk (w .1768)
//	         60 Gb .667, 80 Gb 1, 120 Gb .3; Monitor (w .4452) 19" 1, 20" .667, 23" .333
//
// Boulware's best (and only outcome of utility 1) is (HP, 60 Gb, 19"),
// worth .3781·.667 + .1768·.667 + .4452 = .8151 to party 1. Boulware's
// target 1 − (1 − Pmin)·t^5 stays above its second-best outcome until long
// after round 9, so it offers (HP, 60 Gb, 19") every round and accepts
// nothing else. Conceder's target is Pmin + (1 − Pmin)(1 − √t) with Pmin =
// its worst utility u(Dell, 120 Gb, 23") = .3781·.4 + .1768·.3 + .4452·.333
// = .3527: at round 8 (t = .08) it is .3527 + .6473·(1 − .2828) = .8170 >
// .8151, at round 9 (t = .09) .3527 + .6473·.7 = .8058 ≤ .8151, so the
// conceder accepts boulware's standing offer in round 9.
func TestLaptopBoulwareVsConceder(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	s := newSAO(m, []parley.Agent{Boulware(), Conceder()}, 100)
	s.record = true
	if err := s.init(1); err != nil {
		t.Fatal(err)
	}
	s.run()
	labels := m.Labels(s.outcome)
	if s.end != parley.Agreement || s.round != 9 ||
		labels["Laptop"] != "HP" || labels["Harddisk"] != "60 Gb" || labels["External Monitor"] != "19'' LCD" {
		t.Fatalf("end %v in round %d on %v, want agreement in round 9 on HP, 60 Gb, 19'' LCD", s.end, s.round, labels)
	}
	u0, u1 := m.Parties[0].Utility.F(m.Parties[0].Utility.Eval(s.outcome)), m.Parties[1].Utility.F(m.Parties[1].Utility.Eval(s.outcome))
	if math.Abs(u0-1) > 1e-9 || math.Abs(u1-0.8151) > 1e-4 {
		t.Errorf("utilities %.6f %.6f, want 1 and .8151", u0, u1)
	}
	if last := s.actions[len(s.actions)-1]; last.Actor != 1 || last.Kind != parley.ActAccept {
		t.Errorf("last action %+v, want the conceder's acceptance", last)
	}
}

// Agents given a cache share one index per utility function.
func TestUseIndexCacheShares(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	c := NewIndexCache(IndexOptions{})
	a, f := Boulware(), &Frequency{}
	a.UseIndexCache(c)
	f.UseIndexCache(c)
	for _, ag := range []parley.Agent{a, f} {
		if err := ag.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility}); err != nil {
			t.Fatal(err)
		}
	}
	if a.Index() != f.td.Index() || c.Len() != 1 || a.Index() != c.Get(m, &m.Parties[0].Utility) {
		t.Errorf("indexes not shared (cache holds %d)", c.Len())
	}
}

// Offer-based agents walk away, saying why, from single-text turns.
func TestSingleTextTurnsRefused(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	for _, name := range negotiatorNames() {
		a := mustNew(t, name)
		if err := a.Init(&parley.Session{Model: m, Party: 1, Utility: &m.Parties[1].Utility, Rand: rand.New(rand.NewPCG(1, 1))}); err != nil {
			t.Fatal(err)
		}
		act := a.Act(&parley.Turn{Actor: 1, Kind: parley.TurnAnswer})
		if act.Kind != parley.ActWalkAway || act.Reason == "" || act.Actor != 1 {
			t.Errorf("%s: %+v", name, act)
		}
	}
}

// Tit-for-tat concedes exactly what the opponent conceded, in own utility.
func TestTitForTatMirrors(t *testing.T) {
	t.Parallel()
	m := laptop(t)
	a := &TitForTat{}
	if err := a.Init(&parley.Session{Model: m, Party: 0, Utility: &m.Parties[0].Utility}); err != nil {
		t.Fatal(err)
	}
	x, u := a.Index(), &m.Parties[0].Utility
	first := a.Act(&parley.Turn{Kind: parley.TurnPropose})
	if u.Eval(first.Outcome) != x.Max() {
		t.Fatalf("first offer %v is not the best", first.Outcome)
	}
	// The opponent moves from its worst-for-us outcome to a better one.
	o1, o2 := x.Outcome(0, nil), x.Outcome(5, nil)
	a.Act(&parley.Turn{Kind: parley.TurnRespond, Offer: o1, Offerer: 1})
	act := a.Act(&parley.Turn{Kind: parley.TurnRespond, Offer: o2, Offerer: 1})
	d := u.Eval(o2) - u.Eval(o1)
	if want := x.AtLeast(x.Max() - d); act.Kind != parley.ActOffer || u.Eval(act.Outcome) != x.Utility(want) {
		t.Errorf("after a concession of %v: %+v, want the outcome at %v", parley.F(d), act, parley.F(x.Utility(want)))
	}
}

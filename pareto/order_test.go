package pareto

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
)

// withFreeOrder runs f with planFree on or off.
func withFreeOrder(t testing.TB, on bool, f func()) {
	t.Helper()
	old := freeOrder
	freeOrder = on
	defer func() { freeOrder = old }()
	f()
}

// bothOrders computes m's frontier with planFree's order and with the
// contiguous one, and checks that they agree.
func bothOrders(t *testing.T, m *parley.Model) (free, fixed *Result) {
	t.Helper()
	var err error
	withFreeOrder(t, true, func() { free, err = Frontier(m, Options{}) })
	if err != nil {
		t.Fatal(err)
	}
	withFreeOrder(t, false, func() { fixed, err = Frontier(m, Options{}) })
	if err != nil {
		t.Fatal(err)
	}
	sameFrontier(t, m, free.Points, fixed.Points)
	return free, fixed
}

// TestFrontierOrderIndependent: the frontier, its counts and its
// representatives do not depend on the merge order; models of 3 to 6
// parties with ties (small integer values), too large for Naive, give the
// same points with planFree's order as with the contiguous one.
func TestFrontierOrderIndependent(t *testing.T) {
	vals := []int64{0, 1, 2, 3, 5}
	for parties := 3; parties <= 6; parties++ {
		r := rand.New(rand.NewPCG(uint64(parties), 99))
		for trial := 0; trial < 40; trial++ {
			m := randModel(r, parties, 3+r.IntN(6), 9, vals)
			bothOrders(t, m)
		}
	}
}

// TestPlanFreeLinearPair: on issues shaped like KillerRobot's (two
// integer issues whose evaluations are linear for every party, the rest
// categorical), planFree merges the linear ones first, together, and
// examines fewer candidates than the contiguous order.
func TestPlanFreeLinearPair(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	sizes := []int{3, 4, 10, 5, 8, 50}
	m := randFloatModel(6, 5, sizes)
	for p := range m.Parties {
		for _, i := range []int{2, 5} { // linear: a + b·o
			a, b := r.Int64N(1<<30), r.Int64N(1<<24)-1<<23
			for o := range m.Parties[p].Utility.Values[i] {
				m.Parties[p].Utility.Values[i][o] = a + b*int64(o)
			}
		}
	}
	s := &solver{m: m, n: 5, limit: DefaultMaxPoints}
	s.plan()
	if !s.anyOrder || s.order[0] != 5 || s.order[1] != 2 {
		t.Fatalf("order %v (any %v), want the two linear issues 5, 2 first", s.order, s.anyOrder)
	}
	free, fixed := bothOrders(t, m)
	if free.Candidates >= fixed.Candidates {
		t.Errorf("planFree's order examines %d candidates, the contiguous one %d", free.Candidates, fixed.Candidates)
	}
	t.Logf("candidates: %d in planFree's order, %d in the contiguous one; %d points", free.Candidates, fixed.Candidates, len(free.Points))
}

// TestPlanFreeParallel: measuring the pairs in two halves gives the order
// of measuring them in one pass.
func TestPlanFreeParallel(t *testing.T) {
	defer func(p int) { parallelPairs = p }(parallelPairs)
	parallelPairs = 1
	inTurn := func(fs ...func()) {
		for _, f := range fs {
			f()
		}
	}
	r := rand.New(rand.NewPCG(8, 8))
	for trial := 0; trial < 50; trial++ {
		m := randModel(r, 3+r.IntN(3), 2+r.IntN(7), 9, []int64{0, 1, 2, 3, 5, 8, 13})
		one := &solver{m: m, n: len(m.Parties), limit: DefaultMaxPoints}
		one.plan()
		two := &solver{m: m, n: len(m.Parties), limit: DefaultMaxPoints, parallel: inTurn}
		two.plan()
		if !slices.Equal(one.order, two.order) {
			t.Fatalf("trial %d: order %v measured in one pass, %v in two halves", trial, one.order, two.order)
		}
	}
}

package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
)

// twoParty returns random model seed if it has two parties and rects, so
// that the corner method applies.
func twoParty(t *testing.T, seed uint64) (*parley.Model, bool) {
	m := randModel(t, seed)
	return m, len(m.Parties) == 2 && !m.Additive()
}

// naiveMax is the maximum of w·u over the outcomes extending asg.
func naiveMax(m *parley.Model, w []float64, asg []int) float64 {
	best := math.Inf(-1)
	for o := range m.Outcomes() {
		ok := true
		for i, a := range asg {
			if a >= 0 && o[i] != a {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		u := m.Eval(o)
		best = max(best, w[0]*float64(u[0])+w[1]*float64(u[1]))
	}
	return best
}

// TestRelaxBound checks on random models that the dual relaxation bounds
// w·u from above under random partial assignments, whatever the number of
// MPLP sweeps, and that a sweep never raises the bound.
func TestRelaxBound(t *testing.T) {
	tried := 0
	for seed := uint64(0); seed < nRandom; seed++ {
		m, ok := twoParty(t, seed)
		if !ok {
			continue
		}
		tried++
		r := rand.New(rand.NewPCG(seed, 3))
		fns := []*parley.UtilityFn{&m.Parties[0].Utility, &m.Parties[1].Utility}
		for trial := 0; trial < 4; trial++ {
			w := []float64{float64(r.IntN(4)), float64(r.IntN(4))}
			rl := newRelax(m, fns, w)
			asg := make([]int, len(m.Sizes))
			for i := range asg {
				asg[i] = -1
				if r.IntN(3) == 0 {
					asg[i] = r.IntN(m.Sizes[i])
				}
			}
			want := naiveMax(m, w, asg)
			s := rl.newState()
			prev := math.Inf(1)
			for it := 0; it < 40; it++ {
				L := rl.bound(s, asg)
				if L+rl.eps < want {
					t.Fatalf("seed %d w %v asg %v sweep %d: bound %v below the maximum %v", seed, w, asg, it, L, want)
				}
				if L > prev+rl.eps {
					t.Fatalf("seed %d w %v sweep %d: bound rose from %v to %v", seed, w, it, prev, L)
				}
				prev = L
				rl.sweep(s, asg)
			}
		}
	}
	if tried < nRandom/10 {
		t.Fatalf("only %d random models have two parties and rects", tried)
	}
}

// TestClimberDelta checks the local search's incremental evaluation
// against full evaluation on random moves.
func TestClimberDelta(t *testing.T) {
	for seed := uint64(0); seed < 100; seed++ {
		m, ok := twoParty(t, seed)
		if !ok {
			continue
		}
		fns := []*parley.UtilityFn{&m.Parties[0].Utility, &m.Parties[1].Utility}
		c := newClimber(m, fns, seed)
		r := rand.New(rand.NewPCG(seed, 5))
		o := make(parley.Outcome, len(m.Sizes))
		for i := range o {
			o[i] = r.IntN(m.Sizes[i])
		}
		c.set(o)
		for step := 0; step < 200; step++ {
			i := r.IntN(len(m.Sizes))
			b := r.IntN(m.Sizes[i])
			d := c.delta(i, b)
			next := slices.Clone(c.o)
			next[i] = b
			if u := m.Eval(next); u[0] != c.u[0]+d[0] || u[1] != c.u[1]+d[1] {
				t.Fatalf("seed %d: delta %v from %v to %v, want %v", seed, d, c.o, next, []int64{u[0] - c.u[0], u[1] - c.u[1]})
			}
			c.move(i, b)
			if u := m.Eval(c.o); u[0] != c.u[0] || u[1] != c.u[1] {
				t.Fatalf("seed %d: after the move the climber holds %v, Eval gives %v", seed, c.u, u)
			}
		}
		c.neighbours(c.o, math.MaxInt64, func(n parley.Outcome, u [2]int64) bool {
			if e := m.Eval(n); e[0] != u[0] || e[1] != u[1] {
				t.Fatalf("seed %d: neighbour %v reported as %v, Eval gives %v", seed, n, u, e)
			}
			return true
		})
	}
}

// approximates checks the promise of a bounded two-party frontier: every
// point is attained by its outcome, none dominates another, and every
// outcome's vector u has a point p with u <= p + Gap.
func approximates(t *testing.T, what string, m *parley.Model, res *FrontierResult) {
	t.Helper()
	if res.Gap < 0 {
		if res.Exact {
			t.Fatalf("%s: exact without a gap", what)
		}
		return // nothing to measure from: no promise
	}
	naive := NaiveFrontier(m, false)
	for _, p := range res.Points {
		if u := m.Eval(p.Outcome); !slices.Equal(u, p.U) {
			t.Fatalf("%s: outcome %v evaluates to %v, not %v", what, p.Outcome, u, p.U)
		}
		for _, q := range res.Points {
			if parley.Dominates(q.U, p.U) {
				t.Fatalf("%s: point %v is dominated by point %v", what, p.U, q.U)
			}
		}
	}
	for _, q := range naive {
		ok := false
		for _, p := range res.Points {
			if f0, f1 := &m.Parties[0].Utility, &m.Parties[1].Utility; f0.F(q.U[0]) <= f0.F(p.U[0])+res.Gap+1e-12 && f1.F(q.U[1]) <= f1.F(p.U[1])+res.Gap+1e-12 {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("%s: frontier vector %v is more than the gap %v beyond every point %v", what, q.U, res.Gap, pts(res.Points))
		}
	}
	if res.Exact && res.Gap != 0 {
		t.Fatalf("%s: exact with gap %v", what, res.Gap)
	}
}

// TestFrontierCornersMatchNaive runs the corner method on random models
// (the exact search gets almost no budget) and checks what it promises;
// with a generous budget every corner closes and the points are the exact
// frontier's vectors.
func TestFrontierCornersMatchNaive(t *testing.T) {
	for seed := uint64(0); seed < nRandom; seed++ {
		m, ok := twoParty(t, seed)
		if !ok {
			continue
		}
		for _, budget := range []int64{40, 400, 40_000, 400_000} {
			res, err := Frontier(m, false, Options{MaxNodes: budget})
			if err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("seed %d budget %d", seed, budget)
			if res.Nodes > budget {
				t.Fatalf("%s: %d nodes", what, res.Nodes)
			}
			approximates(t, what, m, res)
			if len(res.Gaps) != len(res.Points)+1 {
				t.Fatalf("%s: %d gaps for %d points", what, len(res.Gaps), len(res.Points))
			}
		}
		// Corners alone, to the end.
		fns := []*parley.UtilityFn{&m.Parties[0].Utility, &m.Parties[1].Utility}
		f2 := frontier2(m, fns, nil, 10_000_000)
		if !f2.exact {
			t.Fatalf("seed %d: corners still open after %d units", seed, f2.work)
		}
		var want [][2]int64
		for _, q := range NaiveFrontier(m, false) {
			want = append(want, [2]int64{q.U[0], q.U[1]})
		}
		// The random models' utilities lie on a coarse grid, far above
		// the near-tie tolerance: every corner closes without slack
		// beyond the rounding of the relaxation.
		for _, g := range f2.gaps {
			if g > 1e-9 {
				t.Fatalf("seed %d: gaps %v", seed, f2.gaps)
			}
		}
		if !slices.Equal(f2.arch, want) {
			t.Fatalf("seed %d: corners give %v, the frontier is %v", seed, f2.arch, want)
		}
	}
}

package pareto

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
)

// randModel returns a model literal with values drawn from vals (few
// values, so that equal vectors occur).
func randModel(r *rand.Rand, parties, issues, maxOpts int, vals []int64) *parley.Model {
	m := &parley.Model{Sizes: make([]int, issues)}
	for i := range m.Sizes {
		m.Sizes[i] = 1 + r.IntN(maxOpts)
	}
	for p := 0; p < parties; p++ {
		u := parley.UtilityFn{Values: make([][]int64, issues)}
		for i, k := range m.Sizes {
			u.Values[i] = make([]int64, k)
			for o := range u.Values[i] {
				u.Values[i][o] = vals[r.IntN(len(vals))]
			}
		}
		m.Parties = append(m.Parties, parley.PartyModel{Name: fmt.Sprintf("p%d", p), Utility: u})
	}
	return m
}

// randScenario returns a compiled scenario whose last party is a
// delegation of two factions.
func randScenario(t *testing.T, r *rand.Rand, parties, issues, maxOpts int) *parley.Model {
	t.Helper()
	s := &parley.Scenario{ID: "rand"}
	for i := 0; i < issues; i++ {
		is := parley.Issue{Name: fmt.Sprintf("i%d", i)}
		for o := 0; o < 1+r.IntN(maxOpts); o++ {
			is.Options = append(is.Options, parley.Option{Label: fmt.Sprintf("o%d", o)})
		}
		s.Issues = append(s.Issues, is)
	}
	prefs := func() parley.Preferences {
		var pr parley.Preferences
		for i := range s.Issues {
			ip := parley.IssuePref{Issue: s.Issues[i].Name, Weight: parley.Estimate{Value: float64(1 + r.IntN(3))}}
			for _, o := range s.Issues[i].Options {
				ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: parley.Estimate{Value: float64(r.IntN(3)) / 2}})
			}
			pr.Issues = append(pr.Issues, ip)
		}
		return pr
	}
	for p := 0; p < parties-1; p++ {
		pr := prefs()
		s.Parties = append(s.Parties, parley.Party{Name: fmt.Sprintf("p%d", p), Preferences: &pr})
	}
	s.Parties = append(s.Parties, parley.Party{Name: "delegation", Delegation: &parley.Delegation{
		Factions: []parley.Faction{
			{Name: "hawks", Weight: parley.Estimate{Value: 1}, Preferences: prefs()},
			{Name: "doves", Weight: parley.Estimate{Value: 3}, Preferences: prefs()},
		},
	}})
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameFrontier(t *testing.T, m *parley.Model, got, want []parley.FrontierPoint) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d points, want %d\ngot  %v\nwant %v", len(got), len(want), vecs(got), vecs(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !slices.Equal(g.U, w.U) {
			t.Fatalf("point %d: U = %v, want %v", i, g.U, w.U)
		}
		if g.Count.Cmp(w.Count) != 0 {
			t.Fatalf("point %d %v: count %v, want %v", i, g.U, g.Count, w.Count)
		}
		if !slices.Equal(g.Outcome, w.Outcome) {
			t.Fatalf("point %d %v: outcome %v, want %v (lexicographically smallest)", i, g.U, g.Outcome, w.Outcome)
		}
		if u := m.Eval(g.Outcome); !slices.Equal(u, g.U) {
			t.Fatalf("point %d: outcome %v evaluates to %v, not %v", i, g.Outcome, u, g.U)
		}
	}
}

func vecs(pts []parley.FrontierPoint) [][]int64 {
	var out [][]int64
	for _, p := range pts {
		out = append(out, p.U)
	}
	return out
}

func TestFrontierMatchesNaive(t *testing.T) {
	vals := []int64{0, 1, 2, 3}
	wide := []int64{-5 * parley.Quantum, 0, 7, 1 << 50, parley.Quantum / 3}
	for parties := 1; parties <= 5; parties++ {
		r := rand.New(rand.NewPCG(uint64(parties), 42))
		for trial := 0; trial < 300; trial++ {
			issues := 1 + r.IntN(6)
			v := vals
			if trial%3 == 0 {
				v = wide
			}
			m := randModel(r, parties, issues, 5, v)
			res, err := Frontier(m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sameFrontier(t, m, res.Points, Naive(m))
		}
	}
}

func TestFrontierDelegationMatchesNaive(t *testing.T) {
	for parties := 2; parties <= 5; parties++ {
		r := rand.New(rand.NewPCG(uint64(parties), 7))
		for trial := 0; trial < 60; trial++ {
			m := randScenario(t, r, parties, 1+r.IntN(6), 5)
			if !m.Parties[parties-1].Delegation {
				t.Fatal("expected a delegation")
			}
			res, err := Frontier(m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sameFrontier(t, m, res.Points, Naive(m))
		}
	}
}

func TestFrontierEdgeCases(t *testing.T) {
	// No issues: one empty outcome.
	m := &parley.Model{Parties: []parley.PartyModel{{Name: "a"}, {Name: "b"}}}
	res, err := Frontier(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameFrontier(t, m, res.Points, Naive(m))
	if len(res.Points) != 1 || res.Points[0].Count.Int64() != 1 {
		t.Fatalf("no issues: %+v", res.Points)
	}
	// An issue without options: no outcomes.
	m = randModel(rand.New(rand.NewPCG(1, 1)), 3, 3, 3, []int64{0, 1})
	m.Sizes[1] = 0
	for p := range m.Parties {
		m.Parties[p].Utility.Values[1] = nil
	}
	res, err = Frontier(m, Options{})
	if err != nil || len(res.Points) != 0 {
		t.Fatalf("empty issue: %v, %v", res, err)
	}
	// No parties: every outcome has the empty vector.
	m = &parley.Model{Sizes: []int{3, 4}}
	res, err = Frontier(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameFrontier(t, m, res.Points, Naive(m))
	if res.Points[0].Count.Int64() != 12 {
		t.Fatalf("no parties: count %v", res.Points[0].Count)
	}
}

func TestFrontierHugeCounts(t *testing.T) {
	// Every party indifferent: one point attained by all 10^70 outcomes.
	const issues = 70
	m := &parley.Model{Sizes: make([]int, issues)}
	for i := range m.Sizes {
		m.Sizes[i] = 10
	}
	for p := 0; p < 3; p++ {
		u := parley.UtilityFn{Values: make([][]int64, issues)}
		for i := range u.Values {
			u.Values[i] = make([]int64, 10)
		}
		m.Parties = append(m.Parties, parley.PartyModel{Utility: u})
	}
	res, err := Frontier(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := new(big.Int).Exp(big.NewInt(10), big.NewInt(issues), nil)
	if len(res.Points) != 1 || res.Points[0].Count.Cmp(want) != 0 {
		t.Fatalf("indifferent: %d points, count %v", len(res.Points), res.Points[0].Count)
	}

	// Two parties, 40 issues, options 0,1 worth (1,0) and 2,3 worth (0,1):
	// the vector (a, 40-a) has C(40,a)·2^40 outcomes, beyond 2^64 in the
	// middle, reached through sums of counts that overflow uint64.
	defer func(v int) { splitMin = v }(splitMin)
	splitMin = 1 // with Parallel, 4 and 5 parties split every step in two
	inTurn := func(fs ...func()) {
		for _, f := range fs {
			f()
		}
	}
	for _, n := range []int{2, 3, 4, 5} {
		const k = 40
		m = &parley.Model{Sizes: make([]int, k)}
		for i := range m.Sizes {
			m.Sizes[i] = 4
		}
		for p := 0; p < n; p++ {
			u := parley.UtilityFn{Values: make([][]int64, k)}
			for i := range u.Values {
				switch p {
				case 0:
					u.Values[i] = []int64{1, 1, 0, 0}
				case 1:
					u.Values[i] = []int64{0, 0, 1, 1}
				default:
					u.Values[i] = []int64{0, 0, 0, 0}
				}
			}
			m.Parties = append(m.Parties, parley.PartyModel{Utility: u})
		}
		res, err = Frontier(m, Options{Parallel: inTurn})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Points) != k+1 {
			t.Fatalf("%d parties: %d points, want %d", n, len(res.Points), k+1)
		}
		for j, p := range res.Points {
			a := int64(k - j)
			if p.U[0] != a || p.U[1] != k-a {
				t.Fatalf("point %d: %v", j, p.U)
			}
			want := new(big.Int).Binomial(k, a)
			want.Lsh(want, k)
			if p.Count.Cmp(want) != 0 {
				t.Fatalf("point %v: count %v, want %v", p.U, p.Count, want)
			}
			if u := m.Eval(p.Outcome); !slices.Equal(u, p.U) {
				t.Fatalf("outcome %v evaluates to %v", p.Outcome, u)
			}
			// Lexicographically smallest: the first a issues take option 0,
			// the others option 2.
			for i, o := range p.Outcome {
				if want := map[bool]int{true: 0, false: 2}[int64(i) < a]; o != want {
					t.Fatalf("point %v: outcome %v not the smallest", p.U, p.Outcome)
				}
			}
		}
	}
}

func TestFrontierErrors(t *testing.T) {
	if _, err := Frontier(nil, Options{}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("nil model: %v", err)
	}
	r := rand.New(rand.NewPCG(3, 3))
	m := randModel(r, 2, 3, 3, []int64{0, 1})
	m.Parties[1].Utility.Rects = []parley.RectQ{{Utility: 5, Region: parley.Region{{Issue: 0, In: []bool{true, true, true}}}}}
	_, err := Frontier(m, Options{})
	var pe *parley.Error
	if !errors.As(err, &pe) || pe.Code != parley.EINVALID {
		t.Fatalf("non-additive model: %v", err)
	}
	m = randModel(r, 2, 3, 3, []int64{0, 1})
	m.Parties[0].Utility.Values[2] = append(m.Parties[0].Utility.Values[2], 9)
	if _, err := Frontier(m, Options{}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("malformed model: %v", err)
	}
	m = randModel(r, 2, 3, 3, []int64{1 << 62})
	if _, err := Frontier(m, Options{}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("overflowing model: %v", err)
	}
	for _, n := range []int{2, 3, 5} {
		m = randModel(r, n, 12, 6, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
		_, err = Frontier(m, Options{MaxPoints: 10})
		if !errors.As(err, &pe) || pe.Code != parley.ELIMIT {
			t.Fatalf("%d parties, MaxPoints 10: %v", n, err)
		}
	}
}

// filterRef is the O(n²) reference of Filter.
func filterRef(pts []parley.FrontierPoint) []parley.FrontierPoint {
	var out []parley.FrontierPoint
	seen := map[string]int{}
	for _, p := range pts {
		c := big.NewInt(1)
		if p.Count != nil {
			c = p.Count
		}
		k := fmt.Sprint(p.U)
		if i, ok := seen[k]; ok {
			out[i].Count.Add(out[i].Count, c)
			continue
		}
		seen[k] = len(out)
		out = append(out, parley.FrontierPoint{U: p.U, Outcome: p.Outcome, Count: new(big.Int).Set(c)})
	}
	var keep []parley.FrontierPoint
	for _, p := range out {
		dominated := false
		for _, q := range out {
			if parley.Dominates(q.U, p.U) {
				dominated = true
			}
		}
		if !dominated {
			keep = append(keep, p)
		}
	}
	slices.SortFunc(keep, func(a, b parley.FrontierPoint) int { return -slices.Compare(a.U, b.U) })
	return keep
}

func TestFilterMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for trial := 0; trial < 2000; trial++ {
		n := r.IntN(7)
		size := r.IntN(200)
		spread := 1 + r.IntN(6)
		if trial%4 == 0 {
			spread = 1000
		}
		pts := make([]parley.FrontierPoint, size)
		for i := range pts {
			pts[i].U = make([]int64, n)
			for d := range pts[i].U {
				pts[i].U[d] = int64(r.IntN(spread)) - int64(spread/2)
			}
			if r.IntN(3) > 0 {
				pts[i].Count = big.NewInt(int64(r.IntN(5)))
			}
			pts[i].Outcome = parley.Outcome{i}
		}
		got, want := Filter(pts), filterRef(pts)
		if len(got) != len(want) {
			t.Fatalf("trial %d (n=%d): %d points, want %d", trial, n, len(got), len(want))
		}
		for i := range got {
			if !slices.Equal(got[i].U, want[i].U) || got[i].Count.Cmp(want[i].Count) != 0 || !slices.Equal(got[i].Outcome, want[i].Outcome) {
				t.Fatalf("trial %d (n=%d) point %d: got %v %v %v, want %v %v %v", trial, n, i,
					got[i].U, got[i].Count, got[i].Outcome, want[i].U, want[i].Count, want[i].Outcome)
			}
		}
	}
	if Filter(nil) != nil {
		t.Fatal("Filter(nil) != nil")
	}
}

func TestFilterPanicsOnMixedDimensions(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	Filter([]parley.FrontierPoint{{U: []int64{1}}, {U: []int64{1, 2}}})
}

// TestFrontierLarger checks bigger models, where Naive is still feasible,
// for each party count and both filters' code paths.
func TestFrontierLarger(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for parties := 2; parties <= 5; parties++ {
		r := rand.New(rand.NewPCG(uint64(parties), 1234))
		for trial := 0; trial < 3; trial++ {
			m := randModel(r, parties, 6, 9, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
			res, err := Frontier(m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sameFrontier(t, m, res.Points, Naive(m))
		}
	}
}

func TestFrontierCountsAreIndependent(t *testing.T) {
	m := randModel(rand.New(rand.NewPCG(4, 4)), 2, 4, 4, []int64{0, 1, 2, 3})
	res, err := Frontier(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Points) < 2 {
		t.Fatal("want at least two points")
	}
	before := new(big.Int).Set(res.Points[1].Count)
	c := res.Points[0].Count
	c.Lsh(c, 200)
	c.Add(c, big.NewInt(12345))
	if res.Points[1].Count.Cmp(before) != 0 {
		t.Fatalf("changing one count changed another: %v, was %v", res.Points[1].Count, before)
	}
}

func TestRanks(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for _, bound := range []uint64{10, 1000, 1 << 20, 1 << 40} {
		seen := map[uint64]bool{}
		var keys []uint64
		for len(keys) < 50 && len(keys) < int(bound) {
			k := r.Uint64N(bound)
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		got := ranks(nil, keys, bound)
		sorted := slices.Clone(keys)
		slices.Sort(sorted)
		for i, k := range keys {
			if want, _ := slices.BinarySearch(sorted, k); int(got[i]) != want {
				t.Fatalf("bound %d: rank of %d = %d, want %d", bound, k, got[i], want)
			}
		}
	}
}

// TestFrontierIndexesMatchNaive runs both dominance indexes of the sweep
// (bitsets for moderate fronts, the k-d tree beyond) on random 3 to 6
// party models built for ties: few values, options with equal vectors,
// parties that copy or mirror another's utilities, and issues on which
// everyone is indifferent.
//
// With Options.Parallel set, every step, the final points and planFree's
// pairs split in two (splitMin, parallelPoints and parallelPairs are
// lowered), run one after the other and at the same time.
func TestFrontierIndexesMatchNaive(t *testing.T) {
	defer func(v, w, p, q int) {
		bitIndexMax, splitMin, parallelPoints, parallelPairs = v, w, p, q
	}(bitIndexMax, splitMin, parallelPoints, parallelPairs)
	splitMin, parallelPoints, parallelPairs = 1, 1, 1
	inTurn := func(fs ...func()) {
		for _, f := range fs {
			f()
		}
	}
	together := func(fs ...func()) {
		var wg sync.WaitGroup
		for _, f := range fs {
			wg.Go(f)
		}
		wg.Wait()
	}
	for parties := 3; parties <= 6; parties++ {
		r := rand.New(rand.NewPCG(uint64(parties), 77))
		for trial := 0; trial < 60; trial++ {
			vals := [][]int64{{0, 1, 2}, {0, 1, 2, 3, 4, 5, 6, 7}, {-3, 0, 5, 1 << 40}}[trial%3]
			m := randModel(r, parties, 2+r.IntN(5), 6, vals)
			for i, k := range m.Sizes {
				if k > 1 && r.IntN(2) == 0 { // option 1 repeats option 0
					for p := range m.Parties {
						m.Parties[p].Utility.Values[i][1] = m.Parties[p].Utility.Values[i][0]
					}
				}
				if r.IntN(6) == 0 { // an issue nobody cares about
					for p := range m.Parties {
						clear(m.Parties[p].Utility.Values[i])
					}
				}
			}
			switch trial % 4 {
			case 1: // a party copies another
				m.Parties[parties-1].Utility = m.Parties[0].Utility
			case 2: // a party mirrors another
				for i, row := range m.Parties[0].Utility.Values {
					for o, v := range row {
						m.Parties[parties-1].Utility.Values[i][o] = -v
					}
				}
			}
			want := Naive(m)
			for _, limit := range []int{1 << 14, 0} {
				bitIndexMax = limit
				for _, par := range []func(...func()){nil, inTurn, together} {
					res, err := Frontier(m, Options{Parallel: par})
					if err != nil {
						t.Fatal(err)
					}
					sameFrontier(t, m, res.Points, want)
				}
			}
		}
	}
}

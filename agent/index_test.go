package agent

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
)

// randomModel draws a model with the given issue sizes and one party whose
// utility has values in [0, levels) quanta (small levels force ties) and,
// with rects > 0, that many random hyper-rectangles.
func randomModel(rng *rand.Rand, sizes []int, levels int64, rects int) *parley.Model {
	u := parley.UtilityFn{Values: make([][]int64, len(sizes))}
	for i, k := range sizes {
		u.Values[i] = make([]int64, k)
		for j := range u.Values[i] {
			u.Values[i][j] = rng.Int64N(levels)
		}
	}
	for range rects {
		var reg parley.Region
		for i, k := range sizes {
			if rng.IntN(2) == 0 {
				continue
			}
			in := make([]bool, k)
			for j := range in {
				in[j] = rng.IntN(2) == 0
			}
			reg = append(reg, parley.IssueSet{Issue: i, In: in})
		}
		u.Rects = append(u.Rects, parley.RectQ{Utility: rng.Int64N(2*levels) - levels/2, Region: reg})
	}
	return &parley.Model{Sizes: sizes, Parties: []parley.PartyModel{{Name: "p", Utility: u}}}
}

// bruteForce lists every outcome with its utility, in the index's exact
// order: ascending utility, then lexicographic.
type scored struct {
	u int64
	o parley.Outcome
}

func bruteForce(m *parley.Model, u *parley.UtilityFn) []scored {
	var out []scored
	for o := range m.Outcomes() {
		out = append(out, scored{u.Eval(o), slices.Clone(o)})
	}
	slices.SortStableFunc(out, func(a, b scored) int {
		if a.u != b.u {
			if a.u < b.u {
				return -1
			}
			return 1
		}
		return slices.Compare(a.o, b.o)
	})
	return out
}

func randomSizes(rng *rand.Rand) []int {
	sizes := make([]int, 1+rng.IntN(5))
	for i := range sizes {
		sizes[i] = 1 + rng.IntN(6)
	}
	return sizes
}

func TestIndexExactMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		// 1<<58 leaves no room to pack utilities with ids: the comparison sort.
		levels := []int64{3, 20, 1 << 40, 1 << 58}[trial%4]
		m := randomModel(rng, randomSizes(rng), levels, []int{0, 0, 3}[trial%3])
		u := &m.Parties[0].Utility
		x := NewIndex(m, u)
		ref := bruteForce(m, u)
		if x.Kind() != IndexExact || x.Len() != len(ref) {
			t.Fatalf("trial %d: kind %v len %d, want exact %d", trial, x.Kind(), x.Len(), len(ref))
		}
		var o parley.Outcome
		for r, s := range ref {
			o = x.Outcome(r, o)
			if x.Utility(r) != s.u || !slices.Equal(o, s.o) {
				t.Fatalf("trial %d rank %d: got %v %d, want %v %d", trial, r, o, x.Utility(r), s.o, s.u)
			}
		}
		if x.Max() != ref[len(ref)-1].u || x.Min() != ref[0].u {
			t.Fatalf("trial %d: max/min %d %d", trial, x.Max(), x.Min())
		}
		best := slices.IndexFunc(ref, func(s scored) bool { return s.u == x.Max() })
		if x.Best() != best {
			t.Fatalf("trial %d: Best %d, want %d (first of the maximal)", trial, x.Best(), best)
		}
		// Targets at every utility, between them and beyond both ends.
		targets := []int64{ref[0].u - 1, ref[len(ref)-1].u + 1}
		for _, s := range ref {
			targets = append(targets, s.u, s.u+1, s.u-1)
		}
		for _, tg := range targets {
			want := slices.IndexFunc(ref, func(s scored) bool { return s.u >= tg })
			if want < 0 {
				want = best
			}
			if got := x.AtLeast(tg); got != want {
				t.Fatalf("trial %d: AtLeast(%d) = %d, want %d", trial, tg, got, want)
			}
			k := 1 + rng.IntN(5)
			lo, hi := x.Around(tg, k)
			if lo != want || hi != min(want+k, len(ref)) {
				t.Fatalf("trial %d: Around(%d, %d) = [%d,%d), want [%d,%d)", trial, tg, k, lo, hi, want, min(want+k, len(ref)))
			}
		}
	}
}

// The binned index, forced onto small additive models, against brute force:
// exact utilities, ≥ target whenever possible, within Tolerance of exact.
func TestIndexBinnedWithinTolerance(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		m := randomModel(rng, randomSizes(rng), []int64{5, 1000, 1 << 40}[trial%3], 0)
		u := &m.Parties[0].Utility
		bins := []int{1, 4, 64, 4096}[trial%4]
		x := NewIndexWith(m, u, IndexOptions{Limit: 1, Bins: bins})
		ref := bruteForce(m, u)
		if len(ref) > 1 && x.Kind() != IndexBinned {
			t.Fatalf("trial %d: kind %v", trial, x.Kind())
		}
		if len(ref) == 1 {
			continue
		}
		if x.Max() != ref[len(ref)-1].u {
			t.Fatalf("trial %d: Max %d, want exact %d", trial, x.Max(), ref[len(ref)-1].u)
		}
		span := ref[len(ref)-1].u - ref[0].u
		if tol := x.Tolerance(); tol > span/int64(bins)+int64(len(m.Sizes)) {
			t.Fatalf("trial %d: tolerance %d > span/bins %d + n", trial, tol, span/int64(bins))
		}
		var o parley.Outcome
		for r := range x.Len() {
			o = x.Outcome(r, o)
			if u.Eval(o) != x.Utility(r) || (r > 0 && x.Utility(r) < x.Utility(r-1)) {
				t.Fatalf("trial %d rank %d: outcome %v has utility %d, index says %d", trial, r, o, u.Eval(o), x.Utility(r))
			}
		}
		for _, s := range ref {
			for _, tg := range []int64{s.u, s.u - 1, s.u + 1} {
				exact := slices.IndexFunc(ref, func(s scored) bool { return s.u >= tg })
				got := x.Utility(x.AtLeast(tg))
				if exact < 0 {
					if got != x.Max() {
						t.Fatalf("trial %d: AtLeast(%d) above max = %d", trial, tg, got)
					}
					continue
				}
				if got < tg || got-ref[exact].u >= max(x.Tolerance(), 1) {
					t.Fatalf("trial %d: AtLeast(%d) = %d, exact %d, tolerance %d", trial, tg, got, ref[exact].u, x.Tolerance())
				}
			}
		}
	}
}

// The sampled index, forced onto small non-additive models: sorted, exact
// utilities, no duplicates, and (being seeded) the same every time.
func TestIndexSampledConsistent(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 50 {
		m := randomModel(rng, randomSizes(rng), 100, 4)
		u := &m.Parties[0].Utility
		opt := IndexOptions{Limit: 1, Pool: 64}
		x, y := NewIndexWith(m, u, opt), NewIndexWith(m, u, opt)
		ref := bruteForce(m, u)
		if len(ref) == 1 {
			continue
		}
		if x.Kind() != IndexSampled {
			t.Fatalf("trial %d: kind %v", trial, x.Kind())
		}
		seen := map[string]bool{}
		var o, p parley.Outcome
		for r := range x.Len() {
			o, p = x.Outcome(r, o), y.Outcome(r, p)
			if u.Eval(o) != x.Utility(r) || !slices.Equal(o, p) || (r > 0 && x.Utility(r) < x.Utility(r-1)) {
				t.Fatalf("trial %d rank %d: %v (%d) vs %d", trial, r, o, u.Eval(o), x.Utility(r))
			}
			if seen[fmt.Sprint(o)] {
				t.Fatalf("trial %d: duplicate %v", trial, o)
			}
			seen[fmt.Sprint(o)] = true
		}
		if x.Max() > ref[len(ref)-1].u || x.Tolerance() != -1 {
			t.Fatalf("trial %d: max %d above the true one %d", trial, x.Max(), ref[len(ref)-1].u)
		}
	}
}

// A 10^60-outcome additive space builds a binned index whose answers decode
// to outcomes of the stated utility.
func TestIndexHuge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 60-issue index")
	}
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	sizes := make([]int, 60)
	for i := range sizes {
		sizes[i] = 10
	}
	m := randomModel(rng, sizes, 1<<34, 0)
	u := &m.Parties[0].Utility
	x := NewIndex(m, u)
	if x.Kind() != IndexBinned {
		t.Fatalf("kind %v", x.Kind())
	}
	if span := x.Max() - x.Min(); x.Tolerance() > span/4096+60 {
		t.Errorf("tolerance %d over span/4096 = %d", x.Tolerance(), span/4096)
	}
	var o parley.Outcome
	for _, f := range []float64{0, 0.1, 0.5, 0.9, 0.999, 1} {
		tg := x.Min() + int64(f*float64(x.Max()-x.Min()))
		r := x.AtLeast(tg)
		o = x.Outcome(r, o)
		if got := u.Eval(o); got != x.Utility(r) || got < tg || got-tg > x.Tolerance() {
			t.Errorf("AtLeast(%d): utility %d (index %d), tolerance %d", tg, got, x.Utility(r), x.Tolerance())
		}
	}
}

func TestIndexCacheSharesAndDrops(t *testing.T) {
	t.Parallel()
	m := randomModel(rand.New(rand.NewPCG(9, 9)), []int{3, 4, 5}, 10, 0)
	c := NewIndexCache(IndexOptions{})
	var wg sync.WaitGroup
	got := make([]*Index, 8)
	for i := range got {
		wg.Go(func() { got[i] = c.Get(m, &m.Parties[0].Utility) })
	}
	wg.Wait()
	for _, x := range got {
		if x != got[0] {
			t.Fatal("concurrent Gets built different indexes")
		}
	}
	if c.Len() != 1 {
		t.Fatalf("Len %d, want 1", c.Len())
	}
}

func TestIndexOutcomeDoesNotAllocate(t *testing.T) {
	m := randomModel(rand.New(rand.NewPCG(10, 10)), []int{5, 5, 5, 5}, 1000, 0)
	x := NewIndex(m, &m.Parties[0].Utility)
	o := make(parley.Outcome, 4)
	if n := testing.AllocsPerRun(100, func() { o = x.Outcome(x.AtLeast(1500), o) }); n != 0 {
		t.Errorf("%v allocations per query", n)
	}
}

// radixSort against slices.Sort: keys of every width up to 62 bits, with
// digits every key shares (low zero bits, a common high part) and many
// equal keys, at lengths on both sides of the comparison-sort cut-off.
func TestRadixSortMatchesSort(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		n := []int{0, 1, 5, 2047, 2048, 2049, 5000, 20000}[trial%8]
		width := 1 + rng.IntN(62)
		shift := rng.IntN(63 - width + 1)
		common := int64(0)
		if trial%3 == 0 && width+shift < 62 {
			common = int64(1) << 62
		}
		distinct := 1 + rng.IntN(max(n, 1))
		pool := make([]int64, distinct)
		for i := range pool {
			pool[i] = common | rng.Int64N(int64(1)<<width)<<shift
		}
		keys := make([]int64, n)
		for i := range keys {
			keys[i] = pool[rng.IntN(distinct)]
		}
		want := slices.Clone(keys)
		slices.Sort(want)
		radixSort(keys)
		if !slices.Equal(keys, want) {
			t.Fatalf("trial %d (n %d, width %d, shift %d): radix order differs from sort", trial, n, width, shift)
		}
	}
}

// Exact indexes large enough to be sorted by radix (2,048 outcomes and
// more) hold the outcomes in brute force's order.
func TestIndexExactLargeMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 8 {
		levels := []int64{3, 20, 1 << 40, 1 << 30}[trial%4]
		m := randomModel(rng, []int{8, 7 + trial%3, 6, 7}, levels, []int{0, 3}[trial%2])
		u := &m.Parties[0].Utility
		x := NewIndex(m, u)
		ref := bruteForce(m, u)
		var o parley.Outcome
		for r, s := range ref {
			o = x.Outcome(r, o)
			if x.Utility(r) != s.u || !slices.Equal(o, s.o) {
				t.Fatalf("trial %d rank %d: got %v %d, want %v %d", trial, r, o, x.Utility(r), s.o, s.u)
			}
		}
	}
}

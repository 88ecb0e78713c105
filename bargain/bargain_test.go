package bargain

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley"
)

// paretoNaive keeps the points no other point dominates (O(n²) reference).
func paretoNaive(pts [][]int64) [][]int64 {
	var out [][]int64
	for i, a := range pts {
		dom := false
		for j, b := range pts {
			if i != j && parley.Dominates(b, a) {
				dom = true
				break
			}
		}
		if !dom {
			out = append(out, a)
		}
	}
	return out
}

func vec(pts [][]int64, i int) []int64 {
	if i < 0 {
		return nil
	}
	return pts[i]
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFrontierSuffices checks the package contract: every solution computed
// over the Pareto frontier equals the one computed over all points.
func TestFrontierSuffices(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 2000; trial++ {
		n := 2 + r.IntN(3)
		var pts [][]int64
		for k := 0; k < 1+r.IntN(40); k++ {
			u := make([]int64, n)
			for i := range u {
				u[i] = int64(r.IntN(12)) // small range: many ties
			}
			pts = append(pts, u)
		}
		d := make([]int64, n)
		for i := range d {
			d[i] = int64(r.IntN(6))
		}
		front := paretoNaive(pts)
		check := func(name string, all, fr []int64) {
			if !equal(all, fr) {
				t.Fatalf("trial %d %s: over all points %v, over frontier %v (pts %v, d %v)", trial, name, all, fr, pts, d)
			}
		}
		check("nash", vec(pts, Nash(pts, d, nil)), vec(front, Nash(front, d, nil)))
		check("ks", vec(pts, KalaiSmorodinsky(pts, d, nil)), vec(front, KalaiSmorodinsky(front, d, nil)))
		check("welfare", vec(pts, MaxWelfare(pts, nil)), vec(front, MaxWelfare(front, nil)))
		check("egal", vec(pts, Egalitarian(pts, d, nil)), vec(front, Egalitarian(front, d, nil)))
		// The optimum beats or ties every admissible point on its own criterion.
		if k := Nash(pts, d, nil); k >= 0 {
			for _, u := range pts {
				if allGain(u, d) && prodF(u, d) > prodF(pts[k], d)+1e-9 {
					t.Fatalf("trial %d: nash %v beaten by %v", trial, pts[k], u)
				}
			}
		}
	}
}

func prodF(u, d []int64) float64 {
	p := 1.0
	for i := range u {
		p *= float64(u[i] - d[i])
	}
	return p
}

func TestHandComputed(t *testing.T) {
	t.Parallel()
	// A 2-party frontier with disagreement point (0, 0):
	// products 10·1=10, 6·5=30, 4·7=28, 1·10=10 → Nash is (6,5).
	// Ideal (10,10): min ratios .1, .5, .4, .1 → KS is (6,5).
	// Sums 11, 11, 11, 11 → welfare tie broken lexicographically → (10,1).
	// Min gains 1, 5, 4, 1 → egalitarian (6,5).
	pts := [][]int64{{10, 1}, {6, 5}, {4, 7}, {1, 10}}
	d := []int64{0, 0}
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"nash", Nash(pts, d, nil), 1},
		{"ks", KalaiSmorodinsky(pts, d, nil), 1},
		{"welfare", MaxWelfare(pts, nil), 0},
		{"egalitarian", Egalitarian(pts, d, nil), 1},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got index %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	// With d = (7, 0) only (10,1) gains for party 0: everything picks it.
	d = []int64{7, 0}
	if Nash(pts, d, nil) != 0 || KalaiSmorodinsky(pts, d, nil) != 0 || Egalitarian(pts, d, nil) != 0 {
		t.Errorf("with d=(7,0) every solution must be (10,1)")
	}
	// With d = (5, 0), (10,1) and (6,5) gain (5,1) and (1,5): equal
	// products, equal sums; the tie goes to the lexicographically larger.
	if Nash(pts, []int64{5, 0}, nil) != 0 {
		t.Errorf("with d=(5,0) the Nash tie must go to (10,1)")
	}
	// No admissible point.
	if Nash(pts, []int64{20, 20}, nil) != -1 || KalaiSmorodinsky(pts, []int64{20, 20}, nil) != -1 {
		t.Errorf("no point gains: want -1")
	}
}

// TestScaledAgainstRationals: with a fixed-point scale per party (party i's
// utility is u[i]/scale[i]) and values up to 2^61, every solution equals the
// one computed on the rationals u[i]/scale[i] with math/big.
func TestScaledAgainstRationals(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 3000; trial++ {
		n := 2 + r.IntN(4)
		scale := make([]int64, n)
		for i := range scale {
			scale[i] = []int64{1, 3, 10, 7 << 40, 1 << 40, 1<<61 - 1}[r.IntN(6)]
		}
		big61 := trial%3 == 0                 // values near the 2^61 limit, of both signs
		close := trial%3 == 1 && trial%2 == 0 // large values a few units apart: products too close for floats
		draw := func(i int) int64 {
			if big61 {
				return (1 << 61) - int64(r.IntN(32))*(1<<58)
			}
			if close {
				return 1<<60 + int64(r.IntN(64))
			}
			// Small multiples of a unit of the party's scale: many ties across parties.
			return int64(r.IntN(6)) * max(scale[i]/4, 1)
		}
		var pts [][]int64
		for k := 0; k < 1+r.IntN(30); k++ {
			u := make([]int64, n)
			for i := range u {
				u[i] = draw(i)
			}
			pts = append(pts, u)
		}
		d := make([]int64, n)
		for i := range d {
			d[i] = draw(i) / 3
		}
		rat := func(u []int64) []*big.Rat {
			out := make([]*big.Rat, n)
			for i := range u {
				out[i] = big.NewRat(u[i], scale[i])
			}
			return out
		}
		refs := ratSolutions(pts, d, rat)
		for c, got := range []int{Nash(pts, d, scale), KalaiSmorodinsky(pts, d, scale), MaxWelfare(pts, scale), Egalitarian(pts, d, scale)} {
			want := refs[c]
			if (got < 0) != (want < 0) || (got >= 0 && !equal(pts[got], pts[want])) {
				t.Fatalf("trial %d: solution %d: got %v, want %v (pts %v, d %v, scale %v)", trial, c, vec(pts, got), vec(pts, want), pts, d, scale)
			}
		}
	}
}

// ratSolutions is the reference: each criterion on rationals, ties by the
// larger rational sum, then the lexicographically larger vector.
func ratSolutions(pts [][]int64, d []int64, rat func([]int64) []*big.Rat) [4]int {
	dr := rat(d)
	gain := func(k, i int) *big.Rat { return new(big.Rat).Sub(rat(pts[k])[i], dr[i]) }
	var adm []int
	for k, u := range pts {
		if allGain(u, d) {
			adm = append(adm, k)
		}
	}
	sum := func(k int) *big.Rat {
		s := new(big.Rat)
		for _, x := range rat(pts[k]) {
			s.Add(s, x)
		}
		return s
	}
	tie := func(a, b int) bool {
		if c := sum(a).Cmp(sum(b)); c != 0 {
			return c > 0
		}
		for i := range pts[a] {
			if pts[a][i] != pts[b][i] {
				return pts[a][i] > pts[b][i]
			}
		}
		return false
	}
	pick := func(cands []int, f func(k int) *big.Rat) int {
		best := -1
		var bv *big.Rat
		for _, k := range cands {
			v := f(k)
			if best < 0 || v.Cmp(bv) > 0 || (v.Cmp(bv) == 0 && tie(k, best)) {
				best, bv = k, v
			}
		}
		return best
	}
	n := len(d)
	ideal := make([]*big.Rat, n)
	for _, k := range adm {
		for i, x := range rat(pts[k]) {
			if ideal[i] == nil || x.Cmp(ideal[i]) > 0 {
				ideal[i] = x
			}
		}
	}
	all := make([]int, len(pts))
	for k := range all {
		all[k] = k
	}
	return [4]int{
		pick(adm, func(k int) *big.Rat {
			p := big.NewRat(1, 1)
			for i := 0; i < n; i++ {
				p.Mul(p, gain(k, i))
			}
			return p
		}),
		pick(adm, func(k int) *big.Rat {
			m := big.NewRat(1, 1)
			for i := 0; i < n; i++ {
				den := new(big.Rat).Sub(ideal[i], dr[i])
				if den.Sign() <= 0 {
					continue
				}
				if g := new(big.Rat).Quo(gain(k, i), den); g.Cmp(m) < 0 {
					m = g
				}
			}
			return m
		}),
		pick(all, sum),
		pick(adm, func(k int) *big.Rat {
			var m *big.Rat
			for i := 0; i < n; i++ {
				if g := gain(k, i); m == nil || g.Cmp(m) < 0 {
					m = g
				}
			}
			return m
		}),
	}
}

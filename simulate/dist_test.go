package simulate

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// naiveDist is the reference: every value kept and sorted.
func naiveDist(us []float64) (mean, p10, p50, p90 float64) {
	s := slices.Clone(us)
	slices.Sort(s)
	var sum float64
	for _, u := range s {
		sum += u
	}
	q := func(p float64) float64 { return s[int(p*float64(len(s)-1)+0.5)] }
	return sum / float64(len(s)), q(0.1), q(0.5), q(0.9)
}

// TestDistAcc checks the Monte Carlo distribution against the naive one:
// exact up to ExactQuantiles values, within QuantileError beyond (with an
// exact mean), and the same whatever the order in which values and
// partial summaries arrive.
func TestDistAcc(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{1, 2, 10, 1000, ExactQuantiles, ExactQuantiles + 1, 3 * ExactQuantiles} {
		us := make([]float64, n)
		for i := range us {
			switch r.IntN(10) {
			case 0:
				us[i] = 0
			case 1:
				us[i] = -r.Float64()
			default:
				us[i] = float64(int64(r.Float64()*1e6)) / 1e6 // on a grid, like fixed-point utilities
			}
		}
		// Split into chunks for three "workers", added in two orders.
		accs := []*distAcc{newDistAcc(), newDistAcc(), newDistAcc()}
		for _, u := range us {
			accs[r.IntN(3)].add(u)
		}
		a := newDistAcc()
		for _, x := range accs {
			a.merge(x)
		}
		b := newDistAcc()
		for i := len(us) - 1; i >= 0; i-- {
			b.add(us[i])
		}
		da, db := a.dist("x"), b.dist("x")
		if !reflect.DeepEqual(da, db) {
			t.Fatalf("n=%d: the order of arrival changes the summary: %+v vs %+v", n, da, db)
		}
		mean, p10, p50, p90 := naiveDist(us)
		if n <= ExactQuantiles {
			if !da.Exact || da.P10 != p10 || da.P50 != p50 || da.P90 != p90 || math.Abs(da.Mean-mean) > 1e-12 {
				t.Errorf("n=%d: got %+v, want exact mean %v p10 %v p50 %v p90 %v", n, da, mean, p10, p50, p90)
			}
			continue
		}
		if da.Exact {
			t.Errorf("n=%d: beyond ExactQuantiles the quantiles are not exact", n)
		}
		for _, c := range [][2]float64{{da.P10, p10}, {da.P50, p50}, {da.P90, p90}} {
			if math.Abs(c[0]-c[1]) > QuantileError*math.Abs(c[1])+1e-12 {
				t.Errorf("n=%d: quantile %v, exact %v: beyond the relative error %v", n, c[0], c[1], QuantileError)
			}
		}
		if math.Abs(da.Mean-mean) > 1e-9 {
			t.Errorf("n=%d: mean %v, want %v", n, da.Mean, mean)
		}
		if len(a.vals) != 0 || len(a.pos)+len(a.neg) > 200_000 {
			t.Errorf("n=%d: the accumulator keeps %d values and %d bins", n, len(a.vals), len(a.pos)+len(a.neg))
		}
	}
}

// TestDistAccBinEdges puts a quantile's rank right after the last zero:
// the histogram must step into the positive bins there.
func TestDistAccBinEdges(t *testing.T) {
	t.Parallel()
	a := newDistAcc()
	for range ExactQuantiles + 1 {
		a.add(0)
		a.add(0.5)
	}
	_, _, p50, _ := naiveDist(append(make([]float64, ExactQuantiles+1), slices.Repeat([]float64{0.5}, ExactQuantiles+1)...))
	if d := a.dist("x"); d.Exact || math.Abs(d.P50-p50) > QuantileError*p50 {
		t.Fatalf("p50 %v (exact %v), want %v", d.P50, d.Exact, p50)
	}
}

package simulate

import (
	"math"
	"slices"

	"github.com/parleyhq/parley/internal/fixed"
)

// ExactQuantiles is how many values a Monte Carlo distribution keeps to
// give exact quantiles. Beyond it (a study with more agreements than this)
// the quantiles come from a log-bucketed histogram whose values are within
// QuantileError (relative) of the exact ones, and memory stays flat in the
// number of runs. The mean is exact either way.
const ExactQuantiles = 1 << 16

// QuantileError bounds the relative error of the quantiles of a
// distribution with more than ExactQuantiles values.
const QuantileError = 1e-4

var (
	sketchGamma    = (1 + QuantileError) / (1 - QuantileError)
	sketchLogGamma = math.Log(sketchGamma)
)

// distAcc accumulates one party's utilities over a study. Adding and
// merging commute: the summary does not depend on the order of the runs,
// so not on the number of workers.
type distAcc struct {
	n        int64
	vals     []float64 // every value while n <= ExactQuantiles; nil after
	sum      fixed.Sum // exact sum, for the mean beyond ExactQuantiles
	min, max float64
	// The histogram (DDSketch): value x > 0 falls in bin ceil(log_γ x),
	// x < 0 in neg's bin of −x.
	pos, neg map[int32]uint64
	zero     uint64
}

func newDistAcc() *distAcc {
	return &distAcc{pos: map[int32]uint64{}, neg: map[int32]uint64{}}
}

func sketchKey(x float64) int32 { return int32(math.Ceil(math.Log(x) / sketchLogGamma)) }

// sketchValue is the value a bin stands for: within QuantileError of every
// value in it.
func sketchValue(k int32) float64 { return 2 * math.Pow(sketchGamma, float64(k)) / (sketchGamma + 1) }

func (d *distAcc) add(u float64) {
	if d.n == 0 || u < d.min {
		d.min = u
	}
	if d.n == 0 || u > d.max {
		d.max = u
	}
	d.n++
	d.sum.Add(u)
	if d.n <= ExactQuantiles {
		d.vals = append(d.vals, u)
	} else {
		d.vals = nil
	}
	switch {
	case u > 0:
		d.pos[sketchKey(u)]++
	case u < 0:
		d.neg[sketchKey(-u)]++
	default:
		d.zero++
	}
}

func (d *distAcc) merge(o *distAcc) {
	if o.n == 0 {
		return
	}
	if d.n == 0 || o.min < d.min {
		d.min = o.min
	}
	if d.n == 0 || o.max > d.max {
		d.max = o.max
	}
	d.n += o.n
	d.sum.Merge(o.sum)
	if d.n <= ExactQuantiles {
		d.vals = append(d.vals, o.vals...)
	} else {
		d.vals = nil
	}
	for k, c := range o.pos {
		d.pos[k] += c
	}
	for k, c := range o.neg {
		d.neg[k] += c
	}
	d.zero += o.zero
}

// dist summarises the distribution: exact while it holds every value
// (the mean summed over the sorted values), else from the histogram.
func (d *distAcc) dist(party string) Dist {
	out := Dist{Party: party, N: int(d.n), Exact: true}
	if d.n == 0 {
		return out
	}
	if int64(len(d.vals)) == d.n {
		sorted := slices.Clone(d.vals)
		slices.Sort(sorted)
		var sum float64
		for _, u := range sorted {
			sum += u
		}
		out.Mean = sum / float64(len(sorted))
		q := func(p float64) float64 { return sorted[int(p*float64(len(sorted)-1)+0.5)] }
		out.P10, out.P50, out.P90 = q(0.1), q(0.5), q(0.9)
		return out
	}
	out.Exact = false
	out.Mean = d.sum.Mean(d.n)
	out.P10, out.P50, out.P90 = d.quantile(0.1), d.quantile(0.5), d.quantile(0.9)
	return out
}

// quantile returns the histogram's value at rank round(p·(n−1)), clamped to
// the range seen.
func (d *distAcc) quantile(p float64) float64 {
	rank := uint64(p*float64(d.n-1) + 0.5)
	var seen uint64
	pick := func(keys []int32, bins map[int32]uint64, sign float64) (float64, bool) {
		for _, k := range keys {
			seen += bins[k]
			if seen > rank {
				return min(max(sign*sketchValue(k), d.min), d.max), true
			}
		}
		return 0, false
	}
	neg := sortedKeys(d.neg)
	slices.Reverse(neg) // the most negative first
	if v, ok := pick(neg, d.neg, -1); ok {
		return v
	}
	if seen += d.zero; seen > rank {
		return 0
	}
	if v, ok := pick(sortedKeys(d.pos), d.pos, 1); ok {
		return v
	}
	return d.max
}

func sortedKeys(m map[int32]uint64) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

package agent

import (
	"cmp"
	"fmt"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/parleyhq/parley"
)

// IndexKind says how an Index answers its queries.
type IndexKind int

// Index kinds.
const (
	// IndexExact enumerated every outcome: answers are exact.
	IndexExact IndexKind = iota
	// IndexBinned ran a per-issue dynamic programme over binned utility
	// levels (additive utilities only): answers are within Index.Tolerance.
	IndexBinned
	// IndexSampled holds a pool of sampled and hill-climbed outcomes
	// (non-additive utilities over large spaces): answers are exact over the
	// pool, with no guarantee about the outcomes left out.
	IndexSampled
)

// String names the kind.
func (k IndexKind) String() string {
	switch k {
	case IndexExact:
		return "exact"
	case IndexBinned:
		return "binned"
	case IndexSampled:
		return "sampled"
	}
	return "unknown"
}

// IndexOptions tunes NewIndexWith. Zero fields take their defaults.
type IndexOptions struct {
	// Limit is the largest outcome space enumerated exactly (default 1<<22,
	// at most 1<<31). An exact index takes 12 bytes per outcome.
	Limit int
	// Bins is the resolution of the binned index: its answers are within
	// (Max−Min)/Bins of the exact answer (default 4096), unless that would
	// take more than MaxCells cells, in which case Tolerance says how far.
	Bins int
	// MaxCells bounds the binned index's back-pointer table (default 1<<23
	// cells of 4 bytes).
	MaxCells int
	// Pool is the number of random outcomes in a sampled index (default
	// 1<<14); hill-climbed outcomes come on top.
	Pool int
}

func (o IndexOptions) withDefaults() IndexOptions {
	if o.Limit <= 0 {
		o.Limit = 1 << 22
	}
	if o.Limit > 1<<31 {
		o.Limit = 1 << 31
	}
	if o.Bins <= 0 {
		o.Bins = 4096
	}
	if o.MaxCells <= 0 {
		o.MaxCells = 1 << 23
	}
	if o.Pool <= 0 {
		o.Pool = 1 << 14
	}
	return o
}

// An Index answers "which outcome gives me about this much utility?" for one
// utility function without scanning the outcome space: it is built once (per
// agent and session, or once per utility with an IndexCache) and then every
// query is a binary search plus a decode.
//
// An Index holds candidates sorted by ascending utility and addressed by
// rank, 0 ≤ rank < Len(). How the candidates arise depends on Kind:
//
//   - IndexExact (spaces up to IndexOptions.Limit outcomes): every outcome is
//     a candidate, stored as a compact mixed-radix id (issue 0 most
//     significant, so id order is lexicographic order of outcomes). Ties in
//     utility are ordered by id: AtLeast returns the lexicographically
//     smallest outcome of the smallest utility ≥ target.
//   - IndexBinned (larger spaces, additive utilities): a dynamic programme
//     over issues keeps, for every reachable bin of width w of the partial
//     sum over issues 0..i, the outcome prefix with the highest partial sum in
//     the bin (first option wins ties) and its last option as a back-pointer.
//     Candidates are the representatives of the reachable bins after the
//     last issue. By induction over issues, for every outcome of utility S
//     there is a candidate of utility in [S, S + n·w) where n is the number
//     of issues; w is chosen as (Max−Min)/(Bins·n) (rounded up, at least
//     one quantum), so Tolerance() = n·w ≈ (Max−Min)/Bins: AtLeast(target)
//     returns a candidate of utility ≥ target whenever some outcome has one,
//     and less than Tolerance() above the exact answer. Max is exact.
//     Utilities reported for candidates are exact (not bin centres).
//   - IndexSampled (larger spaces, utilities with hyper-rectangles): the
//     candidates are IndexOptions.Pool outcomes drawn with a fixed seed plus
//     local optima found by coordinate ascent from some of them (and from
//     the outcome that maximises the additive part). Answers are exact over
//     that pool; outcomes outside it are never offered, and Max may be below
//     the true maximum.
//
// An Index keeps no reference to the Model or UtilityFn it was built from,
// and is safe for concurrent queries. It does not look at Model.Infeasible:
// feasibility is for the protocol and the analysis, not the agent's utility.
type Index struct {
	kind  IndexKind
	sizes []int
	utils []int64 // candidates' exact utilities, ascending

	ids []uint32 // exact: mixed-radix outcome ids

	pool []int32 // sampled: outcomes, flattened, len(sizes) per candidate

	// binned
	vals  [][]int64 // values minus the issue minimum
	base  int64     // Σ issue minima
	width int64     // bin width
	opts  [][]int32 // per issue, per bin: option of the representative (meaningless for unreached bins)
	bins  []int32   // candidate rank → bin after the last issue
	tol   int64
}

// NewIndex builds the index of u over m's outcomes with default options.
// It panics if u does not match m (a programmer error).
func NewIndex(m *parley.Model, u *parley.UtilityFn) *Index {
	return NewIndexWith(m, u, IndexOptions{})
}

// NewIndexWith builds the index of u over m's outcomes. It panics if u does
// not match m (a programmer error) or m has an issue without options.
func NewIndexWith(m *parley.Model, u *parley.UtilityFn, opt IndexOptions) *Index {
	opt = opt.withDefaults()
	if len(u.Values) != len(m.Sizes) {
		panic(fmt.Sprintf("agent: utility has %d issues, model %d", len(u.Values), len(m.Sizes)))
	}
	for i, k := range m.Sizes {
		if k <= 0 || len(u.Values[i]) != k {
			panic(fmt.Sprintf("agent: issue %d has %d options, utility %d", i, k, len(u.Values[i])))
		}
	}
	x := &Index{sizes: slices.Clone(m.Sizes)}
	size := m.Size()
	switch {
	case size.Cmp(big.NewInt(int64(opt.Limit))) <= 0:
		x.buildExact(u, int(size.Int64()))
	case u.Additive():
		x.buildBinned(u, opt)
	default:
		x.buildSampled(u, opt)
	}
	return x
}

// Kind says how the index answers.
func (x *Index) Kind() IndexKind { return x.kind }

// Len returns the number of candidates.
func (x *Index) Len() int { return len(x.utils) }

// Utility returns the exact utility of the candidate of the given rank.
func (x *Index) Utility(rank int) int64 { return x.utils[rank] }

// Max returns the highest candidate utility (exact for exact and binned
// indexes).
func (x *Index) Max() int64 { return x.utils[len(x.utils)-1] }

// Min returns the lowest candidate utility (exact for exact indexes).
func (x *Index) Min() int64 { return x.utils[0] }

// Tolerance returns how far above the exact answer AtLeast may land: 0 for
// an exact index, n·w for a binned one, −1 (unknown) for a sampled one.
func (x *Index) Tolerance() int64 {
	switch x.kind {
	case IndexExact:
		return 0
	case IndexBinned:
		return x.tol
	}
	return -1
}

// AtLeast returns the rank of the candidate with the smallest utility ≥
// target (the first of equal ones), or Best() when every candidate is below
// target. Callers that care compare Utility(rank) with target.
func (x *Index) AtLeast(target int64) int {
	r, _ := slices.BinarySearch(x.utils, target)
	if r == len(x.utils) {
		return x.Best()
	}
	return r
}

// Best returns the rank of the first candidate of maximal utility.
func (x *Index) Best() int {
	r, _ := slices.BinarySearch(x.utils, x.utils[len(x.utils)-1])
	return r
}

// Around returns the ranks [lo, hi) of the (at most) k candidates of
// smallest utility ≥ target, in ascending utility; when every candidate is
// below target it returns the best one alone. k < 1 counts as 1.
func (x *Index) Around(target int64, k int) (lo, hi int) {
	lo = x.AtLeast(target)
	if k < 1 {
		k = 1
	}
	return lo, min(lo+k, len(x.utils))
}

// Outcome writes the candidate of the given rank into dst (reused when its
// capacity suffices, so that steady-state queries do not allocate) and
// returns it.
func (x *Index) Outcome(rank int, dst parley.Outcome) parley.Outcome {
	n := len(x.sizes)
	if cap(dst) < n {
		dst = make(parley.Outcome, n)
	}
	dst = dst[:n]
	switch x.kind {
	case IndexExact:
		id := x.ids[rank]
		for i := n - 1; i >= 0; i-- {
			k := uint32(x.sizes[i])
			dst[i] = int(id % k)
			id /= k
		}
	case IndexSampled:
		for i, v := range x.pool[rank*n : rank*n+n] {
			dst[i] = int(v)
		}
	case IndexBinned:
		s := x.utils[rank] - x.base
		b := x.bins[rank]
		for i := n - 1; i >= 0; i-- {
			o := x.opts[i][b]
			dst[i] = int(o)
			s -= x.vals[i][o]
			b = int32(s / x.width)
		}
	}
	return dst
}

func (x *Index) buildExact(u *parley.UtilityFn, size int) {
	x.kind = IndexExact
	n := len(x.sizes)
	x.utils = make([]int64, size) // by id until sorted
	x.ids = make([]uint32, size)
	o := make(parley.Outcome, n)
	// Odometer over outcomes in id order, keeping the additive sum up to date.
	var sum int64
	for i := range u.Values {
		sum += u.Values[i][0]
	}
	for id := range x.utils {
		v := sum
		for _, r := range u.Rects {
			if r.Region.Contains(o) {
				v += r.Utility
			}
		}
		x.utils[id] = v
		for i := n - 1; i >= 0; i-- {
			sum -= u.Values[i][o[i]]
			o[i]++
			if o[i] < x.sizes[i] {
				sum += u.Values[i][o[i]]
				break
			}
			o[i] = 0
			sum += u.Values[i][0]
		}
	}
	lo, hi := slices.Min(x.utils), slices.Max(x.utils)
	idBits := bits.Len64(uint64(size - 1))
	if hi-lo >= 0 && uint64(hi-lo) < 1<<(63-idBits) {
		// Utility offsets and ids fit together in 63 bits (any utility
		// normalised to a few units): sort packed keys (u−lo)<<idBits | id,
		// in place of the utilities, by radix. Several times faster than
		// sorting pairs with a comparison function, and 12 bytes an
		// outcome.
		for id, v := range x.utils {
			x.utils[id] = (v-lo)<<idBits | int64(id)
		}
		radixSort(x.utils)
		mask := int64(1)<<idBits - 1
		for i, k := range x.utils {
			x.utils[i], x.ids[i] = k>>idBits+lo, uint32(k&mask)
		}
		return
	}
	byID := x.utils
	for id := range x.ids {
		x.ids[id] = uint32(id)
	}
	slices.SortFunc(x.ids, func(a, b uint32) int {
		if c := cmp.Compare(byID[a], byID[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	x.utils = make([]int64, size)
	for i, id := range x.ids {
		x.utils[i] = byID[id]
	}
}

// radixSort sorts non-negative keys ascending: least significant digit
// first, 11 bits a pass, skipping the digits every key shares (the high
// bits above the largest key, for one). Small slices are sorted by
// comparison.
func radixSort(keys []int64) {
	const digit = 11
	if len(keys) < 1<<digit {
		slices.Sort(keys)
		return
	}
	var used int64
	for _, k := range keys {
		used |= k
	}
	src, dst := keys, make([]int64, len(keys))
	var count [1 << digit]int
	for shift := 0; shift < 63 && used>>shift != 0; shift += digit {
		clear(count[:])
		for _, k := range src {
			count[k>>shift&(1<<digit-1)]++
		}
		if count[src[0]>>shift&(1<<digit-1)] == len(src) {
			continue // every key has this digit
		}
		at := 0
		for d, c := range count {
			count[d] = at
			at += c
		}
		for _, k := range src {
			d := k >> shift & (1<<digit - 1)
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

func (x *Index) buildBinned(u *parley.UtilityFn, opt IndexOptions) {
	x.kind = IndexBinned
	n := len(x.sizes)
	x.vals = make([][]int64, n)
	spans := make([]int64, n)
	var total int64
	for i, vs := range u.Values {
		lo, hi := slices.Min(vs), slices.Max(vs)
		x.base += lo
		spans[i] = hi - lo
		total += spans[i]
		x.vals[i] = make([]int64, len(vs))
		for k, v := range vs {
			x.vals[i][k] = v - lo
		}
	}
	// Bin width: Bins·n bins over [Min, Max] so that n merges stay within
	// one of Bins bins, widened if the table would exceed MaxCells.
	w := max(1, ceilDiv(total, int64(opt.Bins)*int64(n)))
	cells := func(w int64) int64 {
		var c, pre int64
		for _, s := range spans {
			pre += s
			c += pre/w + 1
		}
		return c
	}
	for cells(w) > int64(opt.MaxCells) {
		w = w + w/2 + 1
	}
	x.width = w
	x.tol = int64(n) * w
	x.opts = make([][]int32, n)
	// Best partial sum per bin of the previous and next layers (−1:
	// unreached), reused across layers.
	widest := total/w + 1
	cur, next := make([]int64, 1, widest), make([]int64, 0, widest)
	var pre int64
	for i := 0; i < n; i++ {
		pre += spans[i]
		nb := pre/w + 1
		next = next[:nb]
		for b := range next {
			next[b] = -1
		}
		ops := make([]int32, nb)
		for _, p := range cur {
			if p < 0 {
				continue
			}
			for k, v := range x.vals[i] {
				s := p + v
				nbin := s / w
				if s > next[nbin] {
					next[nbin], ops[nbin] = s, int32(k)
				}
			}
		}
		x.opts[i] = ops
		cur, next = next, cur
	}
	for b, s := range cur {
		if s >= 0 {
			x.utils = append(x.utils, s+x.base)
			x.bins = append(x.bins, int32(b))
		}
	}
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

func (x *Index) buildSampled(u *parley.UtilityFn, opt IndexOptions) {
	x.kind = IndexSampled
	n := len(x.sizes)
	// A fixed seed: the index is shared between agents and sessions, so it
	// must not consume any session's randomness.
	rng := rand.New(rand.NewPCG(0x7061726c6579, uint64(n)))
	var outs []parley.Outcome
	for range opt.Pool {
		o := make(parley.Outcome, n)
		for i, k := range x.sizes {
			o[i] = rng.IntN(k)
		}
		outs = append(outs, o)
	}
	// Local optima: coordinate ascent from the additive optimum and from a
	// few samples, so that the top of the pool is not left to chance.
	best := make(parley.Outcome, n)
	for i, vs := range u.Values {
		best[i] = slices.Index(vs, slices.Max(vs))
	}
	starts := []parley.Outcome{best}
	for i := 0; i < 16 && i < len(outs); i++ {
		starts = append(starts, outs[i])
	}
	for _, s := range starts {
		o := slices.Clone(s)
		v := u.Eval(o)
		for sweep := 0; sweep < 8; sweep++ {
			improved := false
			for i, k := range x.sizes {
				keep := o[i]
				for c := 0; c < k; c++ {
					o[i] = c
					if w := u.Eval(o); w > v {
						v, keep, improved = w, c, true
					}
				}
				o[i] = keep
			}
			if !improved {
				break
			}
		}
		outs = append(outs, o)
	}
	us := make([]int64, len(outs))
	for i, o := range outs {
		us[i] = u.Eval(o)
	}
	order := make([]int, len(outs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		ia, ib := order[a], order[b]
		if us[ia] != us[ib] {
			return us[ia] < us[ib]
		}
		return slices.Compare(outs[ia], outs[ib]) < 0
	})
	var prev parley.Outcome
	for _, j := range order {
		if prev != nil && slices.Equal(prev, outs[j]) {
			continue
		}
		prev = outs[j]
		x.utils = append(x.utils, us[j])
		for _, v := range outs[j] {
			x.pool = append(x.pool, int32(v))
		}
	}
}

package pareto

import (
	"math/big"
	"slices"

	"github.com/parleyhq/parley"
)

// naiveMax is the largest outcome space Naive accepts.
const naiveMax = 1 << 26

// Naive is the brute-force reference of Frontier: it enumerates every
// outcome in lexicographic order, evaluates it with m.Eval (so it also
// handles non-additive models), and keeps the non-dominated vectors, each
// with its first (lexicographically smallest) outcome and its exact count.
// It is meant for tests of small models and is exported so that other
// packages' tests can use it; it does not share code with Frontier's
// filters.
//
// Naive panics if m has more than 2^26 outcomes.
func Naive(m *parley.Model) []parley.FrontierPoint {
	if m.Size().Cmp(big.NewInt(naiveMax)) > 0 {
		panic("pareto: Naive: outcome space too large")
	}
	for _, k := range m.Sizes {
		if k == 0 {
			return nil
		}
	}
	type entry struct {
		u []int64
		o parley.Outcome
		c int64
	}
	index := map[string]int{}
	var es []entry
	for o := range m.Outcomes() {
		u := m.Eval(o)
		key := string(encode(u))
		if i, ok := index[key]; ok {
			es[i].c++
		} else {
			index[key] = len(es)
			es = append(es, entry{u: u, o: slices.Clone(o), c: 1})
		}
	}
	// In lexicographically descending order a vector can only be dominated
	// by an earlier one, and if it is dominated at all, then by a frontier
	// vector: checking the kept ones suffices.
	slices.SortFunc(es, func(a, b entry) int { return -slices.Compare(a.u, b.u) })
	var out []parley.FrontierPoint
	for i := range es {
		dominated := false
		for j := range out {
			if parley.Dominates(out[j].U, es[i].u) {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, parley.FrontierPoint{U: es[i].u, Outcome: es[i].o, Count: big.NewInt(es[i].c)})
		}
	}
	return out
}

func encode(u []int64) []byte {
	b := make([]byte, 0, 8*len(u))
	for _, v := range u {
		x := uint64(v)
		b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24), byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56))
	}
	return b
}

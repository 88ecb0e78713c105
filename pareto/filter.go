package pareto

import (
	"math/big"
	"slices"

	"github.com/parleyhq/parley"
)

// Filter returns the non-dominated points of pts, any number of parties:
// one point per distinct vector U, with the counts of all input points with
// that vector summed (a nil Count counts as 1) and the Outcome of the first
// of them in input order. The result is sorted by U[0] descending, then
// U[1] descending, and so on, and shares no memory with pts.
//
// Filter panics if the points' vectors differ in length.
func Filter(pts []parley.FrontierPoint) []parley.FrontierPoint {
	if len(pts) == 0 {
		return nil
	}
	n := len(pts[0].U)
	u := make([]int64, 0, len(pts)*n)
	for i := range pts {
		if len(pts[i].U) != n {
			panic("pareto: Filter: points of different dimensions")
		}
		u = append(u, pts[i].U...)
	}
	ord := make([]int32, len(pts))
	for i := range ord {
		ord[i] = int32(i)
	}
	slices.SortStableFunc(ord, func(a, b int32) int { return lexCmp(u, n, a, b) })

	type group struct {
		first int32
		count *big.Int
	}
	var du []int64
	var gs []group
	for j := 0; j < len(ord); {
		i0 := ord[j]
		c := new(big.Int)
		for ; j < len(ord) && lexCmp(u, n, i0, ord[j]) == 0; j++ {
			if pc := pts[ord[j]].Count; pc != nil {
				c.Add(c, pc)
			} else {
				c.Add(c, big.NewInt(1))
			}
		}
		du = append(du, u[int(i0)*n:int(i0)*n+n]...)
		gs = append(gs, group{first: i0, count: c})
	}
	keep := nondominated(du, n, len(gs))
	out := make([]parley.FrontierPoint, len(keep))
	for j, i := range keep {
		p := &pts[gs[i].first]
		out[j] = parley.FrontierPoint{
			U:     slices.Clone(du[int(i)*n : int(i)*n+n]),
			Count: gs[i].count,
		}
		if p.Outcome != nil {
			out[j].Outcome = slices.Clone(p.Outcome)
		}
	}
	return out
}

// nondominated returns the indices (ascending) of the rows of u (stride n,
// size rows) that no other row dominates. The rows must be distinct and
// sorted lexicographically descending, so that a row can only be dominated
// by an earlier one, and an earlier row q dominates p exactly when
// q[d] >= p[d] for d = 1..n-1: a sweep with a domIndex over those
// coordinates decides each row.
func nondominated(u []int64, n, size int) []int32 {
	if size == 0 {
		return nil
	}
	if n <= 1 {
		return []int32{0}
	}
	x := newDomIndex(n - 1)
	var keep []int32
	for i := 0; i < size; i++ {
		q := u[i*n+1 : i*n+n]
		if x.cover(q, nil) {
			continue
		}
		keep = append(keep, int32(i))
		x.add(q)
	}
	return keep
}

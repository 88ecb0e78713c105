package search

import (
	"math/big"
	"slices"

	"github.com/parleyhq/parley"
)

// forEach calls f on every outcome of m in lexicographic order (the last
// issue varies fastest). The outcome passed is reused between calls.
func forEach(m *parley.Model, f func(o parley.Outcome)) {
	for o := range m.Outcomes() {
		f(o)
	}
}

// NaiveFrontier is the brute-force reference for Frontier: it enumerates
// every outcome (only in the zone of agreement when zoneOnly). Points carry
// the lexicographically smallest outcome attaining their vector and the
// number of outcomes attaining it, sorted like Frontier's. Only for small
// models.
func NaiveFrontier(m *parley.Model, zoneOnly bool) []parley.FrontierPoint {
	type acc struct {
		u   []int64
		out parley.Outcome
		n   int64
	}
	seen := map[string]*acc{}
	var all []*acc
	forEach(m, func(o parley.Outcome) {
		if zoneOnly && !m.InZone(o) {
			return
		}
		u := m.Eval(o)
		k := key(u)
		if a, ok := seen[k]; ok {
			a.n++
			return
		}
		a := &acc{u: u, out: slices.Clone(o), n: 1}
		seen[k] = a
		all = append(all, a)
	})
	var pts []parley.FrontierPoint
	for _, a := range all {
		dom := false
		for _, b := range all {
			if parley.Dominates(b.u, a.u) {
				dom = true
				break
			}
		}
		if !dom {
			pts = append(pts, parley.FrontierPoint{U: a.u, Outcome: a.out, Count: big.NewInt(a.n)})
		}
	}
	sortPoints(pts)
	return pts
}

func key(u []int64) string {
	b := make([]byte, 0, 8*len(u))
	for _, x := range u {
		for s := 0; s < 64; s += 8 {
			b = append(b, byte(x>>s))
		}
	}
	return string(b)
}

// NaiveZone is the brute-force reference for Zone: the number of outcomes
// in the zone of agreement and the lexicographically smallest of them (nil
// when the zone is empty). Only for small models.
func NaiveZone(m *parley.Model) (*big.Int, parley.Outcome) {
	var n int64
	var w parley.Outcome
	forEach(m, func(o parley.Outcome) {
		if m.InZone(o) {
			n++
			if w == nil {
				w = slices.Clone(o)
			}
		}
	})
	return big.NewInt(n), w
}

// NaiveMaximize is the brute-force reference for Maximize: the maximum of u
// over the zone of agreement (or all outcomes), the lexicographically
// smallest outcome attaining it, and whether the set is non-empty. Only for
// small models.
func NaiveMaximize(m *parley.Model, u *parley.UtilityFn, zoneOnly bool) (int64, parley.Outcome, bool) {
	var best int64
	var arg parley.Outcome
	forEach(m, func(o parley.Outcome) {
		if zoneOnly && !m.InZone(o) {
			return
		}
		v := u.Eval(o)
		if arg == nil || v > best {
			best, arg = v, slices.Clone(o)
		}
	})
	return best, arg, arg != nil
}

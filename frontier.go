package parley

import "math/big"

// A FrontierPoint is one point of a Pareto frontier: a distinct utility
// vector (fixed point, in the order of the model's parties), one outcome
// that attains it, and how many outcomes attain exactly it.
type FrontierPoint struct {
	U       []int64
	Outcome Outcome
	Count   *big.Int
}

// Dominates reports whether a Pareto-dominates b: a is at least as good for
// every party and better for one.
func Dominates(a, b []int64) bool {
	better := false
	for i := range a {
		if a[i] < b[i] {
			return false
		}
		if a[i] > b[i] {
			better = true
		}
	}
	return better
}

// Package pareto computes exact Pareto frontiers of additive models issue by
// issue, without enumerating the outcome space.
//
// For an additive model every party's utility is a sum of per-issue
// contributions, so the set of utility vectors of all outcomes is the
// Minkowski sum of the issues' option vectors, and
//
//	Pareto(A ⊕ B) ⊆ Pareto(A) ⊕ Pareto(B).
//
// Frontier starts from the zero vector and adds one issue at a time: it
// shifts the current frontier by every distinct non-dominated option vector
// of the issue, merges the shifted copies, sums the counts of equal vectors
// and drops dominated ones. A vector dominated at an intermediate step can
// never become part of the final frontier (if a is dominated by b, a+x is
// dominated by b+x), so the result is exact, and so are the counts: every
// outcome that attains a final frontier vector passes through non-dominated
// intermediate vectors only.
//
// The order of the issues changes the intermediate frontiers, not the
// result. Two parties merge them as a contiguous range, from the issue with
// the most option vectors outwards; three and more in an order planned from
// the frontiers of each pair of issues alone (issues whose vectors nearly
// line up add few points when merged together), which on ANAC 2015's
// KillerRobot examines 19,051 candidates instead of 46,593.
//
// Memory grows with the intermediate frontiers (one back-pointer per point
// and issue), not with the outcome space, so models with 10^60 outcomes are
// fine as long as their frontiers are moderate. Two parties use a linear
// merge of sorted staircases; three parties a sweep with a staircase
// index; four and more a sweep whose index answers "is any kept point at
// least as good for everyone?" with bitsets over quantile levels of each
// utility (fronts up to 2^18 points) or a k-d tree (beyond). With
// Options.Parallel a large step is swept in two halves at once.
//
// Utilities are parley's fixed-point integers, so results are exact and ties
// are well defined (exact ties of the scenario's numbers when every
// UtilityFn is Exact). Dominance compares each party's utilities with its
// own only, so each party may have its own fixed-point scale. Naive is the
// brute-force reference for tests.
package pareto

// Package search is parley's exact branch-and-bound engine over the outcome
// space. It computes what issue-wise merging cannot: Pareto frontiers, the
// zone of agreement and maxima under nonlinear utilities (hyper-rectangle
// bonuses, as in the ANAC 2014 Genius domains), red lines, and delegations
// whose factions ratify under a monotone rule.
//
// # Algorithm
//
// Issues are assigned one at a time in a fixed order, most influential first
// (value spread and rect weight per issue, red lines weighing most). The
// options of an issue are grouped into classes that behave identically for
// every tracked utility and region (equal values, same membership in every
// rect and red line: elementary intervals for numeric issues); the search
// branches on classes and multiplies counts by class sizes.
//
// At a node (a prefix of issues fixed to classes) every tracked utility gets
// bounds lo <= u(o) <= hi over the subtree: the fixed values, plus for each
// remaining issue the best (worst) value, plus the rects. A rect whose
// conditions are all met adds its utility to both bounds; a violated one is
// dropped; an undecided one is charged to its next unassigned issue, and the
// bound takes, per remaining issue, the best (worst) of value plus the
// charged rects that option class meets, so rects excluding each other on an
// issue are not all counted. Red lines are surely hit, surely missed or
// undecided in the same way.
//
// A principal surely accepts a subtree when lo > reservation and every red
// line is surely missed, surely rejects when hi <= reservation or a red line
// is surely hit. A party's ratification rule is monotone, so it is evaluated
// in three-valued logic: sure yes if it holds counting only the surely
// accepting principals, sure no if it fails even counting the undecided ones
// as accepting.
//
//   - Zone prunes sure-no subtrees and counts sure-yes subtrees wholesale
//     (the product of the remaining sizes).
//   - Frontier keeps an archive of non-dominated vectors, seeded by a few
//     greedy dives. It prunes a subtree whose optimistic vector (every
//     party's hi) is strictly dominated by an archived vector (equal is not
//     enough: ties are counted), and records a subtree whose utilities are
//     all constant (lo == hi, and in the zone for zoneOnly) as one vector
//     with the subtree's size as count.
//   - Maximize prunes subtrees whose hi does not beat the incumbent.
//
// When only the last issue is free and every rect and red line is decided,
// Zone decides the children in a tight loop (one node).
//
// Children are evaluated before they are visited and explored best first
// (for the frontier, the best for a party that rotates with the depth).
//
// # Exactness
//
// Utilities are parley's fixed-point integers, so sums are exact and ties
// are well defined. The bounds are sound, so when a search finishes within
// its budget (Options.MaxNodes counts bound evaluations; there is no wall
// clock, no goroutine) its result is exact: the frontier's vectors, the
// lexicographically smallest outcome attaining each and their counts, the
// zone's size, the maximum. These equal the brute-force references
// NaiveFrontier, NaiveZone and NaiveMaximize, which the tests check on
// random models.
//
// When the budget runs out the result says so (Exact false, and a Note).
// Frontier over all outcomes for two parties hands over to the corner
// method (corner.go) after an eighth of the budget: dual (MPLP) bounds on
// weighted sums, Pareto and iterated local search and large neighbourhood
// search find points in every part of the frontier, and the result
// carries Gap and Gaps, bounds on how far the true frontier can lie beyond
// the points (the points are an additive Gap-approximation). Otherwise
// Frontier returns the non-dominated archive found so far (bounded mode:
// the exact search gets nine tenths of the budget, and if it runs out the
// last tenth goes to weighted-sum hill climbing from the archive, which
// only adds real outcomes' vectors); Zone returns a lower bound on the
// size and a sampled Estimate, and decides emptiness only when it has a
// witness — if it has none it returns an error with code parley.ELIMIT
// rather than guess; Maximize returns the best outcome found. Counts are
// math/big integers; fixed-point sums stay within int64 because Compile
// bounds every utility function's reachable values by parley.MaxFixed
// (2^61). Each party's utilities are compared only with its own
// (reservation, bounds, dominance), so the per-party fixed-point scales
// need no conversion here; the corner method's gaps are converted to
// utilities through each party's scale.
package search

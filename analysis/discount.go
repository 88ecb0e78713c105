package analysis

import (
	"math"

	"github.com/parleyhq/parley"
)

// Discount says how discounting shrinks the zone of agreement as time
// passes; the report has it when some party discounts. With Genius' time
// semantics an agreement of utility u reached at relative time t is worth
// u·d^t to a party with discount factor d, while leaving at the start gets
// it its reservation value r. So an agreement at t still beats, for every
// party, what it could have had by not negotiating at all only while
// u_i·d_i^t > r_i for every i: outcome o is in the zone at t until
//
//	t(o) = min over parties of ln(u_i(o)/r_i) / ln(1/d_i)
//
// (no limit for a party that does not discount or whose reservation value
// is not positive).
type Discount struct {
	// Factors are the parties' discount factors (1: none; a delegation's
	// is its factions' weighted mean).
	Factors []float64 `json:"factors"`
	// ClosesAt is the time after which no outcome of the zone, agreed
	// then, is worth more to every party than its reservation value:
	// max over the zone of t(o), reached on the zone's Pareto frontier
	// (a point that dominates o has t at least t(o)). It may exceed 1:
	// the zone then outlasts the negotiation. Null when it never closes
	// (no party that discounts has a positive reservation value), 0 when
	// the zone is empty.
	ClosesAt *float64 `json:"closes_at"`
	// Shrink counts, at t = 0, 0.25, 0.5, 0.75 and 1, the points of the
	// zone's Pareto frontier still worth more than every reservation
	// value then.
	Shrink []ZoneAt `json:"shrink"`
	// Exact is false when the zone's frontier is bounded, or when a
	// delegation's factions are judged by the delegation's utility and
	// factor (their coalitions are not discounted one by one).
	Exact bool `json:"exact"`
}

// ZoneAt is the zone's size at one time.
type ZoneAt struct {
	T              float64 `json:"t"`
	FrontierPoints int     `json:"frontier_points"`
}

// shrinkTimes are the times Shrink reports.
var shrinkTimes = []float64{0, 0.25, 0.5, 0.75, 1}

// discount computes how the zone of frontier zf (exact when zexact)
// shrinks with time; nil when no party discounts.
func discount(m *parley.Model, zf []parley.FrontierPoint, zexact bool) *Discount {
	if !m.Discounted() {
		return nil
	}
	d := &Discount{Exact: zexact && simple(m), Shrink: []ZoneAt{}}
	for i := range m.Parties {
		d.Factors = append(d.Factors, m.Parties[i].DiscountFactor())
	}
	closes := make([]float64, len(zf))
	best := 0.0
	for k, p := range zf {
		closes[k] = math.Inf(1)
		for i := range m.Parties {
			closes[k] = min(closes[k], lasts(m.Parties[i].Utility.F(p.U[i]), m.Parties[i].Utility.F(m.Parties[i].Reservation), d.Factors[i]))
		}
		best = max(best, closes[k])
	}
	if !math.IsInf(best, 1) {
		d.ClosesAt = &best
	}
	for _, t := range shrinkTimes {
		n := 0
		for _, c := range closes {
			if c > t {
				n++
			}
		}
		d.Shrink = append(d.Shrink, ZoneAt{T: t, FrontierPoints: n})
	}
	return d
}

// lasts returns until when an agreement worth u stays worth more than the
// reservation value r to a party discounting by f: ln(u/r)/ln(1/f), +Inf
// when it always does (no discounting, or r ≤ 0 < u: u·f^t stays above
// r), 0 when it never does.
func lasts(u, r, f float64) float64 {
	switch {
	case u <= r:
		return 0
	case f >= 1 || r <= 0:
		return math.Inf(1)
	}
	return math.Log(u/r) / math.Log(1/f)
}

package parley

import (
	"fmt"
	"math/big"
	"strconv"
)

// An Outcome assigns one option index to every issue, in the order of
// Scenario.Issues.
type Outcome []int

// A Model is a Scenario compiled for evaluation: every utility is a table of
// fixed-point numbers per issue and option plus a list of hyper-rectangles
// (each utility function with its own scale, see UtilityFn), every red line
// a region. Analysis packages work on Models only.
type Model struct {
	Scenario *Scenario
	Sizes    []int // number of options of each issue
	Parties  []PartyModel
	// Infeasible lists regions no agreement can take: outcomes that need
	// the signature of a third party (a guarantor) that does not consent.
	Infeasible []Region
	// InfeasibleWhy names the role behind each Infeasible region.
	InfeasibleWhy []string
}

// PartyModel is a compiled party.
type PartyModel struct {
	Name string
	// Utility is the party's utility: its principal's, or for a delegation
	// the weighted mean of its factions' utilities.
	Utility UtilityFn
	// Reservation is the party's utility of no agreement: its principal's,
	// or the weighted mean of its factions' reservation values.
	Reservation int64
	// Principals holds one principal for a single actor, the factions for a
	// delegation.
	Principals []Principal
	Delegation bool
	Rule       Ratification
	Weights    []float64 // principals' normalised weights (sum 1)
	Names      []string  // principals' names
	// quota is a weighted-quota rule in integers (set by Compile): the
	// factions' exact weights and the quota over a common denominator.
	quota *quotaQ
}

// Principal is a compiled principal (a faction or a single actor).
type Principal struct {
	Name        string
	Utility     UtilityFn
	Reservation int64
	RedLines    []Region
	RedLineName []string
	Discount    float64
}

// UtilityFn is a compiled utility function, in fixed point:
//
//	u(o) = (Σ_i Values[i][o[i]] + Σ_{r ∈ Rects, o ∈ r} r.Utility) / Scale
//
// The reservation value that goes with it (PartyModel.Reservation,
// Principal.Reservation, Session.Reservation) is on the same scale.
// Different functions may have different scales: compare or add the
// utilities of two parties only through their scales (see package bargain).
type UtilityFn struct {
	Values [][]int64
	Rects  []RectQ
	// Scale is the fixed-point denominator: the integer q stands for the
	// utility q/Scale. 0 means Quantum (2^40), for functions built by hand.
	Scale int64
	// Exact says that every value and the reservation are the scenario's
	// numbers exactly (read as decimals), not rounded to the scale's grid.
	Exact bool
}

// RectQ is a compiled hyper-rectangle constraint.
type RectQ struct {
	Utility int64
	Region  Region
}

// A Region is a conjunction of per-issue option sets: an outcome is in it
// when, for every IssueSet, its option on that issue is In the set.
type Region []IssueSet

// IssueSet is the set of allowed options of one issue.
type IssueSet struct {
	Issue int
	In    []bool // indexed by option
}

// Contains reports whether o lies in the region.
func (r Region) Contains(o Outcome) bool {
	for _, s := range r {
		if !s.In[o[s.Issue]] {
			return false
		}
	}
	return true
}

// Additive reports whether the function has no hyper-rectangles.
func (u *UtilityFn) Additive() bool { return len(u.Rects) == 0 }

// Eval returns u(o) in fixed point.
func (u *UtilityFn) Eval(o Outcome) int64 {
	var s int64
	for i, v := range u.Values {
		s += v[o[i]]
	}
	for _, r := range u.Rects {
		if r.Region.Contains(o) {
			s += r.Utility
		}
	}
	return s
}

// Eval returns the utilities of all parties for o, in fixed point.
func (m *Model) Eval(o Outcome) []int64 {
	us := make([]int64, len(m.Parties))
	for i := range m.Parties {
		us[i] = m.Parties[i].Utility.Eval(o)
	}
	return us
}

// Additive reports whether every party's and principal's utility is additive.
func (m *Model) Additive() bool {
	for i := range m.Parties {
		if !m.Parties[i].Utility.Additive() {
			return false
		}
		for j := range m.Parties[i].Principals {
			if !m.Parties[i].Principals[j].Utility.Additive() {
				return false
			}
		}
	}
	return true
}

// Size returns the number of outcomes.
func (m *Model) Size() *big.Int {
	n := big.NewInt(1)
	for _, k := range m.Sizes {
		n.Mul(n, big.NewInt(int64(k)))
	}
	return n
}

// PrincipalAccepts reports whether principal p prefers o to no agreement
// (utility strictly above its reservation value) and o breaks none of its
// red lines.
func (p *Principal) Accepts(o Outcome) bool {
	if p.Utility.Eval(o) <= p.Reservation {
		return false
	}
	for _, r := range p.RedLines {
		if r.Contains(o) {
			return false
		}
	}
	return true
}

// Accepts reports whether the party accepts o: a single actor when its
// principal accepts, a delegation when its ratification rule holds for the
// set of accepting factions.
func (pm *PartyModel) Accepts(o Outcome) bool {
	acc := make([]bool, len(pm.Principals))
	for i := range pm.Principals {
		acc[i] = pm.Principals[i].Accepts(o)
	}
	return pm.Ratifies(acc)
}

// Ratifies applies the party's rule to its principals' answers. A weighted
// quota compiled by Compile is decided exactly (the weights and the quota as
// the decimals they were written as), not in floats.
func (pm *PartyModel) Ratifies(accepts []bool) bool {
	if !pm.Delegation {
		return accepts[0]
	}
	if q := pm.quota; q != nil && pm.Rule.Kind == WeightedQuota && len(q.w) == len(accepts) {
		var got int64
		for i, a := range accepts {
			if a {
				got += q.w[i]
			}
		}
		return got >= q.need
	}
	return pm.Rule.Ratifies(accepts, pm.Weights, pm.Names)
}

// quotaQ is a weighted quota in integers: faction i weighs w[i], and the
// accepting factions ratify when their weights reach need.
type quotaQ struct {
	w    []int64
	need int64
}

// exactQuota returns the integer form of a weighted quota q over the
// normalised weights ws (summing to 1), or nil when their common
// denominator is too large (the float rule then decides).
func exactQuota(ws []*big.Rat, q *big.Rat) *quotaQ {
	if q == nil {
		return nil
	}
	l := new(big.Int).Set(q.Denom())
	g := new(big.Int)
	for _, w := range ws {
		g.GCD(nil, nil, l, w.Denom())
		l.Mul(l, new(big.Int).Quo(w.Denom(), g))
		if l.BitLen() > 62 {
			return nil
		}
	}
	out := &quotaQ{}
	for _, w := range ws {
		x := new(big.Int).Mul(w.Num(), new(big.Int).Quo(l, w.Denom()))
		out.w = append(out.w, x.Int64())
	}
	out.need = new(big.Int).Mul(q.Num(), new(big.Int).Quo(l, q.Denom())).Int64()
	return out
}

// InZone reports whether o is feasible and every party accepts it: o is in
// the zone of agreement.
func (m *Model) InZone(o Outcome) bool {
	if !m.Feasible(o) {
		return false
	}
	for i := range m.Parties {
		if !m.Parties[i].Accepts(o) {
			return false
		}
	}
	return true
}

// Feasible reports whether o needs no third party that withholds consent.
func (m *Model) Feasible(o Outcome) bool {
	for _, r := range m.Infeasible {
		if r.Contains(o) {
			return false
		}
	}
	return true
}

// Reservations returns every party's reservation value in fixed point.
func (m *Model) Reservations() []int64 {
	rs := make([]int64, len(m.Parties))
	for i := range m.Parties {
		rs[i] = m.Parties[i].Reservation
	}
	return rs
}

// Scales returns every party's fixed-point scale (UtilityFn.Unit): party i's
// utility q stands for q/Scales()[i].
func (m *Model) Scales() []int64 {
	sc := make([]int64, len(m.Parties))
	for i := range m.Parties {
		sc[i] = m.Parties[i].Utility.Unit()
	}
	return sc
}

// Labels returns o as issue name → option label.
func (m *Model) Labels(o Outcome) map[string]string {
	out := make(map[string]string, len(o))
	for i, k := range o {
		is := &m.Scenario.Issues[i]
		out[is.Name] = is.Options[k].Label
	}
	return out
}

// FieldError is a validation error at a field path of a Scenario, written
// with the JSON field names ("parties[1].delegation.factions[0].weight").
// Loaders map the path back to a position in their file.
type FieldError struct {
	Path string
	Msg  string
}

// Error implements error.
func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// ValidationError lists every problem Compile found.
type ValidationError struct {
	Fields []*FieldError
}

// Error implements error; it lists up to ten problems.
func (e *ValidationError) Error() string {
	s := "parley: invalid scenario:"
	for i, f := range e.Fields {
		if i == 10 {
			s += fmt.Sprintf("\n  ... and %d more", len(e.Fields)-10)
			break
		}
		s += "\n  " + f.Error()
	}
	return s
}

// formatNumber writes v in its shortest form after rounding away the
// noise of repeated float steps (0.1+0.2 is labelled "0.3").
func formatNumber(v float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		r = v
	}
	return strconv.FormatFloat(r, 'g', -1, 64)
}

package tournament

import (
	"math/big"

	"github.com/parleyhq/parley"
)

// The results' sums and differences of utilities — welfare, a seat's
// advantage over its reservation value, its partners' welfare — are
// computed from the fixed-point utilities, exactly, not by adding floats
// (0.1 + 0.2 is written 0.3, not 0.30000000000000004), and written as the
// utilities themselves are (parley.UtilityFn.F).

// payoff is what one party got, as the tables take it: a fixed-point value
// on its utility function's scale when the party does not discount (then
// q is exactly what it got), else the discounted float.
type payoff struct {
	u     *parley.UtilityFn
	q     int64
	f     float64 // the value as written (u.F(q) when fixed)
	fixed bool
}

// payoffs returns each party's payoff of the negotiation's end: its
// utility of the agreement, else its reservation value; discounted ones
// are the floats the session computed.
func payoffs(m *parley.Model, agreement parley.Outcome, utilities []float64) []payoff {
	ps := make([]payoff, len(m.Parties))
	for i := range m.Parties {
		pm := &m.Parties[i]
		p := payoff{u: &pm.Utility, f: utilities[i]}
		if !pm.Discounted() {
			p.q = pm.Reservation
			if agreement != nil {
				p.q = pm.Utility.Eval(agreement)
			}
			p.fixed, p.f = true, pm.Utility.F(p.q)
		}
		ps[i] = p
	}
	return ps
}

// sum returns Σ sign·p over the payoffs (sign +1 or −1), exactly, written
// as a utility: on a common fixed-point scale it is that scale's value
// (u.F of the integer sum); otherwise the float nearest to the exact
// rational sum, where an exact fixed-point value counts as q/Scale and any
// other (a rounded grid, a discounted float) as the decimal it is written
// as.
func sum(ps []payoff, signs []int) float64 {
	if f, ok := sameScaleSum(ps, signs); ok {
		return f
	}
	var total, x big.Rat
	for i, p := range ps {
		if signs[i] == 0 {
			continue
		}
		p.rat(&x)
		if signs[i] < 0 {
			x.Neg(&x)
		}
		total.Add(&total, &x)
	}
	f, _ := total.Float64()
	return f
}

// sameScaleSum sums the integers when every term is exact fixed point on
// one scale and the sum stays within parley.MaxFixed. (Rounded values
// are summed as the decimals they are written as: their integers carry
// rounding that a sum would gather.)
func sameScaleSum(ps []payoff, signs []int) (float64, bool) {
	var first *parley.UtilityFn
	var acc int64
	for i, p := range ps {
		if signs[i] == 0 {
			continue
		}
		if !p.fixed || !p.u.Exact || first != nil && p.u.Unit() != first.Unit() {
			return 0, false
		}
		if first == nil {
			first = p.u
		}
		acc += int64(signs[i]) * p.q // |p.q| ≤ MaxFixed = 2^61: no overflow below
		if acc > parley.MaxFixed || acc < -parley.MaxFixed {
			return 0, false
		}
	}
	if first == nil {
		return 0, true
	}
	u := parley.UtilityFn{Scale: first.Unit(), Exact: true}
	return u.F(acc), true
}

// rat sets z to the payoff's exact value: q/Scale for an exact function,
// else the decimal it is written as.
func (p payoff) rat(z *big.Rat) *big.Rat {
	if p.fixed && p.u.Exact {
		return z.SetFrac64(p.q, p.u.Unit())
	}
	if d := parley.Decimal(p.f); d != nil {
		return z.Set(d)
	}
	return z.SetFloat64(p.f)
}

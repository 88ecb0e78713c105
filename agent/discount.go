package agent

import "math"

// Discount is what an agent plans with when its party discounts (Genius'
// time semantics: an agreement of utility u reached at relative time t is
// worth u·d^t, and so is the reservation value). The zero value discounts
// nothing.
//
// parley's agents plan with it the same way: what they ask above their
// floor — the surplus over what they would settle for at the deadline —
// is discounted like the pie it is cut from, surplus·d^t, so with d < 1
// they concede earlier, the more the smaller d is, and with d = 1 they are
// the undiscounted agents exactly. And an offer worth v now is weighed
// against their own next offer worth w, which could be agreed a turn
// later at the earliest, as v ≥ w·d^Δ (Δ: the time a turn takes).
type Discount struct {
	d, lnd float64
}

// NewDiscount returns the discount of factor d (1, 0 or outside (0, 1):
// none).
func NewDiscount(d float64) Discount {
	if !(d > 0 && d < 1) {
		return Discount{}
	}
	return Discount{d: d, lnd: math.Log(d)}
}

// Factor returns d^t (1 without discounting).
func (x Discount) Factor(t float64) float64 {
	if x.lnd == 0 {
		return 1
	}
	return math.Exp(min(max(t, 0), 1) * x.lnd)
}

// On reports whether it discounts at all.
func (x Discount) On() bool { return x.lnd != 0 }

// Surplus returns the part s of a target above the floor as the agent
// asks for it at time t: s·d^t, in fixed point.
func (x Discount) Surplus(s int64, t float64) int64 {
	if x.lnd == 0 {
		return s
	}
	return int64(math.Round(float64(s) * x.Factor(t)))
}

// Later returns what utility w agreed dt later is worth now: w·d^dt.
func (x Discount) Later(w int64, dt float64) int64 {
	if x.lnd == 0 || dt <= 0 {
		return w
	}
	return int64(math.Round(float64(w) * math.Exp(min(dt, 1)*x.lnd)))
}

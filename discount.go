package parley

import "math"

// This file holds Genius' time semantics: discounting. With normalised
// time t in [0,1] (rounds used over the round limit, or seconds used over
// the time limit, whichever is nearer), an agreement of utility u reached
// at t is worth u·d^t to a party with discount factor d, and ending without
// agreement at t is worth its reservation value r·d^t (Genius'
// getUtilityWithDiscount and getReservationValueWithDiscount; ANAC 2011–2014
// profiles carry d < 1).

// DiscountFactor returns the principal's discount factor d ∈ (0, 1]: 1
// when it has none (Discount 0 or outside (0, 1)).
func (p *Principal) DiscountFactor() float64 {
	if p.Discount > 0 && p.Discount < 1 {
		return p.Discount
	}
	return 1
}

// Discounted reports whether any of the party's principals discounts.
func (pm *PartyModel) Discounted() bool {
	for j := range pm.Principals {
		if pm.Principals[j].DiscountFactor() < 1 {
			return true
		}
	}
	return false
}

// DiscountFactor returns the factor the party plans with: its principal's,
// or for a delegation the weighted mean of its factions' (exact when they
// share one factor, which is what a delegation's agents can act on; Payoff
// discounts each faction with its own).
func (pm *PartyModel) DiscountFactor() float64 {
	if len(pm.Principals) == 1 || !pm.Delegation {
		if len(pm.Principals) == 0 {
			return 1
		}
		return pm.Principals[0].DiscountFactor()
	}
	if d, same := pm.sharedFactor(); same {
		return d
	}
	var d float64
	for j := range pm.Principals {
		d += pm.Weights[j] * pm.Principals[j].DiscountFactor()
	}
	return d
}

// sharedFactor returns the factor every principal has, if they share one.
func (pm *PartyModel) sharedFactor() (float64, bool) {
	if len(pm.Principals) == 0 {
		return 1, true
	}
	d := pm.Principals[0].DiscountFactor()
	for j := range pm.Principals[1:] {
		if pm.Principals[j+1].DiscountFactor() != d {
			return 0, false
		}
	}
	return d, true
}

// Discount returns u·d^t, Genius' discounted value of u at normalised time
// t (t is clamped to [0, 1]; d outside (0, 1) means no discounting).
func Discount(u, d, t float64) float64 {
	if !(d > 0 && d < 1) {
		return u
	}
	return u * math.Pow(d, min(max(t, 0), 1))
}

// Payoff returns what the party gets when the negotiation ends at
// normalised time t: with agreement o (nil: none) its utility of o, else
// its reservation value — discounted as Genius does (value·d^t) and
// undiscounted. When every principal shares one factor d (always, for a
// single actor) discounted is undiscounted·d^t exactly; a delegation whose
// factions discount differently gets the weighted sum of their discounted
// values.
func (pm *PartyModel) Payoff(o Outcome, t float64) (discounted, undiscounted float64) {
	if o != nil {
		undiscounted = pm.Utility.F(pm.Utility.Eval(o))
	} else {
		undiscounted = pm.Utility.F(pm.Reservation)
	}
	if d, same := pm.sharedFactor(); same {
		return Discount(undiscounted, d, t), undiscounted
	}
	for j := range pm.Principals {
		p := &pm.Principals[j]
		v := p.Utility.F(p.Reservation)
		if o != nil {
			v = p.Utility.F(p.Utility.Eval(o))
		}
		discounted += pm.Weights[j] * Discount(v, p.DiscountFactor(), t)
	}
	return discounted, undiscounted
}

// Discounted reports whether any party discounts.
func (m *Model) Discounted() bool {
	for i := range m.Parties {
		if m.Parties[i].Discounted() {
			return true
		}
	}
	return false
}

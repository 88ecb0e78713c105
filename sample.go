package parley

import "math/rand/v2"

// Sample returns a copy of the scenario in which every ranged estimate
// (weights, option values, constraint utilities, reservation values,
// discounts, faction weights) is drawn uniformly from its range with r: from
// a million equally spaced decimals of the range (see drawDecimal).
// Point estimates are kept. A role whose consent is uncertain
// (Role.ConsentProbability) signs in the copy with that probability (itself
// drawn from its range first), so the copy's consents are all known. The
// copy shares issues and sources with s; its parties and roles are its own.
// Monte Carlo simulation calls it once per run.
func (s *Scenario) Sample(r *rand.Rand) *Scenario {
	c := *s
	c.Parties = make([]Party, len(s.Parties))
	for i, p := range s.Parties {
		cp := p
		if p.Preferences != nil {
			pr := samplePrefs(*p.Preferences, r)
			cp.Preferences = &pr
		}
		if p.Delegation != nil {
			d := *p.Delegation
			d.Factions = make([]Faction, len(p.Delegation.Factions))
			for j, f := range p.Delegation.Factions {
				f.Weight = sampleEstimate(f.Weight, r)
				f.Preferences = samplePrefs(f.Preferences, r)
				d.Factions[j] = f
			}
			cp.Delegation = &d
		}
		c.Parties[i] = cp
	}
	c.Roles = append([]Role(nil), s.Roles...)
	for i := range c.Roles {
		ro := &c.Roles[i]
		if ro.ConsentProbability == nil {
			continue
		}
		p := sampleEstimate(*ro.ConsentProbability, r).Value
		yes := r.Float64() < p
		ro.Consents, ro.ConsentProbability = &yes, nil
	}
	return &c
}

// sampleSteps is the number of equal steps a range is cut into for
// drawing.
const sampleSteps = 1_000_000

func sampleEstimate(e Estimate, r *rand.Rand) Estimate {
	if e.Ranged && e.High > e.Low {
		e.Value = drawDecimal(e.Low, e.High, r)
	}
	return e
}

// drawDecimal draws uniformly from low, low + d, ..., high with d =
// (high−low)/sampleSteps, computed exactly on the decimals low and high:
// the draw is a short decimal (0.5 + 123457·0.2/10^6 is 0.5246914), so a
// sampled scenario compiles to exact utilities like the scenario itself.
// When low and high are not short decimals, the draw is low +
// (high−low)·u for a uniform float u.
func drawDecimal(low, high float64, r *rand.Rand) float64 {
	k := r.Int64N(sampleSteps + 1)
	ints, e, ok := scaledInts([]float64{low, high})
	if ok && e-6 >= -22 && e-6 <= 22 {
		t, ok1 := mul64(ints[1]-ints[0], k)
		b, ok2 := mul64(ints[0], sampleSteps)
		m, ok3 := add64(b, t)
		if ok1 && ok2 && ok3 && m > -1<<53 && m < 1<<53 {
			return scaleDecimal(float64(m), e-6)
		}
	}
	return low + (high-low)*r.Float64()
}

func samplePrefs(p Preferences, r *rand.Rand) Preferences {
	p.Reservation = sampleEstimate(p.Reservation, r)
	p.Discount = sampleEstimate(p.Discount, r)
	issues := make([]IssuePref, len(p.Issues))
	for i, ip := range p.Issues {
		ip.Weight = sampleEstimate(ip.Weight, r)
		vals := make([]OptionValue, len(ip.Values))
		for k, v := range ip.Values {
			v.Value = sampleEstimate(v.Value, r)
			vals[k] = v
		}
		ip.Values = vals
		issues[i] = ip
	}
	p.Issues = issues
	rects := make([]Rect, len(p.Constraints))
	for i, c := range p.Constraints {
		c.Utility = sampleEstimate(c.Utility, r)
		rects[i] = c
	}
	p.Constraints = rects
	return p
}

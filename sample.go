package parley

import "math/rand/v2"

// Sample returns a copy of the scenario in which every ranged estimate
// (weights, option values, constraint utilities, reservation values,
// discounts, faction weights) is drawn uniformly from its range with r.
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

func sampleEstimate(e Estimate, r *rand.Rand) Estimate {
	if e.Ranged && e.High > e.Low {
		e.Value = e.Low + (e.High-e.Low)*r.Float64()
	}
	return e
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

package search

import "github.com/parleyhq/parley"

// fold returns m with its infeasible regions (outcomes that need a third
// party who withholds consent) added as red lines of every principal. Every
// ratification rule is monotone and needs at least one accepting principal,
// so an outcome every principal rejects is rejected by every party: the
// zone of the folded model is the zone of m. Utility tables are shared.
func fold(m *parley.Model) (*parley.Model, error) {
	if len(m.Infeasible) == 0 {
		return m, nil
	}
	for k, r := range m.Infeasible {
		if err := checkRegion(m, r); err != nil {
			return nil, parley.Errorf(parley.EINVALID, "search: infeasible region %d: %v", k, err)
		}
	}
	c := *m
	c.Infeasible, c.InfeasibleWhy = nil, nil
	c.Parties = append([]parley.PartyModel(nil), m.Parties...)
	for p := range c.Parties {
		ps := append([]parley.Principal(nil), m.Parties[p].Principals...)
		for j := range ps {
			ps[j].RedLines = append(append([]parley.Region(nil), ps[j].RedLines...), m.Infeasible...)
		}
		c.Parties[p].Principals = ps
	}
	return &c, nil
}

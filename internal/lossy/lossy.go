// Package lossy says what a scenario loses when it is exported to a format
// that only knows parties with additive (or hyper-rectangle) profiles.
package lossy

import (
	"fmt"

	"github.com/parleyhq/parley"
)

// Features lists, as warnings, what the profile formats of Genius (XML) and
// GeniusWeb (JSON) cannot express: roles, the simulation set-up, variants,
// sources and cites, delegations, red lines, estimate ranges and "not
// addressed" marks. Each exporter adds its own format-specific losses.
func Features(s *parley.Scenario) []string {
	var ws []string
	if len(s.Roles) > 0 {
		ws = append(ws, fmt.Sprintf("%d roles (mediators, guarantors, observers) are not exported; outcomes they make infeasible become feasible", len(s.Roles)))
	}
	if s.Simulation != nil {
		ws = append(ws, "the simulation set-up (protocol, deadline, agents) is not exported")
	}
	if len(s.Variants) > 0 {
		ws = append(ws, fmt.Sprintf("%d variants are not exported; only the scenario as given (variant %q) is", len(s.Variants), s.Variant))
	}
	cites, ranged := len(s.Sources), 0
	est := func(e parley.Estimate) {
		cites += len(e.Sources)
		if e.Ranged {
			ranged++
		}
	}
	for i := range s.Parties {
		p := &s.Parties[i]
		cites += len(p.Sources)
		if p.Delegation != nil {
			ws = append(ws, fmt.Sprintf("party %q is a delegation of %d factions with rule %s; it is exported as one profile, the factions' weighted-mean utility (factions, weights and ratification are lost)", p.Name, len(p.Delegation.Factions), p.Delegation.Rule.Kind))
		}
		for _, f := range p.Principals() {
			if p.Delegation != nil {
				cites += len(f.Sources)
				est(f.Weight)
			}
			pr := &f.Preferences
			if n := len(pr.RedLines); n > 0 {
				ws = append(ws, fmt.Sprintf("principal %q of party %q: %d red lines are not exported", f.Name, p.Name, n))
			}
			est(pr.Reservation)
			est(pr.Discount)
			for _, ip := range pr.Issues {
				est(ip.Weight)
				cites += len(ip.Sources)
				for _, v := range ip.Values {
					est(v.Value)
				}
			}
			for _, r := range pr.Constraints {
				est(r.Utility)
			}
			for _, rl := range pr.RedLines {
				cites += len(rl.Sources)
			}
		}
	}
	for _, r := range s.Roles {
		cites += len(r.Sources)
	}
	if cites > 0 {
		ws = append(ws, "sources and cites are not exported")
	}
	if ranged > 0 {
		ws = append(ws, fmt.Sprintf("%d estimate ranges are not exported; only point values are", ranged))
	}
	for i := range s.Issues {
		for _, o := range s.Issues[i].Options {
			if o.NotAddressed {
				ws = append(ws, fmt.Sprintf("issue %q: option %q loses its \"not addressed\" mark", s.Issues[i].Name, o.Label))
			}
		}
	}
	return ws
}

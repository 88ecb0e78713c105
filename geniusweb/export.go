package geniusweb

import (
	"fmt"

	"github.com/parleyhq/parley"
)

// partyUtil is a party's utility as the exporter sees it: per-issue natural
// weights (summing to 1 when any issue has weight), per-option weighted
// contributions c[i][k] (u(o) = Σ_i c[i][o_i] plus the rects), and the
// reservation value. A delegation is its factions' weighted mean.
type partyUtil struct {
	name  string
	w     []float64
	c     [][]float64
	rects int // number of hyper-rectangles (not expressible here)
	res   float64
	disc  bool // some principal discounts
}

// principalUtil computes a principal's contributions the way
// parley.Compile does, in float64.
func principalUtil(s *parley.Scenario, pr *parley.Preferences) ([]float64, [][]float64) {
	w := make([]float64, len(s.Issues))
	c := make([][]float64, len(s.Issues))
	for i := range s.Issues {
		c[i] = make([]float64, len(s.Issues[i].Options))
	}
	var wsum float64
	for _, ip := range pr.Issues {
		wsum += ip.Weight.Value
		idx := s.IssueIndex(ip.Issue)
		if idx < 0 {
			continue
		}
		is := &s.Issues[idx]
		w[idx] += ip.Weight.Value
		if len(ip.Function) > 0 {
			for k := range is.Options {
				if !is.Options[k].NotAddressed {
					c[idx][k] = ip.Weight.Value * parley.Eval(ip.Function, is.Options[k].Value)
				}
			}
		}
		for _, ov := range ip.Values {
			if o := is.OptionIndex(ov.Option); o >= 0 {
				c[idx][o] = ip.Weight.Value * ov.Value.Value
			}
		}
	}
	if wsum > 0 {
		for i := range c {
			w[i] /= wsum
			for k := range c[i] {
				c[i][k] /= wsum
			}
		}
	}
	return w, c
}

// partyUtils computes every party's exporter view; s must compile.
func partyUtils(s *parley.Scenario) []partyUtil {
	var out []partyUtil
	for pi := range s.Parties {
		p := &s.Parties[pi]
		pu := partyUtil{name: p.Name}
		fs := p.Principals()
		var total float64
		for _, f := range fs {
			total += f.Weight.Value
		}
		pu.w = make([]float64, len(s.Issues))
		pu.c = make([][]float64, len(s.Issues))
		for i := range s.Issues {
			pu.c[i] = make([]float64, len(s.Issues[i].Options))
		}
		for _, f := range fs {
			fw := f.Weight.Value / total
			w, c := principalUtil(s, &f.Preferences)
			for i := range c {
				pu.w[i] += fw * w[i]
				for k := range c[i] {
					pu.c[i][k] += fw * c[i][k]
				}
			}
			pu.res += fw * f.Preferences.Reservation.Value
			pu.rects += len(f.Preferences.Constraints)
			if f.Preferences.Discount.Value != 0 {
				pu.disc = true
			}
		}
		if len(fs) == 1 {
			pu.res = fs[0].Preferences.Reservation.Value
		}
		out = append(out, pu)
	}
	return out
}

// lostFeatures lists, as warnings, what neither GeniusWeb JSON nor Genius
// XML can express: roles, variants, sources and cites, delegations, red
// lines, estimate ranges and "not addressed" marks.
func lostFeatures(s *parley.Scenario) []string {
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
	cites := len(s.Sources)
	ranged := 0
	est := func(e parley.Estimate) {
		cites += len(e.Sources)
		if e.Ranged {
			ranged++
		}
	}
	prefs := func(pr *parley.Preferences) {
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
	for i := range s.Parties {
		p := &s.Parties[i]
		cites += len(p.Sources)
		if p.Delegation != nil {
			ws = append(ws, fmt.Sprintf("party %q is a delegation of %d factions with rule %s; it is exported as one profile, the factions' weighted-mean utility (factions, weights and ratification are lost)", p.Name, len(p.Delegation.Factions), p.Delegation.Rule.Kind))
			for _, f := range p.Delegation.Factions {
				cites += len(f.Sources)
				est(f.Weight)
			}
		}
		for _, f := range p.Principals() {
			if n := len(f.Preferences.RedLines); n > 0 {
				ws = append(ws, fmt.Sprintf("principal %q of party %q: %d red lines are not exported", f.Name, p.Name, n))
			}
		}
		if p.Preferences != nil {
			prefs(p.Preferences)
		} else if p.Delegation != nil {
			for j := range p.Delegation.Factions {
				prefs(&p.Delegation.Factions[j].Preferences)
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

// Package randscen draws small random scenarios for the property tests
// that compare fast algorithms with naive references (search, analysis).
package randscen

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/parleyhq/parley"
)

// Options select what the random scenarios contain.
type Options struct {
	// Rects adds hyper-rectangle constraints (nonlinear utilities).
	Rects bool
	// Decimals draws weights, values and reservations from short
	// decimals (0.083, 0.17, 0.92, ...) instead of quarters and tenths.
	Decimals bool
}

// decimals are the short decimals Options.Decimals draws from.
var decimals = []float64{0.05, 0.083, 0.1, 0.125, 0.15, 0.16, 0.17, 0.2, 0.25, 0.33, 0.5, 0.75, 0.8, 0.92, 1}

// New builds a small random scenario for property tests against naive
// references: categorical and integer
// issues, single actors and delegations with every rule kind, additive
// values drawn from a coarse grid (to create ties), rects with positive and
// negative utilities (when opt.Rects), red lines, reservations and
// sometimes a guarantor that withholds consent. Outcome spaces stay at most
// a few hundred outcomes, so that brute force is cheap.
func New(r *rand.Rand, opt Options) *parley.Scenario {
	g := &gen{r: r, opt: opt, s: &parley.Scenario{ID: "rand"}}
	g.issues()
	np := 2 + r.IntN(3)
	for p := 0; p < np; p++ {
		pt := parley.Party{Name: "p" + strconv.Itoa(p)}
		if r.IntN(2) == 0 {
			pr := g.prefs()
			pt.Preferences = &pr
		} else {
			pt.Delegation = g.delegation()
		}
		g.s.Parties = append(g.s.Parties, pt)
	}
	// Sometimes a guarantor that withholds consent makes a region infeasible.
	if r.IntN(4) == 0 {
		no := false
		g.s.Roles = append(g.s.Roles, parley.Role{Name: "g", Kind: parley.Guarantor, Needed: []parley.Condition{g.cond()}, Consents: &no})
	}
	return g.s
}

// gen draws the parts of one random scenario s from r. Its methods draw in
// a fixed order, so that a seed always gives the same scenario.
type gen struct {
	r   *rand.Rand
	opt Options
	s   *parley.Scenario
}

// issues draws 2–5 issues, integer or categorical, of 2–5 options each
// (2 once the outcome count would pass 600).
func (g *gen) issues() {
	r := g.r
	ni := 2 + r.IntN(4)
	total := 1
	for i := 0; i < ni; i++ {
		k := 2 + r.IntN(4)
		if total*k > 600 {
			k = 2
		}
		total *= k
		is := parley.Issue{Name: "i" + strconv.Itoa(i)}
		if r.IntN(2) == 0 {
			is.Kind = parley.Integer
			is.Min, is.Max = 0, float64(k-1)
			is.Options = parley.NumericOptions(parley.Integer, 0, float64(k-1), 0)
		} else {
			for o := 0; o < k; o++ {
				is.Options = append(is.Options, parley.Option{Label: fmt.Sprintf("o%d", o)})
			}
		}
		g.s.Issues = append(g.s.Issues, is)
	}
}

// cond draws a condition on one issue: a range for an integer issue, a
// nonempty option set otherwise; one in five excludes.
func (g *gen) cond() parley.Condition {
	r := g.r
	is := &g.s.Issues[r.IntN(len(g.s.Issues))]
	c := parley.Condition{Issue: is.Name, Exclude: r.IntN(5) == 0}
	if is.Kind == parley.Integer {
		a := float64(r.IntN(len(is.Options)))
		b := a + float64(r.IntN(len(is.Options)))
		c.Min, c.Max = &a, &b
	} else {
		for _, o := range is.Options {
			if r.IntN(2) == 0 {
				c.Options = append(c.Options, o.Label)
			}
		}
		if len(c.Options) == 0 {
			c.Options = []string{is.Options[0].Label}
		}
	}
	return c
}

// prefs draws preferences: weighted values on about three issues in four,
// rects (with Options.Rects), sometimes a scale, up to two red lines and a
// reservation.
func (g *gen) prefs() parley.Preferences {
	r, opt := g.r, g.opt
	var p parley.Preferences
	for i := range g.s.Issues {
		if r.IntN(4) == 0 {
			continue
		}
		ip := parley.IssuePref{Issue: g.s.Issues[i].Name, Weight: parley.Estimate{Value: float64(1 + r.IntN(3))}}
		if opt.Decimals {
			ip.Weight.Value = decimals[r.IntN(len(decimals))]
		}
		for _, o := range g.s.Issues[i].Options {
			v := float64(r.IntN(5)) / 4
			if opt.Decimals {
				v = decimals[r.IntN(len(decimals))] * float64(r.IntN(2))
			}
			ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: parley.Estimate{Value: v}})
		}
		p.Issues = append(p.Issues, ip)
	}
	for k := r.IntN(4); opt.Rects && k > 0; k-- {
		rc := parley.Rect{Utility: parley.Estimate{Value: float64(r.IntN(9) - 2)}}
		for c := 1 + r.IntN(3); c > 0; c-- {
			rc.Conditions = append(rc.Conditions, g.cond())
		}
		p.Constraints = append(p.Constraints, rc)
	}
	if r.IntN(2) == 0 {
		p.Scale = float64(4 + r.IntN(8))
	}
	for k := r.IntN(3); k > 0; k-- {
		rl := parley.RedLine{Name: "rl" + strconv.Itoa(k)}
		for c := 1 + r.IntN(2); c > 0; c-- {
			rl.Conditions = append(rl.Conditions, g.cond())
		}
		p.RedLines = append(p.RedLines, rl)
	}
	p.Reservation = parley.Estimate{Value: float64(r.IntN(6)) / 10}
	if opt.Decimals {
		p.Reservation.Value = decimals[r.IntN(len(decimals))] / 2
	}
	return p
}

// delegation draws a delegation of 2–4 factions under a random
// ratification rule.
func (g *gen) delegation() *parley.Delegation {
	r := g.r
	d := &parley.Delegation{}
	nf := 2 + r.IntN(3)
	for f := 0; f < nf; f++ {
		d.Factions = append(d.Factions, parley.Faction{Name: "f" + strconv.Itoa(f),
			Weight: parley.Estimate{Value: float64(1 + r.IntN(4))}, Preferences: g.prefs()})
	}
	d.Rule.Kind = parley.RuleKind(r.IntN(4))
	switch d.Rule.Kind {
	case parley.WeightedQuota:
		d.Rule.Quota = []float64{0.3, 0.5, 0.6, 2.0 / 3, 1}[r.IntN(5)]
	case parley.LeaderVeto:
		d.Rule.Leader = "f" + strconv.Itoa(r.IntN(nf))
		if r.IntN(2) == 0 {
			d.Rule.Vetoes = []string{"f" + strconv.Itoa(r.IntN(nf))}
		}
	}
	return d
}

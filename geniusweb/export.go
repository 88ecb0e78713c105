package geniusweb

import (
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
			w, c := f.Preferences.Contributions(s)
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

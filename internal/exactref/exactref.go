// Package exactref evaluates a scenario's utilities in exact rationals
// straight from its fields, as docs/scenario-format.md defines them, one
// outcome at a time: the naive reference that tests hold parley.Compile and
// the importers to. It shares no code with Compile.
package exactref

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"

	"github.com/parleyhq/parley"
)

// Dec returns x as the decimal it prints as (its shortest representation).
func Dec(x float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	if !ok {
		panic(fmt.Sprintf("exactref: %v is not a finite number", x))
	}
	return r
}

// Principal returns the utility of o for preferences pr:
//
//	Σ_issues (weight/Σ weights)·value/scale + Σ_{constraints met} utility/scale
//
// where an option's value is listed in values, else given by the function
// (unless the option is "not addressed"), else 0.
func Principal(s *parley.Scenario, pr *parley.Preferences, o parley.Outcome) *big.Rat {
	return newPrincipal(s, pr).eval(s, o)
}

// principal is a principal's utility as per-option terms, built once.
type principal struct {
	pr    *parley.Preferences
	terms [][]*big.Rat // [issue pref][option of its issue]
	idx   []int        // issue of each issue pref
	rects []*big.Rat   // utility/scale
}

func newPrincipal(s *parley.Scenario, pr *parley.Preferences) *principal {
	p := &principal{pr: pr}
	wsum := new(big.Rat)
	for _, ip := range pr.Issues {
		wsum.Add(wsum, Dec(ip.Weight.Value))
	}
	for _, ip := range pr.Issues {
		i := s.IssueIndex(ip.Issue)
		is := &s.Issues[i]
		f := Dec(ip.Weight.Value)
		if wsum.Sign() > 0 {
			f.Quo(f, wsum)
		}
		if ip.Scale != 0 {
			f.Quo(f, Dec(ip.Scale))
		}
		row := make([]*big.Rat, len(is.Options))
		for k, opt := range is.Options {
			v := new(big.Rat)
			listed := false
			for _, ov := range ip.Values {
				if ov.Option == opt.Label {
					v, listed = Dec(ov.Value.Value), true
				}
			}
			if !listed && len(ip.Function) > 0 && !opt.NotAddressed {
				v = interpolate(ip.Function, Dec(opt.Value))
			}
			row[k] = v.Mul(v, f)
		}
		p.terms = append(p.terms, row)
		p.idx = append(p.idx, i)
	}
	scale := big.NewRat(1, 1)
	if pr.Scale != 0 {
		scale = Dec(pr.Scale)
	}
	for _, c := range pr.Constraints {
		p.rects = append(p.rects, new(big.Rat).Quo(Dec(c.Utility.Value), scale))
	}
	return p
}

func (p *principal) eval(s *parley.Scenario, o parley.Outcome) *big.Rat {
	u := new(big.Rat)
	for j, row := range p.terms {
		u.Add(u, row[o[p.idx[j]]])
	}
	for k, c := range p.pr.Constraints {
		met := true
		for _, cd := range c.Conditions {
			i := s.IssueIndex(cd.Issue)
			if !cd.Meets(&s.Issues[i], o[i]) {
				met = false
			}
		}
		if met {
			u.Add(u, p.rects[k])
		}
	}
	return u
}

// interpolate evaluates the piecewise-linear function through pts at x:
// linear between knots, constant beyond the outer ones.
func interpolate(pts []parley.Point, x *big.Rat) *big.Rat {
	if x.Cmp(Dec(pts[0].X)) <= 0 {
		return Dec(pts[0].Y)
	}
	for k := 1; k < len(pts); k++ {
		x0, x1 := Dec(pts[k-1].X), Dec(pts[k].X)
		if x.Cmp(x1) > 0 {
			continue
		}
		y0, y1 := Dec(pts[k-1].Y), Dec(pts[k].Y)
		if x0.Cmp(x1) == 0 {
			return y1
		}
		// y0 + (y1 − y0)·(x − x0)/(x1 − x0)
		t := new(big.Rat).Sub(y1, y0)
		t.Mul(t, new(big.Rat).Sub(x, x0))
		t.Quo(t, new(big.Rat).Sub(x1, x0))
		return t.Add(t, y0)
	}
	return Dec(pts[len(pts)-1].Y)
}

// weights returns a delegation's faction weights divided by their sum.
func weights(d *parley.Delegation) []*big.Rat {
	sum := new(big.Rat)
	for _, f := range d.Factions {
		sum.Add(sum, Dec(f.Weight.Value))
	}
	var out []*big.Rat
	for _, f := range d.Factions {
		out = append(out, new(big.Rat).Quo(Dec(f.Weight.Value), sum))
	}
	return out
}

// Party returns party p's utility of o: its principal's, or for a
// delegation the weighted mean of its factions'.
func Party(s *parley.Scenario, p *parley.Party, o parley.Outcome) *big.Rat {
	return newParty(s, p)(o)
}

// newParty returns party p's utility function, built once.
func newParty(s *parley.Scenario, p *parley.Party) func(parley.Outcome) *big.Rat {
	if p.Delegation == nil {
		pr := newPrincipal(s, p.Preferences)
		return func(o parley.Outcome) *big.Rat { return pr.eval(s, o) }
	}
	var prs []*principal
	for j := range p.Delegation.Factions {
		prs = append(prs, newPrincipal(s, &p.Delegation.Factions[j].Preferences))
	}
	ws := weights(p.Delegation)
	return func(o parley.Outcome) *big.Rat {
		u := new(big.Rat)
		for j, w := range ws {
			u.Add(u, new(big.Rat).Mul(w, prs[j].eval(s, o)))
		}
		return u
	}
}

// Reservation returns party p's reservation value (a delegation's is the
// weighted mean of its factions').
func Reservation(p *parley.Party) *big.Rat {
	if p.Delegation == nil {
		return Dec(p.Preferences.Reservation.Value)
	}
	r := new(big.Rat)
	for j, w := range weights(p.Delegation) {
		r.Add(r, new(big.Rat).Mul(w, Dec(p.Delegation.Factions[j].Preferences.Reservation.Value)))
	}
	return r
}

// Of returns the rational a compiled fixed-point value q of u stands for.
func Of(u *parley.UtilityFn, q int64) *big.Rat { return big.NewRat(q, u.Unit()) }

// Check compares m, compiled from s, with the exact utilities of s on the
// outcomes os, for every party and every principal: an exact function
// (UtilityFn.Exact) must give exactly the reference, a rounded one must be
// within half a unit per term (issue or constraint) of it; reservation
// values likewise; every compiled value must lie within ±parley.MaxFixed.
// It returns the first difference found, or nil.
func Check(s *parley.Scenario, m *parley.Model, os []parley.Outcome) error {
	for i := range m.Parties {
		p := &s.Parties[i]
		pm := &m.Parties[i]
		if err := checkFn(&pm.Utility, pm.Reservation, Reservation(p), newParty(s, p), os); err != nil {
			return fmt.Errorf("party %q: %w", pm.Name, err)
		}
		for j, f := range p.Principals() {
			pr := &pm.Principals[j]
			ref := newPrincipal(s, &f.Preferences)
			if err := checkFn(&pr.Utility, pr.Reservation, Dec(f.Preferences.Reservation.Value), func(o parley.Outcome) *big.Rat { return ref.eval(s, o) }, os); err != nil {
				return fmt.Errorf("party %q, principal %q: %w", pm.Name, pr.Name, err)
			}
		}
	}
	return nil
}

func checkFn(u *parley.UtilityFn, res int64, wantRes *big.Rat, eval func(parley.Outcome) *big.Rat, os []parley.Outcome) error {
	if u.Unit() <= 0 {
		return fmt.Errorf("scale %d", u.Unit())
	}
	for _, row := range u.Values {
		for _, v := range row {
			if v > parley.MaxFixed || v < -parley.MaxFixed {
				return fmt.Errorf("value %d beyond ±MaxFixed", v)
			}
		}
	}
	for _, r := range u.Rects {
		if r.Utility > parley.MaxFixed || r.Utility < -parley.MaxFixed {
			return fmt.Errorf("rect utility %d beyond ±MaxFixed", r.Utility)
		}
	}
	// The rounding allowance: half a unit per rounded term.
	tol := new(big.Rat)
	if !u.Exact {
		tol.SetFrac64(int64(len(u.Values)+len(u.Rects)+1), 2*u.Unit())
	}
	within := func(got, want *big.Rat) bool {
		d := new(big.Rat).Sub(got, want)
		return d.Abs(d).Cmp(tol) <= 0
	}
	if got := Of(u, res); !within(got, wantRes) {
		return fmt.Errorf("reservation %s, want %s (exact %v, scale %d)", got.RatString(), wantRes.RatString(), u.Exact, u.Unit())
	}
	for _, o := range os {
		got, want := Of(u, u.Eval(o)), eval(o)
		if !within(got, want) {
			return fmt.Errorf("outcome %v: utility %s, want %s (exact %v, scale %d)", o, got.RatString(), want.RatString(), u.Exact, u.Unit())
		}
	}
	return nil
}

// Sample returns up to n outcomes of m: all of them when there are at most
// n, else the first, the last and random ones drawn with a fixed seed.
func Sample(m *parley.Model, n int) []parley.Outcome {
	for _, k := range m.Sizes {
		if k <= 0 {
			return nil
		}
	}
	var out []parley.Outcome
	if m.Size().IsInt64() && m.Size().Int64() <= int64(n) {
		for o := range m.Outcomes() {
			out = append(out, append(parley.Outcome(nil), o...))
		}
		return out
	}
	first, last := make(parley.Outcome, len(m.Sizes)), make(parley.Outcome, len(m.Sizes))
	for i, k := range m.Sizes {
		last[i] = k - 1
	}
	out = append(out, first, last)
	r := rand.New(rand.NewPCG(1, 2))
	for len(out) < n {
		o := make(parley.Outcome, len(m.Sizes))
		for i, k := range m.Sizes {
			o[i] = r.IntN(k)
		}
		out = append(out, o)
	}
	return out
}

package genius

import (
	"fmt"
	"math"
	"math/big"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/limit"
	"github.com/parleyhq/parley/internal/naming"
)

// DefaultRealSteps is the number of intervals a real issue is cut into when
// Options.RealSteps is 0: 10 intervals, 11 values.
const DefaultRealSteps = 10

// Options tune the import.
type Options struct {
	// RealSteps is the number of equal intervals a real issue's range
	// [lower, upper] is cut into: the issue gets RealSteps+1 options, lower
	// and upper included. Genius real issues are continuous; parley needs
	// explicit options, so the import samples them and records the
	// sampling in Scenario.Warnings. 0 means DefaultRealSteps.
	RealSteps int
	// MaxFileSize is the largest domain or profile file Load reads, in
	// bytes (0: limit.DefaultMaxInput, 64 MiB); a larger one, or an
	// endless device, is an error with code parley.ELIMIT.
	MaxFileSize int64
}

// Build turns a domain and its profiles into a Scenario, one party per
// profile, named by names (same length as ps, unique, non-empty). The
// scenario's ID is the domain file's base name without ".xml".
//
// Additive profiles become per-option values (Genius' evaluator utility of
// each option, in [0, 1]) and the profile's weights; parley.Compile divides
// the weights by their sum as Genius does. Nonlinear profiles become
// constraints with Scale = maxutility. Warnings of the domain and the
// profiles, and the real-issue sampling, go to Scenario.Warnings.
func Build(d *Domain, ps []*Profile, names []string, opt Options) (*parley.Scenario, error) {
	if d == nil {
		return nil, parley.Errorf(parley.EINVALID, "genius: no domain")
	}
	if len(names) != len(ps) {
		return nil, parley.Errorf(parley.EINVALID, "genius: %d profiles but %d names", len(ps), len(names))
	}
	steps := opt.RealSteps
	if steps == 0 {
		steps = DefaultRealSteps
	}
	if steps < 0 || steps > maxIntegerOptions {
		return nil, parley.Errorf(parley.EINVALID, "genius: RealSteps must be between 1 and %d, got %d", maxIntegerOptions, opt.RealSteps)
	}
	s := &parley.Scenario{ID: scenarioID(d.File), Title: scenarioID(d.File)}
	s.Description = "Imported from Genius domain " + d.File
	s.Warnings = append(s.Warnings, d.Warnings...)
	for i := range d.Issues {
		is := &d.Issues[i]
		pi := parley.Issue{Name: is.Name}
		switch is.Type {
		case Discrete:
			pi.Kind = parley.Categorical
			for k, v := range is.Values {
				pi.Options = append(pi.Options, parley.Option{Label: v, Clause: is.Descriptions[k]})
			}
		case Integer:
			pi.Kind = parley.Integer
			pi.Min, pi.Max = is.Lower, is.Upper
			pi.Options = parley.NumericOptions(parley.Integer, is.Lower, is.Upper, 0)
		case Real:
			pi.Kind = parley.Real
			pi.Min, pi.Max = is.Lower, is.Upper
			n := steps
			if is.Lower == is.Upper {
				n = 0
			}
			pi.Step = (is.Upper - is.Lower) / float64(max(n, 1))
			lo, hi := parley.Decimal(is.Lower), parley.Decimal(is.Upper)
			for k := 0; k <= n; k++ {
				// lower + (upper − lower)·k/n, computed exactly and rounded
				// once, so that 0.1 steps read back as 0.1 steps.
				x := new(big.Rat).Sub(hi, lo)
				x.Mul(x, big.NewRat(int64(k), int64(max(n, 1))))
				v, _ := x.Add(x, lo).Float64()
				if k == n {
					v = is.Upper
				}
				pi.Options = append(pi.Options, parley.Option{Label: strconv.FormatFloat(v, 'g', -1, 64), Value: v})
			}
			s.Warnings = append(s.Warnings, fmt.Sprintf("real issue %q (continuous in Genius on [%v, %v]) is sampled at %d equally spaced values", is.Name, is.Lower, is.Upper, n+1))
		}
		s.Issues = append(s.Issues, pi)
	}
	seen := map[string]bool{}
	for j, p := range ps {
		if p == nil {
			return nil, parley.Errorf(parley.EINVALID, "genius: profile %d is nil", j)
		}
		nm := names[j]
		if nm == "" || seen[nm] {
			return nil, parley.Errorf(parley.EINVALID, "genius: party name %q is empty or used twice", nm)
		}
		seen[nm] = true
		pr, err := preferences(d, s, p)
		if err != nil {
			return nil, err
		}
		if err := inRange(d, s, p, pr); err != nil {
			return nil, err
		}
		s.Warnings = append(s.Warnings, p.Warnings...)
		s.Parties = append(s.Parties, parley.Party{Name: nm, Description: "Genius profile " + p.describe(), Preferences: pr})
	}
	return s, nil
}

func preferences(d *Domain, s *parley.Scenario, p *Profile) (*parley.Preferences, error) {
	pr := &parley.Preferences{Reservation: parley.Estimate{Value: p.Reservation}}
	if v := p.Reservation; v < 0 || v > 1 {
		what := "every outcome is acceptable to this party"
		if v > 1 {
			what = "no outcome is acceptable to this party"
		}
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s: reservation value %v is outside [0, 1], the range of Genius utilities: %s", p.File, v, what))
	}
	if p.Discount > 0 && p.Discount < 1 {
		pr.Discount = parley.Estimate{Value: p.Discount}
	}
	switch p.Kind {
	case Additive:
		if len(p.Evaluators) != len(d.Issues) {
			return nil, parley.Errorf(parley.EINVALID, "genius: profile %s has %d evaluators for %d issues of %s", p.File, len(p.Evaluators), len(d.Issues), d.File)
		}
		var wsum float64
		for i := range p.Evaluators {
			ev := &p.Evaluators[i]
			wsum += ev.Weight
			is := &s.Issues[i]
			ip := parley.IssuePref{Issue: is.Name, Weight: parley.Estimate{Value: ev.Weight}}
			// The evaluator's values exactly (evaluation/max is 7/9, not
			// 0.777…), as floats over the issue's Scale when they are not
			// short decimals.
			vals := make([]*big.Rat, len(is.Options))
			for k, o := range is.Options {
				vals[k] = ev.Rat(o.Label, parley.Decimal(o.Value))
			}
			fs, scale, _ := parley.DecimalValues(vals)
			ip.Scale = scale
			for k, o := range is.Options {
				ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: parley.Estimate{Value: fs[k]}})
			}
			pr.Issues = append(pr.Issues, ip)
		}
		if wsum == 0 {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s: issue weights sum to 0: every outcome is worth 0 to this party", p.File))
		} else if math.Abs(wsum-1) > 1e-6 {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s: issue weights sum to %v; they are divided by their sum (Genius 10.4 uses them as written and caps utility at 1)", p.File, wsum))
		}
	case Nonlinear:
		pr.Scale = p.MaxUtility
		for _, r := range p.Rects {
			var conds []parley.Condition
			for _, b := range r.Bounds {
				lo, hi := b.Min, b.Max
				conds = append(conds, parley.Condition{Issue: d.Issues[b.Issue].Name, Min: &lo, Max: &hi})
			}
			switch {
			case !r.Exclusive || len(conds) == 0:
				// INCLUDES, or a rectangle without bounds (every bid).
				pr.Constraints = append(pr.Constraints, parley.Rect{Utility: parley.Estimate{Value: r.Utility}, Conditions: conds})
			default:
				// EXCLUDES pays outside the box: u everywhere, −u inside.
				pr.Constraints = append(pr.Constraints,
					parley.Rect{Utility: parley.Estimate{Value: r.Utility}},
					parley.Rect{Utility: parley.Estimate{Value: -r.Utility}, Conditions: conds})
			}
		}
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s: nonlinear utility = sum of hyper-rectangle utilities / maxutility %v (Genius also caps it at 1)", p.File, p.MaxUtility))
	}
	return pr, nil
}

// scenarioID derives an ID from a file name: base name without ".xml".
func scenarioID(file string) string {
	b := filepath.Base(file)
	b = strings.TrimSuffix(b, filepath.Ext(b))
	if b == "" || b == "." || b == string(filepath.Separator) {
		return "genius"
	}
	return b
}

// Load reads a domain file and its profile files and builds the scenario.
// Parties are named after the profile files (base name without ".xml";
// "-2", "-3", ... appended to repeated names); the scenario ID is the domain
// file's base name.
func Load(domainPath string, profilePaths []string, opt Options) (*parley.Scenario, error) {
	data, err := limit.ReadFile(domainPath, opt.MaxFileSize)
	if err != nil {
		return nil, err
	}
	d, err := ReadDomain(domainPath, data)
	if err != nil {
		return nil, err
	}
	var ps []*Profile
	var names []string
	used := map[string]bool{}
	for _, pp := range profilePaths {
		data, err := limit.ReadFile(pp, opt.MaxFileSize)
		if err != nil {
			return nil, err
		}
		p, err := ReadProfile(pp, data, d)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
		names = append(names, naming.Unique(scenarioID(pp), used))
	}
	return Build(d, ps, names, opt)
}

// inRange checks that a profile's utilities fit parley's fixed point
// (|u| ≤ parley.MaxUtility) and normalises its reservation value when it
// does not fit. Genius normalises what it can (discrete evaluations by
// their maximum, weights by their sum, linear evaluators clipped to
// [0, 1]), so only constant evaluators, negative evaluations and
// hyper-rectangles can exceed it; the error names the element's line.
func inRange(d *Domain, s *parley.Scenario, p *Profile, pr *parley.Preferences) error {
	limit := new(big.Rat).SetInt64(parley.MaxUtility)
	lo, hi := new(big.Rat), new(big.Rat) // bounds on the utility
	bound := new(big.Rat)                // Σ_i max |contribution|, as Compile bounds it
	errAt := func(line int, format string, args ...any) error {
		return &parley.PosError{File: p.File, Line: line, Err: parley.Errorf(parley.EINVALID, format, args...)}
	}
	const huge = "parley holds utilities up to ±2.3·10^18 (2^61)"
	switch p.Kind {
	case Additive:
		_, c := contributionsRat(s, pr)
		for i, row := range c {
			mn, mx := new(big.Rat).Set(row[0]), new(big.Rat).Set(row[0])
			for _, v := range row {
				if v.Cmp(mn) < 0 {
					mn.Set(v)
				}
				if v.Cmp(mx) > 0 {
					mx.Set(v)
				}
			}
			lo.Add(lo, mn)
			hi.Add(hi, mx)
			if bound.Add(bound, maxAbsRat(mn, mx)).Cmp(limit) > 0 {
				ev := &p.Evaluators[i]
				return errAt(ev.Line, "issue %q: its utilities are out of range (up to %s in absolute value): %s", d.Issues[i].Name, ratG(maxAbsRat(mn, mx)), huge)
			}
		}
	case Nonlinear:
		mu := parley.Decimal(p.MaxUtility)
		for _, r := range p.Rects {
			u := new(big.Rat).Quo(parley.Decimal(r.Utility), mu)
			if u.Sign() < 0 {
				lo.Add(lo, u)
			} else {
				hi.Add(hi, u)
			}
			if new(big.Rat).Sub(hi, lo).Cmp(limit) > 0 {
				return errAt(r.Line, "hyperRectangle utility %v (divided by maxutility %v) puts the utility out of range: %s", r.Utility, p.MaxUtility, huge)
			}
		}
	}
	// A reservation beyond what parley can hold: Genius compares it with
	// utilities that lie within [lo, hi], so any value above hi (below lo)
	// means the same: nothing (everything) is acceptable.
	r := parley.Decimal(p.Reservation)
	if r != nil && new(big.Rat).Abs(r).Cmp(limit) > 0 {
		nr := hi
		if r.Sign() < 0 {
			nr = lo.Sub(lo, big.NewRat(1, 1))
		}
		pr.Reservation.Value, _ = nr.Float64()
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s:%d: reservation value %v is out of range (%s); every utility of this profile lies in [%s, %s], so it is read as %v, which accepts the same outcomes", p.File, p.ReservationLine, p.Reservation, huge, ratG(lo), ratG(hi), pr.Reservation.Value))
	}
	return nil
}

// contributionsRat returns the profile's weighted contributions exactly:
// weights divided by their sum, values by their issue's scale.
func contributionsRat(s *parley.Scenario, pr *parley.Preferences) (w []*big.Rat, c [][]*big.Rat) {
	wsum := new(big.Rat)
	for _, ip := range pr.Issues {
		wsum.Add(wsum, parley.Decimal(ip.Weight.Value))
	}
	for i, ip := range pr.Issues {
		wi := parley.Decimal(ip.Weight.Value)
		if wsum.Sign() > 0 {
			wi.Quo(wi, wsum)
		}
		w = append(w, wi)
		f := new(big.Rat).Set(wi)
		if ip.Scale != 0 {
			f.Quo(f, parley.Decimal(ip.Scale))
		}
		row := make([]*big.Rat, len(s.Issues[i].Options))
		for k := range row {
			row[k] = new(big.Rat)
		}
		for k, ov := range ip.Values {
			row[k].Mul(f, parley.Decimal(ov.Value.Value))
		}
		c = append(c, row)
	}
	return w, c
}

func maxAbsRat(a, b *big.Rat) *big.Rat {
	x, y := new(big.Rat).Abs(a), new(big.Rat).Abs(b)
	if x.Cmp(y) > 0 {
		return x
	}
	return y
}

// ratG formats a rational as a short float.
func ratG(x *big.Rat) string {
	f, _ := x.Float64()
	return strconv.FormatFloat(f, 'g', 4, 64)
}

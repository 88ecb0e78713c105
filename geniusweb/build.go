package geniusweb

import (
	"math"
	"math/big"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/limit"
	"github.com/parleyhq/parley/internal/naming"
)

// Build turns a domain and its profiles into a Scenario, one party per
// profile, named by names (same length as ps, unique, non-empty). When d is
// nil the domain embedded in the first profile is used. Every profile's
// embedded domain, if any, must have the same issues and values as d.
//
// Issue utilities become per-option values (the GeniusWeb utility of each
// option, computed exactly and rounded once to float64) and the weights
// become parley weights (parley.Compile divides them by their sum, which
// GeniusWeb requires to be 1). The reservation value is the profile's
// "reservationValue" when given, else the utility of its "reservationBid",
// else 0. Warnings go to Scenario.Warnings.
func Build(d *Domain, ps []*Profile, names []string) (*parley.Scenario, error) {
	if len(names) != len(ps) {
		return nil, parley.Errorf(parley.EINVALID, "geniusweb: %d profiles but %d names", len(ps), len(names))
	}
	if d == nil {
		for _, p := range ps {
			if p != nil && p.Domain != nil {
				d = p.Domain
				break
			}
		}
		if d == nil {
			return nil, parley.Errorf(parley.EINVALID, "geniusweb: no domain: give a domain file or profiles that embed their domain")
		}
	}
	id := d.Name
	if id == "" {
		id = baseName(d.File)
	}
	s := &parley.Scenario{ID: id, Title: id, Description: "Imported from GeniusWeb domain " + d.File}
	s.Warnings = append(s.Warnings, d.Warnings...)
	for i := range d.Issues {
		is := &d.Issues[i]
		pi := parley.Issue{Name: is.Name}
		switch is.Kind {
		case Discrete:
			for _, v := range is.Values {
				pi.Options = append(pi.Options, parley.Option{Label: v})
			}
		case Number:
			pi.Kind = parley.Integer
			if !is.Low.IsInt() || is.Step.Cmp(big.NewRat(1, 1)) != 0 {
				pi.Kind = parley.Real
				pi.Step, _ = is.Step.Float64()
			}
			pi.Min, _ = is.Low.Float64()
			pi.Max, _ = is.Numbers[len(is.Numbers)-1].Float64()
			seen := map[string]bool{}
			for _, x := range is.Numbers {
				l := numberLabel(x)
				if seen[l] {
					return nil, parley.Errorf(parley.EINVALID, "geniusweb: %s: issue %q: values %s are too close to tell apart as float64 numbers", d.File, is.Name, l)
				}
				seen[l] = true
				f, _ := x.Float64()
				pi.Options = append(pi.Options, parley.Option{Label: l, Value: f})
			}
		}
		s.Issues = append(s.Issues, pi)
	}
	seen := map[string]bool{}
	for j, p := range ps {
		if p == nil {
			return nil, parley.Errorf(parley.EINVALID, "geniusweb: profile %d is nil", j)
		}
		nm := names[j]
		if nm == "" || seen[nm] {
			return nil, parley.Errorf(parley.EINVALID, "geniusweb: party name %q is empty or used twice", nm)
		}
		seen[nm] = true
		pr, err := preferences(d, p)
		if err != nil {
			return nil, err
		}
		s.Warnings = append(s.Warnings, p.Warnings...)
		s.Warnings = append(s.Warnings, p.br.warnings...)
		desc := "GeniusWeb profile " + p.File
		if p.Name != "" {
			desc += " (" + p.Name + ")"
		}
		s.Parties = append(s.Parties, parley.Party{Name: nm, Description: desc, Preferences: pr})
	}
	return s, nil
}

func preferences(d *Domain, p *Profile) (*parley.Preferences, error) {
	// A fresh reader collects this build's notes.
	r := &reader{file: p.File}
	if p.r != nil {
		r.data = p.r.data
	}
	p.br = r
	root := p.offs[""]
	if p.Domain != nil && p.Domain != d && !sameDomain(p.Domain, d) {
		return nil, r.errf(root, "LinearAdditiveUtilitySpace.domain", "the embedded domain %q differs from domain %s (other issues or values)", p.Domain.Name, d.File)
	}
	utils, weights, sum, err := matchIssues(d, p, r)
	if err != nil {
		return nil, err
	}
	if sum.Cmp(big.NewRat(1, 1)) != 0 {
		r.warnf(root, "issue weights sum to %s, not 1 (GeniusWeb rejects that); they are divided by their sum", sum.FloatString(12))
	}
	pr := &parley.Preferences{}
	// Weights too large for float64 are written divided by their sum
	// (parley divides by the sum anyway).
	huge := false
	for _, w := range weights {
		if f, _ := w.Float64(); math.IsInf(f, 0) {
			huge = true
		}
	}
	if huge {
		r.warnf(root, "issue weights beyond float64 range are divided by their sum")
	}
	lo, hi := new(big.Rat), new(big.Rat) // bounds on the utility, for the reservation
	for i := range d.Issues {
		is := &d.Issues[i]
		w, _ := weights[i].Float64()
		if huge {
			w, _ = new(big.Rat).Quo(weights[i], sum).Float64()
		}
		ip := parley.IssuePref{Issue: is.Name, Weight: parley.Estimate{Value: w}}
		labels, vals := issueValues(r, is, utils[i])
		// The utilities exactly; as floats over the issue's Scale when they
		// are not short decimals (number utilities interpolate).
		fs, scale, _ := parley.DecimalValues(vals)
		ip.Scale = scale
		if len(vals) > 0 && sum.Sign() > 0 {
			mn, mx := vals[0], vals[0]
			for _, v := range vals {
				if v.Cmp(mn) < 0 {
					mn = v
				}
				if v.Cmp(mx) > 0 {
					mx = v
				}
			}
			wn := new(big.Rat).Quo(weights[i], sum)
			lo.Add(lo, new(big.Rat).Mul(wn, mn))
			hi.Add(hi, new(big.Rat).Mul(wn, mx))
		}
		for k := range labels {
			ip.Values = append(ip.Values, parley.OptionValue{Option: labels[k], Value: parley.Estimate{Value: fs[k]}})
		}
		pr.Issues = append(pr.Issues, ip)
	}
	if err := reservation(d, p, r, pr, utils, weights, sum, lo, hi); err != nil {
		return nil, err
	}
	return pr, nil
}

// matchIssues returns, by domain issue, the profile's utilities and weight,
// and the sum of the weights. Every profile issue must be in the domain
// with utilities of its kind, and every domain issue needs both.
func matchIssues(d *Domain, p *Profile, r *reader) (utils []*IssueUtility, weights []*big.Rat, sum *big.Rat, err error) {
	root := p.offs[""]
	path := "LinearAdditiveUtilitySpace"
	utils = make([]*IssueUtility, len(d.Issues))
	for i := range p.Utilities {
		u := &p.Utilities[i]
		k := d.issueIndex(u.Issue)
		if k < 0 {
			return nil, nil, nil, r.errf(u.n, join(path, "issueUtilities."+u.Issue), "issue %q is not in domain %s", u.Issue, d.File)
		}
		if u.Kind != d.Issues[k].Kind {
			want := "discreteutils"
			if d.Issues[k].Kind == Number {
				want = "numberutils"
			}
			return nil, nil, nil, r.errf(u.n, join(path, "issueUtilities."+u.Issue), "issue %q needs %s in domain %s", u.Issue, want, d.File)
		}
		utils[k] = u
	}
	weights = make([]*big.Rat, len(d.Issues))
	sum = new(big.Rat)
	for i := range p.Weights {
		w := &p.Weights[i]
		k := d.issueIndex(w.Issue)
		if k < 0 {
			return nil, nil, nil, r.errf(w.n, join(path, "issueWeights."+w.Issue), "issue %q is not in domain %s", w.Issue, d.File)
		}
		weights[k] = w.W
		sum.Add(sum, w.W)
	}
	for i := range d.Issues {
		if utils[i] == nil {
			return nil, nil, nil, r.errf(root, join(path, "issueUtilities"), "issue %q of domain %s has no utilities", d.Issues[i].Name, d.File)
		}
		if weights[i] == nil {
			return nil, nil, nil, r.errf(root, join(path, "issueWeights"), "issue %q of domain %s has no weight", d.Issues[i].Name, d.File)
		}
	}
	return utils, weights, sum, nil
}

// issueValues returns the options of issue is, labelled, with their exact
// utilities under u, warning of values the domain and the profile do not
// share and of a number range that differs from the domain's.
func issueValues(r *reader, is *Issue, u *IssueUtility) (labels []string, vals []*big.Rat) {
	switch is.Kind {
	case Discrete:
		inDomain := set(is.Values)
		for _, v := range u.Values {
			if !inDomain[v] {
				r.warnf(u.n, "value %q of issue %q is not in the domain; ignored", v, is.Name)
			}
		}
		for _, v := range is.Values {
			if _, ok := u.index[v]; !ok {
				r.warnf(u.n, "value %q of issue %q has no utility; it is worth 0, as in GeniusWeb", v, is.Name)
			}
			labels, vals = append(labels, v), append(vals, u.discrete(v))
		}
	case Number:
		if u.LowValue.Cmp(is.Low) != 0 || u.HighValue.Cmp(is.High) != 0 {
			r.warnf(u.n, "issue %q: utilities are given on [%s, %s] but the range is [%s, %s] (GeniusWeb rejects that); values outside are worth 0", is.Name,
				u.LowValue.RatString(), u.HighValue.RatString(), is.Low.RatString(), is.High.RatString())
		}
		for _, x := range is.Numbers {
			labels, vals = append(labels, numberLabel(x)), append(vals, u.number(x))
		}
	}
	return labels, vals
}

// reservation sets pr's reservation from the profile's reservationValue (an
// out-of-range value is read as the utility bound lo or hi past which it
// accepts the same outcomes) or from its reservationBid's utility (rounded
// up, so that the bid itself stays unacceptable).
func reservation(d *Domain, p *Profile, r *reader, pr *parley.Preferences, utils []*IssueUtility, weights []*big.Rat, sum, lo, hi *big.Rat) error {
	switch {
	case p.ReservationValue != nil:
		pr.Reservation.Value = *p.ReservationValue
		if p.ReservationBid != nil {
			r.warnf(p.offs["reservationValue"], "both reservationValue and reservationBid are given; the value is used")
		}
		if v := *p.ReservationValue; v < 0 || v > 1 {
			r.warnf(p.offs["reservationValue"], "reservationValue %v is outside [0, 1], the range of GeniusWeb utilities: %s", v, outsideUnit(v))
		}
		if math.Abs(pr.Reservation.Value) > parley.MaxUtility {
			// Compared with utilities that lie within [lo, hi], any value
			// above hi (below lo) means the same: nothing (everything) is
			// acceptable.
			nr := hi
			if pr.Reservation.Value < 0 {
				nr = lo.Sub(lo, big.NewRat(1, 1))
			}
			f, _ := nr.Float64()
			r.warnf(p.offs["reservationValue"], "reservationValue %g is out of range (%s); every utility of this profile lies in [%s, %s], so it is read as %v, which accepts the same outcomes",
				pr.Reservation.Value, rangeNote, lo.FloatString(6), hi.FloatString(6), f)
			pr.Reservation.Value = f
		}
	case p.ReservationBid != nil:
		u, err := bidUtility(d, p, utils, weights, sum)
		if err != nil {
			return err
		}
		pr.Reservation.Value = ceilFloat(u)
		if parley.Decimal(pr.Reservation.Value).Cmp(u) != 0 {
			r.warnf(p.offs["reservationBid"], "the reservation bid's utility %s has no short decimal form; the reservation value is the float just above it, %v, so that the bid itself stays unacceptable", u.RatString(), pr.Reservation.Value)
		}
	}
	return nil
}

// ceilFloat returns the smallest float64 whose shortest decimal is at least
// x: the float nearest to x, or the next one up when that reads as less.
func ceilFloat(x *big.Rat) float64 {
	f, _ := x.Float64()
	if d := parley.Decimal(f); d != nil && d.Cmp(x) < 0 {
		f = math.Nextafter(f, math.Inf(1))
	}
	return f
}

// outsideUnit says what a reservation value outside [0, 1] means.
func outsideUnit(v float64) string {
	if v > 1 {
		return "no outcome is acceptable to this party"
	}
	return "every outcome is acceptable to this party"
}

// bidUtility returns the utility of the reservation bid, exactly, with the
// weights divided by their sum (as parley.Compile does). Issues the bid
// leaves out count 0, as in GeniusWeb.
func bidUtility(d *Domain, p *Profile, utils []*IssueUtility, weights []*big.Rat, sum *big.Rat) (*big.Rat, error) {
	r := p.br
	const path = "LinearAdditiveUtilitySpace.reservationBid.issuevalues"
	total := new(big.Rat)
	given := map[string]bool{}
	for _, bv := range p.ReservationBid {
		k := d.issueIndex(bv.Issue)
		if k < 0 {
			return nil, r.errf(bv.n, join(path, bv.Issue), "issue %q is not in domain %s", bv.Issue, d.File)
		}
		given[bv.Issue] = true
		is := &d.Issues[k]
		var u *big.Rat
		switch {
		case is.Kind == Discrete && bv.Num == nil:
			if !contains(is.Values, bv.Str) {
				return nil, r.errf(bv.n, join(path, bv.Issue), "value %q is not a value of issue %q", bv.Str, is.Name)
			}
			u = utils[k].discrete(bv.Str)
		case is.Kind == Number && bv.Num != nil:
			found := false
			for _, x := range is.Numbers {
				if x.Cmp(bv.Num) == 0 {
					found = true
				}
			}
			if !found {
				return nil, r.errf(bv.n, join(path, bv.Issue), "%s is not a value of issue %q", bv.Num.RatString(), is.Name)
			}
			u = utils[k].number(bv.Num)
		default:
			return nil, r.errf(bv.n, join(path, bv.Issue), "value of the wrong type for issue %q", is.Name)
		}
		total.Add(total, new(big.Rat).Mul(weights[k], u))
	}
	var missing []string
	for i := range d.Issues {
		if !given[d.Issues[i].Name] {
			missing = append(missing, d.Issues[i].Name)
		}
	}
	if len(missing) > 0 {
		r.warnf(p.offs["reservationBid"], "the reservation bid leaves out %s; they count 0", strings.Join(missing, ", "))
	}
	if sum.Sign() > 0 {
		total.Quo(total, sum)
	}
	return total, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// set returns the strings of list as a set.
func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, x := range list {
		m[x] = true
	}
	return m
}

// baseName is a file's base name without its extension.
func baseName(file string) string {
	b := filepath.Base(file)
	b = strings.TrimSuffix(b, filepath.Ext(b))
	if b == "" || b == "." || b == string(filepath.Separator) {
		return "geniusweb"
	}
	return b
}

// Options tune Load.
type Options struct {
	// MaxFileSize is the largest domain or profile file Load reads, in
	// bytes (0: limit.DefaultMaxInput, 64 MiB); a larger one, or an
	// endless device, is an error with code parley.ELIMIT.
	MaxFileSize int64
}

// Load reads a domain file and profile files and builds the scenario. Two
// layouts are accepted: a separate domain file (domainPath) with profiles
// that may or may not embed the same domain, or domainPath "" and profiles
// that embed their domain (all the same). Parties are named after the
// profiles' "name" (the file's base name when absent; "-2", "-3", ...
// appended to repeats); the scenario ID is the domain's name.
//
// At most one Options may be given.
func Load(domainPath string, profilePaths []string, opts ...Options) (*parley.Scenario, error) {
	var opt Options
	if len(opts) > 0 {
		opt = opts[0]
	}
	var d *Domain
	if domainPath != "" {
		data, err := limit.ReadFile(domainPath, opt.MaxFileSize)
		if err != nil {
			return nil, err
		}
		if d, err = ReadDomain(domainPath, data); err != nil {
			return nil, err
		}
	}
	var ps []*Profile
	var names []string
	used := map[string]bool{}
	for _, pp := range profilePaths {
		data, err := limit.ReadFile(pp, opt.MaxFileSize)
		if err != nil {
			return nil, err
		}
		p, err := ReadProfile(pp, data)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
		nm := p.Name
		if nm == "" {
			nm = baseName(pp)
		}
		names = append(names, naming.Unique(nm, used))
	}
	return Build(d, ps, names)
}

// readFile reads a file with the default size limit.
func readFile(path string) ([]byte, error) { return limit.ReadFile(path, 0) }

package parley

import (
	"fmt"
	"math"
	"math/big"
	"sort"
)

// Compile checks the scenario and compiles it into a Model. It reports every
// problem it finds at once, as a *ValidationError (code EINVALID) whose field
// paths use the JSON field names.
//
// Semantics fixed here (documented in docs/scenario-format.md):
//   - a principal's issue weights are relative: they are divided by their sum
//     (when positive), as Genius does;
//   - options not listed in an issue's values are worth 0;
//   - a numeric issue's Function is evaluated at each option's Value, except
//     for a "not addressed" option; Values given next to a Function override
//     it for the options they name;
//   - constraint utilities are divided by Scale (when set);
//   - a delegation's utility and reservation are the weighted means of its
//     factions' (weights normalised to sum 1);
//   - estimates contribute their point Value; ranges are for simulation.
func (s *Scenario) Compile() (*Model, error) {
	c := &compiler{s: s}
	m := c.compile()
	if len(c.errs) > 0 {
		return nil, &Error{Code: EINVALID, Err: &ValidationError{Fields: c.errs}}
	}
	return m, nil
}

// Validate checks the scenario without keeping the model.
func (s *Scenario) Validate() error {
	_, err := s.Compile()
	return err
}

type compiler struct {
	s    *Scenario
	errs []*FieldError
	// Lookups by name, built once so that compiling is linear in the
	// number of options (first occurrence wins, as in IssueIndex and
	// OptionIndex; duplicates are errors anyway).
	issueIdx map[string]int
	optIdx   []map[string]int
	// badValues: some option's number is not finite; utilities are not
	// evaluated (the error is reported).
	badValues bool
}

// issueIndex returns the index of the issue named name, or -1.
func (c *compiler) issueIndex(name string) int {
	if i, ok := c.issueIdx[name]; ok {
		return i
	}
	return -1
}

// optionIndex returns the index of issue i's option labelled label, or -1.
func (c *compiler) optionIndex(i int, label string) int {
	if k, ok := c.optIdx[i][label]; ok {
		return k
	}
	return -1
}

// lookups builds the name lookups of s.
func (c *compiler) lookups() {
	s := c.s
	c.issueIdx = make(map[string]int, len(s.Issues))
	c.optIdx = make([]map[string]int, len(s.Issues))
	for i := range s.Issues {
		if _, dup := c.issueIdx[s.Issues[i].Name]; !dup {
			c.issueIdx[s.Issues[i].Name] = i
		}
		c.optIdx[i] = optionLookup(&s.Issues[i])
	}
}

// optionLookup maps an issue's labels to option indices (first wins).
func optionLookup(is *Issue) map[string]int {
	m := make(map[string]int, len(is.Options))
	for k := range is.Options {
		if _, dup := m[is.Options[k].Label]; !dup {
			m[is.Options[k].Label] = k
		}
	}
	return m
}

func (c *compiler) errf(path, format string, args ...any) {
	c.errs = append(c.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// distinct checks that name, the what (such as "party name") at path, is
// given and not in seen, and adds it to seen.
func (c *compiler) distinct(path, what, name string, seen map[string]bool) {
	if name == "" {
		c.errf(path, "%s required", what)
	} else if seen[name] {
		c.errf(path, "duplicate %s %q", what, name)
	}
	seen[name] = true
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (c *compiler) estimate(path string, e Estimate, lo, hi float64) {
	if !finite(e.Value) {
		c.errf(path, "must be a finite number, got %v", e.Value)
		return
	}
	if e.Value < lo || e.Value > hi {
		c.errf(path, "must be between %v and %v, got %v", lo, hi, e.Value)
	}
	if e.Ranged {
		if !finite(e.Low) || !finite(e.High) || e.Low > e.High {
			c.errf(path, "range must have finite low <= high, got [%v, %v]", e.Low, e.High)
		} else if e.Value < e.Low || e.Value > e.High {
			c.errf(path, "point value %v lies outside its range [%v, %v]", e.Value, e.Low, e.High)
		}
	}
	c.cites(path+".sources", e.Sources)
}

func (c *compiler) cites(path string, cs []Cite) {
	for i, ct := range cs {
		if ct.Source == "" {
			c.errf(fmt.Sprintf("%s[%d].source", path, i), "source id required")
			continue
		}
		if len(c.s.Sources) > 0 && !c.hasSource(ct.Source) {
			c.errf(fmt.Sprintf("%s[%d].source", path, i), "unknown source %q (declared: %s)", ct.Source, c.sourceIDs())
		}
	}
}

func (c *compiler) hasSource(id string) bool {
	for _, s := range c.s.Sources {
		if s.ID == id {
			return true
		}
	}
	return false
}

func (c *compiler) sourceIDs() string {
	ids := ""
	for i, s := range c.s.Sources {
		if i > 0 {
			ids += ", "
		}
		ids += s.ID
	}
	return ids
}

func (c *compiler) compile() *Model {
	s := c.s
	m := &Model{Scenario: s}
	c.lookups()
	seenSrc := map[string]bool{}
	for i, src := range s.Sources {
		p := fmt.Sprintf("sources[%d].id", i)
		c.distinct(p, "source id", src.ID, seenSrc)
	}
	m.Sizes = c.issues()
	if len(s.Parties) < 2 {
		c.errf("parties", "at least two parties required, got %d", len(s.Parties))
	}
	seenParty := map[string]bool{}
	for i := range s.Parties {
		p := fmt.Sprintf("parties[%d]", i)
		pt := &s.Parties[i]
		c.distinct(p+".name", "party name", pt.Name, seenParty)
		c.cites(p+".sources", pt.Sources)
		pm := c.party(p, pt)
		m.Parties = append(m.Parties, pm)
	}
	c.roles(m)
	if s.Simulation != nil {
		c.simulation(s.Simulation)
	}
	c.commitments()
	seenVar := map[string]bool{}
	for i, v := range s.Variants {
		p := fmt.Sprintf("variants[%d].name", i)
		c.distinct(p, "variant name", v.Name, seenVar)
		c.cites(fmt.Sprintf("variants[%d].sources", i), v.Sources)
		if v.Prior != nil {
			c.estimate(fmt.Sprintf("variants[%d].prior", i), *v.Prior, 0, math.MaxFloat64)
		}
	}
	return m
}

// issues checks the issues (at least one; names and option labels given
// and distinct; option values finite) and returns their sizes.
func (c *compiler) issues() []int {
	s := c.s
	if len(s.Issues) == 0 {
		c.errf("issues", "at least one issue required")
	}
	var sizes []int
	seen := map[string]bool{}
	for i := range s.Issues {
		is := &s.Issues[i]
		p := fmt.Sprintf("issues[%d]", i)
		c.distinct(p+".name", "issue name", is.Name, seen)
		if len(is.Options) == 0 {
			c.errf(p+".options", "issue %q has no options", is.Name)
		}
		labels := map[string]bool{}
		for j, o := range is.Options {
			if o.Label == "" {
				c.errf(fmt.Sprintf("%s.options[%d].label", p, j), "option label required")
			} else if labels[o.Label] {
				c.errf(fmt.Sprintf("%s.options[%d].label", p, j), "duplicate option %q in issue %q", o.Label, is.Name)
			}
			labels[o.Label] = true
			if !finite(o.Value) {
				c.errf(fmt.Sprintf("%s.options[%d].value", p, j), "option value must be a finite number, got %v", o.Value)
				c.badValues = true
			}
		}
		sizes = append(sizes, len(is.Options))
	}
	return sizes
}

// roles checks the roles and adds to m's infeasible regions the outcomes
// that need a role that does not consent, or whose consent is uncertain.
func (c *compiler) roles(m *Model) {
	for i, r := range c.s.Roles {
		p := fmt.Sprintf("roles[%d]", i)
		if r.Name == "" {
			c.errf(p+".name", "role name required")
		}
		c.cites(p+".sources", r.Sources)
		if r.ConsentProbability != nil {
			c.estimate(p+".consents", *r.ConsentProbability, 0, 1)
		}
		switch {
		case len(r.Needed) == 0 && (r.Consents != nil || r.ConsentProbability != nil):
			c.errf(p+".needed", "role %q says whether it consents but lists no outcomes that need it", r.Name)
		case len(r.Needed) == 0:
		case r.Consents != nil && r.ConsentProbability != nil:
			c.errf(p+".consents", "role %q: give consents as true, false or a probability, not two of them", r.Name)
		case r.Consents == nil && r.ConsentProbability == nil:
			c.errf(p+".consents", "role %q lists outcomes that need it; say whether it consents (true, false, or the probability that it would)", r.Name)
		case r.ConsentProbability != nil || !*r.Consents:
			// An uncertain consent is not counted on: analysis reports
			// what it would open (Role.ConsentUncertain).
			m.Infeasible = append(m.Infeasible, c.region(p+".needed", r.Needed))
			m.InfeasibleWhy = append(m.InfeasibleWhy, r.Name)
		}
	}
}

func (c *compiler) party(p string, pt *Party) PartyModel {
	pm := PartyModel{Name: pt.Name}
	switch {
	case pt.Preferences != nil && pt.Delegation != nil:
		c.errf(p, "party %q has both preferences and a delegation; give one", pt.Name)
		return pm
	case pt.Preferences == nil && pt.Delegation == nil:
		c.errf(p, "party %q needs preferences or a delegation of factions", pt.Name)
		return pm
	case pt.Preferences != nil:
		pr, _ := c.principal(p+".preferences", pt.Name, pt.Preferences)
		pm.Principals = []Principal{pr}
		pm.Weights = []float64{1}
		pm.Names = []string{pt.Name}
		pm.Utility = pr.Utility
		pm.Reservation = pr.Reservation
		return pm
	}
	d := pt.Delegation
	pm.Delegation = true
	pm.Rule = d.Rule
	if len(d.Factions) == 0 {
		c.errf(p+".delegation.factions", "a delegation needs at least one faction")
		return pm
	}
	ws, rfs, names := c.factions(p, d, &pm)
	c.rule(p+".delegation.rule", pt.Name, &d.Rule, ws, names, &pm)
	for _, rf := range rfs {
		if rf == nil {
			return pm // a faction has errors
		}
	}
	// The delegation's utility: the weighted mean of its factions', in
	// rationals, fixed at its own scale. Each faction's utility and
	// reservation lie within MaxUtility, so their mean does too.
	rounded := false
	for j := range pm.Principals {
		rounded = rounded || !pm.Principals[j].Utility.Exact
	}
	mean := meanRat(rfs, ws, rounded)
	pm.Utility, pm.Reservation = mean.fix()
	k := 0
	for j := range pm.Principals {
		for _, r := range pm.Principals[j].Utility.Rects {
			pm.Utility.Rects[k].Region = r.Region
			k++
		}
	}
	return pm
}

// factions checks and compiles the factions of delegation d of the party
// at path p into pm's principals, names and weights. It returns the
// weights as exact shares of their sum, each faction's utility in
// rationals (nil for one with errors) and the set of faction names.
func (c *compiler) factions(p string, d *Delegation, pm *PartyModel) (ws []*big.Rat, rfs []*ratFn, names map[string]bool) {
	total := new(big.Rat)
	ws = make([]*big.Rat, len(d.Factions))
	names = map[string]bool{}
	for j := range d.Factions {
		f := &d.Factions[j]
		fp := fmt.Sprintf("%s.delegation.factions[%d]", p, j)
		c.distinct(fp+".name", "faction name", f.Name, names)
		c.estimate(fp+".weight", f.Weight, 0, math.MaxFloat64)
		c.cites(fp+".sources", f.Sources)
		if ws[j] = Decimal(f.Weight.Value); ws[j] == nil || ws[j].Sign() < 0 {
			ws[j] = new(big.Rat)
		}
		total.Add(total, ws[j])
		pr, rf := c.principal(fp+".preferences", f.Name, &f.Preferences)
		pm.Principals = append(pm.Principals, pr)
		pm.Names = append(pm.Names, f.Name)
		rfs = append(rfs, rf)
	}
	if total.Sign() <= 0 {
		c.errf(p+".delegation.factions", "faction weights must have a positive sum")
		total.SetInt64(1)
	}
	for j := range ws {
		ws[j].Quo(ws[j], total)
		w, _ := ws[j].Float64()
		pm.Weights = append(pm.Weights, w)
	}
	return ws, rfs, names
}

// rule checks the ratification rule of party at path rp against its
// factions' names and sets pm's exact quota for a weighted quota.
func (c *compiler) rule(rp, party string, r *Ratification, ws []*big.Rat, names map[string]bool, pm *PartyModel) {
	c.cites(rp+".sources", r.Sources)
	switch r.Kind {
	case Unanimity, Majority:
	case WeightedQuota:
		if !(r.Quota > 0 && r.Quota <= 1) {
			c.errf(rp+".quota", "weighted quota must be in (0, 1], got %v", r.Quota)
		} else {
			pm.quota = exactQuota(ws, Decimal(r.Quota))
		}
	case LeaderVeto:
		if !names[r.Leader] {
			c.errf(rp+".leader", "leader %q is not a faction of %q", r.Leader, party)
		}
		for k, v := range r.Vetoes {
			if !names[v] {
				c.errf(fmt.Sprintf("%s.vetoes[%d]", rp, k), "veto holder %q is not a faction of %q", v, party)
			}
		}
	default:
		c.errf(rp+".kind", "unknown ratification rule %d", r.Kind)
	}
}

// meanRat returns Σ_j ws[j]·fs[j]: values, rects (in order) and reservation.
func meanRat(fs []*ratFn, ws []*big.Rat, rounded bool) *ratFn {
	out := &ratFn{res: new(big.Rat)}
	for i := range fs[0].rows {
		rows := make([]ratRow, len(fs))
		for j, f := range fs {
			rows[j] = f.rows[i]
		}
		out.rows = append(out.rows, meanRows(rows, ws, rounded))
	}
	t := new(big.Rat)
	for j, f := range fs {
		for _, v := range f.rects {
			out.rects = append(out.rects, new(big.Rat).Mul(ws[j], v))
		}
		if f.res != nil {
			out.res.Add(out.res, t.Mul(ws[j], f.res))
		}
	}
	return out
}

// principal checks and compiles one principal's preferences. It returns
// the compiled principal and its utility in rationals (nil when the
// preferences have errors).
func (c *compiler) principal(p, name string, pr *Preferences) (Principal, *ratFn) {
	out := Principal{Name: name}
	nerr := len(c.errs)
	c.estimate(p+".reservation", pr.Reservation, -math.MaxFloat64, math.MaxFloat64)
	if pr.Discount.Value != 0 || pr.Discount.Ranged {
		c.estimate(p+".discount", pr.Discount, 0, 1)
		out.Discount = pr.Discount.Value
	}
	c.issuePrefs(p, pr.Issues)
	scale := pr.Scale
	if scale == 0 {
		scale = 1
	} else if !(scale > 0) || !finite(scale) {
		c.errf(p+".scale", "scale must be a positive number, got %v", scale)
		scale = 1
	}
	for j, r := range pr.Constraints {
		rp := fmt.Sprintf("%s.constraints[%d]", p, j)
		c.estimate(rp+".utility", r.Utility, -math.MaxFloat64, math.MaxFloat64)
		reg := c.region(rp+".conditions", r.Conditions)
		out.Utility.Rects = append(out.Utility.Rects, RectQ{Region: reg})
	}
	for j := range pr.RedLines {
		rl := &pr.RedLines[j]
		out.RedLines = append(out.RedLines, c.redLine(fmt.Sprintf("%s.red_lines[%d]", p, j), rl))
		out.RedLineName = append(out.RedLineName, rl.Name)
	}
	if len(c.errs) > nerr || c.badValues {
		return out, nil
	}
	rf := c.ratPrincipal(pr, scale)
	if !c.inRange(p, pr, rf) {
		return out, nil
	}
	regions := out.Utility.Rects
	out.Utility, out.Reservation = rf.fix()
	for j := range regions {
		out.Utility.Rects[j].Region = regions[j].Region
	}
	return out, rf
}

// issuePrefs checks a principal's issue preferences (at path p): weights,
// sources and scales, known issues each given once, value functions only
// on numeric issues with sorted finite knots, values of known options.
func (c *compiler) issuePrefs(p string, ips []IssuePref) {
	seen := map[string]bool{}
	for j := range ips {
		ip := &ips[j]
		jp := fmt.Sprintf("%s.issues[%d]", p, j)
		c.estimate(jp+".weight", ip.Weight, 0, math.MaxFloat64)
		c.cites(jp+".sources", ip.Sources)
		if ip.Scale != 0 && !(ip.Scale > 0 && finite(ip.Scale)) {
			c.errf(jp+".scale", "scale must be a positive number, got %v", ip.Scale)
		}
		idx := c.issueIndex(ip.Issue)
		if idx < 0 {
			c.errf(jp+".issue", "unknown issue %q", ip.Issue)
			continue
		}
		if seen[ip.Issue] {
			c.errf(jp+".issue", "issue %q given twice", ip.Issue)
		}
		seen[ip.Issue] = true
		is := &c.s.Issues[idx]
		if len(ip.Function) > 0 {
			if is.Kind == Categorical {
				c.errf(jp+".function", "a value function needs a numeric issue; %q is categorical", is.Name)
			}
			sorted := sort.SliceIsSorted(ip.Function, func(a, b int) bool { return ip.Function[a].X < ip.Function[b].X })
			if !sorted {
				c.errf(jp+".function", "knots must be sorted by x")
			}
			for k, pt := range ip.Function {
				if !finite(pt.X) || !finite(pt.Y) {
					c.errf(fmt.Sprintf("%s.function[%d]", jp, k), "knot must be finite")
				}
			}
		}
		for k, ov := range ip.Values {
			vp := fmt.Sprintf("%s.values[%d]", jp, k)
			c.estimate(vp+".value", ov.Value, -math.MaxFloat64, math.MaxFloat64)
			if c.optionIndex(idx, ov.Option) < 0 {
				c.errf(vp+".option", "issue %q has no option %q", is.Name, ov.Option)
			}
		}
	}
}

// redLine checks red line rl (at path rp): a name, at least one condition,
// its sources and quote. It returns the red line's region.
func (c *compiler) redLine(rp string, rl *RedLine) Region {
	if rl.Name == "" {
		c.errf(rp+".name", "red line name required")
	}
	if len(rl.Conditions) == 0 {
		c.errf(rp+".conditions", "a red line needs at least one condition")
	}
	c.cites(rp+".sources", rl.Sources)
	if q := rl.Quote; q != nil {
		if q.Source == "" {
			c.errf(rp+".quote.source", "a quote needs the id of the source it comes from")
		} else if len(c.s.Sources) > 0 && !c.hasSource(q.Source) {
			c.errf(rp+".quote.source", "unknown source %q (declared: %s)", q.Source, c.sourceIDs())
		}
		if q.Text == "" {
			c.errf(rp+".quote.text", "a quote needs its text")
		}
	}
	return c.region(rp+".conditions", rl.Conditions)
}

// ratPrincipal evaluates a principal's utility in rationals: weights
// divided by their sum (when positive), values divided by their issue's
// Scale, functions interpolated exactly, constraint utilities divided by
// scale. The preferences have been checked.
func (c *compiler) ratPrincipal(pr *Preferences, scale float64) *ratFn {
	s := c.s
	rf := &ratFn{rows: make([]ratRow, len(s.Issues)), res: Decimal(pr.Reservation.Value)}
	wsum := new(big.Rat)
	ws := make([]*big.Rat, len(pr.Issues))
	for j := range pr.Issues {
		ws[j] = Decimal(pr.Issues[j].Weight.Value)
		wsum.Add(wsum, ws[j])
	}
	for j := range pr.Issues {
		ip := &pr.Issues[j]
		idx := c.issueIndex(ip.Issue)
		is := &s.Issues[idx]
		f := ws[j]
		if wsum.Sign() > 0 {
			f = new(big.Rat).Quo(f, wsum)
		}
		if ip.Scale != 0 {
			f = new(big.Rat).Quo(f, Decimal(ip.Scale))
		}
		ks := make([]int, len(ip.Values))
		vs := make([]float64, len(ip.Values))
		for k, ov := range ip.Values {
			ks[k], vs[k] = c.optionIndex(idx, ov.Option), ov.Value.Value
		}
		switch {
		case f.Sign() == 0:
			rf.rows[idx] = zeroRow(len(is.Options))
		case len(ip.Function) == 0:
			rf.rows[idx] = valuesRow(len(is.Options), ks, vs, f)
		default:
			row := functionRow(is, ip.Function, f)
			if len(ks) > 0 {
				// Values override the function for the options they name.
				vals := make([]*big.Rat, len(is.Options))
				for k := range vals {
					vals[k] = row.at(k)
				}
				for j, k := range ks {
					vals[k] = new(big.Rat).Mul(f, Decimal(vs[j]))
				}
				row = bigRow(vals)
			}
			rf.rows[idx] = row
		}
	}
	for i := range rf.rows {
		if rf.rows[i].num == nil && rf.rows[i].vals == nil {
			rf.rows[i] = zeroRow(len(s.Issues[i].Options))
		}
	}
	sc := Decimal(scale)
	for _, r := range pr.Constraints {
		rf.rects = append(rf.rects, new(big.Rat).Quo(Decimal(r.Utility.Value), sc))
	}
	return rf
}

// inRange checks that the principal's utilities and reservation fit the
// fixed point (|u| ≤ MaxUtility), and reports the number responsible at
// its field path when they do not.
func (c *compiler) inRange(p string, pr *Preferences, rf *ratFn) bool {
	const limit = "parley holds utilities up to ±2.3·10^18 (2^61)"
	if rf.res != nil && new(big.Rat).Abs(rf.res).Cmp(ratMaxFixed) > 0 {
		c.errf(p+".reservation", "reservation value %g is out of range: %s", pr.Reservation.Value, limit)
		return false
	}
	if rf.boundF() <= MaxFixed {
		return true // the cheap upper bound suffices
	}
	b, worst := rf.bound()
	if b.Cmp(ratMaxFixed) <= 0 {
		return true
	}
	f, _ := b.Float64()
	if worst < 0 {
		j := -1 - worst
		c.errf(fmt.Sprintf("%s.constraints[%d].utility", p, j), "constraint utility %g is out of range: this principal's utility can reach %.3g, but %s", pr.Constraints[j].Utility.Value, f, limit)
		return false
	}
	// The issue with the largest contribution, and its largest value.
	for j := range pr.Issues {
		ip := &pr.Issues[j]
		if c.issueIndex(ip.Issue) != worst {
			continue
		}
		jp := fmt.Sprintf("%s.issues[%d]", p, j)
		at, what := jp+".weight", fmt.Sprintf("weight %g", ip.Weight.Value)
		best := 0.0
		for k, ov := range ip.Values {
			if a := math.Abs(ov.Value.Value); a > best {
				best = a
				at, what = fmt.Sprintf("%s.values[%d].value", jp, k), fmt.Sprintf("value %g", ov.Value.Value)
			}
		}
		for k, pt := range ip.Function {
			if a := math.Abs(pt.Y); a > best {
				best = a
				at, what = fmt.Sprintf("%s.function[%d]", jp, k), fmt.Sprintf("value %g", pt.Y)
			}
		}
		c.errf(at, "%s is out of range: this principal's utility can reach %.3g, but %s", what, f, limit)
		return false
	}
	c.errf(p, "utility out of range: it can reach %.3g, but %s", f, limit)
	return false
}

// region compiles a conjunction of conditions; several conditions on one
// issue intersect.
func (c *compiler) region(p string, conds []Condition) Region {
	var reg Region
	for k, cd := range conds {
		cp := fmt.Sprintf("%s[%d]", p, k)
		idx := c.issueIndex(cd.Issue)
		if idx < 0 {
			c.errf(cp+".issue", "unknown issue %q", cd.Issue)
			continue
		}
		is := &c.s.Issues[idx]
		for q, l := range cd.Options {
			if c.optionIndex(idx, l) < 0 {
				c.errf(fmt.Sprintf("%s.options[%d]", cp, q), "issue %q has no option %q", is.Name, l)
			}
		}
		if (cd.Min != nil || cd.Max != nil) && is.Kind == Categorical {
			c.errf(cp, "min/max need a numeric issue; %q is categorical", is.Name)
		}
		if len(cd.Options) == 0 && cd.Min == nil && cd.Max == nil {
			c.errf(cp, "a condition needs options or a min/max range")
		}
		in := cd.members(is, c.optIdx[idx])
		merged := false
		for q := range reg {
			if reg[q].Issue == idx {
				for o := range in {
					reg[q].In[o] = reg[q].In[o] && in[o]
				}
				merged = true
			}
		}
		if !merged {
			reg = append(reg, IssueSet{Issue: idx, In: in})
		}
	}
	return reg
}

// members returns, for every option of is, whether it meets the condition
// (as Meets does, labels being unique), in time linear in the options.
// opts maps is's labels to option indices.
func (cd Condition) members(is *Issue, opts map[string]int) []bool {
	in := make([]bool, len(is.Options))
	var named []bool
	if len(cd.Options) > 0 {
		named = make([]bool, len(is.Options))
		for _, l := range cd.Options {
			if k, ok := opts[l]; ok {
				named[k] = true
			}
		}
	}
	for o := range is.Options {
		x := named == nil || named[o]
		opt := &is.Options[o]
		if (cd.Min != nil || cd.Max != nil) && opt.NotAddressed {
			x = false
		}
		if cd.Min != nil && opt.Value < *cd.Min {
			x = false
		}
		if cd.Max != nil && opt.Value > *cd.Max {
			x = false
		}
		in[o] = x != cd.Exclude
	}
	return in
}

// Contributions returns a principal's additive utility in float64, as
// Compile computes it (in rationals) before fixing it: c[i][k] is option k
// of issue i's weighted contribution, and w[i] issue i's weight, both
// divided by the sum of the weights (when positive); values are divided by
// their issue's Scale. Issue preferences that name unknown issues or
// options are skipped (Compile reports them).
func (p *Preferences) Contributions(s *Scenario) (w []float64, c [][]float64) {
	w = make([]float64, len(s.Issues))
	c = make([][]float64, len(s.Issues))
	for i := range s.Issues {
		c[i] = make([]float64, len(s.Issues[i].Options))
	}
	var wsum, top float64
	for _, ip := range p.Issues {
		wsum += ip.Weight.Value
		top = math.Max(top, ip.Weight.Value)
	}
	pre := 1.0 // weights are divided by pre first when their sum overflows
	if math.IsInf(wsum, 1) && top > 0 {
		pre, wsum = top, 0
		for _, ip := range p.Issues {
			wsum += ip.Weight.Value / top
		}
	}
	for _, ip := range p.Issues {
		idx := s.IssueIndex(ip.Issue)
		if idx < 0 {
			continue
		}
		is := &s.Issues[idx]
		wi := ip.Weight.Value / pre
		w[idx] += wi
		if ip.Scale > 0 {
			wi /= ip.Scale
		}
		if len(ip.Function) > 0 {
			for k := range is.Options {
				if !is.Options[k].NotAddressed {
					c[idx][k] = wi * Eval(ip.Function, is.Options[k].Value)
				}
			}
		}
		if len(ip.Values) > 0 {
			opts := optionLookup(is)
			for _, ov := range ip.Values {
				if o, ok := opts[ov.Option]; ok {
					c[idx][o] = wi * ov.Value.Value
				}
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

package genius

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/parleyhq/parley"
)

// ProfileKind says how a profile's utility is built.
type ProfileKind int

// Profile kinds.
const (
	Additive  ProfileKind = iota // weighted sum of per-issue evaluators
	Nonlinear                    // sum of hyper-rectangle utilities (ANAC 2014)
)

// String returns the kind's name.
func (k ProfileKind) String() string {
	if k == Nonlinear {
		return "nonlinear"
	}
	return "additive"
}

// A Profile is a Genius preference profile (root <utility_space>) read
// against its domain.
type Profile struct {
	File string // the name given to ReadProfile
	Kind ProfileKind
	// Evaluators holds, for an Additive profile, one evaluator per domain
	// issue, in the domain's order.
	Evaluators []Evaluator
	// MaxUtility and Rects describe a Nonlinear profile: utility is the sum
	// of the rectangles' utilities divided by MaxUtility.
	MaxUtility float64
	Rects      []HyperRect
	// Reservation is the utility of no agreement (0 when the file gives
	// none, as in Genius); ReservationLine is the line of <reservation>.
	Reservation     float64
	ReservationLine int
	// Discount is the discount factor as Genius validates it: in (0, 1],
	// 1 meaning no discounting (also when the file gives none or an invalid
	// one).
	Discount float64
	Warnings []string // things Genius accepts that an analyst should know
}

// EvalKind names an evaluator's function.
type EvalKind int

// Evaluator functions. Each returns an issue utility, normally in [0, 1].
const (
	// EvalDiscrete: evaluation of the value divided by the largest
	// evaluation of the issue (0 for all values when that is below 1e-5).
	EvalDiscrete EvalKind = iota
	// EvalIntLinear: Genius 10.4 integer evaluator, offset + slope·(x −
	// Lower), clipped to [0, 1], where Lower is the profile's lowerbound.
	EvalIntLinear
	// EvalLinear: slope·x + offset (parameter1·x + parameter0), clipped to
	// [0, 1]; real issues and the legacy integer evaluator.
	EvalLinear
	// EvalConstant: parameter0 for every value.
	EvalConstant
	// EvalTriangular: 0 below Low, rising linearly to 1 at Top, falling
	// linearly to 0 at High, 0 from High on (parameter0, parameter2,
	// parameter1).
	EvalTriangular
	// EvalZero: an integer issue without <evaluator>; Genius evaluates it
	// as 0 everywhere.
	EvalZero
)

// An Evaluator is a profile's weight and value function for one issue.
type Evaluator struct {
	Issue  int     // position in Domain.Issues
	Weight float64 // as written; Compile divides weights by their sum
	Kind   EvalKind
	// Evaluations are a discrete issue's raw evaluations by value; Max is
	// the largest of them (values not in the domain included, as in Genius).
	Evaluations map[string]float64
	Max         float64
	// Slope, Offset and Lower parameterise the linear kinds; Low, Top and
	// High the triangular one; Offset is also the constant.
	Slope, Offset, Lower float64
	Low, Top, High       float64
	Line                 int // line of the <issue> element
}

// Value returns the evaluator's utility of an option: its label for a
// discrete issue, its number x for a numeric one.
func (e *Evaluator) Value(label string, x float64) float64 {
	switch e.Kind {
	case EvalDiscrete:
		if e.Max < 0.00001 {
			return 0
		}
		return e.Evaluations[label] / e.Max
	case EvalIntLinear:
		return clamp01(e.Offset + e.Slope*(x-e.Lower))
	case EvalLinear:
		return clamp01(e.Slope*x + e.Offset)
	case EvalConstant:
		return e.Offset
	case EvalTriangular:
		switch {
		case x < e.Low:
			return 0
		case x < e.Top:
			return (x - e.Low) / (e.Top - e.Low)
		case x < e.High:
			return 1 - (x-e.Top)/(e.High-e.Top)
		}
		return 0
	}
	return 0
}

// Rat returns the evaluator's utility of an option as Value does, but
// exactly: the profile's numbers are read as the decimals they were
// written as and the option's number is x.
func (e *Evaluator) Rat(label string, x *big.Rat) *big.Rat {
	d := parley.Decimal
	switch e.Kind {
	case EvalDiscrete:
		if e.Max < 0.00001 {
			return new(big.Rat)
		}
		return new(big.Rat).Quo(d(e.Evaluations[label]), d(e.Max))
	case EvalIntLinear:
		t := new(big.Rat).Sub(x, d(e.Lower))
		t.Mul(t, d(e.Slope))
		return clampRat(t.Add(t, d(e.Offset)))
	case EvalLinear:
		t := new(big.Rat).Mul(d(e.Slope), x)
		return clampRat(t.Add(t, d(e.Offset)))
	case EvalConstant:
		return d(e.Offset)
	case EvalTriangular:
		low, top, high := d(e.Low), d(e.Top), d(e.High)
		switch {
		case x.Cmp(low) < 0:
			return new(big.Rat)
		case x.Cmp(top) < 0:
			t := new(big.Rat).Sub(x, low)
			return t.Quo(t, new(big.Rat).Sub(top, low))
		case x.Cmp(high) < 0:
			t := new(big.Rat).Sub(x, top)
			t.Quo(t, new(big.Rat).Sub(high, top))
			return t.Sub(big.NewRat(1, 1), t)
		}
	}
	return new(big.Rat)
}

func clampRat(u *big.Rat) *big.Rat {
	if u.Sign() < 0 {
		return u.SetInt64(0)
	}
	if u.Cmp(big.NewRat(1, 1)) > 0 {
		return u.SetInt64(1)
	}
	return u
}

func clamp01(u float64) float64 {
	if u < 0 {
		return 0
	}
	if u > 1 {
		return 1
	}
	return u
}

// A HyperRect is one <hyperRectangle> of a nonlinear profile.
type HyperRect struct {
	// Utility is the rectangle's utility times its weight and the weights
	// of the enclosing <ufun> elements.
	Utility float64
	// Exclusive marks an EXCLUDES rectangle: its utility is earned by the
	// bids outside the box. An INCLUDES rectangle pays inside the box; one
	// with no bounds pays everywhere.
	Exclusive bool
	Bounds    []Bound
	Line      int
}

// A Bound restricts one integer issue to [Min, Max] (inclusive).
type Bound struct {
	Issue    int // position in Domain.Issues
	Min, Max float64
}

// ReadProfile parses a Genius profile against its domain d. name is used in
// error messages. Errors are *parley.PosError values (code parley.EINVALID)
// with the line and the reason; a profile that does not fit d (an issue
// index d lacks, a type that differs, a value without evaluation) is an
// error too.
func ReadProfile(name string, data []byte, d *Domain) (*Profile, error) {
	root, latin1, err := parseXML(name, data)
	if err != nil {
		return nil, err
	}
	r := &reader{file: name}
	if d == nil {
		return nil, r.errAt(root, "no domain given for the profile")
	}
	if latin1 {
		r.warnf(nil, "not valid UTF-8; read as Latin-1")
	}
	if root.name != "utility_space" {
		if root.name == "negotiation_template" {
			return nil, r.errAt(root, "this is a Genius domain (<negotiation_template>), not a profile (<utility_space>)")
		}
		return nil, r.errAt(root, "not a Genius profile: root element is <%s>, want <utility_space>", root.name)
	}
	p := &Profile{File: name, Discount: 1}
	typ, _ := root.get("type")
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "nonlinear":
		p.Kind = Nonlinear
		err = r.nonlinear(p, root, d)
	case "constraint":
		return nil, r.errAt(root, "constraint utility spaces (type=\"constraint\") are not supported")
	case "uncertain":
		r.warnf(root, "preference-uncertainty profile (type=\"UNCERTAIN\"): read as the underlying additive utility; the elicitation settings are ignored")
		err = r.additive(p, root, d)
	default:
		err = r.additive(p, root, d)
	}
	if err != nil {
		return nil, err
	}
	r.reservation(p, root)
	r.discount(p, root)
	p.Warnings = r.warnings
	return p, nil
}

func (r *reader) reservation(p *Profile, root *element) {
	el := root.kid("reservation")
	if el == nil {
		return
	}
	v, ok := el.get("value")
	if !ok {
		r.warnf(el, "<reservation> has no value; Genius ignores it, so the reservation value is 0")
		return
	}
	x, err := r.parseNum(el, "value", v)
	if err != nil {
		r.warnf(el, "reservation value %q is not a number; Genius ignores it, so the reservation value is 0", v)
		return
	}
	p.Reservation, p.ReservationLine = x, el.line
}

func (r *reader) discount(p *Profile, root *element) {
	el := root.kid("discount_factor")
	if el == nil {
		return
	}
	v, ok := el.get("value")
	if !ok {
		r.warnf(el, "<discount_factor> has no value; Genius ignores it: no discounting")
		return
	}
	x, err := r.parseNum(el, "value", v)
	if err != nil {
		r.warnf(el, "discount factor %q is not a number; Genius ignores it: no discounting", v)
		return
	}
	if x <= 0 || x > 1 {
		if x != 0 {
			r.warnf(el, "discount factor %v is outside (0, 1]; Genius discards it: no discounting", x)
		}
		return
	}
	p.Discount = x
}

// additive reads the weights and evaluators of an additive profile.
func (r *reader) additive(p *Profile, root *element, d *Domain) error {
	p.Evaluators = make([]Evaluator, len(d.Issues))
	found := make([]*element, len(d.Issues)) // the <issue> that gave the evaluator
	seen := make([]*element, len(d.Issues))  // any <issue> for the domain issue
	if err := r.additiveLevel(p, root, d, found, seen); err != nil {
		return err
	}
	for i := range d.Issues {
		if found[i] != nil {
			continue
		}
		if seen[i] != nil {
			return r.errAt(seen[i], "issue %q has no <weight index=\"%d\">; Genius cannot evaluate a bid without it", d.Issues[i].Name, d.Issues[i].Index)
		}
		return r.errAt(root, "the profile does not cover issue %q (index %d) of domain %s", d.Issues[i].Name, d.Issues[i].Index, d.File)
	}
	return nil
}

// additiveLevel reads the <issue> children of el with the <weight> siblings
// beside them, then recurses, as Genius' loadTreeRecursive does.
func (r *reader) additiveLevel(p *Profile, el *element, d *Domain, found, seen []*element) error {
	weights := map[int]float64{}
	for _, w := range el.kids("weight") {
		idx, err := r.integer(w, "index")
		if err != nil {
			return err
		}
		v, err := r.num(w, "value")
		if err != nil {
			return err
		}
		if v < 0 {
			return r.errAt(w, "weight of issue %d is negative (%v)", idx, v)
		}
		if _, dup := weights[idx]; dup {
			r.warnf(w, "weight of issue %d given twice; the last one counts, as in Genius", idx)
		}
		weights[idx] = v
	}
	for _, is := range el.kids("issue") {
		idx, err := r.integer(is, "index")
		if err != nil {
			return err
		}
		t, _ := issueType(is)
		if t == "objective" {
			continue
		}
		di := d.IssueByIndex(idx)
		if di < 0 {
			nm, _ := is.get("name")
			return r.errAt(is, "issue index %d (%q) is not in domain %s: the profile belongs to another domain", idx, nm, d.File)
		}
		dis := &d.Issues[di]
		if nm, ok := is.get("name"); ok && nm != dis.Name {
			r.warnf(is, "issue %d is named %q here but %q in the domain; Genius matches issues by index", idx, nm, dis.Name)
		}
		seen[di] = is
		w, ok := weights[idx]
		if !ok {
			continue
		}
		if found[di] != nil {
			return r.errAt(is, "issue %q is evaluated twice (also at line %d)", dis.Name, found[di].line)
		}
		ev, err := r.evaluator(is, t, dis, d)
		if err != nil {
			return err
		}
		ev.Issue, ev.Weight, ev.Line = di, w, is.line
		p.Evaluators[di] = ev
		found[di] = is
	}
	for _, c := range el.children {
		if c.name == "issue" || c.name == "weight" {
			continue
		}
		if err := r.additiveLevel(p, c, d, found, seen); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) evaluator(el *element, t string, dis *Issue, d *Domain) (Evaluator, error) {
	var ev Evaluator
	var want IssueType
	switch t {
	case "discrete":
		want = Discrete
	case "integer":
		want = Integer
	case "real":
		want = Real
	default:
		return ev, r.errAt(el, "issue %q has evaluator type %q; Genius evaluates only discrete, integer and real issues", dis.Name, t)
	}
	if want != dis.Type {
		return ev, r.errAt(el, "issue %q is %s in the profile but %s in domain %s", dis.Name, want, dis.Type, d.File)
	}
	switch want {
	case Discrete:
		return r.discreteEval(el, dis)
	case Integer:
		return r.integerEval(el, dis)
	}
	return r.realEval(el, dis)
}

func (r *reader) discreteEval(el *element, dis *Issue) (Evaluator, error) {
	ev := Evaluator{Kind: EvalDiscrete, Evaluations: map[string]float64{}}
	inDomain := map[string]bool{}
	for _, v := range dis.Values {
		inDomain[v] = true
	}
	first := true
	for _, it := range el.kids("item") {
		v, err := r.str(it, "value")
		if err != nil {
			return ev, err
		}
		s, ok := it.get("evaluation")
		if s == "null" {
			ok = false // Genius skips evaluation="null"
		}
		if !ok {
			if inDomain[v] {
				return ev, r.errAt(it, "value %q of issue %q has no evaluation", v, dis.Name)
			}
			continue
		}
		x, err := r.parseNum(it, "evaluation", s)
		if err != nil {
			return ev, err
		}
		if !inDomain[v] {
			r.warnf(it, "value %q is not in the domain's issue %q; its evaluation still counts in the maximum, as in Genius", v, dis.Name)
		}
		if _, dup := ev.Evaluations[v]; dup {
			r.warnf(it, "value %q of issue %q evaluated twice; the last one counts", v, dis.Name)
		}
		ev.Evaluations[v] = x
		if first || x > ev.Max {
			ev.Max, first = x, false
		}
	}
	for _, v := range dis.Values {
		if _, ok := ev.Evaluations[v]; !ok {
			hint := ""
			if nm, _ := el.get("name"); nm != dis.Name {
				hint = fmt.Sprintf(" (the profile calls this issue %q: it probably belongs to another domain)", nm)
			}
			return ev, r.errAt(el, "value %q of issue %q has no evaluation in the profile%s", v, dis.Name, hint)
		}
	}
	if ev.Max < 0.00001 {
		r.warnf(el, "largest evaluation of issue %q is %v (< 1e-5); Genius then values every option at 0", dis.Name, ev.Max)
	}
	return ev, nil
}

func (r *reader) integerEval(el *element, dis *Issue) (Evaluator, error) {
	ev := Evaluator{Kind: EvalIntLinear}
	e := el.kid("evaluator")
	_, hasSlope := attrOf(e, "slope")
	_, hasOffset := attrOf(e, "offset")
	_, hasP0 := attrOf(e, "parameter0")
	_, hasP1 := attrOf(e, "parameter1")
	if e != nil && !hasSlope && !hasOffset && (hasP0 || hasP1) {
		// Legacy (negotiator.utility) integer evaluator: parameter1·x +
		// parameter0 on the raw value, like the real evaluator.
		return r.paramEval(e, dis, false)
	}
	// Genius 10.4 reads lowerbound and upperbound from the profile's issue.
	lo, err := r.integer(el, "lowerbound")
	if err != nil {
		return ev, err
	}
	if _, err := r.integer(el, "upperbound"); err != nil {
		return ev, err
	}
	ev.Lower = float64(lo)
	if float64(lo) != dis.Lower {
		r.warnf(el, "issue %q has lowerbound %d here but %v in the domain; Genius' evaluator counts from the profile's", dis.Name, lo, dis.Lower)
	}
	if e == nil {
		r.warnf(el, "integer issue %q has no <evaluator>; Genius values it at 0 everywhere", dis.Name)
		ev.Kind = EvalZero
		return ev, nil
	}
	if ev.Slope, err = r.num(e, "slope"); err != nil {
		return ev, err
	}
	if ev.Offset, err = r.num(e, "offset"); err != nil {
		return ev, err
	}
	return ev, nil
}

func attrOf(e *element, name string) (string, bool) {
	if e == nil {
		return "", false
	}
	return e.get(name)
}

func (r *reader) realEval(el *element, dis *Issue) (Evaluator, error) {
	if el.kid("range") == nil {
		return Evaluator{}, r.errAt(el, "real issue %q needs a <range> child in the profile too (Genius reads it)", dis.Name)
	}
	e := el.kid("evaluator")
	if e == nil {
		return Evaluator{}, r.errAt(el, "real issue %q has no <evaluator>", dis.Name)
	}
	return r.paramEval(e, dis, true)
}

// paramEval reads an evaluator written with ftype and parameterN attributes.
func (r *reader) paramEval(e *element, dis *Issue, real bool) (Evaluator, error) {
	var ev Evaluator
	ft, err := r.str(e, "ftype")
	if err != nil {
		return ev, err
	}
	switch strings.ToLower(strings.TrimSpace(ft)) {
	case "linear":
		ev.Kind = EvalLinear
		if ev.Slope, err = r.num(e, "parameter1"); err != nil {
			return ev, err
		}
		if ev.Offset, err = r.num(e, "parameter0"); err != nil {
			return ev, err
		}
	case "constant":
		ev.Kind = EvalConstant
		if ev.Offset, err = r.num(e, "parameter0"); err != nil {
			return ev, err
		}
	case "triangular":
		if !real {
			return ev, r.errAt(e, "ftype %q is not supported for integer issue %q", ft, dis.Name)
		}
		ev.Kind = EvalTriangular
		if ev.Low, err = r.num(e, "parameter0"); err != nil {
			return ev, err
		}
		if ev.High, err = r.num(e, "parameter1"); err != nil {
			return ev, err
		}
		if ev.Top, err = r.num(e, "parameter2"); err != nil {
			return ev, err
		}
		if !(ev.Low <= ev.Top && ev.Top <= ev.High) || ev.Low == ev.High {
			return ev, r.errAt(e, "triangular evaluator of %q needs parameter0 <= parameter2 <= parameter1 with parameter0 < parameter1", dis.Name)
		}
	default:
		return ev, r.errAt(e, "evaluator ftype %q of issue %q is not supported (Genius evaluates linear, constant and triangular)", ft, dis.Name)
	}
	return ev, nil
}

// nonlinear reads an ANAC 2014 hyper-rectangle profile.
func (r *reader) nonlinear(p *Profile, root *element, d *Domain) error {
	var u *element
	for _, c := range root.children {
		if u = c.kid("utility"); u != nil {
			break
		}
	}
	if u == nil {
		return r.errAt(root, "nonlinear profile has no <utility> element")
	}
	mx, err := r.num(u, "maxutility")
	if err != nil {
		return err
	}
	if mx <= 0 {
		return r.errAt(u, "maxutility must be positive, got %v", mx)
	}
	p.MaxUtility = mx
	uf := u.kid("ufun")
	if uf == nil {
		return r.errAt(u, "<utility> has no <ufun>")
	}
	return r.ufun(p, uf, 1, d)
}

func (r *reader) ufun(p *Profile, uf *element, weight float64, d *Domain) error {
	agg, err := r.str(uf, "aggregation")
	if err != nil {
		return err
	}
	if !strings.EqualFold(strings.TrimSpace(agg), "sum") {
		return r.errAt(uf, "aggregation %q is not supported; only \"sum\" is", agg)
	}
	if _, ok := uf.get("weight"); ok {
		w, err := r.num(uf, "weight")
		if err != nil {
			return err
		}
		weight *= w
	}
	for _, hr := range uf.kids("hyperRectangle") {
		rect := HyperRect{Line: hr.line}
		u, err := r.num(hr, "utility")
		if err != nil {
			return err
		}
		w := 1.0
		if _, ok := hr.get("weight"); ok {
			if w, err = r.num(hr, "weight"); err != nil {
				return err
			}
		}
		rect.Utility = u * w * weight
		inc, exc := hr.kids("INCLUDES"), hr.kids("EXCLUDES")
		bounds := inc
		if len(inc) > 0 && len(exc) > 0 {
			return r.errAt(hr, "hyperRectangle has both INCLUDES and EXCLUDES bounds; Genius would silently use only the EXCLUDES ones")
		}
		if len(exc) > 0 {
			rect.Exclusive, bounds = true, exc
		}
		for _, b := range bounds {
			idx, err := r.integer(b, "index")
			if err != nil {
				return err
			}
			di := d.IssueByIndex(idx)
			if di < 0 {
				return r.errAt(b, "bound on issue index %d, which domain %s lacks", idx, d.File)
			}
			if d.Issues[di].Type != Integer {
				return r.errAt(b, "bound on %s issue %q; hyper-rectangles need integer issues", d.Issues[di].Type, d.Issues[di].Name)
			}
			bd := Bound{Issue: di}
			if bd.Min, err = r.num(b, "min"); err != nil {
				return err
			}
			if bd.Max, err = r.num(b, "max"); err != nil {
				return err
			}
			rect.Bounds = append(rect.Bounds, bd)
		}
		p.Rects = append(p.Rects, rect)
	}
	for _, inner := range uf.kids("ufun") {
		if err := r.ufun(p, inner, weight, d); err != nil {
			return err
		}
	}
	return nil
}

// describe is used in notes: "file (kind)".
func (p *Profile) describe() string { return fmt.Sprintf("%s (%s)", p.File, p.Kind) }

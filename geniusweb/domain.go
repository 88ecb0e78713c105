package geniusweb

import (
	"math/big"
	"strconv"
)

// MaxValues is the largest number of values a range issue may have.
const MaxValues = 1_000_000

// IssueKind says how a GeniusWeb issue's values are given.
type IssueKind int

// Issue kinds.
const (
	Discrete IssueKind = iota // DiscreteValueSet: {"values": ["a", "b"]}
	Number                    // NumberValueSet: {"range": {"low", "high", "step"}}
)

// A Domain is a GeniusWeb domain: a name and its issues in file order.
type Domain struct {
	File     string // the name given to ReadDomain (or to ReadProfile for an embedded domain)
	Name     string
	Issues   []Issue
	Warnings []string
	line     int
	col      int
}

// An Issue is one issue of a domain.
type Issue struct {
	Name string
	Kind IssueKind
	// Values are a discrete issue's values in file order.
	Values []string
	// Low, High and Step give a number issue's range; Numbers are its
	// values low, low+step, ... up to high, computed exactly.
	Low, High, Step *big.Rat
	Numbers         []*big.Rat
}

// ReadDomain parses a GeniusWeb domain file: {"name": ..., "issuesValues":
// {issue: {"values": [...]} | {"range": {"low": ..., "high": ..., "step": ...}}}}.
// name is the file name used in errors.
func ReadDomain(name string, data []byte) (*Domain, error) {
	root, err := parseJSON(name, data)
	if err != nil {
		return nil, err
	}
	r := &reader{file: name, data: data}
	d, err := r.domain(root, "")
	if err != nil {
		return nil, err
	}
	d.Warnings = append(d.Warnings, r.warnings...)
	return d, nil
}

func (r *reader) domain(n *node, path string) (*Domain, error) {
	if err := r.want(n, kObject, path); err != nil {
		return nil, err
	}
	if n.get("LinearAdditiveUtilitySpace") != nil {
		return nil, r.errf(n, path, "this is a profile (LinearAdditiveUtilitySpace), not a domain")
	}
	if err := r.keys(n, path, "name", "issuesValues"); err != nil {
		return nil, err
	}
	d := &Domain{File: r.file}
	d.line, d.col = pos(r.data, n.off)
	nm, err := r.req(n, path, "name")
	if err != nil {
		return nil, err
	}
	if err := r.want(nm, kString, join(path, "name")); err != nil {
		return nil, err
	}
	d.Name = nm.str
	iv, err := r.req(n, path, "issuesValues")
	if err != nil {
		return nil, err
	}
	ip := join(path, "issuesValues")
	if err := r.want(iv, kObject, ip); err != nil {
		return nil, err
	}
	if len(iv.keys) == 0 {
		return nil, r.errf(iv, ip, "a domain needs at least one issue")
	}
	for i, k := range iv.keys {
		is, err := r.issue(k, iv.vals[i], join(ip, k))
		if err != nil {
			return nil, err
		}
		d.Issues = append(d.Issues, is)
	}
	return d, nil
}

func (r *reader) issue(name string, n *node, path string) (Issue, error) {
	is := Issue{Name: name}
	if name == "" {
		return is, r.errf(n, path, "empty issue name")
	}
	if err := r.want(n, kObject, path); err != nil {
		return is, err
	}
	if err := r.keys(n, path, "values", "range"); err != nil {
		return is, err
	}
	vals, rg := n.get("values"), n.get("range")
	switch {
	case vals != nil && rg != nil:
		return is, r.errf(n, path, "issue %q has both values and a range; give one", name)
	case vals != nil:
		vp := join(path, "values")
		if err := r.want(vals, kArray, vp); err != nil {
			return is, err
		}
		if len(vals.vals) == 0 {
			return is, r.errf(vals, vp, "issue %q has no values", name)
		}
		seen := map[string]bool{}
		for j, v := range vals.vals {
			ep := vp + "[" + strconv.Itoa(j) + "]"
			if err := r.want(v, kString, ep); err != nil {
				return is, err
			}
			if v.str == "" {
				return is, r.errf(v, ep, "empty value in issue %q", name)
			}
			if seen[v.str] {
				return is, r.errf(v, ep, "value %q of issue %q is listed twice", v.str, name)
			}
			seen[v.str] = true
			is.Values = append(is.Values, v.str)
		}
	case rg != nil:
		is.Kind = Number
		rp := join(path, "range")
		if err := r.want(rg, kObject, rp); err != nil {
			return is, err
		}
		if err := r.keys(rg, rp, "low", "high", "step"); err != nil {
			return is, err
		}
		var xs [3]*big.Rat
		for j, k := range []string{"low", "high", "step"} {
			v, err := r.req(rg, rp, k)
			if err != nil {
				return is, err
			}
			if err := r.want(v, kNumber, join(rp, k)); err != nil {
				return is, err
			}
			xs[j] = v.rat()
		}
		is.Low, is.High, is.Step = xs[0], xs[1], xs[2]
		if is.Step.Sign() <= 0 {
			return is, r.errf(rg.get("step"), join(rp, "step"), "step must be positive, got %s", is.Step.RatString())
		}
		if is.Low.Cmp(is.High) > 0 {
			return is, r.errf(rg.get("high"), join(rp, "high"), "high %s is below low %s", is.High.RatString(), is.Low.RatString())
		}
		// count = floor((high-low)/step) + 1
		q := new(big.Rat).Sub(is.High, is.Low)
		q.Quo(q, is.Step)
		cnt := new(big.Int).Quo(q.Num(), q.Denom())
		if cnt.Cmp(big.NewInt(MaxValues-1)) >= 0 {
			return is, r.errf(rg, rp, "issue %q would have more than %d values", name, MaxValues)
		}
		for j := int64(0); j <= cnt.Int64(); j++ {
			v := new(big.Rat).Mul(is.Step, new(big.Rat).SetInt64(j))
			is.Numbers = append(is.Numbers, v.Add(v, is.Low))
		}
	default:
		return is, r.errf(n, path, "issue %q needs \"values\" (a discrete issue) or \"range\" (a number issue)", name)
	}
	return is, nil
}

// numberLabel is the option label of a number value: the float's shortest
// form, as parley labels numeric options.
func numberLabel(x *big.Rat) string {
	f, _ := x.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// sameDomain reports whether two domains have the same issues (in any
// order) with the same values (in the same order).
func sameDomain(a, b *Domain) bool {
	if len(a.Issues) != len(b.Issues) {
		return false
	}
	for i := range a.Issues {
		j := b.issueIndex(a.Issues[i].Name)
		if j < 0 {
			return false
		}
		x, y := &a.Issues[i], &b.Issues[j]
		if x.Name != y.Name || x.Kind != y.Kind || len(x.Values) != len(y.Values) || len(x.Numbers) != len(y.Numbers) {
			return false
		}
		for k := range x.Values {
			if x.Values[k] != y.Values[k] {
				return false
			}
		}
		for k := range x.Numbers {
			if x.Numbers[k].Cmp(y.Numbers[k]) != 0 {
				return false
			}
		}
	}
	return true
}

// issueIndex returns the position of the named issue, or -1.
func (d *Domain) issueIndex(name string) int {
	for i := range d.Issues {
		if d.Issues[i].Name == name {
			return i
		}
	}
	return -1
}

package geniusweb

import (
	"math/big"

	"github.com/parleyhq/parley"
)

// A Profile is a GeniusWeb LinearAdditiveUtilitySpace:
//
//	{"LinearAdditiveUtilitySpace": {"name": ..., "domain": {...},
//	  "issueUtilities": {issue: {"discreteutils": {"valueUtilities": {value: u}}}
//	                          | {"numberutils": {"lowValue", "lowUtility", "highValue", "highUtility"}}},
//	  "issueWeights": {issue: w}, "reservationBid": {"issuevalues": {issue: value}}}}
//
// Numbers are kept exact (as written) until Build converts them.
type Profile struct {
	File   string  // the name given to ReadProfile
	Name   string  // the profile's "name"; "" when absent
	Domain *Domain // the embedded "domain"; nil when the profile has none
	// Utilities and Weights are by issue name, in file order.
	Utilities []IssueUtility
	Weights   []Weight
	// ReservationBid is the "reservationBid" (nil when absent); its
	// utility becomes the reservation value.
	ReservationBid []BidValue
	// ReservationValue is the non-standard "reservationValue" extension
	// (nil when absent); when given it wins over the bid.
	ReservationValue *float64
	Warnings         []string

	r    *reader
	br   *reader          // notes of the last Build
	offs map[string]*node // positions for Build's errors
}

// IssueUtility is one issue's value-set utilities.
type IssueUtility struct {
	Issue string
	Kind  IssueKind
	// Discrete: the utility of each listed value, in file order.
	Values []string
	Utils  []*big.Rat
	// Number: linear from (LowValue, LowUtility) to (HighValue,
	// HighUtility), 0 outside [LowValue, HighValue].
	LowValue, LowUtility, HighValue, HighUtility *big.Rat

	n     *node
	index map[string]int // Values → position (first wins), for discrete
}

// Weight is one issue's weight.
type Weight struct {
	Issue string
	W     *big.Rat
	n     *node
}

// BidValue is one issue's value in a bid: a string for a discrete issue, a
// number for a number issue.
type BidValue struct {
	Issue string
	Str   string
	Num   *big.Rat // nil for a string
	n     *node
}

// ReadProfile parses a GeniusWeb profile file. name is the file name used in
// errors. Only LinearAdditiveUtilitySpace profiles are supported; others
// (SumOfGroupsUtilitySpace, partial orderings) are rejected. The values and
// issues are checked against the domain by Build.
func ReadProfile(name string, data []byte) (*Profile, error) {
	root, err := parseJSON(name, data)
	if err != nil {
		return nil, err
	}
	r := &reader{file: name, data: data}
	p, err := r.profile(root)
	if err != nil {
		return nil, err
	}
	p.Warnings = append(p.Warnings, r.warnings...)
	return p, nil
}

func (r *reader) profile(root *node) (*Profile, error) {
	n, err := r.profileSpace(root)
	if err != nil {
		return nil, err
	}
	const path = "LinearAdditiveUtilitySpace"
	if err := r.keys(n, path, "name", "domain", "issueUtilities", "issueWeights", "reservationBid", "reservationValue"); err != nil {
		return nil, err
	}
	p := &Profile{File: r.file, r: r, offs: map[string]*node{"": n}}
	if v := n.get("name"); v != nil {
		if err := r.want(v, kString, join(path, "name")); err != nil {
			return nil, err
		}
		p.Name = v.str
	}
	if v := n.get("domain"); v != nil {
		d, err := r.domain(v, join(path, "domain"))
		if err != nil {
			return nil, err
		}
		p.Domain = d
	}
	if p.Utilities, err = r.issueUtilities(n, path); err != nil {
		return nil, err
	}
	if p.Weights, err = r.issueWeights(n, path); err != nil {
		return nil, err
	}
	if v := n.get("reservationBid"); v != nil && v.kind != kNull {
		if p.ReservationBid, err = r.reservationBid(v, join(path, "reservationBid")); err != nil {
			return nil, err
		}
		p.offs["reservationBid"] = v
	}
	if v := n.get("reservationValue"); v != nil {
		if err := r.want(v, kNumber, join(path, "reservationValue")); err != nil {
			return nil, err
		}
		f := v.float()
		p.ReservationValue = &f
		p.offs["reservationValue"] = v
	}
	return p, nil
}

// profileSpace returns the LinearAdditiveUtilitySpace object under root,
// the one key of a profile file, rejecting domains and other profile types.
func (r *reader) profileSpace(root *node) (*node, error) {
	if err := r.want(root, kObject, ""); err != nil {
		return nil, err
	}
	if len(root.keys) != 1 {
		if root.get("issuesValues") != nil {
			return nil, r.errf(root, "", "this is a domain (issuesValues), not a profile")
		}
		return nil, r.errf(root, "", "expected an object with one key naming the profile type, such as LinearAdditiveUtilitySpace")
	}
	if root.keys[0] != "LinearAdditiveUtilitySpace" {
		return nil, errAt(r.file, r.data, root.koff[0], root.keys[0], "profile type %q is not supported; only LinearAdditiveUtilitySpace is", root.keys[0])
	}
	n := root.vals[0]
	if err := r.want(n, kObject, "LinearAdditiveUtilitySpace"); err != nil {
		return nil, err
	}
	return n, nil
}

// issueUtilities reads the required issueUtilities object of n (at path).
func (r *reader) issueUtilities(n *node, path string) ([]IssueUtility, error) {
	iu, err := r.req(n, path, "issueUtilities")
	if err != nil {
		return nil, err
	}
	up := join(path, "issueUtilities")
	if err := r.want(iu, kObject, up); err != nil {
		return nil, err
	}
	var us []IssueUtility
	for i, k := range iu.keys {
		u, err := r.issueUtility(k, iu.vals[i], join(up, k))
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, nil
}

// issueWeights reads the required issueWeights object of n (at path): a
// number, not negative, per issue.
func (r *reader) issueWeights(n *node, path string) ([]Weight, error) {
	iw, err := r.req(n, path, "issueWeights")
	if err != nil {
		return nil, err
	}
	wp := join(path, "issueWeights")
	if err := r.want(iw, kObject, wp); err != nil {
		return nil, err
	}
	var ws []Weight
	for i, k := range iw.keys {
		v := iw.vals[i]
		if err := r.want(v, kNumber, join(wp, k)); err != nil {
			return nil, err
		}
		w := v.rat()
		if w.Sign() < 0 {
			return nil, r.errf(v, join(wp, k), "weight must not be negative, got %s", v.num)
		}
		ws = append(ws, Weight{Issue: k, W: w, n: v})
	}
	return ws, nil
}

// reservationBid reads a reservationBid object v (at bp): its issuevalues,
// a string or a number per issue. The result is not nil.
func (r *reader) reservationBid(v *node, bp string) ([]BidValue, error) {
	if err := r.want(v, kObject, bp); err != nil {
		return nil, err
	}
	if err := r.keys(v, bp, "issuevalues"); err != nil {
		return nil, err
	}
	ivs, err := r.req(v, bp, "issuevalues")
	if err != nil {
		return nil, err
	}
	bp = join(bp, "issuevalues")
	if err := r.want(ivs, kObject, bp); err != nil {
		return nil, err
	}
	bid := []BidValue{}
	for i, k := range ivs.keys {
		x := ivs.vals[i]
		bv := BidValue{Issue: k, n: x}
		switch x.kind {
		case kString:
			bv.Str = x.str
		case kNumber:
			bv.Num = x.rat()
		default:
			return nil, r.errf(x, join(bp, k), "expected a string or a number, got %s", x.kind)
		}
		bid = append(bid, bv)
	}
	return bid, nil
}

func (r *reader) issueUtility(issue string, n *node, path string) (IssueUtility, error) {
	u := IssueUtility{Issue: issue, n: n}
	if err := r.want(n, kObject, path); err != nil {
		return u, err
	}
	if len(n.keys) != 1 || (n.keys[0] != "discreteutils" && n.keys[0] != "numberutils") {
		return u, r.errf(n, path, "expected {\"discreteutils\": {...}} or {\"numberutils\": {...}}")
	}
	v := n.vals[0]
	path = join(path, n.keys[0])
	if err := r.want(v, kObject, path); err != nil {
		return u, err
	}
	if n.keys[0] == "discreteutils" {
		if err := r.keys(v, path, "valueUtilities"); err != nil {
			return u, err
		}
		vu, err := r.req(v, path, "valueUtilities")
		if err != nil {
			return u, err
		}
		path = join(path, "valueUtilities")
		if err := r.want(vu, kObject, path); err != nil {
			return u, err
		}
		for i, k := range vu.keys {
			x := vu.vals[i]
			if err := r.want(x, kNumber, join(path, k)); err != nil {
				return u, err
			}
			q := x.rat()
			if outOfRange(q) {
				return u, r.errf(x, join(path, k), "utility %s of value %q of issue %q is out of range: %s", x.num, k, issue, rangeNote)
			}
			if q.Sign() < 0 || q.Cmp(big.NewRat(1, 1)) > 0 {
				r.warnf(x, "utility %s of value %q of issue %q is outside [0, 1] (GeniusWeb rejects it); used as written", x.num, k, issue)
			}
			u.Values = append(u.Values, k)
			u.Utils = append(u.Utils, q)
			if u.index == nil {
				u.index = map[string]int{}
			}
			if _, dup := u.index[k]; !dup {
				u.index[k] = len(u.Values) - 1
			}
		}
		return u, nil
	}
	u.Kind = Number
	if err := r.keys(v, path, "lowValue", "lowUtility", "highValue", "highUtility"); err != nil {
		return u, err
	}
	var xs [4]*big.Rat
	for j, k := range []string{"lowValue", "lowUtility", "highValue", "highUtility"} {
		x, err := r.req(v, path, k)
		if err != nil {
			return u, err
		}
		if err := r.want(x, kNumber, join(path, k)); err != nil {
			return u, err
		}
		xs[j] = x.rat()
		if j%2 == 1 && outOfRange(xs[j]) {
			return u, r.errf(x, join(path, k), "%s %s of issue %q is out of range: %s", k, x.num, issue, rangeNote)
		}
		if j%2 == 1 && (xs[j].Sign() < 0 || xs[j].Cmp(big.NewRat(1, 1)) > 0) {
			r.warnf(x, "%s %s of issue %q is outside [0, 1] (GeniusWeb rejects it); used as written", k, x.num, issue)
		}
	}
	u.LowValue, u.LowUtility, u.HighValue, u.HighUtility = xs[0], xs[1], xs[2], xs[3]
	if u.HighValue.Cmp(u.LowValue) <= 0 {
		return u, r.errf(v.get("highValue"), join(path, "highValue"), "highValue must be above lowValue")
	}
	return u, nil
}

// rangeNote names the limit of parley's fixed point.
const rangeNote = "parley holds utilities up to ±2.3·10^18 (2^61)"

var maxUtility = new(big.Rat).SetInt64(parley.MaxUtility)

// outOfRange reports whether |q| exceeds what parley's fixed point holds.
func outOfRange(q *big.Rat) bool { return new(big.Rat).Abs(q).Cmp(maxUtility) > 0 }

// number returns the issue utility of a number value x: linear
// interpolation between the low and high points, 0 outside them.
func (u *IssueUtility) number(x *big.Rat) *big.Rat {
	if x.Cmp(u.LowValue) < 0 || x.Cmp(u.HighValue) > 0 {
		return new(big.Rat)
	}
	du := new(big.Rat).Sub(u.HighUtility, u.LowUtility)
	dv := new(big.Rat).Sub(u.HighValue, u.LowValue)
	t := new(big.Rat).Sub(x, u.LowValue)
	t.Mul(t, du)
	t.Quo(t, dv)
	return t.Add(t, u.LowUtility)
}

// discrete returns the utility of a discrete value: as listed, 0 when the
// value is not listed.
func (u *IssueUtility) discrete(v string) *big.Rat {
	if u.index != nil {
		if i, ok := u.index[v]; ok {
			return u.Utils[i]
		}
		return new(big.Rat)
	}
	for i, x := range u.Values {
		if x == v {
			return u.Utils[i]
		}
	}
	return new(big.Rat)
}

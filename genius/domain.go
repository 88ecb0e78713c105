package genius

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// IssueType is the value type of a Genius issue.
type IssueType int

// Issue types.
const (
	Discrete IssueType = iota // named values (<item value=...>)
	Integer                   // every integer in [Lower, Upper]
	Real                      // a real interval [Lower, Upper]
)

// String returns the type as Genius writes it.
func (t IssueType) String() string {
	switch t {
	case Discrete:
		return "discrete"
	case Integer:
		return "integer"
	case Real:
		return "real"
	}
	return "unknown"
}

// maxIntegerOptions bounds the size of an integer issue's range.
const maxIntegerOptions = 1_000_000

// A Domain is a Genius domain file (root <negotiation_template>): the issues
// of the negotiation, in Genius' order (depth first, sub-objectives before
// the issues of an objective).
type Domain struct {
	File     string // the name given to ReadDomain
	Issues   []Issue
	Warnings []string // things Genius accepts that an analyst should know
}

// An Issue is one issue of a Domain.
type Issue struct {
	Index int    // Genius' issue number (the index attribute); profiles refer to it
	Name  string // unique within the domain
	Type  IssueType
	// Values and Descriptions are a Discrete issue's item values and
	// descriptions ("" when absent), in file order.
	Values       []string
	Descriptions []string
	// Lower and Upper bound an Integer or Real issue (inclusive).
	Lower, Upper float64
	Line         int // line of the <issue> tag
}

// IssueByIndex returns the position in d.Issues of the issue with Genius
// number index, or -1.
func (d *Domain) IssueByIndex(index int) int {
	for i := range d.Issues {
		if d.Issues[i].Index == index {
			return i
		}
	}
	return -1
}

// reader carries the file name for positioned errors.
type reader struct {
	file     string
	warnings []string
}

func (r *reader) errAt(el *element, format string, args ...any) error {
	pe := &parley.PosError{File: r.file, Err: parley.Errorf(parley.EINVALID, format, args...)}
	if el != nil {
		pe.Line, pe.Column, pe.Path = el.line, el.col, el.path
	}
	return pe
}

func (r *reader) warnf(el *element, format string, args ...any) {
	pos := r.file
	if el != nil {
		pos = fmt.Sprintf("%s:%d", r.file, el.line)
	}
	r.warnings = append(r.warnings, pos+": "+fmt.Sprintf(format, args...))
}

// str returns a required attribute.
func (r *reader) str(el *element, name string) (string, error) {
	v, ok := el.get(name)
	if !ok {
		return "", r.errAt(el, "<%s> needs attribute %q", el.name, name)
	}
	return v, nil
}

// num returns a required numeric attribute (finite, as Java's Double.valueOf
// reads it after trimming).
func (r *reader) num(el *element, name string) (float64, error) {
	v, err := r.str(el, name)
	if err != nil {
		return 0, err
	}
	return r.parseNum(el, name, v)
}

func (r *reader) parseNum(el *element, name, v string) (float64, error) {
	s := strings.TrimSpace(v)
	s = strings.TrimRight(s, "dDfF") // Java accepts "1.0d"
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, r.errAt(el, "attribute %q of <%s> must be a finite number, got %q", name, el.name, v)
	}
	return x, nil
}

// integer returns a required integer attribute.
func (r *reader) integer(el *element, name string) (int, error) {
	v, err := r.str(el, name)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, r.errAt(el, "attribute %q of <%s> must be an integer, got %q", name, el.name, v)
	}
	return n, nil
}

// ReadDomain parses a Genius domain file. name is used in error messages
// (usually the file path). Errors are *parley.PosError values with code
// parley.EINVALID that give the line and the reason.
func ReadDomain(name string, data []byte) (*Domain, error) {
	root, latin1, err := parseXML(name, data)
	if err != nil {
		return nil, err
	}
	r := &reader{file: name}
	if latin1 {
		r.warnf(nil, "not valid UTF-8; read as Latin-1")
	}
	if root.name != "negotiation_template" {
		if root.name == "utility_space" {
			return nil, r.errAt(root, "this is a Genius profile (<utility_space>), not a domain (<negotiation_template>)")
		}
		return nil, r.errAt(root, "not a Genius domain: root element is <%s>, want <negotiation_template>", root.name)
	}
	us := root.kid("utility_space")
	if us == nil {
		return nil, r.errAt(root, "<negotiation_template> has no <utility_space>")
	}
	obj := us.kid("objective")
	if obj == nil {
		return nil, r.errAt(us, "<utility_space> has no <objective>")
	}
	d := &Domain{File: name}
	if err := r.objective(d, obj); err != nil {
		return nil, err
	}
	if len(d.Issues) == 0 {
		return nil, r.errAt(obj, "the domain has no issues")
	}
	d.Warnings = r.warnings
	return d, nil
}

// objective collects the issues under obj in Genius' preorder: the
// sub-objectives first, then obj's own issues.
func (r *reader) objective(d *Domain, obj *element) error {
	for _, sub := range obj.kids("objective") {
		if err := r.objective(d, sub); err != nil {
			return err
		}
	}
	for _, el := range obj.kids("issue") {
		is, err := r.issue(el)
		if err != nil {
			return err
		}
		for _, o := range d.Issues {
			if o.Index == is.Index {
				return r.errAt(el, "issue index %d is used twice (also by %q at line %d)", is.Index, o.Name, o.Line)
			}
			if o.Name == is.Name {
				return r.errAt(el, "issue name %q is used twice (also at line %d)", is.Name, o.Line)
			}
		}
		d.Issues = append(d.Issues, is)
	}
	return nil
}

// issueType reads an issue's type the way Genius does: the "type"
// attribute decides; when it is absent the issue is discrete.
func issueType(el *element) (string, bool) {
	t, ok := el.get("type")
	if !ok {
		return "discrete", true
	}
	return strings.ToLower(strings.TrimSpace(t)), false
}

func (r *reader) issue(el *element) (Issue, error) {
	is := Issue{Line: el.line}
	var err error
	if is.Name, err = r.str(el, "name"); err != nil {
		return is, err
	}
	if strings.TrimSpace(is.Name) == "" {
		return is, r.errAt(el, "issue name is empty")
	}
	if is.Index, err = r.integer(el, "index"); err != nil {
		return is, err
	}
	t, _ := issueType(el)
	switch t {
	case "integer":
		is.Type = Integer
		lo, hi, err := r.intBounds(el)
		if err != nil {
			return is, err
		}
		if lo > hi {
			return is, r.errAt(el, "integer issue %q has lowerbound %d above upperbound %d", is.Name, lo, hi)
		}
		if hi-lo >= maxIntegerOptions {
			return is, r.errAt(el, "integer issue %q has %d values; at most %d are supported", is.Name, hi-lo+1, maxIntegerOptions)
		}
		is.Lower, is.Upper = float64(lo), float64(hi)
	case "real":
		is.Type = Real
		rg := el.kid("range")
		if rg == nil {
			return is, r.errAt(el, "real issue %q needs a <range lowerbound upperbound> child", is.Name)
		}
		if is.Lower, err = r.num(rg, "lowerbound"); err != nil {
			return is, err
		}
		if is.Upper, err = r.num(rg, "upperbound"); err != nil {
			return is, err
		}
		if is.Lower > is.Upper {
			return is, r.errAt(rg, "real issue %q has lowerbound %v above upperbound %v", is.Name, is.Lower, is.Upper)
		}
	default:
		if t != "discrete" {
			// Genius' ISSUETYPE falls back to discrete for an unknown type.
			r.warnf(el, "issue %q has unknown type %q; read as discrete, as Genius does", is.Name, t)
		}
		is.Type = Discrete
		items := el.kids("item")
		if len(items) == 0 {
			return is, r.errAt(el, "discrete issue %q has no <item> values", is.Name)
		}
		seen := map[string]int{}
		for _, it := range items {
			v, err := r.str(it, "value")
			if err != nil {
				return is, err
			}
			if v == "" {
				return is, r.errAt(it, "empty value in issue %q", is.Name)
			}
			if l, dup := seen[v]; dup {
				// Genius compares values by their text, so the copy is the
				// same value; it would only list the same bids twice.
				r.warnf(it, "value %q of issue %q is listed twice (also at line %d); kept once", v, is.Name, l)
				continue
			}
			seen[v] = it.line
			desc, _ := it.get("description")
			is.Values = append(is.Values, v)
			is.Descriptions = append(is.Descriptions, desc)
		}
	}
	return is, nil
}

// intBounds reads an integer issue's bounds: the lowerbound and upperbound
// attributes of the issue (Genius 10.4), or, as older Genius versions wrote
// them, of a <range> child.
func (r *reader) intBounds(el *element) (int, int, error) {
	src := el
	if _, ok := el.get("lowerbound"); !ok {
		if rg := el.kid("range"); rg != nil {
			src = rg
		}
	}
	lo, err := r.integer(src, "lowerbound")
	if err != nil {
		return 0, 0, err
	}
	hi, err := r.integer(src, "upperbound")
	if err != nil {
		return 0, 0, err
	}
	return lo, hi, nil
}

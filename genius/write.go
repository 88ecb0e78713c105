package genius

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/lossy"
	"github.com/parleyhq/parley/internal/naming"
)

// maxRects bounds the hyper-rectangles of one exported nonlinear profile.
const maxRects = 100_000

// Write exports s as Genius XML into dir (created if needed): a domain
// <id>-domain.xml and one profile <party>.xml per party (file names keep
// letters, digits, '-', '_' and '.'; Load names the parties after them). It
// returns the files written, domain first, and warnings for everything the
// format cannot express. s must compile.
//
// Each party becomes one profile. A delegation is exported as its factions'
// weighted-mean utility (the utility parley's analysis uses), with a
// warning: factions, their weights and the ratification rule are lost.
//
// Additive utilities: categorical issues become discrete issues whose item
// evaluations are the utilities divided by the issue's largest one, and
// integer issues whose every party's utility is linear (and non-negative)
// become integer issues with a linear evaluator (offset, slope); other
// numeric issues (real ones, which Genius treats as continuous, and
// non-linear integer ones) become discrete issues of their option labels,
// with a warning. Genius divides discrete evaluations by their maximum, so
// the weights are the issues' largest contributions, divided by their sum
// S; when S is not 1 (some issue's best option is worth less than its
// weight) the exported utility and reservation value are the original ones
// divided by S, with a warning. Option clauses become item descriptions.
//
// Hyper-rectangle constraints: when every issue is an integer range, a
// party with constraints is written as a nonlinear (ANAC 2014) profile with
// maxutility 1: its additive part as one rectangle per option, its
// constraints as rectangles over the intervals of their regions. Otherwise
// the constraints are dropped, with a warning. Red lines, roles, variants,
// sources, estimate ranges and "not addressed" marks are reported in
// warnings; reservation values and discount factors are written.
func Write(dir string, s *parley.Scenario) (files []string, warnings []string, err error) {
	m, err := s.Compile()
	if err != nil {
		return nil, nil, err
	}
	warnings = lossy.Features(s)
	pus := partyUtils(s, m)
	types, intRange, nonlinear := issueTypes(s, pus)
	for p := range pus {
		if len(pus[p].rects) > 0 && !nonlinear[p] {
			warnings = append(warnings, fmt.Sprintf("party %q: %d hyper-rectangle constraints are not exported: Genius nonlinear profiles need every issue to be an integer range (and every other party linear on them); its utility loses them", pus[p].name, len(pus[p].rects)))
		}
	}
	for i := range s.Issues {
		if s.Issues[i].Kind != parley.Categorical && !types[i] {
			warnings = append(warnings, fmt.Sprintf("issue %q (%s) is exported as a discrete issue of its option labels: %s", s.Issues[i].Name, s.Issues[i].Kind, whyDiscrete(&s.Issues[i], intRange[i])))
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, warnings, &parley.Error{Code: parley.EINTERNAL, Message: "genius: creating " + dir, Err: err}
	}
	used := map[string]bool{}
	write := func(base string, data []byte) error {
		fn := filepath.Join(dir, naming.Unique(safeFile(base), used)+".xml")
		if err := os.WriteFile(fn, data, 0o644); err != nil {
			return &parley.Error{Code: parley.EINTERNAL, Message: "genius: writing " + fn, Err: err}
		}
		files = append(files, fn)
		return nil
	}
	if err := write(s.ID+"-domain", domainXML(s, types)); err != nil {
		return files, warnings, err
	}
	for p := range pus {
		pu := &pus[p]
		if naming.Unique(safeFile(pu.name), map[string]bool{}) != pu.name {
			warnings = append(warnings, fmt.Sprintf("party %q is written to a file named %q; Load names the party after it", pu.name, safeFile(pu.name)))
		}
		var data []byte
		if nonlinear[p] {
			data, err = nonlinearXML(s, m, pu)
			if err != nil {
				return files, warnings, err
			}
		} else {
			data = additiveXML(s, pu, types, &warnings)
		}
		if err := write(pu.name, data); err != nil {
			return files, warnings, err
		}
	}
	return files, warnings, nil
}

// issueTypes decides how each issue and party is written. An issue that is
// an exact integer range (intRange) is written as an integer issue (types)
// when every additive party is linear and non-negative on it. A party with
// rects is written as a nonlinear profile when every issue is an integer
// range and typed so; otherwise every party is additive and loses its rects.
func issueTypes(s *parley.Scenario, pus []partyUtil) (types, intRange, nonlinear []bool) {
	n := len(s.Issues)
	intRange = make([]bool, n)
	allInt := true
	for i := range s.Issues {
		intRange[i] = exactIntRange(&s.Issues[i])
		allInt = allInt && intRange[i]
	}
	nonlinear = make([]bool, len(pus))
	for p := range pus {
		nonlinear[p] = len(pus[p].rects) > 0 && allInt
	}
	isInt := func() []bool {
		out := make([]bool, n)
		for i := range s.Issues {
			out[i] = intRange[i]
			for p := range pus {
				if !nonlinear[p] && out[i] && !linearNonNeg(&s.Issues[i], pus[p].c[i]) {
					out[i] = false
				}
			}
		}
		return out
	}
	types = isInt()
	allTyped := true
	for i := range types {
		allTyped = allTyped && types[i]
	}
	if !allTyped {
		changed := false
		for p := range nonlinear {
			if nonlinear[p] {
				nonlinear[p], changed = false, true
			}
		}
		if changed {
			types = isInt()
		}
	}
	return types, intRange, nonlinear
}

// domainXML returns the domain file: one objective holding the issues,
// typed as types says.
func domainXML(s *parley.Scenario, types []bool) []byte {
	var b bytes.Buffer
	b.WriteString("<negotiation_template>\n")
	fmt.Fprintf(&b, "<utility_space number_of_issues=\"%d\">\n", len(s.Issues))
	b.WriteString("<objective index=\"0\" name=\"root\" type=\"objective\" etype=\"objective\" description=\"\">\n")
	for i := range s.Issues {
		issueXML(&b, &s.Issues[i], i, types[i], nil, 0)
		b.WriteString("</issue>\n")
	}
	b.WriteString("</objective>\n</utility_space>\n</negotiation_template>\n")
	return b.Bytes()
}

func whyDiscrete(is *parley.Issue, intRange bool) string {
	switch {
	case is.Kind == parley.Real:
		return "Genius real issues are continuous and the importer samples them"
	case !intRange:
		return "its options are not the integers from min to max"
	}
	return "some party's utility is not linear (or is negative) on it"
}

// exactIntRange reports whether an issue's options are exactly the integers
// from its first to its last value, labelled as parley labels them.
func exactIntRange(is *parley.Issue) bool {
	if is.Kind != parley.Integer || len(is.Options) == 0 {
		return false
	}
	lo := is.Options[0].Value
	if lo != math.Trunc(lo) || math.Abs(lo) > 1<<31 || math.Abs(lo+float64(len(is.Options))) > 1<<31 {
		return false
	}
	gen := parley.NumericOptions(parley.Integer, lo, lo+float64(len(is.Options)-1), 0)
	for k, o := range is.Options {
		if o.Label != gen[k].Label || o.Value != gen[k].Value || o.NotAddressed {
			return false
		}
	}
	return true
}

// linearNonNeg reports whether c (a party's contributions on an integer
// issue) is linear in the option value and non-negative.
func linearNonNeg(is *parley.Issue, c []float64) bool {
	n := len(c)
	for _, x := range c {
		if x < 0 {
			return false
		}
	}
	if n < 2 {
		return true
	}
	x0, xn := is.Options[0].Value, is.Options[n-1].Value
	scale := math.Max(math.Max(c[0], c[n-1]), 1)
	for k, o := range is.Options {
		lin := c[0] + (c[n-1]-c[0])*(o.Value-x0)/(xn-x0)
		if math.Abs(lin-c[k]) > 1e-12*scale {
			return false
		}
	}
	return true
}

// issueXML writes an <issue> start tag with its items; evals, when not nil,
// gives a discrete issue's evaluations, and for an integer issue in a
// profile the evaluator is written by the caller.
func issueXML(b *bytes.Buffer, is *parley.Issue, i int, integer bool, evals []float64, _ int) {
	if integer {
		lo, hi := is.Options[0].Value, is.Options[len(is.Options)-1].Value
		fmt.Fprintf(b, "<issue index=\"%d\" name=\"%s\" type=\"integer\" etype=\"integer\" vtype=\"integer\" lowerbound=\"%s\" upperbound=\"%s\">\n", i+1, esc(is.Name), fnum(lo), fnum(hi))
		return
	}
	fmt.Fprintf(b, "<issue index=\"%d\" name=\"%s\" type=\"discrete\" etype=\"discrete\" vtype=\"discrete\">\n", i+1, esc(is.Name))
	for k, o := range is.Options {
		fmt.Fprintf(b, "  <item index=\"%d\" value=\"%s\"", k+1, esc(o.Label))
		if o.Clause != "" {
			fmt.Fprintf(b, " description=\"%s\"", esc(o.Clause))
		}
		if evals != nil {
			fmt.Fprintf(b, " evaluation=\"%s\"", fnum(evals[k]))
		}
		b.WriteString("/>\n")
	}
}

func additiveXML(s *parley.Scenario, pu *partyUtil, types []bool, warnings *[]string) []byte {
	n := len(s.Issues)
	w := make([]float64, n)
	var sum float64
	neg := false
	for i := range s.Issues {
		for _, x := range pu.c[i] {
			w[i] = math.Max(w[i], x)
			neg = neg || x < 0
		}
		sum += w[i]
	}
	if neg {
		*warnings = append(*warnings, fmt.Sprintf("party %q: negative utilities are written as negative evaluations; Genius divides them by the issue's largest one, which may change them", pu.name))
	}
	scale := 1.0
	if sum > 0 && math.Abs(sum-1) > 1e-12 {
		scale = sum
		*warnings = append(*warnings, fmt.Sprintf("party %q: its best outcome is worth %v, but Genius normalises discrete evaluations to a best value of 1; utilities and the reservation value are exported divided by %v", pu.name, sum, sum))
	}
	var b bytes.Buffer
	b.WriteString("<utility_space>\n")
	b.WriteString("<objective index=\"0\" name=\"root\" type=\"objective\" etype=\"objective\" description=\"\">\n")
	for i := range s.Issues {
		is := &s.Issues[i]
		if types[i] {
			issueXML(&b, is, i, true, nil, 0)
			off, slope := 0.0, 0.0
			if w[i] > 0 {
				c := pu.c[i]
				k := len(c) - 1
				off = c[0] / w[i]
				if k > 0 {
					slope = (c[k] - c[0]) / w[i] / (is.Options[k].Value - is.Options[0].Value)
				}
			}
			fmt.Fprintf(&b, "  <evaluator ftype=\"linear\" offset=\"%s\" slope=\"%s\"/>\n", fnum(off), fnum(slope))
		} else {
			ev := make([]float64, len(is.Options))
			for k := range ev {
				if w[i] > 0 {
					ev[k] = pu.c[i][k] / w[i]
				}
			}
			issueXML(&b, is, i, false, ev, 0)
		}
		b.WriteString("</issue>\n")
	}
	for i := range s.Issues {
		wi := 0.0
		if sum > 0 {
			wi = w[i] / sum
		}
		fmt.Fprintf(&b, "<weight index=\"%d\" value=\"%s\"/>\n", i+1, fnum(wi))
	}
	b.WriteString("</objective>\n")
	tail(&b, pu, scale, warnings)
	b.WriteString("</utility_space>\n")
	return b.Bytes()
}

// tail writes the reservation value and the discount factor.
func tail(b *bytes.Buffer, pu *partyUtil, scale float64, warnings *[]string) {
	fmt.Fprintf(b, "<reservation value=\"%s\"/>\n", fnum(pu.res/scale))
	switch {
	case pu.discMixed:
		*warnings = append(*warnings, fmt.Sprintf("party %q: its factions discount differently; no discount factor is exported", pu.name))
	case pu.disc > 0 && pu.disc < 1:
		fmt.Fprintf(b, "<discount_factor value=\"%s\"/>\n", fnum(pu.disc))
	}
}

// nonlinearXML writes a party as an ANAC 2014 hyper-rectangle profile; every
// issue is an integer range.
func nonlinearXML(s *parley.Scenario, m *parley.Model, pu *partyUtil) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("<utility_space type=\"nonlinear\">\n")
	b.WriteString("<objective index=\"0\" name=\"root\" type=\"objective\" etype=\"objective\" description=\"\">\n")
	for i := range s.Issues {
		issueXML(&b, &s.Issues[i], i, true, nil, 0)
		b.WriteString("</issue>\n")
	}
	b.WriteString("<utility maxutility=\"1\">\n<ufun type=\"PlainUfun\" weight=\"1\" aggregation=\"sum\">\n")
	count := 0
	rect := func(u float64, bounds [][3]float64) {
		count++
		fmt.Fprintf(&b, "  <hyperRectangle utility_function_type=\"PlainUfun\" utility=\"%s\">\n", fnum(u))
		for _, bd := range bounds {
			fmt.Fprintf(&b, "    <INCLUDES index=\"%d\" min=\"%s\" max=\"%s\"/>\n", int(bd[0])+1, fnum(bd[1]), fnum(bd[2]))
		}
		b.WriteString("  </hyperRectangle>\n")
	}
	for i := range s.Issues {
		for k, c := range pu.c[i] {
			if c != 0 {
				x := s.Issues[i].Options[k].Value
				rect(c, [][3]float64{{float64(i), x, x}})
			}
		}
	}
	for _, r := range pu.rects {
		// The region as a product of intervals of option values.
		var per [][][3]float64
		empty := false
		for _, set := range r.region {
			var ivs [][3]float64
			for k := 0; k < len(set.In); {
				if !set.In[k] {
					k++
					continue
				}
				j := k
				for j+1 < len(set.In) && set.In[j+1] {
					j++
				}
				opts := s.Issues[set.Issue].Options
				ivs = append(ivs, [3]float64{float64(set.Issue), opts[k].Value, opts[j].Value})
				k = j + 1
			}
			if len(ivs) == 0 {
				empty = true
			}
			per = append(per, ivs)
		}
		if empty {
			continue // no outcome meets it
		}
		idx := make([]int, len(per))
		for {
			var bounds [][3]float64
			for q := range per {
				bounds = append(bounds, per[q][idx[q]])
			}
			rect(r.u, bounds)
			if count > maxRects {
				return nil, parley.Errorf(parley.ELIMIT, "genius: party %q needs more than %d hyper-rectangles", pu.name, maxRects)
			}
			q := len(per) - 1
			for ; q >= 0; q-- {
				idx[q]++
				if idx[q] < len(per[q]) {
					break
				}
				idx[q] = 0
			}
			if q < 0 {
				break
			}
		}
	}
	b.WriteString("</ufun>\n</utility>\n</objective>\n")
	tail(&b, pu, 1, new([]string))
	b.WriteString("</utility_space>\n")
	return b.Bytes(), nil
}

func fnum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// esc escapes an attribute value.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		case '\n':
			b.WriteString("&#10;")
		case '\r':
			b.WriteString("&#13;")
		case '\t':
			b.WriteString("&#9;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// safeFile makes s safe as a file name.
func safeFile(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if strings.Trim(b.String(), ".") == "" {
		return "x"
	}
	return b.String()
}

// partyUtil is a party's utility as the exporter sees it: per-option
// weighted contributions c[i][k] (u(o) = Σ_i c[i][o_i] + Σ rects), the
// reservation value and discount. A delegation is its factions' weighted
// mean.
type partyUtil struct {
	name      string
	c         [][]float64
	rects     []rectU
	res       float64
	disc      float64
	discMixed bool
}

type rectU struct {
	u      float64
	region parley.Region
}

func partyUtils(s *parley.Scenario, m *parley.Model) []partyUtil {
	var out []partyUtil
	for pi := range s.Parties {
		p := &s.Parties[pi]
		pu := partyUtil{name: p.Name}
		fs := p.Principals()
		pu.c = make([][]float64, len(s.Issues))
		for i := range s.Issues {
			pu.c[i] = make([]float64, len(s.Issues[i].Options))
		}
		for j, f := range fs {
			fw := m.Parties[pi].Weights[j]
			if len(fs) == 1 {
				fw = 1
			}
			_, c := f.Preferences.Contributions(s)
			for i := range c {
				for k := range c[i] {
					if len(fs) == 1 {
						pu.c[i][k] = c[i][k]
					} else {
						pu.c[i][k] += fw * c[i][k]
					}
				}
			}
			pu.res += fw * f.Preferences.Reservation.Value
			scale := f.Preferences.Scale
			if scale == 0 {
				scale = 1
			}
			for r, ct := range f.Preferences.Constraints {
				pu.rects = append(pu.rects, rectU{u: fw * ct.Utility.Value / scale, region: m.Parties[pi].Principals[j].Utility.Rects[r].Region})
			}
			d := f.Preferences.Discount.Value
			if j == 0 {
				pu.disc = d
			} else if d != pu.disc {
				pu.discMixed = true
			}
		}
		out = append(out, pu)
	}
	return out
}

package genius

import (
	"encoding/xml"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/randscen"
)

// An independent reading of Genius files with encoding/xml, evaluated as
// Genius 10.4 does (AdditiveUtilitySpace, EvaluatorDiscrete,
// EvaluatorInteger, NonlinearUtilitySpace): weights used as written, not
// normalised; discrete evaluations divided by the issue's largest; integer
// evaluators offset + slope·(x − lowerbound) clipped to [0, 1];
// hyper-rectangles summed with their own and their <ufun>s' weights and
// divided by maxutility; the total capped at 1. It shares no code with the
// importer, so a wrong exported file cannot hide behind a matching reader.

type gxNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Kids    []gxNode   `xml:",any"`
}

func (n *gxNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n *gxNode) num(t *testing.T, name string) float64 {
	t.Helper()
	s, ok := n.attr(name)
	if !ok {
		t.Fatalf("<%s> has no %s", n.XMLName.Local, name)
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, s, err)
	}
	return x
}

func (n *gxNode) walk(f func(*gxNode)) {
	f(n)
	for i := range n.Kids {
		n.Kids[i].walk(f)
	}
}

func readGX(t *testing.T, path string) *gxNode {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var n gxNode
	if err := xml.Unmarshal(data, &n); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &n
}

// gxProfile evaluates bids given as issue index → value (label or number).
type gxProfile struct {
	eval        func(bid map[int]string) float64
	reservation float64
}

func gxRead(t *testing.T, path string) gxProfile {
	t.Helper()
	root := readGX(t, path)
	var p gxProfile
	root.walk(func(n *gxNode) {
		if n.XMLName.Local == "reservation" {
			p.reservation = n.num(t, "value")
		}
	})
	if typ, _ := root.attr("type"); typ == "nonlinear" {
		var mx float64
		type rect struct {
			u       float64
			exclude bool
			bounds  [][3]float64 // index, min, max
		}
		var rects []rect
		var ufun func(n *gxNode, w float64)
		ufun = func(n *gxNode, w float64) {
			if _, ok := n.attr("weight"); ok {
				w *= n.num(t, "weight")
			}
			for i := range n.Kids {
				k := &n.Kids[i]
				switch k.XMLName.Local {
				case "ufun":
					ufun(k, w)
				case "hyperRectangle":
					r := rect{u: k.num(t, "utility") * w}
					if _, ok := k.attr("weight"); ok {
						r.u *= k.num(t, "weight")
					}
					for j := range k.Kids {
						b := &k.Kids[j]
						r.exclude = b.XMLName.Local == "EXCLUDES"
						r.bounds = append(r.bounds, [3]float64{b.num(t, "index"), b.num(t, "min"), b.num(t, "max")})
					}
					rects = append(rects, r)
				}
			}
		}
		root.walk(func(n *gxNode) {
			if n.XMLName.Local == "utility" && mx == 0 {
				mx = n.num(t, "maxutility")
				for i := range n.Kids {
					if n.Kids[i].XMLName.Local == "ufun" {
						ufun(&n.Kids[i], 1)
						break
					}
				}
			}
		})
		p.eval = func(bid map[int]string) float64 {
			var s float64
			for _, r := range rects {
				in := true
				for _, b := range r.bounds {
					x, _ := strconv.ParseFloat(bid[int(b[0])], 64)
					if x < b[1] || x > b[2] {
						in = false
					}
				}
				if in != r.exclude {
					s += r.u
				}
			}
			return math.Min(s/mx, 1)
		}
		return p
	}
	weights := map[int]float64{}
	evals := map[int]func(v string) float64{}
	root.walk(func(n *gxNode) {
		switch n.XMLName.Local {
		case "weight":
			weights[int(n.num(t, "index"))] = n.num(t, "value")
		case "issue":
			idx := int(n.num(t, "index"))
			typ, _ := n.attr("type")
			switch typ {
			case "integer":
				lo := n.num(t, "lowerbound")
				var slope, offset float64
				for i := range n.Kids {
					if n.Kids[i].XMLName.Local == "evaluator" {
						slope, offset = n.Kids[i].num(t, "slope"), n.Kids[i].num(t, "offset")
					}
				}
				evals[idx] = func(v string) float64 {
					x, _ := strconv.ParseFloat(v, 64)
					return math.Min(math.Max(offset+slope*(x-lo), 0), 1)
				}
			default:
				ev := map[string]float64{}
				mx := math.Inf(-1)
				for i := range n.Kids {
					if it := &n.Kids[i]; it.XMLName.Local == "item" {
						v, _ := it.attr("value")
						ev[v] = it.num(t, "evaluation")
						mx = math.Max(mx, ev[v])
					}
				}
				evals[idx] = func(v string) float64 {
					if mx < 0.00001 {
						return 0
					}
					return ev[v] / mx
				}
			}
		}
	})
	p.eval = func(bid map[int]string) float64 {
		var s float64
		for idx, v := range bid {
			s += weights[idx] * evals[idx](v)
		}
		return math.Min(s, 1)
	}
	return p
}

// bidOf writes an outcome as Genius bid values: issue index (1-based, as
// the writer numbers them) → label or number.
func bidOf(s *parley.Scenario, o parley.Outcome) map[int]string {
	bid := map[int]string{}
	for i, k := range o {
		bid[i+1] = s.Issues[i].Options[k].Label
	}
	return bid
}

// TestWriteFollowsGeniusSemantics exports scenarios whose weights do not
// sum to 1 and whose best outcomes are worth less or more than 1, then
// evaluates the written files as Genius would: every utility must be the
// scenario's (divided by the scale the export warns about, capped at 1 as
// Genius caps), and so must the reservation value.
func TestWriteFollowsGeniusSemantics(t *testing.T) {
	t.Parallel()
	type named struct {
		name string
		s    *parley.Scenario
	}
	var cases []named
	for seed := uint64(0); seed < 40; seed++ {
		r := rand.New(rand.NewPCG(seed, 21))
		s := randscen.New(r, randscen.Options{Rects: seed%2 == 1, Decimals: true})
		s.Roles = nil
		if seed%4 == 3 {
			integerIssues(s) // nonlinear profiles need integer issues
		}
		cases = append(cases, named{fmt.Sprintf("random %d", seed), s})
	}
	checked, scaled, nonlinear := 0, 0, 0
	for _, c := range cases {
		m, err := c.s.Compile()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		dir := t.TempDir()
		files, warns, err := Write(dir, c.s)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		div := map[string]float64{}
		skip := map[string]bool{}
		for _, w := range warns {
			if sm := scaledRe.FindStringSubmatch(w); sm != nil {
				div[sm[1]], _ = strconv.ParseFloat(sm[2], 64)
			}
			if strings.Contains(w, "constraints are not exported") || strings.Contains(w, "negative utilities") {
				skip[strings.Split(w, `"`)[1]] = true
			}
		}
		for p := range c.s.Parties {
			name := c.s.Parties[p].Name
			if skip[name] {
				continue
			}
			d := 1.0
			if x, ok := div[name]; ok {
				d, scaled = x, scaled+1
			}
			g := gxRead(t, files[1+p])
			if strings.Contains(readFile(t, files[1+p]), `type="nonlinear"`) {
				nonlinear++
			}
			u := &m.Parties[p].Utility
			if want := u.F(m.Parties[p].Reservation) / d; math.Abs(g.reservation-want) > 1e-9 {
				t.Errorf("%s: %s: reservation written %v, want %v", c.name, name, g.reservation, want)
			}
			for o := range m.Outcomes() {
				want := math.Min(u.F(u.Eval(o))/d, 1)
				if got := g.eval(bidOf(c.s, o)); math.Abs(got-want) > 1e-9 {
					t.Fatalf("%s: %s: outcome %v: Genius reads %v from the file, want %v (scale %v)", c.name, name, o, got, want, d)
				}
			}
			checked++
		}
	}
	t.Logf("%d profiles checked against Genius semantics (%d exported scaled, %d nonlinear)", checked, scaled, nonlinear)
	if checked < 60 || scaled < 10 || nonlinear < 5 {
		t.Errorf("too little checked: %d profiles, %d scaled, %d nonlinear", checked, scaled, nonlinear)
	}
}

// integerIssues turns s's categorical issues o0, o1, ... into integer
// issues 0, 1, ..., renaming the options wherever they are named.
func integerIssues(s *parley.Scenario) {
	rename := map[string]map[string]string{}
	for i := range s.Issues {
		is := &s.Issues[i]
		if is.Kind != parley.Categorical {
			continue
		}
		m := map[string]string{}
		opts := parley.NumericOptions(parley.Integer, 0, float64(len(is.Options)-1), 0)
		for k := range is.Options {
			m[is.Options[k].Label] = opts[k].Label
		}
		is.Kind, is.Min, is.Max, is.Options = parley.Integer, 0, float64(len(opts)-1), opts
		rename[is.Name] = m
	}
	conds := func(cs []parley.Condition) {
		for c := range cs {
			for k, l := range cs[c].Options {
				if m := rename[cs[c].Issue]; m != nil {
					cs[c].Options[k] = m[l]
				}
			}
		}
	}
	prefs := func(p *parley.Preferences) {
		for j := range p.Issues {
			for k := range p.Issues[j].Values {
				if m := rename[p.Issues[j].Issue]; m != nil {
					p.Issues[j].Values[k].Option = m[p.Issues[j].Values[k].Option]
				}
			}
		}
		for j := range p.Constraints {
			conds(p.Constraints[j].Conditions)
		}
		for j := range p.RedLines {
			conds(p.RedLines[j].Conditions)
		}
	}
	for i := range s.Parties {
		if p := s.Parties[i].Preferences; p != nil {
			prefs(p)
		}
		if d := s.Parties[i].Delegation; d != nil {
			for j := range d.Factions {
				prefs(&d.Factions[j].Preferences)
			}
		}
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNestedUfunWeights reads a nonlinear profile whose <ufun>s and
// rectangles carry weights other than 1 (the ANAC files all have weight 1):
// each rectangle's utility is multiplied by its own weight and by the
// weights of every enclosing <ufun>.
func TestNestedUfunWeights(t *testing.T) {
	t.Parallel()
	s, err := Load("testdata/nl-domain.xml", []string{"testdata/nl-weighted.xml", "testdata/nl-profile-2.xml"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	g := gxRead(t, "testdata/nl-weighted.xml")
	u := &m.Parties[0].Utility
	for o := range m.Outcomes() {
		// The fixture keeps every sum within maxutility: no cap.
		if got, want := u.F(u.Eval(o)), g.eval(bidOf(s, o)); math.Abs(got-want) > 1e-12 {
			t.Errorf("outcome %v: parley %v, Genius %v", o, got, want)
		}
	}
	// By hand: a=0, b=2 meets the outer rectangle (60·0.5) and the inner
	// ones (40·0.5·2·0.5 and 10·0.5·2): (30 + 20 + 10)/100.
	if got := u.F(u.Eval(parley.Outcome{0, 2})); got != 0.6 {
		t.Errorf("u(0,2) = %v, want 0.6", got)
	}
}

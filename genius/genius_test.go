package genius

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

func td(name string) string { return filepath.Join("testdata", name) }

// compile loads a fixture domain with its profiles and compiles it.
func compile(t *testing.T, opt Options, domain string, profiles ...string) (*parley.Scenario, *parley.Model) {
	t.Helper()
	var ps []string
	for _, p := range profiles {
		ps = append(ps, td(p))
	}
	s, err := Load(td(domain), ps, opt)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s, m
}

// outcome builds an outcome from issue name → option label.
func outcome(t *testing.T, s *parley.Scenario, labels map[string]string) parley.Outcome {
	t.Helper()
	o := make(parley.Outcome, len(s.Issues))
	for i := range s.Issues {
		l, ok := labels[s.Issues[i].Name]
		if !ok {
			t.Fatalf("no label for issue %q", s.Issues[i].Name)
		}
		k := s.Issues[i].OptionIndex(l)
		if k < 0 {
			t.Fatalf("issue %q has no option %q", s.Issues[i].Name, l)
		}
		o[i] = k
	}
	return o
}

type want struct {
	labels map[string]string
	u      []float64 // per party
}

func check(t *testing.T, s *parley.Scenario, m *parley.Model, cases []want) {
	t.Helper()
	for _, c := range cases {
		us := m.Eval(outcome(t, s, c.labels))
		for j, w := range c.u {
			if got := m.Parties[j].Utility.F(us[j]); math.Abs(got-w) > 1e-9 {
				t.Errorf("%v: %s utility = %.12f, want %.12f", c.labels, m.Parties[j].Name, got, w)
			}
		}
	}
}

func TestDiscreteAdditive(t *testing.T) {
	s, m := compile(t, Options{}, "car-domain.xml", "car-buyer.xml", "car-seller.xml")
	if s.ID != "car-domain" || m.Parties[0].Name != "car-buyer" || m.Parties[1].Name != "car-seller" {
		t.Fatalf("ID %q, parties %q %q", s.ID, m.Parties[0].Name, m.Parties[1].Name)
	}
	if s.Issues[0].Options[0].Clause != "a red car" {
		t.Errorf("description not kept as clause: %+v", s.Issues[0].Options[0])
	}
	// buyer: weights 3 and 1 are divided by their sum → 0.75, 0.25; Color
	// evaluations 10, 5, 0 are divided by the largest (10) → 1, 0.5, 0;
	// Size 2, 4 → 0.5, 1.
	// seller: weights 0.4, 0.6; Color 1, 2, 4 → 0.25, 0.5, 1; Size 3, 1 →
	// 1, 1/3.
	check(t, s, m, []want{
		// buyer 0.75·0.5 + 0.25·0.5 = 0.5; seller 0.4·0.5 + 0.6·1 = 0.8
		{map[string]string{"Color": "blue", "Size": "small"}, []float64{0.5, 0.8}},
		// buyer 0.75·1 + 0.25·1 = 1; seller 0.4·0.25 + 0.6/3 = 0.3
		{map[string]string{"Color": "red", "Size": "large"}, []float64{1, 0.3}},
		// buyer 0 + 0.25·0.5 = 0.125; seller 0.4 + 0.6 = 1
		{map[string]string{"Color": "green", "Size": "small"}, []float64{0.125, 1}},
	})
	if r := m.Parties[0].Utility.F(m.Parties[0].Reservation); math.Abs(r-0.3) > 1e-12 {
		t.Errorf("buyer reservation %v, want 0.3", r)
	}
	if d := m.Parties[0].Principals[0].Discount; d != 0.9 {
		t.Errorf("buyer discount %v, want 0.9", d)
	}
	if d := m.Parties[1].Principals[0].Discount; d != 0 {
		t.Errorf("seller discount %v, want none", d)
	}
	if !hasNote(s, "weights sum to 4") {
		t.Errorf("no note about the buyer's weights: %q", s.Warnings)
	}
}

func TestInteger(t *testing.T) {
	s, m := compile(t, Options{}, "int-domain.xml", "int-tenant.xml", "int-landlord.xml")
	if got := len(s.Issues[0].Options); got != 11 || s.Issues[0].Kind != parley.Integer {
		t.Fatalf("Price has %d options (%v), want 11 integers", got, s.Issues[0].Kind)
	}
	// tenant: Price u = 1 − 0.1·(x − 10) (offset + slope·(x − lowerbound));
	// landlord: u = min(1, 0.2·(x − 10)); Warranty landlord none 3/3 = 1,
	// 1y 1/3.
	check(t, s, m, []want{
		// tenant 0.8·0.5 + 0.2·1 = 0.6; landlord 0.5·1 + 0.5/3
		{map[string]string{"Price": "15", "Warranty": "1y"}, []float64{0.6, 0.5 + 0.5/3}},
		// tenant 0.8·1 = 0.8; landlord 0.5·0 + 0.5·1 = 0.5
		{map[string]string{"Price": "10", "Warranty": "none"}, []float64{0.8, 0.5}},
		// landlord 0.2·6 = 1.2 is clipped to 1: 0.5 + 0.5; tenant 0.8·0.4
		{map[string]string{"Price": "16", "Warranty": "none"}, []float64{0.32, 1}},
	})
	if !hasNote(s, "discount factor 2 is outside (0, 1]") {
		t.Errorf("no note about the invalid discount: %q", s.Warnings)
	}
}

func TestReal(t *testing.T) {
	s, m := compile(t, Options{}, "real-domain.xml", "real-buyer.xml", "real-seller.xml")
	if got := len(s.Issues[0].Options); got != 11 {
		t.Fatalf("Price has %d options, want 11 (10 intervals)", got)
	}
	if s.Issues[0].Options[3].Label != "0.3" || s.Issues[1].Options[2].Label != "2" {
		t.Errorf("labels %q %q", s.Issues[0].Options[3].Label, s.Issues[1].Options[2].Label)
	}
	if !hasNote(s, `real issue "Price" (continuous in Genius on [0, 1]) is sampled at 11`) {
		t.Errorf("discretisation not noted: %q", s.Warnings)
	}
	// buyer: Price 1 − x; Speed triangular 0 → 1 at 5 → 0 at 10.
	// seller: Price constant 0.5; Speed 0.1·x.
	check(t, s, m, []want{
		// buyer 0.5·0.7 + 0.5·0.4 = 0.55; seller 0.5·0.5 + 0.5·0.2 = 0.35
		{map[string]string{"Price": "0.3", "Speed": "2"}, []float64{0.55, 0.35}},
		// buyer 0.5·1 + 0.5·1 = 1; seller 0.25 + 0.25 = 0.5
		{map[string]string{"Price": "0", "Speed": "5"}, []float64{1, 0.5}},
		// triangular is 0 at its upper end: buyer 0; seller 0.25 + 0.5
		{map[string]string{"Price": "1", "Speed": "10"}, []float64{0, 0.75}},
	})
	s4, _ := compile(t, Options{RealSteps: 4}, "real-domain.xml", "real-buyer.xml", "real-seller.xml")
	if got := len(s4.Issues[1].Options); got != 5 || s4.Issues[1].Options[1].Label != "2.5" {
		t.Errorf("RealSteps 4: %d options, second %q", got, s4.Issues[1].Options[1].Label)
	}
}

func TestNonlinear(t *testing.T) {
	s, m := compile(t, Options{}, "nl-domain.xml", "nl-profile-1.xml", "nl-profile-2.xml")
	if m.Additive() {
		t.Fatal("model is additive")
	}
	// profile 1 (maxutility 100): 60 if a ≤ 1; 40 if a ≥ 2 and b = 2;
	// 40 if a ≠ 0 (EXCLUDES a ∈ [0,0]).
	// profile 2: 10 everywhere, 90 more if a = 3.
	check(t, s, m, []want{
		{map[string]string{"a": "0", "b": "0"}, []float64{0.6, 0.1}}, // 60; 10
		{map[string]string{"a": "1", "b": "0"}, []float64{1, 0.1}},   // 60 + 40; 10
		{map[string]string{"a": "2", "b": "2"}, []float64{0.8, 0.1}}, // 40 + 40; 10
		{map[string]string{"a": "3", "b": "3"}, []float64{0.4, 1}},   // 40; 10 + 90
		{map[string]string{"a": "3", "b": "2"}, []float64{0.8, 1}},   // 40 + 40; 100
	})
	if r := m.Parties[0].Utility.F(m.Parties[0].Reservation); math.Abs(r-0.2) > 1e-12 {
		t.Errorf("reservation %v", r)
	}
}

func TestLatin1AndAmpersands(t *testing.T) {
	s, m := compile(t, Options{}, "latin1-domain.xml", "latin1-prof.xml", "latin1-prof.xml")
	if m.Parties[1].Name != "latin1-prof-2" {
		t.Errorf("second party %q, want latin1-prof-2", m.Parties[1].Name)
	}
	// Budget £100 1/4, £200 4/4; Menu "Coffee & Tea" 2/2, "Café & Cake"
	// 1/2: 0.5·1 + 0.5·0.5 = 0.75.
	check(t, s, m, []want{
		{map[string]string{"Budget": "£200", "Menu": "Café & Cake"}, []float64{0.75, 0.75}},
		{map[string]string{"Budget": "£100", "Menu": "Coffee & Tea"}, []float64{0.625, 0.625}},
	})
	if !hasNote(s, "read as Latin-1") {
		t.Errorf("Latin-1 not noted: %q", s.Warnings)
	}
}

func TestBroken(t *testing.T) {
	d := readDomain(t, "car-domain.xml")
	data, _ := os.ReadFile(td("broken-prof.xml"))
	_, err := ReadProfile("broken-prof.xml", data, d)
	var pe *parley.PosError
	if !errors.As(err, &pe) || pe.Line != 4 || parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("err = %v, want a PosError at line 4 with code invalid", err)
	}
	if !strings.Contains(err.Error(), "broken-prof.xml:4:") || !strings.Contains(err.Error(), "unescaped quote") {
		t.Errorf("message %q", err)
	}
}

func TestErrors(t *testing.T) {
	d := readDomain(t, "car-domain.xml")
	cases := []struct {
		name, xml string
		line      int
		msg       string
	}{
		{"empty", "", 1, "no root element"},
		{"text", "0.5, 1.0\n", 1, "not an XML document"},
		{"unclosed", "<utility_space>\n<objective>\n", 3, "<objective> opened at line 2 is not closed"},
		{"mismatch", "<utility_space>\n<objective></issue>", 2, "does not match <objective>"},
		{"domain", "<negotiation_template/>", 1, "this is a Genius domain"},
		{"missing evaluation", `<utility_space><objective>
<issue index="1" name="Color" type="discrete"><item value="red"/><item value="blue" evaluation="1"/><item value="green" evaluation="1"/></issue>
<issue index="2" name="Size" type="discrete"><item value="small" evaluation="1"/><item value="large" evaluation="1"/></issue>
<weight index="1" value="1"/><weight index="2" value="1"/></objective></utility_space>`, 2, `value "red" of issue "Color" has no evaluation`},
		{"missing weight", `<utility_space><objective>
<issue index="1" name="Color" type="discrete"><item value="red" evaluation="1"/><item value="blue" evaluation="1"/><item value="green" evaluation="1"/></issue>
<issue index="2" name="Size" type="discrete"><item value="small" evaluation="1"/><item value="large" evaluation="1"/></issue>
<weight index="1" value="1"/></objective></utility_space>`, 3, `issue "Size" has no <weight index="2">`},
		{"bad number", `<utility_space><objective>
<weight index="1" value="x"/></objective></utility_space>`, 2, `attribute "value" of <weight> must be a finite number`},
		{"foreign issue", `<utility_space><objective>
<issue index="7" name="Engine" type="discrete"><item value="v8" evaluation="1"/></issue>
<weight index="7" value="1"/></objective></utility_space>`, 2, "is not in domain"},
		{"duplicate attribute", `<utility_space type="a" type="b"/>`, 1, `attribute "type" given twice`},
		{"constraint", `<utility_space type="constraint"/>`, 1, "not supported"},
	}
	for _, c := range cases {
		_, err := ReadProfile("p.xml", []byte(c.xml), d)
		var pe *parley.PosError
		if !errors.As(err, &pe) || pe.Line != c.line || !strings.Contains(err.Error(), c.msg) || parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s: err = %v, want line %d and %q", c.name, err, c.line, c.msg)
		}
	}
	domCases := []struct {
		name, xml string
		line      int
		msg       string
	}{
		{"no bounds", `<negotiation_template><utility_space><objective>
<issue index="1" name="n" type="integer" lowerbound="1"/></objective></utility_space></negotiation_template>`, 2, `needs attribute "upperbound"`},
		{"no name", `<negotiation_template><utility_space><objective>
<issue index="1" type="discrete"><item value="x"/></issue></objective></utility_space></negotiation_template>`, 2, `needs attribute "name"`},
		{"no range", `<negotiation_template><utility_space><objective>
<issue index="1" name="r" type="real"/></objective></utility_space></negotiation_template>`, 2, "needs a <range"},
		{"profile", `<utility_space/>`, 1, "this is a Genius profile"},
	}
	for _, c := range domCases {
		_, err := ReadDomain("d.xml", []byte(c.xml))
		var pe *parley.PosError
		if !errors.As(err, &pe) || pe.Line != c.line || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want line %d and %q", c.name, err, c.line, c.msg)
		}
	}
}

func readDomain(t *testing.T, name string) *Domain {
	t.Helper()
	data, err := os.ReadFile(td(name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ReadDomain(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func hasNote(s *parley.Scenario, sub string) bool {
	for _, n := range s.Warnings {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// TestRanges: numbers beyond what parley's fixed point holds (±2^61) are
// an error at their line, except where Genius' semantics allow normalising
// them: a reservation of 10^7 is held exactly (it wrapped around on the old
// 2^-40 grid), one of 10^300 is read as the best utility with a note.
func TestRanges(t *testing.T) {
	t.Parallel()
	dom, err := os.ReadFile("testdata/car-domain.xml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := ReadDomain("car-domain.xml", dom)
	if err != nil {
		t.Fatal(err)
	}
	prof := func(res, red string) string {
		return `<utility_space>
  <objective index="0" name="car" type="objective" etype="objective">
    <issue index="1" name="Color" type="discrete" etype="discrete" vtype="discrete">
      <item index="1" value="red" evaluation="` + red + `"/>
      <item index="2" value="blue" evaluation="5"/>
      <item index="3" value="green" evaluation="0"/>
    </issue>
    <issue index="2" name="Size" type="discrete" etype="discrete" vtype="discrete">
      <item index="1" value="small" evaluation="2"/>
      <item index="2" value="large" evaluation="4"/>
    </issue>
    <weight index="1" value="0.75"/>
    <weight index="2" value="0.25"/>
  </objective>
  <reservation value="` + res + `"/>
</utility_space>`
	}
	build := func(res, red string) (*parley.Scenario, *parley.Model, error) {
		p, err := ReadProfile("p.xml", []byte(prof(res, red)), d)
		if err != nil {
			return nil, nil, err
		}
		s, err := Build(d, []*Profile{p, p}, []string{"a", "b"}, Options{})
		if err != nil {
			return nil, nil, err
		}
		m, err := s.Compile()
		return s, m, err
	}
	// 10^7: held, nothing is acceptable.
	_, m, err := build("1e7", "10")
	if err != nil {
		t.Fatal(err)
	}
	if r := &m.Parties[0]; r.Utility.F(r.Reservation) != 1e7 || r.Accepts(parley.Outcome{0, 1}) {
		t.Errorf("reservation 1e7 reads %v", r.Utility.F(r.Reservation))
	}
	// 10^300: normalised to the best utility, 1, with a note at its line.
	s, m, err := build("1e300", "10")
	if err != nil {
		t.Fatal(err)
	}
	if r := &m.Parties[0]; r.Utility.F(r.Reservation) != 1 || r.Accepts(parley.Outcome{0, 1}) || !hasNote(s, "p.xml:15: reservation value 1e+300 is out of range") {
		t.Errorf("reservation 1e300: %v, notes %q", r.Utility.F(r.Reservation), s.Notes)
	}
	// −10^300: everything is acceptable.
	_, m, err = build("-1e300", "10")
	if err != nil || !m.Parties[0].Accepts(parley.Outcome{2, 0}) {
		t.Errorf("reservation -1e300: %v", err)
	}
	// A negative evaluation of −10^300 (over a maximum of 5): an error at
	// the issue's line.
	_, _, err = build("0", "-1e300")
	var pe *parley.PosError
	if !errors.As(err, &pe) || pe.Line != 3 || !strings.Contains(err.Error(), "out of range") || parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("evaluation -1e300: %v", err)
	}
	// Evaluations of 10^300 are normalised by their maximum: fine.
	_, m, err = build("0", "1e300")
	if err != nil || m.Parties[0].Utility.F(m.Eval(parley.Outcome{0, 1})[0]) != 1 {
		t.Errorf("evaluation 1e300: %v", err)
	}
}

// TestXMLSyntax checks the reader's syntax errors (line and column of the
// fault) and the element paths it records.
func TestXMLSyntax(t *testing.T) {
	cases := []struct {
		name, xml string
		line, col int
		msg       string
	}{
		{"runaway value", "<a x=\"1>\n<b/>\n</a>\"/>", 1, 6, `value of attribute "x" in <a> runs across lines and past '>': missing closing quote?`},
		{"unterminated value", `<a x="1`, 1, 6, `unterminated value of attribute "x" in <a>`},
		{"empty unquoted value", `<a x= >`, 1, 7, `attribute "x" of <a> has an empty unquoted value`},
		{"unterminated tag", "\n  <a x=", 2, 3, "unterminated tag <a>"},
		{"glued attribute", `<a x="1"y="2" z>`, 1, 16, `attribute "z" of <a> has no value`},
		{"closing without open", "<a/>\n</b>", 0, 0, ""},
		{"malformed closing", "<a>\n</a x>", 2, 5, "malformed closing tag </a>: expected '>'"},
		{"mismatch", "<a>\n  </b>", 2, 3, "closing tag </b> does not match <a> opened at line 1"},
		{"comment only", "<!-- x -->\n", 2, 1, "no root element: the file is empty or holds only comments"},
	}
	for _, c := range cases {
		root, _, err := parseXML("x.xml", []byte(c.xml))
		if c.msg == "" {
			// Genius stops reading when the root element closes.
			if err != nil || root == nil || root.name != "a" {
				t.Errorf("%s: root %v, err %v; want <a> and no error", c.name, root, err)
			}
			continue
		}
		var pe *parley.PosError
		if !errors.As(err, &pe) || pe.Line != c.line || pe.Column != c.col || !strings.Contains(err.Error(), c.msg) || parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s: err = %v, want %d:%d and %q", c.name, err, c.line, c.col, c.msg)
		}
	}
	root, _, err := parseXML("x.xml", []byte(`<a><b/><c/><b><c/><c k='v'/></b></a>`))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	var walk func(e *element)
	walk = func(e *element) {
		paths = append(paths, e.path)
		for _, k := range e.children {
			walk(k)
		}
	}
	walk(root)
	if got, want := strings.Join(paths, " "), "a a.b[0] a.c[0] a.b[1] a.b[1].c[0] a.b[1].c[1]"; got != want {
		t.Errorf("paths %q, want %q", got, want)
	}
}

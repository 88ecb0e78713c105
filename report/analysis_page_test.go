package report

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
)

// est is a point estimate.
func est(v float64) parley.Estimate { return parley.Estimate{Value: v} }

// issue makes a categorical issue; every option gets a clause except the
// last, which is "not addressed".
func issue(name string, labels ...string) parley.Issue {
	is := parley.Issue{Name: name, Kind: parley.Categorical}
	for k, l := range labels {
		o := parley.Option{Label: l}
		if k < len(labels)-1 {
			o.Clause = fmt.Sprintf("The parties agree on %s: %s.", name, l)
		} else {
			o.NotAddressed = true
		}
		is.Options = append(is.Options, o)
	}
	return is
}

// linear gives values 1, ..., 0 (or 0, ..., 1 when up) over an issue's options.
func linear(is parley.Issue, w float64, up bool) parley.IssuePref {
	ip := parley.IssuePref{Issue: is.Name, Weight: est(w)}
	n := len(is.Options)
	for k, o := range is.Options {
		v := float64(k) / float64(max(n-1, 1))
		if !up {
			v = 1 - v
		}
		ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: est(v)})
	}
	return ip
}

// twoParty is a small scenario whose first party's name needs escaping.
func twoParty() *parley.Scenario {
	is := []parley.Issue{
		issue("border", "north", "middle", "south", "silent"),
		issue("water", "shared", "upstream", "silent"),
		issue("troops", "withdraw", "stay", "silent"),
	}
	return &parley.Scenario{
		ID:          "two",
		Title:       "Two parties <test>",
		Description: "A hand-built test scenario.",
		Issues:      is,
		Parties: []parley.Party{
			{Name: "Alice <&> Co", Preferences: &parley.Preferences{
				Issues:      []parley.IssuePref{linear(is[0], 3, false), linear(is[1], 1, true), linear(is[2], 2, false)},
				Reservation: est(0.3),
				RedLines: []parley.RedLine{{Name: "no troops", Description: "troops must go",
					Conditions: []parley.Condition{{Issue: "troops", Options: []string{"stay"}}}}},
			}},
			{Name: "Bob", Preferences: &parley.Preferences{
				Issues:      []parley.IssuePref{linear(is[0], 1, true), linear(is[1], 3, false), linear(is[2], 1, true)},
				Reservation: est(0.25),
			}},
		},
	}
}

// threeParty has a delegation of two factions, a third party and a
// guarantor that consents.
func threeParty() *parley.Scenario {
	is := []parley.Issue{
		issue("a", "a0", "a1", "a2", "a3"),
		issue("b", "b0", "b1", "b2"),
		issue("c", "c0", "c1", "c2", "c3"),
	}
	yes := true
	return &parley.Scenario{
		ID: "three", Title: "Three parties", Variant: "as reported",
		Issues: is,
		Parties: []parley.Party{
			{Name: "North", Preferences: &parley.Preferences{
				Issues: []parley.IssuePref{linear(is[0], 2, true), linear(is[1], 1, true), linear(is[2], 1, false)}, Reservation: est(0.2)}},
			{Name: "South", Delegation: &parley.Delegation{
				Rule: parley.Ratification{Kind: parley.WeightedQuota, Quota: 0.6},
				Factions: []parley.Faction{
					{Name: "Hawks", Weight: est(2), Preferences: parley.Preferences{
						Issues: []parley.IssuePref{linear(is[0], 1, false), linear(is[2], 2, true)}, Reservation: est(0.3),
						RedLines: []parley.RedLine{{Name: "no a3", Conditions: []parley.Condition{{Issue: "a", Options: []string{"a3"}}}}}}},
					{Name: "Doves", Weight: est(1), Preferences: parley.Preferences{
						Issues: []parley.IssuePref{linear(is[1], 1, false), linear(is[2], 1, true)}, Reservation: est(0.1)}},
				}}},
			{Name: "East", Preferences: &parley.Preferences{
				Issues: []parley.IssuePref{linear(is[1], 2, true), linear(is[2], 1, true), linear(is[0], 1, false)}, Reservation: est(0.15)}},
		},
		Roles: []parley.Role{{Name: "Guarantor", Kind: parley.Guarantor, Consents: &yes,
			Needed: []parley.Condition{{Issue: "b", Options: []string{"b2"}}}}},
	}
}

// large has 20 issues of 5 options: about 9.5e13 outcomes.
func largeScenario() *parley.Scenario {
	s := &parley.Scenario{ID: "large"}
	var pa, pb []parley.IssuePref
	for i := 0; i < 20; i++ {
		is := issue(fmt.Sprintf("issue%02d", i), "o0", "o1", "o2", "o3", "o4")
		s.Issues = append(s.Issues, is)
		pa = append(pa, linear(is, float64(1+i%3), true))
		pb = append(pb, linear(is, float64(1+(i*7)%5), false))
	}
	s.Parties = []parley.Party{
		{Name: "A", Preferences: &parley.Preferences{Issues: pa, Reservation: est(0.4)}},
		{Name: "B", Preferences: &parley.Preferences{Issues: pb, Reservation: est(0.4)}},
	}
	return s
}

func compile(t *testing.T, s *parley.Scenario) *parley.Model {
	t.Helper()
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func analyze(t *testing.T, s *parley.Scenario) (*analysis.Report, *parley.Model) {
	t.Helper()
	m := compile(t, s)
	rep, err := analysis.Analyze(context.Background(), m, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep, m
}

func renderAnalysis(t *testing.T, rep *analysis.Report, m *parley.Model, opt HTMLOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, rep, m, opt); err != nil {
		t.Fatal(err)
	}
	return keepHTML(t, &b)
}

// keepHTML returns a page, and writes it to $PARLEY_HTML_OUT, named after
// the test, when that is set (to look at it).
func keepHTML(t *testing.T, b *bytes.Buffer) string {
	t.Helper()
	if dir := os.Getenv("PARLEY_HTML_OUT"); dir != "" {
		name := strings.ReplaceAll(t.Name(), "/", "_")
		if err := os.WriteFile(dir+"/"+name+".html", b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// wellFormed parses the document as XML (the template writes XHTML-style
// markup) and returns the number of elements of each name.
func wellFormed(t *testing.T, doc string) map[string]int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = true
	count := map[string]int{}
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			if se, ok := err.(*xml.SyntaxError); ok {
				line = se.Line
			}
			lines := strings.Split(doc, "\n")
			ctx := ""
			if line > 0 && line <= len(lines) {
				ctx = lines[line-1]
				if len(ctx) > 300 {
					ctx = ctx[:300]
				}
			}
			t.Fatalf("not well-formed: %v\nline: %s", err, ctx)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			count[e.Name.Local]++
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 {
		t.Fatalf("unbalanced elements: depth %d at end", depth)
	}
	return count
}

func mustContain(t *testing.T, doc string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(doc, s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

func TestHTMLTwoParties(t *testing.T) {
	rep, m := analyze(t, twoParty())
	if rep.Nash == nil {
		t.Fatal("test scenario should have a non-empty zone")
	}
	doc := renderAnalysis(t, rep, m, HTMLOptions{})
	count := wellFormed(t, doc)
	if count["svg"] < 1 || count["polyline"] < 2 { // legend icon + frontier
		t.Errorf("expected an SVG plot with a connected frontier, got %d svg and %d polyline elements", count["svg"], count["polyline"])
	}
	mustContain(t, doc,
		"<!DOCTYPE html>", "<svg", `class="cloud"`, `class="zone"`, `class="front-line"`, `class="res"`,
		"Alice &lt;&amp;&gt; Co", "Two parties &lt;test&gt;", "Bob",
		"Nash", "Kalai–Smorodinsky", "Maximum welfare", "Egalitarian", "Legend",
		"no troops — troops must go", // red line with its description
		"The parties agree on",       // clauses in the solution table
		"Dots: all 36 outcomes",      // enumerated, not sampled
		"two", "base variant",
	)
	if strings.Contains(doc, "Alice <&> Co") || strings.Contains(doc, "<test>") {
		t.Error("party name or title is not escaped")
	}
	if strings.Contains(doc, "sampled") {
		t.Error("a 36-outcome space should be enumerated, not sampled")
	}
	if strings.Contains(doc, "<script") {
		t.Error("the report must not need JavaScript")
	}
	for _, ext := range []string{`src="http`, `href="http`, "@import", "url(http"} {
		if strings.Contains(doc, ext) {
			t.Errorf("the report refers to an external asset (%s)", ext)
		}
	}
	// The Nash solution's outcome is written as clause texts.
	for i, k := range rep.Nash.Raw() {
		o := m.Scenario.Issues[i].Options[k]
		c := o.Clause
		if c == "" {
			c = m.Scenario.Issues[i].Name + ": " + o.Label
		}
		mustContain(t, doc, "<li>"+templateEscape(c)+"</li>")
	}
}

// templateEscape escapes s as html/template does in text.
func templateEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestHTMLThreeParties(t *testing.T) {
	rep, m := analyze(t, threeParty())
	doc := renderAnalysis(t, rep, m, HTMLOptions{Seed: 3})
	count := wellFormed(t, doc)
	// A matrix of the three pairs: (North, South), (North, East) and
	// (South, East), plus the legend icons.
	if got := strings.Count(doc, `<svg class="plot`); got != 3 {
		t.Errorf("got %d plots, want 3 (one per pair)", got)
	}
	for _, pair := range []string{"North against South", "North against East", "South against East"} {
		mustContain(t, doc, `aria-label="`+pair+`"`)
	}
	if rep.Nash != nil {
		// Every panel marks the Nash point: all three parties are shown.
		if got := strings.Count(doc, "<title>Nash solution: "); got != 3 {
			t.Errorf("the Nash point is marked in %d panels, want 3", got)
		}
	}
	if count["svg"] < 3 {
		t.Errorf("got %d svg elements", count["svg"])
	}
	if strings.Contains(doc, `class="front-line"`) && strings.Count(doc, `<polyline class="front-line"`) > 1 {
		t.Error("with three parties the frontier must not be connected in the plots")
	}
	mustContain(t, doc, "North", "South", "East", "Hawks", "Doves", "66.7%", "weighted quota 60%",
		"no a3", "Guarantor", "as reported", `aria-label="South against East"`)
	if !rep.Zone.Empty {
		mustContain(t, doc, "Nash", "The zone of agreement holds")
	}
}

func TestHTMLDeterministic(t *testing.T) {
	rep, m := analyze(t, threeParty())
	a := renderAnalysis(t, rep, m, HTMLOptions{Samples: 20, Seed: 7})
	b := renderAnalysis(t, rep, m, HTMLOptions{Samples: 20, Seed: 7})
	if a != b {
		t.Fatal("two renderings with the same seed differ")
	}
	mustContain(t, a, "sampled 20 of 48 outcomes")
	c := renderAnalysis(t, rep, m, HTMLOptions{Samples: 20, Seed: 8})
	if a == c {
		t.Error("different seeds drew the same sample (possible, but unlikely)")
	}
}

func TestHTMLLargeSpace(t *testing.T) {
	s := largeScenario()
	m := compile(t, s)
	// A hand-built report with a long frontier, so that the test does not
	// depend on how long the exact analysis of 5^20 outcomes takes.
	rep := &analysis.Report{
		Scenario: s.ID, Outcomes: m.Size(), Reservations: []float64{0.4, 0.4},
		Parties:     []analysis.PartyInfo{{Name: "A", Reservation: 0.4}, {Name: "B", Reservation: 0.4}},
		ParetoExact: true, ParetoMethod: "hand-built",
		Zone: analysis.Zone{Size: big.NewInt(123456789), Exact: false, Estimate: 1.5e8},
	}
	const n = 50000
	for i := 0; i < n; i++ {
		x := float64(i) / (n - 1)
		rep.Pareto = append(rep.Pareto, analysis.Point{Utilities: []float64{1 - x, 1 - x*x}})
	}
	labels := map[string]any{}
	for _, is := range s.Issues {
		labels[is.Name] = "o2"
	}
	rep.Nash = &analysis.Solution{Utilities: []float64{0.6, 0.62}, Outcome: labels}
	rep.MaxWelfare = &analysis.Solution{Utilities: []float64{0.6, 0.62}, Outcome: labels}
	doc := renderAnalysis(t, rep, m, HTMLOptions{Seed: 1})
	wellFormed(t, doc)
	mustContain(t, doc, "sampled 4,000 of 95,367,431,640,625 outcomes",
		"The Pareto frontier has 50,000 points; 2,000 evenly spaced ones along it are drawn.",
		"at least 123,456,789", "about 150,000,000", "Nash = MW",
		"issue00: o2") // clauses from the Outcome map (no raw outcome): o2 has a clause
	if len(doc) > 1_500_000 {
		t.Errorf("report is %d bytes, over the 1.5 MB cap", len(doc))
	}
	// The frontier line has exactly MaxFrontierDrawn points.
	i := strings.Index(doc, `<polyline class="front-line" points="`)
	if i < 0 {
		t.Fatal("no frontier line")
	}
	pts := doc[i+len(`<polyline class="front-line" points="`):]
	pts = pts[:strings.IndexByte(pts, '"')]
	if got := len(strings.Fields(pts)); got != MaxFrontierDrawn {
		t.Errorf("frontier line has %d points, want %d", got, MaxFrontierDrawn)
	}

	// The maximum sample size also stays under the cap.
	big := renderAnalysis(t, rep, m, HTMLOptions{Samples: 1 << 30, Seed: 1})
	if len(big) > 1_500_000 {
		t.Errorf("report with %d samples is %d bytes, over the 1.5 MB cap", MaxSamples, len(big))
	}
	mustContain(t, big, "sampled 50,000 of")
}

func TestHTMLEmptyZone(t *testing.T) {
	s := twoParty()
	s.Parties[0].Preferences.Reservation = est(0.9)
	s.Parties[1].Preferences.Reservation = est(0.9)
	rep, m := analyze(t, s)
	if !rep.Zone.Empty {
		t.Fatal("zone should be empty")
	}
	doc := renderAnalysis(t, rep, m, HTMLOptions{})
	wellFormed(t, doc)
	mustContain(t, doc, "The zone of agreement is empty", "Blocking analysis", "Reservation change", "None: the zone of agreement is empty")
	for _, w := range rep.Zone.Why {
		mustContain(t, doc, templateEscape(w))
	}
	if strings.Contains(doc, "<title>Nash solution:") {
		t.Error("no solution should be marked when the zone is empty")
	}
	// The legend names only what is drawn: no solutions, no zone.
	legend := section(t, doc, "<b>Legend</b>", "</ul>")
	for _, absent := range []string{"solution", "in the zone of agreement"} {
		if strings.Contains(legend, absent) {
			t.Errorf("the legend names %q, which the plot does not draw:\n%s", absent, legend)
		}
	}
	mustContain(t, legend, "outcome outside the zone of agreement", "Pareto frontier", "reservation value")
}

func TestHTMLNoModel(t *testing.T) {
	rep := &analysis.Report{
		Scenario: "bare", Outcomes: big.NewInt(4),
		Parties: []analysis.PartyInfo{{Name: "P", Rule: "majority", Factions: []analysis.FactionInfo{{Name: "F<1>", Weight: 1, RedLines: []string{"x & y"}}}}, {Name: "Q"}},
		Issues:  []analysis.IssueInfo{{Name: "i", Kind: "categorical", Options: []string{"p", "q"}}},
		Nash:    &analysis.Solution{Utilities: []float64{0.5, 0.5}, Outcome: map[string]any{"i": "q"}},
		Zone:    analysis.Zone{Size: big.NewInt(2), Exact: true},
		TradeHints: []analysis.Trade{{Parties: []string{"P", "Q"}, Issues: []string{"i", "j"},
			Weight: [][]float64{{0.7, 0.3}, {0.2, 0.8}}, Score: 0.3}},
	}
	doc := renderAnalysis(t, rep, nil, HTMLOptions{})
	wellFormed(t, doc)
	mustContain(t, doc, "F&lt;1&gt;", "x &amp; y", "i: q", "No model was given", "cares relatively more about")
	if strings.Contains(doc, `<svg class="plot`) {
		t.Error("no plot without a model")
	}
	if err := HTML(io.Discard, nil, nil, HTMLOptions{}); err == nil {
		t.Error("nil report: want an error")
	}
}

func TestTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi       float64
		wantLo, wHi  float64
		target       int
		first, last  string
		nTicksAtMost int
	}{
		{0.1, 0.9, 0, 1, 10, "0", "1", 11},
		{-0.3, 1.37, -0.4, 1.4, 10, "-0.4", "1.4", 12},
		{0, 7.5, 0, 8, 5, "0", "8", 6},
	} {
		lo, hi, step := utilityDomain(c.lo, c.hi, c.target)
		if lo != c.wantLo || math.Abs(hi-c.wHi) > 1e-9 {
			t.Errorf("domain(%v, %v) = [%v, %v], want [%v, %v]", c.lo, c.hi, lo, hi, c.wantLo, c.wHi)
		}
		a := axis{lo: lo, hi: hi, step: step, p0: 0, p1: 100}
		ts := a.ticks()
		if len(ts) > c.nTicksAtMost {
			t.Errorf("domain(%v, %v): %d ticks", c.lo, c.hi, len(ts))
		}
		if f, l := tickText(ts[0], step), tickText(ts[len(ts)-1], step); f != c.first || l != c.last {
			t.Errorf("domain(%v, %v): ticks %s..%s, want %s..%s", c.lo, c.hi, f, l, c.first, c.last)
		}
	}
}

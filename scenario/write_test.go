package scenario

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
)

// writeRead writes s and parses it back.
func writeRead(t *testing.T, name string, s *parley.Scenario) (*parley.Scenario, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, s); err != nil {
		t.Fatalf("%s: write: %v", name, err)
	}
	f, err := Parse(name+".yaml", buf.Bytes())
	if err != nil {
		t.Fatalf("%s: parse back: %v\n%s", name, err, buf.String())
	}
	s2, err := f.Scenario("")
	if err != nil {
		t.Fatalf("%s: decode back: %v\n%s", name, err, buf.String())
	}
	return s2, buf.Bytes()
}

// flat is s without its variants, as Write writes it.
func flat(s *parley.Scenario) *parley.Scenario {
	c := *s
	c.Variants, c.Variant = nil, ""
	return &c
}

// TestWriteRoundTrip writes every built-in scenario and the harbour file,
// base and variants, and reads them back to the same Scenario.
func TestWriteRoundTrip(t *testing.T) {
	files := map[string]*File{"harbour": readHarbour(t)}
	for _, n := range BuiltinNames() {
		f, err := Builtin(n)
		if err != nil {
			t.Fatal(err)
		}
		files[n] = f
	}
	count := 0
	for name, f := range files {
		vs := []string{""}
		for _, v := range f.Variants() {
			vs = append(vs, v.Name)
		}
		for _, v := range vs {
			s := mustScenario(t, f, v)
			s2, out := writeRead(t, name+"/"+v, s)
			if !reflect.DeepEqual(flat(s), s2) {
				t.Errorf("%s variant %q: read back differs\n%s", name, v, out)
			}
			if !bytes.Contains(out, []byte("variants are not written")) {
				t.Errorf("%s: no comment about variants", name)
			}
			// Writing again gives the same bytes.
			_, out2 := writeRead(t, name+"/"+v+"/2", s2)
			if v == "" && !bytes.Equal(out, out2) {
				t.Errorf("%s: second write differs", name)
			}
			count++
		}
	}
	t.Logf("%d scenarios (bases and variants) round-trip exactly", count)
}

// TestWriteAwkward checks labels and texts that YAML would read as other
// types, and a numeric issue whose options the format cannot generate.
func TestWriteAwkward(t *testing.T) {
	lo, hi := 0.25, 0.75
	yes := false
	s := &parley.Scenario{
		ID: "awkward", Title: "a: b # c", Description: "multi\nline\n",
		Notes:   []string{"null", "true", "1e3", "<<", "- x", ""},
		Sources: []parley.Source{{ID: "S1", Title: "{x}", URL: "http://e.org/?a=1&b"}},
		Issues: []parley.Issue{
			{Name: "yes", Options: []parley.Option{{Label: "true"}, {Label: "null"}, {Label: "~"}, {Label: "<<"}, {Label: "1.0", Clause: "one, point"}, {Label: "0x10", NotAddressed: true}}},
			{Name: "share", Kind: parley.Real, Min: 0, Max: 1, Step: 0.1, Options: []parley.Option{{Label: "0", Value: 0}, {Label: "0.3", Value: 0.3}, {Label: "1", Value: 1, Clause: "all"}}},
			{Name: "n", Kind: parley.Integer, Min: -2, Max: 2, Options: append(parley.NumericOptions(parley.Integer, -2, 2, 0), parley.Option{Label: "silent", Clause: "c", NotAddressed: true})},
		},
		Parties: []parley.Party{
			{Name: "A", Sources: []parley.Cite{{Source: "S1", Reason: "because: yes"}}, Preferences: &parley.Preferences{
				Reservation: parley.Estimate{Value: 0.1, Low: 0, High: 0.2, Ranged: true, Sources: []parley.Cite{{Source: "S1"}}},
				Discount:    parley.Estimate{Value: 0.9},
				Scale:       2,
				Issues: []parley.IssuePref{
					{Issue: "yes", Weight: parley.Estimate{Value: 1}, Values: []parley.OptionValue{{Option: "true", Value: parley.Estimate{Value: 1}}, {Option: "<<", Value: parley.Estimate{Value: 0.5}}}},
					{Issue: "share", Weight: parley.Estimate{Value: 2}, Function: []parley.Point{{X: 0, Y: 0}, {X: 1, Y: 1}}, Values: []parley.OptionValue{{Option: "1", Value: parley.Estimate{Value: 0.9}}}},
					{Issue: "n", Weight: parley.Estimate{Value: 1e-7}, Function: []parley.Point{{X: -2, Y: 1}, {X: 2, Y: 0}}},
				},
				Constraints: []parley.Rect{{Utility: parley.Estimate{Value: 1}, Conditions: []parley.Condition{{Issue: "share", Min: &lo, Max: &hi}, {Issue: "n", Max: &lo, Exclude: true}}}},
				RedLines:    []parley.RedLine{{Name: "r", Conditions: []parley.Condition{{Issue: "share", Min: &hi, Max: &lo}}}},
			}},
			{Name: "B", Delegation: &parley.Delegation{Rule: parley.Ratification{Kind: parley.LeaderVeto, Leader: "x", Vetoes: []string{"y"}}, Factions: []parley.Faction{
				{Name: "x", Weight: parley.Estimate{Value: 2}, Preferences: parley.Preferences{Reservation: parley.Estimate{Value: 0}, Issues: []parley.IssuePref{{Issue: "yes", Weight: parley.Estimate{Value: 1}, Values: []parley.OptionValue{{Option: "null", Value: parley.Estimate{Value: 1}}}}}}},
				{Name: "y", Weight: parley.Estimate{Value: 1}, Preferences: parley.Preferences{Reservation: parley.Estimate{Value: -1}}},
			}}},
		},
		Roles: []parley.Role{{Name: "G", Kind: parley.Guarantor, Needed: []parley.Condition{{Issue: "share", Min: &hi}}, Consents: &yes}},
	}
	m1, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	s2, out := writeRead(t, "awkward", s)
	if !strings.Contains(string(out), `Issue "share" (real) is written as categorical`) {
		t.Errorf("no comment about the converted issue:\n%s", out)
	}
	if s2.Issues[1].Kind != parley.Categorical || s2.Issues[2].Kind != parley.Integer {
		t.Errorf("kinds: %v %v", s2.Issues[1].Kind, s2.Issues[2].Kind)
	}
	m2, err := s2.Compile()
	if err != nil {
		t.Fatal(err)
	}
	// Same utilities, red lines and infeasible regions.
	if !reflect.DeepEqual(m1.Parties, m2.Parties) || !reflect.DeepEqual(m1.Infeasible, m2.Infeasible) {
		t.Errorf("compiled models differ\n%s", out)
	}
	// Everything but the converted issue is unchanged.
	a, b := flat(s), flat(s2)
	a.Issues, b.Issues = nil, nil
	a.Parties, b.Parties = nil, nil
	a.Roles, b.Roles = nil, nil
	if !reflect.DeepEqual(a, b) {
		t.Errorf("read back differs:\n%+v\n%+v", a, b)
	}
	if !reflect.DeepEqual(s.Issues[0], s2.Issues[0]) || !reflect.DeepEqual(s.Issues[2], s2.Issues[2]) || !reflect.DeepEqual(s.Parties[1], s2.Parties[1]) {
		t.Errorf("issues or party B differ:\n%s", out)
	}
}

// TestWriteGenius writes the Genius test scenarios (real issues sampled,
// integer issues) and reads them back with the same utilities.
func TestWriteGenius(t *testing.T) {
	dir := filepath.Join("..", "genius", "testdata")
	pairs := [][]string{{"car-domain.xml", "car-buyer.xml", "car-seller.xml"}, {"int-domain.xml", "int-landlord.xml", "int-tenant.xml"}}
	for _, p := range pairs {
		if _, err := os.Stat(filepath.Join(dir, p[0])); err != nil {
			t.Skip("genius testdata absent")
		}
		var profs []string
		for _, f := range p[1:] {
			profs = append(profs, filepath.Join(dir, f))
		}
		s, err := genius.Load(filepath.Join(dir, p[0]), profs, genius.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m1, err := s.Compile()
		if err != nil {
			t.Fatal(err)
		}
		s2, _ := writeRead(t, p[0], s)
		m2, err := s2.Compile()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m1.Parties, m2.Parties) {
			t.Errorf("%s: compiled models differ", p[0])
		}
	}
}

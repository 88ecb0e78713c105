package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/exactref"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

func readHarbour(t *testing.T) *File {
	t.Helper()
	f, err := ReadFile("testdata/harbour.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustScenario(t *testing.T, f *File, variant string) *parley.Scenario {
	t.Helper()
	s, err := f.Scenario(variant)
	if err != nil {
		t.Fatalf("variant %q: %v", variant, err)
	}
	return s
}

func party(s *parley.Scenario, name string) *parley.Party {
	for i := range s.Parties {
		if s.Parties[i].Name == name {
			return &s.Parties[i]
		}
	}
	return nil
}

func faction(p *parley.Party, name string) *parley.Faction {
	for i := range p.Delegation.Factions {
		if p.Delegation.Factions[i].Name == name {
			return &p.Delegation.Factions[i]
		}
	}
	return nil
}

// TestDecode checks how each construct of the format lands in the Scenario.
func TestDecode(t *testing.T) {
	f := readHarbour(t)
	if err := Validate(f); err != nil {
		t.Fatal(err)
	}
	s := mustScenario(t, f, "")
	if s.ID != "harbour-talks" || s.Variant != "" || len(s.Variants) != 2 || s.Variants[0].Name != "hard-north" {
		t.Errorf("header: id %q variant %q variants %+v", s.ID, s.Variant, s.Variants)
	}
	if !reflect.DeepEqual(s.Variants[0].Sources, []parley.Cite{{Source: "B"}}) {
		t.Errorf("variant sources %+v", s.Variants[0].Sources)
	}
	if got := s.Sources[1]; got != (parley.Source{ID: "B", Title: "Report B", URL: "https://example.org/b", File: "seeds/b.txt", Note: "second-hand"}) {
		t.Errorf("source %+v", got)
	}
	// Categorical options: mapping, not_addressed and a bare label.
	acc := s.Issues[0]
	if acc.Kind != parley.Categorical || len(acc.Options) != 3 || !acc.Options[0].NotAddressed || !reflect.DeepEqual(acc.Options[2], parley.Option{Label: "exclusive"}) {
		t.Errorf("access %+v", acc)
	}
	// Numeric ranges.
	if fee := s.Issues[1]; fee.Kind != parley.Integer || len(fee.Options) != 5 || fee.Options[4].Label != "4" || fee.Options[4].Value != 4 {
		t.Errorf("fee %+v", fee)
	}
	if sh := s.Issues[2]; sh.Kind != parley.Real || sh.Step != 0.25 || len(sh.Options) != 5 || sh.Options[1].Label != "0.25" {
		t.Errorf("share %+v", sh)
	}
	pat := s.Issues[3]
	if len(pat.Options) != 4 || !reflect.DeepEqual(pat.Options[3], parley.Option{Label: "unspecified", Clause: "Patrols are not mentioned.", NotAddressed: true}) {
		t.Errorf("patrols %+v", pat)
	}
	// Estimates, cites and reasons.
	north := party(s, "North")
	want := parley.Estimate{Value: 0.3, Low: 0.2, High: 0.4, Ranged: true, Sources: []parley.Cite{{Source: "A", Reason: "its fallback is costly"}}}
	if !reflect.DeepEqual(north.Preferences.Reservation, want) {
		t.Errorf("reservation %+v", north.Preferences.Reservation)
	}
	w := north.Preferences.Issues[0].Weight
	if !reflect.DeepEqual(w.Sources, []parley.Cite{{Source: "A", Reason: "the first demand"}, {Source: "B", Reason: "B's own reason"}}) {
		t.Errorf("weight cites %+v", w.Sources)
	}
	if !reflect.DeepEqual(north.Sources, []parley.Cite{{Source: "A"}, {Source: "B", Reason: "confirms A"}}) {
		t.Errorf("party cites %+v", north.Sources)
	}
	vals := north.Preferences.Issues[0].Values
	if len(vals) != 3 || vals[0].Option != "none" || vals[2].Option != "exclusive" || vals[2].Value.Value != 1 {
		t.Errorf("values %+v", vals)
	}
	if fn := north.Preferences.Issues[2].Function; !reflect.DeepEqual(fn, []parley.Point{{X: 0, Y: 0}, {X: 1, Y: 1}}) {
		t.Errorf("function %+v", fn)
	}
	// Delegation, rule, constraints with exclude.
	south := party(s, "South")
	if r := south.Delegation.Rule; r.Kind != parley.WeightedQuota || r.Quota != 0.6 {
		t.Errorf("rule %+v", r)
	}
	port := faction(south, "Port")
	c := port.Preferences.Constraints[0]
	if c.Utility.Value != 5 || len(c.Conditions) != 2 || !c.Conditions[1].Exclude || *c.Conditions[1].Max != 0.5 || c.Conditions[0].Max != nil {
		t.Errorf("constraint %+v", c)
	}
	navy := faction(south, "Navy")
	if v := navy.Preferences.Issues[0].Values; v[1].Option != "1" {
		t.Errorf("numeric value keys %+v", v)
	}
	// Roles.
	if len(s.Roles) != 3 || s.Roles[1].Kind != parley.Guarantor || s.Roles[1].Consents == nil || *s.Roles[1].Consents || s.Roles[2].Kind != parley.Observer {
		t.Errorf("roles %+v", s.Roles)
	}
}

// TestRoundTrip decodes the fixture, compiles it and checks the utilities of
// one outcome against a computation by hand.
func TestRoundTrip(t *testing.T) {
	s := mustScenario(t, readHarbour(t), "")
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	// access=shared, fee=2, share=0.75, patrols=2
	o := parley.Outcome{1, 2, 3, 1}
	// North: weights 2, 1, 1 (sum 4): access 0.5, fee f(2)=0.5, share 0.75.
	north := (2*0.5 + 1*0.5 + 1*0.75) / 4
	// Port: access shared = 1; the constraint (fee >= 2, share not <= 0.5)
	// holds and earns 5 / scale 10.
	port := 1 + 5.0/10
	navy := 0.5 // patrols 2
	south := 0.75*port + 0.25*navy
	got := m.Eval(o)
	for i, want := range []float64{north, south} {
		if math.Abs(m.Parties[i].Utility.F(got[i])-want) > 1e-9 {
			t.Errorf("party %d: utility %v, want %v", i, m.Parties[i].Utility.F(got[i]), want)
		}
	}
	if p := m.Parties[1].Principals[0].Utility.Eval(o); math.Abs(m.Parties[1].Principals[0].Utility.F(p)-port) > 1e-9 {
		t.Errorf("Port %v, want %v", m.Parties[1].Principals[0].Utility.F(p), port)
	}
	if !m.InZone(o) {
		t.Error("outcome should be in the zone of agreement")
	}
	// fee=4 needs the Bank, which does not consent; North's red line too.
	if m.InZone(parley.Outcome{1, 4, 3, 1}) {
		t.Error("fee 4 should be out of the zone")
	}
	// access=exclusive breaks Navy's red line; Port (weight 0.75) alone
	// meets the 0.6 quota only if it accepts: exclusive is worth 0 to Port,
	// plus the constraint 0.5 > 0.2.
	if !m.Parties[1].Accepts(parley.Outcome{2, 2, 3, 1}) {
		t.Error("South should ratify without Navy under the 0.6 quota")
	}
}

func TestVariants(t *testing.T) {
	f := readHarbour(t)
	vs := f.Variants()
	if len(vs) != 2 || vs[0].Name != "hard-north" || vs[1].Description != "Patrols are off the table." {
		t.Fatalf("variants %+v", vs)
	}

	hn := mustScenario(t, f, "hard-north")
	if hn.Variant != "hard-north" || len(hn.Variants) != 2 {
		t.Errorf("variant fields %q %d", hn.Variant, len(hn.Variants))
	}
	north := party(hn, "North")
	if r := north.Preferences.Reservation; r.Value != 0.6 || r.Ranged || r.Sources != nil {
		t.Errorf("a scalar replaces the base estimate: %+v", r)
	}
	if len(north.Preferences.Issues) != 3 || north.Preferences.Discount.Value != 0.9 {
		t.Error("keys not in the override must keep their base values")
	}
	south := party(hn, "South")
	if south.Delegation.Rule.Kind != parley.Unanimity || south.Delegation.Rule.Quota != 0 {
		t.Errorf("rule replaced: %+v", south.Delegation.Rule)
	}
	if n := len(south.Delegation.Factions); n != 3 || south.Delegation.Factions[2].Name != "Fishers" {
		t.Errorf("new faction appended: %d factions", n)
	}
	if navy := faction(south, "Navy"); len(navy.Preferences.RedLines) != 0 || len(navy.Preferences.Issues) != 1 {
		t.Errorf("red line removed, issues kept: %+v", navy.Preferences)
	}

	np := mustScenario(t, f, "no-patrols")
	if len(np.Issues) != 3 || np.IssueIndex("patrols") >= 0 {
		t.Errorf("issue removed: %d issues", len(np.Issues))
	}
	acc := np.Issues[0]
	labels := []string{}
	for _, o := range acc.Options {
		labels = append(labels, o.Label)
	}
	if !slices.Equal(labels, []string{"none", "shared", "exclusive", "rotating"}) || acc.Options[2].Clause != "North alone uses the harbour." {
		t.Errorf("options merged by label (bare labels too): %+v", acc.Options)
	}
	navy := faction(party(np, "South"), "Navy")
	if len(navy.Preferences.Issues) != 1 || navy.Preferences.Issues[0].Issue != "access" {
		t.Errorf("navy issues %+v", navy.Preferences.Issues)
	}

	// The base is untouched by the variants.
	b := mustScenario(t, f, "")
	if len(b.Issues) != 4 || party(b, "North").Preferences.Reservation.Value != 0.3 || len(party(b, "South").Delegation.Factions) != 2 {
		t.Error("variants leaked into the base")
	}
}

// TestMergeRules checks the merge rules on small trees.
func TestMergeRules(t *testing.T) {
	tests := []struct{ base, over, want string }{
		{"{title: t, simulation: {rounds: 2, protocol: sao}}", "{simulation: {rounds: 4, hours_per_round: 5}}", "{title: t, simulation: {rounds: 4, protocol: sao, hours_per_round: 5}}"},
		{"{parties: [{name: x, v: 1}, {name: y, v: 2}]}", "{parties: [{name: y, v: 3}, {name: z, add: true}]}", "{parties: [{name: x, v: 1}, {name: y, v: 3}, {name: z}]}"},
		{"{parties: [{name: x}, {name: y}]}", "{parties: [{name: x, remove: true}]}", "{parties: [{name: y}]}"},
		{"{sources: [{id: x, t: a}]}", "{sources: [{id: x, t: b}]}", "{sources: [{id: x, t: b}]}"},
		{"{parties: [{name: P, preferences: {issues: [{issue: x, w: 1}]}}]}", "{parties: [{name: P, preferences: {issues: [{issue: x, w: 2}]}}]}", "{parties: [{name: P, preferences: {issues: [{issue: x, w: 2}]}}]}"},
		{"{issues: [{name: i, options: [a, {label: b}]}]}", "{issues: [{name: i, options: [{label: a, clause: c}, b]}]}", "{issues: [{name: i, options: [{label: a, clause: c}, {label: b}]}]}"},
		{"{issues: [{name: i, options: [a]}]}", "{issues: [{name: i, options: [{label: z, add: true}]}]}", "{issues: [{name: i, options: [a, {label: z}]}]}"},
		{"{notes: [a, b]}", "{notes: [c]}", "{notes: [c]}"}, // plain list: replaced
		{"{parties: [{name: P, preferences: {constraints: [{u: 1}]}}]}", "{parties: [{name: P, preferences: {constraints: [{u: 2}]}}]}", "{parties: [{name: P, preferences: {constraints: [{u: 2}]}}]}"}, // no named items: replaced
		{"{roles: [{name: B, needed: [{issue: a, min: 1}]}]}", "{roles: [{name: B, needed: [{issue: b, max: 2}]}]}", "{roles: [{name: B, needed: [{issue: b, max: 2}]}]}"},                               // conditions: replaced
		{"{parties: [{name: x}]}", "{parties: []}", "{parties: [{name: x}]}"}, // an empty named list changes nothing
		{"{r: unanimity}", "{r: {kind: majority}}", "{r: {kind: majority}}"},  // scalar vs mapping
		{"{r: {kind: weighted_quota, quota: 0.5}}", "{r: majority}", "{r: majority}"},
		// A list the base lacks: its named items need add: true; inside an added item nothing more does.
		{"{parties: [{name: P, preferences: {r: 1}}]}", "{parties: [{name: P, preferences: {red_lines: [{name: q, add: true}]}}]}", "{parties: [{name: P, preferences: {r: 1, red_lines: [{name: q}]}}]}"},
		{"{parties: [{name: P}]}", "{parties: [{name: Q, add: true, delegation: {factions: [{name: F, preferences: {red_lines: [{name: r}]}}]}}]}", "{parties: [{name: P}, {name: Q, delegation: {factions: [{name: F, preferences: {red_lines: [{name: r}]}}]}}]}"},
	}
	for _, tt := range tests {
		var b, o, w yaml.Node
		for _, p := range []struct {
			s string
			n *yaml.Node
		}{{tt.base, &b}, {tt.over, &o}, {tt.want, &w}} {
			if err := yaml.Unmarshal([]byte(p.s), p.n); err != nil {
				t.Fatal(err)
			}
		}
		bn, _ := normalize("", &b)
		on, _ := normalize("", &o)
		wn, _ := normalize("", &w)
		m := &merger{}
		got := m.merge(bn, on, at{})
		if len(m.errs) > 0 {
			t.Errorf("%s + %s: %v", tt.base, tt.over, m.errs)
		}
		if !sameTree(got, wn) {
			t.Errorf("%s + %s = %s, want %s", tt.base, tt.over, flow(got), tt.want)
		}
	}
}

func sameTree(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameTree(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

func flow(n *yaml.Node) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	c := copyNode(n)
	var setFlow func(*yaml.Node)
	setFlow = func(n *yaml.Node) {
		n.Style = yaml.FlowStyle
		for _, ch := range n.Content {
			setFlow(ch)
		}
	}
	setFlow(c)
	_ = enc.Encode(c)
	return strings.TrimSpace(buf.String())
}

func TestMergePositions(t *testing.T) {
	// An error in a value that comes from the override points into the
	// override; one that comes from the base points into the base.
	text := `id: t
issues: [{name: a, options: [x, y]}]
parties:
  - {name: P, preferences: {reservation: 0.1, issues: [{issue: a, weight: 1, values: {x: 1}}]}}
  - {name: Q, preferences: {reservation: 0.1, issues: [{issue: b, weight: 1}]}}
variants:
  - name: v
    override:
      parties: [{name: P, preferences: {issues: [{issue: a, values: {z: 1}}]}}]
`
	f, err := Parse("p.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Scenario("v")
	var list Errors
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("want 2 errors, got %v", err)
	}
	if got := list[0]; got.Line != 5 || got.Path != "parties[1].preferences.issues[0].issue" {
		t.Errorf("base error at %d:%d %s", got.Line, got.Column, got.Path)
	}
	if got := list[1]; got.Line != 9 || got.Column != 70 || got.Path != "parties[0].preferences.issues[0].values[1].option" {
		t.Errorf("override error at %d:%d %s", got.Line, got.Column, got.Path)
	}
	// Validate reports the base error once and the variant's with its name.
	err = Validate(f)
	if !errors.As(err, &list) || len(list) != 2 || !strings.Contains(list[1].Error(), `variant "v": issue "a" has no option "z"`) {
		t.Errorf("Validate: %v", err)
	}
}

func TestBuiltin(t *testing.T) {
	names := BuiltinNames()
	if !slices.IsSorted(names) {
		t.Errorf("names not sorted: %v", names)
	}
	for _, n := range names {
		f, err := Builtin(n)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if f.ID() != n {
			t.Errorf("%s: id %q differs from the file name", n, f.ID())
		}
		if err := Validate(f); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	_, err := Builtin("no-such-scenario")
	if parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("unknown builtin: %v", err)
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile("testdata/does-not-exist.yaml")
	if parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("got %v", err)
	}
}

// toJSON converts a YAML tree to the JSON value the schema validates: keys
// become strings, scalars their typed values.
func toJSON(t *testing.T, n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = toJSON(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, toJSON(t, c))
		}
		return l
	}
	var v any
	if err := n.Decode(&v); err != nil {
		t.Fatal(err)
	}
	// Round-trip through JSON so numbers have the types the validator expects.
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile("../docs/scenario.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatal("schema is not valid JSON")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("scenario.schema.json") // checks it against the draft 2020-12 meta-schema
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func schemaCheck(t *testing.T, sch *jsonschema.Schema, name string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	root, errs := normalize(name, &doc)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", name, errs)
	}
	return sch.Validate(toJSON(t, root))
}

func TestSchema(t *testing.T) {
	sch := compileSchema(t)
	files := map[string][]byte{}
	paths, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = data
	}
	for _, n := range BuiltinNames() {
		data, err := builtinFS.ReadFile("builtin/" + n + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		files["builtin/"+n] = data
	}
	files["errors_test base"] = []byte(base)
	for name, data := range files {
		if err := schemaCheck(t, sch, name, data); err != nil {
			t.Errorf("%s does not conform to the schema: %v", name, err)
		}
	}
	// And the schema rejects what the loader rejects structurally.
	for _, bad := range []string{
		strings.Replace(base, "      reservation: 0.1\n", "      reservaton: 0.1\n", 1),
		strings.Replace(base, "rule: unanimity", "rule: majorty", 1),
		strings.Replace(base, "reservation: 0.1", "reservation: {range: [0, 1]}", 1),
		strings.Replace(base, "{name: n, kind: integer, min: 0, max: 2}", "{name: n, kind: integer, min: 0}", 1),
		strings.Replace(base, "          weight: 1\n", "", 1),
	} {
		if err := schemaCheck(t, sch, "bad", []byte(bad)); err == nil {
			t.Errorf("schema accepts an invalid file:\n%s", bad)
		}
		if _, err := Parse("bad", []byte(bad)); err == nil {
			t.Errorf("loader accepts an invalid file:\n%s", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, n := range BuiltinNames() {
		data, _ := builtinFS.ReadFile("builtin/" + n + ".yaml")
		f.Add(data)
	}
	f.Add([]byte(base))
	f.Add([]byte("id: &a [*a]\n"))
	f.Add([]byte("a: &a {b: 1}\nc: {<<: *a, d: 2}\n"))
	f.Add([]byte("id: t\nissues: [{name: n, kind: real, min: 0, max: 1e300, step: 1e-300}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			if parley.ErrorCode(err) == parley.EINTERNAL {
				t.Fatalf("internal error: %v", err)
			}
			return
		}
		_ = Validate(file)
		for _, v := range append([]parley.Variant{{}}, file.Variants()...) {
			s, err := file.Scenario(v.Name)
			if err != nil {
				continue
			}
			m, err := s.Compile()
			if err != nil {
				t.Fatalf("Scenario returned a scenario that does not compile: %v", err)
			}
			if m.Size().Cmp(big.NewInt(1_000_000)) > 0 {
				continue // keep each input cheap
			}
			// The compiled utilities lie within the documented range and
			// equal the exact evaluation of the scenario's numbers.
			os := exactref.Sample(m, 50)
			if err := exactref.Check(s, m, os); err != nil {
				t.Fatalf("variant %q: %v", v.Name, err)
			}
			// Write → read gives the same compiled utilities.
			var buf bytes.Buffer
			if err := Write(&buf, s); err != nil {
				t.Fatalf("write: %v", err)
			}
			f2, err := Parse("fuzz2.yaml", buf.Bytes())
			if err != nil {
				t.Fatalf("written file does not parse: %v\n%s", err, buf.String())
			}
			s2, err := f2.Scenario("")
			if err != nil {
				t.Fatalf("written file does not decode: %v\n%s", err, buf.String())
			}
			m2, err := s2.Compile()
			if err != nil {
				t.Fatalf("written file does not compile: %v\n%s", err, buf.String())
			}
			sameModels(t, m, m2, os)
		}
	})
}

// sameModels checks that two models of one scenario give every party the
// same utilities (as rationals: their scales may differ) on os, and the
// same reservation values.
func sameModels(t *testing.T, a, b *parley.Model, os []parley.Outcome) {
	t.Helper()
	if len(a.Parties) != len(b.Parties) || fmt.Sprint(a.Sizes) != fmt.Sprint(b.Sizes) {
		t.Fatalf("shape %d parties %v, then %d parties %v", len(a.Parties), a.Sizes, len(b.Parties), b.Sizes)
	}
	for p := range a.Parties {
		ua, ub := &a.Parties[p].Utility, &b.Parties[p].Utility
		if exactref.Of(ua, a.Parties[p].Reservation).Cmp(exactref.Of(ub, b.Parties[p].Reservation)) != 0 {
			t.Fatalf("party %d: reservation differs", p)
		}
		for _, o := range os {
			if exactref.Of(ua, ua.Eval(o)).Cmp(exactref.Of(ub, ub.Eval(o))) != 0 {
				t.Fatalf("party %d, outcome %v: utility %v, then %v", p, o, ua.F(ua.Eval(o)), ub.F(ub.Eval(o)))
			}
		}
	}
}

// TestDocExample keeps the full example of docs/scenario-format.md valid.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/scenario-format.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i := strings.Index(s, "## A full example")
	if i < 0 {
		t.Fatal("no full example")
	}
	s = s[i:]
	start := strings.Index(s, "```yaml\n") + len("```yaml\n")
	end := strings.Index(s[start:], "```")
	text := s[start : start+end]
	f, err := Parse("scenario-format.md", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(f); err != nil {
		t.Fatal(err)
	}
	if err := schemaCheck(t, compileSchema(t), "doc example", []byte(text)); err != nil {
		t.Error(err)
	}
}

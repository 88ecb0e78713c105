package geniusweb

import (
	"errors"
	"math"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/exactref"
)

func loadJobs(t *testing.T) *parley.Scenario {
	t.Helper()
	s, err := Load(filepath.Join("testdata", "jobs-domain.json"), []string{filepath.Join("testdata", "jobs-employer.json"), filepath.Join("testdata", "jobs-employee.json")})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReadJobs(t *testing.T) {
	s := loadJobs(t)
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "jobs" || s.Parties[0].Name != "employer" || s.Parties[1].Name != "employee" {
		t.Errorf("names: %q %q %q", s.ID, s.Parties[0].Name, s.Parties[1].Name)
	}
	sal, fte := s.Issues[0], s.Issues[1]
	if sal.Kind != parley.Real || sal.Step != 500 || len(sal.Options) != 5 || sal.Options[2].Label != "3000" {
		t.Errorf("salary: %+v", sal)
	}
	// 0.6 + 2·0.1 is exactly 0.8 in GeniusWeb's decimals.
	if fte.Kind != parley.Real || len(fte.Options) != 5 || fte.Options[2].Label != "0.8" || fte.Options[4].Value != 1 {
		t.Errorf("fte: %+v", fte)
	}
	// employer at (3000, 0.8, yes): 0.5·0.5 + 0.3·0.6 + 0.2·0.3 = 0.49,
	// its reservation bid.
	u := m.Eval(parley.Outcome{2, 2, 0})
	if math.Abs(m.Parties[0].Utility.F(u[0])-0.49) > 1e-12 || math.Abs(m.Parties[0].Utility.F(m.Parties[0].Reservation)-0.49) > 1e-12 {
		t.Errorf("employer: u %v, reservation %v", m.Parties[0].Utility.F(u[0]), m.Parties[0].Utility.F(m.Parties[0].Reservation))
	}
	// employee: "no" has no utility (0); no reservation bid (0).
	u = m.Eval(parley.Outcome{4, 0, 1})
	if math.Abs(m.Parties[1].Utility.F(u[1])-(0.6+0.25)) > 1e-12 || m.Parties[1].Reservation != 0 {
		t.Errorf("employee: u %v, reservation %v", m.Parties[1].Utility.F(u[1]), m.Parties[1].Utility.F(m.Parties[1].Reservation))
	}
	if !strings.Contains(strings.Join(s.Warnings, "\n"), `value "no" of issue "lease car" has no utility`) {
		t.Errorf("notes: %q", s.Warnings)
	}
	// The embedded-domain layout gives the same scenario.
	s2, err := Load("", []string{filepath.Join("testdata", "jobs-employee.json"), filepath.Join("testdata", "jobs-employer.json")})
	if err != nil {
		t.Fatal(err)
	}
	if s2.Issues[0].Name != "lease car" || len(s2.Parties) != 2 {
		t.Errorf("embedded: %+v", s2.Issues[0])
	}
}

func TestRoundTripFixtures(t *testing.T) {
	s := loadJobs(t)
	if ok, warns := roundTrip(t, "jobs", s); !ok {
		t.Fatal("not compared")
	} else if len(warns) != 0 {
		t.Errorf("warnings: %q", warns)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct{ name, data, want string }{
		{"syntax", "{\n  \"name\": \"x\",\n  \"issuesValues\": {,}\n}", "p.json:3:19: JSON syntax"},
		{"eof", "{\"name\": \"x\"", "p.json:1:13: JSON syntax: unexpected end of file"},
		{"type", "{\"Foo\": {}}", `p.json:1:2: Foo: profile type "Foo" is not supported`},
		{"weight", "{\"LinearAdditiveUtilitySpace\": {\"issueUtilities\": {},\n \"issueWeights\": {\"a\": -1}}}", `p.json:2:24: LinearAdditiveUtilitySpace.issueWeights.a: weight must not be negative`},
		{"number", "{\"LinearAdditiveUtilitySpace\": {\"issueUtilities\": {\"a\": {\"numberutils\": {\"lowValue\": 2, \"lowUtility\": 0, \"highValue\": 1, \"highUtility\": 1}}}, \"issueWeights\": {}}}", `highValue must be above lowValue`},
		{"dup", "{\"LinearAdditiveUtilitySpace\": {\"name\": \"a\", \"name\": \"b\"}}", `p.json:1:46: duplicate key "name"`},
		{"missing", "{\"LinearAdditiveUtilitySpace\": {}}", `LinearAdditiveUtilitySpace.issueUtilities: missing required key`},
	}
	for _, c := range cases {
		_, err := ReadProfile("p.json", []byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
			continue
		}
		var pe *parley.PosError
		if !errors.As(err, &pe) || pe.Line == 0 || parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s: not a positioned EINVALID error: %#v", c.name, err)
		}
	}
	// Build errors point into the profile.
	d, err := ReadDomain("d.json", []byte(`{"name": "d", "issuesValues": {"a": {"values": ["x"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ReadProfile("p.json", []byte("{\"LinearAdditiveUtilitySpace\": {\"issueUtilities\": {\"a\": {\"discreteutils\": {\"valueUtilities\": {\"x\": 1}}}},\n\"issueWeights\": {\"a\": 1},\n\"reservationBid\": {\"issuevalues\": {\"a\": \"y\"}}}}"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(d, []*Profile{p, p}, []string{"a", "b"})
	if err == nil || !strings.HasPrefix(err.Error(), `p.json:3:41: LinearAdditiveUtilitySpace.reservationBid.issuevalues.a: value "y" is not a value of issue "a"`) {
		t.Errorf("bid: %v", err)
	}
	if _, err := ReadDomain("d.json", []byte(`{"name": "d", "issuesValues": {"a": {"range": {"low": 0, "high": 1e9, "step": 1}}}}`)); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("huge range: %v", err)
	}
}

// TestBuildIssueErrors checks that Build matches a profile's utilities and
// weights to the domain's issues: every issue needs both, of its kind, and
// none may be foreign to the domain.
func TestBuildIssueErrors(t *testing.T) {
	d, err := ReadDomain("d.json", []byte(`{"name": "d", "issuesValues": {"a": {"values": ["x"]}, "b": {"range": {"low": 0, "high": 2, "step": 1}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	const (
		ua = `"a": {"discreteutils": {"valueUtilities": {"x": 1}}}`
		ub = `"b": {"numberutils": {"lowValue": 0, "lowUtility": 0, "highValue": 2, "highUtility": 1}}`
	)
	cases := []struct{ name, utils, weights, want string }{
		{"ok", ua + ", " + ub, `"a": 0.5, "b": 0.5`, ""},
		{"no weight", ua + ", " + ub, `"a": 1`, `p.json:1:32: LinearAdditiveUtilitySpace.issueWeights: issue "b" of domain d.json has no weight`},
		{"no utilities", ua, `"a": 0.5, "b": 0.5`, `p.json:1:32: LinearAdditiveUtilitySpace.issueUtilities: issue "b" of domain d.json has no utilities`},
		{"foreign utility", ua + ", " + ub + `, "c": {"discreteutils": {"valueUtilities": {}}}`, `"a": 0.5, "b": 0.5`, `LinearAdditiveUtilitySpace.issueUtilities.c: issue "c" is not in domain d.json`},
		{"foreign weight", ua + ", " + ub, `"a": 0.5, "b": 0.5, "c": 0`, `LinearAdditiveUtilitySpace.issueWeights.c: issue "c" is not in domain d.json`},
		{"wrong kind", ua + `, "b": {"discreteutils": {"valueUtilities": {}}}`, `"a": 0.5, "b": 0.5`, `LinearAdditiveUtilitySpace.issueUtilities.b: issue "b" needs numberutils in domain d.json`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ReadProfile("p.json", []byte(`{"LinearAdditiveUtilitySpace": {"issueUtilities": {`+c.utils+`}, "issueWeights": {`+c.weights+`}}}`))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Build(d, []*Profile{p, p}, []string{"a", "b"})
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want %q", err, c.want)
			case c.want != "" && parley.ErrorCode(err) != parley.EINVALID:
				t.Fatalf("code %s, want EINVALID", parley.ErrorCode(err))
			}
		})
	}
}

// FuzzReadProfile checks that ReadProfile never panics and that every error
// it returns is a positioned EINVALID error.
func FuzzReadProfile(f *testing.F) {
	for _, p := range []string{"jobs-employer.json", "jobs-employee.json", "jobs-domain.json"} {
		data, err := readFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"LinearAdditiveUtilitySpace": {"issueUtilities": {}, "issueWeights": {}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadProfile("f.json", data)
		if err != nil {
			var pe *parley.PosError
			if !errors.As(err, &pe) || pe.Line == 0 || parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("bad error: %v", err)
			}
			return
		}
		if p.Domain == nil {
			return
		}
		s, err := Build(nil, []*Profile{p, p}, []string{"a", "b"})
		if err != nil {
			return
		}
		m, err := s.Compile()
		if err != nil || m.Size().Cmp(big.NewInt(100_000)) > 0 {
			return
		}
		// Compiled utilities equal the exact evaluation of the imported
		// numbers, and the profile's own: Σ weight·utility / Σ weights.
		os := exactref.Sample(m, 50)
		if err := exactref.Check(s, m, os); err != nil {
			t.Fatal(err)
		}
		inUnit := len(p.Warnings) == 0 && len(p.br.warnings) == 0
		u := &m.Parties[0].Utility
		for _, o := range os {
			got := exactref.Of(u, u.Eval(o))
			if want := profileUtility(p, o); u.Exact && got.Cmp(want) != 0 {
				t.Fatalf("outcome %v: compiled %s, profile %s", o, got.RatString(), want.RatString())
			}
			if inUnit && (got.Sign() < 0 || got.Cmp(big.NewRat(1, 1)) > 0) {
				t.Fatalf("outcome %v: utility %s outside [0, 1] without a warning", o, got.RatString())
			}
		}
		// Write → read gives the same utilities.
		roundTrip(t, "fuzz", s)
	})
}

// profileUtility evaluates o (option indices of p's embedded domain) from
// the profile's numbers: Σ_i w_i·u_i(value) / Σ_i w_i.
func profileUtility(p *Profile, o parley.Outcome) *big.Rat {
	d := p.Domain
	sum, total := new(big.Rat), new(big.Rat)
	for _, w := range p.Weights {
		sum.Add(sum, w.W)
	}
	for _, w := range p.Weights {
		i := d.issueIndex(w.Issue)
		var iu *IssueUtility
		for k := range p.Utilities {
			if p.Utilities[k].Issue == w.Issue {
				iu = &p.Utilities[k]
			}
		}
		var v *big.Rat
		if d.Issues[i].Kind == Discrete {
			v = iu.discrete(d.Issues[i].Values[o[i]])
		} else {
			v = iu.number(d.Issues[i].Numbers[o[i]])
		}
		total.Add(total, new(big.Rat).Mul(w.W, v))
	}
	if sum.Sign() > 0 {
		total.Quo(total, sum)
	}
	return total
}

// TestRanges: utilities beyond ±2^61 are positioned errors; a
// reservationValue of 10^7 is held exactly and one of 10^300 is read as the
// profile's best utility (accepting the same outcomes), with a note.
func TestRanges(t *testing.T) {
	t.Parallel()
	d, err := ReadDomain("d.json", []byte(`{"name": "d", "issuesValues": {"a": {"values": ["x", "y"]}, "b": {"values": ["u", "v"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	prof := func(x, res string) string {
		return `{"LinearAdditiveUtilitySpace": {"name": "p",
  "issueUtilities": {"a": {"discreteutils": {"valueUtilities": {"x": ` + x + `, "y": 0.5}}},
    "b": {"discreteutils": {"valueUtilities": {"u": 0.25, "v": 1}}}},
  "issueWeights": {"a": 0.6, "b": 0.4}, "reservationValue": ` + res + `}}`
	}
	build := func(x, res string) (*parley.Scenario, *parley.Model, error) {
		p, err := ReadProfile("p.json", []byte(prof(x, res)))
		if err != nil {
			return nil, nil, err
		}
		s, err := Build(d, []*Profile{p, p}, []string{"a", "b"})
		if err != nil {
			return nil, nil, err
		}
		m, err := s.Compile()
		return s, m, err
	}
	_, m, err := build("1", "1e7")
	if err != nil {
		t.Fatal(err)
	}
	if r := &m.Parties[0]; r.Utility.F(r.Reservation) != 1e7 || r.Accepts(parley.Outcome{0, 1}) {
		t.Errorf("reservation 1e7 reads %v", r.Utility.F(r.Reservation))
	}
	s, m, err := build("1", "1e300")
	if err != nil {
		t.Fatal(err)
	}
	note := false
	for _, n := range s.Warnings {
		note = note || strings.HasPrefix(n, "p.json:4:") && strings.Contains(n, "reservationValue 1e+300 is out of range")
	}
	if r := &m.Parties[0]; r.Utility.F(r.Reservation) != 1 || r.Accepts(parley.Outcome{0, 1}) || !note {
		t.Errorf("reservation 1e300: %v, warnings %q", r.Utility.F(r.Reservation), s.Warnings)
	}
	_, _, err = build("-3e18", "0")
	var pe *parley.PosError
	if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("utility -3e18: %v", err)
	}
}

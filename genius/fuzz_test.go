package genius

import (
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/exactref"
)

func seeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("<a b=c d='e'/>"))
	f.Add([]byte("<!-- x --><?xml?><!DOCTYPE a [<!ELEMENT a ANY>]><a><![CDATA[<]]></a>"))
}

// maxFuzzOptions keeps each fuzzed scenario cheap to write and compare.
const maxFuzzOptions = 2000

func options(s *parley.Scenario) int {
	n := 0
	for i := range s.Issues {
		n += len(s.Issues[i].Options)
	}
	return n
}

// FuzzReadDomain: a domain that reads builds a scenario; given two
// profiles (one valuing each issue's options upwards, one downwards), it
// writes as Genius XML and reads back with the same issues, options and
// utilities.
func FuzzReadDomain(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ReadDomain("f.xml", data)
		if err != nil {
			return
		}
		s, err := Build(d, nil, nil, Options{})
		if err != nil {
			t.Fatalf("Build of a read domain failed: %v", err)
		}
		if len(s.Issues) == 0 || options(s) > maxFuzzOptions {
			return
		}
		for p, name := range []string{"up", "down"} {
			pr := &parley.Preferences{}
			for i := range s.Issues {
				ip := parley.IssuePref{Issue: s.Issues[i].Name, Weight: parley.Estimate{Value: 1}}
				n := len(s.Issues[i].Options)
				for k, o := range s.Issues[i].Options {
					v := float64(k)
					if p == 1 {
						v = float64(n - 1 - k)
					}
					ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: parley.Estimate{Value: v}})
				}
				ip.Scale = float64(max(n-1, 1))
				pr.Issues = append(pr.Issues, ip)
			}
			s.Parties = append(s.Parties, parley.Party{Name: name, Preferences: pr})
		}
		m, err := s.Compile()
		if err != nil {
			t.Fatalf("compile: %v", err)
		}
		writeBack(t, s, m)
	})
}

// writeBack writes s as Genius XML, reads it back and compares the issues
// (names and option labels) and every party's utilities on sampled
// outcomes (after the export's own scaling, see Write) within 1e-9.
func writeBack(t *testing.T, s *parley.Scenario, m *parley.Model) {
	t.Helper()
	dir := t.TempDir()
	files, warns, err := Write(dir, s)
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	for _, w := range warns {
		if strings.Contains(w, "not exported") || strings.Contains(w, "negative utilities") || strings.Contains(w, "exported as a discrete issue") {
			return // documented losses: nothing to compare exactly
		}
	}
	s2, err := Load(files[0], files[1:], Options{})
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	m2, err := s2.Compile()
	if err != nil {
		t.Fatalf("compile back: %v", err)
	}
	if len(s2.Issues) != len(s.Issues) {
		t.Fatalf("%d issues, then %d", len(s.Issues), len(s2.Issues))
	}
	for i := range s.Issues {
		a, b := &s.Issues[i], &s2.Issues[i]
		if a.Name != b.Name || len(a.Options) != len(b.Options) {
			t.Fatalf("issue %d: %q with %d options, then %q with %d", i, a.Name, len(a.Options), b.Name, len(b.Options))
		}
		for k := range a.Options {
			if a.Options[k].Label != b.Options[k].Label {
				t.Fatalf("issue %q option %d: %q, then %q", a.Name, k, a.Options[k].Label, b.Options[k].Label)
			}
		}
	}
	div := make([]float64, len(s.Parties))
	for p := range div {
		div[p] = 1
	}
	for _, w := range warns {
		if sm := scaledRe.FindStringSubmatch(w); sm != nil {
			for p := range s.Parties {
				if s.Parties[p].Name == sm[1] {
					div[p] = parseF(sm[2])
				}
			}
		}
	}
	for _, o := range exactref.Sample(m, 50) {
		for p := range m.Parties {
			u1, u2 := &m.Parties[p].Utility, &m2.Parties[p].Utility
			a, b := u1.F(u1.Eval(o))/div[p], u2.F(u2.Eval(o))
			if math.Abs(a-b) > 1e-9*math.Max(1, math.Abs(a)) {
				t.Fatalf("party %d, outcome %v: %v, then %v", p, o, a, b)
			}
		}
	}
}

func parseF(s string) float64 {
	x, _ := strconv.ParseFloat(s, 64)
	return x
}

var one = big.NewRat(1, 1)

// FuzzReadProfile: a profile that reads builds and, when it compiles, its
// utilities lie within the documented range (±2^61; [0, 1] for additive
// profiles, whose evaluations Genius normalises, when no evaluation is
// negative and no evaluator constant), equal the exact evaluation of the
// imported numbers, and survive a write → read round trip.
func FuzzReadProfile(f *testing.F) {
	seeds(f)
	doms := map[string]*Domain{}
	for _, n := range []string{"car-domain.xml", "int-domain.xml", "real-domain.xml", "nl-domain.xml", "latin1-domain.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		d, err := ReadDomain(n, data)
		if err != nil {
			f.Fatal(err)
		}
		doms[n] = d
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range doms {
			p, err := ReadProfile("f.xml", data, d)
			if err != nil {
				continue
			}
			s, err := Build(d, []*Profile{p, p}, []string{"a", "b"}, Options{RealSteps: 3})
			if err != nil {
				if parley.ErrorCode(err) != parley.EINVALID {
					t.Fatalf("Build: %v", err)
				}
				continue
			}
			m, err := s.Compile()
			if err != nil {
				continue // may reject (say, negative weights); must not panic
			}
			os := exactref.Sample(m, 50)
			if err := exactref.Check(s, m, os); err != nil {
				t.Fatal(err)
			}
			// The profile's own evaluators, in floats (Evaluator.Value, not
			// the exact path the importer takes), agree within 1e-9.
			if p.Kind == Additive {
				u := &m.Parties[0].Utility
				for _, o := range os {
					if got, want := u.F(u.Eval(o)), floatUtility(s, p, o); math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
						t.Fatalf("outcome %v: compiled %v, evaluators %v", o, got, want)
					}
				}
			}
			if p.Kind == Additive && normalised(p) {
				u := &m.Parties[0].Utility
				for _, o := range os {
					if x := exactref.Of(u, u.Eval(o)); x.Sign() < 0 || x.Cmp(one) > 0 {
						t.Fatalf("outcome %v: utility %s outside [0, 1]", o, x.RatString())
					}
				}
			}
			writeBack(t, s, m)
		}
	})
}

// floatUtility is Σ_i w_i·value_i / Σ_i w_i with the evaluators' float
// Value.
func floatUtility(s *parley.Scenario, p *Profile, o parley.Outcome) float64 {
	var u, wsum float64
	for i := range p.Evaluators {
		wsum += p.Evaluators[i].Weight
	}
	for i, k := range o {
		ev := &p.Evaluators[i]
		opt := &s.Issues[i].Options[k]
		u += ev.Weight * ev.Value(opt.Label, opt.Value)
	}
	if wsum > 0 {
		u /= wsum
	}
	return u
}

// normalised reports whether every evaluator of p gives values in [0, 1]
// by Genius' definition (no negative evaluation, no constant evaluator).
func normalised(p *Profile) bool {
	for _, ev := range p.Evaluators {
		switch ev.Kind {
		case EvalConstant:
			return false
		case EvalDiscrete:
			for _, x := range ev.Evaluations {
				if x < 0 {
					return false
				}
			}
		}
	}
	return true
}

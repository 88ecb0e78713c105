package verifytest

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/scenario"
)

// Scenario loads a variant ("" for the base) of a built-in scenario,
// failing the test on error.
func Scenario(t testing.TB, name, variant string) *parley.Scenario {
	t.Helper()
	f, err := scenario.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Scenario(variant)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Outcome returns the outcome of s with the given clauses (issue name →
// option label) and every other issue at its status quo.
func Outcome(t testing.TB, s *parley.Scenario, clauses map[string]string) parley.Outcome {
	t.Helper()
	o := make(parley.Outcome, len(s.Issues))
	for i := range s.Issues {
		o[i] = s.Issues[i].StatusQuo()
	}
	for issue, label := range clauses {
		i := s.IssueIndex(issue)
		if i < 0 {
			t.Fatalf("no issue %q", issue)
		}
		if o[i] = s.Issues[i].OptionIndex(label); o[i] < 0 {
			t.Fatalf("issue %s has no option %q", issue, label)
		}
	}
	return o
}

// Sign agrees s on the given clauses (the status quo elsewhere), signed on
// the given date.
func Sign(t testing.TB, s *parley.Scenario, clauses map[string]string, signed string) *parley.Accord {
	t.Helper()
	a, err := s.Agree(Outcome(t, s, clauses), signed)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

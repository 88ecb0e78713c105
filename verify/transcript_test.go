package verify_test

import (
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/verify/verifytest"
)

// TestTranscripts runs the scripts in testdata/*.txt against the built-in
// Istanbul scenario's clauses (see package verifytest for the commands);
// run with -rewrite to regenerate and review the diff.
func TestTranscripts(t *testing.T) {
	f, err := scenario.Builtin("istanbul-2025")
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Scenario("")
	if err != nil {
		t.Fatal(err)
	}
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		h := &verifytest.Harness{Scenario: s}
		datadriven.RunTest(t, path, h.Run)
	})
}

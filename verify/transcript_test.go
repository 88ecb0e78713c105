package verify_test

import (
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/parleyhq/parley/verify/verifytest"
)

// TestTranscripts runs the scripts in testdata/*.txt against the built-in
// Istanbul scenario's clauses (see package verifytest for the commands);
// run with -rewrite to regenerate and review the diff.
func TestTranscripts(t *testing.T) {
	s := verifytest.Scenario(t, "istanbul-2025", "")
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		h := &verifytest.Harness{Scenario: s}
		datadriven.RunTest(t, path, h.Run)
	})
}

package verify_test

import (
	"errors"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/verify"
	"github.com/parleyhq/parley/verify/verifytest"
)

// TestRefusalCodes: a refused input's error wraps a Refusal whose code
// tells a seat the text does not let act (EFORBIDDEN) from a step that
// does not fit (ECONFLICT) and a case never filed (ENOTFOUND); the code
// of the error itself stays EINVALID (the command line's exit status).
func TestRefusalCodes(t *testing.T) {
	t.Parallel()
	s := verifytest.Scenario(t, "istanbul-2025", "us-signs")
	for _, tc := range []struct {
		attribution string
		steps       []parley.CaseEvent
		want        string
	}{
		{"pakistan_decides", []parley.CaseEvent{
			{Kind: parley.CaseRule, By: "Afghanistan", Case: "c1", Verdict: parley.Unfounded}}, parley.EFORBIDDEN},
		{"pakistan_decides", []parley.CaseEvent{
			{Kind: parley.CaseRule, By: "Pakistan", Case: "c1", Verdict: parley.Attributed},
			{Kind: parley.CaseDissent, By: "Pakistan", Case: "c1"}}, parley.EFORBIDDEN},
		{"joint_finding", []parley.CaseEvent{
			{Kind: parley.CaseRule, By: "Pakistan", Case: "c1", Verdict: parley.Attributed},
			{Kind: parley.CaseRule, By: "Afghanistan", Case: "c1", Verdict: parley.Attributed},
			{Kind: parley.CaseDissent, By: "Afghanistan", Case: "c1"}}, parley.EFORBIDDEN},
		{"joint_finding", []parley.CaseEvent{
			{Kind: parley.CaseRule, By: "mediators", Case: "c1", Verdict: parley.Attributed}}, parley.ECONFLICT},
		{"joint_finding", []parley.CaseEvent{
			{Kind: parley.CaseRule, By: "Pakistan", Case: "c9", Verdict: parley.Attributed}}, parley.ENOTFOUND},
	} {
		a := verifytest.Sign(t, s, map[string]string{"monitoring": "mediated_mechanism", "attribution": tc.attribution, "ttp_action": "general_assurance"}, "2025-11-03")
		m, err := verify.New(a)
		if err != nil {
			t.Fatal(err)
		}
		var soil string
		for _, c := range a.Commitments {
			if c.Kind != parley.Obligation && len(c.By) == 1 && c.By[0] == "Afghanistan" {
				soil = c.ID
				break
			}
		}
		if soil == "" {
			t.Fatalf("%s: no guarantee or prohibition owed by Afghanistan in %+v", tc.attribution, a.Commitments)
		}
		steps := append([]parley.CaseEvent{
			{Kind: parley.CaseAllege, By: "Pakistan", Case: "c1", Accused: "Afghanistan", Commitments: []string{soil}},
			{Kind: parley.CaseOpen, By: "mediators", Case: "c1", Body: "mediators"},
			{Kind: parley.CaseFind, By: "mediators", Case: "c1", Verdict: parley.Attributed},
		}, tc.steps...)
		var last error
		for i, in := range steps {
			in.Day = i
			_, last = m.Step(in)
			if last != nil && i < len(steps)-1 {
				t.Fatalf("%s: step %d (%s by %s): %v", tc.attribution, i, in.Kind, in.By, last)
			}
		}
		var r *verify.Refusal
		if !errors.As(last, &r) || r.Code != tc.want || parley.ErrorCode(last) != parley.EINVALID {
			t.Errorf("%s: last step: %v (refusal %+v), want a refusal %s inside EINVALID", tc.attribution, last, r, tc.want)
		}
	}
}

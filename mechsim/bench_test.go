package mechsim_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/mechsim"
	"github.com/parleyhq/parley/verify/verifytest"
)

// BenchmarkIstanbul times one run (a 90-day history) of the two
// mechanisms the issue compares; b.N runs per iteration batch.
func BenchmarkIstanbul(b *testing.B) {
	s := verifytest.Scenario(b, "istanbul-2025", "us-signs")
	base := map[string]string{"ttp_action": "time_bound_dismantling", "guarantee_form": "signed_guarantee", "guarantor": "us_guarantor", "ceasefire": "open_ended"}
	var mechs []mechsim.Mechanism
	for _, m := range []map[string]string{
		{"monitoring": "bilateral_cell", "attribution": "pakistan_decides"},
		{"monitoring": "mediated_mechanism", "attribution": "joint_finding"},
	} {
		c := map[string]string{}
		for k, v := range base {
			c[k] = v
		}
		for k, v := range m {
			c[k] = v
		}
		a := verifytest.Sign(b, s, c, "2025-11-03")
		mechs = append(mechs, mechsim.Mechanism{Name: mechsim.Name(a), Accord: a})
	}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := mechsim.Run(context.Background(), mechs, mechsim.Config{Runs: b.N, Workers: 1, Seed: 1}); err != nil {
		b.Fatal(err)
	}
}

package simulate

import (
	"context"
	"reflect"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/scenario"
)

func istanbulAccounts(t *testing.T) []Account {
	t.Helper()
	f, err := scenario.Builtin("istanbul-2025")
	if err != nil {
		t.Fatal(err)
	}
	var out []Account
	for _, v := range f.Variants() {
		if v.Prior == nil {
			continue
		}
		s, err := f.Scenario(v.Name)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := FromScenario(s, "")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Account{Name: v.Name, Scenario: s, Config: cfg, Weight: v.Prior.Value})
	}
	if len(out) != 4 {
		t.Fatalf("istanbul-2025 has %d accounts, want 4 (S0/S1, S2, S3, S4)", len(out))
	}
	return out
}

// TestAccountsIndependentOfWorkers: the study over accounts gives the same
// result with one worker and with three, and its summaries add up.
func TestAccountsIndependentOfWorkers(t *testing.T) {
	accs := istanbulAccounts(t)
	var results []*AccountsResult
	for _, w := range []int{1, 3} {
		res, err := Accounts(context.Background(), accs, MCConfig{Runs: 40, Workers: w, Seed: 11})
		if err != nil {
			t.Fatal(err)
		}
		res.Elapsed, res.RunsPerSecond = 0, 0
		results = append(results, res)
	}
	if !reflect.DeepEqual(results[0], results[1]) {
		t.Fatalf("the study depends on the worker count:\n%+v\n%+v", results[0], results[1])
	}
	res := results[0]
	runs, agreements, zone, agents := 0, 0, 0, 0
	for _, a := range res.Accounts {
		runs += a.Runs
		agreements += a.Agreements
		zone += a.Failures[FailZone]
		agents += a.Failures[FailAgents]
		if a.Failures[FailZone]+a.Failures[FailAgents] != a.Runs-a.Agreements {
			t.Errorf("%s: failures %v do not add up to %d runs without agreement", a.Name, a.Failures, a.Runs-a.Agreements)
		}
		if a.CI95[0] > a.PAgreement || a.CI95[1] < a.PAgreement {
			t.Errorf("%s: interval %v misses %v", a.Name, a.CI95, a.PAgreement)
		}
		if a.Prior != 0.25 {
			t.Errorf("%s: prior %v, want 0.25 (equal per source family)", a.Name, a.Prior)
		}
	}
	p := res.Pooled
	if runs != res.Runs || p.Runs != runs || p.Agreements != agreements || p.Failures[FailZone] != zone || p.Failures[FailAgents] != agents {
		t.Errorf("pooled %+v does not add the accounts up (%d runs, %d agreements)", p, runs, agreements)
	}
}

// TestAccountsDrawsAndClassifies checks the sampling of accounts and the
// classification of failures on a controlled case: an account whose zone
// is always empty fails by the zone every time; an account of weight 0 is
// never drawn; weights are followed.
func TestAccountsDrawsAndClassifies(t *testing.T) {
	accs := istanbulAccounts(t)
	byName := map[string]Account{}
	for _, a := range accs {
		byName[a.Name] = a
	}
	s3 := byName["s3-account"] // both sides' TTP red lines: never a zone
	s2 := byName["s2-account"]
	s2.Weight = 0
	s3.Weight = 3
	s0 := byName["s0s1-factions"]
	s0.Weight = 1
	res, err := Accounts(context.Background(), []Account{s2, s3, s0}, MCConfig{Runs: 200, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	a2, a3, a0 := res.Accounts[0], res.Accounts[1], res.Accounts[2]
	if a2.Runs != 0 {
		t.Errorf("an account of weight 0 was drawn %d times", a2.Runs)
	}
	if a3.Runs < 120 || a3.Runs > 180 || a3.Runs+a0.Runs != 200 {
		t.Errorf("weights 3:1 drew %d and %d runs", a3.Runs, a0.Runs)
	}
	if a3.Agreements != 0 || a3.Failures[FailZone] != a3.Runs {
		t.Errorf("S3's zone is always empty: want every failure from the zone, got %+v", a3)
	}
	if _, err := Accounts(context.Background(), []Account{s2}, MCConfig{Runs: 5}); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("weights summing to 0: %v", err)
	}
}

package simulate

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/internal/shared"
)

// grocery loads ANAC 2011's Grocery domain, whose two profiles
// (Grocery_domain_mary.xml, Grocery_domain_sam.xml) both carry
// <discount_factor value="0.805562132">.
func grocery(t *testing.T) *parley.Model {
	t.Helper()
	dir := filepath.Join(shared.Genius(t), "genius-templates", "anac", "y2011", "Grocery")
	s, err := genius.Load(filepath.Join(dir, "Grocery_domain.xml"), []string{filepath.Join(dir, "Grocery_domain_mary.xml"), filepath.Join(dir, "Grocery_domain_sam.xml")}, genius.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return compile(t, s)
}

// TestDiscountedUtilities: on a discounted ANAC 2011 domain a run reports
// what each party got — its undiscounted utility of the agreement times
// d^t at the agreement's time t (Genius' semantics) — beside the
// undiscounted utility, for a round deadline and for a wall-clock one,
// and for a run without agreement (the reservation value, discounted at
// the deadline: t = 1).
func TestDiscountedUtilities(t *testing.T) {
	m := grocery(t)
	const d = 0.805562132 // both profiles' discount_factor
	for _, tc := range []struct {
		name   string
		cfg    Config
		agreed bool
	}{
		{"Rounds", Config{Protocol: parley.ProtocolSAO, Rounds: 200, Agents: []string{"boulware", "conceder"}, Seed: 1}, true},
		{"WallClock", Config{Protocol: parley.ProtocolSAO, Rounds: 1 << 24, WallClock: 600 * time.Millisecond, Agents: []string{"linear", "boulware"}, Seed: 1}, true},
		{"Deadline", Config{Protocol: parley.ProtocolSAO, Rounds: 50, Agents: []string{"hardliner", "hardliner"}, Seed: 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, err := Once(m, tc.cfg, false)
			if err != nil {
				t.Fatal(err)
			}
			if (run.Result.End == parley.Agreement) != tc.agreed {
				t.Fatalf("end %s (%s)", run.Result.End, run.Result.Why)
			}
			if !(run.Time > 0 && run.Time <= 1) || (!tc.agreed && run.Time != 1) {
				t.Fatalf("t = %v", run.Time)
			}
			for i := range m.Parties {
				want := m.Parties[i].Utility.F(m.Parties[i].Reservation)
				if tc.agreed {
					want = m.Parties[i].Utility.F(m.Parties[i].Utility.Eval(run.Result.Agreement))
				}
				if run.UtilitiesUndiscounted[i] != want {
					t.Errorf("party %d: undiscounted %v, want %v", i, run.UtilitiesUndiscounted[i], want)
				}
				if got, w := run.Utilities[i], want*math.Pow(d, run.Time); math.Abs(got-w) > 1e-15 {
					t.Errorf("party %d: utility %v, want %v·%v^%v = %v", i, got, want, d, run.Time, w)
				}
			}
			if tc.name == "Rounds" && run.Time != float64(run.Result.Steps-1)/float64(2*tc.cfg.Rounds) {
				t.Errorf("t = %v at step %d of %d", run.Time, run.Result.Steps, 2*tc.cfg.Rounds)
			}
		})
	}
}

package analysis

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bargain"
	"github.com/parleyhq/parley/internal/randscen"
)

// all enumerates every outcome of m.
func all(m *parley.Model) []parley.Outcome {
	var out []parley.Outcome
	for o := range m.Outcomes() {
		out = append(out, append(parley.Outcome(nil), o...))
	}
	return out
}

// q converts a report's utilities back to m's fixed point (exactly: the
// report writes the float nearest to each exact utility).
func q(m *parley.Model, us []float64) []int64 {
	out := make([]int64, len(us))
	for i, u := range us {
		out[i] = m.Parties[i].Utility.Q(u)
	}
	return out
}

func eq(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// naiveZone counts the zone by brute force.
func naiveZone(m *parley.Model) int64 {
	var n int64
	for _, o := range all(m) {
		if m.InZone(o) {
			n++
		}
	}
	return n
}

// TestAnalyzeMatchesBruteForce checks the whole report against brute force
// on random small scenarios: frontier, zone, the four solutions (computed
// over every zone outcome, not just a frontier) and every blocking claim.
func TestAnalyzeMatchesBruteForce(t *testing.T) {
	t.Parallel()
	for seed := uint64(0); seed < 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		s := randscen.New(r, randscen.Options{Rects: seed%2 == 1})
		m, err := s.Compile()
		if err != nil {
			t.Fatalf("seed %d: compile: %v", seed, err)
		}
		rep, err := Analyze(context.Background(), m, Options{})
		if err != nil {
			t.Fatalf("seed %d: analyze: %v", seed, err)
		}
		outs := all(m)

		// Frontier over all outcomes: each point undominated, each outcome
		// weakly dominated by or equal to a point, counts exact.
		count := map[string]int64{}
		for _, o := range outs {
			count[fmt.Sprint(m.Eval(o))]++
		}
		var nd int
		for _, o := range outs {
			u := m.Eval(o)
			dom := false
			for _, p := range outs {
				if parley.Dominates(m.Eval(p), u) {
					dom = true
					break
				}
			}
			if !dom && count[fmt.Sprint(u)] > 0 {
				nd++
				count[fmt.Sprint(u)] = -count[fmt.Sprint(u)] // mark as seen
			}
		}
		if len(rep.Pareto) != nd {
			t.Fatalf("seed %d: frontier has %d points, brute force %d", seed, len(rep.Pareto), nd)
		}
		for _, p := range rep.Pareto {
			u := q(m, p.Utilities)
			if !eq(m.Eval(p.Raw()), u) {
				t.Fatalf("seed %d: representative of %v evaluates to %v", seed, u, m.Eval(p.Raw()))
			}
			if want := -count[fmt.Sprint(u)]; p.Count.Cmp(big.NewInt(want)) != 0 {
				t.Fatalf("seed %d: point %v count %v, brute force %d", seed, u, p.Count, want)
			}
		}

		// Zone.
		nz := naiveZone(m)
		if rep.Zone.Empty != (nz == 0) || rep.Zone.Size.Cmp(big.NewInt(nz)) != 0 || !rep.Zone.Exact {
			t.Fatalf("seed %d: zone %+v, brute force %d", seed, rep.Zone, nz)
		}

		// Solutions over every zone outcome.
		var zpts [][]int64
		for _, o := range outs {
			if m.InZone(o) {
				zpts = append(zpts, m.Eval(o))
			}
		}
		d, sc := m.Reservations(), m.Scales()
		for _, c := range []struct {
			name string
			got  *Solution
			k    int
		}{
			{"nash", rep.Nash, bargain.Nash(zpts, d, sc)},
			{"ks", rep.KalaiSmorodinsky, bargain.KalaiSmorodinsky(zpts, d, sc)},
			{"welfare", rep.MaxWelfare, bargain.MaxWelfare(zpts, sc)},
			{"egalitarian", rep.Egalitarian, bargain.Egalitarian(zpts, d, sc)},
		} {
			if c.k < 0 {
				if c.got != nil {
					t.Fatalf("seed %d: %s = %v, brute force finds none", seed, c.name, c.got.Utilities)
				}
				continue
			}
			if c.got == nil || !eq(q(m, c.got.Utilities), zpts[c.k]) {
				t.Fatalf("seed %d: %s = %+v, brute force %v", seed, c.name, c.got, zpts[c.k])
			}
			if !m.InZone(c.got.Raw()) {
				t.Fatalf("seed %d: %s outcome %v is not in the zone", seed, c.name, c.got.Raw())
			}
		}

		// Blocking claims, re-checked by brute force on relaxed models.
		if !rep.Zone.Empty {
			if len(rep.Blocking) != 0 {
				t.Fatalf("seed %d: blocking entries for an open zone", seed)
			}
			continue
		}
		checkBlocking(t, seed, m, rep)
	}
}

func principal(m *parley.Model, party, name string) (int, int) {
	for i := range m.Parties {
		if m.Parties[i].Name != party {
			continue
		}
		for j := range m.Parties[i].Principals {
			if m.Parties[i].Principals[j].Name == name {
				return i, j
			}
		}
	}
	panic("no principal " + party + "/" + name)
}

func checkBlocking(t *testing.T, seed uint64, m *parley.Model, rep *Report) {
	t.Helper()
	for _, b := range rep.Blocking {
		switch b.Kind {
		case "faction", "party":
			i, j := principal(m, b.Party, b.Principal)
			if b.Kind == "faction" {
				mm := clone(m)
				mm.Parties[i].Principals[j].Reservation = never
				mm.Parties[i].Principals[j].RedLines = nil
				if n := naiveZone(mm); (n > 0) != b.OpensZone {
					t.Fatalf("seed %d: %s goes along: opens=%v, brute force zone %d", seed, b.Principal, b.OpensZone, n)
				}
			}
			res := m.Parties[i].Principals[j].Reservation
			// The smallest change: with it the zone opens; one quantum less
			// of a change and it stays shut.
			if b.ReservationChange != nil {
				ch := m.Parties[i].Principals[j].Utility.Q(*b.ReservationChange)
				mm := clone(m)
				mm.Parties[i].Principals[j].Reservation = res + ch
				if naiveZone(mm) == 0 {
					t.Fatalf("seed %d: %s reservation change %v does not open the zone", seed, b.Principal, *b.ReservationChange)
				}
				mm.Parties[i].Principals[j].Reservation = res + ch + 1
				if naiveZone(mm) != 0 {
					t.Fatalf("seed %d: %s reservation change %v is not the smallest", seed, b.Principal, *b.ReservationChange)
				}
			} else {
				mm := clone(m)
				mm.Parties[i].Principals[j].Reservation = never
				if naiveZone(mm) != 0 {
					t.Fatalf("seed %d: %s: no reservation change reported, but dropping it opens the zone", seed, b.Principal)
				}
			}
		case "red_line":
			i, j := principal(m, b.Party, b.Principal)
			mm := clone(m)
			pr := &mm.Parties[i].Principals[j]
			var keep []parley.Region
			for k, name := range pr.RedLineName {
				if name != b.RedLine {
					keep = append(keep, pr.RedLines[k])
				}
			}
			pr.RedLines = keep
			if n := naiveZone(mm); (n > 0) != b.OpensZone {
				t.Fatalf("seed %d: without red line %s: opens=%v, brute force zone %d", seed, b.RedLine, b.OpensZone, n)
			}
		case "role":
			mm := clone(m)
			mm.Infeasible, mm.InfeasibleWhy = nil, nil
			if n := naiveZone(mm); (n > 0) != b.OpensZone {
				t.Fatalf("seed %d: role consents: opens=%v, brute force zone %d", seed, b.OpensZone, n)
			}
		default:
			t.Fatalf("seed %d: unknown blocking kind %q", seed, b.Kind)
		}
	}
}

// pollCtx is a context whose Err starts saying Canceled after a number of
// polls, so that a test can cancel in the middle of an analysis without
// a clock.
type pollCtx struct {
	context.Context
	after, polls int
}

func (c *pollCtx) Err() error {
	c.polls++
	if c.polls > c.after {
		return context.Canceled
	}
	return nil
}

// TestAnalyzeCancel: the searches and merges poll the context, and once it
// is cancelled the analysis stops with its error instead of finishing.
func TestAnalyzeCancel(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 3))
	var m *parley.Model
	for m == nil || len(m.Infeasible)+len(m.Parties) < 3 {
		var err error
		if m, err = randscen.New(r, randscen.Options{Rects: true}).Compile(); err != nil {
			t.Fatal(err)
		}
	}
	full := &pollCtx{Context: context.Background(), after: 1 << 30}
	if _, err := Analyze(full, m, Options{}); err != nil {
		t.Fatal(err)
	}
	if full.polls < 4 {
		t.Fatalf("a full analysis polled its context %d times: the searches do not look at it", full.polls)
	}
	for _, after := range []int{0, 1, 2, full.polls / 2, full.polls - 2} {
		c := &pollCtx{Context: context.Background(), after: after}
		if _, err := Analyze(c, m, Options{}); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %d of %d polls: %v, want context.Canceled", after, full.polls, err)
		}
	}
}

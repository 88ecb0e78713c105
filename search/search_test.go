package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/randscen"
)

func randModel(t testing.TB, seed uint64) *parley.Model {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	m, err := randscen.New(r, randscen.Options{Rects: true}).Compile()
	if err != nil {
		t.Fatalf("seed %d: compile: %v", seed, err)
	}
	return m
}

func samePoints(t *testing.T, what string, got, want []parley.FrontierPoint) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d points, want %d\ngot  %v\nwant %v", what, len(got), len(want), pts(got), pts(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !slices.Equal(g.U, w.U) || !slices.Equal(g.Outcome, w.Outcome) || g.Count.Cmp(w.Count) != 0 {
			t.Fatalf("%s: point %d = %v %v x%v, want %v %v x%v", what, i, g.U, g.Outcome, g.Count, w.U, w.Outcome, w.Count)
		}
	}
}

func pts(ps []parley.FrontierPoint) string {
	s := ""
	for _, p := range ps {
		s += fmt.Sprintf("%v%v x%v; ", p.U, p.Outcome, p.Count)
	}
	return s
}

const nRandom = 400

func TestFrontierMatchesNaive(t *testing.T) {
	for seed := uint64(0); seed < nRandom; seed++ {
		m := randModel(t, seed)
		for _, zo := range []bool{false, true} {
			res, err := Frontier(m, zo, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Exact {
				t.Fatalf("seed %d: not exact: %s", seed, res.Note)
			}
			samePoints(t, fmt.Sprintf("seed %d zoneOnly=%v", seed, zo), res.Points, NaiveFrontier(m, zo))
		}
	}
}

func TestZoneMatchesNaive(t *testing.T) {
	empty := 0
	for seed := uint64(0); seed < nRandom; seed++ {
		m := randModel(t, seed)
		res, err := Zone(m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		n, w := NaiveZone(m)
		if !res.Exact || res.Size.Cmp(n) != 0 || res.Empty != (w == nil) {
			t.Fatalf("seed %d: zone %+v, want size %v (witness %v)", seed, res, n, w)
		}
		if w == nil {
			empty++
			if res.Witness != nil {
				t.Fatalf("seed %d: witness %v in an empty zone", seed, res.Witness)
			}
		} else if !m.InZone(res.Witness) {
			t.Fatalf("seed %d: witness %v not in zone", seed, res.Witness)
		}
		if f, _ := n.Float64(); f != res.Estimate {
			t.Fatalf("seed %d: estimate %v, want %v", seed, res.Estimate, f)
		}
	}
	if empty == 0 || empty == nRandom {
		t.Errorf("random models are degenerate: %d of %d zones empty", empty, nRandom)
	}
}

func TestMaximizeMatchesNaive(t *testing.T) {
	for seed := uint64(0); seed < nRandom; seed++ {
		m := randModel(t, seed)
		var us []*parley.UtilityFn
		for p := range m.Parties {
			us = append(us, &m.Parties[p].Utility)
			for j := range m.Parties[p].Principals {
				us = append(us, &m.Parties[p].Principals[j].Utility)
			}
		}
		for k, u := range us {
			for _, zo := range []bool{false, true} {
				best, arg, ok, exact, err := Maximize(m, u, zo, Options{})
				if err != nil {
					t.Fatal(err)
				}
				wb, _, wok := NaiveMaximize(m, u, zo)
				if !exact || ok != wok || (ok && best != wb) {
					t.Fatalf("seed %d fn %d zoneOnly=%v: got %v %v exact=%v, want %v %v", seed, k, zo, best, ok, exact, wb, wok)
				}
				if ok && (u.Eval(arg) != best || (zo && !m.InZone(arg))) {
					t.Fatalf("seed %d fn %d zoneOnly=%v: arg %v does not attain %v", seed, k, zo, arg, best)
				}
			}
		}
	}
}

// TestBounded checks that tiny budgets give honest, sound answers.
func TestBounded(t *testing.T) {
	for seed := uint64(0); seed < 40; seed++ {
		m := randModel(t, seed)
		for _, budget := range []int64{1, 5, 20} {
			opt := Options{MaxNodes: budget, Seed: seed}
			for _, zo := range []bool{false, true} {
				res, err := Frontier(m, zo, opt)
				if err != nil {
					t.Fatal(err)
				}
				if res.Nodes > budget {
					t.Fatalf("seed %d: %d nodes over budget %d", seed, res.Nodes, budget)
				}
				for _, p := range res.Points {
					if !slices.Equal(m.Eval(p.Outcome), p.U) || (zo && !m.InZone(p.Outcome)) || p.Count.Sign() <= 0 {
						t.Fatalf("seed %d budget %d: unsound point %v %v x%v", seed, budget, p.U, p.Outcome, p.Count)
					}
				}
				if res.Exact {
					samePoints(t, "small budget exact", res.Points, NaiveFrontier(m, zo))
				} else if res.Note == "" {
					t.Fatal("no note")
				}
			}
			n, w := NaiveZone(m)
			zr, err := Zone(m, opt)
			if err != nil {
				if parley.ErrorCode(err) != parley.ELIMIT {
					t.Fatalf("seed %d: %v", seed, err)
				}
				continue
			}
			if zr.Exact {
				if zr.Size.Cmp(n) != 0 {
					t.Fatalf("seed %d: exact size %v want %v", seed, zr.Size, n)
				}
				continue
			}
			if w == nil || zr.Empty || !m.InZone(zr.Witness) || zr.Size.Cmp(n) > 0 || zr.Size.Sign() <= 0 {
				t.Fatalf("seed %d budget %d: bounded zone %+v, true size %v", seed, budget, zr, n)
			}
		}
	}
}

func TestInvalidModel(t *testing.T) {
	m := randModel(t, 1)
	bad := *m
	bad.Sizes = append([]int(nil), m.Sizes...)
	bad.Sizes[0]++
	if _, err := Frontier(&bad, false, Options{}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("got %v, want EINVALID", err)
	}
	if _, err := Zone(nil, Options{}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("got %v, want EINVALID", err)
	}
}

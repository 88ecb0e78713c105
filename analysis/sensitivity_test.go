package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bargain"
	"github.com/parleyhq/parley/internal/randscen"
)

// setByPath is the reference way of changing one estimate: through the
// scenario's JSON form, following the parameter's field path, so that it
// shares no code with WithParam.
func setByPath(t *testing.T, s *parley.Scenario, path string, v float64) *parley.Scenario {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var root any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	cur := root
	for _, m := range pathRe.FindAllStringSubmatch(path, -1) {
		cur = cur.(map[string]any)[m[1]]
		if m[2] != "" {
			i, _ := strconv.Atoi(m[2])
			cur = cur.([]any)[i]
		}
	}
	cur.(map[string]any)["value"] = v
	b, err = json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	var out parley.Scenario
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

var pathRe = regexp.MustCompile(`([a-z_]+)(?:\[(\d+)\])?`)

// reference analyses a scenario by brute force: the zone counted outcome
// by outcome, each relaxation (a faction going along, a red line dropped by
// all who hold it, a third party consenting) counted the same way, and the
// Nash point's utilities over every outcome of the zone.
func reference(t *testing.T, s *parley.Scenario) Effect {
	t.Helper()
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	n := naiveZone(m)
	e := Effect{ZoneEmpty: n == 0, ZoneSize: big.NewInt(n), ZoneExact: true, Blockers: []string{}}
	if n > 0 {
		var pts [][]int64
		for _, o := range all(m) {
			if m.InZone(o) {
				pts = append(pts, m.Eval(o))
			}
		}
		k := bargain.Nash(pts, m.Reservations(), m.Scales())
		e.Nash = &Solution{Utilities: make([]float64, len(pts[k]))}
		for i, u := range pts[k] {
			e.Nash.Utilities[i] = m.Parties[i].Utility.F(u)
		}
		return e
	}
	e.RelaxedSizes = map[string]*big.Int{}
	try := func(key string, mm *parley.Model) {
		if n := naiveZone(mm); n > 0 {
			e.Blockers = append(e.Blockers, key)
			e.RelaxedSizes[key] = big.NewInt(n)
		}
	}
	names := map[string]bool{}
	for i := range m.Parties {
		p := &m.Parties[i]
		for j := range p.Principals {
			if p.Delegation {
				mm := clone(m)
				mm.Parties[i].Principals[j].Reservation = never
				mm.Parties[i].Principals[j].RedLines = nil
				try("faction:"+p.Name+"/"+p.Principals[j].Name, mm)
			}
			for _, name := range p.Principals[j].RedLineName {
				names[name] = true
			}
		}
	}
	for name := range names {
		mm := clone(m)
		for i := range mm.Parties {
			for j := range mm.Parties[i].Principals {
				pr := &mm.Parties[i].Principals[j]
				var keep []parley.Region
				for k, n := range pr.RedLineName {
					if n != name {
						keep = append(keep, pr.RedLines[k])
					}
				}
				pr.RedLines = keep
			}
		}
		try("red_line:"+name, mm)
	}
	for k, name := range m.InfeasibleWhy {
		mm := clone(m)
		mm.Infeasible = append(mm.Infeasible[:k:k], mm.Infeasible[k+1:]...)
		try("role:"+name, mm)
	}
	sort.Strings(e.Blockers)
	return e
}

// sameConclusion compares what the sensitivity table compares: the zone,
// the blockers with the zones they would open, and the Nash point (by its
// utilities: the brute-force reference does not pick the same
// representative outcome among ties).
func sameConclusion(a, b Effect) bool {
	if a.ZoneEmpty != b.ZoneEmpty || a.ZoneSize.Cmp(b.ZoneSize) != 0 || fmt.Sprint(a.Blockers) != fmt.Sprint(b.Blockers) {
		return false
	}
	if len(a.RelaxedSizes) != len(b.RelaxedSizes) {
		return false
	}
	for k, v := range a.RelaxedSizes {
		if w := b.RelaxedSizes[k]; w == nil || w.Cmp(v) != 0 {
			return false
		}
	}
	if (a.Nash == nil) != (b.Nash == nil) {
		return false
	}
	return a.Nash == nil || eq(onGrid(a.Nash.Utilities), onGrid(b.Nash.Utilities))
}

// onGrid puts utilities on the default 2^-40 grid, to compare them as
// fixed-point values whatever model they came from.
func onGrid(us []float64) []int64 {
	out := make([]int64, len(us))
	for i, u := range us {
		out[i] = parley.Q(u)
	}
	return out
}

// sameDeal reports whether two effects agree on everything the table
// counts as a change; the Nash point by its utilities for the parties
// whose utility functions are unchanged is not available here, so the
// zone, the blockers and whether there is a Nash point are compared, and
// the Nash outcome when both effects come from the table.
func sameDeal(a, b Effect) bool {
	x, y := a, b
	x.Nash, y.Nash = nil, nil
	return sameConclusion(x, y) && (a.Nash == nil) == (b.Nash == nil)
}

// ranged gives some of a random scenario's estimates a range.
func addRanges(r *rand.Rand, s *parley.Scenario) {
	mark := func(e *parley.Estimate) {
		if r.IntN(3) == 0 {
			e.Ranged, e.Low, e.High = true, e.Value-float64(r.IntN(3))/10, e.Value+float64(r.IntN(3))/10
			if e.Low < 0 {
				e.Low = 0
			}
		}
	}
	prefs := func(p *parley.Preferences) {
		mark(&p.Reservation)
		for k := range p.Issues {
			mark(&p.Issues[k].Weight)
			for l := range p.Issues[k].Values {
				mark(&p.Issues[k].Values[l].Value)
			}
		}
	}
	for i := range s.Parties {
		if p := s.Parties[i].Preferences; p != nil {
			prefs(p)
		}
		if d := s.Parties[i].Delegation; d != nil {
			for j := range d.Factions {
				mark(&d.Factions[j].Weight)
				prefs(&d.Factions[j].Preferences)
			}
		}
	}
}

// TestSensitivityMatchesRecomputation checks the sensitivity table on
// random scenarios against recomputing every changed scenario from scratch
// (set through the JSON form, analysed whole, the zone counted by brute
// force): every row's two ends, the estimates listed as changing nothing,
// and every corner of every pair. A concurrent run gives the same result.
func TestSensitivityMatchesRecomputation(t *testing.T) {
	t.Parallel()
	rows, pairs, none, flips, nonAdd := 0, 0, 0, 0, 0
	for seed := uint64(0); seed < 16; seed++ {
		r := rand.New(rand.NewPCG(seed, 31))
		s := randscen.New(r, randscen.Options{Rects: seed%4 == 3})
		addRanges(r, s)
		if _, err := s.Compile(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		res, err := Sensitize(context.Background(), s, SensitivityOptions{Pairs: 3})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		base := reference(t, s)
		if !sameConclusion(res.Base, base) {
			t.Fatalf("seed %d: base %+v, reference %+v", seed, res.Base, base)
		}
		params := Params(s, DefaultSensitivityStep)
		if len(res.Rows)+len(res.NoEffect) != len(params) {
			t.Fatalf("seed %d: %d rows + %d without effect, %d estimates", seed, len(res.Rows), len(res.NoEffect), len(params))
		}
		byPath := map[string]SensitivityRow{}
		for _, row := range res.Rows {
			byPath[row.Path] = row
		}
		for _, p := range params {
			row, ok := byPath[p.Path]
			lo := reference(t, setByPath(t, s, p.Path, p.Low))
			hi := reference(t, setByPath(t, s, p.Path, p.High))
			if !ok {
				// Nothing changes: the zone, the blockers and their zones
				// are those of the base, and the Nash point (where there
				// is one) is the base's outcome.
				if !sameDeal(lo, base) || !sameDeal(hi, base) {
					t.Fatalf("seed %d: %s listed as changing nothing, but recomputed it changes: low %+v high %+v base %+v", seed, p.Path, lo, hi, base)
				}
				none++
				continue
			}
			if !sameConclusion(row.AtLow, lo) || !sameConclusion(row.AtHigh, hi) {
				t.Fatalf("seed %d: %s: table low %+v high %+v, recomputed %+v %+v", seed, p.Path, row.AtLow, row.AtHigh, lo, hi)
			}
			if sameDeal(lo, base) && sameDeal(hi, base) && len(row.NashMoves) == 0 {
				t.Fatalf("seed %d: %s ranked as changing something, but recomputed it does not", seed, p.Path)
			}
			if row.OpensOrCloses != (lo.ZoneEmpty != base.ZoneEmpty || hi.ZoneEmpty != base.ZoneEmpty) {
				t.Fatalf("seed %d: %s: opens_or_closes %v", seed, p.Path, row.OpensOrCloses)
			}
			rows++
		}
		for i := 1; i < len(res.Rows); i++ {
			if less(&res.Rows[i], &res.Rows[i-1]) {
				t.Fatalf("seed %d: rows out of order at %d", seed, i)
			}
		}
		for _, pr := range res.Pairs {
			jointFlip, nonAdditive := false, false
			for _, c := range pr.Corners {
				pa, pb := byPath[pr.A].Param, byPath[pr.B].Param
				va, vb := pa.Low, pb.Low
				if c.A == "high" {
					va = pa.High
				}
				if c.B == "high" {
					vb = pb.High
				}
				want := reference(t, setByPath(t, setByPath(t, s, pa.Path, va), pb.Path, vb))
				if !sameConclusion(c.Effect, want) {
					t.Fatalf("seed %d: pair %s %s at %s/%s: %+v, recomputed %+v", seed, pr.A, pr.B, c.A, c.B, c.Effect, want)
				}
				// The pair's flags, from the recomputed corner and singles.
				ea := reference(t, setByPath(t, s, pa.Path, va))
				eb := reference(t, setByPath(t, s, pb.Path, vb))
				if want.ZoneEmpty != base.ZoneEmpty && ea.ZoneEmpty == base.ZoneEmpty && eb.ZoneEmpty == base.ZoneEmpty {
					jointFlip = true
				}
				if new(big.Int).Sub(new(big.Int).Add(ea.ZoneSize, eb.ZoneSize), base.ZoneSize).Cmp(want.ZoneSize) != 0 {
					nonAdditive = true
				}
				pairs++
			}
			if pr.JointFlip != jointFlip || pr.NonAdditive != nonAdditive {
				t.Fatalf("seed %d: pair %s %s: joint flip %v, non-additive %v; recomputed %v, %v", seed, pr.A, pr.B, pr.JointFlip, pr.NonAdditive, jointFlip, nonAdditive)
			}
			if jointFlip {
				flips++
			}
			if nonAdditive {
				nonAdd++
			}
		}
		// Spread over goroutines, the result is the same.
		if seed%4 != 0 {
			continue
		}
		par, err := Sensitize(context.Background(), s, SensitivityOptions{Pairs: 3, Each: func(n int, do func(int)) {
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() { defer wg.Done(); do(i) }()
			}
			wg.Wait()
		}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(mustJSON(t, res), mustJSON(t, par)) {
			t.Fatalf("seed %d: concurrent run differs", seed)
		}
	}
	if rows == 0 || pairs == 0 || none == 0 {
		t.Fatalf("property not exercised: %d rows, %d pair corners, %d estimates without effect", rows, pairs, none)
	}
	t.Logf("%d rows, %d pair corners (%d pairs flip jointly, %d are not additive) and %d estimates without effect checked", rows, pairs, flips, nonAdd, none)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSensitivityBadStep(t *testing.T) {
	s := randscen.New(rand.New(rand.NewPCG(1, 1)), randscen.Options{})
	if _, err := Sensitize(context.Background(), s, SensitivityOptions{Step: -0.1}); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("negative step: %v", err)
	}
}

package tournament

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/internal/shared"
)

// naiveQuality computes the Pearson correlation and the RMSE of min–max
// normalised values directly from their definitions (two passes over the
// lists): the reference for additiveQuality and pairStats.
func naiveQuality(f, g []float64) omQuality {
	n := float64(len(f))
	var mf, mg float64
	for i := range f {
		mf += f[i]
		mg += g[i]
	}
	mf, mg = mf/n, mg/n
	var sff, sgg, sfg float64
	for i := range f {
		sff += (f[i] - mf) * (f[i] - mf)
		sgg += (g[i] - mg) * (g[i] - mg)
		sfg += (f[i] - mf) * (g[i] - mg)
	}
	q := omQuality{math.NaN(), math.NaN()}
	if sff > 1e-18 && sgg > 1e-18 {
		q.pearson = sfg / math.Sqrt(sff*sgg)
	}
	lf, hf, lg, hg := slices.Min(f), slices.Max(f), slices.Min(g), slices.Max(g)
	if hf > lf && hg > lg {
		var s float64
		for i := range f {
			d := (f[i]-lf)/(hf-lf) - (g[i]-lg)/(hg-lg)
			s += d * d
		}
		q.rmse = math.Sqrt(s / n)
	}
	return q
}

func closeTo(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b))
}

// closeMSE compares two RMSEs by their squares: the moment formula loses
// about 1e-16 of the mean square to cancellation, which is 1e-8 after the
// square root near 0.
func closeMSE(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a*a-b*b) <= 1e-12
}

// enumerate lists the additive sums of two tables over every outcome.
func enumerate(f, g [][]float64) (fs, gs []float64) {
	sizes := make([]int, len(f))
	for i := range f {
		sizes[i] = len(f[i])
	}
	m := &parley.Model{Sizes: sizes}
	for o := range m.Outcomes() {
		var a, b float64
		for i, v := range o {
			a += f[i][v]
			b += g[i][v]
		}
		fs, gs = append(fs, a), append(gs, b)
	}
	return fs, gs
}

// The issue-by-issue measures equal the naive ones over every outcome, and
// so do the streaming ones of the sampled path, on random additive tables
// (constant issues and constant tables included).
func TestAdditiveQualityMatchesNaive(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 8))
	for trial := range 300 {
		n := 1 + rng.IntN(4)
		f, g := make([][]float64, n), make([][]float64, n)
		for i := range n {
			k := 1 + rng.IntN(5)
			f[i], g[i] = make([]float64, k), make([]float64, k)
			for v := range k {
				if trial%7 != 0 { // every 7th trial: a constant model
					f[i][v] = rng.Float64() * 3
				}
				g[i][v] = float64(rng.IntN(10)) / 10
				if trial%5 == 0 { // correlated
					f[i][v] = 2*g[i][v] + rng.Float64()*0.1
				}
			}
		}
		fs, gs := enumerate(f, g)
		want := naiveQuality(fs, gs)
		var st pairStats
		for i := range fs {
			st.add(fs[i], gs[i])
		}
		for name, got := range map[string]omQuality{"additive": additiveQuality(f, g), "streaming": st.quality()} {
			if !closeTo(got.pearson, want.pearson) || !closeMSE(got.rmse, want.rmse) {
				t.Fatalf("trial %d %s: %+v, want %+v (f %v, g %v)", trial, name, got, want, f, g)
			}
		}
	}
}

// Worked values: a model proportional to the truth correlates perfectly at
// distance 0; a reversed one at −1 and, normalised, f′ = 1 − g′.
func TestQualityExtremes(t *testing.T) {
	t.Parallel()
	g := [][]float64{{0, 0.5, 1}, {0, 1}}
	same := [][]float64{{3, 4, 5}, {3, 5}} // 2g + 3
	q := additiveQuality(same, g)
	if !closeTo(q.pearson, 1) || !closeMSE(q.rmse, 0) {
		t.Errorf("proportional model: %+v", q)
	}
	rev := [][]float64{{1, 0.5, 0}, {1, 0}}
	q = additiveQuality(rev, g)
	// g′ = g/2 over the 6 outcomes takes 0, .25, .5, .5, .75, 1; the squared
	// differences (1 − 2g′)² are 1, .25, 0, 0, .25, 1: mean 5/12.
	if !closeTo(q.pearson, -1) || !closeTo(q.rmse, math.Sqrt(5.0/12)) {
		t.Errorf("reversed model: %+v, want −1 and %v", q, math.Sqrt(5.0/12))
	}
	if q := additiveQuality([][]float64{{1, 1}}, [][]float64{{0, 1}}); !math.IsNaN(q.pearson) || !math.IsNaN(q.rmse) {
		t.Errorf("constant model: %+v, want NaN", q)
	}
}

// A tournament of modelling agents fills opponent_model_* for their seats
// only, and the summary averages them; on these small spaces the exact
// (issue by issue) and sampled (all outcomes) paths agree.
func TestOpponentModelColumns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	def := Definition{Agents: []string{"hardheaded", "bayesian", "boulware"}, Scenarios: []string{"testdata/genius"},
		Reps: 1, Rounds: 30, Seed: 3}
	run(t, def, Options{Out: dir, Workers: 2})
	f, err := os.Open(filepath.Join(dir, ResultsCSV))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(recs[0], name) }
	modelled := 0
	for _, r := range recs[1:] {
		for s := range 2 {
			a, p, e := r[col("agent_"+strconv.Itoa(s))], r[col("opponent_model_pearson_"+strconv.Itoa(s))], r[col("opponent_model_rmse_"+strconv.Itoa(s))]
			if a == "boulware" {
				if p != "" || e != "" {
					t.Fatalf("%s: boulware seat has model columns %q %q", r[0], p, e)
				}
				continue
			}
			pv, err1 := strconv.ParseFloat(p, 64)
			ev, err2 := strconv.ParseFloat(e, 64)
			if err1 != nil || err2 != nil || pv < -1 || pv > 1 || ev < 0 || ev > 1 {
				t.Fatalf("%s: %s seat: pearson %q rmse %q", r[0], a, p, e)
			}
			modelled++
		}
	}
	if modelled == 0 {
		t.Fatal("no modelled seat")
	}
	sum, err := os.ReadFile(filepath.Join(dir, SummaryCSV))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(sum)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	pc := slices.Index(rows[0], "opponent_model_pearson_mean")
	for _, r := range rows[1:] {
		if (r[1] == "boulware") != (r[pc] == "") {
			t.Errorf("summary %s: opponent_model_pearson_mean %q", r[1], r[pc])
		}
	}
}

// The exact path and the sampled path (every outcome of a small space)
// agree for every modelling agent after a negotiation.
func TestExactAndSampledPathsAgree(t *testing.T) {
	t.Parallel()
	scen, err := ResolveScenarios([]string{"testdata/genius"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scen {
		d := &domain{Loaded: s}
		for _, spec := range []string{"hardheaded", "cuhkagent", "agentgg", "bayesian", "frequency"} {
			specs := []string{spec, "conceder"}
			out, err := negotiate(context.Background(), d.Model, specs, 40, 0, 9, nil)
			if err != nil {
				t.Fatal(err)
			}
			om := out.models[0]
			if om == nil {
				t.Fatalf("%s is no OpponentModeler", spec)
			}
			d.truth.prepare(d.Model)
			tables, ok := om.OpponentValues(1, nil)
			if !ok || d.truth.tables[1] == nil {
				t.Fatalf("%s on %s: no additive model (%v)", spec, s.Name, ok)
			}
			exact := additiveQuality(tables, d.truth.tables[1])
			sampled, ok := d.sampledQuality(func(o parley.Outcome) (float64, bool) { return om.OpponentUtility(1, o) }, 1)
			if !ok || !closeTo(exact.pearson, sampled.pearson) || !closeMSE(exact.rmse, sampled.rmse) {
				t.Errorf("%s on %s: exact %+v, sampled %+v", spec, s.Name, exact, sampled)
			}
			if _, ok := om.OpponentUtility(0, make(parley.Outcome, len(d.Model.Sizes))); ok {
				t.Errorf("%s models itself", spec)
			}
		}
	}
}

// fakeModel returns fixed tables per party (nil: no model).
type fakeModel map[int][][]float64

func (f fakeModel) OpponentUtility(p int, o parley.Outcome) (float64, bool) {
	t, ok := f[p]
	if !ok {
		return 0, false
	}
	var s float64
	for i, v := range o {
		s += t[i][v]
	}
	return s, true
}

func (f fakeModel) OpponentValues(p int, dst [][]float64) ([][]float64, bool) {
	t, ok := f[p]
	return t, ok
}

// opaque hides a model's tables, forcing the sampled path.
type opaque struct{ fakeModel }

func (opaque) OpponentValues(int, [][]float64) ([][]float64, bool) { return nil, false }

// With three parties a seat's measures are the means over the opponents it
// models (here a perfect model of one and a poor one of the other); parties
// it has no model of do not count; seats without a model stay NaN. The
// sampled path (a model without tables) gives the same.
func TestOpponentModelsAverageOverOpponents(t *testing.T) {
	t.Parallel()
	m := &parley.Model{Sizes: []int{3, 2}}
	for range 3 {
		m.Parties = append(m.Parties, parley.PartyModel{Utility: parley.UtilityFn{Values: [][]int64{
			{0, parley.Q(0.5), parley.Q(1)}, {0, parley.Q(1)}}}})
	}
	m.Parties[2].Utility.Values[1] = []int64{parley.Q(1), 0} // party 2 differs
	truth := func(p int) [][]float64 {
		var t [][]float64
		for _, vs := range m.Parties[p].Utility.Values {
			row := make([]float64, len(vs))
			for v, x := range vs {
				row[v] = parley.F(x)
			}
			t = append(t, row)
		}
		return t
	}
	// Seat 0 models party 1 perfectly and party 2 with party 1's tables.
	perfect, other := additiveQuality(truth(1), truth(1)), additiveQuality(truth(1), truth(2))
	if !closeTo(perfect.pearson, 1) || other.pearson > 0.9 {
		t.Fatalf("perfect %+v, other %+v", perfect, other)
	}
	want := omQuality{(perfect.pearson + other.pearson) / 2, (perfect.rmse + other.rmse) / 2}
	d := &domain{Loaded: &Loaded{Model: m}}
	for _, om := range []agent.OpponentModeler{
		fakeModel{1: truth(1), 2: truth(1)},
		opaque{fakeModel{1: truth(1), 2: truth(1)}},
	} {
		got := d.opponentModels([]agent.OpponentModeler{om, nil, fakeModel{0: truth(0)}})
		if !closeTo(got[0].pearson, want.pearson) || !closeMSE(got[0].rmse, want.rmse) {
			t.Errorf("%T: seat 0 %+v, want %+v", om, got[0], want)
		}
		if !math.IsNaN(got[1].pearson) || !math.IsNaN(got[1].rmse) {
			t.Errorf("seat 1 has no model: %+v", got[1])
		}
		if !closeTo(got[2].pearson, 1) {
			t.Errorf("seat 2 models party 0 perfectly: %+v", got[2])
		}
	}
}

// BenchmarkOpponentModels measures the end-of-negotiation opponent-model
// measures for a seat on Car (15,625 outcomes, 6 issues): the exact,
// issue-by-issue path and the sampled one (10,000 outcomes, forced by a
// model without tables).
func BenchmarkOpponentModels(b *testing.B) {
	scen, err := ResolveScenarios([]string{filepath.Join(shared.Genius(b), "negmas-tests", "Car-A-domain", "Car-A-domain.xml")})
	if err != nil {
		b.Fatal(err)
	}
	d := &domain{Loaded: scen[0]}
	out, err := negotiate(context.Background(), d.Model, []string{"hardheaded", "boulware"}, 100, 0, 1, nil)
	if err != nil {
		b.Fatal(err)
	}
	om := out.models[0]
	tables, _ := om.OpponentValues(1, nil)
	for _, c := range []struct {
		name string
		m    agent.OpponentModeler
	}{{"exact", om}, {"sampled", opaque{fakeModel{1: tables}}}} {
		b.Run(c.name, func(b *testing.B) {
			ms := []agent.OpponentModeler{c.m, nil}
			d.opponentModels(ms) // build the truth once
			for b.Loop() {
				d.opponentModels(ms)
			}
		})
	}
}

// When the opponent's utility is not additive (a hyper-rectangle), models
// are judged over the outcomes (here all 6): through their tables or
// outcome by outcome, the same, and as the naive formulas say.
func TestOpponentModelsNonAdditiveTruth(t *testing.T) {
	t.Parallel()
	m := &parley.Model{Sizes: []int{3, 2}}
	for range 2 {
		m.Parties = append(m.Parties, parley.PartyModel{Utility: parley.UtilityFn{Values: [][]int64{
			{0, parley.Q(0.5), parley.Q(1)}, {0, parley.Q(1)}}}})
	}
	m.Parties[1].Utility.Rects = []parley.RectQ{{Utility: parley.Q(0.75),
		Region: parley.Region{{Issue: 0, In: []bool{true, false, false}}, {Issue: 1, In: []bool{true, false}}}}}
	est := [][]float64{{0.2, 0.1, 0.9}, {0.3, 0.6}}
	var fs, gs []float64
	for o := range m.Outcomes() {
		fs = append(fs, sumTables(est, o))
		gs = append(gs, parley.F(m.Parties[1].Utility.Eval(o)))
	}
	want := naiveQuality(fs, gs)
	d := &domain{Loaded: &Loaded{Model: m}}
	for _, om := range []agent.OpponentModeler{fakeModel{1: est}, opaque{fakeModel{1: est}}} {
		got := d.opponentModels([]agent.OpponentModeler{om, nil})[0]
		if !closeTo(got.pearson, want.pearson) || !closeMSE(got.rmse, want.rmse) {
			t.Errorf("%T: %+v, want %+v", om, got, want)
		}
	}
}

package pareto

import (
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley"
)

// randFloatModel returns a model with the given issue sizes and utilities
// uniform in [0,1) per option, scaled by random issue weights.
func randFloatModel(seed uint64, parties int, sizes []int) *parley.Model {
	r := rand.New(rand.NewPCG(seed, 1))
	m := &parley.Model{Sizes: sizes}
	for p := 0; p < parties; p++ {
		u := parley.UtilityFn{Values: make([][]int64, len(sizes))}
		for i, k := range sizes {
			w := r.Float64()
			u.Values[i] = make([]int64, k)
			for o := range u.Values[i] {
				u.Values[i][o] = parley.Q(w * r.Float64())
			}
		}
		m.Parties = append(m.Parties, parley.PartyModel{Utility: u})
	}
	return m
}

func repeat(k, times int) []int {
	s := make([]int, times)
	for i := range s {
		s[i] = k
	}
	return s
}

// sevenIssues is Genius' "7issues" domain: 7 integer issues 0..9 with
// linear evaluators (offset + slope·x) and issue weights, 10^7 outcomes.
func sevenIssues() *parley.Model {
	type lin struct{ w, offset, slope float64 }
	profiles := [][]lin{
		{
			{0.24745764370861967, 0.51, -0.044444444444444446},
			{0.11824193959921694, 0.92, -0.0788888888888889},
			{0.1860471425098606, 0.93, -0.08888888888888889},
			{0.20629555826677742, 0.94, -0.08888888888888888},
			{0.16112666189388397, 0.95, -0.08888888888888888},
			{0.0538874, 0.96, -0.08888888888888888},
			{0.0269437, 0.97, -0.08888888888888888},
		},
		{
			{0.07531678622308159, 0.11, 0.09777777777777778},
			{0.18148468268008364, 0.12, 0.09444444444444444},
			{0.13035193969082373, 0.13, 0.09222222222222222},
			{0.24649985443378972, 0.14, 0.08888888888888888},
			{0.16931694966873587, 0.15, 0.08666666666666667},
			{0.131353, 0.16, 0.08444444444444445},
			{0.0656766, 0.16, 0.08444},
		},
	}
	m := &parley.Model{Sizes: repeat(10, 7)}
	for _, pr := range profiles {
		var wsum float64
		for _, l := range pr {
			wsum += l.w
		}
		u := parley.UtilityFn{Values: make([][]int64, 7)}
		for i, l := range pr {
			u.Values[i] = make([]int64, 10)
			for x := range 10 {
				u.Values[i][x] = parley.Q(l.w / wsum * (l.offset + l.slope*float64(x)))
			}
		}
		m.Parties = append(m.Parties, parley.PartyModel{Utility: u})
	}
	return m
}

func benchFrontier(b *testing.B, m *parley.Model) {
	b.ReportAllocs()
	var res *Result
	for b.Loop() {
		var err error
		res, err = Frontier(m, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Points)), "points")
	b.ReportMetric(float64(res.MaxIntermediate), "max-intermediate")
}

// BenchmarkFrontier2x60x10: 2 parties, 60 issues × 10 options, 10^60 outcomes.
func BenchmarkFrontier2x60x10(b *testing.B) {
	benchFrontier(b, randFloatModel(1, 2, repeat(10, 60)))
}

// BenchmarkFrontier7issues: Genius' 7issues domain, 2 parties, 10^7 outcomes.
func BenchmarkFrontier7issues(b *testing.B) {
	benchFrontier(b, sevenIssues())
}

// BenchmarkFrontier5x240k: 5 parties, 240,000 outcomes (the size of ANAC
// 2015's KillerRobot domain), random utilities.
func BenchmarkFrontier5x240k(b *testing.B) {
	benchFrontier(b, randFloatModel(2, 5, []int{10, 10, 10, 10, 4, 6}))
}

// BenchmarkFrontier3x6M: 3 parties, 5,971,968 outcomes (about ANAC 2016
// AgentHp2's 5.8·10^6), random utilities.
func BenchmarkFrontier3x6M(b *testing.B) {
	benchFrontier(b, randFloatModel(3, 3, []int{12, 12, 12, 12, 12, 12, 8}))
}

// BenchmarkFrontier5x10x10: 5 parties, 10 issues × 10 options (10^10
// outcomes), random utilities: a five-party frontier of about 70,000 points.
func BenchmarkFrontier5x10x10(b *testing.B) {
	benchFrontier(b, randFloatModel(4, 5, repeat(10, 10)))
}

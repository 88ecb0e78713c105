package fixed

import (
	"math"
	"testing"
)

// TestMeanNoNoise: a mean is the shortest decimal of the grid value
// nearest to the exact mean, so the grid's noise never shows.
func TestMeanNoNoise(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{0.55, 0.55, 0.55}, 0.55},
		{[]float64{0.1, 0.2}, 0.15},
		{[]float64{-0.3, -0.4}, -0.35},
		{[]float64{1, 0, 0}, 1.0 / 3},
	} {
		var s Sum
		for _, x := range tc.xs {
			s.Add(x)
		}
		if got := s.Mean(int64(len(tc.xs))); math.Abs(got-tc.want) > 1e-12 || (tc.want != 1.0/3 && got != tc.want) {
			t.Errorf("mean of %v = %v, want %v", tc.xs, got, tc.want)
		}
	}
	var s Sum
	if !math.IsNaN(s.Mean(0)) {
		t.Error("mean of nothing must be NaN")
	}
}

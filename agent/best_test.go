package agent

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/parleyhq/parley/internal/randscen"
)

// The delegate's best utility comes from a cache: for random models and
// every party, the cached value is what bestUtility computes, on the first
// call and the next; an entry goes once its model is collected.
func TestCachedBestIsBestUtility(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for k := range 40 {
		m, err := randscen.New(r, randscen.Options{Rects: k%2 == 0}).Compile()
		if err != nil {
			t.Fatal(err)
		}
		for p := range m.Parties {
			u := &m.Parties[p].Utility
			want := bestUtility(m, u)
			if got := cachedBest(m, u); got != want {
				t.Fatalf("model %d party %d: cached %d, want %d", k, p, got, want)
			}
			if got := cachedBest(m, u); got != want {
				t.Fatalf("model %d party %d: cached again %d, want %d", k, p, got, want)
			}
		}
	}
	for range 20 {
		runtime.GC()
		bestCache.mu.Lock()
		n := len(bestCache.m)
		bestCache.mu.Unlock()
		if n < 10 {
			return
		}
	}
	t.Errorf("the cache keeps %d entries after their models were collected", len(bestCache.m))
}

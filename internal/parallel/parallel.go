// Package parallel runs the independent runs of a Monte Carlo study on a
// pool of workers, with a seed per run that depends only on the study's
// seed and the run's index, so that results do not depend on the number
// of workers.
package parallel

import (
	"context"
	"runtime"
	"sync"
)

// PerCore caps the worker goroutines of a pool at this many per core:
// runs are CPU-bound, so more workers add memory and scheduling, not
// speed.
const PerCore = 8

// MaxWorkers is the most workers a pool starts: PerCore per core
// (runtime.GOMAXPROCS).
func MaxWorkers() int { return PerCore * runtime.GOMAXPROCS(0) }

// Workers returns the worker count to use for a request of n: one per
// core for n <= 0, else n capped at MaxWorkers; capped reports whether the
// cap applied.
func Workers(n int) (workers int, capped bool) {
	if n <= 0 {
		return runtime.GOMAXPROCS(0), false
	}
	if m := MaxWorkers(); n > m {
		return m, true
	}
	return n, false
}

// For calls fn(i) for every i in [0, n) on workers goroutines (see
// Workers: all cores when workers <= 0, at most MaxWorkers, never more
// than n) and waits for them. It stops handing out runs when ctx is done
// and returns ctx's error; fn must write its result where index i says,
// or fold it into a summary whose result does not depend on the order, so
// that the order of completion does not matter.
func For(ctx context.Context, n, workers int, fn func(i int)) error {
	workers, _ = Workers(workers)
	workers = max(min(workers, n), 1)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
feed:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return ctx.Err()
}

// Seed derives run i's seed from a study's seed (splitmix64).
func Seed(seed uint64, i int) uint64 {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

package main

import (
	"encoding/json"
	"math"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// DebugHeap is what GET /debug/heap on 'parley serve --debug-addr'
// answers: the Go heap right after a full collection that also returned
// freed memory to the system, so that two readings differ by what is
// live, not by garbage or by when the collector last ran.
type DebugHeap struct {
	// HeapAlloc is the bytes of live heap objects; HeapInuse the bytes of
	// the heap's spans in use; HeapObjects the live objects.
	HeapAlloc   uint64 `json:"heap_alloc"`
	HeapInuse   uint64 `json:"heap_inuse"`
	HeapObjects uint64 `json:"heap_objects"`
	// Sys is the memory the Go runtime holds from the system.
	Sys        uint64 `json:"sys"`
	Goroutines int    `json:"goroutines"`
	// GCPercent is the collector's target the server runs with (GOGC;
	// -1: off).
	GCPercent int `json:"gc_percent"`
}

// gcPercent reads the collector's target (setting it back at once).
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// serveDebug serves /debug/heap on addr (a loopback address: it forces a
// garbage collection on every request, which costs the server a pause) and
// returns its URL and how to stop it.
func serveDebug(addr string) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/heap", func(w http.ResponseWriter, _ *http.Request) {
		debug.FreeOSMemory() // a full collection, and the freed pages returned
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(DebugHeap{HeapAlloc: ms.HeapAlloc, HeapInuse: ms.HeapInuse,
			HeapObjects: ms.HeapObjects, Sys: ms.Sys, Goroutines: runtime.NumGoroutine(), GCPercent: gcPercent()})
	})
	mux.HandleFunc("GET /debug/runtime", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(readDebugRuntime())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// DebugRuntime is what GET /debug/runtime on 'parley serve --debug-addr'
// answers: counters of the Go runtime since the start, read without
// disturbing it (no collection), for parley loadtest to take the
// difference over its run.
type DebugRuntime struct {
	// GCCycles counts the collections; GCCPU and CPU are the CPU time of
	// the collector and of the whole process as the runtime estimates it
	// (seconds, brought up to date at the end of each collection).
	GCCycles uint64  `json:"gc_cycles"`
	GCCPU    float64 `json:"gc_cpu_seconds"`
	CPU      float64 `json:"cpu_seconds"`
	// AllocBytes and AllocObjects count what was allocated on the heap.
	AllocBytes   uint64 `json:"alloc_bytes"`
	AllocObjects uint64 `json:"alloc_objects"`
	// Pauses is the distribution of the collector's stop-the-world
	// pauses; Runnable that of how long goroutines waited, runnable, for
	// a thread to run on (the server's own CPU contention).
	Pauses   DebugHistogram `json:"gc_pauses"`
	Runnable DebugHistogram `json:"runnable"`
}

// DebugHistogram is a runtime histogram: Counts[i] samples fell in
// [Buckets[i], Buckets[i+1]) seconds.
type DebugHistogram struct {
	Counts  []uint64  `json:"counts"`
	Buckets []float64 `json:"buckets"`
}

func readDebugRuntime() DebugRuntime {
	samples := []metrics.Sample{
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/gc/heap/allocs:bytes"},
		{Name: "/gc/heap/allocs:objects"},
		{Name: "/sched/pauses/total/gc:seconds"},
		{Name: "/sched/latencies:seconds"},
	}
	metrics.Read(samples)
	u := func(i int) uint64 {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return samples[i].Value.Uint64()
	}
	f := func(i int) float64 {
		if samples[i].Value.Kind() != metrics.KindFloat64 {
			return 0
		}
		return samples[i].Value.Float64()
	}
	h := func(i int) DebugHistogram {
		if samples[i].Value.Kind() != metrics.KindFloat64Histogram {
			return DebugHistogram{}
		}
		v := samples[i].Value.Float64Histogram()
		out := DebugHistogram{Counts: v.Counts, Buckets: make([]float64, len(v.Buckets))}
		for i, b := range v.Buckets {
			out.Buckets[i] = max(min(b, math.MaxFloat64), -math.MaxFloat64) // JSON has no infinities
		}
		return out
	}
	return DebugRuntime{GCCycles: u(0), GCCPU: f(1), CPU: f(2), AllocBytes: u(3), AllocObjects: u(4), Pauses: h(5), Runnable: h(6)}
}

// since returns the samples of h that came after those of before (a
// reading of the same histogram).
func (h DebugHistogram) since(before DebugHistogram) DebugHistogram {
	out := DebugHistogram{Counts: make([]uint64, len(h.Counts)), Buckets: h.Buckets}
	for i, c := range h.Counts {
		if i < len(before.Counts) && len(before.Counts) == len(h.Counts) {
			c -= min(c, before.Counts[i])
		}
		out.Counts[i] = c
	}
	return out
}

// quantile returns the upper bound of the bucket that holds the q-th
// quantile (0 to 1) of the samples, in seconds; 0 without samples.
func (h DebugHistogram) quantile(q float64) float64 {
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	if n == 0 {
		return 0
	}
	want := uint64(math.Ceil(q * float64(n)))
	var seen uint64
	for i, c := range h.Counts {
		if seen += c; seen >= max(want, 1) && i+1 < len(h.Buckets) {
			return h.Buckets[i+1]
		}
	}
	return h.Buckets[len(h.Buckets)-1]
}

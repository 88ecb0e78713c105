package main

import (
	"encoding/json"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
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
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

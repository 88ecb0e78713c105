package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	runpprof "runtime/pprof"
)

// startProfiles starts what serve's --cpuprofile and --pprof ask for (both
// off by default): a CPU profile of the whole run, written to file when
// the returned stop is called, and the net/http/pprof handlers on a
// listener of their own at addr (never on the API's address, so that
// profiles are not served to whoever reaches the API).
func startProfiles(file, addr string, log *slog.Logger) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if file != "" {
		f, err := os.Create(file)
		if err != nil {
			return stop, usagef("--cpuprofile: %v", err)
		}
		if err := runpprof.StartCPUProfile(f); err != nil {
			f.Close()
			return stop, usagef("--cpuprofile %s: %v", file, err)
		}
		stops = append(stops, func() {
			runpprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				log.Error("serve: writing the CPU profile", "file", file, "err", err)
			}
		})
	}
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			stop()
			return func() {}, usagef("--pprof %s: %v", addr, err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		srv := &http.Server{Handler: mux}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("serve: --pprof", "err", err)
			}
		}()
		log.Info(fmt.Sprintf("serve: profiles on http://%s/debug/pprof/", ln.Addr()))
		stops = append(stops, func() { _ = srv.Close() })
	}
	return stop, nil
}

package main

import (
	"log/slog"
	"os"
	"runtime/pprof"
)

// startCPUProfile starts what serve's --cpuprofile asks for (off by
// default): a CPU profile of the whole run, written to file when the
// returned stop is called (go tool pprof reads it).
func startCPUProfile(file string, log *slog.Logger) (stop func(), err error) {
	if file == "" {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, usagef("--cpuprofile: %v", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, usagef("--cpuprofile %s: %v", file, err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			log.Error("serve: writing the CPU profile", "file", file, "err", err)
		}
	}, nil
}

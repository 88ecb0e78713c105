package main

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/prefault"
)

// TestPrefaultLinked checks the command still imports the package that maps
// its start-up pages in bulk: on Linux its init has run and reported the
// regions it asked for.
func TestPrefaultLinked(t *testing.T) {
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("prefault works on Linux amd64 and arm64 only")
	}
	if len(prefault.Report()) == 0 {
		t.Fatal("internal/prefault did not run: is it still imported by cmd/parley?")
	}
}

// TestPrefaultFirst checks the package is initialised first, before any
// package that does work at init besides the runtime's own and the CPU
// feature probe: the pages it maps serve every init after it. It runs the
// command line (this test binary as a child, see TestMain) with the
// runtime's trace of package initialisation.
func TestPrefaultFirst(t *testing.T) {
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("prefault works on Linux amd64 and arm64 only")
	}
	cmd := exec.Command(os.Args[0], "version")
	cmd.Env = append(os.Environ(), childEnv+"=1", "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("parley version: %v\n%s", err, stderr.String())
	}
	var before []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "init" {
			continue
		}
		if f[1] == "github.com/parleyhq/parley/internal/prefault" {
			for _, p := range before {
				if p != "runtime" && !strings.HasPrefix(p, "internal/") && !strings.HasPrefix(p, "crypto/internal/fips140deps/") {
					t.Errorf("%s is initialised before internal/prefault", p)
				}
			}
			return
		}
		before = append(before, f[1])
	}
	t.Fatalf("no init of internal/prefault in the trace:\n%s", stderr.String())
}

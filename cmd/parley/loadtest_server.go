package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley/internal/cputime"
)

// loadServer is a 'parley serve' subprocess.
type loadServer struct {
	cmd    *exec.Cmd
	url    string
	debug  string // its /debug/heap URL, if it serves one
	stderr bytes.Buffer
}

func startLoadServer(db string, maxBatch int, cpuprofile string, env []string) (*loadServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"--db", db, "--debug-addr", "127.0.0.1:0"}
	if maxBatch > 0 {
		args = append(args, "--max-batch", strconv.Itoa(maxBatch))
	}
	if cpuprofile != "" {
		args = append(args, "--cpuprofile", cpuprofile)
	}
	return startServeProcess(exe, env, args...)
}

// startServeProcess runs exe as 'parley serve' on a free port of
// 127.0.0.1, with env (nil: this process's) and further flags, and waits
// until it listens.
func startServeProcess(exe string, env []string, flags ...string) (*loadServer, error) {
	s := &loadServer{}
	s.cmd = exec.Command(exe, append([]string{"serve", "--addr", "127.0.0.1:0"}, flags...)...)
	s.cmd.Env = env
	s.cmd.Stderr = &s.stderr
	dieWithParent(s.cmd)
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting parley serve: %w", err)
	}
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	timeout := time.After(time.Minute)
	for {
		var l string
		ok := false
		select {
		case l, ok = <-lines:
		case <-timeout:
		}
		if !ok {
			break
		}
		if _, rest, found := strings.Cut(l, "debug endpoint on "); found {
			s.debug = strings.Fields(rest)[0]
		}
		if _, rest, found := strings.Cut(l, "listening on "); found {
			s.url = strings.Fields(rest)[0]
			return s, nil
		}
	}
	s.stop()
	return nil, fmt.Errorf("parley serve did not start: %s", strings.TrimSpace(s.stderr.String()))
}

// stop ends the server gracefully (SIGTERM), or kills it after 15 s.
func (s *loadServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// rss returns the server's resident set in bytes (0 where /proc cannot
// tell).
func (s *loadServer) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// heap has the server collect its garbage, return the freed memory to the
// system and answer its live heap (GET /debug/heap); nil when the server
// serves no debug endpoint or it fails.
func (s *loadServer) heap(ctx context.Context, client *http.Client) *DebugHeap {
	if s.debug == "" {
		return nil
	}
	b, status, err := request(ctx, client, "GET", s.debug, "", nil)
	var h DebugHeap
	if err != nil || status != http.StatusOK || json.Unmarshal(b, &h) != nil {
		return nil
	}
	return &h
}

// cpu returns the user and system CPU time the server has used (0 where
// /proc cannot tell).
func (s *loadServer) cpu() time.Duration {
	f := cputime.ProcStat(s.cmd.Process.Pid)
	if len(f) < 13 {
		return 0
	}
	return cputime.Ticks(f[11:13]) // utime, stime
}

func cpuAll(servers []*loadServer) []time.Duration {
	out := make([]time.Duration, len(servers))
	for i, s := range servers {
		out[i] = s.cpu()
	}
	return out
}

func rssAll(servers []*loadServer) []int64 {
	out := make([]int64, len(servers))
	for i, s := range servers {
		out[i] = s.rss()
	}
	return out
}

// runtime reads the server's Go runtime counters (GET /debug/runtime, no
// collection); nil when it serves no debug endpoint or it fails.
func (s *loadServer) runtime(ctx context.Context, client *http.Client) *DebugRuntime {
	if s.debug == "" {
		return nil
	}
	b, status, err := request(ctx, client, "GET", strings.TrimSuffix(s.debug, "/heap")+"/runtime", "", nil)
	var r DebugRuntime
	if err != nil || status != http.StatusOK || json.Unmarshal(b, &r) != nil {
		return nil
	}
	return &r
}

func runtimeAll(ctx context.Context, servers []*loadServer, client *http.Client) []*DebugRuntime {
	out := make([]*DebugRuntime, len(servers))
	for i, s := range servers {
		out[i] = s.runtime(ctx, client)
	}
	return out
}

// runtimeLine says what a server's Go runtime did between two readings,
// over acked actions: its collections, allocations and waits to run.
func runtimeLine(i int, r0, r1 *DebugRuntime, acked float64, elapsed time.Duration) string {
	if r0 == nil || r1 == nil {
		return ""
	}
	gcs := r1.GCCycles - r0.GCCycles
	every := "-"
	if gcs > 0 {
		every = (elapsed / time.Duration(gcs)).Round(time.Millisecond).String()
	}
	share := 0.0
	if cpu := r1.CPU - r0.CPU; cpu > 0 {
		share = 100 * (r1.GCCPU - r0.GCCPU) / cpu
	}
	secs := func(s float64) string {
		return time.Duration(s * float64(time.Second)).Round(time.Microsecond).String()
	}
	run := r1.Runnable.since(r0.Runnable)
	return fmt.Sprintf("runtime: instance %d: %d garbage collections (one every %s), %.0f%% of its CPU by the runtime's count; %.1f KB in %.0f objects allocated per action; stop-the-world pauses max %s; goroutines waited to run p50 %s, p99 %s, p99.9 %s",
		i+1, gcs, every, share, float64(r1.AllocBytes-r0.AllocBytes)/1024/acked, float64(r1.AllocObjects-r0.AllocObjects)/acked,
		secs(r1.Pauses.since(r0.Pauses).quantile(1)), secs(run.quantile(0.5)), secs(run.quantile(0.99)), secs(run.quantile(0.999)))
}

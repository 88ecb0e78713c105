package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/cputime"
)

// pgCluster is the PostgreSQL server a load test's instances share, when
// it runs on this machine: its CPU time counts in what an action costs.
type pgCluster struct {
	postmaster int // its process ID
}

// findPGCluster finds the postmaster of the PostgreSQL server at url from
// the process of a connection to it, or says why it cannot: that process
// is not on this machine, or /proc cannot tell.
func findPGCluster(ctx context.Context, url string) (*pgCluster, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	var backend int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return nil, err
	}
	f := cputime.ProcStat(backend)
	if comm := procComm(backend); len(f) < 2 || !strings.Contains(comm, "postgres") {
		return nil, fmt.Errorf("its process %d is not on this machine (/proc/%d: %q)", backend, backend, comm)
	}
	pm, err := strconv.Atoi(f[1]) // the backend's parent
	if err != nil || pm <= 1 {
		return nil, fmt.Errorf("its process %d has no postmaster (parent %q)", backend, f[1])
	}
	return &pgCluster{postmaster: pm}, nil
}

// cpu returns the CPU time of the whole cluster: the postmaster, the
// processes it has reaped (backends that ended) and those it runs now
// (backends, WAL writer, checkpointer...).
func (p *pgCluster) cpu() time.Duration {
	if p == nil {
		return 0
	}
	f := cputime.ProcStat(p.postmaster)
	if len(f) < 15 {
		return 0
	}
	total := cputime.Ticks(f[11:15]) // utime, stime, cutime, cstime
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	parent := strconv.Itoa(p.postmaster)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if c := cputime.ProcStat(pid); len(c) >= 13 && c[1] == parent {
			total += cputime.Ticks(c[11:13])
		}
	}
	return total
}

func procComm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

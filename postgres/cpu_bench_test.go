package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/cputime"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/postgres"
)

// BenchmarkCommitCPU measures what a durable append costs in CPU, on the
// PostgreSQL side (pg-µs/append: the postmaster and all its processes,
// from /proc, so the cluster must run on this machine) and in this
// process (go-µs/append: the store and the writers), as `parley serve`
// uses the store: 1,000 sessions, each append one caucus-sized event
// (about 90 bytes) to a session whose head this server committed, every
// server LISTENing for the heads others move (WatchHeads), writers
// cycling through their share of the sessions. With servers=2 the writers
// are split between two DBs on one database, as two instances are, and
// each hears the other's heads. CPU time, unlike appends/s, is little
// disturbed by a busy machine; appends/commit says what a commit held.
//
//	go test ./postgres -run '^$' -bench CommitCPU -benchtime 20000x -count 5
func BenchmarkCommitCPU(b *testing.B) {
	pgtest.Durable(b)
	for _, servers := range []int{1, 2} {
		for _, writers := range []int{16, 64} {
			b.Run(fmt.Sprintf("servers=%d/writers=%d", servers, writers), func(b *testing.B) {
				benchCommitCPU(b, servers, writers, 1000)
			})
		}
	}
}

func benchCommitCPU(b *testing.B, servers, writers, sessions int) {
	first, url := MustOpenDB(b)
	dbs := []*store{first}
	for range servers - 1 {
		s, err := open(url)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close() })
		dbs = append(dbs, s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var listening sync.WaitGroup
	b.Cleanup(func() { cancel(); listening.Wait() })
	for _, s := range dbs {
		listening.Go(func() { _ = s.WatchHeads(ctx, func(parley.ChainHead) {}) })
	}
	pm := postmaster(b, url)
	ids := make([]string, sessions)
	for i := range ids {
		rec := &parley.SessionRecord{Definition: []byte(`{"scenario":"bench"}`)}
		if err := first.CreateSession(ctx, rec); err != nil {
			b.Fatal(err)
		}
		ids[i] = rec.ID
	}
	payload := []byte(`{"seq":0,"round":3,"type":"caucus","from":1,"to":0,"text":"` + strings.Repeat("x", 30) + `"}`)
	ev := []parley.EventRecord{{Type: "caucus", Audience: "caucus:0", Payload: payload}}
	next := make([]int64, sessions)
	// Writer w appends to sessions w, w+writers, ... in turn, through
	// DB w%servers, so that each session stays with one writer and one
	// server.
	run := func(n int) {
		var left atomic.Int64
		left.Store(int64(n))
		var wg sync.WaitGroup
		for w := range writers {
			s := dbs[w%servers]
			wg.Go(func() {
				for j := w; left.Add(-1) >= 0; j += writers {
					if j >= sessions {
						j = w
					}
					if _, err := s.AppendEvents(ctx, ids[j], next[j], ev); err != nil {
						b.Error(err)
						return
					}
					next[j]++
				}
			})
		}
		wg.Wait()
	}
	run(2 * sessions) // every head committed once (cached), plans settled
	stats0 := statsOf(dbs)
	pg0, self0 := cpuOf(pm), cputime.Process()
	b.ResetTimer()
	run(b.N)
	b.StopTimer()
	pg, self := cpuOf(pm)-pg0, cputime.Process()-self0
	st := statsOf(dbs)
	commits := float64(st.Batches - stats0.Batches)
	n := float64(b.N)
	b.ReportMetric(float64(pg.Microseconds())/n, "pg-µs/append")
	b.ReportMetric(float64(self.Microseconds())/n, "go-µs/append")
	b.ReportMetric(float64(st.Appends-stats0.Appends)/commits, "appends/commit")
	b.ReportMetric(float64(pg.Microseconds())/commits, "pg-µs/commit")
	b.ReportMetric(n/b.Elapsed().Seconds(), "appends/s")
	b.ReportMetric(0, "ns/op")
}

func statsOf(dbs []*store) postgres.Stats {
	var t postgres.Stats
	for _, s := range dbs {
		st := s.Stats()
		t.Appends += st.Appends
		t.Batches += st.Batches
	}
	return t
}

// postmaster returns the process ID of the PostgreSQL server at url, the
// parent of a connection's backend, or skips the benchmark when that
// process is not on this machine.
func postmaster(b *testing.B, url string) int {
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	var backend int
	if err := conn.QueryRow(context.Background(), `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		b.Fatal(err)
	}
	f := cputime.ProcStat(backend)
	if len(f) < 2 {
		b.Skipf("PostgreSQL's backend %d is not on this machine: its CPU cannot be measured", backend)
	}
	pm, err := strconv.Atoi(f[1])
	if err != nil {
		b.Fatal(err)
	}
	return pm
}

// cpuOf returns the CPU time of the postmaster pm, of the processes it
// reaped and of those it runs.
func cpuOf(pm int) time.Duration {
	f := cputime.ProcStat(pm)
	if len(f) < 15 {
		return 0
	}
	total := cputime.Ticks(f[11:15]) // utime, stime, cutime, cstime
	ents, _ := os.ReadDir("/proc")
	parent := strconv.Itoa(pm)
	for _, e := range ents {
		if c := cputime.ProcStat(atoi(e.Name())); len(c) >= 13 && c[1] == parent {
			total += cputime.Ticks(c[11:13])
		}
	}
	return total
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

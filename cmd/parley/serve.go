package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	phttp "github.com/parleyhq/parley/http"
	"github.com/parleyhq/parley/live"
)

const serveAbout = `Serves live negotiation sessions: a JSON API, event streams and the remote agents' WebSocket
(docs/server.md). Sessions, their seats (token hashes) and their hash-chained events are kept in a
SQLite database (--db FILE) or a PostgreSQL one (--db postgres://USER@HOST:PORT/DB), created and
migrated on first start; running sessions are rebuilt from it when the server starts. Several
servers may share one PostgreSQL database: each hears of the others' appends and keeps its event
streams and sessions in step. Stops gracefully on SIGINT or SIGTERM.`

// ServeCommand runs the live server.
type ServeCommand struct {
	*Main
	Addr     string
	DB       string
	MaxBatch int
	// DebugAddr, if set, is where GET /debug/heap answers the Go heap
	// after a forced collection (parley loadtest's memory figures).
	DebugAddr string
	// AgentTimeout bounds a remote agent's reply to a turn (0: the agent
	// protocol's default).
	AgentTimeout time.Duration
	// CPUProfile, if set, is where to write a CPU profile of the run.
	CPUProfile string
	// GCPercent is the garbage collector's target for the run (GOGC).
	GCPercent int
	// Ready, if set, is called with the server's URL once it listens
	// (tests).
	Ready func(url string)
}

// defaultGCPercent is serve's GOGC unless told otherwise: Go's own. A
// higher target trades memory for less collection CPU; at 400 the latency
// at 5,000 caucus actions/s on SQLite did not improve (p99 445 and 507 ms
// against 464 and 411 ms at 100, two pairs of 15-s runs on a quiet
// machine), so the default stays.
const defaultGCPercent = 100

// shutdownTimeout bounds the wait for requests in flight at shutdown.
const shutdownTimeout = 10 * time.Second

// Run opens the database, rebuilds the running sessions, serves until a
// signal (or ctx) stops it, and shuts down in order: no new requests,
// requests in flight answered, timers stopped, the database's queued
// appends committed.
func (c *ServeCommand) Run(ctx context.Context, args []string) error {
	fs := c.flagSet("parley serve", "[flags]", serveAbout)
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen on this `HOST:PORT`")
	fs.StringVar(&c.DB, "db", "parley.db", "the SQLite database `FILE` (created if absent), or a PostgreSQL database postgres://USER@HOST:PORT/DB")
	fs.IntVar(&c.MaxBatch, "max-batch", 0, "appends per group commit (default 512; 1 turns group commit off, for benchmarks)")
	fs.StringVar(&c.DebugAddr, "debug-addr", "", "also serve GET /debug/heap (the Go heap after a forced garbage collection) on this loopback `HOST:PORT`; off by default")
	fs.DurationVar(&c.AgentTimeout, "agent-timeout", 0, "how long a connected remote agent has to answer a turn (default: the agent protocol's 10s, or the time left before a wall-clock deadline)")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run to `FILE` at shutdown (go tool pprof reads it); off by default")
	fs.IntVar(&c.GCPercent, "gc-percent", defaultGCPercent, "the garbage collector's target (`N`, as GOGC): the heap grows to 1+N/100 times what is live before a collection; higher spends less CPU on collection for a larger heap. Without the flag, a GOGC variable in the environment wins (GOGC=off: no collection, not advised)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	c.setGCPercent(fs)
	if len(pos) > 0 {
		return usagef("serve takes no arguments, got %q", pos[0])
	}
	if c.MaxBatch < 0 {
		return usagef("--max-batch must not be negative, got %d", c.MaxBatch)
	}
	if c.AgentTimeout < 0 {
		return usagef("--agent-timeout must not be negative, got %s", c.AgentTimeout)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(c.Stderr, nil))
	profiling, err := startCPUProfile(c.CPUProfile, log)
	if err != nil {
		return err
	}
	defer profiling()
	db, err := openStore(c.DB, storeOptions{MaxBatch: c.MaxBatch})
	if err != nil {
		return fmt.Errorf("--db %s: %w", redactDB(c.DB), err)
	}
	defer db.Close()
	m := live.NewManager(db, db)
	m.Log, m.AgentTimeout = log, c.AgentTimeout
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return fmt.Errorf("restoring sessions from %s: %w", redactDB(c.DB), err)
	}
	watching := watchStore(ctx, m, db, log)
	defer watching()
	defer retireEnded(ctx, m, retireIdle)()
	srv := phttp.NewServer(m)
	srv.Addr, srv.Log = c.Addr, log
	if err := srv.Open(); err != nil {
		return usagef("--addr %s: %v", c.Addr, err)
	}
	if c.DebugAddr != "" {
		url, stop, err := serveDebug(c.DebugAddr)
		if err != nil {
			return usagef("--debug-addr %s: %v", c.DebugAddr, err)
		}
		defer stop()
		fmt.Fprintf(c.Stdout, "parley serve: debug endpoint on %s/debug/heap\n", url)
	}
	fmt.Fprintf(c.Stdout, "parley serve: listening on %s (database %s, %d sessions restored)\n", srv.URL(), redactDB(c.DB), m.Loaded())
	if c.Ready != nil {
		c.Ready(srv.URL())
	}
	<-ctx.Done()
	fmt.Fprintln(c.Stdout, "parley serve: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	return nil
}

// setGCPercent applies --gc-percent (at least 1, checked with the other
// counts); without the flag, a GOGC variable in the environment (which
// the runtime has applied) is left alone.
func (c *ServeCommand) setGCPercent(fs *flag.FlagSet) {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "gc-percent" })
	if _, env := os.LookupEnv("GOGC"); env && !given {
		return
	}
	debug.SetGCPercent(c.GCPercent)
}

// retireIdle is how long an ended session stays in memory after its last
// use (it is loaded again from the database when asked for).
const retireIdle = time.Minute

// retireEnded unloads ended sessions idle for idle, every idle, until ctx
// ends or the returned stop is called, so that a long-running server
// holds the sessions in play, not every session it ever ran.
func retireEnded(ctx context.Context, m *live.Manager, idle time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(idle)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				m.RetireEnded(idle)
			}
		}
	}()
	return func() { cancel(); <-done }
}

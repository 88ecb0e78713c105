package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/protocol"
)

const loadtestAbout = `Measures what 'parley serve' holds: it starts --instances servers (this binary) on one database,
creates --sessions live sessions of istanbul-2025 with agent seats (--seats: by default the nash
mediator and Afghanistan's delegate in the mediated protocol, a conceder for Afghanistan with
--protocol sao) and measures the memory each idle session costs (--idle stops there). Then one client
per session plays Pakistan over the real HTTP API on loopback: it reads its view, answers each text
(or offer) with a simple concession strategy, posting a caucus message instead for a share --mix of
its actions, and starts a new session when one ends, so that --sessions stay live; an event stream
per session (from another instance when there are several) carries every event back. Each action is
answered once stored durably. Without --rate each client posts its next action as soon as the last
is answered (closed loop: the latency is then about sessions / throughput); with --rate N the clients
are offered N actions/s in all (open loop), and each action's latency counts from when it was due,
so that a server falling behind shows as latency. It prints the acknowledged actions/s, latency
percentiles, the streams' delivery, memory and CPU; then it stops the servers and checks the
database: every acknowledged event stored once at its seq, none doubled, and every chain holding
(as 'parley audit verify --db'). Several instances need a PostgreSQL --db. Goals (docs/server.md):
1,000 sessions, >= 5,000 acknowledged actions/s, p99 < 50 ms, < 50 KB per idle session.`

// LoadtestCommand drives parley servers with load and reports.
type LoadtestCommand struct {
	*Main
	DB        string
	Instances int
	Sessions  int
	Duration  time.Duration
	MaxBatch  int
	Seats     string
	Protocol  string
	Deadline  int
	Mix       float64
	Rate      float64
	Arrivals  string
	Idle      bool
	Turn      string
	// CPUProfile, if set, has each server write a CPU profile of its
	// whole run (serve --cpuprofile): the first to the file, the others
	// to FILE.2, FILE.3...
	CPUProfile string
	// ServerEnv are VAR=VALUE settings added to the servers' environment
	// (GOGC, GOMAXPROCS, GODEBUG...), not the load generator's.
	ServerEnv string
	// SelfProfile, if set, is where the load generator writes a CPU
	// profile of itself during the run (the servers not included).
	SelfProfile string
}

// Run starts the servers, loads them and prints the figures.
func (c *LoadtestCommand) Run(ctx context.Context, args []string) error {
	fs := c.flagSet("parley loadtest", "[flags]", loadtestAbout)
	fs.StringVar(&c.DB, "db", "", "the servers' database: a SQLite `FILE` or postgres://USER@HOST:PORT/DB (default: a new SQLite file in a temporary directory)")
	fs.IntVar(&c.Instances, "instances", 1, "servers to start on the database (more than 1 needs PostgreSQL)")
	fs.IntVar(&c.Sessions, "sessions", 100, "concurrent sessions, each with its client and event stream")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "how long to post actions")
	fs.IntVar(&c.MaxBatch, "max-batch", 0, "the servers' --max-batch (1 turns group commit off)")
	fs.StringVar(&c.Seats, "seats", "", "the sessions' agent seats, `SEAT=AGENT,...` (default mediator=nash,Afghanistan=delegate; with --protocol sao Afghanistan=conceder); every seat but Pakistan's needs an agent unless --mix is 1")
	fs.StringVar(&c.Protocol, "protocol", "mediated", "the sessions' protocol: mediated (Pakistan answers the mediator's texts) or sao (alternating offers)")
	fs.IntVar(&c.Deadline, "deadline", 30, "the sessions' deadline in `ROUNDS`")
	fs.Float64Var(&c.Mix, "mix", 0, "the share of the clients' actions that are caucus messages instead of moves (0 to 1; 1: caucus only, sessions never end; mediated only)")
	fs.Float64Var(&c.Rate, "rate", 0, "actions/s offered in all, spread over the sessions (open loop); 0: each client posts as soon as its last action is answered (closed loop)")
	fs.StringVar(&c.Arrivals, "arrivals", "poisson", "open loop: when each session's actions are due: poisson (random, independent) or uniform (evenly spaced, staggered)")
	fs.StringVar(&c.Turn, "turn", "answer", "how a client learns it is its move again: answer (from the events in the answer to its action, where the built-in agents' moves are) or stream (it waits until its event stream has delivered them, as a page following the stream does)")
	fs.StringVar(&c.CPUProfile, "server-cpuprofile", "", "have each server write a CPU profile of its run (serve --cpuprofile) to `FILE` (the first instance; the others to FILE.2, FILE.3...)")
	fs.StringVar(&c.ServerEnv, "server-env", "", "add `VAR=VALUE,...` to the servers' environment only (e.g. GOMAXPROCS=2,GOGC=200), to measure the Go runtime's settings")
	fs.StringVar(&c.SelfProfile, "cpuprofile", "", "write a CPU profile of the load generator itself (not the servers) while the clients act to `FILE` (go tool pprof reads it)")
	fs.BoolVar(&c.Idle, "idle", false, "only measure the memory of --sessions idle sessions (no client traffic, no streams), then stop")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { seen[f.Name] = true })
	if err := c.check(pos); err != nil {
		return err
	}
	if !seen["seats"] {
		c.Seats = map[string]string{"mediated": "mediator=nash,Afghanistan=delegate", "sao": "Afghanistan=conceder"}[c.Protocol]
	}
	seats, err := parseSeats(c.Seats)
	if err != nil {
		return err
	}
	if c.DB == "" {
		dir, err := os.MkdirTemp("", "parley-loadtest-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.DB = filepath.Join(dir, "parley.db")
	}
	return c.run(ctx, seats)
}

// check refuses flags out of range, saying which and why.
func (c *LoadtestCommand) check(pos []string) error {
	switch {
	case len(pos) > 0:
		return usagef("loadtest takes no arguments, got %q", pos[0])
	case c.Instances < 1 || c.Instances > 16:
		return usagef("--instances must be 1 to 16, got %d", c.Instances)
	case c.Instances > 1 && !isPostgresURL(c.DB):
		return usagef("--instances %d needs a PostgreSQL --db (postgres://...); a SQLite file has one server", c.Instances)
	case c.Sessions < 1 || c.Sessions > 100000:
		return usagef("--sessions must be 1 to 100000, got %d", c.Sessions)
	case c.Duration <= 0:
		return usagef("--duration must be positive, got %v", c.Duration)
	case c.MaxBatch < 0:
		return usagef("--max-batch must not be negative, got %d", c.MaxBatch)
	case c.Protocol != "mediated" && c.Protocol != "sao":
		return usagef("--protocol must be mediated or sao, got %q", c.Protocol)
	case c.Deadline < 1 || c.Deadline > 10000:
		return usagef("--deadline must be 1 to 10000 rounds, got %d", c.Deadline)
	case !(c.Mix >= 0 && c.Mix <= 1):
		return usagef("--mix must be a share from 0 to 1, got %v", c.Mix)
	case !(c.Rate == 0 || c.Rate >= 0.01 && c.Rate <= 1e7):
		return usagef("--rate must be 0 (closed loop) or 0.01 to 10000000 actions/s, got %v", c.Rate)
	case c.Mix > 0 && c.Protocol == "sao":
		return usagef("--mix %v: caucus messages go to a mediator, and --protocol sao has none", c.Mix)
	case c.Turn != "answer" && c.Turn != "stream":
		return usagef("--turn must be answer or stream, got %q", c.Turn)
	case c.Arrivals != "poisson" && c.Arrivals != "uniform":
		return usagef("--arrivals must be poisson or uniform, got %q", c.Arrivals)
	}
	for _, kv := range strings.Split(c.ServerEnv, ",") {
		if k, _, ok := strings.Cut(kv, "="); c.ServerEnv != "" && (!ok || k == "" || strings.ContainsAny(k, " \t")) {
			return usagef("--server-env: %q is not VAR=VALUE", kv)
		}
	}
	return nil
}

// parseSeats reads --seats: SEAT=AGENT pairs, comma-separated.
func parseSeats(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		seat, agent, ok := strings.Cut(f, "=")
		if !ok || seat == "" || agent == "" {
			return nil, usagef("--seats: %q is not SEAT=AGENT", f)
		}
		out[seat] = agent
	}
	return out, nil
}

func (c *LoadtestCommand) run(ctx context.Context, seats map[string]string) error {
	var servers []*loadServer
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	if err := c.startServers(&servers); err != nil {
		return err
	}
	run := c.Duration.String()
	if c.Idle {
		run = "idle sessions only"
	}
	fmt.Fprintf(c.Stdout, "parley loadtest: %d instance(s) on %s, %d sessions of istanbul-2025 (%s, deadline %d rounds, seats %s), %s\n",
		c.Instances, redactDB(c.DB), c.Sessions, c.Protocol, c.Deadline, c.Seats, run)
	lt := newLoad(c.Sessions, servers, seats, c.Protocol, c.Deadline, c.Mix)
	lt.turnStream = c.Turn == "stream"
	defer lt.tr.CloseIdleConnections()
	initial, err := c.idle(ctx, lt)
	if err != nil || c.Idle {
		return err
	}
	if err := lt.start(ctx, initial); err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout, c.mode())
	pg := c.pgCluster(ctx)
	profiling, err := startCPUProfile(c.SelfProfile, slog.New(slog.NewTextHandler(c.Stderr, nil)))
	if err != nil {
		return err
	}
	u0 := readUsage(ctx, servers, lt, pg)
	res := lt.drive(ctx, initial, c.Duration, c.Rate, c.Arrivals == "poisson", c.Mix)
	u1 := readUsage(ctx, servers, lt, pg)
	profiling()
	waited := lt.settle(5*time.Second, time.Minute)
	st := lt.streamStats()
	c.report(res, st, waited)
	c.printMemory(ctx, lt)
	c.printUsage(res, u0, u1, pg)
	for _, s := range servers {
		s.stop()
	}
	servers = nil
	faults, err := c.verify(ctx, lt)
	if err != nil {
		return err
	}
	switch {
	case res.failed > 0 || res.setupFailed > 0:
		return fmt.Errorf("loadtest: %d actions failed, %d sessions could not be started or read (first: %s)", res.failed, res.setupFailed, res.firstErr)
	case st.missing > 0 || st.doubled > 0:
		return fmt.Errorf("loadtest: the event streams missed %d acknowledged events and delivered %d twice", st.missing, st.doubled)
	case faults != "":
		return fmt.Errorf("loadtest: %s", faults)
	}
	return nil
}

// runUsage is a reading of the CPU the servers, the load generator and a
// PostgreSQL on this machine have used, and of the servers' Go runtimes.
type runUsage struct {
	servers  []time.Duration
	self, pg time.Duration
	rt       []*DebugRuntime
}

func readUsage(ctx context.Context, servers []*loadServer, lt *load, pg *pgCluster) runUsage {
	u := runUsage{servers: cpuAll(servers), self: selfCPU(), pg: pg.cpu()}
	u.rt = runtimeAll(ctx, servers, lt.client)
	return u
}

// printMemory prints each server's resident set and Go heap after the
// run.
func (c *LoadtestCommand) printMemory(ctx context.Context, lt *load) {
	rss, heaps := lt.memory(ctx)
	for i, r := range rss {
		line := fmt.Sprintf("memory: instance %d RSS %.1f MB after the run", i+1, mb(r))
		if h := heaps[i]; h != nil {
			line += fmt.Sprintf(", Go heap %.1f MB (after a forced garbage collection), with %d sessions created", mb(int64(h.HeapAlloc)), len(lt.allSessions())+c.Instances)
		}
		fmt.Fprintln(c.Stdout, line)
	}
}

// printUsage prints what the servers, their Go runtimes, PostgreSQL and
// the load generator used between u0 and u1, per acknowledged action.
func (c *LoadtestCommand) printUsage(res *loadResult, u0, u1 runUsage, pg *pgCluster) {
	acked := float64(max(res.moves+res.caucus, 1))
	for i := range u1.servers {
		used := u1.servers[i] - u0.servers[i]
		fmt.Fprintf(c.Stdout, "cpu: instance %d used %.0f%% of a core during the run: %.0f µs of CPU per acknowledged action (sessions started included)\n",
			i+1, 100*used.Seconds()/res.elapsed.Seconds(), float64(used.Microseconds())/acked)
	}
	for i := range u1.rt {
		if line := runtimeLine(i, u0.rt[i], u1.rt[i], acked, res.elapsed); line != "" {
			fmt.Fprintln(c.Stdout, line)
		}
	}
	if pg != nil {
		used := u1.pg - u0.pg
		fmt.Fprintf(c.Stdout, "cpu: PostgreSQL (postmaster %d and its processes, on this machine) used %.0f%% of a core during the run: %.0f µs of CPU per acknowledged action\n",
			pg.postmaster, 100*used.Seconds()/res.elapsed.Seconds(), float64(used.Microseconds())/acked)
	}
	self := u1.self - u0.self
	fmt.Fprintf(c.Stdout, "cpu: the load generator used %.0f%% of a core (on the same machine): %.0f µs of CPU per acknowledged action\n",
		100*self.Seconds()/res.elapsed.Seconds(), float64(self.Microseconds())/acked)
}

// startServers starts the instances, adding each to servers as it
// starts (so that the caller stops those that did if one fails).
func (c *LoadtestCommand) startServers(servers *[]*loadServer) error {
	for i := range c.Instances {
		profile := c.CPUProfile
		if profile != "" && i > 0 {
			profile = fmt.Sprintf("%s.%d", profile, i+1)
		}
		s, err := startLoadServer(c.DB, c.MaxBatch, profile, c.serverEnv())
		if err != nil {
			return fmt.Errorf("loadtest: %w", err)
		}
		*servers = append(*servers, s)
	}
	return nil
}

// serverEnv is the servers' environment: this process's with --server-env
// added (nil: this process's as it is).
func (c *LoadtestCommand) serverEnv() []string {
	if c.ServerEnv == "" {
		return nil
	}
	return append(os.Environ(), strings.Split(c.ServerEnv, ",")...)
}

// pgCluster finds the PostgreSQL server of a postgres:// --db on this
// machine, to count its CPU, or says why it cannot (nil).
func (c *LoadtestCommand) pgCluster(ctx context.Context) *pgCluster {
	if !isPostgresURL(c.DB) {
		return nil
	}
	pg, err := findPGCluster(ctx, c.DB)
	if err != nil {
		fmt.Fprintf(c.Stdout, "cpu: PostgreSQL's CPU is not measured: %v\n", err)
	}
	return pg
}

// mode says how the clients were paced.
func (c *LoadtestCommand) mode() string {
	move := map[string]string{"mediated": "answers to the mediator's texts", "sao": "offers and acceptances"}[c.Protocol]
	what := fmt.Sprintf("moves (%s)", move)
	if c.Mix > 0 {
		what = fmt.Sprintf("%s, %.0f%% of them caucus messages instead", what, 100*c.Mix)
	}
	if c.Turn == "stream" {
		what += "; a client moves again only once its stream says it is its move (a turn event)"
	}
	if c.Rate == 0 {
		return fmt.Sprintf("mode: closed loop: each of %d clients posts its next action as soon as the last is answered; actions: %s; latency from sending (about sessions / throughput)", c.Sessions, what)
	}
	return fmt.Sprintf("mode: open loop: %.0f actions/s offered (%s arrivals over %d sessions, %.2f/s each); actions: %s; latency from each action's due time, so that waiting behind a slow answer counts",
		c.Rate, c.Arrivals, c.Sessions, c.Rate/float64(c.Sessions), what)
}

// idle creates the run's sessions and measures what they cost the
// servers idle: the resident set and the Go heap, each after a forced
// garbage collection, before and after.
func (c *LoadtestCommand) idle(ctx context.Context, lt *load) ([]*loadSession, error) {
	// The first session on each instance compiles the scenario's model,
	// which all its sessions share: it is not an idle session's cost.
	if _, err := lt.create(ctx, c.Instances, false); err != nil {
		return nil, err
	}
	// Several instances: the others load what they hear of.
	hear := 100 * time.Millisecond
	if c.Instances > 1 {
		hear = time.Second
	}
	time.Sleep(hear)
	rss0, heap0 := lt.memory(ctx)
	cpu0, t0 := cpuAll(lt.servers), time.Now()
	initial, err := lt.create(ctx, c.Sessions, true)
	if err != nil {
		return nil, err
	}
	cpu1, took := cpuAll(lt.servers), time.Since(t0)
	time.Sleep(hear)
	rss1, heap1 := lt.memory(ctx)
	for i := range lt.servers {
		fmt.Fprintf(c.Stdout, "create: %d sessions in %.2f s, 16 at a time; instance %d spent %.0f µs of CPU per session created (on it or heard of)\n",
			c.Sessions, took.Seconds(), i+1, float64((cpu1[i]-cpu0[i]).Microseconds())/float64(c.Sessions))
	}
	for i := range lt.servers {
		line := fmt.Sprintf("idle: instance %d: RSS %.1f MB after a first session, %.1f MB with %d more: %.1f KB per idle session",
			i+1, mb(rss0[i]), mb(rss1[i]), c.Sessions, float64(rss1[i]-rss0[i])/1024/float64(c.Sessions))
		if h0, h1 := heap0[i], heap1[i]; h0 != nil && h1 != nil {
			line += fmt.Sprintf("; Go heap %.1f MB, then %.1f MB: %.1f KB per idle session",
				mb(int64(h0.HeapAlloc)), mb(int64(h1.HeapAlloc)), (float64(h1.HeapAlloc)-float64(h0.HeapAlloc))/1024/float64(c.Sessions))
		}
		fmt.Fprintln(c.Stdout, line+" (after a forced garbage collection)")
	}
	return initial, nil
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// report prints the figures of a run.
func (c *LoadtestCommand) report(res *loadResult, st streamCounts, waited time.Duration) {
	secs := res.elapsed.Seconds()
	acked := res.moves + res.caucus
	if c.Rate > 0 {
		fmt.Fprintf(c.Stdout, "offered: %d actions due in %v: %.0f actions/s (asked %.0f); %d of them never sent (the drain ran out)\n",
			res.scheduled, c.Duration, float64(res.scheduled)/c.Duration.Seconds(), c.Rate, res.unsent)
	}
	fmt.Fprintf(c.Stdout, "actions: %d acknowledged (%d moves, %d caucus messages) in %.2f s: %.0f acknowledged durable actions/s; %d failed; %d sessions not started or read\n",
		acked, res.moves, res.caucus, secs, float64(acked)/secs, res.failed, res.setupFailed)
	from := "from sending"
	if c.Rate > 0 {
		from = "from the due time"
	}
	secondly := res.secondly()
	fmt.Fprintf(c.Stdout, "latency (%s): p50 %s, p90 %s, p99 %s, max %s\n", from, pct(res.latency, 50), pct(res.latency, 90), pct(res.latency, 99), pct(res.latency, 100))
	fmt.Fprintf(c.Stdout, "latency by second: p99 of each second %s\n", secondlyLine(secondly))
	if c.Rate > 0 {
		fmt.Fprintf(c.Stdout, "generator: of the %d actions due while their client was idle, each went out late by p50 %s, p99 %s, max %s (the load generator's own lateness, counted in the latency)\n",
			len(res.sendLag), pct(res.sendLag, 50), pct(res.sendLag, 99), pct(res.sendLag, 100))
		fmt.Fprintf(c.Stdout, "service time (from sending): p50 %s, p90 %s, p99 %s, max %s\n", pct(res.service, 50), pct(res.service, 90), pct(res.service, 99), pct(res.service, 100))
	}
	if len(res.turnWait) > 0 {
		fmt.Fprintf(c.Stdout, "turns: after each answer the client waited for its stream to say it was its move again (after a caucus message: to deliver it): p50 %s, p99 %s, max %s; %d turn events on the streams\n",
			pct(res.turnWait, 50), pct(res.turnWait, 99), pct(res.turnWait, 100), st.turns)
	}
	var ends []string
	for _, e := range slices.Sorted(maps.Keys(res.ends)) {
		ends = append(ends, fmt.Sprintf("%d %s", res.ends[e], e))
	}
	if len(ends) == 0 {
		ends = []string{"none"}
	}
	fmt.Fprintf(c.Stdout, "sessions: %d ended (%s); %d new ones started in their place (create, view and stream: p50 %s, p99 %s); %d views read again\n",
		sumEnds(res.ends), strings.Join(ends, ", "), res.created, pct(res.create, 50), pct(res.create, 99), res.resyncs)
	fmt.Fprintf(c.Stdout, "streams: %d event streams: %d acknowledged events delivered exactly once, %d missing %s after the run, %d delivered again; %d reconnects; delivery after the acknowledgement p50 %s, p99 %s, max %s\n",
		st.streams, st.delivered, st.missing, waited.Round(100*time.Millisecond), st.doubled, st.reconnects, pct(st.lat, 50), pct(st.lat, 99), pct(st.lat, 100))
}

// secondlyLine lists the p99 of each second of a run, in milliseconds.
func secondlyLine(ps []time.Duration) string {
	if len(ps) == 0 {
		return "-"
	}
	var b strings.Builder
	over := 0
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.0f", float64(p)/float64(time.Millisecond))
		if p > 50*time.Millisecond {
			over++
		}
	}
	return fmt.Sprintf("(ms): %s; %d of %d seconds over 50 ms", b.String(), over, len(ps))
}

func sumEnds(m map[parley.EndState]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// pct returns the p-th percentile of ds (sorted in place).
func pct(ds []time.Duration, p int) string {
	if len(ds) == 0 {
		return "-"
	}
	slices.Sort(ds)
	i := min(len(ds)-1, (len(ds)*p+99)/100-1)
	return ds[max(i, 0)].Round(10 * time.Microsecond).String()
}

// load is the clients of a run: a session each, with its event stream.
type load struct {
	servers []*loadServer
	// client sends the requests of setting up, each answered within
	// requestTimeout or failed (the clients' own go on h1Conns, and the
	// event streams each on one of its own).
	client *http.Client
	tr     *http.Transport
	body   []byte // the spec of a new session
	mix    float64
	// turnStream: a client waits for its stream to deliver the answer's
	// events before it moves again.
	turnStream bool
	strategy   *strategy
	stOnce     sync.Once
	stErr      error

	mu       sync.Mutex
	sessions []*loadSession // every session created for the clients
	next     int            // sessions created, to spread them over the servers
}

// loadSession is one session's client: where it posts and streams from,
// its seat's tokens, where the session stands for it, what it was
// acknowledged and what its stream delivered.
type loadSession struct {
	id, post, stream string // the session; the servers it posts to and streams from
	token            string // the client seat's (Pakistan's)
	play             play   // the client's own

	mu         sync.Mutex
	acked      []ackedEvent     // the events acknowledged, by seq (ackedEvents)
	delivered  []deliveredEvent // the events on the stream, by seq (each after lastSeq)
	lastSeq    int64            // the last seq on the stream (−1: none)
	endSeq     int64            // the seq of the session's end (−1: not ended)
	posted     int              // the client's actions acknowledged
	unknown    int              // the client's actions without an answer (stored or not)
	doubled    int              // events the stream delivered again
	reconnects int
	streamErr  string
	stopStream context.CancelFunc
	moved      chan struct{} // a token when the stream delivered an event
	// turns counts the turn events on the stream; the last said it was
	// party turnActor's move after the event turnAfter.
	turns, turnActor int
	turnAfter        int64
}

// ackedEvent is an event in the answer to an action.
type ackedEvent struct {
	seq   int64
	typ   protocol.EventType
	actor int
	at    time.Time
}

// deliveredEvent is a stored event on a stream, and when it came.
type deliveredEvent struct {
	seq int64
	at  time.Time
}

// ack records an event acknowledged to s's client (s.mu held), keeping
// s.acked in seq order; an event acknowledged again replaces the first.
// Answers come in seq order, so this appends.
func (s *loadSession) ack(a ackedEvent) {
	n := len(s.acked)
	if n == 0 || s.acked[n-1].seq < a.seq {
		s.acked = append(s.acked, a)
		return
	}
	i, found := slices.BinarySearchFunc(s.acked, a.seq, func(e ackedEvent, seq int64) int { return cmp.Compare(e.seq, seq) })
	if found {
		s.acked[i] = a
		return
	}
	s.acked = slices.Insert(s.acked, i, a)
}

// ackedAt returns the event acknowledged at seq (s.mu held).
func (s *loadSession) ackedAt(seq int64) (ackedEvent, bool) {
	i, found := slices.BinarySearchFunc(s.acked, seq, func(e ackedEvent, seq int64) int { return cmp.Compare(e.seq, seq) })
	if !found {
		return ackedEvent{}, false
	}
	return s.acked[i], true
}

// deliveredAt returns when the stream delivered seq (s.mu held).
func (s *loadSession) deliveredAt(seq int64) (time.Time, bool) {
	i, found := slices.BinarySearchFunc(s.delivered, seq, func(e deliveredEvent, seq int64) int { return cmp.Compare(e.seq, seq) })
	if !found {
		return time.Time{}, false
	}
	return s.delivered[i].at, true
}

// requestTimeout bounds a request of the load test: a server that does
// not answer fails the action rather than hang the run.
const requestTimeout = time.Minute

func newLoad(n int, servers []*loadServer, seats map[string]string, proto string, deadline int, mix float64) *load {
	tr := &http.Transport{MaxIdleConnsPerHost: 2*n + 16, DisableCompression: true, IdleConnTimeout: time.Minute}
	body, _ := json.Marshal(map[string]any{"scenario": "istanbul-2025", "protocol": proto, "deadline": deadline, "seats": seats})
	return &load{servers: servers, tr: tr, body: body, mix: mix,
		client: &http.Client{Transport: tr, Timeout: requestTimeout}}
}

// create makes n sessions, spread over the servers, 16 at a time; keep
// registers them as the clients' (else they are only created).
func (l *load) create(ctx context.Context, n int, keep bool) ([]*loadSession, error) {
	out := make([]*loadSession, n)
	errs := make(chan error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s, err := l.createOne(ctx, l.do, i, keep)
				out[i] = s
				errs <- err
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// createOne creates a session on the next server in turn, its stream on
// the one after.
func (l *load) createOne(ctx context.Context, do doFunc, i int, keep bool) (*loadSession, error) {
	l.mu.Lock()
	k := l.next
	l.next++
	l.mu.Unlock()
	srv := l.servers[k%len(l.servers)]
	b, status, err := do(ctx, "POST", srv.url+"/api/sessions", "", l.body)
	if err != nil || status != http.StatusCreated {
		return nil, fmt.Errorf("loadtest: creating session %d: %d %v %s", i, status, err, b)
	}
	var cr live.Created
	if err := json.Unmarshal(b, &cr); err != nil {
		return nil, fmt.Errorf("loadtest: creating session %d: %w", i, err)
	}
	s := &loadSession{id: cr.ID, post: srv.url, stream: l.servers[(k+1)%len(l.servers)].url,
		lastSeq: -1, endSeq: -1, turnActor: -2, turnAfter: -1, moved: make(chan struct{}, 1)}
	for _, st := range cr.Seats {
		switch {
		case st.Name == "Pakistan":
			s.token = st.Token
		case st.Player == "human" && st.Role != "observer" && l.mix < 1:
			return nil, usagef("--seats: seat %s is a person's, and the load test plays only Pakistan's: give it a built-in agent (or use --mix 1)", st.Name)
		}
	}
	if s.token == "" {
		return nil, fmt.Errorf("loadtest: session %s has no Pakistan seat", cr.ID)
	}
	if keep {
		l.mu.Lock()
		l.sessions = append(l.sessions, s)
		l.mu.Unlock()
	}
	return s, nil
}

// allSessions returns the clients' sessions so far.
func (l *load) allSessions() []*loadSession {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.sessions)
}

// start reads the view of each of sessions and opens its event stream.
func (l *load) start(ctx context.Context, sessions []*loadSession) error {
	errs := make(chan error, len(sessions))
	sem := make(chan struct{}, 16)
	for _, s := range sessions {
		sem <- struct{}{}
		go func() { errs <- l.view(ctx, l.do, s); <-sem }()
	}
	for range sessions {
		if err := <-errs; err != nil {
			return err
		}
	}
	return l.openStreams(ctx, sessions)
}

// memory forces a garbage collection in each server (its debug
// endpoint), waits a moment for the freed memory to leave the resident
// set, and reads both.
func (l *load) memory(ctx context.Context) ([]int64, []*DebugHeap) {
	heaps := make([]*DebugHeap, len(l.servers))
	for i, s := range l.servers {
		heaps[i] = s.heap(ctx, l.client)
	}
	time.Sleep(200 * time.Millisecond)
	return rssAll(l.servers), heaps
}

// doFunc sends a request and returns the answer's body and status: l.do
// (net/http, for setting up) or a client slot's h1Client.do.
type doFunc func(ctx context.Context, method, url, token string, body []byte) ([]byte, int, error)

func (l *load) do(ctx context.Context, method, url, token string, body []byte) ([]byte, int, error) {
	return request(ctx, l.client, method, url, token, body)
}

// request sends a request with a bearer token (if any) and returns the
// answer's status and body (at most 1 MiB of it).
func request(ctx context.Context, client *http.Client, method, url, token string, body []byte) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return b, res.StatusCode, err
}

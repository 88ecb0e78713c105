package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/parleyhq/parley/live"
)

const loadtestAbout = `Measures what 'parley serve' holds: it starts --instances servers (this binary) on one database,
creates --sessions live sessions of istanbul-2025 with agent seats (--seats: by default the mediator
and Afghanistan are built-in agents; Pakistan is played through the API), then, for --duration,
has one client per session post actions (caucus messages, each stored durably before it is
answered) over the real HTTP API on loopback, one at a time, while an event stream per session (the
mediator's, from another instance when there are several) carries them back. It prints acknowledged
actions per second, action latency percentiles, event stream delivery, and the servers' memory:
resident set (RSS) and its growth per idle session. Several instances need a PostgreSQL --db.
Goals (docs/server.md): 1,000 sessions, >= 5,000 acknowledged actions/s, p99 < 50 ms, < 50 KB per
idle session.`

// LoadtestCommand drives parley servers with load and reports.
type LoadtestCommand struct {
	*Main
	DB        string
	Instances int
	Sessions  int
	Duration  time.Duration
	MaxBatch  int
	Seats     string
}

// Run starts the servers, loads them and prints the figures.
func (c *LoadtestCommand) Run(ctx context.Context, args []string) error {
	fs := c.flagSet("parley loadtest", "[flags]", loadtestAbout)
	fs.StringVar(&c.DB, "db", "", "the servers' database: a SQLite `FILE` or postgres://USER@HOST:PORT/DB (default: a new SQLite file in a temporary directory)")
	fs.IntVar(&c.Instances, "instances", 1, "servers to start on the database (more than 1 needs PostgreSQL)")
	fs.IntVar(&c.Sessions, "sessions", 100, "concurrent sessions, each with its client and event stream")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "how long to post actions")
	fs.IntVar(&c.MaxBatch, "max-batch", 0, "the servers' --max-batch (1 turns group commit off)")
	fs.StringVar(&c.Seats, "seats", "mediator=nash,Afghanistan=delegate", "the sessions' agent seats, `SEAT=AGENT,...` (\"\": every seat played through the API)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
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
	for range c.Instances {
		s, err := startLoadServer(c.DB, c.MaxBatch)
		if err != nil {
			return fmt.Errorf("loadtest: %w", err)
		}
		servers = append(servers, s)
	}
	fmt.Fprintf(c.Stdout, "parley loadtest: %d instance(s) on %s, %d sessions, %v\n", c.Instances, redactDB(c.DB), c.Sessions, c.Duration)
	lt := newLoad(c.Sessions, servers, seats)
	defer lt.tr.CloseIdleConnections()
	// The first session on each instance compiles the scenario's model,
	// which all its sessions share: it is not an idle session's cost.
	if err := lt.create(ctx, c.Instances); err != nil {
		return err
	}
	time.Sleep(time.Second)
	before := rssAll(servers)
	if err := lt.create(ctx, c.Sessions); err != nil {
		return err
	}
	time.Sleep(time.Second) // the other instances load what they hear of
	idle := rssAll(servers)
	for i := range servers {
		fmt.Fprintf(c.Stdout, "idle: instance %d: RSS %.1f MB after a first session, %.1f MB with %d more: %.1f KB per idle session\n",
			i+1, mb(before[i]), mb(idle[i]), c.Sessions, float64(idle[i]-before[i])/1024/float64(c.Sessions))
	}
	if err := lt.openStreams(ctx); err != nil {
		return err
	}
	cpu0, self0 := cpuAll(servers), selfCPU()
	res := lt.drive(ctx, c.Duration)
	cpu1, self1 := cpuAll(servers), selfCPU()
	lt.settle(5 * time.Second)
	c.report(res, lt, rssAll(servers))
	for i := range servers {
		fmt.Fprintf(c.Stdout, "cpu: instance %d used %.0f%% of a core during the run\n", i+1, 100*(cpu1[i]-cpu0[i]).Seconds()/res.elapsed.Seconds())
	}
	fmt.Fprintf(c.Stdout, "cpu: the load generator used %.0f%% of a core (on the same machine)\n", 100*(self1-self0).Seconds()/res.elapsed.Seconds())
	if res.failed > 0 {
		return fmt.Errorf("loadtest: %d actions failed (first: %s)", res.failed, res.firstErr)
	}
	return nil
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// report prints the figures of a run.
func (c *LoadtestCommand) report(res *loadResult, lt *load, rss []int64) {
	secs := res.elapsed.Seconds()
	fmt.Fprintf(c.Stdout, "actions: %d acknowledged in %.2f s: %.0f acknowledged durable actions/s; %d failed\n",
		len(res.latencies), secs, float64(len(res.latencies))/secs, res.failed)
	fmt.Fprintf(c.Stdout, "latency: p50 %s, p95 %s, p99 %s, max %s\n", pct(res.latencies, 50), pct(res.latencies, 95), pct(res.latencies, 99), pct(res.latencies, 100))
	delivered, missing, lat := lt.streamStats()
	fmt.Fprintf(c.Stdout, "streams: %d of the acknowledged events delivered on %d event streams, %d missing; delivery after the acknowledgement p50 %s, p99 %s\n",
		delivered, len(lt.sessions), missing, pct(lat, 50), pct(lat, 99))
	for i, r := range rss {
		fmt.Fprintf(c.Stdout, "memory: instance %d RSS %.1f MB after the run\n", i+1, mb(r))
	}
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

// loadServer is a 'parley serve' subprocess.
type loadServer struct {
	cmd    *exec.Cmd
	url    string
	stderr bytes.Buffer
}

func startLoadServer(db string, maxBatch int) (*loadServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"--db", db}
	if maxBatch > 0 {
		args = append(args, "--max-batch", strconv.Itoa(maxBatch))
	}
	return startServeProcess(exe, nil, args...)
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
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case line <- sc.Text():
			default:
			}
		}
		close(line)
	}()
	select {
	case l := <-line:
		if _, rest, ok := strings.Cut(l, "listening on "); ok {
			s.url = strings.Fields(rest)[0]
			return s, nil
		}
	case <-time.After(time.Minute):
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

// cpu returns the user and system CPU time the server has used (0 where
// /proc cannot tell).
func (s *loadServer) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name (in parentheses, which may hold
	// spaces): utime and stime are the 12th and 13th, in clock ticks.
	_, rest, _ := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * time.Second / 100 // USER_HZ is 100 on Linux
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

// load is the clients of a run: a session each, with its event stream.
type load struct {
	servers  []*loadServer
	client   *http.Client
	tr       *http.Transport
	sessions []*loadSession
	seats    map[string]string // seat → built-in agent
}

// loadSession is one session's client: where it posts, its tokens, and
// what it was acknowledged and its stream delivered.
type loadSession struct {
	id, post, stream string // the session; the servers it posts to and streams from
	pakistan, med    string // tokens

	mu        sync.Mutex
	acked     map[int64]time.Time // seq → when acknowledged
	delivered map[int64]time.Time // seq → when on the stream
}

func newLoad(n int, servers []*loadServer, seats map[string]string) *load {
	tr := &http.Transport{MaxIdleConnsPerHost: 2*n + 16, DisableCompression: true, IdleConnTimeout: time.Minute}
	return &load{servers: servers, tr: tr, client: &http.Client{Transport: tr}, seats: seats}
}

// create makes n sessions, spread over the servers, 16 at a time.
func (l *load) create(ctx context.Context, n int) error {
	l.sessions = make([]*loadSession, n)
	errs := make(chan error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s, err := l.createOne(ctx, i)
				l.sessions[i] = s
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
			return err
		}
	}
	return nil
}

func (l *load) createOne(ctx context.Context, i int) (*loadSession, error) {
	srv := l.servers[i%len(l.servers)]
	body, _ := json.Marshal(map[string]any{"scenario": "istanbul-2025", "deadline": 10000, "seats": l.seats})
	b, status, err := l.do(ctx, "POST", srv.url+"/api/sessions", "", body)
	if err != nil || status != http.StatusCreated {
		return nil, fmt.Errorf("loadtest: creating session %d: %d %v %s", i, status, err, b)
	}
	var cr live.Created
	if err := json.Unmarshal(b, &cr); err != nil {
		return nil, fmt.Errorf("loadtest: creating session %d: %w", i, err)
	}
	s := &loadSession{id: cr.ID, post: srv.url, stream: l.servers[(i+1)%len(l.servers)].url,
		acked: map[int64]time.Time{}, delivered: map[int64]time.Time{}}
	for _, st := range cr.Seats {
		switch st.Name {
		case "Pakistan":
			s.pakistan = st.Token
		case "mediator":
			s.med = st.Token
		}
	}
	if s.pakistan == "" || s.med == "" {
		return nil, fmt.Errorf("loadtest: session %s has no Pakistan or mediator seat", cr.ID)
	}
	return s, nil
}

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

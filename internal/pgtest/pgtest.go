// Package pgtest gives tests a real PostgreSQL: a cluster of its own in a
// temporary directory (initdb, then the postgres server), run as an
// unprivileged user on a free port of 127.0.0.1 and a Unix socket in that
// directory, shared by all the tests of one test binary and stopped when
// they end. When the server binaries are absent and the test runs as root
// on a Debian-like system, it installs the Debian package (apt-get install
// -y postgresql), as the project's brief asks; when PostgreSQL truly cannot
// be had, the tests that need it skip with a loud message saying why.
//
// A package that uses it wires it in its TestMain, so that the cluster is
// stopped even when tests fail:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// and each test takes a database of its own (a fresh schema; CREATE
// DATABASE costs seconds on a slow disk, a schema milliseconds):
//
//	url := pgtest.URL(t) // postgres://postgres@127.0.0.1:PORT/postgres?search_path=...
//
// Set PARLEY_TEST_POSTGRES to the URL of a server you run yourself to use
// it instead (each test then gets a schema there, dropped at the end).
//
// The server is started with the parent-death signal set, so that it
// stops even if the test binary is killed or panics before Main's cleanup;
// a directory left behind by such a run is removed by the next one.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable that points the tests at a
// PostgreSQL server of the caller's instead of a cluster of their own.
const EnvURL = "PARLEY_TEST_POSTGRES"

var (
	mu      sync.Mutex
	shared  *Cluster
	why     string // why there is no cluster
	failed  error  // why the cluster did not start
	started bool
	schemas atomic.Int64
)

// Main runs the tests of m and then stops the shared cluster, if one was
// started; it returns m.Run's exit code.
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
		shared = nil
	}
	return code
}

// Shared returns the test binary's cluster, starting it on first use. It
// skips the test with a loud message when PostgreSQL cannot be had, and
// fails it when PostgreSQL is there but does not start.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if !started {
		started = true
		shared, why, failed = startShared()
	}
	if failed != nil {
		t.Fatalf("pgtest: PostgreSQL is installed but did not start: %v", failed)
	}
	if shared == nil {
		t.Skipf("SKIPPED: no PostgreSQL for this test: %s", why)
	}
	return shared
}

// URL returns the URL of an empty database of the test's own (a new
// schema of the shared cluster, named after the test, set as the
// connection's search_path).
func URL(t testing.TB) string {
	t.Helper()
	return Shared(t).NewSchema(t)
}

func startShared() (*Cluster, string, error) {
	if u := os.Getenv(EnvURL); u != "" {
		return &Cluster{url: u}, "", nil
	}
	bin, why := findBin()
	if bin == "" {
		return nil, why, nil
	}
	c, err := Start(bin)
	return c, "", err
}

// Cluster is a PostgreSQL server started for tests, or one named by
// PARLEY_TEST_POSTGRES.
type Cluster struct {
	// Dir holds the data directory (data), the Unix socket and the
	// server's log (log).
	Dir string
	// Port is the TCP port on 127.0.0.1.
	Port int

	bin  string // directory of initdb and postgres
	cred *syscall.Credential
	url  string // the server's URL, without a schema
	proc *proc
}

// URL returns the URL of the cluster's postgres database, as the
// superuser postgres over TCP.
func (c *Cluster) URL() string { return c.url }

// External reports whether the cluster is a server of the caller's
// (PARLEY_TEST_POSTGRES), which tests must not stop or crash.
func (c *Cluster) External() bool { return c.proc == nil && c.Dir == "" }

var unsafeName = regexp.MustCompile(`[^a-z0-9_]+`)

// NewSchema creates an empty schema named after the test and returns the
// cluster's URL with it as the search_path. The schema is dropped when
// the test ends if the server is an external one.
func (c *Cluster) NewSchema(t testing.TB) string {
	t.Helper()
	name := unsafeName.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	name = fmt.Sprintf("t%d_%s", schemas.Add(1), strings.Trim(name, "_"))
	if err := c.Exec(fmt.Sprintf("CREATE SCHEMA %q", name)); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if c.External() {
		t.Cleanup(func() { _ = c.Exec(fmt.Sprintf("DROP SCHEMA %q CASCADE", name)) })
	}
	return WithSchema(c.url, name)
}

// WithSchema returns url with search_path set to schema.
func WithSchema(url, schema string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

// Exec runs SQL statements on the cluster's postgres database.
func (c *Cluster) Exec(sql string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql, args...)
	return err
}

// findBin returns the directory of the newest installed server binaries,
// installing the Debian package first when there are none and it can.
func findBin() (dir, why string) {
	if dir := installedBin(); dir != "" {
		return dir, ""
	}
	if os.Geteuid() != 0 {
		return "", "the server is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH), and installing it needs root (apt-get install -y postgresql)"
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", "the server is not installed, and there is no apt-get to install it"
	}
	install := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		// Another test binary may be installing it at the same moment:
		// wait for dpkg's lock rather than fail.
		cmd := exec.CommandContext(ctx, "apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "postgresql")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%w: %s", err, tail(out, 400))
		}
		return nil
	}
	if err := install(); err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		_ = exec.CommandContext(ctx, "apt-get", "-o", "DPkg::Lock::Timeout=600", "update").Run()
		if err := install(); err != nil {
			return "", "apt-get install -y postgresql failed: " + err.Error()
		}
	}
	if dir := installedBin(); dir != "" {
		return dir, ""
	}
	return "", "apt-get installed postgresql but no initdb is in /usr/lib/postgresql/*/bin"
}

func installedBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Newest major version first: sort by the number, not the text.
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		d := filepath.Dir(p)
		if isExec(filepath.Join(d, "postgres")) {
			return d
		}
	}
	return ""
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

const dirPrefix = "parley-pgtest-"

// Start creates a cluster in a new temporary directory with the binaries
// in bin and starts it. As root it runs PostgreSQL (which refuses to run as
// root) as the user nobody.
func Start(bin string) (*Cluster, error) {
	removeStale()
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, bin: bin}
	ok := false
	defer func() {
		if !ok {
			_ = os.RemoveAll(dir)
		}
	}()
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs an unprivileged user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	tmpl, err := template(bin, c.cred)
	if err != nil {
		return nil, err
	}
	// cp -a keeps the owner (root copies nobody's files as nobody's).
	if out, err := exec.Command("cp", "-a", tmpl, filepath.Join(dir, "data")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("copy the cluster template: %w: %s", err, tail(out, 400))
	}
	// Commits write the WAL to the kernel but do not wait for the disk: a
	// crash of the server process (SIGKILL, what the tests do) loses
	// nothing, only a crash of the machine would, and the suite stays fast
	// on a slow disk. In the configuration file, not on the command line,
	// so that Durable can turn it on (ALTER SYSTEM overrides the file,
	// not the command line).
	conf, err := os.OpenFile(filepath.Join(dir, "data", "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, err = conf.WriteString("\n# parley pgtest: fast, and safe against crashes of the server process\nfsync = off\n")
	if err := errors.Join(err, conf.Close()); err != nil {
		return nil, err
	}
	var lastErr error
	for range 5 { // a free port can be taken between our probe and the server's bind
		if c.Port, err = freePort(); err != nil {
			return nil, err
		}
		c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port)
		if lastErr = c.start(); lastErr == nil {
			ok = true
			return c, nil
		}
	}
	return nil, lastErr
}

// template returns a data directory made by initdb for these binaries and
// this user, made once and kept in the user's cache directory: initdb
// takes seconds, a copy of its result a fraction of one, and each test
// binary that uses PostgreSQL starts a cluster of its own.
func template(bin string, cred *syscall.Credential) (string, error) {
	fi, err := os.Stat(filepath.Join(bin, "postgres"))
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	uid := os.Geteuid()
	if cred != nil {
		uid = int(cred.Uid)
	}
	// A new package version (another binary, another mtime) or another
	// user gets a template of its own.
	key := strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(bin), "_"), "_") + fmt.Sprintf("-%d-%d", fi.ModTime().Unix(), uid)
	root := filepath.Join(cache, "parley-pgtest", key)
	data := filepath.Join(root, "data")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err == nil {
		return data, nil
	}
	// initdb runs in the temporary directory, which nobody can reach
	// (root's cache is often in a 0700 home); root copies the result.
	work, err := os.MkdirTemp("", dirPrefix+"initdb-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	if cred != nil {
		if err := os.Chown(work, int(cred.Uid), int(cred.Gid)); err != nil {
			return "", err
		}
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", filepath.Join(work, "data"), "-U", "postgres",
		"-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.Dir = work
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb: %w: %s", err, tail(out, 800))
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(root, "copy-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if out, err := exec.Command("cp", "-a", filepath.Join(work, "data"), filepath.Join(tmp, "data")).CombinedOutput(); err != nil {
		return "", fmt.Errorf("copy the cluster template: %w: %s", err, tail(out, 400))
	}
	// Atomic: another test binary that made one at the same time wins,
	// and both use the one that is there.
	if err := os.Rename(filepath.Join(tmp, "data"), data); err != nil {
		if _, serr := os.Stat(filepath.Join(data, "PG_VERSION")); serr != nil {
			return "", err
		}
	}
	return data, nil
}

// start runs the server and waits until it takes connections.
func (c *Cluster) start() error {
	logf, err := os.OpenFile(filepath.Join(c.Dir, "log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(c.bin, "postgres"), "-D", filepath.Join(c.Dir, "data"),
		"-p", strconv.Itoa(c.Port), "-k", c.Dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "max_connections=500",
		"-c", "shared_buffers=128MB",
		"-c", "logging_collector=off",
		"-c", "log_min_messages=warning",
		// A test cluster's one database: no autovacuum surprises in
		// timings, no noise in the log.
		"-c", "autovacuum=off")
	cmd.Dir = c.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: c.cred,
		// Its own process group, so that Crash can kill the server and
		// its backends at once.
		Setpgid: true,
		// If the test binary dies without stopping the server (a panic,
		// a timeout, kill -9), the server gets SIGQUIT: it shuts down at
		// once. Go sets it after changing the user, which would clear it.
		Pdeathsig: syscall.SIGQUIT,
	}
	p, err := startLocked(cmd)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.url)
		if err == nil {
			conn.Close(ctx)
			c.proc = p
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("postgres exited: %v\n%s", p.err, c.logTail())
		case <-ctx.Done():
			p.signal(syscall.SIGQUIT)
			<-p.exited
			return fmt.Errorf("postgres did not take connections within 2 minutes: %v\n%s", err, c.logTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, "log"))
	return tail(b, 1500)
}

// Stop shuts the server down (fast mode: connections are closed, a
// checkpoint is written) and removes its directory. Stopping an external
// server does nothing.
func (c *Cluster) Stop() error {
	if c.External() {
		return nil
	}
	var err error
	if c.proc != nil {
		err = c.proc.stop()
		c.proc = nil
	}
	return errors.Join(err, os.RemoveAll(c.Dir))
}

// Crash kills the server and all its backends with SIGKILL, as a crash
// would, and starts it again; the restart replays the write-ahead log.
// Every transaction that committed before the kill must be there. It
// skips the test on an external server.
func (c *Cluster) Crash(t testing.TB) {
	t.Helper()
	if c.External() {
		t.Skip("SKIPPED: will not crash the external server " + EnvURL + " names")
	}
	c.proc.signal(syscall.SIGKILL)
	<-c.proc.exited
	c.proc = nil
	// The backends die with the group; wait until none holds the old
	// shared memory, or the new server refuses to start.
	var err error
	for range 50 {
		if err = c.start(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("pgtest: restart after the crash: %v", err)
}

// Durable turns fsync on (the server's default, which tests turn off), so
// that a commit waits for the disk as in production: benchmarks of
// durable throughput call it first. It stays on for the rest of the test
// binary. On an external server it checks that fsync is on.
func Durable(tb testing.TB) {
	tb.Helper()
	c := Shared(tb)
	if c.External() {
		var on string
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, c.url)
		if err != nil {
			tb.Fatal(err)
		}
		defer conn.Close(ctx)
		if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&on); err != nil || on != "on" {
			tb.Fatalf("pgtest: the external server's fsync is %q (%v); a durable benchmark needs it on", on, err)
		}
		return
	}
	if err := c.Exec("ALTER SYSTEM SET fsync = on"); err != nil {
		tb.Fatal(err)
	}
	if err := c.Exec("SELECT pg_reload_conf()"); err != nil {
		tb.Fatal(err)
	}
	// The reload is asynchronous: wait until a new session sees it.
	for range 100 {
		var on string
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, c.url)
		if err != nil {
			tb.Fatal(err)
		}
		err = conn.QueryRow(ctx, "SHOW fsync").Scan(&on)
		conn.Close(ctx)
		if err == nil && on == "on" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatal("pgtest: fsync did not turn on")
}

// proc is the running server. Its goroutine stays locked to the OS thread
// that started it for as long as the server runs, because the kernel
// sends the parent-death signal when that thread, not the process, exits.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

func startLocked(cmd *exec.Cmd) (*proc, error) {
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	started := make(chan error)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: the thread ends with this goroutine, after the
		// server has exited.
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, <-started
}

// signal sends sig to the server's process group.
func (p *proc) signal(sig syscall.Signal) {
	_ = syscall.Kill(-p.cmd.Process.Pid, sig)
}

// stop asks for a fast shutdown (SIGINT) and, after 30 s, an immediate
// one (SIGQUIT).
func (p *proc) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
		return nil
	case <-time.After(30 * time.Second):
	}
	p.signal(syscall.SIGQUIT)
	select {
	case <-p.exited:
		return errors.New("postgres did not stop within 30 s of SIGINT; sent SIGQUIT")
	case <-time.After(30 * time.Second):
		p.signal(syscall.SIGKILL)
		<-p.exited
		return errors.New("postgres ignored SIGINT and SIGQUIT; killed it")
	}
}

// removeStale removes directories of earlier runs whose server is gone
// (their test binary was killed before it could clean up).
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid"))
		if err != nil {
			// No server yet (another binary may be running initdb) or
			// none ever: only an old one is stale.
			if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > time.Hour {
				_ = os.RemoveAll(d)
			}
			continue
		}
		line, _, _ := strings.Cut(string(b), "\n")
		pid, err := strconv.Atoi(strings.TrimSpace(line))
		if err == nil && pid > 0 && errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			_ = os.RemoveAll(d)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

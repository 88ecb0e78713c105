package storetest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// Crash and race tests run appenders in child processes: the test binary
// re-executed with -test.run naming a test that calls Appender. A child
// writes one line to its stdout for each append that returned, and only
// then is the append acknowledged; the parent reads the lines from the
// pipe, so it knows every acknowledgement the child made before it was
// killed. The lines:
//
//	ready
//	ack SESSION SEQ HASH[,HASH...]
//	fail MESSAGE                      (an append failed, not by ECONFLICT)
//	done CONFLICTS                    (the child reached its limit)

// Ack is one acknowledged event: where it is and its hash.
type Ack struct {
	Session string
	Seq     int64
	Hash    string
}

// AppenderConfig says what a child appends.
type AppenderConfig struct {
	// Tag goes into every payload, so that events of different children
	// and runs differ.
	Tag string
	// PerSession is the number of goroutines racing on each session
	// (default 2).
	PerSession int
	// Limit, if positive, is the number of appends each goroutine makes
	// before the child prints "done" and exits; 0 appends until killed.
	Limit int
	// KeepGoing makes a failed append (other than ECONFLICT) a "fail"
	// line and a pause instead of the end of the child: for children
	// that live through a crash of the database server.
	KeepGoing bool
}

// Appender is the body of a child: it opens the store, appends to every
// session in it from cfg.PerSession goroutines each, racing for each
// session's next seq (the loser of a race re-reads the head and retries,
// as a server does), and reports on stdout. It does not return: it exits
// the process.
func Appender(open Opener, cfg AppenderConfig) {
	if cfg.PerSession <= 0 {
		cfg.PerSession = 2
	}
	fatal := func(code int, err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(code)
	}
	s, err := open()
	if err != nil {
		fatal(3, err)
	}
	ctx := context.Background()
	recs, err := s.FindSessions(ctx, parley.SessionFilter{})
	if err != nil {
		fatal(3, err)
	}
	var mu sync.Mutex // one line at a time
	say := func(line string) {
		mu.Lock()
		defer mu.Unlock()
		if _, err := os.Stdout.WriteString(line + "\n"); err != nil {
			os.Exit(4)
		}
	}
	say("ready")
	var conflicts atomic.Int64
	var wg sync.WaitGroup
	for g := range cfg.PerSession * len(recs) {
		wg.Go(func() {
			rec := recs[g%len(recs)]
			for n := 0; cfg.Limit <= 0 || n < cfg.Limit; n++ {
				events := make([]parley.EventRecord, 1+n%3)
				for j := range events {
					p, _ := json.Marshal(map[string]any{"tag": cfg.Tag, "g": g, "n": n, "j": j})
					events[j] = parley.EventRecord{Type: "action", Audience: "everyone", Payload: p}
				}
				for {
					out, err := appendAtHead(ctx, s, rec.ID, events)
					if parley.ErrorCode(err) == parley.ECONFLICT {
						conflicts.Add(1)
						continue
					}
					if err != nil {
						if !cfg.KeepGoing {
							fatal(6, err)
						}
						// Stored or not is unknown after a failed
						// COMMIT: go on with other events, never the
						// same ones again.
						say("fail " + strings.ReplaceAll(err.Error(), "\n", " "))
						time.Sleep(20 * time.Millisecond)
						break
					}
					hashes := make([]string, len(out))
					for i, e := range out {
						hashes[i] = e.Hash.String()
					}
					say(fmt.Sprintf("ack %s %d %s", out[0].Session, out[0].Seq, strings.Join(hashes, ",")))
					break
				}
			}
		})
	}
	if cfg.Limit <= 0 {
		// The parent kills us long before this; if it died, do not linger.
		time.Sleep(60 * time.Second)
		os.Exit(7)
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		fatal(8, err)
	}
	say(fmt.Sprintf("done %d", conflicts.Load()))
	os.Exit(0)
}

func appendAtHead(ctx context.Context, s Store, session string, events []parley.EventRecord) ([]parley.EventRecord, error) {
	head, err := s.ChainHead(ctx, session)
	if err != nil {
		return nil, err
	}
	return s.AppendEvents(ctx, session, head.Events, events)
}

// Child is an appender process started by StartChild.
type Child struct {
	cmd   *exec.Cmd
	ready chan struct{}
	ended chan struct{} // its stdout is closed: every line is read

	mu        sync.Mutex
	acks      []Ack
	fails     []string
	conflicts int64
	done      bool
}

// StartChild starts the test binary as a child running only the test
// named test (which calls Appender), with env added to its environment.
// The child is killed when t ends, if it still runs.
func StartChild(t testing.TB, test string, env ...string) *Child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &Child{cmd: cmd, ready: make(chan struct{}), ended: make(chan struct{})}
	go c.read(out)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.ended
		_ = cmd.Wait()
	})
	return c
}

func (c *Child) read(out interface{ Read([]byte) (int, error) }) {
	defer close(c.ended)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		c.mu.Lock()
		switch {
		case line == "ready":
			close(c.ready)
		case strings.HasPrefix(line, "ack "):
			f := strings.Fields(line)
			seq, _ := strconv.ParseInt(f[2], 10, 64)
			for i, h := range strings.Split(f[3], ",") {
				c.acks = append(c.acks, Ack{f[1], seq + int64(i), h})
			}
		case strings.HasPrefix(line, "fail "):
			c.fails = append(c.fails, line[len("fail "):])
		case strings.HasPrefix(line, "done "):
			c.conflicts, _ = strconv.ParseInt(line[len("done "):], 10, 64)
			c.done = true
		}
		c.mu.Unlock()
	}
}

// Ready is closed when the child has opened the store and starts
// appending.
func (c *Child) Ready() <-chan struct{} { return c.ready }

// Kill kills the child with SIGKILL and returns once every line it wrote
// before is read.
func (c *Child) Kill() {
	_ = c.cmd.Process.Kill()
	<-c.ended
	_ = c.cmd.Wait()
}

// Wait waits for the child to exit and returns an error unless it
// reached its limit ("done") and exited 0.
func (c *Child) Wait() error {
	<-c.ended
	err := c.cmd.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil && !c.done {
		err = fmt.Errorf("child exited without reaching its limit")
	}
	return err
}

// Acks returns the events the child acknowledged so far.
func (c *Child) Acks() []Ack {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Ack(nil), c.acks...)
}

// Fails returns the messages of the appends that failed.
func (c *Child) Fails() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.fails...)
}

// Conflicts returns how many ECONFLICTs the child retried (known once it
// is done).
func (c *Child) Conflicts() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conflicts
}

// CheckAcked verifies the chain of every session in s and checks that
// every acknowledged event is stored where and as it was acknowledged,
// and that no payload is stored twice. It returns the number of events
// stored.
func CheckAcked(t testing.TB, s Store, acked map[Ack]bool) int {
	t.Helper()
	recs, err := s.FindSessions(context.Background(), parley.SessionFilter{Limit: parley.MaxFindSessions})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[Ack]bool{}
	payloads := map[string]bool{}
	for _, rec := range recs {
		for _, e := range Verify(t, s, rec.ID) {
			stored[Ack{rec.ID, e.Seq, e.Hash.String()}] = true
			if payloads[string(e.Payload)] {
				t.Errorf("event %s stored twice", e.Payload)
			}
			payloads[string(e.Payload)] = true
		}
	}
	for a := range acked {
		if !stored[a] {
			t.Errorf("acknowledged event lost: session %s seq %d hash %s", a.Session, a.Seq, a.Hash)
		}
	}
	return len(stored)
}

package sqlite_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/storetest"
)

// TestCrash kills a process that appends concurrently at random moments,
// again and again, and checks after each kill that every event the process
// acknowledged is stored, exactly once, and that every chain verifies.
//
// The child (this test binary re-executed as TestCrashChild) writes one
// line to its stdout for each append that returned: only then is the
// append acknowledged. The parent reads the lines from the pipe, so it
// knows every acknowledgement the child made before SIGKILL.
func TestCrash(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := open(path)
	if err != nil {
		t.Fatal(err)
	}
	const sessions = 4
	for range sessions {
		storetest.NewSession(t, s, 1)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	acked := map[ack]bool{}
	for run := range 6 {
		delay := time.Duration(20+r.IntN(250)) * time.Millisecond
		got := crashChild(t, path, run, delay)
		for _, a := range got {
			acked[a] = true
		}
		checkAfterCrash(t, path, acked)
		t.Logf("run %d: killed after %v; %d events acknowledged, %d in all", run, delay, len(got), len(acked))
	}
}

// ack is one acknowledged event: where it is and its hash.
type ack struct {
	session string
	seq     int64
	hash    string
}

// crashChild runs the child until delay after it is ready, kills it with
// SIGKILL and returns what it acknowledged.
func crashChild(t *testing.T, path string, run int, delay time.Duration) []ack {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PARLEY_CRASH_DB="+path, "PARLEY_CRASH_RUN="+strconv.Itoa(run))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var acks []ack
	var kill <-chan time.Time
	killed := false
	for lines != nil {
		select {
		case line, ok := <-lines:
			switch {
			case !ok:
				lines = nil
			case line == "ready":
				kill = time.After(delay)
			case strings.HasPrefix(line, "ack "):
				f := strings.Fields(line)
				seq, _ := strconv.ParseInt(f[2], 10, 64)
				for i, h := range strings.Split(f[3], ",") {
					acks = append(acks, ack{f[1], seq + int64(i), h})
				}
			}
		case <-kill:
			// Kill, then go on reading what is still in the pipe:
			// acknowledgements written before the kill.
			_ = cmd.Process.Kill()
			kill, killed = nil, true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child ended before it was killed: %v", err)
	}
	return acks
}

func checkAfterCrash(t *testing.T, path string, acked map[ack]bool) {
	t.Helper()
	s, err := open(path)
	if err != nil {
		t.Fatalf("reopen after the kill: %v", err)
	}
	defer s.Close()
	recs, err := s.FindSessions(context.Background(), parley.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[ack]bool{}
	payloads := map[string]bool{}
	for _, rec := range recs {
		for _, e := range storetest.Verify(t, s, rec.ID) {
			stored[ack{rec.ID, e.Seq, e.Hash.String()}] = true
			if payloads[string(e.Payload)] {
				t.Errorf("event %s stored twice", e.Payload)
			}
			payloads[string(e.Payload)] = true
		}
	}
	for a := range acked {
		if !stored[a] {
			t.Errorf("acknowledged event lost: session %s seq %d hash %s", a.session, a.seq, a.hash)
		}
	}
}

// TestCrashChild is the process TestCrash kills; it does nothing unless
// started by TestCrash.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("PARLEY_CRASH_DB")
	if path == "" {
		t.Skip("run by TestCrash")
	}
	run := os.Getenv("PARLEY_CRASH_RUN")
	s, err := open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	ctx := context.Background()
	recs, err := s.FindSessions(ctx, parley.SessionFilter{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	var mu sync.Mutex // one acknowledgement line per write
	ackLine := func(out []parley.EventRecord) {
		hashes := make([]string, len(out))
		for i, e := range out {
			hashes[i] = e.Hash.String()
		}
		line := fmt.Sprintf("ack %s %d %s\n", out[0].Session, out[0].Seq, strings.Join(hashes, ","))
		mu.Lock()
		defer mu.Unlock()
		if _, err := os.Stdout.WriteString(line); err != nil {
			os.Exit(4)
		}
	}
	fmt.Println("ready")
	// Two appenders per session race for its next seq; the loser retries
	// from the new head, as the server does.
	for g := range 2 * len(recs) {
		go func() {
			rec := recs[g%len(recs)]
			for n := 0; ; n++ {
				events := make([]parley.EventRecord, 1+n%3)
				for j := range events {
					p, _ := json.Marshal(map[string]any{"run": run, "g": g, "n": n, "j": j})
					events[j] = parley.EventRecord{Type: "action", Audience: "everyone", Payload: p}
				}
				for {
					head, err := s.ChainHead(ctx, rec.ID)
					if err != nil {
						os.Exit(5)
					}
					out, err := s.AppendEvents(ctx, rec.ID, head.Events, events)
					if parley.ErrorCode(err) == parley.ECONFLICT {
						continue
					}
					if err != nil {
						fmt.Fprintln(os.Stderr, "child:", err)
						os.Exit(6)
					}
					ackLine(out)
					break
				}
			}
		}()
	}
	// The parent kills us long before this; if it died, do not linger.
	time.Sleep(30 * time.Second)
	os.Exit(7)
}

package sqlite_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/storetest"
)

// TestCrash kills a process that appends concurrently at random moments,
// again and again, and checks after each kill that every event the process
// acknowledged is stored, exactly once, and that every chain verifies.
// The child (this test binary re-executed as TestCrashChild) acknowledges
// an append by a line on its stdout after the append returned
// (storetest.Appender).
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
	acked := map[storetest.Ack]bool{}
	for run := range 6 {
		delay := time.Duration(20+r.IntN(250)) * time.Millisecond
		c := storetest.StartChild(t, "TestCrashChild", "PARLEY_CRASH_DB="+path, "PARLEY_CRASH_RUN="+strconv.Itoa(run))
		<-c.Ready()
		time.Sleep(delay)
		c.Kill()
		for _, a := range c.Acks() {
			acked[a] = true
		}
		if f := c.Fails(); len(f) > 0 {
			t.Fatalf("run %d: appends failed: %v", run, f)
		}
		s, err := open(path)
		if err != nil {
			t.Fatalf("reopen after the kill: %v", err)
		}
		storetest.CheckAcked(t, s, acked)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: killed after %v; %d events acknowledged, %d in all", run, delay, len(c.Acks()), len(acked))
	}
}

// TestCrashChild is the process TestCrash kills; it does nothing unless
// started by TestCrash.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("PARLEY_CRASH_DB")
	if path == "" {
		t.Skip("run by TestCrash")
	}
	storetest.Appender(func() (storetest.Store, error) { return open(path) }, storetest.AppenderConfig{Tag: "run " + os.Getenv("PARLEY_CRASH_RUN")})
}

package sqlite_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/sqlite"
	"github.com/parleyhq/parley/storetest"
)

// TestCrash kills a process that appends concurrently at random moments,
// again and again, and checks after each kill that every event the process
// acknowledged is stored, exactly once, and that every chain verifies.
// The child (this test binary re-executed as TestCrashChild) acknowledges
// an append by a line on its stdout after the append returned
// (storetest.Appender). Every other child checkpoints the log and starts
// it over every few pages, so that some kills land in checkpoints.
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
	storetest.Crash(t, 6, func() (storetest.Store, error) { return open(path) }, func(run int) *storetest.Child {
		return storetest.StartChild(t, "TestCrashChild", "PARLEY_CRASH_DB="+path, "PARLEY_CRASH_RUN="+strconv.Itoa(run))
	})
}

// TestCrashChild is the process TestCrash kills; it does nothing unless
// started by TestCrash.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("PARLEY_CRASH_DB")
	if path == "" {
		t.Skip("run by TestCrash")
	}
	run, _ := strconv.Atoi(os.Getenv("PARLEY_CRASH_RUN"))
	storetest.Appender(func() (storetest.Store, error) {
		return open(path, func(db *sqlite.DB) {
			if run%2 == 1 {
				// Checkpoints and restarts of the log all the time, so
				// that kills land in them too.
				db.CheckpointFrames, db.CheckpointInterval = 4, time.Millisecond
			}
		})
	}, storetest.AppenderConfig{Tag: "run " + os.Getenv("PARLEY_CRASH_RUN")})
}

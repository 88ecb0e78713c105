package postgres_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/storetest"
)

// newSessions creates n sessions in a new database and returns its URL.
func newSessions(t *testing.T, n int) string {
	t.Helper()
	s, url := MustOpenDB(t)
	for range n {
		storetest.NewSession(t, s, 1)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return url
}

// check opens the database at url and checks that every acknowledged
// event is there exactly once and every chain verifies.
func check(t *testing.T, url string, acked map[storetest.Ack]bool) int {
	t.Helper()
	s, err := open(url)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	return storetest.CheckAcked(t, s, acked)
}

// TestCrash kills a process that appends concurrently (two goroutines per
// session racing for its next seq) at random moments, again and again,
// and checks after each kill that every event it acknowledged is stored,
// exactly once, and that every chain verifies: the shape of the SQLite
// store's crash test, against PostgreSQL.
func TestCrash(t *testing.T) {
	t.Parallel()
	url := newSessions(t, 4)
	storetest.Crash(t, 4, func() (storetest.Store, error) { return open(url) }, func(run int) *storetest.Child {
		return storetest.StartChild(t, "TestChild", "PARLEY_CHILD_DB="+url, "PARLEY_CHILD_TAG=run "+strconv.Itoa(run))
	})
}

// TestRace has two processes append to the same sessions at once, four
// goroutines each per session, every one re-reading the head and retrying
// when it loses a race (ECONFLICT). Every acknowledged event must be in
// its session's one chain exactly once, at the seq it was acknowledged at.
func TestRace(t *testing.T) {
	t.Parallel()
	url := newSessions(t, 2)
	const limit = 20
	var children []*storetest.Child
	for i := range 2 {
		children = append(children, storetest.StartChild(t, "TestChild", "PARLEY_CHILD_DB="+url,
			"PARLEY_CHILD_TAG=child "+strconv.Itoa(i), "PARLEY_CHILD_PER_SESSION=4", "PARLEY_CHILD_LIMIT="+strconv.Itoa(limit)))
	}
	acked := map[storetest.Ack]bool{}
	var conflicts int64
	want := 0
	for _, c := range children {
		if err := c.Wait(); err != nil {
			t.Fatalf("child: %v (failed appends: %v)", err, c.Fails())
		}
		for _, a := range c.Acks() {
			acked[a] = true
		}
		conflicts += c.Conflicts()
		// 2 sessions × 4 goroutines × limit appends of 1, 2, 3, 1, ... events
		for n := range limit {
			want += 2 * 4 * (1 + n%3)
		}
	}
	if len(acked) != want {
		t.Errorf("%d events acknowledged, want %d", len(acked), want)
	}
	if n := check(t, url, acked); n != want {
		t.Errorf("%d events stored, want %d", n, want)
	}
	// Without lost races the test would show nothing about them.
	if conflicts == 0 {
		t.Error("no append lost a race: the processes did not contend")
	}
	t.Logf("%d events from two processes, %d lost races retried", want, conflicts)
}

// TestServerCrash kills the PostgreSQL server (SIGKILL to the postmaster
// and every backend) while a process appends, and starts it again. Every
// append acknowledged before the kill must be there exactly once after
// the restart (WAL recovery), the appender must go on by itself once the
// server is back (the pool reconnects), and the chains must verify.
// Appends that failed during the outage are not acknowledged; one whose
// COMMIT was cut off may or may not be stored, and the appender never
// sends the same events again. Not parallel: it restarts the cluster the
// other tests share.
func TestServerCrash(t *testing.T) {
	cluster := pgtest.Shared(t)
	url := newSessions(t, 3)
	c := storetest.StartChild(t, "TestChild", "PARLEY_CHILD_DB="+url, "PARLEY_CHILD_TAG=server crash", "PARLEY_CHILD_KEEP_GOING=1")
	<-c.Ready()
	time.Sleep(300 * time.Millisecond)
	before := len(c.Acks())
	cluster.Crash(t)
	crashed := len(c.Acks())
	deadline := time.Now().Add(30 * time.Second)
	for len(c.Acks()) < crashed+50 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	c.Kill()
	acks := c.Acks()
	if len(acks) < crashed+50 {
		t.Fatalf("the appender did not go on after the restart: %d acknowledged before the crash, %d after 30 s (failures: %d)", crashed, len(acks), len(c.Fails()))
	}
	acked := map[storetest.Ack]bool{}
	for _, a := range acks {
		acked[a] = true
	}
	n := check(t, url, acked)
	t.Logf("%d acknowledged before the crash began, %d when it ended, %d in all; %d appends failed during the outage; %d events stored",
		before, crashed, len(acks), len(c.Fails()), n)
}

// TestChild is the appender process the tests above start; it does
// nothing unless started by one of them.
func TestChild(t *testing.T) {
	url := os.Getenv("PARLEY_CHILD_DB")
	if url == "" {
		t.Skip("run by TestCrash, TestRace and TestServerCrash")
	}
	per, _ := strconv.Atoi(os.Getenv("PARLEY_CHILD_PER_SESSION"))
	limit, _ := strconv.Atoi(os.Getenv("PARLEY_CHILD_LIMIT"))
	storetest.Appender(func() (storetest.Store, error) { return open(url) }, storetest.AppenderConfig{
		Tag:        os.Getenv("PARLEY_CHILD_TAG"),
		PerSession: per,
		Limit:      limit,
		KeepGoing:  os.Getenv("PARLEY_CHILD_KEEP_GOING") != "",
	})
}

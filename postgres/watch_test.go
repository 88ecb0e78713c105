package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/storetest"
)

// watch starts WatchHeads on db and returns the heads it reports.
func watch(t *testing.T, db *postgres.DB) <-chan parley.ChainHead {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan parley.ChainHead, 1024)
	done := make(chan error)
	go func() { done <- db.WatchHeads(ctx, func(h parley.ChainHead) { ch <- h }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("WatchHeads returned %v, want context.Canceled", err)
		}
	})
	return ch
}

// next returns the next head reported for session (skipping others and
// the zero head), or fails after a second: the bound for an action
// to reach another instance's streams.
func next(t *testing.T, ch <-chan parley.ChainHead, session string) parley.ChainHead {
	t.Helper()
	timeout := time.After(time.Second)
	for {
		select {
		case h := <-ch:
			if h.Session == session {
				return h
			}
		case <-timeout:
			t.Fatalf("no head of session %s within a second", session)
		}
	}
}

// An append through one DB is reported, with its head, to a watcher on
// another DB of the same database (another server), and to its own.
func TestWatchHeads(t *testing.T) {
	t.Parallel()
	a, b, url := MustOpenTwo(t)
	other, _ := MustOpenDB(t) // another schema
	quiet, err := open(url, func(db *postgres.DB) { db.NoNotify = true })
	if err != nil {
		t.Fatal(err)
	}
	defer quiet.Close()
	hb, ha, hother := watch(t, b.DB), watch(t, a.DB), watch(t, other.DB)
	for _, ch := range []<-chan parley.ChainHead{hb, ha, hother} {
		if h := <-ch; h != (parley.ChainHead{}) {
			t.Fatalf("first report %v, want the zero head (poll once: nobody listened before)", h)
		}
	}
	rec, _ := storetest.NewSession(t, a, 1)
	for i := range 5 {
		start := time.Now()
		out, err := a.AppendEvents(context.Background(), rec.ID, int64(2*i), storetest.Events(fmt.Sprint(i), 2))
		if err != nil {
			t.Fatal(err)
		}
		want := parley.ChainHead{Session: rec.ID, Events: int64(2*i + 2), Hash: out[1].Hash}
		if h := next(t, hb, rec.ID); h != want {
			t.Fatalf("the other DB heard %v, want %v", h, want)
		}
		if h := next(t, ha, rec.ID); h != want {
			t.Fatalf("the appending DB heard %v, want %v", h, want)
		}
		if i == 0 {
			t.Logf("heard %v after the append began", time.Since(start))
		}
	}
	// Appends without NOTIFY are not heard; a refused append is not.
	if _, err := quiet.AppendEvents(context.Background(), rec.ID, 10, storetest.Events("q", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AppendEvents(context.Background(), rec.ID, 3, storetest.Events("stale", 1)); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Fatalf("stale append: %v", err)
	}
	if _, err := a.AppendEvents(context.Background(), rec.ID, 11, storetest.Events("last", 1)); err != nil {
		t.Fatal(err)
	}
	if h := next(t, hb, rec.ID); h.Events != 12 {
		t.Errorf("heard %v after the quiet and the stale append, want the head at 12 events", h)
	}
	select {
	case h := <-hother:
		t.Errorf("a watcher of another schema heard %v", h)
	default:
	}
}

// When the listening connection is cut, the watcher asks for polls (the
// zero head) until it listens again, and then hears appends as before.
func TestWatchHeadsReconnects(t *testing.T) {
	t.Parallel()
	a, url := MustOpenDB(t)
	b, err := open(url, func(db *postgres.DB) { db.PollInterval = 100 * time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	hb := watch(t, b.DB)
	<-hb
	rec, _ := storetest.NewSession(t, a, 1)
	// Cut the listener off, as a restart of the server or a network
	// failure would.
	var n int
	if err := pgExec(t, url, &n, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' || current_schema() || '%'`); err != nil || n != 1 {
		t.Fatalf("terminated %d listeners: %v", n, err)
	}
	polls := 0
	deadline := time.After(10 * time.Second)
	for polls < 2 {
		select {
		case h := <-hb:
			if h == (parley.ChainHead{}) {
				polls++
			}
		case <-deadline:
			t.Fatalf("%d polls asked for in 10 s after the connection was cut", polls)
		}
	}
	// Listening again (a poll is asked for on every reconnect): appends
	// are heard.
	for i := range 50 {
		if _, err := a.AppendEvents(context.Background(), rec.ID, int64(i), storetest.Events("r", 1)); err != nil {
			t.Fatal(err)
		}
		select {
		case h := <-hb:
			if h.Session == rec.ID {
				return
			}
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatal("appends not heard after the listener was cut off and came back")
}

// A burst of appends to many sessions — batches of hundreds, whose heads
// take several NOTIFY payloads — is heard session by session, every head
// at the count its last append left.
func TestWatchHeadsOfABurst(t *testing.T) {
	t.Parallel()
	a, b, _ := MustOpenTwo(t)
	ch := watch(t, b.DB)
	<-ch // the first poll
	const n = 400
	ids := make([]string, n)
	for i := range ids {
		rec, _ := storetest.NewSession(t, a, 1)
		ids[i] = rec.ID
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			for next := range int64(2) {
				if _, err := a.AppendEvents(context.Background(), id, next, storetest.Events("burst", 1)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	heard := map[string]int64{}
	timeout := time.After(10 * time.Second) // a bound against a hang
	for len(heard) < n || !all(heard, 2) {
		select {
		case h := <-ch:
			if h.Session != "" {
				heard[h.Session] = max(heard[h.Session], h.Events)
			}
		case <-timeout:
			t.Fatalf("after 10 s, heard %d of %d sessions, %d of them at 2 events", len(heard), n, count(heard, 2))
		}
	}
	if st := a.Stats(); st.Batches >= 2*n {
		t.Logf("%d appends in %d batches: no batch moved several heads", st.Appends, st.Batches)
	}
}

func all(m map[string]int64, v int64) bool { return count(m, v) == len(m) }

func count(m map[string]int64, v int64) int {
	k := 0
	for _, x := range m {
		if x == v {
			k++
		}
	}
	return k
}

// A server alone on its database does not NOTIFY its own listener of its
// own appends (its server made them); once another server listens, both
// hear every append, and when that one stops, the first is alone again.
func TestNotifyOnlyWhenAnotherListens(t *testing.T) {
	t.Parallel()
	a, b, url := MustOpenTwo(t)
	ha := watch(t, a.DB)
	if h := <-ha; h != (parley.ChainHead{}) {
		t.Fatalf("first report %v, want the zero head", h)
	}
	rec, _ := storetest.NewSession(t, a, 1)
	seq := int64(0)
	appendOne := func() parley.ChainHead {
		t.Helper()
		out, err := a.AppendEvents(context.Background(), rec.ID, seq, storetest.Events("n", 1))
		if err != nil {
			t.Fatal(err)
		}
		seq++
		return parley.ChainHead{Session: rec.ID, Events: seq, Hash: out[0].Hash}
	}
	quiet := func(what string) {
		t.Helper()
		appendOne()
		select {
		case h := <-ha:
			t.Fatalf("%s: the appending server's own listener heard %v", what, h)
		case <-time.After(300 * time.Millisecond):
		}
	}
	quiet("alone")
	ctx, cancel := context.WithCancel(context.Background())
	hb := make(chan parley.ChainHead, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = b.WatchHeads(ctx, func(h parley.ChainHead) { hb <- h })
	}()
	if h := <-hb; h != (parley.ChainHead{}) {
		t.Fatalf("the second listener's first report %v, want the zero head", h)
	}
	for range 3 {
		want := appendOne()
		if h := next(t, hb, rec.ID); h != want {
			t.Fatalf("the other server heard %v, want %v", h, want)
		}
		if h := next(t, ha, rec.ID); h != want {
			t.Fatalf("with another server listening, the appending one heard %v, want %v", h, want)
		}
	}
	cancel()
	<-done
	// Its connection is closed; its backend ends (and its lock goes)
	// a moment later.
	for n, tries := 2, 0; n != 1; tries++ {
		if err := pgExec(t, url, &n, `SELECT COUNT(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' || current_schema() || '%'`); err != nil || tries == 100 {
			t.Fatalf("%d listeners 5 s after the other server stopped: %v", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	quiet("after the other server stopped listening")
}

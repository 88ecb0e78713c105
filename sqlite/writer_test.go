package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/sqlite"
	"github.com/parleyhq/parley/storetest"
)

// blockWriter takes the database's write lock from a connection of its own
// and returns the function that releases it. While it is held, the
// writer's transaction waits (busy_timeout) and appends queue up.
func blockWriter(t *testing.T, path string) (release func()) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := raw.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
			t.Error(err)
		}
		conn.Close()
		raw.Close()
	}
}

// Appends that queue while a commit is in progress share the next one.
func TestGroupCommitBatches(t *testing.T) {
	t.Parallel()
	s := MustOpenDB(t)
	const n = 64
	sessions := make([]*parley.SessionRecord, n)
	for i := range sessions {
		sessions[i], _ = storetest.NewSession(t, s, 1)
	}
	before := s.Stats()
	release := blockWriter(t, s.Path)
	done := make(chan []error)
	go func() { done <- storetest.AppendAll(s, sessions, func(int) string { return "action" }) }()
	time.Sleep(200 * time.Millisecond) // let the appends queue behind the lock
	release()
	for i, err := range <-done {
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	st := s.Stats()
	if appends, batches := st.Appends-before.Appends, st.Batches-before.Batches; appends != n || batches > 3 {
		t.Errorf("%d appends in %d transactions; queued appends should share a commit", appends, batches)
	}
	for _, rec := range sessions {
		storetest.Verify(t, s, rec.ID)
	}
}

// When a batch's transaction fails, its appends are retried one by one:
// only the append at fault fails.
func TestBatchFailureFailsOnlyItsCause(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A trigger stands in for a failure the in-memory checks cannot
	// foresee (a disk error, a constraint added later).
	raw, err := sql.Open("sqlite", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.type = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	const n = 40
	sessions := make([]*parley.SessionRecord, n)
	for i := range sessions {
		sessions[i], _ = storetest.NewSession(t, s, 1)
	}
	release := blockWriter(t, path)
	done := make(chan []error)
	go func() {
		done <- storetest.AppendAll(s, sessions, func(i int) string {
			if i == n/2 {
				return "poison"
			}
			return "action"
		})
	}()
	time.Sleep(200 * time.Millisecond)
	release()
	for i, err := range <-done {
		switch {
		case i == n/2 && err == nil:
			t.Errorf("the poisoned append succeeded")
		case i == n/2 && parley.ErrorCode(err) != parley.EINTERNAL:
			t.Errorf("the poisoned append: %v, want an internal error", err)
		case i != n/2 && err != nil:
			t.Errorf("append %d failed with the poisoned one: %v", i, err)
		}
	}
	if h, err := s.ChainHead(context.Background(), sessions[n/2].ID); err != nil || h.Events != 0 {
		t.Errorf("the poisoned session: %v, %v", h, err)
	}
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := open(path)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := storetest.NewSession(t, s, 1)
	if _, err := s.AppendEvents(context.Background(), rec.ID, 0, storetest.Events("x", 3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := open(path, func(db *sqlite.DB) { db.ReadOnly = true })
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if all := storetest.Verify(t, ro, rec.ID); len(all) != 3 {
		t.Errorf("read-only: %d events", len(all))
	}
	if _, err := ro.AppendEvents(context.Background(), rec.ID, 3, storetest.Events("x", 1)); err != sqlite.ErrReadOnly {
		t.Errorf("append to a read-only DB: %v", err)
	}
	if _, err := open(filepath.Join(t.TempDir(), "absent.db"), func(db *sqlite.DB) { db.ReadOnly = true }); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("read-only open of a missing file: %v", err)
	}
}

// A batch of appends of many sizes, one of them long, stores every event
// once, in order, with the chains holding.
func TestBatchInsertsEveryEvent(t *testing.T) {
	t.Parallel()
	s := MustOpenDB(t)
	const n = 48
	sessions := make([]*parley.SessionRecord, n)
	for i := range sessions {
		sessions[i], _ = storetest.NewSession(t, s, 1)
	}
	// Session i gets i%7+1 events in one append, the last one 300, all
	// in one batch behind the lock.
	count := func(i int) int {
		if i == n-1 {
			return 300
		}
		return i%7 + 1
	}
	before := s.Stats()
	release := blockWriter(t, s.Path)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, rec := range sessions {
		wg.Go(func() {
			_, errs[i] = s.AppendEvents(context.Background(), rec.ID, 0, storetest.Events(rec.ID, count(i)))
		})
	}
	time.Sleep(200 * time.Millisecond)
	release()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	if b := s.Stats().Batches - before.Batches; b > 3 {
		t.Errorf("%d batches; the appends should have shared a few", b)
	}
	for i, rec := range sessions {
		got := storetest.Verify(t, s, rec.ID)
		if len(got) != count(i) {
			t.Fatalf("session %d: %d events stored, want %d", i, len(got), count(i))
		}
		for k, r := range got {
			if want := fmt.Sprintf(`{"tag":%q,"i":%d}`, rec.ID, k); string(r.Payload) != want {
				t.Fatalf("session %d event %d: %s, want %s", i, k, r.Payload, want)
			}
		}
	}
}

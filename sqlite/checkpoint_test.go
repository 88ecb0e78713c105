package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/sqlite"
	"github.com/parleyhq/parley/storetest"
)

// walSize is the size of the database's write-ahead log file (0 when
// there is none).
func walSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// appendMany has writers goroutines append n events of about 2 KB each,
// one per append, to sessions of their own while a reader reads one event
// after another, and
// returns the largest log file seen after an append and the sessions.
func appendMany(t *testing.T, s *store, writers, n int) (int64, []string) {
	t.Helper()
	ids := make([]string, writers)
	for i := range ids {
		rec, _ := storetest.NewSession(t, s, 1)
		ids[i] = rec.ID
	}
	payload := fmt.Sprintf(`{"note":%q}`, strings.Repeat("x", 2000))
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.FindEvents(context.Background(), ids[i%len(ids)], int64(i%8), 1); err != nil {
				t.Error(err)
				return
			}
		}
	})
	most := appendWatchingLog(t, s, ids, n/writers, []byte(payload))
	close(stop)
	readers.Wait()
	return most, ids
}

// appendWatchingLog has a goroutine per session of ids append perSession
// events carrying payload, one per append, and returns the largest log
// file seen after an append.
func appendWatchingLog(t *testing.T, s *store, ids []string, perSession int, payload []byte) int64 {
	t.Helper()
	var mu sync.Mutex
	var most int64
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			for next := range int64(perSession) {
				ev := []parley.EventRecord{{Type: "note", Audience: "everyone", Payload: payload}}
				if _, err := s.AppendEvents(context.Background(), id, next, ev); err != nil {
					t.Error(err)
					return
				}
				size := walSize(t, s.Path)
				mu.Lock()
				most = max(most, size)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return most
}

// With automatic checkpoints off on the writer's connection, the
// background checkpointer and the writer's catch-ups keep the log
// starting over: it stays a fraction of what was written, and nothing
// written is lost, also across a close and a reopen.
func TestCheckpointKeepsWALBounded(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "parley.db")
	const frames = 16
	s, err := open(path, func(db *sqlite.DB) {
		// The test writes faster than a server: check as often.
		db.CheckpointFrames, db.CheckpointInterval = frames, time.Millisecond
	})
	if err != nil {
		t.Fatal(err)
	}
	const writers, n = 24, 1200
	most, ids := appendMany(t, s, writers, n)
	written := int64(n) * (4096 + 24) // each commit logs a page at least
	st := s.WALStats()
	t.Logf("log file at most %d bytes after %d bytes of log; %+v", most, written, st)
	if st.Background == 0 || st.CatchUps == 0 {
		t.Errorf("checkpoints %+v: want background checkpoints and the writer's catch-ups", st)
	}
	// Without checkpoints the log holds every page written (9 MB, as
	// measured). With them it starts over every few dozen pages, or is cut
	// back past 8 × 16 pages (half a megabyte): it peaked at 0.8–0.9 MB
	// on a busy machine.
	if most > written/2 {
		t.Errorf("the log grew to %d bytes of %d written: it does not start over", most, written)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range ids {
		if got := storetest.Verify(t, s, id); len(got) != n/writers {
			t.Errorf("session %s: %d events after reopening, want %d", id, len(got), n/writers)
		}
	}
}

// A reader that holds a snapshot keeps the log from starting over, so it
// grows past its bound; once the reader lets go, the checkpoints bring the
// log file back under it (a TRUNCATE checkpoint, or a restart and the size
// limit), while commits go on.
func TestCheckpointRecoversFromPinnedLog(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "parley.db")
	const frames = 8
	s, err := open(path, func(db *sqlite.DB) { db.CheckpointFrames = frames })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, _ := storetest.NewSession(t, s, 1)
	// Pin a snapshot: a read transaction that has read something.
	tx := pinSnapshot(t, path, "events")
	payload := []byte(fmt.Sprintf(`{"note":%q}`, strings.Repeat("y", 5000)))
	next := int64(0)
	appendOne := func() {
		t.Helper()
		ev := []parley.EventRecord{{Type: "note", Audience: "everyone", Payload: payload}}
		if _, err := s.AppendEvents(context.Background(), rec.ID, next, ev); err != nil {
			t.Fatal(err)
		}
		next++
	}
	// Each append logs at least two pages (5 KB).
	const bound = 8 * frames * (4096 + 24)
	for walSize(t, path) <= bound {
		appendOne()
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	// The checkpoints run after commits: append until the log file is
	// back under the bound, which must come within a bounded number of
	// appends now that no reader holds it.
	for i := 0; walSize(t, path) > 2*frames*(4096+24); i++ {
		if i == 2000 {
			t.Fatalf("the log file is still %d bytes after %d appends with no reader: %+v", walSize(t, path), i, s.WALStats())
		}
		appendOne()
	}
	t.Logf("%d appends; %+v", next, s.WALStats())
	if got := storetest.Verify(t, s, rec.ID); int64(len(got)) != next {
		t.Errorf("%d events stored, want %d", len(got), next)
	}
}

// Readers that overlap, each holding its snapshot a while, keep the log
// from ever starting over by itself (there is always a reader of an old
// snapshot when the writer starts its next transaction). Past the bound
// the writer's TRUNCATE checkpoint waits for the old readers (new ones
// read the database file) and empties the log, so it stays bounded.
func TestCheckpointTruncatesUnderOverlappingReaders(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "parley.db")
	const frames = 8
	s, err := open(path, func(db *sqlite.DB) { db.CheckpointFrames, db.CheckpointInterval = frames, time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, _ := storetest.NewSession(t, s, 1)
	raw, err := sql.Open("sqlite", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for k := range 2 {
		readers.Go(func() {
			time.Sleep(time.Duration(k) * 2 * time.Millisecond) // staggered
			for {
				select {
				case <-stop:
					return
				default:
				}
				tx, err := raw.Begin()
				if err != nil {
					t.Error(err)
					return
				}
				var n int
				if err := tx.QueryRow(`SELECT count(*) FROM heads`).Scan(&n); err != nil {
					t.Error(err)
				}
				time.Sleep(4 * time.Millisecond)
				_ = tx.Rollback()
			}
		})
	}
	payload := []byte(fmt.Sprintf(`{"note":%q}`, strings.Repeat("z", 3000)))
	const n, writers = 1000, 4
	ids := []string{rec.ID}
	for range writers - 1 {
		r, _ := storetest.NewSession(t, s, 1)
		ids = append(ids, r.ID)
	}
	most := appendWatchingLog(t, s, ids, n/writers, payload)
	close(stop)
	readers.Wait()
	st := s.WALStats()
	t.Logf("log file at most %d bytes; %+v", most, st)
	// The appends log two pages each at least: without the TRUNCATE the
	// log holds them all (10 to 15 MB, as measured), since the readers
	// never all let go at once and the log cannot start over. With it the
	// log is emptied again and again, but how large it grows in between
	// depends on the scheduler: 0.4 to 9.1 MB over 16 runs on a quiet
	// machine (a few TRUNCATEs that time out, and the writer backs off),
	// so the peak is logged, not held to a bound; what must hold is that
	// TRUNCATE checkpoints finish under overlapping readers at all.
	if st.Truncates == 0 {
		t.Errorf("no TRUNCATE checkpoint finished under overlapping readers (log file at most %d bytes)", most)
	}
	for _, id := range ids {
		if got := storetest.Verify(t, s, id); len(got) != n/writers {
			t.Errorf("%d events stored, want %d", len(got), n/writers)
		}
	}
}

// A long read (an export, an audit) keeps every TRUNCATE checkpoint from
// finishing, and each one holds up commits while it waits for it: the
// writer backs off (100 ms, then twice as long each time), so that in a
// second and a half it tries a handful of times, not once per batch.
func TestCheckpointBacksOffFromLongReader(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := open(path, func(db *sqlite.DB) { db.CheckpointFrames, db.CheckpointInterval = 8, time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, _ := storetest.NewSession(t, s, 1)
	tx := pinSnapshot(t, path, "heads")
	payload := []byte(fmt.Sprintf(`{"note":%q}`, strings.Repeat("w", 3000)))
	var next int64
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); next++ {
		ev := []parley.EventRecord{{Type: "note", Audience: "everyone", Payload: payload}}
		if _, err := s.AppendEvents(context.Background(), rec.ID, next, ev); err != nil {
			t.Fatal(err)
		}
	}
	_ = tx.Rollback()
	st := s.WALStats()
	t.Logf("%d appends; %+v", next, st)
	// 100+200+400+800 ms: 5 tries at most, and the rest of the busy
	// checkpoints are the background's and the writer's colliding (3 or
	// 4 in all, as measured; 11 and 18 without the back-off).
	if st.Busy > 8 {
		t.Errorf("%d checkpoints found the reader in 1.5 s: the writer does not back off", st.Busy)
	}
	if got := storetest.Verify(t, s, rec.ID); int64(len(got)) != next {
		t.Errorf("%d events stored, want %d", len(got), next)
	}
}

// pinSnapshot opens a connection of its own to the database at path and
// starts a read transaction that has read table, so that it holds a
// snapshot (and the log it needs) until the test rolls it back or ends.
func pinSnapshot(t *testing.T, path, table string) *sql.Tx {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return tx
}

package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/storetest"
)

// Two DBs on one database are two servers as PostgreSQL sees them (each
// its own pool and committers). When they race on one session, the row
// lock on its head makes their batches take turns: the loser of a race
// gets ECONFLICT for its own append, and no transaction fails as a whole
// (which, without the lock, the UNIQUE (session, seq) constraint would
// cause, and each such batch would be retried append by append).
func TestTwoWritersTakeTurns(t *testing.T) {
	t.Parallel()
	a, b, _ := MustOpenTwo(t)
	rec, _ := storetest.NewSession(t, a, 1)
	const goroutines, each = 8, 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[string]int64{}
	conflicts := 0
	for g := range goroutines {
		s := []*store{a, b}[g%2]
		wg.Go(func() {
			for i := range each {
				ev := []parley.EventRecord{{Type: "action", Audience: "everyone", Payload: fmt.Appendf(nil, `{"g":%d,"i":%d}`, g, i)}}
				for {
					head, err := s.ChainHead(context.Background(), rec.ID)
					if err != nil {
						t.Error(err)
						return
					}
					out, err := s.AppendEvents(context.Background(), rec.ID, head.Events, ev)
					mu.Lock()
					if parley.ErrorCode(err) == parley.ECONFLICT {
						conflicts++
						mu.Unlock()
						continue
					}
					if err != nil {
						mu.Unlock()
						t.Error(err)
						return
					}
					acked[string(out[0].Payload)] = out[0].Seq
					mu.Unlock()
					break
				}
			}
		})
	}
	wg.Wait()
	all := storetest.Verify(t, a, rec.ID)
	if len(all) != goroutines*each || len(acked) != goroutines*each {
		t.Fatalf("%d events stored, %d acknowledged; want %d", len(all), len(acked), goroutines*each)
	}
	for _, e := range all {
		if seq, ok := acked[string(e.Payload)]; !ok || seq != e.Seq {
			t.Errorf("event %s at seq %d was acknowledged at %d (%v)", e.Payload, e.Seq, seq, ok)
		}
	}
	if fa, fb := a.Stats().Failed, b.Stats().Failed; fa+fb > 0 {
		t.Errorf("%d and %d transactions failed as a whole; the head lock should make batches take turns", fa, fb)
	}
	if conflicts == 0 {
		t.Error("no append lost a race: the writers did not contend")
	}
	t.Logf("%d conflicts retried", conflicts)
}

// lockHeads holds the lock on every heads row from a connection of its
// own, as a batch of another server would, and returns the function that
// releases it.
func lockHeads(t *testing.T, url string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT * FROM heads FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := tx.Commit(ctx); err != nil {
			t.Error(err)
		}
		conn.Close(ctx)
	}
}

// Appends that queue while commits are in progress share the next one.
func TestGroupCommitBatches(t *testing.T) {
	t.Parallel()
	s, url := MustOpenDB(t)
	const n = 64
	sessions := make([]*parley.SessionRecord, n)
	for i := range sessions {
		sessions[i], _ = storetest.NewSession(t, s, 1)
	}
	before := s.Stats()
	release := lockHeads(t, url)
	done := make(chan []error)
	go func() { done <- storetest.AppendAll(s, sessions, func(int) string { return "action" }) }()
	time.Sleep(300 * time.Millisecond) // let the appends queue behind the lock
	release()
	for i, err := range <-done {
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	st := s.Stats()
	// The committers' first batches wait on the lock; all the rest queue
	// behind them and go in one or two more.
	if appends, batches := st.Appends-before.Appends, st.Batches-before.Batches; appends != n || batches > 2*postgres.DefaultCommitters {
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
	s, url := MustOpenDB(t)
	// A trigger stands in for a failure the checks in Go cannot foresee
	// (a disk error, a constraint added later).
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.type = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION poison()`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	sessions := make([]*parley.SessionRecord, n)
	for i := range sessions {
		sessions[i], _ = storetest.NewSession(t, s, 1)
	}
	release := lockHeads(t, url)
	done := make(chan []error)
	go func() {
		done <- storetest.AppendAll(s, sessions, func(i int) string {
			if i == n/2 {
				return "poison"
			}
			return "action"
		})
	}()
	time.Sleep(300 * time.Millisecond)
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
	if h, err := s.ChainHead(ctx, sessions[n/2].ID); err != nil || h.Events != 0 {
		t.Errorf("the poisoned session: %v, %v", h, err)
	}
}

// Servers starting together migrate one at a time: each opens, none
// fails, and every migration is applied once.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t) // an empty schema
	const n = 8
	errs := make([]error, n)
	dbs := make([]*store, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = open(url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		dbs[i].Close()
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var rows, versions int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != versions || rows == 0 {
		t.Errorf("schema_migrations has %d rows for %d versions", rows, versions)
	}
}

// pgExec runs one statement on its own connection and scans its one row
// into dst (if not nil).
func pgExec(t *testing.T, url string, dst any, sql string, args ...any) error {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if dst == nil {
		_, err = conn.Exec(ctx, sql, args...)
		return err
	}
	return conn.QueryRow(ctx, sql, args...).Scan(dst)
}

// TestNotifyFails: a batch's NOTIFY goes in a transaction of its own after
// the batch's COMMIT. When it fails (here PostgreSQL refuses the channel's
// name; in life, the connection breaks between the two), the appends are
// still acknowledged — they are stored — and the connection goes back to
// the pool clean, so the appends after them are too.
func TestNotifyFails(t *testing.T) {
	t.Parallel()
	s, url := MustOpenDB(t)
	channel := strings.Repeat("x", 70) // longer than an identifier may be
	postgres.SetNotifyChannel(s.DB, channel)
	ctx := context.Background()
	// Another server listens on it (it holds the listeners' lock), or no
	// NOTIFY would be sent at all.
	other, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if _, err := other.Exec(ctx, `SELECT pg_advisory_lock_shared(1886548333, hashtext($1))`, channel); err != nil {
		t.Fatal(err)
	}
	rec, _ := storetest.NewSession(t, s, 1)
	for next := range int64(6) {
		if _, err := s.AppendEvents(ctx, rec.ID, next, storetest.Events("n", 1)); err != nil {
			t.Fatalf("append %d, whose NOTIFY fails: %v", next, err)
		}
	}
	if all := storetest.Verify(t, s, rec.ID); len(all) != 6 {
		t.Fatalf("%d events stored, want 6", len(all))
	}
}

// TestCachedHeads: a batch whose heads this DB committed (or created)
// links its events to them without reading them first, and the lock
// checks them: once another server has appended, the first one's cached
// head is stale, its next batch finds that under the lock and is linked
// again from the stored head, so that an append at the seq it thought
// next gets ECONFLICT as it would without the cache, and the appends at
// the stored head's seq are acknowledged at it, the chain whole.
func TestCachedHeads(t *testing.T) {
	t.Parallel()
	a, b, _ := MustOpenTwo(t)
	ctx := context.Background()
	rec, _ := storetest.NewSession(t, a, 1)
	for next := range int64(4) {
		if _, err := a.AppendEvents(ctx, rec.ID, next, storetest.Events("a", 1)); err != nil {
			t.Fatal(err)
		}
	}
	if cached, moved := postgres.HeadStats(a.DB); cached != 4 || moved != 0 {
		t.Fatalf("%d batches linked to cached heads, %d found them moved; want 4 (the head its create cached, then its own) and 0", cached, moved)
	}
	if _, err := b.AppendEvents(ctx, rec.ID, 4, storetest.Events("b", 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AppendEvents(ctx, rec.ID, 4, storetest.Events("a", 1)); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Fatalf("an append at seq 4 after the other server's: %v, want ECONFLICT", err)
	}
	if cached, moved := postgres.HeadStats(a.DB); cached != 5 || moved != 1 {
		t.Errorf("%d batches linked to cached heads, %d found them moved; want 5 and 1 (the append at seq 4)", cached, moved)
	}
	// The head read under the lock is cached: the appends that follow use
	// it, and it holds.
	for next := int64(6); next < 8; next++ {
		out, err := a.AppendEvents(ctx, rec.ID, next, storetest.Events("a", 1))
		if err != nil || out[0].Seq != next {
			t.Fatalf("an append at seq %d after the other server's: %v %+v", next, err, out)
		}
	}
	if cached, moved := postgres.HeadStats(a.DB); cached != 7 || moved != 1 {
		t.Errorf("%d batches linked to cached heads, %d found them moved; want 7 and 1", cached, moved)
	}
	all := storetest.Verify(t, a, rec.ID)
	if len(all) != 8 || all[6].Prev != all[5].Hash {
		t.Fatalf("%d events stored, want 8, one chain", len(all))
	}
	if a.Stats().Failed != 0 {
		t.Errorf("%d transactions failed as a whole; a moved head should send the batch down the reading path instead", a.Stats().Failed)
	}
}

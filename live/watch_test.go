package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/protocol"
)

// The PostgreSQL tests share one cluster, started on first use and
// stopped when the tests end (internal/pgtest).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// instance is one server's manager on its own connection to a shared
// PostgreSQL database, watching the others' appends.
type instance struct {
	db *postgres.DB
	m  *live.Manager
}

// setup changes an instance's settings: the database's before Open, the
// manager's before Watch.
type setup struct {
	db func(*postgres.DB)
	m  func(*live.Manager)
}

func startInstance(t *testing.T, url string, opts ...setup) *instance {
	t.Helper()
	db := postgres.NewDB(url)
	for _, o := range opts {
		if o.db != nil {
			o.db(db)
		}
	}
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	st := struct {
		*postgres.SessionStore
		*postgres.EventStore
	}{postgres.NewSessionStore(db), postgres.NewEventStore(db)}
	m := live.NewManager(st, st)
	m.Timers, m.Buffer = false, 1<<14
	for _, o := range opts {
		if o.m != nil {
			o.m(m)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Watch(ctx, db) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("Watch returned %v, want context.Canceled", err)
		}
		_ = m.Close()
		_ = db.Close()
	})
	return &instance{db: db, m: m}
}

// collect reads a subscription into a list until it is closed.
func collect(sub *live.Subscription) func() []parley.EventRecord {
	var mu sync.Mutex
	var got []parley.EventRecord
	go func() {
		for range sub.Ready() {
			recs, open := sub.Take()
			mu.Lock()
			got = append(got, recs...)
			mu.Unlock()
			if !open {
				return
			}
		}
	}()
	return func() []parley.EventRecord {
		mu.Lock()
		defer mu.Unlock()
		return append([]parley.EventRecord(nil), got...)
	}
}

// waitFor polls cond until it holds or 10 s pass (a bound against a hang,
// not a measure of speed).
func waitFor(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("after 10 s: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

// TestWatchTwoServers runs two managers, each on its own connection pool
// to one PostgreSQL database, as two `parley serve` do. An action through
// one reaches the other's event stream, and the other's copy of the
// session follows it (its head, and the move it awaits, without acting);
// a session created through one is loaded by the other. Then both take
// actions on one session at once — caucus messages through each, and the
// turns through whichever — and the chain stays one chain: every
// acknowledged message stored once, every acknowledged event at its seq,
// and each server's event stream carries every stored event once, in
// order.
func TestWatchTwoServers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	a, b := startInstance(t, url), startInstance(t, url)
	c, err := a.m.Create(ctx, &live.Spec{Scenario: "istanbul-2025", Deadline: live.Deadline{Rounds: 5000}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second server did not load the session created on the first", func() bool { return b.m.Loaded() == 1 })
	sa, _ := a.m.Session(ctx, c.ID)
	sb, err := b.m.Session(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	med, _ := tokenOf(t, c, "mediator")
	pak, _ := tokenOf(t, c, "Pakistan")
	subA, err := sa.Subscribe(ctx, med)
	if err != nil {
		t.Fatal(err)
	}
	subB, err := sb.Subscribe(ctx, med)
	if err != nil {
		t.Fatal(err)
	}
	gotA, gotB := collect(subA), collect(subB)
	from := subB.From()

	out, err := sa.Act(ctx, med, &live.Action{Kind: "text", Outcome: json.RawMessage(`{"ceasefire":"open_ended"}`)})
	if err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, "the text taken on the first server never reached the second's stream", func() bool {
		return len(gotB()) >= len(out.Events)
	})
	t.Logf("an action on one server reached the other's stream in %v", took)
	if h := sb.Head(); h != out.Head {
		t.Fatalf("the second server holds %v, the first stored %v", h, out.Head)
	}
	v, err := sb.View(ctx, pak)
	if err != nil {
		t.Fatal(err)
	}
	if v.Move == nil || v.Move.Name != "Pakistan" {
		t.Fatalf("the second server's view awaits %+v, want Pakistan (after the mediator's text)", v.Move)
	}

	// Both at once.
	var mu sync.Mutex
	acked := map[int64]string{}
	messages := map[string]bool{}
	note := func(out *live.Acted, msg string) {
		mu.Lock()
		defer mu.Unlock()
		for _, raw := range out.Events {
			var ev struct{ Seq int64 }
			_ = json.Unmarshal(raw, &ev)
			acked[ev.Seq] = string(raw)
		}
		if msg != "" {
			messages[msg] = true
		}
	}
	var wg sync.WaitGroup
	for w, s := range []*live.Session{sa, sb, sa, sb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 25 {
				msg := fmt.Sprintf("w%d-%d", w, k)
				out, err := s.Act(ctx, pak, caucus(msg))
				if err != nil {
					t.Errorf("caucus %s: %v", msg, err)
					return
				}
				note(out, msg)
			}
		}()
	}
	for i, s := range []*live.Session{sa, sb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 20 {
				v, err := s.View(ctx, parley.ObserverSeat())
				if err != nil || v.Move == nil {
					t.Errorf("view: %v, %+v", err, v)
					return
				}
				seat, _ := tokenOf(t, c, v.Move.Name)
				a := &live.Action{Kind: "answer", Answers: json.RawMessage(`{"ceasefire":"reject"}`)}
				if v.Move.Name == "mediator" {
					opt := []string{"open_ended", "extended_with_review"}[(k+i)%2]
					a = &live.Action{Kind: "text", Outcome: json.RawMessage(`{"ceasefire":"` + opt + `"}`)}
				}
				if out, err := s.Act(ctx, seat, a); err == nil {
					note(out, "")
				} else if parley.ErrorCode(err) != parley.ECONFLICT {
					t.Errorf("%s's move: %v", v.Move.Name, err)
				}
			}
		}()
	}
	wg.Wait()
	head, err := sa.StoredHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := sa.Transcript(ctx, parley.ObserverSeat(), &buf); err != nil {
		t.Fatal(err)
	}
	tr, err := protocol.DecodeTranscript(&buf, protocol.ReadOptions{})
	if err != nil {
		t.Fatalf("the chain of two servers: %v", err)
	}
	seen := map[string]int{}
	for _, ev := range tr.Events {
		if ev.Type == protocol.EvCaucus {
			seen[ev.Message]++
		}
	}
	for msg := range messages {
		if seen[msg] != 1 {
			t.Errorf("acknowledged caucus message %q stored %d times", msg, seen[msg])
		}
	}
	if len(messages) != 100 {
		t.Errorf("%d caucus messages acknowledged, want 100", len(messages))
	}
	for seq, raw := range acked {
		got, _ := protocol.Record(tr.Events[seq])
		if string(got.Payload) != raw {
			t.Errorf("event %d is stored as %s, acknowledged as %s", seq, got.Payload, raw)
		}
	}
	// Every stored event the mediator may see, once, in order, on both
	// streams.
	for name, got := range map[string]func() []parley.EventRecord{"first": gotA, "second": gotB} {
		checkStream(t, "the "+name+" server's stream", postgres.NewEventStore(a.db), c.ID, from, med, got)
	}
	if sb.Head() != head || sa.Head() != head {
		t.Errorf("the servers hold %v and %v, the store %v", sa.Head(), sb.Head(), head)
	}
	t.Logf("%d events, %d acknowledged caucus messages from two servers", head.Events, len(messages))
}

// TestWatchManySessions has one server take actions on many sessions at
// once, some of them also through a second server, while the second
// streams them all: it hears of many heads per burst and reads their new
// events together (FindEventsOf), here with answers cut short every few
// events. Every stream of the second server carries every stored event
// its seat may see, once and in order, and its copy of each session
// holds the stored head.
func TestWatchManySessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	// No sweep: what reaches the second server's streams here, it read
	// because it heard of it.
	a, b := startInstance(t, url), startInstance(t, url, setup{m: func(m *live.Manager) { live.SetSweep(m, time.Hour) }})
	live.SetFollowLimit(b.m, 7)
	const n, k = 24, 8
	type followed struct {
		c    *live.Created
		sa   *live.Session
		sb   *live.Session
		from int64
		got  func() []parley.EventRecord
	}
	var all []*followed
	for range n {
		c, err := a.m.Create(ctx, &live.Spec{Scenario: "istanbul-2025", Deadline: live.Deadline{Rounds: 5000}})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, &followed{c: c})
	}
	waitFor(t, "the second server did not load the sessions created on the first", func() bool { return b.m.Loaded() == n })
	med, _ := tokenOf(t, all[0].c, "mediator")
	pak, _ := tokenOf(t, all[0].c, "Pakistan")
	for _, f := range all {
		f.sa, _ = a.m.Session(ctx, f.c.ID)
		sb, err := b.m.Session(ctx, f.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := sb.Subscribe(ctx, med)
		if err != nil {
			t.Fatal(err)
		}
		f.sb, f.from, f.got = sb, sub.From(), collect(sub)
	}
	var wg sync.WaitGroup
	for i, f := range all {
		writers := []*live.Session{f.sa}
		if i%3 == 0 {
			writers = append(writers, f.sb)
		}
		for w, s := range writers {
			wg.Go(func() {
				for j := range k {
					if _, err := s.Act(ctx, pak, caucus(fmt.Sprintf("s%d-w%d-%d", i, w, j))); err != nil {
						t.Errorf("session %d, writer %d: %v", i, w, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	es := postgres.NewEventStore(a.db)
	for i, f := range all {
		checkStream(t, fmt.Sprintf("session %d: the second server's stream", i), es, f.c.ID, f.from, med, f.got)
		head, err := es.ChainHead(ctx, f.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if h := f.sb.Head(); h != head {
			t.Errorf("session %d: the second server holds %v, the store %v", i, h, head)
		}
	}
}

// checkStream waits for a stream (got) to carry every stored event of
// session from seq from on that seat may see, and checks that it carries
// each once, in order, as stored.
func checkStream(t *testing.T, what string, es parley.EventStore, session string, from int64, seat parley.Seat, got func() []parley.EventRecord) {
	t.Helper()
	stored, err := es.FindEvents(context.Background(), session, from, parley.MaxFindEvents)
	if err != nil {
		t.Fatal(err)
	}
	var want []parley.EventRecord
	for _, r := range stored {
		if live.Visible(r, seat) {
			want = append(want, r)
		}
	}
	waitFor(t, what+" did not get every event", func() bool { return len(got()) >= len(want) })
	recs := got()
	if len(recs) != len(want) {
		t.Errorf("%s has %d events, want %d", what, len(recs), len(want))
		return
	}
	for i, r := range recs {
		if r.Seq != want[i].Seq || r.Hash != want[i].Hash {
			t.Errorf("%s: event %d is seq %d, want %d of the stored chain", what, i, r.Seq, want[i].Seq)
			return
		}
	}
}

// TestWatchSweep: a server that never hears of a commit (here a writer
// whose batches send no NOTIFY; in life, one killed between its commit
// and the NOTIFY after it) still passes it on, at its next sweep of the
// sessions it holds.
func TestWatchSweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	a := startInstance(t, url)
	b := startInstance(t, url, setup{m: func(m *live.Manager) { live.SetSweep(m, 100*time.Millisecond) }})
	silent := startInstance(t, url, setup{db: func(db *postgres.DB) { db.NoNotify = true }})
	c, err := a.m.Create(ctx, &live.Spec{Scenario: "istanbul-2025", Deadline: live.Deadline{Rounds: 5000}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second server did not load the session created on the first", func() bool { return b.m.Loaded() == 1 })
	sb, err := b.m.Session(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	med, _ := tokenOf(t, c, "mediator")
	pak, _ := tokenOf(t, c, "Pakistan")
	sub, err := sb.Subscribe(ctx, med)
	if err != nil {
		t.Fatal(err)
	}
	got := collect(sub)
	ss, err := silent.m.Session(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := ss.Act(ctx, pak, caucus(fmt.Sprint("unheard ", i))); err != nil {
			t.Fatal(err)
		}
	}
	checkStream(t, "the stream of the server that heard nothing", postgres.NewEventStore(a.db), c.ID, sub.From(), med, got)
	head, err := ss.StoredHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second server's copy did not reach the stored head", func() bool { return sb.Head() == head })
}

// TestWatchTurnsTwoServers plays a mediated session of people through
// one server, one action at a time, while the other streams it with turn
// events (the streams of GET /api/sessions/{id}/events): the second server
// derives them from what it follows, not from what it took, so each must
// say whose move it is exactly where that changes — after the stored events that moved it, a
// party's answer seen by its caucus only included — naming the first
// server's view of the move, nowhere else (a caucus message moves
// nothing), and byte for byte as the first server's own turn stream
// says it.
func TestWatchTurnsTwoServers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	a, b := startInstance(t, url), startInstance(t, url)
	c, err := a.m.Create(ctx, &live.Spec{Scenario: "istanbul-2025"})
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := a.m.Session(ctx, c.ID)
	sb, err := b.m.Session(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	type stream struct {
		first parley.EventRecord // the move at From
		got   func() []parley.EventRecord
	}
	followers := []string{"observer", "Afghanistan"}
	subscribe := func(s *live.Session, who string) stream {
		seat, _ := tokenOf(t, c, who)
		sub, first, err := s.SubscribeTurns(ctx, seat)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sub.Close)
		return stream{first, collect(sub)}
	}
	onA, onB := map[string]stream{}, map[string]stream{}
	for _, who := range followers {
		onA[who], onB[who] = subscribe(sa, who), subscribe(sb, who)
	}
	observer, _ := tokenOf(t, c, "observer")
	// moveOf names the move of the first server's view, and the stored
	// event it follows.
	moveOf := func() (string, int64) {
		v, err := sa.View(ctx, observer)
		if err != nil {
			t.Fatal(err)
		}
		if v.Move == nil {
			return "nobody", v.Head.Events - 1
		}
		return fmt.Sprintf("%s in round %d", v.Move.Name, v.Clock.Round), v.Head.Events - 1
	}
	m, after := moveOf()
	moves, wants := []string{m}, []string{fmt.Sprint(m, " after ", after)}
	steps := []struct {
		seat string
		a    string
	}{
		{"Pakistan", `{"kind":"caucus","message":"nothing moves"}`},
		{"mediator", `{"kind":"text","outcome":{"ceasefire":"open_ended","monitoring":"bilateral_cell"}}`},
		{"Pakistan", `{"kind":"answer","answers":{"ceasefire":"accept","monitoring":"reject"}}`},
		{"mediator", `{"kind":"caucus","party":"Afghanistan","message":"still nothing"}`},
		{"Afghanistan", `{"kind":"answer","answers":{"ceasefire":"accept"}}`},
		{"mediator", `{"kind":"text","outcome":{"ceasefire":"open_ended","monitoring":"mediated_mechanism"}}`},
		{"Pakistan", `{"kind":"answer","answers":{"monitoring":"accept"}}`},
		{"Afghanistan", `{"kind":"answer","answers":{"monitoring":"reject"}}`},
		{"mediator", `{"kind":"end","reason":"enough for today"}`},
	}
	for _, st := range steps {
		var act live.Action
		if err := json.Unmarshal([]byte(st.a), &act); err != nil {
			t.Fatal(err)
		}
		seat, _ := tokenOf(t, c, st.seat)
		out, err := sa.Act(ctx, seat, &act)
		if err != nil {
			t.Fatalf("%s: %s: %v", st.seat, st.a, err)
		}
		// One action at a time, as people take them: the second server
		// follows each before the next (it tells the move where a burst
		// of actions it reads at once leaves it, not each move between).
		waitFor(t, "the second server did not follow "+st.seat+"'s action", func() bool { return sb.Head() == out.Head })
		if m, after := moveOf(); m != moves[len(moves)-1] {
			moves, wants = append(moves, m), append(wants, fmt.Sprint(m, " after ", after))
		}
	}
	if len(wants) != 8 || moves[7] != "nobody" {
		t.Fatalf("the moves were %q; the script wants 8 (the first and seven changes, the last to nobody)", wants)
	}
	// turns lists a stream's turn events, each checked against the stored
	// events around it, once its last says the negotiation has ended.
	turns := func(where, who string, st stream) []parley.EventRecord {
		waitFor(t, where+": "+who+"'s stream did not say the negotiation ended", func() bool {
			recs := st.got()
			return len(recs) > 0 && live.IsTurn(recs[len(recs)-1]) && bytes.Contains(recs[len(recs)-1].Payload, []byte(`"move":null`))
		})
		out := []parley.EventRecord{st.first}
		last := st.first.Seq // the last stored seq seen (the turn at From follows it)
		for _, r := range st.got() {
			if !live.IsTurn(r) {
				if r.Seq <= out[len(out)-1].Seq {
					t.Errorf("%s: %s: event %d after the turn event that follows event %d", where, who, r.Seq, out[len(out)-1].Seq)
				}
				last = r.Seq
				continue
			}
			if r.Seq < last || r.Audience != "everyone" || r.Prev != (parley.Hash{}) || r.Hash != (parley.Hash{}) {
				t.Errorf("%s: %s: turn event %+v after stored event %d", where, who, r, last)
			}
			out = append(out, r)
		}
		return out
	}
	for _, who := range followers {
		fromA, fromB := turns("the first server", who, onA[who]), turns("the second server", who, onB[who])
		var named []string
		for _, r := range fromB {
			var tr live.Turn
			if err := json.Unmarshal(r.Payload, &tr); err != nil {
				t.Fatalf("%s's turn event %s: %v", who, r.Payload, err)
			}
			m := fmt.Sprint("nobody after ", r.Seq)
			if tr.Mover != nil {
				m = fmt.Sprintf("%s in round %d after %d", tr.Mover.Name, tr.Round, r.Seq)
				if tr.Seat == nil || *tr.Seat != tr.Mover.Seat {
					t.Errorf("%s: a turn event whose seat %v is not its mover's %v", who, tr.Seat, tr.Mover.Seat)
				}
			}
			named = append(named, m)
		}
		if fmt.Sprint(named) != fmt.Sprint(wants) {
			t.Errorf("%s's stream on the second server has the turn events\n%q\nwant (from the first server's views)\n%q", who, named, wants)
		}
		if len(fromA) != len(fromB) {
			t.Errorf("%s: %d turn events on the first server's stream, %d on the second's", who, len(fromA), len(fromB))
			continue
		}
		for i := range fromA {
			if fromA[i].Seq != fromB[i].Seq || !bytes.Equal(fromA[i].Payload, fromB[i].Payload) {
				t.Errorf("%s: turn event %d is %d %s on the first server, %d %s on the second", who, i, fromA[i].Seq, fromA[i].Payload, fromB[i].Seq, fromB[i].Payload)
			}
		}
	}
}

// TestWatchSweepSkipsBusySessions: the sweep leaves alone a session of
// which it read nothing new, even while an action of this server holds it
// (here its commit waits for a lock another connection holds on its head),
// so that the events other servers append to other sessions reach this
// server's streams meanwhile, instead of waiting behind that action.
func TestWatchSweepSkipsBusySessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	a := startInstance(t, url, setup{m: func(m *live.Manager) { live.SetSweep(m, 20*time.Millisecond) }})
	b := startInstance(t, url)
	spec := &live.Spec{Scenario: "istanbul-2025", Deadline: live.Deadline{Rounds: 5000}}
	busy, err := a.m.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	moving, err := a.m.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	sBusy, _ := a.m.Session(ctx, busy.ID)
	sMoving, _ := a.m.Session(ctx, moving.ID)
	med, _ := tokenOf(t, moving, "mediator")
	sub, err := sMoving.Subscribe(ctx, med)
	if err != nil {
		t.Fatal(err)
	}
	got := collect(sub)

	// Hold the busy session's head, so that its next commit waits.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT * FROM heads WHERE session = $1 FOR UPDATE`, busy.ID); err != nil {
		t.Fatal(err)
	}
	released := false
	release := func() {
		if !released {
			released = true
			if err := tx.Commit(ctx); err != nil {
				t.Error(err)
			}
		}
	}
	defer release()
	pakBusy, _ := tokenOf(t, busy, "Pakistan")
	acted := make(chan error, 1)
	go func() {
		_, err := sBusy.Act(ctx, pakBusy, caucus("waits for the lock"))
		acted <- err
	}()
	time.Sleep(100 * time.Millisecond) // several sweeps, with the action waiting

	sb, err := b.m.Session(ctx, moving.ID)
	if err != nil {
		t.Fatal(err)
	}
	pak, _ := tokenOf(t, moving, "Pakistan")
	out, err := sb.Act(ctx, pak, caucus("through the other server"))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "an event another server appended waited behind an action of this server on another session", func() bool {
		recs := got()
		return len(recs) > 0 && recs[len(recs)-1].Seq == out.Head.Events-1
	})
	select {
	case err := <-acted:
		t.Fatalf("the action on the busy session did not wait for its head's lock: %v", err)
	default:
	}
	release()
	if err := <-acted; err != nil {
		t.Fatal(err)
	}
}

// TestSweepLeavesAloneWhatASessionHolds: a sweep whose read began before a
// session's own commit reads that commit's events, which the session holds
// already; it must not take the session's lock for them (an action may
// hold it while its next commit waits), or every other session's events
// wait behind that action. Seen under load, where the sweep's read of a
// session just created caught its start event.
func TestSweepLeavesAloneWhatASessionHolds(t *testing.T) {
	t.Parallel()
	m := newManager(t, openStore(t))
	s, _, _ := created(t, m, &live.Spec{Scenario: "istanbul-2025"})
	ctx := context.Background()
	if s.Head().Events == 0 {
		t.Fatal("the session stored no event at its start")
	}
	unlock := live.Lock(s)
	done := make(chan struct{})
	go func() {
		defer close(done)
		live.SweepRead(ctx, m, s, 0) // reads events 0..h.Events-1, all held
	}()
	select {
	case <-done:
		unlock()
	case <-time.After(10 * time.Second):
		unlock()
		<-done
		t.Fatal("after 10 s: the sweep waited for the lock of a session that held every event it read")
	}
}

package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/sqlite"
)

// store is a SQLite database whose appends can be made to fail.
type store struct {
	db *sqlite.DB
	*sqlite.SessionStore
	events *sqlite.EventStore

	mu sync.Mutex
	// fail, when set, is asked before each append; a non-nil error is
	// returned instead of appending (as a full disk or a lost database
	// would).
	fail func(next int64, n int) error
}

func (s *store) AppendEvents(ctx context.Context, id string, next int64, evs []parley.EventRecord) ([]parley.EventRecord, error) {
	s.mu.Lock()
	f := s.fail
	s.mu.Unlock()
	if f != nil {
		if err := f(next, len(evs)); err != nil {
			return nil, err
		}
	}
	return s.events.AppendEvents(ctx, id, next, evs)
}

func (s *store) FindEvents(ctx context.Context, id string, from int64, limit int) ([]parley.EventRecord, error) {
	return s.events.FindEvents(ctx, id, from, limit)
}

func (s *store) FindEventsOf(ctx context.Context, cursors []parley.EventCursor, limit int) ([]parley.EventRecord, error) {
	return s.events.FindEventsOf(ctx, cursors, limit)
}

func (s *store) ChainHead(ctx context.Context, id string) (parley.ChainHead, error) {
	return s.events.ChainHead(ctx, id)
}

func (s *store) setFail(f func(next int64, n int) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

func openStore(t testing.TB) *store {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "parley.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return &store{db: db, SessionStore: sqlite.NewSessionStore(db), events: sqlite.NewEventStore(db)}
}

func newManager(t testing.TB, st *store) *live.Manager {
	t.Helper()
	m := live.NewManager(st, st)
	m.Timers = false
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func tokenOf(t testing.TB, c *live.Created, name string) (parley.Seat, string) {
	t.Helper()
	for _, s := range c.Seats {
		if s.Name == name {
			return s.Seat, s.Token
		}
	}
	t.Fatalf("no seat %q", name)
	return parley.Seat{}, ""
}

// created creates a session of sp on m and returns it, with Pakistan's
// seat.
func created(t testing.TB, m *live.Manager, sp *live.Spec) (*live.Session, *live.Created, parley.Seat) {
	t.Helper()
	ctx := context.Background()
	c, err := m.Create(ctx, sp)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Session(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	pak, _ := tokenOf(t, c, "Pakistan")
	return s, c, pak
}

func caucus(msg string) *live.Action {
	return &live.Action{Kind: "caucus", Message: msg}
}

// TestSlowSubscriber: a subscriber that does not read is dropped once it
// is Buffer events behind; the actions are not held up, and a subscriber
// that reads gets every event.
func TestSlowSubscriber(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	m := newManager(t, st)
	m.Buffer = 4
	s, _, pak := created(t, m, &live.Spec{Scenario: "istanbul-2025"})
	slow, err := s.Subscribe(ctx, pak)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := s.Subscribe(ctx, pak)
	if err != nil {
		t.Fatal(err)
	}
	// The fast subscriber reads each event once its action is answered
	// (Act publishes before it returns), so it never falls behind however
	// the goroutines are scheduled; the slow one never reads.
	var got []int64
	for i := 0; i < 10; i++ {
		if _, err := s.Act(ctx, pak, caucus("message")); err != nil {
			t.Fatal(err)
		}
		select {
		case <-fast.Ready():
			recs, ok := fast.Take()
			if !ok {
				t.Fatalf("the reading subscriber was dropped after %d events", len(got))
			}
			for _, r := range recs {
				got = append(got, r.Seq)
			}
		default:
			t.Fatalf("action %d answered before its event was published", i)
		}
	}
	<-slow.Ready()
	recs, open := slow.Take()
	if open {
		t.Fatalf("the subscriber that did not read is still on, %d events behind", len(recs))
	}
	n := len(recs)
	if n != 4 || len(got) != 10 || got[0] != fast.From() || got[9] != fast.From()+9 {
		t.Fatalf("slow subscriber got %d before being dropped (want 4); fast got %v", n, got)
	}
	fast.Close()
	fast.Close() // twice is harmless
}

// TestAppendFailure: when storing an action fails the action is not
// acknowledged, the session is rebuilt from the store (which does not
// have it), and the session goes on as if it had never been tried.
func TestAppendFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	m := newManager(t, st)
	c, err := m.Create(ctx, &live.Spec{Scenario: "istanbul-2025"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.Session(ctx, c.ID)
	med, _ := tokenOf(t, c, "mediator")
	text := &live.Action{Kind: "text", Outcome: json.RawMessage(`{"ceasefire":"open_ended"}`)}
	before := s.Head()
	st.setFail(func(int64, int) error { return errors.New("disk full") })
	if _, err := s.Act(ctx, med, text); parley.ErrorCode(err) != parley.EINTERNAL {
		t.Fatalf("an action that could not be stored: %v, want an internal error", err)
	}
	st.setFail(nil)
	v, err := s.View(ctx, med)
	if err != nil {
		t.Fatal(err)
	}
	if v.Head != before || v.Move == nil || v.Move.Name != "mediator" || len(v.Events) != int(before.Events) {
		t.Fatalf("after the failed append: head %v (was %v), move %v, %d events", v.Head, before, v.Move, len(v.Events))
	}
	if _, err := s.Act(ctx, med, text); err != nil {
		t.Fatalf("the same action once the store works: %v", err)
	}
}

// TestCutBetweenAppends: an all-agent session makes more events at its
// creation than one append holds; the store fails after the first append
// (a crash between the two). The session is rebuilt from what was stored
// (session.Driver.Resume): the agents make the rest of their moves again,
// they are stored, and the record replays as if nothing had happened.
func TestCutBetweenAppends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	m := newManager(t, st)
	appends := 0
	st.setFail(func(next int64, n int) error {
		appends++
		if appends == 2 {
			return errors.New("crash")
		}
		return nil
	})
	seed := uint64(3)
	spec := &live.Spec{Scenario: "istanbul-2025", Protocol: "sao", Seed: &seed, Deadline: live.Deadline{Rounds: 2000},
		Seats: map[string]string{"Pakistan": "boulware", "Afghanistan": "boulware"}}
	if _, err := m.Create(ctx, spec); err == nil {
		t.Fatal("the creation whose second append failed was acknowledged")
	}
	st.setFail(nil)
	recs, err := st.FindSessions(ctx, parley.SessionFilter{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("sessions stored: %d, %v", len(recs), err)
	}
	id := recs[0].ID
	if h, _ := st.ChainHead(ctx, id); h.Events != parley.MaxAppendEvents {
		t.Fatalf("stored before the crash: %d events, want one append of %d", h.Events, parley.MaxAppendEvents)
	}
	m2 := newManager(t, st)
	s, err := m2.Session(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Head()
	if h.Events <= parley.MaxAppendEvents {
		t.Fatalf("after the restore: %d events", h.Events)
	}
	var buf bytes.Buffer
	if err := s.Transcript(ctx, parley.ObserverSeat(), &buf); err != nil {
		t.Fatal(err)
	}
	tr, err := protocol.DecodeTranscript(&buf, protocol.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := protocol.Replay(tr.Header, tr.Events)
	if err != nil || res.End == parley.Running {
		t.Fatalf("the record replays to %s, %v", res.End, err)
	}
}

// TestTwoWriters runs two managers on one database, as two server
// instances on one PostgreSQL would. An action through the second, whose
// copy of the session is stale, is refused there, checked again on the
// session as stored, and stored after the first's; a caucus message
// (valid on any state) loses the race for the next seq and is stored
// after the other instance's. The chain stays one chain.
func TestTwoWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	a, b := newManager(t, st), newManager(t, st)
	c, err := a.Create(ctx, &live.Spec{Scenario: "istanbul-2025"})
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := a.Session(ctx, c.ID)
	sb, err := b.Session(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	med, _ := tokenOf(t, c, "mediator")
	pak, _ := tokenOf(t, c, "Pakistan")
	if _, err := sa.Act(ctx, med, &live.Action{Kind: "text", Outcome: json.RawMessage(`{"ceasefire":"open_ended"}`)}); err != nil {
		t.Fatal(err)
	}
	// b has not seen the text: it still thinks it is the mediator's move,
	// but Pakistan's answer is checked against the stored session.
	out, err := sb.Act(ctx, pak, &live.Action{Kind: "answer", Answers: json.RawMessage(`{"ceasefire":"accept"}`)})
	if err != nil {
		t.Fatalf("the second instance's action: %v", err)
	}
	if len(out.Events) == 0 || out.Head.Events != sa.Head().Events+int64(len(out.Events)) {
		t.Fatalf("stored at %v after the first instance's %v", out.Head, sa.Head())
	}
	if _, err := sb.Act(ctx, med, caucus("x")); err == nil {
		t.Fatal("the mediator wrote in a caucus without naming the party")
	}
	if _, err := sa.Act(ctx, pak, caucus("from a")); err != nil {
		t.Fatal(err)
	}
	out, err = sb.Act(ctx, pak, caucus("from b"))
	if err != nil {
		t.Fatalf("the racing caucus message: %v", err)
	}
	if h := sa.Head(); out.Head.Events != h.Events+1 {
		t.Fatalf("b stored at %v, a's head %v", out.Head, h)
	}
	var buf bytes.Buffer
	if err := sb.Transcript(ctx, parley.ObserverSeat(), &buf); err != nil {
		t.Fatal(err)
	}
	if _, err := protocol.DecodeTranscript(&buf, protocol.ReadOptions{}); err != nil {
		t.Fatalf("the chain of two writers: %v", err)
	}
}

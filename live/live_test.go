package live_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/sqlite"
)

// store opens a SQLite database in a temporary directory.
type store struct {
	db *sqlite.DB
	*sqlite.SessionStore
	*sqlite.EventStore
}

func openStore(t testing.TB, path string) *store {
	t.Helper()
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	return &store{db, sqlite.NewSessionStore(db), sqlite.NewEventStore(db)}
}

// fakeClock is a wall clock moved by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newManager(t testing.TB, st *store, clock *fakeClock) *live.Manager {
	t.Helper()
	m := live.NewManager(st.SessionStore, st.EventStore)
	m.Timers = false
	if clock != nil {
		m.Now = clock.now
	}
	return m
}

func seatToken(t testing.TB, c *live.Created, name string) (parley.Seat, string) {
	t.Helper()
	for _, s := range c.Seats {
		if s.Name == name {
			return s.Seat, s.Token
		}
	}
	t.Fatalf("no seat %q in %+v", name, c.Seats)
	return parley.Seat{}, ""
}

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "parley.db")
	st := openStore(t, path)
	m := newManager(t, st, nil)
	c, err := m.Create(ctx, &live.Spec{Scenario: "istanbul-2025", Seats: map[string]string{
		"Afghanistan/Kandahar": "loyal", "Afghanistan/Kabul": "watchdog:recall=1", "Afghanistan/Khost": "loyal"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	t.Logf("%s", b)
	s, err := m.Session(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, tok := seatToken(t, c, "mediator")
	seat, err := s.Authorize(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Act(ctx, seat.Seat, &live.Action{Kind: "text", Outcome: json.RawMessage(`{"ceasefire": "open_ended"}`)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(out)
	t.Logf("%s", b)
	v, err := s.View(ctx, parley.PartySeat(0))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.MarshalIndent(v, "", "  ")
	t.Logf("%.3000s", b)
}

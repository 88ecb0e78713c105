package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
)

// TestRetireEnded: an ended session left alone is unloaded, a running one
// or one just used is not, and an unloaded one reads back exactly as it
// did (view and transcript), loaded again from the stores.
func TestRetireEnded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	m := newManager(t, st)
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	m.Now = func() time.Time { return time.Unix(0, clock.Load()) }

	seed := uint64(7)
	ended, err := m.Create(ctx, &live.Spec{Scenario: "istanbul-2025", Protocol: "sao", Seed: &seed,
		Deadline: live.Deadline{Rounds: 40}, Seats: map[string]string{"Pakistan": "boulware", "Afghanistan": "boulware"}})
	if err != nil {
		t.Fatal(err)
	}
	running, err := m.Create(ctx, &live.Spec{Scenario: "istanbul-2025", Protocol: "sao"})
	if err != nil {
		t.Fatal(err)
	}
	read := func(id string) ([]byte, []byte) {
		t.Helper()
		s, err := m.Session(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.View(ctx, parley.ObserverSeat())
		if err != nil {
			t.Fatal(err)
		}
		v.Clock = live.Clock{} // the wall clock moves on; the rest must not
		view, _ := json.Marshal(v)
		var tr bytes.Buffer
		if err := s.Transcript(ctx, parley.ObserverSeat(), &tr); err != nil {
			t.Fatal(err)
		}
		return view, tr.Bytes()
	}
	view0, tr0 := read(ended.ID)
	if !bytes.Contains(view0, []byte(`"end"`)) || bytes.Contains(view0, []byte(`"end":"running"`)) {
		t.Fatalf("the all-agent session has not ended: %.300s", view0)
	}
	read(running.ID)
	if n := m.InMemory(); n != 2 {
		t.Fatalf("%d sessions in memory, want 2", n)
	}
	if n := m.RetireEnded(time.Minute); n != 0 {
		t.Fatalf("retired %d sessions used just now", n)
	}
	clock.Add(int64(time.Minute))
	if n := m.RetireEnded(time.Minute); n != 1 {
		t.Fatalf("retired %d sessions, want the ended one", n)
	}
	if n := m.InMemory(); n != 1 {
		t.Fatalf("%d sessions in memory after retiring, want the running one", n)
	}
	view1, tr1 := read(ended.ID)
	if !bytes.Equal(view0, view1) || !bytes.Equal(tr0, tr1) {
		t.Fatalf("the retired session reads back differently (view %v, transcript %v)", bytes.Equal(view0, view1), bytes.Equal(tr0, tr1))
	}
	if n := m.InMemory(); n != 2 {
		t.Fatalf("%d sessions in memory after reading the retired one, want 2", n)
	}
	clock.Add(int64(time.Hour))
	if n := m.RetireEnded(time.Minute); n != 1 {
		t.Fatalf("retired %d sessions an hour on, want only the ended one (the other is running)", n)
	}
}

package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/internal/cputime"
	"github.com/parleyhq/parley/live"
)

// The load test's sessions: istanbul-2025, mediated, the nash mediator and
// Afghanistan's delegate; Pakistan is the client.
func loadSpec() *live.Spec {
	return &live.Spec{Scenario: "istanbul-2025", Protocol: "mediated", Deadline: live.Deadline{Rounds: 30},
		Seats: map[string]string{"mediator": "nash", "Afghanistan": "delegate"}}
}

// BenchmarkCreate measures creating a live session as 'parley serve' does
// (Manager.Create on SQLite): checking the spec, defining, building and
// storing the session and the built-in agents' first moves. cpu-ns/op is
// the process's CPU time per session (user and system), which a loaded
// machine does not inflate as it does ns/op.
//
//	go test -run '^$' -bench Create -benchmem ./live
func BenchmarkCreate(b *testing.B) {
	for _, bc := range []struct {
		name string
		spec func() *live.Spec
	}{
		{"humans", func() *live.Spec { return &live.Spec{Scenario: "istanbul-2025"} }},
		{"nash+delegate", loadSpec},
		{"factions", func() *live.Spec {
			return &live.Spec{Scenario: "istanbul-2025", Variant: "s0s1-factions", Seats: map[string]string{"mediator": "nash", "Afghanistan/Kabul": "watchdog:recall=1", "Afghanistan/Kandahar": "loyal", "Afghanistan/Khost": "loyal"}}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			m := newManager(b, openStore(b))
			if _, err := m.Create(ctx, bc.spec()); err != nil { // the first compiles the model
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu := startCPU(b)
			for range b.N {
				if _, err := m.Create(ctx, bc.spec()); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
		})
	}
}

// BenchmarkMove measures one move of the load test's client: Pakistan
// answers the nash mediator's text (accepting some clauses, rejecting the
// rest), and the delegate and the mediator answer in turn, all stored
// before Act returns. A session that ends is replaced, off the clock.
//
//	go test -run '^$' -bench Move -benchmem ./live
func BenchmarkMove(b *testing.B) { benchMove(b, openStore(b), false) }

// BenchmarkMoveView is BenchmarkMove with Pakistan's view read after
// every move, on the clock, as a page that follows the event stream
// refreshes it.
func BenchmarkMoveView(b *testing.B) { benchMove(b, openStore(b), true) }

// BenchmarkMoveSession is BenchmarkMove on a store that keeps the events
// in memory (memEvents): the session's own CPU per move — the driver and
// agents, the events' canonical JSON and hash chain, the streams' turn
// event — without SQLite's commit, which the benchmark would make one per
// move where the server batches them.
func BenchmarkMoveSession(b *testing.B) { benchMove(b, &memEvents{store: openStore(b)}, false) }

func benchMove(b *testing.B, st interface {
	parley.SessionStore
	parley.EventStore
}, view bool) {
	ctx := context.Background()
	m := live.NewManager(st, st)
	m.Timers = false
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	b.Cleanup(func() { _ = m.Close() })
	var (
		s    *live.Session
		pak  parley.Seat
		text []parley.Clause
	)
	next := func() {
		c, err := m.Create(ctx, loadSpec())
		if err != nil {
			b.Fatal(err)
		}
		if s, err = m.Session(ctx, c.ID); err != nil {
			b.Fatal(err)
		}
		pak, _ = tokenOf(b, c, "Pakistan")
		v, err := s.View(ctx, pak)
		if err != nil || v.Turn == nil {
			b.Fatalf("no turn for Pakistan: %v", err)
		}
		text = v.Turn.Text
	}
	next()
	b.ReportAllocs()
	cpu := startCPU(b)
	for i := range b.N {
		answers := make([]string, len(text))
		for k, c := range text {
			answers[k] = "none"
			switch {
			case c.State == parley.ClauseAgreed:
				answers[k] = "accept"
			case c.State == parley.ClauseProposed && (i+k)%3 == 0:
				answers[k] = "accept"
			case c.State == parley.ClauseProposed:
				answers[k] = "reject"
			}
		}
		raw, _ := json.Marshal(answers)
		if _, err := s.Act(ctx, pak, &live.Action{Kind: "answer", Answers: raw}); err != nil {
			b.Fatal(err)
		}
		if !view {
			cpu.pause()
		}
		v, err := s.View(ctx, pak)
		if err != nil {
			b.Fatal(err)
		}
		if view {
			cpu.pause()
		}
		if v.Turn == nil {
			next()
		} else {
			text = v.Turn.Text
		}
		cpu.resume()
	}
	cpu.report(b)
}

// memEvents keeps events in memory, chained as a store chains them
// (audit.Chain from the genesis of the stored definition), and sessions
// in the SQLite store under it.
type memEvents struct {
	*store
	mu     sync.Mutex
	chains map[string]*memChain
}

type memChain struct {
	c    audit.Chain
	recs []parley.EventRecord
}

func (s *memEvents) chain(ctx context.Context, id string) (*memChain, error) {
	if c := s.chains[id]; c != nil {
		return c, nil
	}
	rec, err := s.FindSession(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.chains == nil {
		s.chains = map[string]*memChain{}
	}
	c := &memChain{c: audit.NewChain(id, audit.Genesis(id, rec.Definition))}
	s.chains[id] = c
	return c, nil
}

func (s *memEvents) AppendEvents(ctx context.Context, id string, next int64, evs []parley.EventRecord) ([]parley.EventRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.chain(ctx, id)
	if err != nil {
		return nil, err
	}
	if next != c.c.Next {
		return nil, parley.Errorf(parley.ECONFLICT, "append at %d, the next is %d", next, c.c.Next)
	}
	out := make([]parley.EventRecord, len(evs))
	for i, e := range evs {
		c.c.Link(&e)
		out[i] = e
	}
	c.recs = append(c.recs, out...)
	return out, nil
}

func (s *memEvents) FindEvents(ctx context.Context, id string, from int64, limit int) ([]parley.EventRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.chain(ctx, id)
	if err != nil {
		return nil, err
	}
	from = min(from, int64(len(c.recs)))
	return slices.Clone(c.recs[from:min(from+int64(limit), int64(len(c.recs)))]), nil
}

func (s *memEvents) FindEventsOf(context.Context, []parley.EventCursor, int) ([]parley.EventRecord, error) {
	return nil, errors.New("memEvents: no FindEventsOf")
}

func (s *memEvents) ChainHead(ctx context.Context, id string) (parley.ChainHead, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.chain(ctx, id)
	if err != nil {
		return parley.ChainHead{}, err
	}
	return c.c.ChainHead(), nil
}

// cpuClock measures the process's CPU time over a benchmark's loop, the
// stretches paused left out (b's timer is paused with it): on a loaded
// machine ns/op counts the time other processes run, CPU time does not.
type cpuClock struct {
	b            *testing.B
	start, total time.Duration
}

func startCPU(b *testing.B) *cpuClock {
	b.ResetTimer()
	return &cpuClock{b: b, start: cputime.Process()}
}

func (c *cpuClock) pause() {
	c.b.StopTimer()
	c.total += cputime.Process() - c.start
}

func (c *cpuClock) resume() {
	c.start = cputime.Process()
	c.b.StartTimer()
}

func (c *cpuClock) report(b *testing.B) {
	c.pause()
	b.ReportMetric(float64(c.total.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

package live_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/parleyhq/parley"
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
func BenchmarkMove(b *testing.B) {
	ctx := context.Background()
	m := newManager(b, openStore(b))
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
		cpu.pause()
		v, err := s.View(ctx, pak)
		if err != nil {
			b.Fatal(err)
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

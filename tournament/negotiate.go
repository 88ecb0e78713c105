package tournament

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// domain is a scenario prepared for many negotiations: the compiled model,
// the frontier and Nash point of its analysis (computed once, lazily, by
// the first worker that needs them) and the scale of its utility space. It
// is shared read-only by all workers.
type domain struct {
	*Loaded
	done    atomic.Bool // prepared (or failed for good)
	mu      sync.Mutex
	err     error
	pareto  [][]float64 // frontier points' utilities
	nash    []float64   // nil when the zone of agreement is empty
	maxDist float64     // diagonal of the box of the parties' utility ranges
	truth   omTruth     // what opponent models are judged against
}

// prepare runs the analysis once: the Pareto frontier over all outcomes and
// the Nash point over the zone of agreement (blocking analysis skipped).
// An analysis cut short by ctx is not kept: the next call tries again.
func (d *domain) prepare(ctx context.Context) error {
	if d.done.Load() {
		return d.err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done.Load() {
		return d.err
	}
	func() {
		r, err := analysis.Analyze(ctx, d.Model, analysis.Options{NoBlocking: true})
		if err != nil {
			d.err = fmt.Errorf("tournament: scenario %s: %w", d.Name, err)
			return
		}
		for _, p := range r.Pareto {
			d.pareto = append(d.pareto, p.Utilities)
		}
		if r.Nash != nil {
			d.nash = r.Nash.Utilities
		}
		var sq float64
		for i := range d.Model.Parties {
			lo, hi := utilityRange(&d.Model.Parties[i].Utility)
			sq += (hi - lo) * (hi - lo)
		}
		d.maxDist = math.Sqrt(sq)
	}()
	if d.err != nil && ctx.Err() != nil {
		err := d.err
		d.err = nil
		return err
	}
	d.done.Store(true)
	return d.err
}

// utilityRange bounds a utility function over all outcomes: the sums of its
// per-issue minima and maxima, widened by its hyper-rectangles' negative and
// positive utilities. It is exact for additive functions.
func utilityRange(u *parley.UtilityFn) (lo, hi float64) {
	var l, h int64
	for _, vs := range u.Values {
		mn, mx := vs[0], vs[0]
		for _, v := range vs {
			mn, mx = min(mn, v), max(mx, v)
		}
		l, h = l+mn, h+mx
	}
	for _, r := range u.Rects {
		if r.Utility < 0 {
			l += r.Utility
		} else {
			h += r.Utility
		}
	}
	return u.F(l), u.F(h)
}

// outcome is what one negotiation produced.
type outcome struct {
	result protocol.Result
	// utilities are what each party got (of the agreement, else its
	// reservation value), discounted at t; undiscounted the same
	// undiscounted.
	utilities, undiscounted []float64
	t                       float64 // relative time at the end
	elapsed                 time.Duration
	models                  []agent.OpponentModeler // per party, nil entries (or nil) for agents without one
}

// cacheUser is implemented by agents that take their outcome index from an
// agent.IndexCache.
type cacheUser interface {
	UseIndexCache(*agent.IndexCache)
}

// negotiate runs one SAO negotiation of m between the agents specs (one
// per party) seeded by seed, within rounds and (when not 0) the wall-clock
// timeLimit, with the session driver that simulate uses, keeping no
// events, and hands agents the tournament's index cache, so that an
// outcome index is built once per utility function. Its results equal
// simulate.Once's for the same seed (TestFastEqualsSimulate). Agents in
// other processes are stopped however it ends; their faults end the
// negotiation as an agent error, not the tournament.
func negotiate(ctx context.Context, m *parley.Model, specs []string, rounds int, timeLimit time.Duration, seed uint64, cache *agent.IndexCache) (outcome, error) {
	players := make([]session.Player, len(m.Parties))
	for i := range m.Parties {
		a, err := agent.New(specs[i])
		if err != nil {
			return outcome{}, fmt.Errorf("party %s: %w", m.Parties[i].Name, err)
		}
		if c, ok := a.(cacheUser); ok && cache != nil {
			c.UseIndexCache(cache)
		}
		players[i] = session.Player{Agent: a, Name: specs[i]}
	}
	cfg := session.Config{Protocol: protocol.SAOConfig{Rounds: rounds}, Parties: players, Seed: seed, Discard: true}
	if timeLimit > 0 {
		cfg.Clock, cfg.Deadline = time.Now, timeLimit
	}
	d, err := session.New(m, cfg)
	if err != nil {
		return outcome{}, err
	}
	defer d.Close()
	start := time.Now()
	if _, err := d.Run(ctx); err != nil {
		return outcome{}, err
	}
	o := outcome{elapsed: time.Since(start), result: d.Result(), t: d.Time(), models: modelers(players)}
	o.utilities, o.undiscounted = d.Payoffs()
	return o, nil
}

// metrics are a negotiation's utility-space measures.
type metrics struct {
	welfare    float64
	paretoDist float64 // NaN: no frontier
	nashDist   float64 // NaN: no Nash point
	paretoOpt  float64 // NaN: undefined
	nashOpt    float64
}

// measure computes the metrics of the point u (the agreement's utilities,
// or the disagreement point).
func (d *domain) measure(u []float64) metrics {
	m := metrics{paretoDist: math.NaN(), nashDist: math.NaN(), paretoOpt: math.NaN(), nashOpt: math.NaN()}
	for _, x := range u {
		m.welfare += x
	}
	if len(d.pareto) > 0 {
		best := math.Inf(1)
		for _, p := range d.pareto {
			var s float64
			for i, x := range u {
				s += (x - p[i]) * (x - p[i])
			}
			best = min(best, s)
		}
		m.paretoDist = math.Sqrt(best)
	}
	if d.nash != nil {
		var s float64
		for i, x := range u {
			s += (x - d.nash[i]) * (x - d.nash[i])
		}
		m.nashDist = math.Sqrt(s)
	}
	if d.maxDist > 1e-12 {
		opt := func(dist float64) float64 {
			if math.IsNaN(dist) {
				return dist
			}
			return max(0, 1-dist/d.maxDist)
		}
		m.paretoOpt, m.nashOpt = opt(m.paretoDist), opt(m.nashDist)
	}
	return m
}

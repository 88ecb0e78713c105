// Package mechsim compares verification mechanisms before signing: a Monte
// Carlo of an accord's first days under the analyst's assumptions about
// how often each side breaks its commitments, how often incidents are
// wrongly blamed on it, how well the agreed monitoring establishes where
// an incident came from, and how the agreed attribution rule rules.
//
// # The model
//
// Each prohibition or guarantee with assumptions produces incidents over
// the days it binds: true breaches by its owers (Assume.Rate per 30 days)
// and lookalikes, incidents alleged against them that are not their doing
// (Assume.Lookalike), both as Poisson processes. Every incident is alleged
// and investigated. The investigation establishes the facts with the
// monitoring clause's probability Detection. Then the ruling:
//
//   - an established true breach is attributed; an established lookalike
//     is not;
//   - when nothing was established, the ruling attributes the incident
//     with the attribution clause's probability FalseAttribution (for a
//     true breach that attribution happens to be right, but is
//     unsupported);
//   - the losing side disputes a ruling backed by a finding with
//     probability Dispute; an attribution without a finding is always
//     disputed by the accused.
//
// An attributed breach whose clause lets the wronged side respond
// (on_breach action response) leads to a response by force with the
// commitment's probability Force. The ceasefire holds over the horizon
// when no response by force happens in it. A ruling comes after the
// steps' deadlines: each step takes a uniform share of its deadline, and a
// step the text sets no deadline for takes up to Config.OpenStep days.
//
// Every estimate with a range is drawn from it once per run (the same draw
// for every mechanism compared), and all mechanisms see the same incidents
// and the same random numbers per incident (common random numbers): a
// difference between mechanisms is the mechanisms' doing, and a higher
// detection probability never lowers the number of detected breaches in
// any run. Results depend on the seed, not on the number of workers.
package mechsim

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/parallel"
)

// Config says how to run the study.
type Config struct {
	// Days is the horizon, in days after signature; default 90.
	Days int
	// Runs is the number of simulated histories; default 2000.
	Runs int
	// Workers is the number of goroutines; 0: all cores. Results do not
	// depend on it.
	Workers int
	// Seed seeds the study; run i gets a seed derived from it and i.
	Seed uint64
	// Points uses every estimate's point value instead of drawing from
	// its range.
	Points bool
	// OpenStep is the longest a step without a deadline takes, in days;
	// default 30 (an analyst's placeholder: no report gives a figure).
	OpenStep int
}

func (c *Config) validate() error {
	if c.Days == 0 {
		c.Days = 90
	}
	if c.Runs == 0 {
		c.Runs = 2000
	}
	if c.OpenStep == 0 {
		c.OpenStep = 30
	}
	switch {
	case c.Days < 0 || c.Days > 3650:
		return parley.Errorf(parley.EINVALID, "mechsim: days must be from 1 to 3650, got %d", c.Days)
	case c.Runs < 0 || c.Runs > 10_000_000:
		return parley.Errorf(parley.EINVALID, "mechsim: runs must be from 1 to 10000000, got %d", c.Runs)
	case c.Workers < 0:
		return parley.Errorf(parley.EINVALID, "mechsim: workers must not be negative, got %d", c.Workers)
	case c.OpenStep < 0:
		return parley.Errorf(parley.EINVALID, "mechsim: open step must not be negative, got %d", c.OpenStep)
	}
	return nil
}

// A Mechanism is one accord to simulate, under a name for the report.
type Mechanism struct {
	Name   string
	Accord *parley.Accord
}

// Result is one mechanism's figures: means per run unless said otherwise.
type Result struct {
	Name        string `json:"name"`
	Monitoring  string `json:"monitoring"`  // the clause that sets the investigation
	Attribution string `json:"attribution"` // the clause that sets the ruling
	Runs        int    `json:"runs"`
	Days        int    `json:"days"`
	// PHolds is the share of runs with no response by force within Days;
	// CI95 its Wilson score interval.
	PHolds float64    `json:"p_ceasefire_holds"`
	CI95   [2]float64 `json:"ci95"`
	// Incidents alleged; Violations the true breaches among them;
	// Detected the true breaches the investigation established.
	Incidents  float64 `json:"incidents"`
	Violations float64 `json:"violations"`
	Detected   float64 `json:"detected_violations"`
	// Rulings made within the horizon; Attributed those attributing a
	// breach; FalseAttributions those attributing a lookalike;
	// Unsupported true breaches attributed without a finding; Disputed
	// rulings the losing side contests; Responses answers by force.
	Rulings           float64 `json:"rulings"`
	Attributed        float64 `json:"attributed"`
	FalseAttributions float64 `json:"false_attributions"`
	Unsupported       float64 `json:"unsupported_attributions"`
	Disputed          float64 `json:"disputed_rulings"`
	Responses         float64 `json:"responses_by_force"`
	// DaysToRuling is the mean time from incident to ruling, over rulings.
	DaysToRuling float64 `json:"days_to_ruling"`
	// Commitments breaks the figures down by commitment.
	Commitments []CommitmentResult `json:"commitments"`
	// Obligations are the obligations with an on-time estimate: their
	// instances due within the horizon and those missed (means per run).
	Obligations []ObligationResult `json:"obligations,omitempty"`
	// Assumptions lists every estimate the mechanism's runs rest on.
	Assumptions []Assumption `json:"assumptions"`
}

// ObligationResult is one obligation's figures: instances due within the
// horizon, instances missed (means per run), and the share of runs in
// which every instance was fulfilled on time.
type ObligationResult struct {
	ID         string  `json:"id"`
	Instances  float64 `json:"instances"`
	Missed     float64 `json:"missed"`
	PAllOnTime float64 `json:"p_all_on_time"`
}

// CommitmentResult is one commitment's figures.
type CommitmentResult struct {
	ID         string  `json:"id"`
	Violations float64 `json:"violations"`
	Attributed float64 `json:"attributed"`
	// PNoRuledBreach is the share of runs with no attributed breach.
	PNoRuledBreach float64 `json:"p_no_ruled_breach"`
}

// Assumption is one estimate the study uses.
type Assumption struct {
	What    string        `json:"what"`
	Value   float64       `json:"value"`
	Low     float64       `json:"low"`
	High    float64       `json:"high"`
	Sources []parley.Cite `json:"sources,omitempty"`
}

// model is a mechanism compiled for simulation.
type model struct {
	name                        string
	detection, falseAttr, dispt *parley.Estimate
	steps                       [3]int // deadlines: open, report, rule (0: none)
	commitments                 []cmodel
	obligations                 []omodel
}

// omodel is an obligation with an on-time estimate: its instances due
// within the horizon.
type omodel struct {
	c      *parley.Commitment
	onTime *parley.Estimate
	due    []int
}

type cmodel struct {
	c                      *parley.Commitment
	rate, lookalike, force *parley.Estimate
	respond                bool
}

func compile(mc Mechanism, days int) (*model, error) {
	a := mc.Accord
	if a == nil {
		return nil, parley.Errorf(parley.EINVALID, "mechsim: mechanism %q has no accord", mc.Name)
	}
	mech := a.Mechanism
	m := &model{name: mc.Name, detection: mech.Assume.Detection, falseAttr: mech.Assume.FalseAttribution, dispt: mech.Assume.Dispute,
		steps: [3]int{mech.Investigate.OpenWithin, mech.Investigate.ReportWithin, mech.Rule.Within}}
	missing := func(what, from string) error {
		if from == "" {
			from = "the clause the accord leaves unaddressed"
		}
		return parley.Errorf(parley.EINVALID, "mechsim: mechanism %q: no %s estimate; add verification.assume.%s to %s", mc.Name, what, what, from)
	}
	switch {
	case m.detection == nil:
		return nil, missing("detection", mech.InvestigateFrom)
	case m.falseAttr == nil:
		return nil, missing("false_attribution", mech.RuleFrom)
	case m.dispt == nil:
		return nil, missing("dispute", mech.RuleFrom)
	}
	for i := range a.Commitments {
		c := &a.Commitments[i]
		if c.Kind == parley.Obligation && c.Assume.OnTime != nil {
			if due := c.Due.Instances(days); len(due) > 0 && due[0] <= days {
				m.obligations = append(m.obligations, omodel{c: c, onTime: c.Assume.OnTime, due: due})
			}
			continue
		}
		if c.Kind == parley.Obligation || (c.Assume.Rate == nil && c.Assume.Lookalike == nil) {
			continue
		}
		cm := cmodel{c: c, rate: c.Assume.Rate, lookalike: c.Assume.Lookalike, force: c.Assume.Force}
		cm.respond = c.OnBreach != nil && c.OnBreach.Action == parley.Response && c.Assume.Force != nil
		m.commitments = append(m.commitments, cm)
	}
	return m, nil
}

// Run simulates every mechanism cfg.Runs times and returns their results
// in the order given.
func Run(ctx context.Context, mechs []Mechanism, cfg Config) ([]Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if len(mechs) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "mechsim: no mechanism to simulate")
	}
	models := make([]*model, len(mechs))
	for i, mc := range mechs {
		m, err := compile(mc, cfg.Days)
		if err != nil {
			return nil, err
		}
		models[i] = m
	}
	stats := make([][]runStats, len(models))
	for i := range stats {
		stats[i] = make([]runStats, cfg.Runs)
	}
	err := parallel.For(ctx, cfg.Runs, cfg.Workers, func(r int) {
		seed := parallel.Seed(cfg.Seed, r)
		for i, m := range models {
			stats[i][r] = simulate(m, cfg, seed)
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(models))
	for i, m := range models {
		out[i] = summarise(mechs[i], m, cfg, stats[i])
	}
	return out, nil
}

// stream returns a random source for one purpose of one run: the same
// (seed, label) gives the same numbers whatever else the run does.
func stream(seed uint64, label string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(label))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// draw returns an estimate's value for a run: its point value, or a draw
// from its range with the run's own stream for that estimate.
func draw(e *parley.Estimate, cfg Config, seed uint64, label string) float64 {
	if e == nil {
		return 0
	}
	if cfg.Points || !e.Ranged || e.High <= e.Low {
		return e.Value
	}
	return e.Low + (e.High-e.Low)*stream(seed, "param:"+label).Float64()
}

// runStats are one run's counts for one mechanism.
type runStats struct {
	incidents, violations, detected, rulings, attributed, falseAttr, unsupported, disputed, responses int
	daysToRuling                                                                                      int
	firstResponse                                                                                     int // day of the first response by force; -1 if none
	perCommitment                                                                                     []commitStats
	perObligation                                                                                     []obligationStats
}

type commitStats struct{ violations, attributed int }

// obligationStats are one run's counts for one obligation.
type obligationStats struct{ instances, missed int }

// incident is one simulated allegation.
type incident struct {
	day  float64
	real bool // a true breach, not a lookalike
	// Uniforms drawn in a fixed order for every incident, so that every
	// mechanism sees the same numbers (common random numbers).
	uDetect, uAttr, uDispute, uForce float64
	uSteps                           [3]float64
}

// incidents generates a commitment's incidents over the horizon.
func incidents(cm *cmodel, cfg Config, seed uint64, real bool) []incident {
	est, kind := cm.lookalike, "lookalike"
	if real {
		est, kind = cm.rate, "rate"
	}
	if est == nil {
		return nil
	}
	rate := draw(est, cfg, seed, cm.c.ID+":"+kind) / 30
	from, until := float64(cm.c.Due.From), float64(cfg.Days)
	if cm.c.Due.Until > 0 {
		until = math.Min(until, float64(cm.c.Due.Until))
	}
	if rate <= 0 || until <= from {
		return nil
	}
	r := stream(seed, "incidents:"+cm.c.ID+":"+kind)
	var out []incident
	for t := from; ; {
		t += -math.Log(1-r.Float64()) / rate
		if t > until {
			return out
		}
		in := incident{day: t, real: real, uDetect: r.Float64(), uAttr: r.Float64(), uDispute: r.Float64(), uForce: r.Float64()}
		for k := range in.uSteps {
			in.uSteps[k] = r.Float64()
		}
		out = append(out, in)
	}
}

// obligations simulates an obligation's instances due within the horizon:
// each is fulfilled on time with the on-time probability, from a stream of
// its own (the same uniforms for every mechanism, and a higher on-time
// probability never misses more).
func obligations(om *omodel, cfg Config, seed uint64) obligationStats {
	onTime := draw(om.onTime, cfg, seed, om.c.ID+":on_time")
	r := stream(seed, "instances:"+om.c.ID)
	var st obligationStats
	for _, d := range om.due {
		if d > cfg.Days {
			break
		}
		st.instances++
		if r.Float64() >= onTime {
			st.missed++
		}
	}
	return st
}

// simulate runs one history of one mechanism.
func simulate(m *model, cfg Config, seed uint64) runStats {
	st := runStats{firstResponse: -1, perCommitment: make([]commitStats, len(m.commitments)), perObligation: make([]obligationStats, len(m.obligations))}
	for oi := range m.obligations {
		st.perObligation[oi] = obligations(&m.obligations[oi], cfg, seed)
	}
	detection := draw(m.detection, cfg, seed, "detection")
	falseAttr := draw(m.falseAttr, cfg, seed, "false_attribution")
	dispute := draw(m.dispt, cfg, seed, "dispute")
	for ci := range m.commitments {
		cm := &m.commitments[ci]
		force := draw(cm.force, cfg, seed, cm.c.ID+":force")
		ins := append(incidents(cm, cfg, seed, true), incidents(cm, cfg, seed, false)...)
		for _, in := range ins {
			st.incidents++
			established := in.uDetect < detection
			if in.real {
				st.violations++
				st.perCommitment[ci].violations++
			}
			var delay, found float64
			for k, dl := range m.steps {
				if dl <= 0 {
					dl = cfg.OpenStep
				}
				delay += in.uSteps[k] * float64(dl)
				if k == 1 {
					found = in.day + delay
				}
			}
			ruled := in.day + delay
			if in.real && established && found <= float64(cfg.Days) {
				st.detected++
			}
			if ruled > float64(cfg.Days) {
				continue // no ruling within the horizon
			}
			st.rulings++
			st.daysToRuling += int(math.Round(delay))
			var attributed, disputed bool
			switch {
			case established:
				attributed = in.real
				disputed = in.uDispute < dispute
			default:
				attributed = in.uAttr < falseAttr
				disputed = attributed || in.uDispute < dispute
			}
			if disputed {
				st.disputed++
			}
			if !attributed {
				continue
			}
			st.attributed++
			st.perCommitment[ci].attributed++
			switch {
			case !in.real:
				st.falseAttr++
			case !established:
				st.unsupported++
			}
			if cm.respond && in.uForce < force {
				st.responses++
				if d := int(ruled); st.firstResponse < 0 || d < st.firstResponse {
					st.firstResponse = d
				}
			}
		}
	}
	return st
}

func summarise(mc Mechanism, m *model, cfg Config, runs []runStats) Result {
	a := mc.Accord
	r := Result{Name: mc.Name, Monitoring: a.Mechanism.InvestigateFrom, Attribution: a.Mechanism.RuleFrom, Runs: cfg.Runs, Days: cfg.Days}
	if r.Monitoring == "" {
		r.Monitoring = "(not addressed)"
	}
	if r.Attribution == "" {
		r.Attribution = "(not addressed)"
	}
	n := float64(len(runs))
	holds, rulings, days := 0, 0, 0
	per := make([]CommitmentResult, len(m.commitments))
	noBreach := make([]int, len(m.commitments))
	for _, s := range runs {
		if s.firstResponse < 0 {
			holds++
		}
		r.Incidents += float64(s.incidents)
		r.Violations += float64(s.violations)
		r.Detected += float64(s.detected)
		r.Rulings += float64(s.rulings)
		r.Attributed += float64(s.attributed)
		r.FalseAttributions += float64(s.falseAttr)
		r.Unsupported += float64(s.unsupported)
		r.Disputed += float64(s.disputed)
		r.Responses += float64(s.responses)
		rulings += s.rulings
		days += s.daysToRuling
		for i, c := range s.perCommitment {
			per[i].Violations += float64(c.violations)
			per[i].Attributed += float64(c.attributed)
			if c.attributed == 0 {
				noBreach[i]++
			}
		}
	}
	for _, p := range []*float64{&r.Incidents, &r.Violations, &r.Detected, &r.Rulings, &r.Attributed, &r.FalseAttributions, &r.Unsupported, &r.Disputed, &r.Responses} {
		*p /= n
	}
	r.PHolds = float64(holds) / n
	r.CI95 = wilson(holds, len(runs))
	if rulings > 0 {
		r.DaysToRuling = float64(days) / float64(rulings)
	}
	for i := range per {
		per[i].ID = m.commitments[i].c.ID
		per[i].Violations /= n
		per[i].Attributed /= n
		per[i].PNoRuledBreach = float64(noBreach[i]) / n
	}
	r.Commitments = per
	for i := range m.obligations {
		o := ObligationResult{ID: m.obligations[i].c.ID}
		all := 0
		for _, s := range runs {
			o.Instances += float64(s.perObligation[i].instances)
			o.Missed += float64(s.perObligation[i].missed)
			if s.perObligation[i].missed == 0 {
				all++
			}
		}
		o.Instances /= n
		o.Missed /= n
		o.PAllOnTime = float64(all) / n
		r.Obligations = append(r.Obligations, o)
	}
	r.Assumptions = assumptions(m, cfg)
	return r
}

func assumptions(m *model, cfg Config) []Assumption {
	var out []Assumption
	add := func(what string, e *parley.Estimate) {
		if e == nil {
			return
		}
		a := Assumption{What: what, Value: e.Value, Low: e.Value, High: e.Value, Sources: e.Sources}
		if e.Ranged && !cfg.Points {
			a.Low, a.High = e.Low, e.High
		}
		out = append(out, a)
	}
	add("detection: chance the investigation establishes an incident's origin", m.detection)
	add("false attribution: chance a ruling attributes an incident nothing was established about", m.falseAttr)
	add("dispute: chance the losing side disputes a ruling backed by a finding", m.dispt)
	for _, cm := range m.commitments {
		add(cm.c.ID+": true breaches per 30 days", cm.rate)
		add(cm.c.ID+": lookalike incidents per 30 days", cm.lookalike)
		if cm.respond {
			add(cm.c.ID+": chance a ruled breach is answered by force", cm.force)
		}
	}
	for _, om := range m.obligations {
		add(om.c.ID+": chance each instance is fulfilled by its due day", om.onTime)
	}
	out = append(out, Assumption{What: fmt.Sprintf("a step without a deadline takes up to %d days (placeholder; no report gives a figure)", cfg.OpenStep),
		Value: float64(cfg.OpenStep), Low: float64(cfg.OpenStep), High: float64(cfg.OpenStep)})
	return out
}

// wilson is the 95% Wilson score interval of k successes in n trials.
func wilson(k, n int) [2]float64 {
	if n == 0 {
		return [2]float64{0, 1}
	}
	const z = 1.959963984540054
	p := float64(k) / float64(n)
	nf := float64(n)
	den := 1 + z*z/nf
	mid := (p + z*z/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / den
	return [2]float64{math.Max(0, mid-half), math.Min(1, mid+half)}
}

// Name returns a mechanism's default name: its monitoring and attribution
// clauses.
func Name(a *parley.Accord) string {
	if a == nil {
		return ""
	}
	var parts []string
	for _, from := range []string{a.Mechanism.InvestigateFrom, a.Mechanism.RuleFrom} {
		if from != "" {
			parts = append(parts, from)
		}
	}
	if len(parts) == 0 {
		return "(no verification clauses)"
	}
	return strings.Join(parts, ", ")
}

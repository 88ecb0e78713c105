package analysis

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/search"
)

// This file is the sensitivity analysis: which of a scenario's estimates
// change what the analysis concludes. Each estimate of the parties — faction
// weights, reservation values, issue weights, option values, constraint
// utilities — is moved to the two ends of its range (or ±Step when it has
// none), one at a time, and the scenario is analysed again: the zone's
// size, what blocks it, and the Nash point. The estimates that matter most
// are then moved in pairs, to the four corners of their ranges.
//
// Discount factors are left out (the analysis does not use them), and so
// are uncertain consents (the analysis never counts on them).

// DefaultSensitivityStep is how far an estimate without a range is moved
// each way.
const DefaultSensitivityStep = 0.1

// DefaultSensitivityPairs is how many of the most influential estimates are
// moved in pairs.
const DefaultSensitivityPairs = 5

// SensitivityOptions say how to run a sensitivity analysis.
type SensitivityOptions struct {
	Options
	// Step is how far an estimate without a range is moved each way; 0
	// means DefaultSensitivityStep.
	Step float64
	// Pairs is how many of the top estimates are combined in pairs; 0
	// means DefaultSensitivityPairs, a negative number none.
	Pairs int
	// Each calls do(i) once for every i in [0, n); the calls are
	// independent of each other and may run concurrently. nil calls them
	// one after another. The package itself starts no goroutines: a caller
	// that wants the recomputations spread over cores passes a function
	// that does so.
	Each func(n int, do func(i int))
}

// A Param is one estimate of a scenario, with the range the sensitivity
// analysis moves it across.
type Param struct {
	// Path is the estimate's field path (JSON field names, as validation
	// errors write them).
	Path      string `json:"path"`
	Party     string `json:"party"`
	Principal string `json:"principal"`
	// Kind is what the estimate is: "faction_weight", "reservation",
	// "issue_weight", "option_value" or "constraint"; Issue and Option
	// name the issue and option of a weight or value, Index the
	// constraint (from 0).
	Kind   string `json:"kind"`
	Issue  string `json:"issue,omitempty"`
	Option string `json:"option,omitempty"`
	Index  int    `json:"index,omitempty"`
	// What is a short label of the estimate within its principal:
	// "reservation", "weight" (of a faction in its delegation), "weight of
	// ISSUE", "ISSUE=OPTION" (an option value), "constraint N" (from 1).
	What  string  `json:"what"`
	Value float64 `json:"value"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
	// Ranged is true when Low..High is the estimate's own range, false
	// when it is Value ± Step.
	Ranged bool `json:"ranged"`
	// Assumption is true when the estimate is labelled an analyst's
	// assumption (no source states it).
	Assumption bool `json:"assumption,omitempty"`

	ref paramRef
}

// paramRef locates an estimate in a scenario's parties.
type paramRef struct {
	party, faction int // faction −1: a single actor
	kind           paramKind
	k, l           int // issue preference and value, or constraint
}

type paramKind int

const (
	pFactionWeight paramKind = iota
	pReservation
	pIssueWeight
	pOptionValue
	pConstraint
)

// String names the kind as Param.Kind writes it.
func (k paramKind) String() string {
	return [...]string{"faction_weight", "reservation", "issue_weight", "option_value", "constraint"}[k]
}

// An Effect is what the analysis concludes for one setting of the
// estimates: the zone, what blocks it when it is empty, and the Nash point
// when it is not.
type Effect struct {
	ZoneEmpty bool     `json:"zone_empty"`
	ZoneSize  *big.Int `json:"zone_size"`
	ZoneExact bool     `json:"zone_exact"`
	// Blockers are the relaxations that open an empty zone on their own,
	// as "faction:PARTY/FACTION", "red_line:NAME" or "role:NAME".
	Blockers []string `json:"blockers"`
	// RelaxedSizes gives, for each blocker, the size of the zone its
	// relaxation would open.
	RelaxedSizes map[string]*big.Int `json:"relaxed_zone_sizes,omitempty"`
	Nash         *Solution           `json:"nash"`
}

// NashMove is one issue on which a changed estimate moves the Nash point.
type NashMove struct {
	At    string `json:"at"` // "low" or "high"
	Issue string `json:"issue"`
	From  any    `json:"from"` // as in Solution.Outcome; nil when there was no Nash point
	To    any    `json:"to"`   // nil when there is none
}

// A SensitivityRow is one estimate moved to the ends of its range.
type SensitivityRow struct {
	Param
	AtLow  Effect `json:"at_low"`
	AtHigh Effect `json:"at_high"`
	// OpensOrCloses: at one end the zone opens (or closes).
	OpensOrCloses bool `json:"opens_or_closes"`
	// BlockersChange: at one end the zone is still empty but something
	// else blocks it.
	BlockersChange bool `json:"blockers_change"`
	// ZoneDelta is the largest change of the zone's size at either end.
	ZoneDelta float64 `json:"zone_delta"`
	// RelaxedDelta is, for a zone empty at the base and at an end, the
	// largest change of the size of the zone a blocker's relaxation would
	// open (a blocker that appears or disappears counts with its whole
	// size).
	RelaxedDelta float64 `json:"relaxed_delta"`
	// NashMoves are the issues on which the Nash point moves.
	NashMoves []NashMove `json:"nash_moves"`
}

// Changes reports whether the row changes anything: the zone's size or
// emptiness, what blocks it, or the Nash point.
func (r *SensitivityRow) Changes() bool {
	return r.OpensOrCloses || r.BlockersChange || r.ZoneDelta != 0 || r.RelaxedDelta != 0 || len(r.NashMoves) > 0
}

// A PairCorner is two estimates set to one end each.
type PairCorner struct {
	A      string `json:"a"` // "low" or "high"
	B      string `json:"b"`
	Effect Effect `json:"effect"`
}

// A SensitivityPair is two of the top estimates moved together.
type SensitivityPair struct {
	A       string       `json:"a"` // paths
	B       string       `json:"b"`
	Corners []PairCorner `json:"corners"`
	// JointFlip: at some corner the zone opens or closes although neither
	// estimate moved alone to that end does it.
	JointFlip bool `json:"joint_flip"`
	// NonAdditive: at some corner the zone's size differs from the base
	// size plus both single changes.
	NonAdditive bool `json:"non_additive"`
}

// Sensitivity is the result of a sensitivity analysis.
type Sensitivity struct {
	Scenario string         `json:"scenario"`
	Variant  string         `json:"variant,omitempty"`
	Account  parley.Account `json:"account"`
	Step     float64        `json:"step"`
	Base     Effect         `json:"base"`
	// Rows holds the estimates that change something, most influential
	// first: those that open or close the zone, then those that change
	// what blocks it, then by the change of the zone's size (of the zones
	// the blockers' relaxations would open, when it is empty), then by how
	// many issues the Nash point moves on.
	Rows []SensitivityRow `json:"rows"`
	// NoEffect lists the estimates that change nothing across their range.
	NoEffect []Param `json:"no_effect"`
	// Pairs combines the top estimates two by two.
	Pairs []SensitivityPair `json:"pairs"`
	// Probes is the number of scenarios analysed.
	Probes int `json:"probes"`
}

// Params lists the estimates of s's parties that the sensitivity analysis
// moves, in file order, with their ranges (Value ± step where an estimate
// has none: weights stay non-negative; option values and reservation
// values stay within [0, 1] unless they lie outside it already).
func Params(s *parley.Scenario, step float64) []Param {
	if step <= 0 {
		step = DefaultSensitivityStep
	}
	var out []Param
	for i := range s.Parties {
		p := &s.Parties[i]
		visit := func(j int, fp string, name string, w *parley.Estimate, pr *parley.Preferences) {
			add := func(path, what string, e *parley.Estimate, kind paramKind, k, l int, lo, hi float64) {
				q := Param{Path: path, Party: p.Name, Principal: name, Kind: kind.String(), What: what, Value: e.Value,
					Ranged: e.Ranged, Assumption: e.Assumption != "", ref: paramRef{party: i, faction: j, kind: kind, k: k, l: l}}
				switch kind {
				case pIssueWeight, pOptionValue:
					q.Issue = pr.Issues[k].Issue
					if kind == pOptionValue {
						q.Option = pr.Issues[k].Values[l].Option
					}
				case pConstraint:
					q.Index = k
				}
				if e.Ranged {
					q.Low, q.High = e.Low, e.High
				} else {
					q.Low, q.High = math.Max(e.Value-step, lo), math.Min(e.Value+step, hi)
					q.Low, q.High = math.Min(q.Low, e.Value), math.Max(q.High, e.Value)
				}
				out = append(out, q)
			}
			unit := func(v float64) (float64, float64) { return math.Min(0, v), math.Max(1, v) }
			inf := math.Inf(1)
			if w != nil {
				add(fp+".weight", "weight", w, pFactionWeight, 0, 0, 0, inf)
			}
			prp := fp + ".preferences"
			lo, hi := unit(pr.Reservation.Value)
			add(prp+".reservation", "reservation", &pr.Reservation, pReservation, 0, 0, lo, hi)
			for k := range pr.Issues {
				ip := &pr.Issues[k]
				kp := fmt.Sprintf("%s.issues[%d]", prp, k)
				add(kp+".weight", "weight of "+ip.Issue, &ip.Weight, pIssueWeight, k, 0, 0, inf)
				for l := range ip.Values {
					v := &ip.Values[l]
					lo, hi := unit(v.Value.Value)
					add(fmt.Sprintf("%s.values[%d].value", kp, l), ip.Issue+"="+v.Option, &v.Value, pOptionValue, k, l, lo, hi)
				}
			}
			for k := range pr.Constraints {
				add(fmt.Sprintf("%s.constraints[%d].utility", prp, k), fmt.Sprintf("constraint %d", k+1), &pr.Constraints[k].Utility, pConstraint, k, 0, -inf, inf)
			}
		}
		pp := fmt.Sprintf("parties[%d]", i)
		if p.Preferences != nil {
			visit(-1, pp, p.Name, nil, p.Preferences)
		}
		if p.Delegation != nil {
			for j := range p.Delegation.Factions {
				f := &p.Delegation.Factions[j]
				visit(j, fmt.Sprintf("%s.delegation.factions[%d]", pp, j), f.Name, &f.Weight, &f.Preferences)
			}
		}
	}
	return out
}

// WithParam returns a copy of s with the estimate p set to v; s is not
// changed (the copy shares what it does not change).
func WithParam(s *parley.Scenario, p Param, v float64) *parley.Scenario {
	c := *s
	c.Parties = append([]parley.Party(nil), s.Parties...)
	pt := &c.Parties[p.ref.party]
	var pr *parley.Preferences
	if p.ref.faction < 0 {
		cp := *pt.Preferences
		pt.Preferences = &cp
		pr = pt.Preferences
	} else {
		d := *pt.Delegation
		d.Factions = append([]parley.Faction(nil), d.Factions...)
		pt.Delegation = &d
		f := &d.Factions[p.ref.faction]
		if p.ref.kind == pFactionWeight {
			f.Weight.Value = v
			return &c
		}
		pr = &f.Preferences
	}
	switch p.ref.kind {
	case pReservation:
		pr.Reservation.Value = v
	case pIssueWeight, pOptionValue:
		pr.Issues = append([]parley.IssuePref(nil), pr.Issues...)
		ip := &pr.Issues[p.ref.k]
		if p.ref.kind == pIssueWeight {
			ip.Weight.Value = v
		} else {
			ip.Values = append([]parley.OptionValue(nil), ip.Values...)
			ip.Values[p.ref.l].Value.Value = v
		}
	case pConstraint:
		pr.Constraints = append([]parley.Rect(nil), pr.Constraints...)
		pr.Constraints[p.ref.k].Utility.Value = v
	}
	return &c
}

// Evaluate analyses one setting of a scenario's estimates: the zone, and
// what blocks it when it is empty or the Nash point when it is not. It
// skips what the sensitivity analysis does not compare (the global Pareto
// frontier, the other bargaining solutions, trade hints). When ctx is
// cancelled it stops, as Analyze does, and returns ctx's error.
func Evaluate(ctx context.Context, s *parley.Scenario, opt Options) (Effect, error) {
	if err := ctx.Err(); err != nil {
		return Effect{}, err
	}
	opt.stop = func() bool { return ctx.Err() != nil }
	e, err := evaluate(s, opt)
	if cerr := ctx.Err(); cerr != nil {
		return Effect{}, fmt.Errorf("analysis: %w", cerr)
	}
	return e, err
}

func evaluate(s *parley.Scenario, opt Options) (Effect, error) {
	m, err := s.Compile()
	if err != nil {
		return Effect{}, err
	}
	opt, zoneNodes := budgets(m, opt)
	z, err := search.Zone(m, opt.search(zoneNodes))
	if err != nil {
		return Effect{}, fmt.Errorf("analysis: zone of agreement: %w", err)
	}
	e := Effect{ZoneEmpty: z.Empty, ZoneSize: z.Size, ZoneExact: z.Exact, Blockers: []string{}}
	if !z.Empty {
		zf, _, err := zoneFrontier(m, nil, false, opt)
		if err != nil {
			return Effect{}, fmt.Errorf("analysis: zone frontier: %w", err)
		}
		e.Nash, _, _, _ = solutions(m, zf)
		return e, nil
	}
	if opt.NoBlocking {
		return e, nil
	}
	e.Blockers, e.RelaxedSizes, err = openers(m, opt)
	return e, err
}

// blockerKeys names the relaxations that open the zone alone, with the
// size of the zone each would open.
func blockerKeys(bs []Block) ([]string, map[string]*big.Int) {
	out := []string{}
	sizes := map[string]*big.Int{}
	for _, b := range bs {
		if !b.OpensZone {
			continue
		}
		var k string
		switch b.Kind {
		case BlockFaction:
			k = BlockFaction + ":" + b.Party + "/" + b.Principal
		case BlockRedLine:
			k = BlockRedLine + ":" + b.RedLine
		case BlockRole:
			k = BlockRole + ":" + b.Role
		default:
			continue
		}
		out = append(out, k)
		sizes[k] = b.ZoneSize
	}
	sort.Strings(out)
	return out, sizes
}

// Sensitize runs the sensitivity analysis of s. When ctx is cancelled it
// stops and returns ctx's error.
func Sensitize(ctx context.Context, s *parley.Scenario, opt SensitivityOptions) (*Sensitivity, error) {
	step := opt.Step
	if step == 0 {
		step = DefaultSensitivityStep
	}
	if !(step > 0) || math.IsInf(step, 0) {
		return nil, parley.Errorf(parley.EINVALID, "analysis: sensitivity step must be a positive number, got %v", opt.Step)
	}
	each := opt.Each
	if each == nil {
		each = func(n int, do func(i int)) {
			for i := 0; i < n; i++ {
				do(i)
			}
		}
	}
	res := &Sensitivity{Scenario: s.ID, Variant: s.Variant, Account: s.Account(), Step: step, Rows: []SensitivityRow{}, NoEffect: []Param{}, Pairs: []SensitivityPair{}}
	base, err := Evaluate(ctx, s, opt.Options)
	if err != nil {
		return nil, err
	}
	res.Base = base
	params := Params(s, step)

	// One at a time: every estimate at both ends.
	singles, err := probeSingles(ctx, s, params, each, opt.Options)
	if err != nil {
		return nil, err
	}
	res.Probes = 1 + len(singles)
	var rows []SensitivityRow
	for k, p := range params {
		row := SensitivityRow{Param: p, AtLow: singles[2*k], AtHigh: singles[2*k+1]}
		compare(&row, base)
		if row.Changes() {
			rows = append(rows, row)
		} else {
			res.NoEffect = append(res.NoEffect, p)
		}
	}
	sort.SliceStable(rows, func(a, b int) bool { return less(&rows[a], &rows[b]) })
	res.Rows = rows

	// In pairs: the top estimates, at the four corners of their ranges.
	top := opt.Pairs
	if top == 0 {
		top = DefaultSensitivityPairs
	}
	top = min(max(top, 0), len(rows))
	jobs := pairJobs(top)
	corners, err := probePairs(ctx, s, rows, jobs, each, opt.Options)
	if err != nil {
		return nil, err
	}
	res.Probes += len(jobs)
	for i := 0; i < len(jobs); i += 4 {
		res.Pairs = append(res.Pairs, pairOf(rows, jobs[i:i+4], corners[i:i+4], base))
	}
	return res, nil
}

// probeSingles evaluates s with each parameter at its low end (even
// indices) and its high end (odd ones).
func probeSingles(ctx context.Context, s *parley.Scenario, params []Param, each func(int, func(int)), opt Options) ([]Effect, error) {
	singles := make([]Effect, 2*len(params))
	err := run(each, len(singles), func(i int) (err error) {
		p := params[i/2]
		v := p.Low
		if i%2 == 1 {
			v = p.High
		}
		singles[i], err = Evaluate(ctx, WithParam(s, p, v), opt)
		if err != nil {
			return fmt.Errorf("analysis: sensitivity: %s at %v: %w", p.Path, v, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return singles, nil
}

// pairJob is one corner of a pair of rows: rows a and b at ends ca and cb
// (0 low, 1 high).
type pairJob struct{ a, b, ca, cb int }

// pairJobs lists, for every pair of the top rows, its four corners in
// order low/low, low/high, high/low, high/high.
func pairJobs(top int) []pairJob {
	var jobs []pairJob
	for a := 0; a < top; a++ {
		for b := a + 1; b < top; b++ {
			for c := 0; c < 4; c++ {
				jobs = append(jobs, pairJob{a, b, c / 2, c % 2})
			}
		}
	}
	return jobs
}

// probePairs evaluates s at each job's corner.
func probePairs(ctx context.Context, s *parley.Scenario, rows []SensitivityRow, jobs []pairJob, each func(int, func(int)), opt Options) ([]Effect, error) {
	corners := make([]Effect, len(jobs))
	err := run(each, len(jobs), func(i int) (err error) {
		j := jobs[i]
		pa, pb := rows[j.a].Param, rows[j.b].Param
		c := WithParam(WithParam(s, pa, end(pa, j.ca)), pb, end(pb, j.cb))
		corners[i], err = Evaluate(ctx, c, opt)
		if err != nil {
			return fmt.Errorf("analysis: sensitivity: %s and %s at %s/%s: %w", pa.Path, pb.Path, endName(j.ca), endName(j.cb), err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return corners, nil
}

// pairOf is the pair of rows of jobs (its four corners) with their effects:
// a joint flip when a corner turns the zone empty (or not) where neither
// estimate alone does, non-additive when a corner's zone size is not the
// sum of the single changes.
func pairOf(rows []SensitivityRow, jobs []pairJob, corners []Effect, base Effect) SensitivityPair {
	ra, rb := &rows[jobs[0].a], &rows[jobs[0].b]
	pr := SensitivityPair{A: ra.Path, B: rb.Path}
	for c, j := range jobs {
		e := corners[c]
		pr.Corners = append(pr.Corners, PairCorner{A: endName(j.ca), B: endName(j.cb), Effect: e})
		ea, eb := ra.AtLow, rb.AtLow
		if j.ca == 1 {
			ea = ra.AtHigh
		}
		if j.cb == 1 {
			eb = rb.AtHigh
		}
		if e.ZoneEmpty != base.ZoneEmpty && ea.ZoneEmpty == base.ZoneEmpty && eb.ZoneEmpty == base.ZoneEmpty {
			pr.JointFlip = true
		}
		add := new(big.Int).Sub(new(big.Int).Add(ea.ZoneSize, eb.ZoneSize), base.ZoneSize)
		if add.Cmp(e.ZoneSize) != 0 {
			pr.NonAdditive = true
		}
	}
	return pr
}

func end(p Param, c int) float64 {
	if c == 1 {
		return p.High
	}
	return p.Low
}

func endName(c int) string {
	if c == 1 {
		return "high"
	}
	return "low"
}

// run calls f for every i in [0, n) through each and returns the first
// error, by index (so the error does not depend on the order of the calls).
func run(each func(int, func(int)), n int, f func(i int) error) error {
	errs := make([]error, n)
	each(n, func(i int) { errs[i] = f(i) })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// compare fills a row's summary against the base.
func compare(r *SensitivityRow, base Effect) {
	for _, at := range []struct {
		name string
		e    *Effect
	}{{"low", &r.AtLow}, {"high", &r.AtHigh}} {
		e := at.e
		if e.ZoneEmpty != base.ZoneEmpty {
			r.OpensOrCloses = true
		}
		d := math.Abs(bigFloat(new(big.Int).Sub(e.ZoneSize, base.ZoneSize)))
		r.ZoneDelta = math.Max(r.ZoneDelta, d)
		r.NashMoves = append(r.NashMoves, nashMoves(at.name, base.Nash, e.Nash)...)
		if !e.ZoneEmpty || !base.ZoneEmpty {
			continue // blockers are only compared between empty zones
		}
		if !slices.Equal(e.Blockers, base.Blockers) {
			r.BlockersChange = true
		}
		for k, n := range e.RelaxedSizes {
			b := base.RelaxedSizes[k]
			if b == nil {
				b = new(big.Int)
			}
			r.RelaxedDelta = math.Max(r.RelaxedDelta, math.Abs(bigFloat(new(big.Int).Sub(n, b))))
		}
		for k, b := range base.RelaxedSizes {
			if e.RelaxedSizes[k] == nil {
				r.RelaxedDelta = math.Max(r.RelaxedDelta, bigFloat(b))
			}
		}
	}
	if r.NashMoves == nil {
		r.NashMoves = []NashMove{}
	}
}

func nashMoves(at string, from, to *Solution) []NashMove {
	if from == nil && to == nil {
		return nil
	}
	var out []NashMove
	keys := map[string]bool{}
	if from != nil {
		for k := range from.Outcome {
			keys[k] = true
		}
	}
	if to != nil {
		for k := range to.Outcome {
			keys[k] = true
		}
	}
	var issues []string
	for k := range keys {
		issues = append(issues, k)
	}
	sort.Strings(issues)
	for _, is := range issues {
		var a, b any
		if from != nil {
			a = from.Outcome[is]
		}
		if to != nil {
			b = to.Outcome[is]
		}
		if a != b {
			out = append(out, NashMove{At: at, Issue: is, From: a, To: b})
		}
	}
	return out
}

// less ranks rows: opening or closing the zone first, then changing what
// blocks it, then the larger change of the zone's size, then the larger
// change of a relaxed zone's size, then more Nash moves; ties keep file
// order.
func less(a, b *SensitivityRow) bool {
	if a.OpensOrCloses != b.OpensOrCloses {
		return a.OpensOrCloses
	}
	if a.BlockersChange != b.BlockersChange {
		return a.BlockersChange
	}
	if a.ZoneDelta != b.ZoneDelta {
		return a.ZoneDelta > b.ZoneDelta
	}
	if a.RelaxedDelta != b.RelaxedDelta {
		return a.RelaxedDelta > b.RelaxedDelta
	}
	return len(a.NashMoves) > len(b.NashMoves)
}

func bigFloat(x *big.Int) float64 {
	f, _ := new(big.Float).SetInt(x).Float64()
	return f
}

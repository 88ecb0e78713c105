// Package analysis runs the exact bargaining analysis of a compiled
// scenario and gathers it into a Report: the size of the outcome space, the
// Pareto frontier, the Nash, Kalai–Smorodinsky, utilitarian and egalitarian
// points, the zone of agreement, which factions, red lines and third parties
// block it and what it would take to open it, and logrolling hints.
//
// It chooses the algorithm: additive models get the issue-by-issue frontier
// merge of package pareto; nonlinear ones, and everything that involves red
// lines, ratification rules or third-party consent, the branch and bound of
// package search. It is pure: models in, report out.
package analysis

import (
	"context"
	"fmt"
	"math/big"
	"math/bits"
	"runtime"
	"sort"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bargain"
	"github.com/parleyhq/parley/pareto"
	"github.com/parleyhq/parley/search"
)

// Default budgets. A search visits roughly a million nodes a second, so
// the defaults keep an analysis within seconds; exact answers that need
// more say so in Report.Caveats and can be had with a larger budget.
const (
	DefaultMaxNodes  = 4_000_000
	DefaultMaxPoints = 4_000_000
)

// HugeZoneNodes is the default budget for counting the zone of an outcome
// space larger than 10^12 outcomes.
const HugeZoneNodes = 200_000

var hugeSpace = new(big.Int).Exp(big.NewInt(10), big.NewInt(12), nil)

// Options bound the work. Zero values mean the defaults above.
type Options struct {
	MaxNodes  int64 // branch-and-bound node budget per search
	MaxPoints int   // frontier merge budget (intermediate points)
	Seed      uint64
	// NoBlocking skips the blocking analysis (one search per faction, red
	// line and role).
	NoBlocking bool
	// stop is polled by the searches and merges (Analyze sets it from its
	// context).
	stop func() bool
}

func (o Options) search(maxNodes int64) search.Options {
	return search.Options{MaxNodes: maxNodes, Seed: o.Seed, Stop: o.stop}
}

// Report is the result of an analysis. Its JSON form is documented in
// docs/analysis-json.md and is a stable interface: fields are only added.
//
// The analysis returns data; package report words it. The two text fields
// Zone.Why and Notes are left empty here and filled by report.Word, so that
// the JSON carries the same sentences the text report shows.
type Report struct {
	Scenario string `json:"scenario"`
	Title    string `json:"title,omitempty"`
	Variant  string `json:"variant,omitempty"`
	// Account says whose version of events the analysed scenario shows.
	Account parley.Account `json:"account"`
	// Assumptions are the analyst's assumptions that shape who can agree
	// to what (rules, consents, red lines, roles, a what-if variant);
	// AssumedEstimates counts the numbers labelled as assumptions.
	Assumptions      []parley.Assumption `json:"assumptions,omitempty"`
	AssumedEstimates int                 `json:"assumed_estimates"`
	Parties          []PartyInfo         `json:"parties"`
	Issues           []IssueInfo         `json:"issues"`
	Roles            []RoleInfo          `json:"roles,omitempty"`
	// Outcomes is the number of outcomes (a JSON integer, possibly huge).
	Outcomes *big.Int `json:"outcomes"`
	// Reservations are the parties' utilities of no agreement.
	Reservations []float64 `json:"reservations"`
	// Pareto is the Pareto frontier over all outcomes, one point per
	// distinct utility vector, sorted by the first party's utility
	// descending.
	Pareto       []Point `json:"pareto"`
	ParetoExact  bool    `json:"pareto_exact"`
	ParetoMethod string  `json:"pareto_method"`
	// ParetoGap, for a bounded frontier, bounds how far the true frontier
	// lies beyond Pareto, as a utility: every outcome has a point of Pareto
	// it beats by at most ParetoGap in every party's utility. Nil when the
	// frontier is exact or no bound is known (three or more parties).
	ParetoGap *float64 `json:"pareto_gap,omitempty"`
	// The bargaining solutions, computed over the zone of agreement; null
	// when the zone is empty.
	Nash             *Solution `json:"nash"`
	KalaiSmorodinsky *Solution `json:"kalai_smorodinsky"`
	MaxWelfare       *Solution `json:"max_welfare"`
	Egalitarian      *Solution `json:"egalitarian"`
	Zone             Zone      `json:"zone"`
	// UtilitiesExact says that every party's utilities are the scenario's
	// numbers exactly (no fixed-point rounding): ties are exact ties. When
	// false, some party's utilities are rounded to a 2^-k grid (its numbers
	// have no common denominator within 64 bits) and a caveat says which.
	UtilitiesExact bool    `json:"utilities_exact"`
	Blocking       []Block `json:"blocking"`
	TradeHints     []Trade `json:"trade_hints"`
	// Discount says how discounting shrinks the zone with time; absent
	// when no party discounts.
	Discount *Discount `json:"discount,omitempty"`
	// Caveats are the limits of this analysis (bounded searches, point
	// values of ranged estimates); Notes words them (report.Word).
	Caveats []Caveat `json:"caveats,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

// CaveatKind names a limit of an analysis.
type CaveatKind string

// Caveat kinds.
const (
	// CaveatParetoBounded: the frontier search ran out of its node budget
	// (Caveat.Budget); the points are non-dominated among those found.
	CaveatParetoBounded CaveatKind = "pareto_bounded"
	// CaveatZoneSampled: counting the zone ran out of budget; its size is a
	// lower bound and Zone.Estimate a sampled estimate (Caveat.Detail: the
	// search's account of it).
	CaveatZoneSampled CaveatKind = "zone_sampled"
	// CaveatZoneFrontierBounded: the bargaining solutions come from a
	// bounded frontier of the zone.
	CaveatZoneFrontierBounded CaveatKind = "zone_frontier_bounded"
	// CaveatRangedEstimates: some estimates have ranges; analysis used
	// their point values.
	CaveatRangedEstimates CaveatKind = "ranged_estimates"
	// CaveatUtilitiesRounded: a party's utilities are rounded to
	// multiples of 2^-GridBits (its numbers have no common denominator
	// within 64-bit fixed point), so near-ties may tie or not.
	CaveatUtilitiesRounded CaveatKind = "utilities_rounded"
)

// A Caveat is a limit of an analysis that a reader should know about.
type Caveat struct {
	Kind   CaveatKind `json:"kind"`
	Budget int64      `json:"budget,omitempty"`
	Detail string     `json:"detail,omitempty"`
	// Party and GridBits: the party and its grid 2^-GridBits
	// (CaveatUtilitiesRounded).
	Party    string `json:"party,omitempty"`
	GridBits int    `json:"grid_bits,omitempty"`
}

// PartyInfo describes a party for the report.
type PartyInfo struct {
	Name        string  `json:"name"`
	Reservation float64 `json:"reservation"`
	// UtilitiesExact is false when the party's utilities are rounded to a
	// 2^-k grid (see Report.UtilitiesExact).
	UtilitiesExact bool          `json:"utilities_exact"`
	Rule           string        `json:"rule,omitempty"`
	Factions       []FactionInfo `json:"factions,omitempty"`
	RedLines       []string      `json:"red_lines,omitempty"`
}

// FactionInfo describes a faction of a delegation.
type FactionInfo struct {
	Name        string   `json:"name"`
	Weight      float64  `json:"weight"`
	Reservation float64  `json:"reservation"`
	RedLines    []string `json:"red_lines,omitempty"`
}

// IssueInfo describes an issue for the report.
type IssueInfo struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Options []string `json:"options"`
}

// RoleInfo describes a mediator, guarantor or observer.
type RoleInfo struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Consents *bool  `json:"consents,omitempty"`
	// ConsentProbability is set when nobody knows whether the role would
	// sign: the analyst's estimate of the chance that it would.
	ConsentProbability *float64 `json:"consent_probability,omitempty"`
}

// Solution is an outcome with its utilities. Outcome maps issue names to
// values as written in the scenario: option labels for categorical issues,
// numbers for integer and real ones.
type Solution struct {
	Utilities []float64      `json:"utilities"`
	Outcome   map[string]any `json:"outcome"`
	// Count is the number of outcomes with exactly these utilities (frontier
	// points only).
	Count *big.Int `json:"count,omitempty"`

	outcome parley.Outcome
}

// Raw returns the outcome as option indices.
func (s *Solution) Raw() parley.Outcome { return s.outcome }

// Zone describes the zone of agreement: outcomes that are feasible and that
// every party — for a delegation, its ratifying coalition — prefers to no
// agreement without breaking a red line.
type Zone struct {
	Empty bool     `json:"empty"`
	Size  *big.Int `json:"size"`
	// Exact is false when the count ran out of budget; Size is then a lower
	// bound and Estimate a sampled estimate.
	Exact    bool      `json:"exact"`
	Estimate float64   `json:"estimate,omitempty"`
	Witness  *Solution `json:"witness,omitempty"`
	// RestsOn lists the analyst's assumptions the zone depends on: the
	// ratification rules, the red lines and consents labelled as such.
	RestsOn []parley.Assumption `json:"rests_on,omitempty"`
	// Why explains an empty zone in sentences (filled by report.Word).
	Why []string `json:"why,omitempty"`
}

// Block is one entry of the blocking analysis, made when the zone is empty:
// what happens if one faction goes along, one red line is dropped (by every
// principal that holds it), one third party consents, or one principal
// lowers its reservation value.
type Block struct {
	// Kind is "faction", "party", "red_line" or "role" (BlockFaction, ...).
	Kind string `json:"kind"`
	// Party and Principal name the principal; for a red line, its first
	// holder (Holders lists them all).
	Party     string `json:"party,omitempty"`
	Principal string `json:"principal,omitempty"`
	RedLine   string `json:"red_line,omitempty"`
	// Holders are the principals that hold the red line: it is relaxed for
	// all of them together.
	Holders []Holder `json:"holders,omitempty"`
	Role    string   `json:"role,omitempty"`
	// Consent is, for a role, "withheld" (the scenario says it will not
	// sign) or "uncertain" (nobody knows; not counted on).
	Consent string `json:"consent,omitempty"`
	// RestsOn lists the analyst's assumptions this entry depends on (the
	// delegation's rule for a faction, the red line's own, a consent).
	RestsOn []parley.Assumption `json:"rests_on,omitempty"`
	// OpensZone says whether the relaxation alone opens the zone: for a
	// faction, if it accepted every outcome (went along); for a red line, if
	// it were dropped; for a role, if it consented.
	OpensZone bool     `json:"opens_zone"`
	ZoneSize  *big.Int `json:"zone_size,omitempty"`
	// ReservationChange (factions and parties) is the smallest change to
	// this principal's reservation value that opens the zone — negative: a
	// lower demand — or null when no change of it alone does.
	ReservationChange *float64 `json:"reservation_change"`
	// Nash is the Nash point of the relaxed scenario, when it opens.
	Nash *Solution `json:"nash,omitempty"`
}

// Trade is a logrolling hint: two parties whose relative issue weights
// differ in opposite directions on two issues, so each can give way where
// it cares less.
type Trade struct {
	Parties []string `json:"parties"`
	// Issues[0] matters relatively more to Parties[0], Issues[1] to Parties[1].
	Issues []string    `json:"issues"`
	Weight [][]float64 `json:"weights"` // [party][issue] relative importance, as Issues
	Score  float64     `json:"score"`
}

// Analyze runs the whole analysis. When ctx is cancelled it stops within a
// few thousand search nodes (or one issue of a frontier merge) and returns
// ctx's error; the pure packages it calls poll a stop function and start
// no goroutines.
func Analyze(ctx context.Context, m *parley.Model, opt Options) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opt.stop = func() bool { return ctx.Err() != nil }
	r, err := analyze(m, opt)
	if cerr := ctx.Err(); cerr != nil {
		return nil, fmt.Errorf("analysis: %w", cerr)
	}
	return r, err
}

func analyze(m *parley.Model, opt Options) (*Report, error) {
	opt, zoneNodes := budgets(m, opt)
	s := m.Scenario
	as := newAssumed(s)
	r := &Report{
		Scenario: s.ID, Title: s.Title, Variant: s.Variant,
		Account: s.Account(), Assumptions: as.structural(), AssumedEstimates: as.estimates(),
		Outcomes: m.Size(), Blocking: []Block{}, TradeHints: []Trade{}, Pareto: []Point{},
	}
	describe(m, r)
	r.UtilitiesExact = true
	for i := range m.Parties {
		if u := &m.Parties[i].Utility; !u.Exact {
			r.UtilitiesExact = false
			r.Caveats = append(r.Caveats, Caveat{Kind: CaveatUtilitiesRounded, Party: m.Parties[i].Name, GridBits: bits.TrailingZeros64(uint64(u.Unit()))})
		}
	}

	// The Pareto frontier over all outcomes and the zone of agreement,
	// which does not need it, at the same time.
	var (
		front      []parley.FrontierPoint
		exact      bool
		method     frontierMethod
		z          *search.ZoneResult
		ferr, zerr error
	)
	parallel(func() { front, exact, method, ferr = frontier(m, false, opt) },
		func() { z, zerr = search.Zone(m, opt.search(zoneNodes)) })
	if ferr != nil {
		return nil, fmt.Errorf("analysis: pareto frontier: %w", ferr)
	}
	r.ParetoExact, r.ParetoMethod = exact, method.name
	if !exact {
		if method.gap >= 0 {
			r.ParetoGap = &method.gap
		}
		r.Caveats = append(r.Caveats, Caveat{Kind: CaveatParetoBounded, Budget: opt.MaxNodes, Detail: method.note})
	}
	if zerr != nil {
		return nil, fmt.Errorf("analysis: zone of agreement: %w", zerr)
	}
	// The frontier's points are written while the rest is worked out.
	var err error
	parallel(func() { r.Pareto = paretoSolutions(m, front) },
		func() { err = zoneAnalysis(m, r, z, front, exact, as, opt, zoneNodes) })
	if err != nil {
		return nil, err
	}
	r.TradeHints = trades(m, 5)
	if ranged(s) {
		r.Caveats = append(r.Caveats, Caveat{Kind: CaveatRangedEstimates})
	}
	return r, nil
}

// zoneAnalysis fills in what the analysis knows from the zone of
// agreement z: the zone, and the bargaining solutions over its frontier
// (cut from the global frontier front, or searched) or, when it is empty,
// the blocking analysis.
func zoneAnalysis(m *parley.Model, r *Report, z *search.ZoneResult, front []parley.FrontierPoint, exact bool, as assumed, opt Options, zoneNodes int64) error {
	r.Zone = Zone{Empty: z.Empty, Size: z.Size, Exact: z.Exact, RestsOn: as.zone(m)}
	if !z.Exact {
		r.Zone.Estimate = z.Estimate
		r.Caveats = append(r.Caveats, Caveat{Kind: CaveatZoneSampled, Budget: zoneNodes, Detail: z.Note})
	}
	if z.Empty {
		r.Discount = discount(m, nil, z.Exact)
		if !opt.NoBlocking {
			return blocking(m, r, opt)
		}
		return nil
	}
	w := solution(m, m.Eval(z.Witness), z.Witness, nil)
	r.Zone.Witness = &w
	zf, zexact, err := zoneFrontier(m, front, exact, opt)
	if err != nil {
		return fmt.Errorf("analysis: zone frontier: %w", err)
	}
	if !zexact {
		r.Caveats = append(r.Caveats, Caveat{Kind: CaveatZoneFrontierBounded, Budget: opt.MaxNodes})
	}
	r.Nash, r.KalaiSmorodinsky, r.MaxWelfare, r.Egalitarian = solutions(m, zf)
	r.Discount = discount(m, zf, zexact)
	return nil
}

// budgets fills in the default budgets and returns the node budget for
// counting the zone. Counting the zone exactly is hopeless on
// astronomically large spaces (it is #P-hard in general); unless the caller
// set a budget, it spends little there: a witness, a lower bound and a
// sampled estimate are what can be had.
func budgets(m *parley.Model, opt Options) (Options, int64) {
	zoneNodes := opt.MaxNodes
	if opt.MaxNodes == 0 {
		opt.MaxNodes = DefaultMaxNodes
		zoneNodes = DefaultMaxNodes
		if m.Size().Cmp(hugeSpace) > 0 {
			zoneNodes = HugeZoneNodes
		}
	}
	if opt.MaxPoints == 0 {
		opt.MaxPoints = DefaultMaxPoints
	}
	return opt, zoneNodes
}

// frontierMethod says how a frontier was found: the algorithm's name and,
// for a bounded frontier, the search's account of it and its gap bound
// (search.FrontierResult.Gap: −1 when none is known).
type frontierMethod struct {
	name, note string
	gap        float64
}

// frontier computes the frontier of the parties' utilities over all
// outcomes (zoneOnly false) or over the zone.
func frontier(m *parley.Model, zoneOnly bool, opt Options) ([]parley.FrontierPoint, bool, frontierMethod, error) {
	if !zoneOnly && m.Additive() {
		res, err := pareto.Frontier(m, pareto.Options{MaxPoints: opt.MaxPoints, Stop: opt.stop, Parallel: parallel})
		if err == nil {
			return res.Points, true, frontierMethod{name: res.Method}, nil
		}
		if parley.ErrorCode(err) != parley.ELIMIT {
			return nil, false, frontierMethod{}, err
		}
		// Too many points for the merge: fall back to the bounded search.
	}
	res, err := search.Frontier(m, zoneOnly, opt.search(opt.MaxNodes))
	if err != nil {
		return nil, false, frontierMethod{}, err
	}
	method := frontierMethod{name: "branch and bound", gap: res.Gap}
	if !res.Exact {
		method.name += " (bounded)"
		method.note = res.Note
	}
	return res.Points, res.Exact, method, nil
}

// zoneFrontier returns the frontier of the zone of agreement. When the zone
// is simply the set of outcomes every party values above its reservation
// (single actors, no red lines, nothing infeasible), it is the global
// frontier cut at the reservation values; otherwise it is searched.
func zoneFrontier(m *parley.Model, global []parley.FrontierPoint, globalExact bool, opt Options) ([]parley.FrontierPoint, bool, error) {
	if global != nil && simple(m) {
		d := m.Reservations()
		in := func(p *parley.FrontierPoint) bool {
			for i := range d {
				if p.U[i] <= d[i] {
					return false
				}
			}
			return true
		}
		// Count first: the cut is often all of the frontier (then it is
		// shared, not copied) or a small part of it.
		n := 0
		for i := range global {
			if in(&global[i]) {
				n++
			}
		}
		if n == len(global) {
			return global, globalExact, nil
		}
		out := make([]parley.FrontierPoint, 0, n)
		for i := range global {
			if in(&global[i]) {
				out = append(out, global[i])
			}
		}
		return out, globalExact, nil
	}
	zf, exact, _, err := frontier(m, true, opt)
	return zf, exact, err
}

// simple reports whether acceptance is just "utility above reservation" for
// every party.
func simple(m *parley.Model) bool {
	if len(m.Infeasible) > 0 {
		return false
	}
	for i := range m.Parties {
		p := &m.Parties[i]
		if p.Delegation || len(p.Principals) != 1 || len(p.Principals[0].RedLines) > 0 {
			return false
		}
	}
	return true
}

func solutions(m *parley.Model, zf []parley.FrontierPoint) (nash, ks, mw, eg *Solution) {
	if len(zf) == 0 {
		return
	}
	vs := make([][]int64, len(zf))
	for i := range zf {
		vs[i] = zf[i].U
	}
	d, sc := m.Reservations(), m.Scales()
	pick := func(k int) *Solution {
		if k < 0 {
			return nil
		}
		s := solution(m, zf[k].U, zf[k].Outcome, zf[k].Count)
		return &s
	}
	return pick(bargain.Nash(vs, d, sc)), pick(bargain.KalaiSmorodinsky(vs, d, sc)), pick(bargain.MaxWelfare(vs, sc)), pick(bargain.Egalitarian(vs, d, sc))
}

func solution(m *parley.Model, u []int64, o parley.Outcome, count *big.Int) Solution {
	s := Solution{Outcome: Values(m, o), Count: count, outcome: append(parley.Outcome(nil), o...)}
	for i, x := range u {
		s.Utilities = append(s.Utilities, m.Parties[i].Utility.F(x))
	}
	return s
}

// parallelSolutions is the frontier size from which paretoSolutions
// spreads its work over the CPUs.
const parallelSolutions = 2048

// paretoSolutions returns the frontier as points, each with its own
// Utilities, in a few large allocations; the outcomes are Clauses over one
// table (not a map each) and the frontier's outcomes, not copies (the
// frontier is the analysis' own: only the report keeps them). A large
// frontier is split among
// up to GOMAXPROCS goroutines (formatting a utility as its shortest
// decimal, UtilityFn.F, is most of the work).
func paretoSolutions(m *parley.Model, front []parley.FrontierPoint) []Point {
	out := make([]Point, len(front))
	if len(front) == 0 {
		return out
	}
	n := len(m.Parties)
	us := make([]float64, len(front)*n)
	t := newClauseTable(m)
	fill := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p := &front[i]
			u := us[i*n : i*n+n : i*n+n]
			for j, x := range p.U {
				u[j] = m.Parties[j].Utility.F(x)
			}
			out[i] = Point{Utilities: u, Outcome: Clauses{t: t, o: p.Outcome}, Count: p.Count}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(front)/parallelSolutions)
	if workers <= 1 {
		fill(0, len(front))
		return out
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fill(w*len(front)/workers, (w+1)*len(front)/workers) })
	}
	wg.Wait()
	return out
}

// parallel runs fs at the same time when there is more than one CPU to
// run them on, for pareto.Options.Parallel.
func parallel(fs ...func()) {
	if runtime.GOMAXPROCS(0) == 1 {
		for _, f := range fs {
			f()
		}
		return
	}
	var wg sync.WaitGroup
	for _, f := range fs {
		wg.Go(f)
	}
	wg.Wait()
}

// boxedValues returns every option's value as Values writes it, by issue
// and option.
func boxedValues(m *parley.Model) [][]any {
	vals := make([][]any, len(m.Scenario.Issues))
	for i := range vals {
		is := &m.Scenario.Issues[i]
		vals[i] = make([]any, len(is.Options))
		for k := range is.Options {
			vals[i][k] = value(is, k)
		}
	}
	return vals
}

// value returns option k of issue is as Values writes it.
func value(is *parley.Issue, k int) any {
	opt := is.Options[k]
	if is.Kind == parley.Categorical || opt.NotAddressed {
		return opt.Label
	} else if is.Kind == parley.Integer {
		return int64(opt.Value)
	}
	return opt.Value
}

// Values writes an outcome as issue name → value as in the scenario file.
func Values(m *parley.Model, o parley.Outcome) map[string]any {
	out := make(map[string]any, len(o))
	for i, k := range o {
		is := &m.Scenario.Issues[i]
		out[is.Name] = value(is, k)
	}
	return out
}

func describe(m *parley.Model, r *Report) {
	s := m.Scenario
	for i := range s.Issues {
		is := &s.Issues[i]
		ii := IssueInfo{Name: is.Name, Kind: is.Kind.String()}
		for _, o := range is.Options {
			ii.Options = append(ii.Options, o.Label)
		}
		r.Issues = append(r.Issues, ii)
	}
	for i := range m.Parties {
		p := &m.Parties[i]
		pi := PartyInfo{Name: p.Name, Reservation: p.Utility.F(p.Reservation), UtilitiesExact: p.Utility.Exact}
		r.Reservations = append(r.Reservations, pi.Reservation)
		if p.Delegation {
			pi.Rule = ruleText(p.Rule)
			for j := range p.Principals {
				pr := &p.Principals[j]
				pi.Factions = append(pi.Factions, FactionInfo{Name: pr.Name, Weight: p.Weights[j], Reservation: pr.Utility.F(pr.Reservation), RedLines: pr.RedLineName})
			}
		} else {
			pi.RedLines = p.Principals[0].RedLineName
		}
		r.Parties = append(r.Parties, pi)
	}
	for _, ro := range s.Roles {
		ri := RoleInfo{Name: ro.Name, Kind: ro.Kind.String(), Consents: ro.Consents}
		if ro.ConsentProbability != nil {
			p := ro.ConsentProbability.Value
			ri.ConsentProbability = &p
		}
		r.Roles = append(r.Roles, ri)
	}
}

func ruleText(r parley.Ratification) string {
	switch r.Kind {
	case parley.WeightedQuota:
		return fmt.Sprintf("weighted quota %.0f%%", r.Quota*100)
	case parley.LeaderVeto:
		s := "leader " + r.Leader
		if len(r.Vetoes) > 0 {
			s += fmt.Sprintf(", vetoes %v", r.Vetoes)
		}
		return s
	}
	return r.Kind.String()
}

func ranged(s *parley.Scenario) bool {
	chk := func(e parley.Estimate) bool { return e.Ranged }
	for _, p := range s.Parties {
		for _, f := range p.Principals() {
			if chk(f.Weight) || chk(f.Preferences.Reservation) || chk(f.Preferences.Discount) {
				return true
			}
			for _, ip := range f.Preferences.Issues {
				if chk(ip.Weight) {
					return true
				}
				for _, v := range ip.Values {
					if chk(v.Value) {
						return true
					}
				}
			}
			for _, c := range f.Preferences.Constraints {
				if chk(c.Utility) {
					return true
				}
			}
		}
	}
	return false
}

// trades returns up to n logrolling hints. A party's relative importance of
// an issue is the spread (best minus worst option) of its utility on that
// issue, over the sum of spreads; for two parties a and b and issues i and j
// the score (Ia_i − Ib_i)·(Ib_j − Ia_j) is positive when a cares relatively
// more about i and b about j.
func trades(m *parley.Model, n int) []Trade {
	imp := make([][]float64, len(m.Parties))
	for p := range m.Parties {
		vs := m.Parties[p].Utility.Values
		imp[p] = make([]float64, len(vs))
		var tot float64
		for i, row := range vs {
			lo, hi := row[0], row[0]
			for _, v := range row {
				lo, hi = min(lo, v), max(hi, v)
			}
			imp[p][i] = m.Parties[p].Utility.F(hi - lo)
			tot += imp[p][i]
		}
		if tot > 0 {
			for i := range imp[p] {
				imp[p][i] /= tot
			}
		}
	}
	var out []Trade
	for a := range m.Parties {
		for b := a + 1; b < len(m.Parties); b++ {
			for i := range imp[a] {
				for j := range imp[a] {
					if i == j {
						continue
					}
					da, db := imp[a][i]-imp[b][i], imp[b][j]-imp[a][j]
					if da <= 0 || db <= 0 {
						continue
					}
					out = append(out, Trade{
						Parties: []string{m.Parties[a].Name, m.Parties[b].Name},
						Issues:  []string{m.Scenario.Issues[i].Name, m.Scenario.Issues[j].Name},
						Weight:  [][]float64{{imp[a][i], imp[a][j]}, {imp[b][i], imp[b][j]}},
						Score:   da * db,
					})
				}
			}
		}
	}
	sort.SliceStable(out, func(x, y int) bool { return out[x].Score > out[y].Score })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

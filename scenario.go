package parley

import "math"

// A Scenario is a negotiation written down: the issues on the table, the
// parties (some of them delegations of factions), the mediators and other
// third parties, every principal's preferences, and the sources behind the
// estimates. It is the input of analysis and, later, of simulation.
//
// A Scenario is plain data. Loaders (YAML, Genius XML) build it; Compile
// turns it into a Model that analysis evaluates.
type Scenario struct {
	ID          string    `json:"id"`
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Issues      []Issue   `json:"issues"`
	Parties     []Party   `json:"parties"`
	Roles       []Role    `json:"roles,omitempty"`
	Sources     []Source  `json:"sources,omitempty"`
	Variants    []Variant `json:"variants,omitempty"` // named overrides; see Variant
	Variant     string    `json:"variant,omitempty"`  // the variant applied, "" for the base
	Notes       []string  `json:"notes,omitempty"`    // free-form analyst notes
	// Warnings are what an importer noticed while reading the files and
	// an analyst must know to trust a result: a value read as 0 because
	// it was not a number, a Latin-1 file, weights that sum to 0, a
	// discretised real issue. Each names its file (and line when known).
	// Commands show them beside every result built from the scenario.
	Warnings []string `json:"warnings,omitempty"`
	// Simulation is how the scenario is simulated by default; nil: the
	// runner's defaults.
	Simulation *SimulationSpec `json:"simulation,omitempty"`
}

// IssueKind says how an issue's options arise.
type IssueKind int

// Issue kinds.
const (
	Categorical IssueKind = iota // named options
	Integer                      // every integer from Min to Max
	Real                         // Min, Min+Step, ..., Max
)

// String returns the kind as written in scenario files.
func (k IssueKind) String() string {
	switch k {
	case Categorical:
		return "categorical"
	case Integer:
		return "integer"
	case Real:
		return "real"
	}
	return "unknown"
}

// An Issue is one dimension of an agreement. Whatever its kind, a valid Issue
// lists its options explicitly in Options (loaders expand integer and real
// ranges with NumericOptions), so that an outcome is one option index per
// issue.
type Issue struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Kind        IssueKind `json:"kind"`
	Options     []Option  `json:"options"`
	// Min, Max and Step describe a numeric issue's range (Step only for Real).
	Min  float64 `json:"min,omitempty"`
	Max  float64 `json:"max,omitempty"`
	Step float64 `json:"step,omitempty"`
}

// An Option is one value an issue can take.
type Option struct {
	Label string `json:"label"`
	// Clause is the text this option puts into an agreement, for reports.
	Clause string `json:"clause,omitempty"`
	// Value is the option's number for integer and real issues (its position
	// on the value function's axis); unused for categorical ones.
	Value float64 `json:"value,omitempty"`
	// NotAddressed marks the status-quo option: the agreement is silent on the issue.
	NotAddressed bool `json:"not_addressed,omitempty"`
	// Commitments are the undertakings the option puts into an agreement;
	// Verification is the part of the verification procedure it sets (see
	// commitment.go). Categorical options only.
	Commitments  []Commitment `json:"commitments,omitempty"`
	Verification *Procedure   `json:"verification,omitempty"`
}

// NumericOptions expands a numeric range into options: every integer from
// min to max for Integer, and min, min+step, ... up to max (inclusive, within
// a relative tolerance of 1e-9 of step) for Real. Labels are the numbers in
// their shortest form. It returns nil when the range is empty or step is not
// positive for Real.
func NumericOptions(kind IssueKind, min, max, step float64) []Option {
	var opts []Option
	switch kind {
	case Integer:
		for v := min; v <= max; v++ {
			opts = append(opts, Option{Label: formatNumber(v), Value: v})
		}
	case Real:
		if step <= 0 || max < min {
			return nil
		}
		n := int((max-min)/step + 1e-9)
		// min + i·step computed exactly on the decimals (1.5 + 3·0.3 is
		// 2.4, not 2.4000000000000004) where they are short, then rounded
		// once.
		ints, e, exact := scaledInts([]float64{min, step})
		exact = exact && e >= -22 && e <= 22 && n < 1<<30
		for i := 0; i <= n; i++ {
			v := min + float64(i)*step
			if exact {
				t, ok1 := mul64(int64(i), ints[1])
				m, ok2 := add64(ints[0], t)
				if ok1 && ok2 && m > -1<<53 && m < 1<<53 {
					v = scaleDecimal(float64(m), e)
				}
			}
			opts = append(opts, Option{Label: formatNumber(v), Value: v})
		}
	}
	return opts
}

// scaleDecimal returns the float nearest to m·10^e for an integer m
// below 2^53 and |e| ≤ 22 (powers of ten that are exact floats): one
// correctly rounded operation.
func scaleDecimal(m float64, e int) float64 {
	if e >= 0 {
		return m * math.Pow10(e)
	}
	return m / math.Pow10(-e)
}

// Party is a side of the negotiation. It is either a single actor with its
// own Preferences, or a Delegation of factions (principals) with a
// ratification rule; exactly one of the two is set.
type Party struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Preferences *Preferences `json:"preferences,omitempty"`
	Delegation  *Delegation  `json:"delegation,omitempty"`
	Sources     []Cite       `json:"sources,omitempty"`
}

// Principals returns the party's principals: its factions for a delegation,
// or a single principal named after the party.
func (p *Party) Principals() []Faction {
	if p.Delegation != nil {
		return p.Delegation.Factions
	}
	if p.Preferences == nil {
		return nil
	}
	return []Faction{{Name: p.Name, Weight: Estimate{Value: 1}, Preferences: *p.Preferences}}
}

// A Delegation is a party that answers to several principals. The delegation
// accepts an outcome only if its Rule says the factions that accept it suffice.
// The delegation's own utility (used for the Pareto frontier and bargaining
// solutions) is the weighted mean of its factions' utilities.
type Delegation struct {
	Factions []Faction    `json:"factions"`
	Rule     Ratification `json:"rule"`
}

// A Faction is a principal inside a delegation: a power centre that holds its
// own preferences and may send instructions.
type Faction struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Weight      Estimate    `json:"weight"` // influence in the delegation; also its share of the delegation's utility
	Preferences Preferences `json:"preferences"`
	Sources     []Cite      `json:"sources,omitempty"`
}

// RuleKind names a ratification rule.
type RuleKind int

// Ratification rules.
const (
	Unanimity     RuleKind = iota // every faction accepts
	Majority                      // more than half of the factions (by count) accept
	WeightedQuota                 // accepting factions' weights reach Quota of the total
	LeaderVeto                    // the Leader accepts and no faction in Vetoes rejects
)

// String returns the rule as written in scenario files.
func (k RuleKind) String() string {
	switch k {
	case Unanimity:
		return "unanimity"
	case Majority:
		return "majority"
	case WeightedQuota:
		return "weighted_quota"
	case LeaderVeto:
		return "leader_veto"
	}
	return "unknown"
}

// Ratification is a delegation's rule for turning its factions' answers into
// the delegation's answer. All rules are monotone: more accepting factions
// never turn an acceptance into a rejection.
type Ratification struct {
	Kind   RuleKind `json:"kind"`
	Quota  float64  `json:"quota,omitempty"`  // WeightedQuota: fraction of total weight in (0,1]
	Leader string   `json:"leader,omitempty"` // LeaderVeto: the leading faction
	Vetoes []string `json:"vetoes,omitempty"` // LeaderVeto: factions that can block
	// Sources and Assumption say what the rule rests on (see Basis).
	Sources    []Cite `json:"sources,omitempty"`
	Assumption string `json:"assumption,omitempty"`
}

// Ratifies reports whether the factions marked true in accepts ratify under
// the rule. weights and names are the delegation's faction weights and names,
// in the order of accepts.
func (r Ratification) Ratifies(accepts []bool, weights []float64, names []string) bool {
	switch r.Kind {
	case Unanimity:
		for _, a := range accepts {
			if !a {
				return false
			}
		}
		return true
	case Majority:
		n := 0
		for _, a := range accepts {
			if a {
				n++
			}
		}
		return 2*n > len(accepts)
	case WeightedQuota:
		var got, total float64
		for i, a := range accepts {
			total += weights[i]
			if a {
				got += weights[i]
			}
		}
		return got >= r.Quota*total-1e-12
	case LeaderVeto:
		for i, a := range accepts {
			if a {
				continue
			}
			if names[i] == r.Leader {
				return false
			}
			for _, v := range r.Vetoes {
				if names[i] == v {
					return false
				}
			}
		}
		return true
	}
	return false
}

// RoleKind names what a non-party actor does.
type RoleKind int

// Role kinds.
const (
	Mediator  RoleKind = iota // proposes texts, runs sessions
	Guarantor                 // a third party that may guarantee an agreement
	Observer                  // has stakes but no seat
	Handler                   // instructs a delegation from outside the room; no seat, no vote
)

// String returns the role kind as written in scenario files.
func (k RoleKind) String() string {
	switch k {
	case Mediator:
		return "mediator"
	case Guarantor:
		return "guarantor"
	case Observer:
		return "observer"
	case Handler:
		return "handler"
	}
	return "unknown"
}

// A Role is an actor that is not a negotiating party: a mediator, a possible
// guarantor, an observer.
//
// A role can be needed for some outcomes: a guarantor clause that names it
// only takes effect if it signs. Needed lists the conditions that make an
// outcome need the role; Consents says whether the role is known to sign.
// When it does not, outcomes that need it are infeasible: they leave the
// zone of agreement whatever the parties think of them.
//
// When nobody knows whether the role would sign, ConsentProbability is set
// instead of Consents: the chance that it signs, an estimate. Analysis does
// not count on an uncertain consent (outcomes that need it are infeasible)
// and reports what the consent would open; Monte Carlo simulation draws the
// consent in every run (Scenario.Sample).
type Role struct {
	Name               string      `json:"name"`
	Kind               RoleKind    `json:"kind"`
	Description        string      `json:"description,omitempty"`
	Needed             []Condition `json:"needed,omitempty"`
	Consents           *bool       `json:"consents,omitempty"`            // with Needed: known to sign or not
	ConsentProbability *Estimate   `json:"consent_probability,omitempty"` // with Needed: unknown; the chance it signs
	Sources            []Cite      `json:"sources,omitempty"`
	Assumption         string      `json:"assumption,omitempty"`
}

// ConsentUncertain reports whether the role is needed for some outcomes and
// nobody knows whether it would sign.
func (r *Role) ConsentUncertain() bool { return len(r.Needed) > 0 && r.ConsentProbability != nil }

// Preferences are one principal's utility over outcomes:
//
//	u(o) = Σ_issues weight_i · value_i(o_i)  +  Σ_constraints [o ∈ rect] · utility
//
// divided by Scale when Scale is set, plus the red lines (outcomes the
// principal never accepts, whatever their utility) and the reservation value
// (the utility of no agreement).
type Preferences struct {
	Issues      []IssuePref `json:"issues,omitempty"`
	Constraints []Rect      `json:"constraints,omitempty"`
	// Scale divides the constraint sum (Genius' maxutility); 0 means 1.
	Scale       float64   `json:"scale,omitempty"`
	RedLines    []RedLine `json:"red_lines,omitempty"`
	Reservation Estimate  `json:"reservation"`
	// Discount is the per-unit-time discount factor in (0,1]; 0 means none.
	Discount Estimate `json:"discount"`
}

// IssuePref is a principal's weight and value function on one issue. Options
// not listed in Values are worth 0; values are divided by Scale when set.
// For numeric issues, Function may give a
// piecewise-linear value function instead of per-option values.
//
// Sources and Assumption are what the value function (Values and Function)
// rests on; an option value may add its own, and the weight has its own.
type IssuePref struct {
	Issue    string        `json:"issue"`
	Weight   Estimate      `json:"weight"`
	Values   []OptionValue `json:"values,omitempty"`
	Function []Point       `json:"function,omitempty"`
	// Scale divides the values (and the function), as Genius divides a
	// discrete issue's evaluations by the largest one: evaluations 7 of 9
	// are Values 7 with Scale 9, exactly 7/9. 0 means 1.
	Scale      float64 `json:"scale,omitempty"`
	Sources    []Cite  `json:"sources,omitempty"`
	Assumption string  `json:"assumption,omitempty"`
}

// OptionValue is the value of one option, usually in [0,1].
type OptionValue struct {
	Option string   `json:"option"`
	Value  Estimate `json:"value"`
}

// Point is a knot of a piecewise-linear value function: value Y at X. The
// function is linear between knots and constant beyond the outer ones.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Eval evaluates the piecewise-linear function through pts (sorted by X) at x.
func Eval(pts []Point, x float64) float64 {
	if len(pts) == 0 {
		return 0
	}
	if x <= pts[0].X {
		return pts[0].Y
	}
	for i := 1; i < len(pts); i++ {
		if x <= pts[i].X {
			a, b := pts[i-1], pts[i]
			if b.X == a.X {
				return b.Y
			}
			return a.Y + (b.Y-a.Y)*(x-a.X)/(b.X-a.X)
		}
	}
	return pts[len(pts)-1].Y
}

// A Rect is a hyper-rectangle constraint (Genius' nonlinear ANAC 2014
// utilities): Utility is earned by every outcome that meets all Conditions.
type Rect struct {
	Utility    Estimate    `json:"utility"`
	Conditions []Condition `json:"conditions"`
}

// A Condition restricts one issue. For categorical issues it names the
// options that meet it; for numeric issues it gives an inclusive range on
// the option values (a "not addressed" option lies in no range). Both may be
// given: the option must then be named and in range. Exclude inverts it.
type Condition struct {
	Issue   string   `json:"issue"`
	Options []string `json:"options,omitempty"`
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Exclude bool     `json:"exclude,omitempty"`
}

// Meets reports whether option opt of issue is within the condition.
func (c Condition) Meets(issue *Issue, opt int) bool {
	o := issue.Options[opt]
	in := true
	if len(c.Options) > 0 {
		in = false
		for _, l := range c.Options {
			if l == o.Label {
				in = true
				break
			}
		}
	}
	// A "not addressed" option has no number: it is never within a range.
	if (c.Min != nil || c.Max != nil) && o.NotAddressed {
		in = false
	}
	if c.Min != nil && o.Value < *c.Min {
		in = false
	}
	if c.Max != nil && o.Value > *c.Max {
		in = false
	}
	return in != c.Exclude
}

// A RedLine is a set of outcomes a principal never accepts: those that meet
// all of its Conditions (for example one issue's option it deems inadmissible).
//
// Red lines are identified by name: principals that list a red line of the
// same name hold the same red line (several factions of a delegation, or
// several parties), and the blocking analysis relaxes it for all of them
// together.
type RedLine struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Conditions  []Condition `json:"conditions"`
	Sources     []Cite      `json:"sources,omitempty"`
	Assumption  string      `json:"assumption,omitempty"`
	// Quote is the demand in a report's own words, when a report quotes it.
	Quote *Quote `json:"quote,omitempty"`
}

// A Quote is text taken word for word from a source.
type Quote struct {
	Source string `json:"source"`
	Text   string `json:"text"`
}

// An Estimate is a number an analyst put down: a point value, optionally a
// range of uncertainty (Low..High, used by simulation; analysis uses Value),
// and what it rests on: the sources, or an analyst's assumption (a reason
// no source states), or both when sources give the context an assumption
// works from.
type Estimate struct {
	Value      float64 `json:"value"`
	Low        float64 `json:"low,omitempty"`
	High       float64 `json:"high,omitempty"`
	Ranged     bool    `json:"ranged,omitempty"`
	Sources    []Cite  `json:"sources,omitempty"`
	Assumption string  `json:"assumption,omitempty"`
}

// Based reports whether the estimate cites a source or is labelled an
// assumption.
func (e *Estimate) Based() bool { return len(e.Sources) > 0 || e.Assumption != "" }

// Cite points at a Source and says in a line why it supports an estimate.
type Cite struct {
	Source string `json:"source"`
	Reason string `json:"reason,omitempty"`
}

// A Source is a document that estimates rest on.
//
// Sources with the same Family are one source family (for example two
// articles that repeat the same talking points): they count once when a
// tool says how many independent reports support a claim.
type Source struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	File    string `json:"file,omitempty"`
	URL     string `json:"url,omitempty"`
	Leaning string `json:"leaning,omitempty"`
	Note    string `json:"note,omitempty"`
	Family  string `json:"family,omitempty"`
}

// A Variant is a named alternative account of the scenario (for example "as
// reported by S2"). Loaders apply its overrides on top of the base (or on
// top of the variant it Extends); the Scenario keeps the list so that tools
// can compare variants.
//
// A variant with a Prior is an account: one source's (or source family's)
// version of events, weighted by the analyst's prior belief in it when
// simulation samples over accounts. Variants without one are what-ifs.
type Variant struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Sources     []Cite    `json:"sources,omitempty"`
	Assumption  string    `json:"assumption,omitempty"`
	Extends     string    `json:"extends,omitempty"`
	Prior       *Estimate `json:"prior,omitempty"`
}

// IssueIndex returns the index of the issue with the given name, or -1.
func (s *Scenario) IssueIndex(name string) int {
	for i := range s.Issues {
		if s.Issues[i].Name == name {
			return i
		}
	}
	return -1
}

// OptionIndex returns the index of the option labelled label, or -1.
func (is *Issue) OptionIndex(label string) int {
	for i := range is.Options {
		if is.Options[i].Label == label {
			return i
		}
	}
	return -1
}

package parley

import (
	"fmt"
	"strings"
)

// CommitmentKind says what a commitment binds its owers to.
type CommitmentKind int

// Commitment kinds.
const (
	// Obligation is an act the owers must perform: once by a due day, or
	// on a schedule (a report every 30 days).
	Obligation CommitmentKind = iota
	// Prohibition is an act the owers must not perform while the
	// commitment holds (no cross-border attacks by its forces).
	Prohibition
	// Guarantee is an assurance that a state of affairs holds (the
	// guarantor's soil is not used for attacks). It is checked like a
	// prohibition: a ruling that attributes a breach of it to an ower
	// breaks it.
	Guarantee
)

// String returns the kind as written in scenario files.
func (k CommitmentKind) String() string {
	switch k {
	case Obligation:
		return "obligation"
	case Prohibition:
		return "prohibition"
	case Guarantee:
		return "guarantee"
	}
	return "unknown"
}

// MarshalText writes the kind's name.
func (k CommitmentKind) MarshalText() ([]byte, error) { return marshalEnum(k, 3) }

// UnmarshalText reads a kind's name.
func (k *CommitmentKind) UnmarshalText(b []byte) error {
	return unmarshalEnum(k, 3, "commitment kind", b)
}

// BreachAction is what a ruled breach of a commitment sets in motion.
type BreachAction int

// Breach actions.
const (
	// Consultation: the parties (and whoever the clause names) meet.
	Consultation BreachAction = iota
	// Referral: the breach goes to the guarantors or mediators named.
	Referral
	// Suspension: the wronged party may suspend the commitments it owes
	// that the clause lists.
	Suspension
	// Response: the wronged party may respond as it sees fit, including
	// by force (the right Pakistan reserves in S3 and S4).
	Response
)

// String returns the action as written in scenario files.
func (a BreachAction) String() string {
	switch a {
	case Consultation:
		return "consultation"
	case Referral:
		return "referral"
	case Suspension:
		return "suspension"
	case Response:
		return "response"
	}
	return "unknown"
}

// MarshalText writes the action's name.
func (a BreachAction) MarshalText() ([]byte, error) { return marshalEnum(a, 4) }

// UnmarshalText reads an action's name.
func (a *BreachAction) UnmarshalText(b []byte) error {
	return unmarshalEnum(a, 4, "breach action", b)
}

// enum is an integer enumeration whose values 0..n-1 have names.
type enum interface {
	~int
	String() string
}

func marshalEnum[T enum](v T, n int) ([]byte, error) {
	if int(v) < 0 || int(v) >= n {
		return nil, fmt.Errorf("parley: %T value %d out of range", v, int(v))
	}
	return []byte(v.String()), nil
}

func unmarshalEnum[T enum](v *T, n int, what string, b []byte) error {
	var names []string
	for i := 0; i < n; i++ {
		if T(i).String() == string(b) {
			*v = T(i)
			return nil
		}
		names = append(names, T(i).String())
	}
	return Errorf(EINVALID, "unknown %s %q; expected one of %s", what, b, strings.Join(names, ", "))
}

// A Commitment is an undertaking that an option puts into an agreement:
// who owes what to whom, by when, who checks it, and what a breach sets in
// motion. Options create commitments; an agreement's commitments are those
// of its agreed options (see Scenario.Agree, which makes an Accord).
//
// Names in By, To, VerifiedBy and OnBreach are party names, role names, or
// the seat "mediators" (every mediator role acting together).
type Commitment struct {
	// ID names the commitment; unique among an option's commitments, and
	// options of different issues never share one (both could be agreed).
	ID   string         `json:"id"`
	Kind CommitmentKind `json:"kind"`
	// Text says in a line what is owed.
	Text string `json:"text"`
	// By lists the owers; To the beneficiaries.
	By []string `json:"by"`
	To []string `json:"to,omitempty"`
	// Due says when the commitment falls due or how long it holds.
	Due Due `json:"due"`
	// VerifiedBy names who confirms or contests a reported fulfilment of
	// an obligation: "mechanism" (the chair of the agreed monitoring
	// body, else the mediators when they investigate, else the
	// beneficiaries), "mediators", or a party or role. Empty: the
	// beneficiaries (To).
	VerifiedBy string `json:"verified_by,omitempty"`
	// OnBreach is what a ruled breach triggers; nil: nothing beyond the
	// record.
	OnBreach *Breach `json:"on_breach,omitempty"`
	// Assume holds the analyst's assumptions about the commitment for
	// `parley monitor simulate`; they are estimates, not clause text.
	Assume  CommitmentAssumptions `json:"assume"`
	Sources []Cite                `json:"sources,omitempty"`
	// Issue and Option name the clause that created the commitment; set
	// by Scenario.Agree, empty in a scenario.
	Issue  string `json:"issue,omitempty"`
	Option string `json:"option,omitempty"`
}

// Due says when a commitment is due, in days after signature (day 0).
//
// An obligation has exactly one of Within (a one-off, due on day Within;
// 0 is at signature) and Every (periodic: instance k falls due on day
// From + k·Every, k = 1, 2, ..., up to Until when set). A prohibition or
// a guarantee holds from day From until day Until (0: for as long as the
// agreement stands) and has neither.
type Due struct {
	Within *int `json:"within,omitempty"`
	Every  int  `json:"every,omitempty"`
	From   int  `json:"from,omitempty"`
	Until  int  `json:"until,omitempty"`
}

// Holds reports whether a prohibition or guarantee with this Due binds on
// the given day (days after signature).
func (d Due) Holds(day int) bool {
	return day >= d.From && (d.Until == 0 || day <= d.Until)
}

// Instances returns the due days of an obligation's instances up to and
// including day horizon (for a periodic obligation without Until, the
// instances due by then); a one-off obligation has one instance whatever
// the horizon.
func (d Due) Instances(horizon int) []int {
	if d.Within != nil {
		return []int{*d.Within}
	}
	if d.Every <= 0 {
		return nil
	}
	var out []int
	for k := 1; ; k++ {
		day := d.From + k*d.Every
		if (d.Until > 0 && day > d.Until) || day > horizon {
			return out
		}
		out = append(out, day)
	}
}

// String describes the schedule in words, for reports.
func (d Due) String() string {
	switch {
	case d.Within != nil && *d.Within == 0:
		return "at signature"
	case d.Within != nil:
		return fmt.Sprintf("within %d days", *d.Within)
	case d.Every > 0:
		s := fmt.Sprintf("every %d days", d.Every)
		if d.From > 0 {
			s += fmt.Sprintf(" from day %d", d.From)
		}
		if d.Until > 0 {
			s += fmt.Sprintf(" until day %d", d.Until)
		}
		return s
	case d.Until > 0:
		return fmt.Sprintf("from day %d to day %d", d.From, d.Until)
	case d.From > 0:
		return fmt.Sprintf("from day %d", d.From)
	}
	return "standing"
}

// A Breach says what a ruled breach of a commitment sets in motion.
type Breach struct {
	Action BreachAction `json:"action"`
	// By lists who carries the consequence out; empty: the commitment's
	// beneficiaries (To).
	By []string `json:"by,omitempty"`
	// Within is the deadline in days after the ruling; 0: none.
	Within int `json:"within,omitempty"`
	// EscalateTo names who takes the consequence over when it is overdue;
	// empty: it stays overdue.
	EscalateTo string `json:"escalate_to,omitempty"`
	// Suspends lists, for a Suspension, the commitments the wronged party
	// may suspend.
	Suspends []string `json:"suspends,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// CommitmentAssumptions are an analyst's estimates about how a commitment
// fares, used only by the Monte Carlo of `parley monitor simulate`. Nil
// means not assumed (the commitment is not simulated).
type CommitmentAssumptions struct {
	// Rate is the expected number of true breaches by the owers per 30
	// days (prohibitions and guarantees).
	Rate *Estimate `json:"rate,omitempty"`
	// Lookalike is the expected number per 30 days of incidents that will
	// be alleged as breaches but are not the owers' doing.
	Lookalike *Estimate `json:"lookalike,omitempty"`
	// Force is the probability that a ruling attributing a breach leads a
	// beneficiary to respond by force (with OnBreach action response).
	Force *Estimate `json:"force,omitempty"`
	// OnTime is the probability that each instance of an obligation is
	// fulfilled by its due day (obligations only).
	OnTime *Estimate `json:"on_time,omitempty"`
}

// A Procedure is the part of the verification procedure that an option
// sets: who investigates an allegation, who rules on it, the deadlines of
// each step and where an overdue step goes. An agreement's Mechanism
// combines its agreed options' procedures.
type Procedure struct {
	Investigate *Investigation       `json:"investigate,omitempty"`
	Rule        *Ruling              `json:"rule,omitempty"`
	Assume      ProcedureAssumptions `json:"assume"`
	Sources     []Cite               `json:"sources,omitempty"`
}

// Reserved seat and body names.
const (
	// SeatMediators is the seat of the mediator roles acting together.
	SeatMediators = "mediators"
	// BodyJoint is an investigation or ruling by members of every party.
	BodyJoint = "joint"
	// BodyConsensus is a ruling that every party must agree to, with no
	// casting vote.
	BodyConsensus = "consensus"
	// VerifierMechanism names the body the agreed monitoring clause sets up.
	VerifierMechanism = "mechanism"
)

// An Investigation says who may investigate an allegation and how fast.
type Investigation struct {
	// By lists the bodies that may investigate: BodyJoint (members of
	// every party, who must agree on the finding), SeatMediators, or a
	// party (alone). The first is the default.
	By []string `json:"by"`
	// Chair, for a joint investigation, breaks a split finding; empty:
	// a split stays split.
	Chair string `json:"chair,omitempty"`
	// OpenWithin is the deadline in days from an allegation to the
	// opening of its investigation; ReportWithin from the opening to the
	// finding. 0: no deadline.
	OpenWithin   int `json:"open_within,omitempty"`
	ReportWithin int `json:"report_within,omitempty"`
	// EscalateTo names who may take an overdue step over; empty: the step
	// stays overdue.
	EscalateTo string `json:"escalate_to,omitempty"`
}

// A Ruling says who may rule on an allegation once it has a finding.
type Ruling struct {
	// By is BodyJoint (every party's members concur; Casting breaks a
	// split), BodyConsensus (every party concurs; no casting vote), or a
	// party's name (it rules alone).
	By      string `json:"by"`
	Casting string `json:"casting,omitempty"`
	// Dissent lists who may file a dissent against a ruling; for a
	// party's ruling the default is every other party.
	Dissent []string `json:"dissent,omitempty"`
	// Within is the deadline in days from the finding to the ruling; 0:
	// none.
	Within     int    `json:"within,omitempty"`
	EscalateTo string `json:"escalate_to,omitempty"`
}

// ProcedureAssumptions are an analyst's estimates about how a procedure
// performs, used only by the Monte Carlo of `parley monitor simulate`.
type ProcedureAssumptions struct {
	// Detection is the probability that an investigation establishes
	// where an incident came from (set by monitoring clauses).
	Detection *Estimate `json:"detection,omitempty"`
	// FalseAttribution is the probability that a ruling attributes an
	// incident the investigation could not pin on the accused (set by
	// attribution clauses).
	FalseAttribution *Estimate `json:"false_attribution,omitempty"`
	// Dispute is the probability that the losing side disputes a ruling
	// backed by a finding (set by attribution clauses).
	Dispute *Estimate `json:"dispute,omitempty"`
}

// A Mechanism is an agreement's verification procedure: the investigation
// and ruling rules of its agreed options, with defaults where no agreed
// option sets them (each party investigates for itself; a ruling needs
// every party's consent).
type Mechanism struct {
	Investigate Investigation        `json:"investigate"`
	Rule        Ruling               `json:"rule"`
	Assume      ProcedureAssumptions `json:"assume"`
	// InvestigateFrom and RuleFrom name the clauses ("issue=option") that
	// set each part; empty: the default.
	InvestigateFrom string `json:"investigate_from,omitempty"`
	RuleFrom        string `json:"rule_from,omitempty"`
}

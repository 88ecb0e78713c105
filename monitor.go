package parley

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// An Accord is a signed agreement followed into its implementation: its
// clauses, the commitments they create (the commitment register), the
// verification mechanism they set up, and the seats that act in it. It is
// self-contained: monitoring never needs the scenario again.
type Accord struct {
	Scenario string `json:"scenario"`
	Variant  string `json:"variant,omitempty"`
	// Signed is the date of signature, YYYY-MM-DD: day 0 of every due
	// date and deadline.
	Signed      string         `json:"signed"`
	Clauses     []AgreedClause `json:"clauses"`
	Commitments []Commitment   `json:"commitments"`
	Mechanism   Mechanism      `json:"mechanism"`
	// Parties are the negotiating parties; Seats every actor of the
	// verification mechanism: the parties, SeatMediators when the
	// scenario has mediators, and the other roles the commitments name.
	Parties []string `json:"parties"`
	Seats   []string `json:"seats"`
	// Mediators are the mediator roles that SeatMediators stands for.
	Mediators []string `json:"mediators,omitempty"`
	// Origin says how the agreement was reached ("simulate seed 1").
	Origin string `json:"origin,omitempty"`
}

// An AgreedClause is one issue's agreed option.
type AgreedClause struct {
	Issue        string `json:"issue"`
	Option       string `json:"option"`
	Clause       string `json:"clause,omitempty"`
	NotAddressed bool   `json:"not_addressed,omitempty"`
}

// DateLayout is the layout of dates in agreements and incidents.
const DateLayout = "2006-01-02"

// SignedDate parses Signed.
func (a *Accord) SignedDate() (time.Time, error) {
	t, err := time.Parse(DateLayout, a.Signed)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "agreement: signature date %q is not YYYY-MM-DD", a.Signed)
	}
	return t, nil
}

// Day returns the number of days from signature to date t (negative
// before signature).
func (a *Accord) Day(t time.Time) (int, error) {
	s, err := a.SignedDate()
	if err != nil {
		return 0, err
	}
	return DaysBetween(s, t), nil
}

// DaysBetween returns the number of calendar days from a to b (both taken
// as dates in UTC).
func DaysBetween(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// Commitment returns the commitment with the given id, or nil.
func (a *Accord) Commitment(id string) *Commitment {
	for i := range a.Commitments {
		if a.Commitments[i].ID == id {
			return &a.Commitments[i]
		}
	}
	return nil
}

// Seat returns the seat a name acts from: SeatMediators for a mediator
// role, the name itself otherwise.
func (a *Accord) Seat(name string) string {
	for _, m := range a.Mediators {
		if m == name {
			return SeatMediators
		}
	}
	return name
}

// IsParty reports whether name is a negotiating party.
func (a *Accord) IsParty(name string) bool {
	for _, p := range a.Parties {
		if p == name {
			return true
		}
	}
	return false
}

// Agree turns an outcome of the scenario into an Accord signed on the
// given date (YYYY-MM-DD): the agreed clauses, the commitments of the
// agreed options (each stamped with its clause) and the mechanism their
// procedures set. The scenario must be valid (Compile it first); o must
// name one option of every issue. Errors are EINVALID.
func (s *Scenario) Agree(o Outcome, signed string) (*Accord, error) {
	if len(o) != len(s.Issues) {
		return nil, Errorf(EINVALID, "agreement: outcome has %d entries, want %d (one per issue)", len(o), len(s.Issues))
	}
	if _, err := time.Parse(DateLayout, signed); err != nil {
		return nil, Errorf(EINVALID, "agreement: signature date %q is not YYYY-MM-DD", signed)
	}
	a := &Accord{Scenario: s.ID, Variant: s.Variant, Signed: signed, Commitments: []Commitment{}}
	for _, p := range s.Parties {
		a.Parties = append(a.Parties, p.Name)
	}
	for _, r := range s.Roles {
		if r.Kind == Mediator {
			a.Mediators = append(a.Mediators, r.Name)
		}
	}
	for i, k := range o {
		is := &s.Issues[i]
		if k < 0 || k >= len(is.Options) {
			return nil, Errorf(EINVALID, "agreement: issue %s: option %d out of range (%d options)", is.Name, k, len(is.Options))
		}
		op := &is.Options[k]
		a.Clauses = append(a.Clauses, AgreedClause{Issue: is.Name, Option: op.Label, Clause: op.Clause, NotAddressed: op.NotAddressed})
		for _, c := range op.Commitments {
			c.Issue, c.Option = is.Name, op.Label
			a.Commitments = append(a.Commitments, c)
		}
		if pr := op.Verification; pr != nil {
			from := is.Name + "=" + op.Label
			if pr.Investigate != nil {
				a.Mechanism.Investigate, a.Mechanism.InvestigateFrom = *pr.Investigate, from
			}
			if pr.Rule != nil {
				a.Mechanism.Rule, a.Mechanism.RuleFrom = *pr.Rule, from
			}
			mergeAssume(&a.Mechanism.Assume, pr.Assume)
		}
	}
	if a.Mechanism.InvestigateFrom == "" {
		a.Mechanism.Investigate = Investigation{By: append([]string(nil), a.Parties...)}
	}
	if a.Mechanism.RuleFrom == "" {
		a.Mechanism.Rule = Ruling{By: BodyConsensus}
	}
	if r := &a.Mechanism.Rule; r.Dissent == nil && a.IsParty(r.By) {
		for _, p := range a.Parties {
			if p != r.By {
				r.Dissent = append(r.Dissent, p)
			}
		}
	}
	a.Seats = a.seats()
	return a, nil
}

func mergeAssume(dst *ProcedureAssumptions, src ProcedureAssumptions) {
	if src.Detection != nil {
		dst.Detection = src.Detection
	}
	if src.FalseAttribution != nil {
		dst.FalseAttribution = src.FalseAttribution
	}
	if src.Dispute != nil {
		dst.Dispute = src.Dispute
	}
}

// seats lists the parties, SeatMediators when there are mediators, and
// every other role a commitment or the mechanism names, sorted.
func (a *Accord) seats() []string {
	set := map[string]bool{}
	for _, p := range a.Parties {
		set[p] = true
	}
	if len(a.Mediators) > 0 {
		set[SeatMediators] = true
	}
	reserved := map[string]bool{BodyJoint: true, BodyConsensus: true, VerifierMechanism: true, "": true}
	add := func(names ...string) {
		for _, n := range names {
			if !reserved[n] {
				set[a.Seat(n)] = true
			}
		}
	}
	for _, c := range a.Commitments {
		add(c.By...)
		add(c.To...)
		add(c.VerifiedBy)
		if c.OnBreach != nil {
			add(c.OnBreach.By...)
			add(c.OnBreach.EscalateTo)
		}
	}
	m := a.Mechanism
	add(m.Investigate.By...)
	add(m.Investigate.Chair, m.Investigate.EscalateTo, m.Rule.By, m.Rule.Casting, m.Rule.EscalateTo)
	add(m.Rule.Dissent...)
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// DatePrecision says how exactly an incident's date is known.
type DatePrecision int

// Date precisions, from exact to vague (ACLED time_precision 1–3; UCDP GED
// date_prec 1–5).
const (
	PrecisionUnknown DatePrecision = iota
	PrecisionDay                   // the exact day
	PrecisionDays                  // within a span of two to six days
	PrecisionWeek                  // within a week
	PrecisionMonth                 // within a month
	PrecisionYear                  // within a year
)

// String returns the precision's name.
func (p DatePrecision) String() string {
	switch p {
	case PrecisionUnknown:
		return "unknown"
	case PrecisionDay:
		return "day"
	case PrecisionDays:
		return "days"
	case PrecisionWeek:
		return "week"
	case PrecisionMonth:
		return "month"
	case PrecisionYear:
		return "year"
	}
	return "invalid"
}

// MarshalText writes the precision's name.
func (p DatePrecision) MarshalText() ([]byte, error) { return marshalEnum(p, 6) }

// UnmarshalText reads a precision's name.
func (p *DatePrecision) UnmarshalText(b []byte) error {
	return unmarshalEnum(p, 6, "date precision", b)
}

// An Incident is a reported event that monitors may allege breaks a
// commitment: when and how exactly, where, who was involved, what happened,
// the casualties, the sources and who reported it. Key identifies it
// across imports ("acled:PAK1234", "ucdp:456789").
type Incident struct {
	Key     string `json:"key"`
	Dataset string `json:"dataset"` // "acled", "ucdp", or who filed it by hand
	ID      string `json:"id"`      // the dataset's own id
	// Date is the (first) day, YYYY-MM-DD; DateEnd the last when the
	// source gives a span.
	Date      string        `json:"date"`
	DateEnd   string        `json:"date_end,omitempty"`
	Precision DatePrecision `json:"precision"`
	Country   string        `json:"country,omitempty"`
	Admin1    string        `json:"admin1,omitempty"`
	Admin2    string        `json:"admin2,omitempty"`
	Location  string        `json:"location,omitempty"`
	// Latitude and Longitude in degrees (WGS 84); nil when not given.
	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
	// GeoPrecision is the dataset's own location precision code (ACLED
	// geo_precision 1–3, UCDP where_prec 1–7); 0 when not given.
	GeoPrecision int    `json:"geo_precision,omitempty"`
	EventType    string `json:"event_type,omitempty"`
	SubEventType string `json:"sub_event_type,omitempty"`
	Actor1       string `json:"actor1,omitempty"`
	Actor2       string `json:"actor2,omitempty"`
	// Fatalities is the best estimate (ACLED fatalities, UCDP best);
	// FatalitiesLow and FatalitiesHigh bound it when the source does.
	Fatalities     int      `json:"fatalities"`
	FatalitiesLow  *int     `json:"fatalities_low,omitempty"`
	FatalitiesHigh *int     `json:"fatalities_high,omitempty"`
	Sources        []string `json:"sources,omitempty"`
	Notes          string   `json:"notes,omitempty"`
	// Confidence is the source's own word on how sure it is ("high" or
	// "low" from UCDP event_clarity); empty when it gives none.
	Confidence string `json:"confidence,omitempty"`
	// ReportedBy is who put the incident in the register.
	ReportedBy string `json:"reported_by,omitempty"`
}

// CaseEventKind is the kind of a verification event. The first kinds
// (allege through tick) are inputs to the verification machine; the rest
// are what it produces.
type CaseEventKind int

// Verification event kinds.
const (
	CaseAllege      CaseEventKind = iota // a seat alleges that an incident breaks commitments of an accused party
	CaseOpen                             // a body opens the investigation of a case
	CaseEvidence                         // a seat submits evidence to the investigation
	CaseFind                             // an investigator submits its finding (a member's view, for a joint body)
	CaseRule                             // a seat rules (a vote, for a joint or consensus ruling)
	CaseDissent                          // a seat files a dissent against a ruling
	CaseApply                            // a seat reports a consequence carried out
	CaseReport                           // an ower reports an obligation fulfilled
	CaseConfirm                          // a verifier confirms a reported fulfilment
	CaseContest                          // a verifier or beneficiary contests a reported fulfilment
	CaseTick                             // time passes
	CaseFinding                          // the investigation's finding stands
	CaseSplit                            // a joint body's members disagree
	CaseRuling                           // the ruling stands
	CaseConsequence                      // a breach is established and its consequence falls due
	CaseOverdue                          // a step passed its deadline
	CaseEscalated                        // an overdue step passes to the body the text names
	CaseMissed                           // an obligation's instance fell due unfulfilled
	CaseSuspended                        // a commitment is suspended by a consequence
	CaseRejected                         // an input the mechanism does not allow, recorded and refused
	numCaseEventKinds
)

var caseEventNames = [...]string{"allege", "open", "evidence", "find", "rule", "dissent", "apply", "report", "confirm", "contest", "tick",
	"finding", "split", "ruling", "consequence", "overdue", "escalated", "missed", "suspended", "rejected"}

// String returns the kind's name.
func (k CaseEventKind) String() string {
	if k >= 0 && k < numCaseEventKinds {
		return caseEventNames[k]
	}
	return "unknown"
}

// Input reports whether the kind is an input of the verification machine.
func (k CaseEventKind) Input() bool { return k >= CaseAllege && k <= CaseTick }

// MarshalText writes the kind's name.
func (k CaseEventKind) MarshalText() ([]byte, error) { return marshalEnum(k, int(numCaseEventKinds)) }

// UnmarshalText reads a kind's name.
func (k *CaseEventKind) UnmarshalText(b []byte) error {
	return unmarshalEnum(k, int(numCaseEventKinds), "verification event kind", b)
}

// Verdict is what a finding or ruling concludes.
type Verdict int

// Verdicts.
const (
	NoVerdict       Verdict = iota
	Attributed              // the incident is attributed to the accused party
	NotAttributable         // it happened but cannot be attributed to the accused
	Unfounded               // it did not happen as alleged, or breaks no commitment
)

// String returns the verdict's name.
func (v Verdict) String() string {
	switch v {
	case NoVerdict:
		return "none"
	case Attributed:
		return "attributed"
	case NotAttributable:
		return "not_attributable"
	case Unfounded:
		return "unfounded"
	}
	return "unknown"
}

// MarshalText writes the verdict's name.
func (v Verdict) MarshalText() ([]byte, error) { return marshalEnum(v, 4) }

// UnmarshalText reads a verdict's name.
func (v *Verdict) UnmarshalText(b []byte) error { return unmarshalEnum(v, 4, "verdict", b) }

// A CaseEvent is one record of an agreement's verification log: an input
// to the verification machine or an event it produced. Events are plain
// data in the order the machine produced them (Seq), each with the
// audience of seats that may see it, so that they can be appended to an
// audited log and each seat shown its own view.
type CaseEvent struct {
	Seq  int           `json:"seq"`
	Day  int           `json:"day"` // days after signature
	Kind CaseEventKind `json:"kind"`
	// Case names the allegation; Commitment and Instance the obligation
	// instance of report, confirm, contest, missed and suspended events.
	Case       string `json:"case,omitempty"`
	Commitment string `json:"commitment,omitempty"`
	Instance   int    `json:"instance,omitempty"`
	// By is the seat that acted ("" for events the machine produced).
	By string `json:"by,omitempty"`
	// Audience lists the seats that may see the event, sorted.
	Audience []string `json:"audience"`
	// Allege: the incident, the accused party and the commitments alleged
	// broken.
	Incident    string   `json:"incident,omitempty"`
	Accused     string   `json:"accused,omitempty"`
	Commitments []string `json:"commitments,omitempty"`
	// Body is the investigating body (open), or who made a finding or
	// ruling stand ("joint", "mediators (casting)", a party).
	Body    string  `json:"body,omitempty"`
	Verdict Verdict `json:"verdict,omitempty"`
	// Action is a consequence's breach action.
	Action *BreachAction `json:"action,omitempty"`
	// Step names the step an overdue or escalated event is about: open,
	// find, rule or apply.
	Step string `json:"step,omitempty"`
	// Deadline is the day the next step is due (0: none).
	Deadline int `json:"deadline,omitempty"`
	// To is the seat an escalated step passes to.
	To string `json:"to,omitempty"`
	// Confidential evidence is seen by the mediators and the submitter only.
	Confidential bool   `json:"confidential,omitempty"`
	Note         string `json:"note,omitempty"`
}

// Visible reports whether seat may see the event.
func (e *CaseEvent) Visible(seat string) bool {
	i := sort.SearchStrings(e.Audience, seat)
	return i < len(e.Audience) && e.Audience[i] == seat
}

// String is a one-line summary, for logs and errors.
func (e *CaseEvent) String() string {
	s := fmt.Sprintf("#%d d%d %s", e.Seq, e.Day, e.Kind)
	if e.Case != "" {
		s += " " + e.Case
	}
	if e.By != "" {
		s += " by " + e.By
	}
	return s
}

// MonitorStore keeps an agreement's monitoring record: the agreement with
// its commitment register, the incident register and the verification
// log. The CLI keeps it in a JSON Lines file (package jsonl); the server
// keeps it in its database. Implementations are safe for one writer.
type MonitorStore interface {
	// Accord returns the signed agreement; ENOTFOUND when none is
	// recorded.
	Accord(ctx context.Context) (*Accord, error)
	// Sign records the agreement. Signing the same agreement again is a
	// no-op; a different one is ECONFLICT.
	Sign(ctx context.Context, a *Accord) error
	// AddIncidents adds the incidents whose Key is not yet recorded, in
	// order, and returns them; incidents already recorded are skipped
	// (re-importing adds nothing twice). An empty or repeated Key within
	// the batch is EINVALID and adds nothing.
	AddIncidents(ctx context.Context, in []Incident) (added []Incident, err error)
	// Incidents returns every recorded incident in the order added.
	Incidents(ctx context.Context) ([]Incident, error)
	// AppendCaseEvents appends verification events; their Seq must follow
	// on from the last recorded one (ECONFLICT otherwise: someone else
	// wrote in between).
	AppendCaseEvents(ctx context.Context, evs []CaseEvent) error
	// CaseEvents returns the verification log in order.
	CaseEvents(ctx context.Context) ([]CaseEvent, error)
}

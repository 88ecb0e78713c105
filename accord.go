package parley

import (
	"sort"
	"strings"
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

// SetClauses sets clauses of o, an outcome of s, from a what-if spec
// "ISSUE=OPTION,ISSUE=OPTION" (issue names and option labels; blank parts
// are skipped): the agreement with some clauses changed, to sign or to
// compare mechanisms. Errors are EINVALID and list the issues or options
// there are.
func (s *Scenario) SetClauses(o Outcome, spec string) error {
	if len(o) != len(s.Issues) {
		return Errorf(EINVALID, "clauses: outcome has %d entries, want %d (one per issue)", len(o), len(s.Issues))
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return Errorf(EINVALID, "clause %q: expected ISSUE=OPTION", part)
		}
		i := s.IssueIndex(k)
		if i < 0 {
			var names []string
			for _, is := range s.Issues {
				names = append(names, is.Name)
			}
			return Errorf(EINVALID, "clause %q: no issue %q; issues: %s", part, k, strings.Join(names, ", "))
		}
		j := s.Issues[i].OptionIndex(v)
		if j < 0 {
			var labels []string
			for _, op := range s.Issues[i].Options {
				labels = append(labels, op.Label)
			}
			return Errorf(EINVALID, "clause %q: issue %s has no option %q; options: %s", part, k, v, strings.Join(labels, ", "))
		}
		o[i] = j
	}
	return nil
}

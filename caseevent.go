package parley

import (
	"fmt"
	"sort"
)

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

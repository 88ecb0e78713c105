package parley

import "context"

// MonitorEventPrefix begins the type of every monitoring event a live
// server appends to a session's chain once the session ends in an
// agreement ("monitor.accord", "monitor.incidents", "monitor.case"):
// the agreement followed into its implementation in the same audited
// record as its negotiation.
const MonitorEventPrefix = "monitor."

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

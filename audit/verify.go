package audit

import (
	"fmt"

	"github.com/parleyhq/parley"
)

// Fault says how a chain breaks.
type Fault int

// Faults, in the order a Verifier checks them at each event.
const (
	// Holds: no fault.
	Holds Fault = iota
	// WrongSession: the event belongs to another session.
	WrongSession
	// OutOfPlace: the event's sequence number is not the next one (an
	// event deleted, inserted or reordered); Result.Found is the seq
	// found.
	OutOfPlace
	// BadLink: the event's Prev is not the hash of the event before (or
	// the genesis): an event before it was replaced, or the definition
	// edited.
	BadLink
	// BadHash: the event's Hash does not match its content: the event was
	// edited.
	BadHash
	// Missing: the chain ends before the event count its head claims;
	// Result.Found is the claimed count.
	Missing
	// Extra: the chain goes on past the event count its head claims;
	// Result.Found is the claimed count.
	Extra
	// BadHead: the head's hash is not the hash of the chain's last event
	// (or the genesis).
	BadHead
	// NoEnd: the record ends without the head that should close it (a
	// transcript without its trailer): its tail was cut off. Seq is the
	// first seq that may be missing. Verifier never reports it; readers of
	// such records do.
	NoEnd
)

var faultNames = [...]string{
	Holds:        "holds",
	WrongSession: "event of another session",
	OutOfPlace:   "event out of place (deleted, inserted or reordered)",
	BadLink:      "prev hash does not link to the event before",
	BadHash:      "hash does not match the event's content",
	Missing:      "chain ends before its head",
	Extra:        "chain goes past its head",
	BadHead:      "head hash does not match the last event",
	NoEnd:        "the record ends without its head (cut short?)",
}

// String names the fault.
func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Result is what a Verifier found.
type Result struct {
	// Fault is Holds or how the chain breaks.
	Fault Fault
	// Seq is the first sequence number where the chain breaks: the seq the
	// faulty event should have had, or, for Missing, the first seq that
	// is absent. Meaningless when the chain holds.
	Seq int64
	// Found is, for OutOfPlace, the seq found at Seq; for Missing and
	// Extra, the event count the head claims.
	Found int64
	// Events counts the events that checked out (a prefix of the chain)
	// and Head is the hash of the last of them (the genesis for none).
	Events int64
	Head   parley.Hash
}

// Holds reports whether the chain holds.
func (r Result) Holds() bool { return r.Fault == Holds }

// Err returns nil if the chain holds, else a *BreakError.
func (r Result) Err() error {
	if r.Holds() {
		return nil
	}
	return &BreakError{Seq: r.Seq, Fault: r.Fault, Found: r.Found}
}

// BreakError says where and how a chain breaks.
type BreakError struct {
	Seq   int64
	Fault Fault
	Found int64
}

// Error says "chain breaks at seq N: why".
func (e *BreakError) Error() string {
	return fmt.Sprintf("chain breaks at seq %d: %s", e.Seq, e.Reason())
}

// Reason says how the chain breaks, without where.
func (e *BreakError) Reason() string {
	why := e.Fault.String()
	switch e.Fault {
	case OutOfPlace:
		why = fmt.Sprintf("found seq %d: %s", e.Found, why)
	case Missing:
		why = fmt.Sprintf("%s: the chain has %d events, the head says %d", why, e.Seq, e.Found)
	case Extra:
		why = fmt.Sprintf("%s: the head says %d events", why, e.Found)
	}
	return why
}

// Verifier checks a session's events one at a time, in order. It holds
// only the last hash, so a chain of any length streams through it.
type Verifier struct {
	chain Chain
	res   Result
}

// NewVerifier returns a Verifier for the chain of session starting at
// genesis.
func NewVerifier(session string, genesis parley.Hash) *Verifier {
	v := &Verifier{chain: NewChain(session, genesis)}
	v.res.Head = genesis
	return v
}

// Step checks the next event and reports whether the chain still holds.
// Once it breaks, Step does nothing and returns false.
func (v *Verifier) Step(e *parley.EventRecord) bool {
	if !v.res.Holds() {
		return false
	}
	c := &v.chain
	fault := Holds
	switch {
	case e.Session != c.Session:
		fault = WrongSession
	case e.Seq != c.Next:
		fault = OutOfPlace
		v.res.Found = e.Seq
	case e.Prev != c.Head:
		fault = BadLink
	case Sum(e) != e.Hash:
		fault = BadHash
	}
	if fault != Holds {
		v.res.Fault, v.res.Seq = fault, c.Next
		return false
	}
	c.Next++
	c.Head = e.Hash
	v.res.Events, v.res.Head = c.Next, c.Head
	return true
}

// Result returns what the Verifier found so far.
func (v *Verifier) Result() Result { return v.res }

// End finishes the check against the head that the store (or a
// transcript's trailer) claims; a nil head claims nothing. It returns the
// final Result.
func (v *Verifier) End(head *parley.ChainHead) Result {
	if !v.res.Holds() || head == nil {
		return v.res
	}
	n := v.chain.Next
	switch {
	case head.Events > n:
		v.res.Fault, v.res.Seq, v.res.Found = Missing, n, head.Events
	case head.Events < n:
		v.res.Fault, v.res.Seq, v.res.Found = Extra, head.Events, head.Events
	case head.Hash != v.chain.Head:
		v.res.Fault, v.res.Seq = BadHead, max(n-1, 0)
	}
	return v.res
}

// Verify checks a whole chain: events in stored order, from the genesis of
// session, against head (nil: no claim about its end).
func Verify(session string, genesis parley.Hash, events []parley.EventRecord, head *parley.ChainHead) Result {
	v := NewVerifier(session, genesis)
	for i := range events {
		if !v.Step(&events[i]) {
			break
		}
	}
	return v.End(head)
}

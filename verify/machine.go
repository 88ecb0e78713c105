package verify

import (
	"fmt"
	"sort"
	"strings"

	"github.com/parleyhq/parley"
)

// Stage is where a case stands.
type Stage int

// Stages of a case.
const (
	Alleged       Stage = iota // filed, no investigation yet
	Investigating              // an investigation is open
	Found                      // the finding stands; awaiting a ruling
	Ruled                      // the ruling stands; consequences pending
	Closed                     // ruled, and every consequence carried out (or none due)
)

// String returns the stage's name.
func (s Stage) String() string {
	switch s {
	case Alleged:
		return "alleged"
	case Investigating:
		return "investigating"
	case Found:
		return "found"
	case Ruled:
		return "ruled"
	case Closed:
		return "closed"
	}
	return "unknown"
}

// Steps of a case, as named in overdue and escalated events.
const (
	StepOpen  = "open"
	StepFind  = "find"
	StepRule  = "rule"
	StepApply = "apply"
)

// A Case is one allegation and how far it has come. The machine returns
// copies; changing them changes nothing.
type Case struct {
	ID          string
	Incident    string
	Accused     string
	Commitments []string
	By          string // who alleged
	Filed       int
	Stage       Stage
	// Body is the investigating body; Opened the day it opened.
	Body   string
	Opened int
	// Views are a joint body's members' findings so far.
	Views map[string]parley.Verdict
	// Finding, FoundBy and FoundOn: the finding once it stands. A split
	// finding (a joint body without a chair that cannot agree) stands with
	// Finding NoVerdict and Split set.
	Finding parley.Verdict
	FoundBy string
	FoundOn int
	Split   bool
	// Votes are the parties' rulings so far under a joint or consensus
	// ruling; Deadlocked is set while a consensus vote is split.
	Votes      map[string]parley.Verdict
	Deadlocked bool
	// Ruling, RuledBy and RuledOn: the ruling once it stands. CastOver
	// lists the parties whose vote a casting decision overrode.
	Ruling   parley.Verdict
	RuledBy  string
	RuledOn  int
	CastOver []string
	Dissents []string
	// Consequences are the consequences a ruled breach triggered.
	Consequences []Consequence
	// Deadline is the day the next step is due (0: none); Overdue lists
	// the steps that passed their deadline, Escalated the seat each
	// escalated step passed to.
	Deadline  int
	Overdue   []string
	Escalated map[string]string
}

// Disputed reports whether the case's ruling is contested: a dissent was
// filed, a casting decision overrode a party, or a consensus vote is
// deadlocked.
func (c *Case) Disputed() bool {
	return len(c.Dissents) > 0 || len(c.CastOver) > 0 || c.Deadlocked
}

// A Consequence is what a ruled breach (or a missed obligation) set in
// motion.
type Consequence struct {
	Commitment string
	Instance   int // for a missed obligation
	Action     parley.BreachAction
	By         []string // seats that may carry it out
	Due        int      // day it falls due (0: no deadline)
	Applied    int      // day it was carried out; -1 while pending
	Overdue    bool
	EscalateTo string
	Escalated  bool
}

// An Instance is one due date of an obligation and what became of it.
type Instance struct {
	Commitment string
	N          int // 1-based
	Due        int
	Reported   int // day reported; -1 if not
	Confirmed  int // day a verifier confirmed; -1 if not
	Contested  int // day last contested; -1 if not
	ContestBy  string
	Missed     bool // the due day passed unreported
}

// Machine is an accord's verification mechanism. It is not safe for
// concurrent use.
type Machine struct {
	a         *parley.Accord
	day       int
	seq       int
	all       []string // every seat, sorted
	cases     map[string]*Case
	order     []string // case ids in filing order
	active    []*Case  // cases not closed, in filing order: what time can make overdue
	inst      map[string][]*Instance
	missedTo  map[string]int // periodic obligations: instances checked up to this number
	suspended map[string]int // commitment id → day suspended
	misses    []*Consequence // consequences of missed obligations
}

// New returns a machine for the accord at day 0. The accord must come
// from Scenario.Agree (or a store); an accord whose mechanism names no
// ruler is EINVALID.
func New(a *parley.Accord) (*Machine, error) {
	if a == nil || len(a.Parties) < 2 {
		return nil, parley.Errorf(parley.EINVALID, "verify: an accord needs at least two parties")
	}
	if a.Mechanism.Rule.By == "" || len(a.Mechanism.Investigate.By) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "verify: the accord's mechanism says nobody investigates or rules")
	}
	m := &Machine{
		a: a, all: append([]string(nil), a.Seats...),
		cases: map[string]*Case{}, inst: map[string][]*Instance{},
		missedTo: map[string]int{}, suspended: map[string]int{},
	}
	sort.Strings(m.all)
	for _, c := range a.Commitments {
		if c.Kind != parley.Obligation {
			continue
		}
		if c.Due.Within != nil || c.Due.Until > 0 {
			for k, d := range c.Due.Instances(1 << 30) {
				m.inst[c.ID] = append(m.inst[c.ID], newInstance(c.ID, k+1, d))
			}
		}
	}
	return m, nil
}

func newInstance(id string, n, due int) *Instance {
	return &Instance{Commitment: id, N: n, Due: due, Reported: -1, Confirmed: -1, Contested: -1}
}

// Accord returns the accord the machine verifies.
func (m *Machine) Accord() *parley.Accord { return m.a }

// Day returns the machine's clock: the day of the last input.
func (m *Machine) Day() int { return m.day }

// Cases returns copies of the cases in filing order.
func (m *Machine) Cases() []Case {
	out := make([]Case, 0, len(m.order))
	for _, id := range m.order {
		out = append(out, copyCase(m.cases[id]))
	}
	return out
}

// Case returns a copy of the named case.
func (m *Machine) Case(id string) (Case, bool) {
	c, ok := m.cases[id]
	if !ok {
		return Case{}, false
	}
	return copyCase(c), true
}

func copyCase(c *Case) Case {
	x := *c
	x.Commitments = append([]string(nil), c.Commitments...)
	x.Views = copyVerdicts(c.Views)
	x.Votes = copyVerdicts(c.Votes)
	x.CastOver = append([]string(nil), c.CastOver...)
	x.Dissents = append([]string(nil), c.Dissents...)
	x.Overdue = append([]string(nil), c.Overdue...)
	x.Consequences = append([]Consequence(nil), c.Consequences...)
	for i := range x.Consequences {
		x.Consequences[i].By = append([]string(nil), c.Consequences[i].By...)
	}
	x.Escalated = map[string]string{}
	for k, v := range c.Escalated {
		x.Escalated[k] = v
	}
	return x
}

func copyVerdicts(v map[string]parley.Verdict) map[string]parley.Verdict {
	out := map[string]parley.Verdict{}
	for k, x := range v {
		out[k] = x
	}
	return out
}

// Instances returns copies of an obligation's instances known so far
// (periodic obligations without an end grow as time passes), in order.
func (m *Machine) Instances(commitment string) []Instance {
	var out []Instance
	for _, in := range m.inst[commitment] {
		out = append(out, *in)
	}
	return out
}

// MissedConsequences returns copies of the consequences that missed
// obligations triggered.
func (m *Machine) MissedConsequences() []Consequence {
	var out []Consequence
	for _, c := range m.misses {
		x := *c
		x.By = append([]string(nil), c.By...)
		out = append(out, x)
	}
	return out
}

// Suspended returns the day a commitment was suspended, and whether it was.
func (m *Machine) Suspended(commitment string) (int, bool) {
	d, ok := m.suspended[commitment]
	return d, ok
}

// View returns the events of evs that seat may see.
func View(evs []parley.CaseEvent, seat string) []parley.CaseEvent {
	var out []parley.CaseEvent
	for i := range evs {
		if evs[i].Visible(seat) {
			out = append(out, evs[i])
		}
	}
	return out
}

// A Refusal says why the mechanism refused an input (it is recorded as a
// rejected event). Step's error wraps it, so that a server can answer
// with its Code: EFORBIDDEN when the text does not let the seat take the
// step (a party ruling where only the other rules), ENOTFOUND for a case
// that was never filed, ECONFLICT for a step that does not fit the
// case's state or the accord (a ruling before the finding).
type Refusal struct {
	Code   string
	Reason string
}

// Error returns the reason.
func (r *Refusal) Error() string { return r.Reason }

func refuse(format string, args ...any) error {
	return &Refusal{Code: parley.ECONFLICT, Reason: fmt.Sprintf(format, args...)}
}

func forbid(format string, args ...any) error {
	return &Refusal{Code: parley.EFORBIDDEN, Reason: fmt.Sprintf(format, args...)}
}

func missing(format string, args ...any) error {
	return &Refusal{Code: parley.ENOTFOUND, Reason: fmt.Sprintf(format, args...)}
}

// out collects the events of one Step.
type out struct {
	m   *Machine
	evs []parley.CaseEvent
}

func (o *out) emit(ev parley.CaseEvent) {
	ev.Seq = o.m.seq
	o.m.seq++
	if ev.Audience == nil {
		ev.Audience = o.m.all
	}
	ev.Audience = append([]string(nil), ev.Audience...)
	sort.Strings(ev.Audience)
	o.evs = append(o.evs, ev)
}

// Step applies one input: it lets time pass to in.Day, then applies the
// input, and returns every event produced, in order (see the package
// documentation). in.Seq and in.Audience are ignored; the machine sets
// them.
func (m *Machine) Step(in parley.CaseEvent) ([]parley.CaseEvent, error) {
	if !in.Kind.Input() {
		return nil, parley.Errorf(parley.EINVALID, "verify: %s is not an input", in.Kind)
	}
	if in.Day < m.day {
		return nil, parley.Errorf(parley.EINVALID, "verify: day %d is before the last input's day %d; inputs come in time order", in.Day, m.day)
	}
	if in.Kind != parley.CaseTick && !contains(m.all, in.By) {
		return nil, parley.Errorf(parley.EINVALID, "verify: %q is not a seat of this accord (seats: %s)", in.By, strings.Join(m.all, ", "))
	}
	o := &out{m: m}
	m.advance(o, in.Day)
	m.day = in.Day
	in.Seq, in.Audience = 0, nil
	var err error
	switch in.Kind {
	case parley.CaseTick:
		if len(o.evs) > 0 {
			o.emit(parley.CaseEvent{Day: in.Day, Kind: parley.CaseTick})
		}
	case parley.CaseAllege:
		err = m.allege(o, in)
	case parley.CaseOpen:
		err = m.open(o, in)
	case parley.CaseEvidence:
		err = m.evidence(o, in)
	case parley.CaseFind:
		err = m.find(o, in)
	case parley.CaseRule:
		err = m.rule(o, in)
	case parley.CaseDissent:
		err = m.dissent(o, in)
	case parley.CaseApply:
		err = m.apply(o, in)
	case parley.CaseReport, parley.CaseConfirm, parley.CaseContest:
		err = m.fulfilment(o, in)
	}
	if r, ok := err.(*Refusal); ok {
		rej := in
		rej.Kind, rej.Step, rej.Note = parley.CaseRejected, in.Kind.String(), r.Reason
		o.emit(rej)
		return o.evs, &parley.Error{Code: parley.EINVALID, Message: fmt.Sprintf("verify: %s by %s refused", in.Kind, in.By), Err: r}
	}
	return o.evs, err
}

// Input returns the input a logged event records: the event itself for
// an input kind, the refused input for a rejected event; ok is false for
// events the machine produces.
func Input(ev parley.CaseEvent) (in parley.CaseEvent, ok bool) {
	switch {
	case ev.Kind.Input():
		return ev, true
	case ev.Kind == parley.CaseRejected:
		var k parley.CaseEventKind
		if err := k.UnmarshalText([]byte(ev.Step)); err != nil || !k.Input() {
			return ev, false
		}
		ev.Kind, ev.Step, ev.Note = k, "", ""
		return ev, true
	}
	return ev, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// members returns the seats of an investigating body.
func (m *Machine) members(body string) []string {
	switch body {
	case parley.BodyJoint:
		ms := append([]string(nil), m.a.Parties...)
		if ch := m.a.Seat(m.a.Mechanism.Investigate.Chair); ch != "" && !contains(ms, ch) {
			ms = append(ms, ch)
		}
		return ms
	default:
		return []string{m.a.Seat(body)}
	}
}

func union(a []string, b ...string) []string {
	out := append([]string(nil), a...)
	for _, x := range b {
		if x != "" && !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

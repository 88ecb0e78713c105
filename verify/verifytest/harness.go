// Package verifytest runs transcript scripts against the verification
// machine of package verify, in the manner of etcd raft's rafttest: a small
// command language whose output is the machine's log, checked by
// github.com/cockroachdb/datadriven (run the tests with -rewrite to
// regenerate the expected output and review the diff).
//
// Commands (days are days after signature; SEAT is a party, "mediators" or
// a role):
//
//	sign [ISSUE=OPTION ...]                      agree the scenario: named options, status quo elsewhere
//	allege day=N by=SEAT case=C accused=PARTY commitments=(ID,...) [incident=KEY]
//	open day=N by=SEAT case=C [body=BODY]
//	evidence day=N by=SEAT case=C [confidential]
//	find day=N by=SEAT case=C verdict=V          V: attributed, not_attributable, unfounded
//	rule day=N by=SEAT case=C verdict=V
//	dissent day=N by=SEAT case=C
//	apply day=N by=SEAT [case=C] commitment=ID [instance=K]
//	report|confirm|contest day=N by=SEAT commitment=ID [instance=K]
//	tick day=N
//	case C                                       the case's state
//	view SEAT                                    the events SEAT may see so far
//	replay                                       rebuild the machine from the log and check it
package verifytest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/verify"
)

// Harness holds one script's state. Set Scenario before the first command.
type Harness struct {
	Scenario *parley.Scenario
	// Signed is the signature date given to Scenario.Agree; default
	// "2025-11-01".
	Signed string

	accord *parley.Accord
	m      *verify.Machine
	log    []parley.CaseEvent
}

// Run executes one command and returns its output: the events it
// produced, one a line, then "error: ..." if the machine refused it.
func (h *Harness) Run(t *testing.T, d *datadriven.TestData) string {
	out, err := h.run(t, d)
	if err != nil {
		out += "error: " + err.Error() + "\n"
	}
	return out
}

func (h *Harness) run(t *testing.T, d *datadriven.TestData) (string, error) {
	if d.Cmd == "sign" {
		return h.sign(t, d)
	}
	if h.m == nil {
		d.Fatalf(t, "sign first")
	}
	switch d.Cmd {
	case "case":
		c, ok := h.m.Case(d.CmdArgs[0].Key)
		if !ok {
			return "", fmt.Errorf("no case %q", d.CmdArgs[0].Key)
		}
		return formatCase(c), nil
	case "view":
		var b strings.Builder
		for _, ev := range verify.View(h.log, d.CmdArgs[0].Key) {
			b.WriteString(verify.Format(ev, h.accord.Seats) + "\n")
		}
		return b.String(), nil
	case "replay":
		m, err := verify.Replay(h.accord, h.log)
		if err != nil {
			return "", err
		}
		if fmt.Sprint(m.Cases()) != fmt.Sprint(h.m.Cases()) {
			return "", fmt.Errorf("replayed cases differ")
		}
		return fmt.Sprintf("replayed %d events\n", len(h.log)), nil
	}
	var kind parley.CaseEventKind
	if err := kind.UnmarshalText([]byte(d.Cmd)); err != nil || !kind.Input() {
		d.Fatalf(t, "unknown command %q", d.Cmd)
	}
	in := parley.CaseEvent{Kind: kind}
	for _, a := range d.CmdArgs {
		v := ""
		if len(a.Vals) > 0 {
			v = a.Vals[0]
		}
		switch a.Key {
		case "day":
			in.Day = atoi(t, d, v)
		case "by":
			in.By = v
		case "case":
			in.Case = v
		case "accused":
			in.Accused = v
		case "incident":
			in.Incident = v
		case "commitments":
			in.Commitments = append([]string(nil), a.Vals...)
		case "commitment":
			in.Commitment = v
		case "instance":
			in.Instance = atoi(t, d, v)
		case "body":
			in.Body = v
		case "confidential":
			in.Confidential = true
		case "verdict":
			if err := in.Verdict.UnmarshalText([]byte(v)); err != nil {
				d.Fatalf(t, "%v", err)
			}
		default:
			d.Fatalf(t, "unknown argument %q", a.Key)
		}
	}
	evs, err := h.m.Step(in)
	h.log = append(h.log, evs...)
	var b strings.Builder
	for _, ev := range evs {
		b.WriteString(verify.Format(ev, h.accord.Seats) + "\n")
	}
	if err != nil && parley.ErrorCode(err) != parley.EINVALID {
		return b.String(), fmt.Errorf("unexpected error code %q: %w", parley.ErrorCode(err), err)
	}
	return b.String(), err
}

func atoi(t *testing.T, d *datadriven.TestData, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		d.Fatalf(t, "%v", err)
	}
	return n
}

// sign agrees the scenario on the named options (the status quo for the
// rest) and prints the mechanism and the commitment register.
func (h *Harness) sign(t *testing.T, d *datadriven.TestData) (string, error) {
	s := h.Scenario
	clauses := map[string]string{}
	for _, a := range d.CmdArgs {
		if len(a.Vals) == 0 {
			d.Fatalf(t, "bad clause %q", a.String())
		}
		clauses[a.Key] = a.Vals[0]
	}
	o := Outcome(t, s, clauses)
	signed := h.Signed
	if signed == "" {
		signed = "2025-11-01"
	}
	a, err := s.Agree(o, signed)
	if err != nil {
		return "", err
	}
	m, err := verify.New(a)
	if err != nil {
		return "", err
	}
	h.accord, h.m, h.log = a, m, nil
	var b strings.Builder
	mech := a.Mechanism
	fmt.Fprintf(&b, "seats: %s\n", strings.Join(a.Seats, ", "))
	fmt.Fprintf(&b, "investigate: %s", strings.Join(mech.Investigate.By, " | "))
	if mech.Investigate.Chair != "" {
		fmt.Fprintf(&b, " chair=%s", mech.Investigate.Chair)
	}
	fmt.Fprintf(&b, " open=%d report=%d escalate=%q from=%q\n", mech.Investigate.OpenWithin, mech.Investigate.ReportWithin, mech.Investigate.EscalateTo, mech.InvestigateFrom)
	fmt.Fprintf(&b, "rule: %s", mech.Rule.By)
	if mech.Rule.Casting != "" {
		fmt.Fprintf(&b, " casting=%s", mech.Rule.Casting)
	}
	if len(mech.Rule.Dissent) > 0 {
		fmt.Fprintf(&b, " dissent=%s", strings.Join(mech.Rule.Dissent, ","))
	}
	fmt.Fprintf(&b, " within=%d escalate=%q from=%q\n", mech.Rule.Within, mech.Rule.EscalateTo, mech.RuleFrom)
	for _, c := range a.Commitments {
		fmt.Fprintf(&b, "commitment %s: %s by %s to %s, %s\n", c.ID, c.Kind, strings.Join(c.By, ","), strings.Join(c.To, ","), c.Due)
	}
	return b.String(), nil
}

func formatCase(c verify.Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "case %s: %s, accused %s of %s, filed d%d by %s\n", c.ID, c.Stage, c.Accused, strings.Join(c.Commitments, ","), c.Filed, c.By)
	if c.Body != "" {
		fmt.Fprintf(&b, "  investigation: %s, opened d%d\n", c.Body, c.Opened)
	}
	if len(c.Views) > 0 {
		fmt.Fprintf(&b, "  views: %s\n", verify.DescribeVerdicts(c.Views))
	}
	if c.Stage >= verify.Found {
		fmt.Fprintf(&b, "  finding: %s by %s on d%d\n", c.Finding, c.FoundBy, c.FoundOn)
	}
	if len(c.Votes) > 0 {
		fmt.Fprintf(&b, "  votes: %s\n", verify.DescribeVerdicts(c.Votes))
	}
	if c.Stage >= verify.Ruled {
		fmt.Fprintf(&b, "  ruling: %s by %s on d%d\n", c.Ruling, c.RuledBy, c.RuledOn)
	}
	if c.Disputed() {
		fmt.Fprintf(&b, "  disputed: dissents=%v cast-over=%v deadlocked=%v\n", c.Dissents, c.CastOver, c.Deadlocked)
	}
	for _, q := range c.Consequences {
		fmt.Fprintf(&b, "  consequence %s of %s by %s due d%d applied %d\n", q.Action, q.Commitment, strings.Join(q.By, ","), q.Due, q.Applied)
	}
	if len(c.Overdue) > 0 {
		fmt.Fprintf(&b, "  overdue: %s\n", strings.Join(c.Overdue, ","))
	}
	if c.Deadline > 0 {
		fmt.Fprintf(&b, "  next deadline: d%d\n", c.Deadline)
	}
	return b.String()
}

package protocol

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// FormatEvent writes ev on one line for people: actors, issues and options
// by name. With calendar set it includes the day and hour (mediated
// protocol). Transcript tests and the CLI use it; the JSON form is the
// record.
func FormatEvent(s *parley.Scenario, ev Event, calendar bool) string {
	f := formatter{s}
	var b strings.Builder
	fmt.Fprintf(&b, "#%d r%d", ev.Seq, ev.Round)
	if calendar {
		fmt.Fprintf(&b, " d%d h%s", ev.Day, strconv.FormatFloat(ev.Hour, 'g', -1, 64))
	}
	b.WriteString(" " + string(ev.Type))
	switch ev.Type {
	case EvAction:
		if ev.Action != nil {
			b.WriteString(" " + f.action(*ev.Action))
		}
	case EvClause:
		if c := ev.Clause; c != nil {
			fmt.Fprintf(&b, " %s: %s -> %s (%s) by %s: %s", f.issue(c.Issue), c.From, c.To, f.option(c.Issue, c.Option), f.actor(ev.Actor), c.Why)
		}
	case EvInstruction:
		if in := ev.Instruction; in != nil {
			fmt.Fprintf(&b, " %s/%s %s", f.actor(ev.Actor), in.Principal, f.instruction(*in))
		}
	case EvEnd:
		if r := ev.Result; r != nil {
			b.WriteString(" " + f.result(*r))
		}
	case EvCaucus:
		party := ev.Audience.Seat.Party
		if ev.Actor == parley.MediatorActor {
			fmt.Fprintf(&b, " mediator -> %s: %s", f.actor(party), strconv.Quote(ev.Message))
		} else {
			fmt.Fprintf(&b, " %s -> mediator: %s", f.actor(ev.Actor), strconv.Quote(ev.Message))
		}
	default:
		if ev.Actor != NoActor {
			b.WriteString(" " + f.actor(ev.Actor))
		}
	}
	if ev.Note != "" {
		b.WriteString(": " + ev.Note)
	}
	return b.String()
}

// FormatResult writes r on one line for people.
func FormatResult(s *parley.Scenario, r Result) string { return formatter{s}.result(r) }

type formatter struct{ s *parley.Scenario }

func (f formatter) actor(a int) string {
	switch {
	case a == NoActor:
		return "-"
	case a == parley.MediatorActor:
		return "mediator"
	case a >= 0 && a < len(f.s.Parties):
		return f.s.Parties[a].Name
	}
	return "actor" + strconv.Itoa(a)
}

func (f formatter) issue(i int) string {
	if i >= 0 && i < len(f.s.Issues) {
		return f.s.Issues[i].Name
	}
	return "issue" + strconv.Itoa(i)
}

func (f formatter) option(i, k int) string {
	switch {
	case k == -1:
		return "_"
	case i >= 0 && i < len(f.s.Issues) && k >= 0 && k < len(f.s.Issues[i].Options):
		return f.s.Issues[i].Options[k].Label
	}
	return "#" + strconv.Itoa(k)
}

func (f formatter) outcome(o parley.Outcome) string {
	if len(o) != len(f.s.Issues) {
		return fmt.Sprint([]int(o))
	}
	parts := make([]string, len(o))
	for i, k := range o {
		parts[i] = f.issue(i) + "=" + f.option(i, k)
	}
	return strings.Join(parts, " ")
}

func (f formatter) action(a parley.Action) string {
	s := f.actor(a.Actor) + " " + a.Kind.String()
	switch a.Kind {
	case parley.ActOffer, parley.ActText:
		s += " " + f.outcome(a.Outcome)
	case parley.ActAnswer:
		var parts []string
		for i, ans := range a.Answers {
			if ans != parley.AnswerNone {
				parts = append(parts, f.issue(i)+"="+ans.String())
			}
		}
		if len(parts) == 0 {
			parts = []string{"(none)"}
		}
		if len(a.Answers) != len(f.s.Issues) {
			parts = append(parts, fmt.Sprintf("[%d answers]", len(a.Answers)))
		}
		if a.Rounds != 0 {
			parts = append(parts, fmt.Sprintf("extend=%d", a.Rounds))
		}
		s += " " + strings.Join(parts, " ")
	case parley.ActExtend:
		s += " rounds=" + strconv.Itoa(a.Rounds)
	case parley.ActAgenda, parley.ActReview:
		s += " " + f.issue(a.Issue)
	}
	if a.Rounds != 0 && (a.Kind == parley.ActOffer || a.Kind == parley.ActAccept) {
		s += " extend=" + strconv.Itoa(a.Rounds)
	}
	if a.Reason != "" {
		s += " (" + a.Reason + ")"
	}
	return s
}

func (f formatter) instruction(in parley.Instruction) string {
	s := in.Kind.String()
	switch in.Kind {
	case parley.RaiseFloor, parley.LowerFloor:
		s += " delta=" + strconv.FormatFloat(in.Delta, 'g', -1, 64)
	case parley.ReopenClause:
		s += " issue=" + f.issue(in.Issue)
	case parley.AddPrecondition:
		s += " " + f.issue(in.Issue) + "=" + f.option(in.Issue, in.Option)
	case parley.Recall:
		s += " rounds=" + strconv.Itoa(in.Rounds)
	}
	return s
}

func (f formatter) result(r Result) string {
	s := r.End.String()
	if r.Agreement != nil {
		s += " [" + f.outcome(r.Agreement) + "]"
	}
	s += fmt.Sprintf(" rounds=%d steps=%d offers=%d", r.Rounds, r.Steps, r.Offers)
	if r.By != NoActor {
		s += " by=" + f.actor(r.By)
	}
	if r.Why != "" {
		s += " why=" + strconv.Quote(r.Why)
	}
	return s
}

package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// This file is the text report of one negotiation: its timeline.

// Timeline writes a negotiation for people: for the mediated protocol a
// day-by-day account (texts, answers, clause moves, instructions from
// factions, reopenings, agenda changes, recalls, extensions), for
// alternating offers the first and last offers; then the end, the
// agreement as clauses, who blocked, and the assumptions the run rests on.
func Timeline(w io.Writer, d *Debrief) error {
	p := &printer{w: w}
	m := d.Model
	s := m.Scenario
	title := s.ID
	if s.Variant != "" {
		title += " [variant " + s.Variant + "]"
	}
	p.f("%s — simulation (%s protocol, seed %d)\n", title, d.Header.Protocol, d.Header.Seed)
	for _, l := range provenanceLines(s) {
		p.f("%s\n", l)
	}
	var seats []string
	for _, a := range d.Header.Agents {
		who := "mediator"
		if a.Actor >= 0 {
			who = s.Parties[a.Actor].Name
			if a.Principal != "" {
				who += "/" + a.Principal
			}
		}
		seats = append(seats, who+": "+a.Agent)
	}
	p.f("Agents: %s\n", strings.Join(seats, "; "))
	mediated := d.mediated()
	p.timelineEvents(d, mediated)
	r := d.Result
	p.f("\nEnd: %s after %d rounds (%d steps, %d %s).", r.End, r.Rounds, r.Steps, r.Offers, map[bool]string{true: "texts", false: "offers"}[mediated])
	if r.Why != "" {
		p.f(" %s", r.Why)
	}
	p.f("\n")
	if r.End == parley.Agreement {
		p.agreement(d)
	} else if len(d.Blocked) > 0 {
		p.f("Who rejected the last proposal:\n")
		for _, b := range Blockers(s, d.Blocked) {
			p.f("  - %s\n", blockerLine(s, b))
		}
	}
	if as := assumptionLines(s); len(as) > 0 {
		p.f("Assumptions no source states:\n")
		for _, a := range as {
			p.f("  - %s\n", a)
		}
	}
	return p.err
}

// timelineEvents writes one line per event worth describing: by day, hour
// and round in a mediated run; by round in alternating offers, where only
// the first 12 and the last offers are shown.
func (p *printer) timelineEvents(d *Debrief, mediated bool) {
	s := d.Model.Scenario
	day := -1
	shown := 0
	for i, ev := range d.Events {
		if ev.Type == protocol.EvAction && ev.Action != nil {
			a := protocol.SubmittedAction(d.Events, i)
			ev.Action = &a
		}
		if mediated && ev.Day != day && ev.Type != protocol.EvStart {
			day = ev.Day
			p.f("\nDay %d\n", day+1)
		}
		line := describeEvent(s, ev, mediated)
		if line == "" {
			continue
		}
		if !mediated && ev.Type == protocol.EvAction {
			// Alternating offers can take thousands of steps: show the
			// first and last offers.
			shown++
			if shown == 13 {
				p.f("  ...\n")
			}
			if shown > 12 && ev.Seq < len(d.Events)-14 {
				continue
			}
		}
		if mediated {
			p.f("  %5s r%-3d %s\n", clock(ev.Hour), ev.Round+1, line)
		} else {
			p.f("  r%-4d %s\n", ev.Round+1, line)
		}
	}
}

// agreement writes the agreement's utilities (with the undiscounted ones
// and the time when discounting changed them) and its clauses.
func (p *printer) agreement(d *Debrief) {
	s := d.Model.Scenario
	var us []string
	discounted := false
	for i, u := range d.Utilities {
		w := fmt.Sprintf("%s %.3f", s.Parties[i].Name, u)
		if i < len(d.UtilitiesUndiscounted) && d.UtilitiesUndiscounted[i] != u {
			w += fmt.Sprintf(" (%.3f undiscounted)", d.UtilitiesUndiscounted[i])
			discounted = true
		}
		us = append(us, w)
	}
	at := ""
	if discounted {
		at = fmt.Sprintf(" at t = %.3g", d.Time)
	}
	p.f("Agreement%s (utilities %s):\n", at, strings.Join(us, ", "))
	for _, c := range Clauses(d.Model, d.Result.Agreement) {
		p.f("  • %s\n", c)
	}
}

func clock(h float64) string {
	hh := int(h)
	mm := int((h - float64(hh)) * 60)
	return fmt.Sprintf("%02d:%02d", hh, mm)
}

// describeEvent writes one event for the timeline; "" skips it.
func describeEvent(s *parley.Scenario, ev protocol.Event, mediated bool) string {
	w := eventWords{s}
	switch ev.Type {
	case protocol.EvStart, protocol.EvEnd, protocol.EvReason:
		return ""
	case protocol.EvAction:
		if ev.Action == nil {
			return ""
		}
		if line, ok := w.action(*ev.Action); ok {
			return line
		}
		return protocol.FormatEvent(s, ev, false)
	case protocol.EvClause:
		c := ev.Clause
		if c == nil {
			return ""
		}
		// Proposals and blanks are in the mediator's text already; show
		// the moves that matter.
		if c.To == parley.ClauseProposed && (c.From == parley.ClauseOpen || c.From == parley.ClauseProposed) {
			return ""
		}
		return fmt.Sprintf("clause %s: %s → %s (%s) — %s", s.Issues[c.Issue].Name, c.From, c.To, w.label(c.Issue, c.Option), c.Why)
	case protocol.EvInstruction:
		if ev.Instruction == nil {
			return ""
		}
		return "INSTRUCTION " + strings.TrimPrefix(protocol.FormatEvent(s, ev, false), fmt.Sprintf("#%d r%d instruction ", ev.Seq, ev.Round))
	}
	line := protocol.FormatEvent(s, ev, false)
	return strings.TrimPrefix(line, fmt.Sprintf("#%d r%d ", ev.Seq, ev.Round))
}

// eventWords words events of a scenario for the timeline.
type eventWords struct{ s *parley.Scenario }

// actor names a party, or the mediator.
func (w eventWords) actor(a int) string {
	switch {
	case a == parley.MediatorActor:
		return "Mediator"
	case a >= 0 && a < len(w.s.Parties):
		return w.s.Parties[a].Name
	}
	return ""
}

// label names option k of issue i ("_" for a blank).
func (w eventWords) label(i, k int) string {
	if k < 0 {
		return "_"
	}
	return w.s.Issues[i].Options[k].Label
}

// action words an action; ok is false for a kind it has no words for.
func (w eventWords) action(a parley.Action) (line string, ok bool) {
	s := w.s
	switch a.Kind {
	case parley.ActText:
		var parts []string
		for i, k := range a.Outcome {
			if k >= 0 {
				parts = append(parts, s.Issues[i].Name+"="+w.label(i, k))
			}
		}
		return "Mediator's text: " + strings.Join(parts, ", "), true
	case parley.ActAnswer:
		var acc, rej, reo []string
		for i, ans := range a.Answers {
			switch ans {
			case parley.AnswerAccept:
				acc = append(acc, s.Issues[i].Name)
			case parley.AnswerReject:
				rej = append(rej, s.Issues[i].Name)
			case parley.AnswerReopen:
				reo = append(reo, s.Issues[i].Name)
			}
		}
		out := w.actor(a.Actor) + ":"
		if len(acc) > 0 {
			out += fmt.Sprintf(" accepts %d", len(acc))
		}
		if len(rej) > 0 {
			out += " rejects " + strings.Join(rej, ", ")
		}
		if len(reo) > 0 {
			out += " asks to reopen " + strings.Join(reo, ", ")
		}
		return out, true
	case parley.ActEnd:
		return "Mediator ends the session: " + a.Reason, true
	case parley.ActExtend:
		return fmt.Sprintf("Mediator extends the deadline by %d rounds", a.Rounds), true
	case parley.ActWalkAway:
		return w.actor(a.Actor) + " walks away: " + a.Reason, true
	case parley.ActAccept:
		return w.actor(a.Actor) + " accepts", true
	case parley.ActOffer:
		var parts []string
		for i, k := range a.Outcome {
			parts = append(parts, w.label(i, k))
		}
		return w.actor(a.Actor) + " offers " + strings.Join(parts, "/"), true
	}
	return "", false
}

package protocol_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// TestTranscripts runs the scripts in testdata/*.txt. Each command's output
// is the events it produced; run with -rewrite to regenerate and review
// the diff.
//
// Commands:
//
//	scenario NAME                       load a fixture (see fixtures_test.go)
//	sao rounds=N [order=(i,j,...)]      start SAO
//	mediated rounds=N [agenda=(issue,...)] [max-ext=N] [calendar=(h,...)] [hours=H] [recall=N]
//	next                                show the next turn
//	offer PARTY issue=option ...        ActOffer
//	accept PARTY                        ActAccept
//	walk PARTY                          ActWalkAway
//	text issue=option|_ ... [check]     the mediator's ActText (unnamed issues blank; check: only Check it)
//	answer PARTY issue=accept|reject|reopen ...   ActAnswer (unnamed: none)
//	extend rounds=N                     the mediator's ActExtend
//	end                                 the mediator's ActEnd
//	agenda ISSUE [check]                the mediator's ActAgenda (check: only Check it)
//	review ISSUE [check]                the mediator's ActReview (check: only Check it)
//	lapse PARTY|mediator                the actor's turn lapsed (its time ran out)
//	raw actor=A kind=K [outcome=(...)] [answers=(...)] [rounds=N]   any action
//	instruct PARTY FACTION KIND [issue=I] [ISSUE=OPTION] [rounds=N] [delta=D]
//	caucus PARTY [mediator]             a caucus message (the input) from PARTY, or from the mediator to PARTY
//	fail ACTOR                          the actor's agent failed (the input says why)
//	timeout                             the wall-clock deadline
//	view SEAT                           what a seat (party, mediator, PARTY/FACTION, observer) has seen
//	result                              the current result
//	replay                              write, read and replay the transcript
//
// Events whose audience is not everyone are shown with it in brackets;
// "next" shows the history and instructions of the actor's own view.
func TestTranscripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		h := &harness{}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			h.t = t
			out, err := h.run(d)
			if err != nil {
				out += "error: " + err.Error() + "\n"
			}
			return out
		})
	})
}

type harness struct {
	t      *testing.T
	s      *parley.Scenario
	m      *parley.Model
	cfg    protocol.Config
	p      protocol.Protocol
	events []protocol.Event
}

func (h *harness) run(d *datadriven.TestData) (string, error) {
	var err error
	switch d.Cmd {
	case "scenario":
		mk, ok := fixtures[d.CmdArgs[0].Key]
		if !ok {
			d.Fatalf(h.t, "unknown scenario %q", d.CmdArgs[0].Key)
		}
		h.s = mk()
		h.m, err = h.s.Compile()
		if err != nil {
			d.Fatalf(h.t, "%v", err)
		}
		return "", nil
	case "sao":
		c := protocol.SAOConfig{Rounds: h.intArg(d, "rounds", 0), MaxExtensions: h.intArg(d, "max-ext", 0)}
		if d.HasArg("order") {
			for _, v := range h.arg(d, "order") {
				c.Order = append(c.Order, h.party(d, v))
			}
		}
		return h.start(c)
	case "mediated":
		c := protocol.MediatedConfig{Rounds: h.intArg(d, "rounds", 0), MaxExtensions: h.intArg(d, "max-ext", 0), RecallRounds: h.intArg(d, "recall", 0)}
		if d.HasArg("agenda") {
			c.Agenda = []int{}
			for _, v := range h.arg(d, "agenda") {
				c.Agenda = append(c.Agenda, h.issue(d, v))
			}
		}
		for _, v := range h.arg(d, "calendar") {
			c.Calendar = append(c.Calendar, h.float(d, v))
		}
		if d.HasArg("hours") {
			c.HoursPerRound = h.float(d, h.arg(d, "hours")[0])
		}
		return h.start(c)
	case "next":
		t, ok := h.p.Next()
		if !ok {
			return "ended\n", nil
		}
		return h.turn(t), nil
	case "offer":
		var args []datadriven.CmdArg
		for _, arg := range d.CmdArgs[1:] {
			if arg.Key != "extend" {
				args = append(args, arg)
			}
		}
		a := parley.Action{Actor: h.party(d, d.CmdArgs[0].Key), Kind: parley.ActOffer, Outcome: h.outcome(d, args, false), Rounds: h.intArg(d, "extend", 0)}
		return h.step(a)
	case "accept", "walk":
		a := parley.Action{Actor: h.party(d, d.CmdArgs[0].Key), Kind: parley.ActAccept, Rounds: h.intArg(d, "extend", 0)}
		if d.Cmd == "walk" {
			a.Kind = parley.ActWalkAway
		}
		return h.step(a)
	case "text":
		var args []datadriven.CmdArg
		for _, arg := range d.CmdArgs {
			if arg.Key != "check" {
				args = append(args, arg)
			}
		}
		a := parley.Action{Actor: parley.MediatorActor, Kind: parley.ActText, Outcome: h.outcome(d, args, true)}
		if d.HasArg("check") {
			return "", h.p.Check(a)
		}
		return h.step(a)
	case "answer":
		a := parley.Action{Actor: h.party(d, d.CmdArgs[0].Key), Kind: parley.ActAnswer, Answers: make([]parley.ClauseAnswer, len(h.s.Issues))}
		for _, arg := range d.CmdArgs[1:] {
			if arg.Key == "extend" {
				a.Rounds = h.intArg(d, "extend", 0)
				continue
			}
			var ans parley.ClauseAnswer
			if err := ans.UnmarshalText([]byte(arg.Vals[0])); err != nil {
				d.Fatalf(h.t, "%v", err)
			}
			a.Answers[h.issue(d, arg.Key)] = ans
		}
		return h.step(a)
	case "extend":
		return h.step(parley.Action{Actor: parley.MediatorActor, Kind: parley.ActExtend, Rounds: h.intArg(d, "rounds", 0)})
	case "end":
		return h.step(parley.Action{Actor: parley.MediatorActor, Kind: parley.ActEnd})
	case "agenda", "review":
		a := parley.Action{Actor: parley.MediatorActor, Kind: parley.ActAgenda, Issue: h.issue(d, d.CmdArgs[0].Key)}
		if d.Cmd == "review" {
			a.Kind = parley.ActReview
		}
		if d.HasArg("check") {
			return "", h.p.Check(a)
		}
		return h.step(a)
	case "lapse":
		actor := parley.MediatorActor
		if d.CmdArgs[0].Key != "mediator" {
			actor = h.party(d, d.CmdArgs[0].Key)
		}
		err := h.p.Lapse(actor)
		return h.drain(), err
	case "raw":
		a := parley.Action{Actor: h.intArg(d, "actor", 0), Rounds: h.intArg(d, "rounds", 0)}
		if err := a.Kind.UnmarshalText([]byte(h.arg(d, "kind")[0])); err != nil {
			d.Fatalf(h.t, "%v", err)
		}
		if d.HasArg("outcome") {
			a.Outcome = parley.Outcome{}
			for _, v := range h.arg(d, "outcome") {
				a.Outcome = append(a.Outcome, h.int(d, v))
			}
		}
		for _, v := range h.arg(d, "answers") {
			var ans parley.ClauseAnswer
			if err := ans.UnmarshalText([]byte(v)); err != nil {
				a.Answers = append(a.Answers, parley.ClauseAnswer(h.int(d, v)))
				continue
			}
			a.Answers = append(a.Answers, ans)
		}
		return h.step(a)
	case "instruct":
		party := h.party(d, d.CmdArgs[0].Key)
		faction := h.faction(d, party, d.CmdArgs[1].Key)
		var in parley.Instruction
		if err := in.Kind.UnmarshalText([]byte(d.CmdArgs[2].Key)); err != nil {
			d.Fatalf(h.t, "%v", err)
		}
		for _, arg := range d.CmdArgs[3:] {
			switch arg.Key {
			case "issue":
				in.Issue = h.issue(d, arg.Vals[0])
			case "rounds":
				in.Rounds = h.int(d, arg.Vals[0])
			case "delta":
				in.Delta = h.float(d, arg.Vals[0])
			default:
				in.Issue = h.issue(d, arg.Key)
				in.Option = h.option(d, in.Issue, arg.Vals[0])
			}
		}
		err := h.p.Instruct(party, faction, in)
		return h.drain(), err
	case "caucus":
		party := h.party(d, d.CmdArgs[0].Key)
		from := party
		if len(d.CmdArgs) > 1 && d.CmdArgs[1].Key == "mediator" {
			from = parley.MediatorActor
		}
		err := h.p.Caucus(party, from, d.Input)
		return h.drain(), err
	case "fail":
		err := h.p.Fail(h.party(d, d.CmdArgs[0].Key), d.Input)
		return h.drain(), err
	case "view":
		return h.view(h.seat(d, d.CmdArgs[0].Key)), nil
	case "timeout":
		err := h.p.Timeout()
		return h.drain(), err
	case "result":
		return protocol.FormatResult(h.s, h.p.Result()) + "\n", nil
	case "replay":
		return h.replay()
	}
	d.Fatalf(h.t, "unknown command %q", d.Cmd)
	return "", nil
}

func (h *harness) start(c protocol.Config) (string, error) {
	h.cfg, h.events = c, nil
	p, err := c.New(h.m)
	if err != nil {
		h.p = nil
		return "", err
	}
	h.p = p
	return h.drain(), nil
}

func (h *harness) step(a parley.Action) (string, error) {
	err := h.p.Step(a)
	out := h.drain()
	if err != nil && parley.ErrorCode(err) != parley.EINVALID && !errors.Is(err, protocol.ErrEnded) {
		return out, fmt.Errorf("unexpected error code %q: %w", parley.ErrorCode(err), err)
	}
	return out, err
}

func (h *harness) drain() string {
	var b strings.Builder
	_, mediated := h.cfg.(protocol.MediatedConfig)
	for _, ev := range h.p.Events() {
		h.events = append(h.events, ev)
		b.WriteString(h.format(ev, mediated) + "\n")
	}
	return b.String()
}

// format writes an event as FormatEvent does, with its audience in
// brackets when it is not everyone.
func (h *harness) format(ev protocol.Event, calendar bool) string {
	line := protocol.FormatEvent(h.s, ev, calendar)
	if ev.Audience.Kind == parley.AudienceUnset {
		h.t.Errorf("event %d (%s) has no audience", ev.Seq, ev.Type)
	}
	if !ev.Audience.Public() {
		line += " [" + h.audience(ev.Audience) + "]"
	}
	return line
}

// audience names an audience with the scenario's names.
func (h *harness) audience(a parley.Audience) string {
	party := func(p int) string {
		if p >= 0 && p < len(h.s.Parties) {
			return h.s.Parties[p].Name
		}
		return strconv.Itoa(p)
	}
	switch a.Kind {
	case parley.AudienceCaucus:
		return "caucus " + party(a.Seat.Party)
	case parley.AudienceDelegation:
		return "delegation " + party(a.Seat.Party)
	case parley.AudienceSeat:
		return "seat " + h.seatName(a.Seat)
	}
	return a.String()
}

func (h *harness) seatName(s parley.Seat) string {
	switch s.Role {
	case parley.SeatParty:
		return h.s.Parties[s.Party].Name
	case parley.SeatPrincipal:
		return h.s.Parties[s.Party].Name + "/" + h.m.Parties[s.Party].Names[s.Faction]
	}
	return s.Role.String()
}

// seat reads "mediator", "observer", a party name or PARTY/FACTION.
func (h *harness) seat(d *datadriven.TestData, s string) parley.Seat {
	switch s {
	case "mediator":
		return parley.MediatorSeat()
	case "observer":
		return parley.ObserverSeat()
	}
	if p, f, ok := strings.Cut(s, "/"); ok {
		party := h.party(d, p)
		return parley.PrincipalSeat(party, h.faction(d, party, f))
	}
	return parley.PartySeat(h.party(d, s))
}

// view lists what a seat has seen: its events and what its next turn
// would hold.
func (h *harness) view(s parley.Seat) string {
	v := protocol.ViewOf(h.events, s)
	_, mediated := h.cfg.(protocol.MediatedConfig)
	var b strings.Builder
	fmt.Fprintf(&b, "view of %s: %d of %d events, history=%d, instructions=%d, caucus=%d\n", h.seatName(s), len(v.Events), len(h.events), len(v.History), len(v.Instructions), len(v.Caucus))
	for _, ev := range v.Events {
		if !ev.Audience.Public() {
			b.WriteString("  " + h.format(ev, mediated) + "\n")
		}
	}
	return b.String()
}

func (h *harness) replay() (string, error) {
	hd, err := protocol.NewHeader(h.s, h.cfg, 42)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := protocol.WriteTranscript(&buf, hd, h.events); err != nil {
		return "", err
	}
	hd2, evs, err := protocol.ReadTranscript(&buf)
	if err != nil {
		return "", err
	}
	r, err := protocol.Replay(hd2, evs)
	if err != nil {
		return "", err
	}
	if want := h.p.Result(); protocol.FormatResult(h.s, r) != protocol.FormatResult(h.s, want) {
		return "", fmt.Errorf("replayed result %s, want %s", protocol.FormatResult(h.s, r), protocol.FormatResult(h.s, want))
	}
	return fmt.Sprintf("replayed %d events: %s\n", len(evs), protocol.FormatResult(h.s, r)), nil
}

func (h *harness) turn(t parley.Turn) string {
	var b strings.Builder
	who := "mediator"
	if t.Actor >= 0 {
		who = h.s.Parties[t.Actor].Name
	}
	v := protocol.ViewOf(h.events, parley.ActorSeat(t.Actor))
	t.History, t.Instructions = v.History, v.Instructions
	fmt.Fprintf(&b, "turn: %s %s round=%d time=%.3g history=%d\n", who, t.Kind, t.Round, t.Time, len(t.History))
	if t.Offer != nil {
		fmt.Fprintf(&b, "  offer by %s:", h.s.Parties[t.Offerer].Name)
		for i, k := range t.Offer {
			fmt.Fprintf(&b, " %s=%s", h.s.Issues[i].Name, h.s.Issues[i].Options[k].Label)
		}
		b.WriteString("\n")
	}
	for _, c := range t.Text {
		opt := "_"
		if c.Option >= 0 {
			opt = h.s.Issues[c.Issue].Options[c.Option].Label
		}
		if !c.OnAgenda {
			fmt.Fprintf(&b, "  %s: off the agenda\n", h.s.Issues[c.Issue].Name)
			continue
		}
		fmt.Fprintf(&b, "  %s=%s %s\n", h.s.Issues[c.Issue].Name, opt, c.State)
	}
	for _, in := range t.Instructions {
		fmt.Fprintf(&b, "  instruction from %s: %s issue=%d option=%d rounds=%d delta=%g\n", in.Principal, in.Kind, in.Issue, in.Option, in.Rounds, in.Delta)
	}
	return b.String()
}

func (h *harness) arg(d *datadriven.TestData, key string) []string {
	for _, a := range d.CmdArgs {
		if a.Key == key {
			return a.Vals
		}
	}
	return nil
}

func (h *harness) intArg(d *datadriven.TestData, key string, def int) int {
	v := h.arg(d, key)
	if v == nil {
		return def
	}
	return h.int(d, v[0])
}

func (h *harness) int(d *datadriven.TestData, s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		d.Fatalf(h.t, "%v", err)
	}
	return n
}

func (h *harness) float(d *datadriven.TestData, s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		d.Fatalf(h.t, "%v", err)
	}
	return f
}

func (h *harness) party(d *datadriven.TestData, s string) int {
	s = strings.TrimSpace(s)
	for i, p := range h.s.Parties {
		if p.Name == s {
			return i
		}
	}
	if s == "mediator" {
		return parley.MediatorActor
	}
	return h.int(d, s)
}

func (h *harness) faction(d *datadriven.TestData, party int, s string) int {
	if party < 0 || party >= len(h.m.Parties) {
		return h.int(d, s)
	}
	for j, n := range h.m.Parties[party].Names {
		if n == s {
			return j
		}
	}
	return h.int(d, s)
}

func (h *harness) issue(d *datadriven.TestData, s string) int {
	i := h.s.IssueIndex(strings.TrimSpace(s))
	if i < 0 {
		d.Fatalf(h.t, "unknown issue %q", s)
	}
	return i
}

func (h *harness) option(d *datadriven.TestData, issue int, s string) int {
	if s == "_" {
		return -1
	}
	k := h.s.Issues[issue].OptionIndex(s)
	if k < 0 {
		return h.int(d, s)
	}
	return k
}

// outcome reads issue=option arguments; unnamed issues are blank (−1)
// when blank is set and otherwise an error.
func (h *harness) outcome(d *datadriven.TestData, args []datadriven.CmdArg, blank bool) parley.Outcome {
	o := make(parley.Outcome, len(h.s.Issues))
	for i := range o {
		o[i] = -1
	}
	for _, a := range args {
		i := h.issue(d, a.Key)
		o[i] = h.option(d, i, a.Vals[0])
	}
	if !blank {
		for i, k := range o {
			if k == -1 {
				d.Fatalf(h.t, "offer: issue %s missing", h.s.Issues[i].Name)
			}
		}
	}
	return o
}

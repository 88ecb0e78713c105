package protocol

import (
	"fmt"
	"math"

	"github.com/parleyhq/parley"
)

// MediatedConfig configures the mediated single negotiating text protocol.
type MediatedConfig struct {
	// Rounds is the deadline in rounds before any extension. Required (> 0).
	Rounds int `json:"rounds"`
	// Agenda lists the issues on the agenda at the start; nil means every
	// issue, an empty slice none (issues then enter by precondition).
	Agenda []int `json:"agenda"`
	// MaxExtensions is how many times the mediator may extend the deadline
	// (ActExtend); default 0.
	MaxExtensions int `json:"max_extensions,omitempty"`
	// Calendar gives the hours of session of each day (day d has
	// Calendar[d] hours; past its end, days keep the last length). nil
	// means days of 24 hours.
	Calendar []float64 `json:"calendar,omitempty"`
	// HoursPerRound is how many hours of session a round takes; 0 means 1.
	HoursPerRound float64 `json:"hours_per_round,omitempty"`
	// RecallRounds is how long a Recall instruction with Rounds == 0 keeps
	// a delegation away; 0 means 1.
	RecallRounds int `json:"recall_rounds,omitempty"`
}

// Name implements Config.
func (MediatedConfig) Name() parley.ProtocolName { return parley.ProtocolMediated }

// DeadlineRounds implements Config.
func (c MediatedConfig) DeadlineRounds() int { return c.Rounds }

// New implements Config.
func (c MediatedConfig) New(m *parley.Model) (Protocol, error) { return NewMediated(m, c) }

func (c *MediatedConfig) validate(m *parley.Model) error {
	if c.Rounds <= 0 || c.Rounds > MaxRounds {
		return invalid("mediated: rounds must be in 1..%d, got %d", MaxRounds, c.Rounds)
	}
	if c.MaxExtensions < 0 {
		return invalid("mediated: max_extensions must not be negative, got %d", c.MaxExtensions)
	}
	if c.RecallRounds < 0 {
		return invalid("mediated: recall_rounds must not be negative, got %d", c.RecallRounds)
	}
	if c.RecallRounds == 0 {
		c.RecallRounds = 1
	}
	if math.IsNaN(c.HoursPerRound) || c.HoursPerRound < 0 || c.HoursPerRound > 1e6 {
		return invalid("mediated: hours_per_round must be a number in [0, 1e6], got %v", c.HoursPerRound)
	}
	if c.HoursPerRound == 0 {
		c.HoursPerRound = 1
	}
	for d, h := range c.Calendar {
		if !(h > 0) || h > 1e6 {
			return invalid("mediated: calendar[%d]: hours per day must be in (0, 1e6], got %v", d, h)
		}
	}
	c.Calendar = append([]float64(nil), c.Calendar...)
	if c.Agenda != nil {
		seen := make([]bool, len(m.Sizes))
		for _, i := range c.Agenda {
			if i < 0 || i >= len(m.Sizes) {
				return invalid("mediated: agenda: issue %d out of range (%d issues)", i, len(m.Sizes))
			}
			if seen[i] {
				return invalid("mediated: agenda: issue %d listed twice", i)
			}
			seen[i] = true
		}
		c.Agenda = append([]int{}, c.Agenda...)
	}
	return nil
}

// clock places the start of a round on the calendar.
func (c *MediatedConfig) clock(round int) (int, float64) {
	h := float64(round) * c.HoursPerRound
	cal := c.Calendar
	if len(cal) == 0 {
		cal = []float64{24}
	}
	day := 0
	for _, l := range cal[:len(cal)-1] {
		if h < l-1e-9 {
			return day, math.Round(h*1e6) / 1e6
		}
		h -= l
		day++
	}
	// Past the calendar, days keep the last length.
	l := cal[len(cal)-1]
	d := math.Floor((h + 1e-9) / l)
	h -= d * l
	if h < 0 {
		h = 0
	}
	return day + int(min(d, 1<<40)), math.Round(h*1e6) / 1e6
}

// mediated is the single negotiating text protocol.
type mediated struct {
	base
	cfg        MediatedConfig
	n          int
	deadline   int
	extensions int
	text       []parley.Clause
	answering  bool     // false: the mediator's turn; true: parties answer
	queue      []int    // parties still to answer this round
	accepted   [][]bool // [issue][party]: accepted the clause as written this round
	away       []int    // away[p]: party p is recalled until this round (exclusive)
	dirty      bool     // a clause became agreed since the last ratification check
	// extendAsk[p] is the extension (in rounds) party p asked for with its
	// answer this round; 0: none. When every present party asks, the
	// deadline is extended by agreement.
	extendAsk []int
}

var _ Protocol = (*mediated)(nil)

// NewMediated returns the mediated single negotiating text protocol on m.
//
// Each round the mediator gets a TurnText and answers ActText (one option
// per issue, −1 for a blank clause; issues off the agenda must be blank),
// ActExtend (push the deadline back by Rounds; at most MaxExtensions
// times), ActAgenda (put Issue, off the agenda, on it: an "agenda" event;
// its clause is open), ActReview (put the agreed or reopened clause of
// Issue under review: it must be written again) — after these three the
// mediator still writes the text — or ActEnd (WalkOut by the mediator). Then every party present (not recalled) gets a
// TurnAnswer, in party order, and answers ActAnswer (one ClauseAnswer per
// issue) or ActWalkAway.
//
// Clauses move open → proposed (the mediator writes an option) → agreed
// (every party accepted it in the same round, with no party recalled) →
// final (the whole text is agreed and ratified). A party's "reopen" answer
// or a faction's ReopenClause instruction moves agreed → reopened; at the
// mediator's next text it goes under_review and must be written again
// (→ proposed, same or new option). The mediator may blank a proposed
// clause (→ open) or change its option (proposed → proposed); it may not
// change an agreed clause (broken protocol). Every move is a "clause"
// event naming who, when and why.
//
// Answers allowed per clause: off the agenda or blank: none; proposed:
// accept, reject or none (none does not accept); agreed: accept or none
// (kept) or reopen; reopened (by an instruction during the round):
// anything, ignored.
//
// When every on-agenda clause is agreed, the full outcome (off-agenda
// issues at their status-quo option: the issue's NotAddressed option, else
// option 0) is checked against every party's model as in SAO. If it passes
// the clauses become final and the negotiation ends in Agreement;
// otherwise "ratification_failed" events name the failing parties, the
// text stays agreed but not final, and the mediator continues (a party
// has to reopen a clause for the text to move).
//
// Instructions: ReopenClause reopens an agreed clause at once;
// AddPrecondition puts the issue on the agenda (an "agenda" event) and
// makes its clause proposed with the required option, so the text cannot
// become final until every party has accepted it (an agreed clause passes
// through reopened and under_review to get there); Recall keeps the
// delegation away for Rounds rounds counting the current one (its answers
// are skipped and no clause can become agreed meanwhile). All
// instructions, RaiseFloor and LowerFloor included, are delivered to the
// delegate in its next Turn.
//
// It returns EINVALID if cfg is invalid.
func NewMediated(m *parley.Model, cfg MediatedConfig) (Protocol, error) {
	if m == nil || len(m.Parties) < 2 {
		return nil, invalid("mediated: a model with at least two parties required")
	}
	if err := cfg.validate(m); err != nil {
		return nil, err
	}
	p := &mediated{base: newBase(m, cfg.Rounds*(len(m.Parties)+1)), cfg: cfg, n: len(m.Parties), deadline: cfg.Rounds}
	p.clock = p.cfg.clock
	p.away = make([]int, p.n)
	p.extendAsk = make([]int, p.n)
	p.text = make([]parley.Clause, len(m.Sizes))
	p.accepted = make([][]bool, len(m.Sizes))
	for i := range p.text {
		p.text[i] = parley.Clause{Issue: i, Option: -1, OnAgenda: cfg.Agenda == nil}
		p.accepted[i] = make([]bool, p.n)
	}
	for _, i := range cfg.Agenda {
		p.text[i].OnAgenda = true
	}
	p.emit(Event{Type: EvStart, Audience: public, Actor: NoActor, Note: fmt.Sprintf("mediated: %d parties, %d rounds, agenda %s", p.n, cfg.Rounds, p.agenda())})
	return p, nil
}

func (p *mediated) agenda() string {
	s := ""
	for i, c := range p.text {
		if c.OnAgenda {
			if s != "" {
				s += ","
			}
			s += p.issue(i)
		}
	}
	return "[" + s + "]"
}

// Next implements Protocol.
func (p *mediated) Next() (parley.Turn, bool) {
	t, ok := p.Peek()
	t.Text = append([]parley.Clause(nil), t.Text...)
	return t, ok
}

// Peek implements Peeker: Next with the text shared, not copied.
func (p *mediated) Peek() (parley.Turn, bool) {
	if p.ended() {
		return parley.Turn{}, false
	}
	t := parley.Turn{
		Actor: p.actor(),
		Kind:  parley.TurnText,
		Round: p.round,
		Time:  float64(p.round) / float64(p.deadline),
		Text:  p.text[:len(p.text):len(p.text)],
	}
	if p.answering {
		t.Kind = parley.TurnAnswer
	}
	return t, true
}

// actor is whose turn it is: the mediator, or the next party to answer.
func (p *mediated) actor() int {
	if p.answering {
		return p.queue[0]
	}
	return parley.MediatorActor
}

// Check implements Protocol.
func (p *mediated) Check(a parley.Action) error {
	if p.ended() {
		return ErrEnded
	}
	return p.check(a)
}

func (p *mediated) check(a parley.Action) error {
	if who := p.actor(); a.Actor != who {
		return invalid("action by %s, but it is %s's turn", p.actorName(a.Actor), p.actorName(who))
	}
	if p.answering {
		return p.checkParty(a)
	}
	return p.checkMediator(a)
}

// Step implements Protocol.
func (p *mediated) Step(a parley.Action) error {
	if p.ended() {
		return ErrEnded
	}
	if err := p.check(a); err != nil {
		return p.broken(p.actor(), a, err)
	}
	if p.answering {
		p.stepParty(a)
	} else {
		p.stepMediator(a)
	}
	return nil
}

func (p *mediated) checkMediator(a parley.Action) error {
	switch a.Kind {
	case parley.ActEnd:
		return nil
	case parley.ActExtend:
		if a.Rounds <= 0 || a.Rounds > MaxRounds {
			return invalid("extend: rounds must be in 1..%d, got %d", MaxRounds, a.Rounds)
		}
		if p.extensions >= p.cfg.MaxExtensions {
			return invalid("extend: no extension left (%d allowed, %d used)", p.cfg.MaxExtensions, p.extensions)
		}
		return nil
	case parley.ActText:
		return p.checkText(a.Outcome)
	case parley.ActAgenda:
		if a.Issue < 0 || a.Issue >= len(p.text) {
			return invalid("agenda: issue %d out of range (%d issues)", a.Issue, len(p.text))
		}
		if p.text[a.Issue].OnAgenda {
			return invalid("agenda: issue %s is on the agenda already", p.issue(a.Issue))
		}
		return nil
	case parley.ActReview:
		if a.Issue < 0 || a.Issue >= len(p.text) {
			return invalid("review: issue %d out of range (%d issues)", a.Issue, len(p.text))
		}
		if c := p.text[a.Issue]; c.State != parley.ClauseAgreed && c.State != parley.ClauseReopened {
			return invalid("review: clause %s is %s; only an agreed or reopened clause can be put under review (change a proposed clause in the text)", p.issue(a.Issue), p.describe(c))
		}
		return nil
	}
	return invalid("the mediator: %s is not a valid answer to a text turn", a.Kind)
}

// stepMediator applies the mediator's valid action.
func (p *mediated) stepMediator(a parley.Action) {
	p.record(a)
	switch a.Kind {
	case parley.ActEnd:
		p.finish(parley.WalkOut, parley.MediatorActor, "the mediator ended the session")
	case parley.ActExtend:
		p.extensions++
		p.deadline += a.Rounds
		p.emit(Event{Type: EvExtend, Audience: public, Actor: a.Actor, Note: fmt.Sprintf("deadline extended by %d to %d rounds", a.Rounds, p.deadline)})
	case parley.ActText:
		p.writeText(a.Outcome)
	case parley.ActAgenda:
		p.text[a.Issue].OnAgenda = true
		p.emit(Event{Type: EvAgenda, Audience: public, Actor: a.Actor, Note: fmt.Sprintf("issue %s put on the agenda by the mediator", p.issue(a.Issue))})
	case parley.ActReview:
		p.move(a.Issue, parley.ClauseUnderReview, p.text[a.Issue].Option, parley.MediatorActor, "put under review by the mediator")
	}
}

// Lapse implements Protocol. A party's lapse counts as an answer that
// accepts nothing and asks for no extension; the mediator's ends the
// round without a new text (the parties do not answer).
func (p *mediated) Lapse(actor int) error {
	if err := p.lapse(actor, p.actor()); err != nil {
		return err
	}
	if !p.answering {
		p.endRound()
		return nil
	}
	p.extendAsk[actor] = 0
	p.queue = p.queue[1:]
	if len(p.queue) == 0 {
		p.endRound()
	}
	return nil
}

// writeText applies the mediator's text o and opens the round's answers.
func (p *mediated) writeText(o parley.Outcome) {
	p.res.Offers++
	for i := range p.text {
		if p.text[i].State == parley.ClauseReopened {
			p.move(i, parley.ClauseUnderReview, p.text[i].Option, parley.MediatorActor, "the mediator reviews it")
		}
	}
	for i, k := range o {
		c := p.text[i]
		switch {
		case !c.OnAgenda || c.State == parley.ClauseAgreed:
		case c.State == parley.ClauseUnderReview:
			p.move(i, parley.ClauseProposed, k, parley.MediatorActor, "rewritten by the mediator")
		case k == -1 && c.State == parley.ClauseProposed:
			p.move(i, parley.ClauseOpen, -1, parley.MediatorActor, "blanked by the mediator")
		case k >= 0 && (c.State == parley.ClauseOpen || k != c.Option):
			p.move(i, parley.ClauseProposed, k, parley.MediatorActor, "written by the mediator")
		}
	}
	for i := range p.accepted {
		clear(p.accepted[i])
	}
	p.queue = p.queue[:0]
	for q := 0; q < p.n; q++ {
		if p.away[q] <= p.round {
			p.queue = append(p.queue, q)
		}
	}
	p.answering = true
	if len(p.queue) == 0 {
		p.endRound()
	}
}

func (p *mediated) checkText(o parley.Outcome) error {
	if err := p.checkOutcome(o, true); err != nil {
		return invalid("text by the mediator: %v", err)
	}
	for i, k := range o {
		c := p.text[i]
		switch {
		case !c.OnAgenda && k != -1:
			return invalid("text by the mediator: issue %s is off the agenda; its clause must be blank", p.issue(i))
		case c.State == parley.ClauseAgreed && k != c.Option:
			return invalid("text by the mediator: clause %s is agreed on %s; it must be reopened before it changes", p.issue(i), p.option(i, c.Option))
		case (c.State == parley.ClauseReopened || c.State == parley.ClauseUnderReview) && k == -1:
			return invalid("text by the mediator: clause %s was reopened; it must be written again, not blanked", p.issue(i))
		}
	}
	return nil
}

func (p *mediated) checkParty(a parley.Action) error {
	who := p.actorName(a.Actor)
	switch a.Kind {
	case parley.ActWalkAway:
		return nil
	case parley.ActAnswer:
	default:
		return invalid("%s: %s is not a valid answer to an answer turn", who, a.Kind)
	}
	if len(a.Answers) != len(p.text) {
		return invalid("answer by %s: %d answers, want %d (one per issue)", who, len(a.Answers), len(p.text))
	}
	for i, ans := range a.Answers {
		if ans < parley.AnswerNone || ans > parley.AnswerReopen {
			return invalid("answer by %s: clause %s: unknown answer %d", who, p.issue(i), int(ans))
		}
		if err := p.allowed(p.text[i], ans); err != "" {
			return invalid("answer by %s: clause %s is %s: %s", who, p.issue(i), p.describe(p.text[i]), err)
		}
	}
	if a.Rounds < 0 || a.Rounds > MaxRounds {
		return invalid("answer by %s: an extension request must be in 0..%d rounds, got %d", who, MaxRounds, a.Rounds)
	}
	return nil
}

// stepParty applies a party's valid action.
func (p *mediated) stepParty(a parley.Action) {
	who := p.actorName(a.Actor)
	p.record(a)
	if a.Kind == parley.ActWalkAway {
		p.finish(parley.WalkOut, a.Actor, who+" walked away")
		return
	}
	p.extendAsk[a.Actor] = a.Rounds
	for i, ans := range a.Answers {
		switch {
		case ans == parley.AnswerAccept && p.text[i].State == parley.ClauseProposed:
			p.accepted[i][a.Actor] = true
		case ans == parley.AnswerReopen && p.text[i].State == parley.ClauseAgreed:
			p.move(i, parley.ClauseReopened, p.text[i].Option, a.Actor, "reopened by "+who)
		}
	}
	p.queue = p.queue[1:]
	if len(p.queue) == 0 {
		p.endRound()
	}
}

// allowed returns why ans is not a valid answer to c, or "".
func (p *mediated) allowed(c parley.Clause, ans parley.ClauseAnswer) string {
	switch {
	case !c.OnAgenda || c.State == parley.ClauseOpen:
		if ans != parley.AnswerNone {
			return "the only answer is none"
		}
	case c.State == parley.ClauseProposed:
		if ans == parley.AnswerReopen {
			return "only an agreed clause can be reopened"
		}
	case c.State == parley.ClauseAgreed:
		if ans == parley.AnswerReject {
			return "answer accept or none to keep it, reopen to reopen it"
		}
	}
	return ""
}

func (p *mediated) describe(c parley.Clause) string {
	if !c.OnAgenda {
		return "off the agenda"
	}
	return c.State.String()
}

func (p *mediated) option(i, k int) string {
	if k < 0 {
		return "blank"
	}
	return p.m.Scenario.Issues[i].Options[k].Label
}

// move changes clause i's state and option and records the change.
func (p *mediated) move(i int, to parley.ClauseState, option, actor int, why string) {
	c := &p.text[i]
	ch := &ClauseChange{Issue: i, From: c.State, To: to, Option: option, Why: why}
	c.State, c.Option = to, option
	clear(p.accepted[i])
	if to == parley.ClauseAgreed {
		p.dirty = true
	}
	p.emit(Event{Type: EvClause, Audience: public, Actor: actor, Clause: ch})
}

// endRound settles the round: clauses every party accepted become agreed,
// a complete text is ratified, and the deadline is checked.
func (p *mediated) endRound() {
	p.answering = false
	p.queue = p.queue[:0]
	present := true
	for q := 0; q < p.n; q++ {
		present = present && p.away[q] <= p.round
	}
	if present {
		for i, c := range p.text {
			if !c.OnAgenda || c.State != parley.ClauseProposed {
				continue
			}
			all := true
			for _, ok := range p.accepted[i] {
				all = all && ok
			}
			if all {
				p.move(i, parley.ClauseAgreed, c.Option, NoActor, "accepted by every party")
			}
		}
	}
	if p.dirty && p.complete() {
		p.dirty = false
		o := p.outcome()
		if p.ratify(o) {
			for i, c := range p.text {
				if c.OnAgenda {
					p.move(i, parley.ClauseFinal, c.Option, NoActor, "the text is agreed and ratified")
				}
			}
			p.res.Agreement = o
			p.finish(parley.Agreement, NoActor, "every party accepted the text and ratified it")
			return
		}
	}
	p.dirty = false
	p.extendByAgreement(present)
	if p.round+1 >= p.deadline {
		p.finish(parley.Deadline, NoActor, fmt.Sprintf("deadline of %d rounds passed", p.deadline))
		return
	}
	p.round++
}

// extendByAgreement extends the deadline when every party present asked
// for it with its answer this round (by the smallest extension asked), if
// extensions are left; a request that cannot be granted is noted.
func (p *mediated) extendByAgreement(present bool) {
	ask, all := 0, present
	for q := 0; q < p.n; q++ {
		r := p.extendAsk[q]
		p.extendAsk[q] = 0
		if r == 0 {
			all = false
		} else if ask == 0 || r < ask {
			ask = r
		}
	}
	if !all {
		return
	}
	if p.extensions >= p.cfg.MaxExtensions {
		p.emit(Event{Type: EvExtend, Audience: public, Actor: NoActor, Note: fmt.Sprintf("every party asked for %d more rounds, but no extension is left (%d allowed)", ask, p.cfg.MaxExtensions)})
		return
	}
	p.extensions++
	p.deadline += ask
	p.emit(Event{Type: EvExtend, Audience: public, Actor: NoActor, Note: fmt.Sprintf("deadline extended by agreement of every party by %d to %d rounds", ask, p.deadline)})
}

// complete reports whether at least one clause is on the agenda and every
// on-agenda clause is agreed.
func (p *mediated) complete() bool {
	n := 0
	for _, c := range p.text {
		if !c.OnAgenda {
			continue
		}
		if c.State != parley.ClauseAgreed {
			return false
		}
		n++
	}
	return n > 0
}

// outcome is the text as an outcome: off-agenda issues at their status quo.
func (p *mediated) outcome() parley.Outcome {
	o := make(parley.Outcome, len(p.text))
	for i, c := range p.text {
		if c.OnAgenda {
			o[i] = c.Option
		} else {
			o[i] = StatusQuo(&p.m.Scenario.Issues[i])
		}
	}
	return o
}

// StatusQuo returns the option an agreement silent on the issue takes: the
// first option marked NotAddressed, else option 0.
func StatusQuo(is *parley.Issue) int { return is.StatusQuo() }

// Caucus implements Protocol.
func (p *mediated) Caucus(party, from int, msg string) error { return p.caucus(party, from, msg) }

// Instruct implements Protocol.
func (p *mediated) Instruct(party, faction int, in parley.Instruction) error {
	in, err := p.instruct(party, faction, in)
	if err != nil {
		return err
	}
	who := in.Principal
	if who != p.actorName(party) {
		who += " of " + p.actorName(party)
	}
	switch in.Kind {
	case parley.ReopenClause:
		if p.text[in.Issue].State == parley.ClauseAgreed {
			p.move(in.Issue, parley.ClauseReopened, p.text[in.Issue].Option, party, "reopened on instruction of "+who)
		}
	case parley.AddPrecondition:
		i, k := in.Issue, in.Option
		c := p.text[i]
		why := "precondition of " + who
		if !c.OnAgenda {
			p.text[i].OnAgenda = true
			p.emit(Event{Type: EvAgenda, Audience: public, Actor: party, Note: fmt.Sprintf("issue %s put on the agenda by %s", p.issue(i), who)})
		}
		switch c.State {
		case parley.ClauseAgreed:
			if c.Option == k {
				break
			}
			p.move(i, parley.ClauseReopened, c.Option, party, why)
			fallthrough
		case parley.ClauseReopened:
			p.move(i, parley.ClauseUnderReview, c.Option, party, why)
			fallthrough
		case parley.ClauseUnderReview:
			p.move(i, parley.ClauseProposed, k, party, why)
		case parley.ClauseOpen, parley.ClauseProposed:
			if c.State == parley.ClauseOpen || c.Option != k {
				p.move(i, parley.ClauseProposed, k, party, why)
			}
		}
	case parley.Recall:
		r := in.Rounds
		if r == 0 {
			r = p.cfg.RecallRounds
		}
		p.away[party] = max(p.away[party], p.round+r)
		p.emit(Event{Type: EvRecall, Audience: public, Actor: party, Note: fmt.Sprintf("%s recalled by %s; back in round %d", p.actorName(party), in.Principal, p.away[party])})
		if p.answering {
			q := p.queue[:0]
			for _, x := range p.queue {
				if x != party {
					q = append(q, x)
				}
			}
			p.queue = q
			if len(p.queue) == 0 {
				p.endRound()
			}
		}
	}
	return nil
}

// Deadline implements Deadliner.
func (p *mediated) Deadline() int { return p.deadline }

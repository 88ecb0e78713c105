package agent

import (
	"fmt"

	"github.com/parleyhq/parley"
)

// This file holds the principal agents: the factions behind a delegate in
// the mediated single-text protocol. A faction reads the text like anyone
// in the room and sends its delegate instructions. Nothing is scripted:
// every instruction follows from the faction's own red lines, utility and
// reservation value.

func init() {
	RegisterPrincipal(Info{
		Name:    "watchdog",
		Role:    RolePrincipal,
		Summary: "Faction that intervenes when the text nears final but breaks its red line or leaves it below its reservation: adds a precondition from off the agenda, or reopens the agreed clause that costs it most.",
		Params:  "share=0.75 (the text is near final when this share of its on-agenda clauses is settled, 1 = all); recall=0 (recall the delegation for this many rounds the first time it intervenes, 0 = never); cooldown=3 (rounds before it reopens the same clause again)",
	}, func(p map[string]string) (parley.PrincipalAgent, error) { return NewWatchdog(p) })
	RegisterPrincipal(Info{
		Name:    "loyal",
		Role:    RolePrincipal,
		Summary: "Faction that only pushes its delegate to close: lowers the floor when the delegate rejects a text the faction accepts.",
		Params:  "delta=0.05 (how much to lower the floor each time)",
	}, func(p map[string]string) (parley.PrincipalAgent, error) { return NewLoyal(p) })
	RegisterPrincipal(Info{
		Name:    "hardline",
		Role:    RolePrincipal,
		Summary: "Faction that raises its delegate's floor whenever the text becomes acceptable to the delegation but not to it.",
		Params:  "delta=0.05 (how much to raise the floor each time)",
	}, func(p map[string]string) (parley.PrincipalAgent, error) { return NewHardline(p) })
}

// faction is what every principal agent knows about itself.
type faction struct {
	m     *parley.Model
	party int
	index int
	pm    *parley.PartyModel
	pr    *parley.Principal
}

func (f *faction) init(agent string, s *parley.Session, index int) error {
	if s == nil || s.Model == nil {
		return parley.Errorf(parley.EINVALID, "%s: session has no model", agent)
	}
	if s.Party < 0 || s.Party >= len(s.Model.Parties) {
		return parley.Errorf(parley.EINVALID, "%s: party %d out of range", agent, s.Party)
	}
	pm := &s.Model.Parties[s.Party]
	if index < 0 || index >= len(pm.Principals) {
		return parley.Errorf(parley.EINVALID, "%s: %s has no principal %d", agent, pm.Name, index)
	}
	*f = faction{m: s.Model, party: s.Party, index: index, pm: pm, pr: &pm.Principals[index]}
	return nil
}

func (f *faction) instr(kind parley.InstructionKind) parley.Instruction {
	return parley.Instruction{Principal: f.pr.Name, Kind: kind}
}

// Watchdog is a faction that lets the talks run until the text is close to
// final (Share of the on-agenda clauses settled), then checks the text as it
// would be signed. If it breaks one of the faction's red lines and the
// text can leave that red line through an issue off the agenda, it sends
// AddPrecondition for that issue with the option the faction likes best
// among those outside the red line (once per issue). If the red line can
// only be left through an agreed clause, or the text leaves the faction at
// or below its reservation value, it sends ReopenClause for the agreed
// clause that costs it most (the same clause at most once per Cooldown
// rounds). The first time it intervenes it may also recall the delegation
// for consultation (Recall rounds).
//
// On the Istanbul scenario this is the Kabul bloc: its red line forbids
// every guarantor option but the United States, the guarantor issue is off
// the agenda, so when the text nears final it makes the US guarantor a
// precondition.
type Watchdog struct {
	// Share of settled on-agenda clauses at which the text is near final.
	Share float64
	// Recall is the consultation, in rounds, the first time it intervenes.
	Recall int
	// Cooldown is the number of rounds before it reopens a clause again.
	Cooldown int

	faction
	sent       map[int]bool // preconditions sent, by issue
	reopened   map[int]int  // round of the last ReopenClause, by issue
	intervened bool
}

var _ parley.PrincipalAgent = (*Watchdog)(nil)

// NewWatchdog makes a watchdog from its params (share, recall, cooldown).
func NewWatchdog(params map[string]string) (*Watchdog, error) {
	p := newSTParams("watchdog", params)
	w := &Watchdog{
		Share:    p.float("share", 0.75, 0, 1),
		Recall:   p.int("recall", 0, 0),
		Cooldown: p.int("cooldown", 3, 1),
	}
	if err := p.done(); err != nil {
		return nil, err
	}
	return w, nil
}

// Init implements parley.PrincipalAgent.
func (w *Watchdog) Init(s *parley.Session, index int) error {
	w.sent, w.reopened, w.intervened = map[int]bool{}, map[int]int{}, false
	return w.faction.init("watchdog", s, index)
}

// nearFinal reports whether the share of settled on-agenda clauses reaches
// share (all of them when share is 1).
func nearFinal(text []parley.Clause, share float64) bool {
	total, done := 0, 0
	for _, c := range text {
		if !c.OnAgenda {
			continue
		}
		total++
		if settled(c) {
			done++
		}
	}
	return total > 0 && (done == total || float64(done) >= share*float64(total))
}

// Instruct implements parley.PrincipalAgent.
func (w *Watchdog) Instruct(t *parley.Turn) []parley.Instruction {
	if len(t.Text) == 0 || !nearFinal(t.Text, w.Share) {
		return nil
	}
	m := w.m
	idx := clauseIndex(m, t.Text)
	o := completeText(m, t.Text)
	onAgenda := func(i int) bool { return idx[i] >= 0 && t.Text[idx[i]].OnAgenda }
	agreed := func(i int) bool { return onAgenda(i) && t.Text[idx[i]].State == parley.ClauseAgreed }
	mayReopen := func(i int) bool {
		last, ok := w.reopened[i]
		return agreed(i) && (!ok || t.Round-last >= w.Cooldown)
	}
	for i := range w.sent {
		if !onAgenda(i) {
			return nil // wait until the precondition is on the table
		}
	}
	var out []parley.Instruction
	for _, reg := range w.pr.RedLines {
		if !reg.Contains(o) {
			continue
		}
		// Leave the red line through an issue off the agenda: the option
		// it likes best, preferring options that break no other red line.
		bi, bk, bclean, bu := -1, -1, false, int64(0)
		for _, i := range escapes(m, reg) {
			if onAgenda(i) || w.sent[i] {
				continue
			}
			keep := o[i]
			for k := 0; k < m.Sizes[i]; k++ {
				o[i] = k
				if reg.Contains(o) {
					continue
				}
				clean := w.clean(o)
				u := w.pr.Utility.Eval(o)
				if bi < 0 || (clean && !bclean) || (clean == bclean && u > bu) {
					bi, bk, bclean, bu = i, k, clean, u
				}
			}
			o[i] = keep
		}
		if bi >= 0 {
			w.sent[bi] = true
			in := w.instr(parley.AddPrecondition)
			in.Issue, in.Option = bi, bk
			out = append(out, in)
			break
		}
		// Otherwise leave it through an agreed clause.
		if i := w.costliestAgreed(o, escapes(m, reg), mayReopen); i >= 0 {
			out = append(out, w.reopen(i, t.Round))
			break
		}
	}
	if len(out) == 0 && w.pr.Utility.Eval(o) <= w.pr.Reservation {
		var all []int
		for i := range m.Sizes {
			all = append(all, i)
		}
		if i := w.costliestAgreed(o, all, mayReopen); i >= 0 {
			out = append(out, w.reopen(i, t.Round))
		}
	}
	if len(out) > 0 && !w.intervened {
		w.intervened = true
		if w.Recall > 0 {
			in := w.instr(parley.Recall)
			in.Rounds = w.Recall
			out = append(out, in)
		}
	}
	return out
}

func (w *Watchdog) reopen(i, round int) parley.Instruction {
	w.reopened[i] = round
	in := w.instr(parley.ReopenClause)
	in.Issue = i
	return in
}

// clean reports whether o breaks none of the faction's red lines.
func (w *Watchdog) clean(o parley.Outcome) bool {
	for _, r := range w.pr.RedLines {
		if r.Contains(o) {
			return false
		}
	}
	return true
}

// costliestAgreed returns, among issues, the reopenable clause that costs
// the faction most (cost > 0), −1 if none; ties go to the lower index.
func (w *Watchdog) costliestAgreed(o parley.Outcome, issues []int, ok func(int) bool) int {
	best, bi := int64(0), -1
	for _, i := range issues {
		if !ok(i) {
			continue
		}
		if c := clauseCost(&w.pr.Utility, w.m, o, i); c > best {
			best, bi = c, i
		}
	}
	return bi
}

// Loyal is a faction that never blocks: when its delegate has just
// rejected (or reopened) part of a text the faction itself accepts (above
// its reservation, no red line broken), it tells the delegate to lower its
// floor by Delta, once per answer of the delegate.
type Loyal struct {
	// Delta is how much it lowers the floor each time, in utility units.
	Delta float64

	faction
	handled int // History index of the last answer acted upon
}

var _ parley.PrincipalAgent = (*Loyal)(nil)

// NewLoyal makes a loyal faction from its params (delta).
func NewLoyal(params map[string]string) (*Loyal, error) {
	p := newSTParams("loyal", params)
	l := &Loyal{Delta: p.float("delta", 0.05, 0, 1)}
	if err := p.done(); err != nil {
		return nil, err
	}
	return l, nil
}

// Init implements parley.PrincipalAgent.
func (l *Loyal) Init(s *parley.Session, index int) error {
	l.handled = -1
	return l.faction.init("loyal", s, index)
}

// Instruct implements parley.PrincipalAgent.
func (l *Loyal) Instruct(t *parley.Turn) []parley.Instruction {
	last := -1
	for h := len(t.History) - 1; h >= 0; h-- {
		if a := t.History[h]; a.Kind == parley.ActAnswer && a.Actor == l.party {
			last = h
			break
		}
	}
	if last < 0 || last == l.handled || len(t.Text) == 0 {
		return nil
	}
	l.handled = last
	rejecting := false
	for _, a := range t.History[last].Answers {
		if a == parley.AnswerReject || a == parley.AnswerReopen {
			rejecting = true
		}
	}
	if !rejecting || !l.pr.Accepts(completeText(l.m, t.Text)) {
		return nil
	}
	in := l.instr(parley.LowerFloor)
	in.Delta = l.Delta
	return []parley.Instruction{in}
}

// Hardline is a faction that raises its delegate's floor by Delta whenever
// the text becomes acceptable to the delegation but not to the faction:
// the delegation's utility is above its reservation and the other factions
// would ratify it, while the faction itself does not accept it (at or below
// its reservation, or a red line broken). It fires on the change, not on
// every step while the condition lasts.
type Hardline struct {
	// Delta is how much it raises the floor each time, in utility units.
	Delta float64

	faction
	was bool
}

var _ parley.PrincipalAgent = (*Hardline)(nil)

// NewHardline makes a hardline faction from its params (delta).
func NewHardline(params map[string]string) (*Hardline, error) {
	p := newSTParams("hardline", params)
	h := &Hardline{Delta: p.float("delta", 0.05, 0, 1)}
	if err := p.done(); err != nil {
		return nil, err
	}
	return h, nil
}

// Init implements parley.PrincipalAgent.
func (h *Hardline) Init(s *parley.Session, index int) error {
	h.was = false
	return h.faction.init("hardline", s, index)
}

// Instruct implements parley.PrincipalAgent.
func (h *Hardline) Instruct(t *parley.Turn) []parley.Instruction {
	if len(t.Text) == 0 {
		return nil
	}
	o := completeText(h.m, t.Text)
	acc := make([]bool, len(h.pm.Principals))
	for f := range acc {
		acc[f] = f == h.index || h.pm.Principals[f].Accepts(o)
	}
	now := h.pm.Utility.Eval(o) > h.pm.Reservation && h.pm.Ratifies(acc) && !h.pr.Accepts(o)
	fire := now && !h.was
	h.was = now
	if !fire {
		return nil
	}
	in := h.instr(parley.RaiseFloor)
	in.Delta = h.Delta
	return []parley.Instruction{in}
}

// String describes the faction for logs.
func (f *faction) String() string {
	if f.pm == nil {
		return "faction (not initialised)"
	}
	return fmt.Sprintf("%s of %s", f.pr.Name, f.pm.Name)
}

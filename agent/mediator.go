package agent

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/parleyhq/parley"
)

// This file holds the mediators of the mediated single-text protocol. A
// mediator does not know the parties' utilities: it sees the text (with
// each clause's state and whether it is on the agenda), the parties'
// clause-by-clause answers in Turn.History and, when the runner gives one,
// Session.Target (the analysis' Nash point).

func init() {
	Register(Info{
		Name:      "hillclimb",
		Role:      RoleMediator,
		Protocols: textProtocols,
		Summary:   "Single-text mediator: keeps the clauses every party accepts, replaces rejected ones with options nobody has rejected, ends on a stalemate.",
		Params:    "start=auto (first text: auto = Session.Target when given else statusquo, or statusquo, or target); order=index (candidate order: index = nearest option first, random = Session.Rand); memory=4 (rounds a rejection is remembered, 0 = for ever); patience=0 (rounds without progress before a stalemate ends the talks, 0 = auto: a third of the deadline, at least 3, or 10 without a deadline); extend=0 (rounds to add once at the deadline if progress was made, 0 = never); step=0 (clauses revised per round, 0 = all)",
	}, func(p map[string]string) (parley.Agent, error) { return newTextMediator("hillclimb", false, p) })
	Register(Info{
		Name:      "nash",
		Role:      RoleMediator,
		Protocols: textProtocols,
		Summary:   "Single-text mediator seeded with the analysis' Nash point: proposes it, then revises one rejected clause at a time towards what the answers allow; hillclimb without a target.",
		Params:    "order=index (candidate order: index = nearest the target first, random = Session.Rand); memory=4 (rounds a rejection is remembered, 0 = for ever); patience=0 (rounds without progress before a stalemate ends the talks, 0 = auto: a third of the deadline, at least 3, or 10 without a deadline); extend=0 (rounds to add once at the deadline if progress was made, 0 = never); step=1 (clauses revised per round, 0 = all, and all when there is no target)",
	}, func(p map[string]string) (parley.Agent, error) { return newTextMediator("nash", true, p) })
}

// TextMediator is the hill-climbing single-text mediator behind the
// registered "hillclimb" and "nash" agents.
//
// Each round it reads the answers given to its last text and revises it:
// on-agenda clauses that are agreed keep their option (a mediator never
// changes a settled clause); clauses nobody objected to stay; a clause some
// party rejected or reopened gets the next candidate option, one that no
// party has rejected within Memory rounds, preferring options parties have
// accepted and then options near the current one (or a shuffle from
// Session.Rand with Order "random"). When every option of a clause stands
// rejected it retries the least rejected one (delegates concede over time),
// or, with Memory 0, blanks the clause. Issues off the agenda are left
// blank (−1).
//
// The talks are in stalemate when every option of some open clause has
// been rejected by some party; the mediator then ends them (ActEnd), but
// only after Patience rounds without progress, because time-dependent
// delegates concede and an option rejected early may pass later. Progress
// means more settled clauses or more clause acceptances than ever before.
type TextMediator struct {
	name     string
	start    string // auto, statusquo, target
	order    string // index, random
	memory   int
	patience int
	extend   int
	step     int  // clauses revised per round; 0: all
	stepSet  bool // step given as a param
	nash     bool // the nash agent: seeded with the target
	// Set by Init from the above and the session.
	anchored bool // candidates ordered by distance to the target
	perRound int  // clauses revised per round; 0: all
	wait     int  // patience in rounds

	m       *parley.Model
	rounds  int
	rng     *rand.Rand
	target  parley.Outcome
	parties int

	seen     int                     // History entries read so far
	last     parley.Outcome          // the text as last proposed (from History)
	rejRound [][][]int               // [issue][option][party]: round of the last rejection, −1 none
	accRound [][][]int               // [issue][option][party]: round of the last acceptance, −1 none
	latest   [][]parley.ClauseAnswer // [party]: answers to the last text, nil if none
	best     int                     // best progress score so far
	progress int                     // round of the last progress
	extended bool
	started  bool
}

var _ parley.Agent = (*TextMediator)(nil)

func newTextMediator(name string, nash bool, params map[string]string) (*TextMediator, error) {
	p := newSTParams(name, params)
	tm := &TextMediator{name: name, nash: nash}
	if !nash {
		tm.start = p.choice("start", "auto", "statusquo", "target")
	}
	tm.order = p.choice("order", "index", "random")
	tm.memory = p.int("memory", 4, 0)
	tm.patience = p.int("patience", 0, 0)
	tm.extend = p.int("extend", 0, 0)
	defStep := 0
	if nash {
		defStep = 1
	}
	tm.step = p.int("step", defStep, 0)
	_, tm.stepSet = params["step"]
	if err := p.done(); err != nil {
		return nil, err
	}
	return tm, nil
}

// Init implements parley.Agent.
func (tm *TextMediator) Init(s *parley.Session) error {
	if s == nil || s.Model == nil {
		return parley.Errorf(parley.EINVALID, "agent %s: session has no model", tm.name)
	}
	if s.Party != parley.MediatorActor {
		return parley.Errorf(parley.EINVALID, "agent %s: a mediator cannot play party %d", tm.name, s.Party)
	}
	m := s.Model
	if s.Target != nil && len(s.Target) != len(m.Sizes) {
		return parley.Errorf(parley.EINVALID, "agent %s: target has %d issues, the model %d", tm.name, len(s.Target), len(m.Sizes))
	}
	for i, k := range s.Target {
		if k < 0 || k >= m.Sizes[i] {
			return parley.Errorf(parley.EINVALID, "agent %s: target option %d out of range for issue %d", tm.name, k, i)
		}
	}
	if tm.order == "random" && s.Rand == nil {
		return parley.Errorf(parley.EINVALID, "agent %s: order=random needs Session.Rand", tm.name)
	}
	tm.m, tm.rounds, tm.rng, tm.parties = m, s.Rounds, s.Rand, len(m.Parties)
	tm.wait = tm.patience
	if tm.wait == 0 {
		tm.wait = 10
		if s.Rounds > 0 {
			tm.wait = max(3, s.Rounds/3)
		}
	}
	tm.target = append(parley.Outcome(nil), s.Target...)
	if tm.start == "target" && tm.target == nil {
		return parley.Errorf(parley.EINVALID, "agent %s: start=target but the session has no target", tm.name)
	}
	tm.anchored, tm.perRound = tm.nash, tm.step
	if tm.target == nil || tm.start == "statusquo" {
		// Without a target, nash is hillclimb.
		if tm.nash && !tm.stepSet {
			tm.perRound = 0
		}
		tm.anchored = false
	}
	tm.rejRound = tm.grid()
	tm.accRound = tm.grid()
	tm.seen, tm.last, tm.latest = 0, nil, nil
	tm.best, tm.progress, tm.extended, tm.started = -1, 0, false, false
	return nil
}

func (tm *TextMediator) grid() [][][]int {
	g := make([][][]int, len(tm.m.Sizes))
	for i, n := range tm.m.Sizes {
		g[i] = make([][]int, n)
		for k := range g[i] {
			g[i][k] = make([]int, tm.parties)
			for p := range g[i][k] {
				g[i][k][p] = -1
			}
		}
	}
	return g
}

// startOption is the option the first text gives issue i.
func (tm *TextMediator) startOption(i int) int {
	if tm.target != nil && tm.start != "statusquo" {
		return tm.target[i]
	}
	return statusQuo(tm.m, i)
}

// Act implements parley.Agent. It answers TurnText with ActText, ActExtend
// or ActEnd; any other turn ends the session (a mediator has nothing else
// to say).
func (tm *TextMediator) Act(t *parley.Turn) parley.Action {
	if t.Kind != parley.TurnText {
		return parley.Action{Actor: parley.MediatorActor, Kind: parley.ActEnd, Reason: tm.name + ": a mediator only writes texts"}
	}
	m := tm.m
	idx := clauseIndex(m, t.Text)
	tm.ingest(t, idx)
	stalled := tm.stalled(t, idx)
	if !tm.started {
		tm.started = true
		return tm.opening(t, idx)
	}

	// Stalemate: every option of some open clause stands rejected.
	for i, j := range idx {
		if j < 0 || !t.Text[j].OnAgenda || settled(t.Text[j]) {
			continue
		}
		if tm.exhausted(i, t.Round) && stalled {
			return parley.Action{Actor: parley.MediatorActor, Kind: parley.ActEnd,
				Reason: fmt.Sprintf("stalemate: every option of %s has been rejected", m.Scenario.Issues[i].Name)}
		}
	}

	if tm.extend > 0 && !tm.extended && tm.rounds > 0 && t.Round >= tm.rounds-1 && !stalled {
		tm.extended = true
		return parley.Action{Actor: parley.MediatorActor, Kind: parley.ActExtend, Rounds: tm.extend,
			Reason: fmt.Sprintf("progress in the last %d rounds: extend by %d", tm.wait, tm.extend)}
	}
	return tm.revise(t, idx)
}

// stalled records the progress of the text — settled clauses weigh as
// much as every party accepting — and reports whether there has been none
// for the last wait rounds.
func (tm *TextMediator) stalled(t *parley.Turn, idx []int) bool {
	score := 0
	for _, j := range idx {
		if j >= 0 && t.Text[j].OnAgenda && settled(t.Text[j]) {
			score += tm.parties
		}
	}
	for _, as := range tm.latest {
		for _, a := range as {
			if a == parley.AnswerAccept {
				score++
			}
		}
	}
	if score > tm.best {
		tm.best, tm.progress = score, t.Round
	}
	return t.Round-tm.progress >= tm.wait
}

// opening writes the first text: the clauses already proposed or settled
// as they stand, and the starting option of every other clause on the
// agenda.
func (tm *TextMediator) opening(t *parley.Turn, idx []int) parley.Action {
	out := make(parley.Outcome, len(tm.m.Sizes))
	for i := range out {
		out[i] = -1
		if j := idx[i]; j >= 0 && t.Text[j].OnAgenda {
			if c := t.Text[j]; c.Option >= 0 && (settled(c) || c.State == parley.ClauseProposed) {
				out[i] = c.Option
			} else {
				out[i] = tm.startOption(i)
			}
		}
	}
	return parley.Action{Actor: parley.MediatorActor, Kind: parley.ActText, Outcome: out, Reason: "opening text"}
}

// revise writes the next text: the clauses that are blank, objected to,
// reopened or under review take another candidate option (blank ones
// first, then those most parties objected to; at most perRound of them).
func (tm *TextMediator) revise(t *parley.Turn, idx []int) parley.Action {
	m := tm.m
	out := make(parley.Outcome, len(m.Sizes))
	type todo struct{ issue, against int }
	var revise []todo
	for i, j := range idx {
		out[i] = -1
		if j < 0 || !t.Text[j].OnAgenda {
			continue
		}
		c := t.Text[j]
		out[i] = c.Option
		if settled(c) {
			continue
		}
		against := 0
		for _, as := range tm.latest {
			if as != nil && (as[i] == parley.AnswerReject || as[i] == parley.AnswerReopen) {
				against++
			}
		}
		if c.Option < 0 || against > 0 || c.State == parley.ClauseReopened || c.State == parley.ClauseUnderReview {
			revise = append(revise, todo{i, against})
		}
	}
	// Blank clauses first (they cannot be agreed), then the clauses most
	// parties objected to; ties by issue order.
	sort.SliceStable(revise, func(a, b int) bool {
		ba, bb := out[revise[a].issue] < 0, out[revise[b].issue] < 0
		if ba != bb {
			return ba
		}
		return revise[a].against > revise[b].against
	})
	if tm.perRound > 0 && len(revise) > tm.perRound {
		revise = revise[:tm.perRound]
	}
	var changed []string
	for _, r := range revise {
		i := r.issue
		k := tm.candidate(i, out[i], t.Round)
		if k == out[i] {
			continue
		}
		out[i] = k
		label := "_"
		if k >= 0 {
			label = m.Scenario.Issues[i].Options[k].Label
		}
		changed = append(changed, m.Scenario.Issues[i].Name+"="+label)
	}
	reason := "no change"
	if len(changed) > 0 {
		reason = "revise " + strings.Join(changed, ", ")
	}
	return parley.Action{Actor: parley.MediatorActor, Kind: parley.ActText, Outcome: out, Reason: reason}
}

// ingest reads the History entries added since the last call: the texts
// proposed and every party's answers, remembering per issue and option who
// rejected and who accepted it, and when.
func (tm *TextMediator) ingest(t *parley.Turn, idx []int) {
	h := t.History
	if len(h) < tm.seen {
		tm.seen = 0
	}
	n := len(tm.m.Sizes)
	for _, a := range h[tm.seen:] {
		switch a.Kind {
		case parley.ActText:
			if a.Actor == parley.MediatorActor && len(a.Outcome) == n {
				tm.last = append(tm.last[:0], a.Outcome...)
				tm.latest = make([][]parley.ClauseAnswer, tm.parties)
			}
		case parley.ActAnswer:
			if a.Actor < 0 || a.Actor >= tm.parties || len(a.Answers) != n {
				continue
			}
			if tm.latest == nil {
				tm.latest = make([][]parley.ClauseAnswer, tm.parties)
			}
			tm.latest[a.Actor] = append([]parley.ClauseAnswer(nil), a.Answers...)
			for i, ans := range a.Answers {
				k := -1
				if tm.last != nil {
					k = tm.last[i]
				}
				if k < 0 && idx[i] >= 0 {
					// A clause the protocol wrote (a precondition).
					k = t.Text[idx[i]].Option
				}
				if k < 0 || k >= tm.m.Sizes[i] {
					continue
				}
				switch ans {
				case parley.AnswerReject, parley.AnswerReopen:
					tm.rejRound[i][k][a.Actor] = t.Round
				case parley.AnswerAccept:
					tm.accRound[i][k][a.Actor] = t.Round
				}
			}
		}
	}
	tm.seen = len(h)
}

// rejectedBy counts the parties whose last word on option k of issue i is a
// rejection given within the memory window.
func (tm *TextMediator) rejectedBy(i, k, round int) int {
	n := 0
	for p, r := range tm.rejRound[i][k] {
		if r < 0 || r <= tm.accRound[i][k][p] {
			continue
		}
		if tm.memory > 0 && round-r > tm.memory {
			continue
		}
		n++
	}
	return n
}

// acceptedBy counts the parties whose last word on option k of issue i is
// an acceptance.
func (tm *TextMediator) acceptedBy(i, k int) int {
	n := 0
	for p, r := range tm.accRound[i][k] {
		if r >= 0 && r > tm.rejRound[i][k][p] {
			n++
		}
	}
	return n
}

// exhausted reports whether every option of issue i stands rejected.
func (tm *TextMediator) exhausted(i, round int) bool {
	for k := 0; k < tm.m.Sizes[i]; k++ {
		if tm.rejectedBy(i, k, round) == 0 {
			return false
		}
	}
	return true
}

// candidate picks the next option for issue i, whose clause now holds cur
// (−1: blank): an option no party stands against, other than cur,
// preferring options parties have accepted, then the nearest (to the
// target for nash, else to cur). When every option stands rejected it
// retries the one the fewest parties reject, rejected longest ago, since
// delegates concede over time; with Memory 0 (rejections are final) it
// returns −1 and the clause is blanked instead.
func (tm *TextMediator) candidate(i, cur, round int) int {
	var ks []int
	for k := 0; k < tm.m.Sizes[i]; k++ {
		if k != cur && tm.rejectedBy(i, k, round) == 0 {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		if tm.memory == 0 {
			return -1
		}
		return tm.retry(i, cur, round)
	}
	if tm.order == "random" {
		tm.rng.Shuffle(len(ks), func(a, b int) { ks[a], ks[b] = ks[b], ks[a] })
	}
	anchor := cur
	if tm.anchored || anchor < 0 {
		anchor = tm.startOption(i)
	}
	dist := func(k int) int {
		if k > anchor {
			return k - anchor
		}
		return anchor - k
	}
	sort.SliceStable(ks, func(a, b int) bool {
		ka, kb := ks[a], ks[b]
		if x, y := tm.acceptedBy(i, ka), tm.acceptedBy(i, kb); x != y {
			return x > y
		}
		if tm.order == "random" {
			return false
		}
		if x, y := dist(ka), dist(kb); x != y {
			return x < y
		}
		return ka < kb
	})
	return ks[0]
}

// retry returns the option of issue i, other than cur when there is
// another, that the fewest parties stand against, rejected longest ago;
// ties go to the lower index.
func (tm *TextMediator) retry(i, cur, round int) int {
	bk, bn, bl := -1, 0, 0
	for k := 0; k < tm.m.Sizes[i]; k++ {
		if k == cur && tm.m.Sizes[i] > 1 {
			continue
		}
		n := tm.rejectedBy(i, k, round)
		last := -1
		for _, r := range tm.rejRound[i][k] {
			last = max(last, r)
		}
		if tm.anchored && n == bn && bk >= 0 && bk != tm.target[i] && k == tm.target[i] {
			bk, bl = k, last // nash holds on to the target
			continue
		}
		if bk < 0 || n < bn || (n == bn && last < bl && !(tm.anchored && bk == tm.target[i])) {
			bk, bn, bl = k, n, last
		}
	}
	return bk
}

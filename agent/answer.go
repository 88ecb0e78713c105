package agent

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/parleyhq/parley"
)

func init() {
	Register(Info{
		Name:      "delegate",
		Role:      RoleNegotiator,
		Protocols: textProtocols,
		Summary:   "Answers a single negotiating text clause by clause: accepts when the text clears a floor that concedes over time and its factions ratify, otherwise rejects the clauses that cost most or break a red line.",
		Params:    "floor=0 (offset added to the acceptance floor, in utility units); concede=1 (time-dependent exponent e: the floor falls from the best feasible utility to the reservation as 1-t^(1/e), e<1 Boulware, e>1 Conceder); reopen=5 (reopen an agreed clause at most once per this many rounds, 0 = never); patience=0 (walk away after this many turns in a row with a text this side cannot sign: at or below the reservation, or not ratified by its principals (a red line crossed), 0 = never); extend=0 (near the deadline, with clauses settled, ask for this many more rounds; the deadline moves when every party asks, 0 = never ask)",
	}, func(p map[string]string) (parley.Agent, error) { return NewDelegate(p) })
}

// Delegate is the default party agent of the mediated single-text
// protocol. It answers each text clause by clause.
//
// It completes the text (blank clauses and issues off the agenda take their
// status-quo option) and evaluates it with its own utility, which for a
// delegation is the weighted mean of the factions'. Its acceptance floor
// starts at the best utility any feasible outcome gives it and falls with
// Turn.Time towards its reservation value as 1−t^(1/e) (times d^t when its
// party discounts by d: it concedes earlier, see Discount); the Floor offset
// and the RaiseFloor and LowerFloor instructions of its principals shift it,
// but it never falls to the reservation or below (a party does not sign what
// it values no more than no agreement).
//
// The text is acceptable when it clears the floor, the party's
// ratification rule holds for it (Model.Parties[p].Accepts: every faction
// the rule needs is above its reservation and breaks none of its red
// lines), it is feasible (no non-consenting guarantor is needed, unless
// through a clause the delegation's own principals required) and it meets
// the preconditions its principals set (AddPrecondition). Then it accepts
// every open clause. Otherwise it rejects, in this order: a clause that
// misses a precondition; clauses through which the text could leave a red
// line of a faction that blocks ratification, or the clause costing most a
// blocking faction below its reservation; clauses that make the text
// infeasible; and, while the text is below the floor, the clauses costing
// the party most until their costs cover the gap. An agreed clause in that
// place is answered "reopen" instead, at most once per Reopen rounds, and
// for the floor only when it alone (with the open clauses) could close the
// gap. It always rejects at least one clause of a text it does not accept,
// so it never lets a text it would not sign be agreed. The clause's cost is
// what the party would gain if only that clause took its best option.
//
// It walks away at once when even its best feasible outcome is worth no
// more than its reservation, or when for Patience turns in a row the text
// was one its side cannot sign (at or below the reservation, or not
// ratified by its principals: a red line crossed).
type Delegate struct {
	// FloorOffset is added to the floor, in utility units.
	FloorOffset float64
	// Concede is the exponent e of the time-dependent floor.
	Concede float64
	// Reopen is the number of rounds between two reopenings of one clause
	// (0: never reopen).
	Reopen int
	// Patience is the number of turns in a row with a text its side cannot
	// sign after which it walks away (0: never).
	Patience int
	// Extend is how many more rounds it asks for, with its answer, once
	// the session is past 80% of its time and at least one clause is
	// agreed (0: never ask). The protocol extends the deadline when every
	// party asks.
	Extend int

	m        *parley.Model
	party    int
	pm       *parley.PartyModel
	u        *parley.UtilityFn
	res      int64
	best     int64
	offset   int64       // FloorOffset, fixed point
	shift    int64       // instructions' floor shift, fixed point
	required map[int]int // preconditions: issue → option
	reopened []int       // round of the last reopen answer per issue, −1
	forced   map[int]bool
	below    int
	disc     Discount
}

var _ parley.Agent = (*Delegate)(nil)

// NewDelegate makes a delegate from its params (floor, concede, reopen,
// patience, extend).
func NewDelegate(params map[string]string) (*Delegate, error) {
	p := newSTParams("delegate", params)
	d := &Delegate{
		FloorOffset: p.float("floor", 0, -1, 1),
		Concede:     p.float("concede", 1, 1e-3, 1e3),
		Reopen:      p.int("reopen", 5, 0),
		Patience:    p.int("patience", 0, 0),
		Extend:      p.int("extend", 0, 0),
	}
	if err := p.done(); err != nil {
		return nil, err
	}
	return d, nil
}

// Init implements parley.Agent.
func (d *Delegate) Init(s *parley.Session) error {
	if s == nil || s.Model == nil {
		return parley.Errorf(parley.EINVALID, "delegate: session has no model")
	}
	if s.Party < 0 || s.Party >= len(s.Model.Parties) {
		return parley.Errorf(parley.EINVALID, "delegate: party %d out of range (the model has %d parties)", s.Party, len(s.Model.Parties))
	}
	d.m, d.party = s.Model, s.Party
	d.pm = &s.Model.Parties[s.Party]
	d.u, d.res = s.Utility, s.Reservation
	if d.u == nil {
		d.u, d.res = &d.pm.Utility, d.pm.Reservation
	}
	d.best = cachedBest(d.m, d.u)
	d.disc = NewDiscount(s.Discount)
	d.offset = d.u.QDecimal(d.FloorOffset)
	d.shift = 0
	d.required = map[int]int{}
	d.forced = map[int]bool{}
	d.reopened = make([]int, len(d.m.Sizes))
	for i := range d.reopened {
		d.reopened[i] = math.MinInt / 2
	}
	d.below = 0
	return nil
}

// Floor returns the acceptance floor at relative time t (in [0,1]), in
// fixed point: res + (best−res)·(1−t^(1/e))·d^t + offset + shifts, and at
// least one quantum above the reservation. It is computed in the fixed
// point of the party's utility: the span best−res is scaled by the
// time factor without passing through a float (at t = 0 the floor is best
// exactly, however large the scale), and the offset and the instructions'
// shifts are the decimals given, on that scale (parley.UtilityFn.QDecimal); so a text whose
// utility equals the floor in exact arithmetic clears it.
func (d *Delegate) Floor(t float64) int64 {
	t = min(max(t, 0), 1)
	f := d.res + mulFrac(d.best-d.res, (1-math.Pow(t, 1/d.Concede))*d.disc.Factor(t)) + d.offset + d.shift
	return max(f, d.res+1)
}

func (d *Delegate) walk(reason string) parley.Action {
	return parley.Action{Actor: d.party, Kind: parley.ActWalkAway, Reason: reason}
}

// Act implements parley.Agent. It answers TurnAnswer; it has no offers to
// make, so any other turn is answered by walking away.
func (d *Delegate) Act(t *parley.Turn) parley.Action {
	if t.Kind != parley.TurnAnswer {
		return d.walk("delegate: only answers single texts")
	}
	d.obey(t.Instructions)
	if d.best <= d.res {
		return d.walk(fmt.Sprintf("best feasible utility %.3f is no better than the reservation %.3f", d.u.F(d.best), d.u.F(d.res)))
	}
	a := d.newAnswer(t)
	// Patience counts texts this side cannot sign: at or below its
	// reservation, or one its principals would not ratify (a red line
	// crossed, a faction under its rule).
	if a.u <= d.res || !d.pm.Accepts(a.o) {
		d.below++
	} else {
		d.below = 0
	}
	if d.Patience > 0 && d.below >= d.Patience {
		return d.walk(fmt.Sprintf("for %d turns in a row the text was one this side cannot sign", d.below))
	}
	a.reopenAsInstructed()
	ok := a.u >= a.floor
	if !ok {
		a.why = append(a.why, fmt.Sprintf("u=%.3f below floor %.3f", d.u.F(a.u), d.u.F(a.floor)))
	}
	ok = a.preconditions() && ok
	ok = a.ratification() && ok
	ok = a.feasibility() && ok
	if a.u < a.floor {
		d.coverGap(a.floor-a.u, a.o, a.idx, t.Text, a.protected, a.mark, a.name, &a.why)
	}
	if !ok {
		a.holdBack()
	}
	return a.action(ok)
}

// obey takes in the principals' instructions: floor shifts,
// preconditions and clauses to reopen.
func (d *Delegate) obey(ins []parley.Instruction) {
	n := len(d.m.Sizes)
	for _, in := range ins {
		switch in.Kind {
		case parley.RaiseFloor:
			d.shift += d.u.QDecimal(in.Delta)
		case parley.LowerFloor:
			d.shift -= d.u.QDecimal(in.Delta)
		case parley.AddPrecondition:
			if in.Issue >= 0 && in.Issue < n && in.Option >= 0 && in.Option < d.m.Sizes[in.Issue] {
				d.required[in.Issue] = in.Option
			}
		case parley.ReopenClause:
			if in.Issue >= 0 && in.Issue < n {
				d.forced[in.Issue] = true
			}
		}
	}
}

// textAnswer is a delegate's answer to one text as it takes shape: the text
// completed (o), its utility and the floor, the answer per issue so far and
// why.
type textAnswer struct {
	d     *Delegate
	t     *parley.Turn
	idx   []int // issue → index in t.Text, −1
	o     parley.Outcome
	u     int64
	floor int64
	ans   []parley.ClauseAnswer
	why   []string
}

// newAnswer starts the answer to the text of t.
func (d *Delegate) newAnswer(t *parley.Turn) *textAnswer {
	a := &textAnswer{d: d, t: t, idx: clauseIndex(d.m, t.Text), o: completeText(d.m, t.Text), floor: d.Floor(t.Time)}
	a.u = d.u.Eval(a.o)
	a.ans = make([]parley.ClauseAnswer, len(d.m.Sizes))
	return a
}

// clause returns issue i's clause in the text.
func (a *textAnswer) clause(i int) (parley.Clause, bool) {
	if a.idx[i] < 0 {
		return parley.Clause{}, false
	}
	return a.t.Text[a.idx[i]], true
}

// protected reports whether the clause holds the option a principal made
// a precondition.
func (a *textAnswer) protected(i int) bool {
	k, ok := a.d.required[i]
	return ok && a.o[i] == k
}

func (a *textAnswer) name(i int) string { return a.d.m.Scenario.Issues[i].Name }

// mark rejects an open clause or reopens an agreed one; force ignores the
// reopening rate. It reports whether the clause is held back.
func (a *textAnswer) mark(i int, force bool) bool {
	c, ok := a.clause(i)
	d := a.d
	switch {
	case !ok || a.ans[i] != parley.AnswerNone:
		return ok && a.ans[i] != parley.AnswerNone
	case answerable(c):
		a.ans[i] = parley.AnswerReject
		return true
	case c.OnAgenda && c.State == parley.ClauseAgreed && c.Option >= 0 && d.Reopen > 0 &&
		(force || a.t.Round-d.reopened[i] >= d.Reopen):
		a.ans[i] = parley.AnswerReopen
		d.reopened[i] = a.t.Round
		return true
	}
	return false
}

// reopenAsInstructed obeys the instructions to reopen a clause, if it is
// still agreed.
func (a *textAnswer) reopenAsInstructed() {
	for _, i := range sortedKeys(a.d.forced) {
		if c, ok := a.clause(i); ok && c.State == parley.ClauseAgreed && a.mark(i, true) {
			a.why = append(a.why, "reopen "+a.name(i)+" as instructed")
		}
	}
	a.d.forced = map[int]bool{}
}

// preconditions rejects the clauses that miss a precondition; it reports
// whether the text meets them all.
func (a *textAnswer) preconditions() bool {
	ok := true
	for _, i := range sortedKeys(a.d.required) {
		if a.o[i] != a.d.required[i] {
			ok = false
			if a.mark(i, false) {
				a.why = append(a.why, "precondition on "+a.name(i))
			}
		}
	}
	return ok
}

// ratification rejects, for each faction that blocks ratification, the
// clauses through which the text could leave its red lines and the clause
// costing it most when it is below its reservation; it reports whether the
// delegation would ratify the text.
func (a *textAnswer) ratification() bool {
	d, o := a.d, a.o
	bl := blocking(d.pm, o)
	if bl == nil {
		return true
	}
	for _, f := range bl {
		pr := &d.pm.Principals[f]
		for r, reg := range pr.RedLines {
			if !reg.Contains(o) {
				continue
			}
			for _, i := range escapes(d.m, reg) {
				if !a.protected(i) && a.mark(i, false) {
					a.why = append(a.why, fmt.Sprintf("%s breaks red line %s of %s", a.name(i), pr.RedLineName[r], pr.Name))
				}
			}
		}
		if pr.Utility.Eval(o) <= pr.Reservation {
			if i := d.costliest(&pr.Utility, o, a.idx, a.t.Text, a.protected, true); i >= 0 && a.mark(i, false) {
				a.why = append(a.why, fmt.Sprintf("%s costs %s most, below its reservation", a.name(i), pr.Name))
			}
		}
	}
	return false
}

// feasibility rejects the clauses that need a guarantor who does not
// consent, unless the delegation's own principals required them; it
// reports whether the text is feasible in that sense.
func (a *textAnswer) feasibility() bool {
	m, ok := a.d.m, true
	for r, reg := range m.Infeasible {
		if !reg.Contains(a.o) {
			continue
		}
		es := escapes(m, reg)
		insist := true
		for _, i := range es {
			if !a.protected(i) {
				insist = false
			}
		}
		if insist {
			continue // its principals required this clause; let others object
		}
		ok = false
		for _, i := range es {
			if !a.protected(i) && a.mark(i, false) {
				a.why = append(a.why, fmt.Sprintf("%s needs %s, who does not consent", a.name(i), m.InfeasibleWhy[r]))
			}
		}
	}
	return ok
}

// holdBack makes sure a text the delegate does not accept is not agreed:
// unless some clause is already rejected or reopened, it rejects the
// clause costing it most, else reopens the costliest agreed one (at the
// reopening rate, then regardless), else rejects any answerable clause.
func (a *textAnswer) holdBack() {
	for _, x := range a.ans {
		if x == parley.AnswerReject || x == parley.AnswerReopen {
			return
		}
	}
	d := a.d
	for step := range 4 {
		var i int
		switch step {
		case 0:
			i = d.costliest(d.u, a.o, a.idx, a.t.Text, a.protected, false)
		case 1, 2:
			i = d.costliestAgreed(a.o, a.idx, a.t.Text, a.protected)
		case 3:
			i = -1
			for j := range a.ans {
				if c, ok := a.clause(j); ok && answerable(c) {
					i = j
					break
				}
			}
		}
		if i >= 0 && a.mark(i, step == 2 || step == 3) {
			a.why = append(a.why, "hold back "+a.name(i))
			return
		}
	}
}

// action accepts every answerable clause not held back and words the
// reason; near the deadline, with clauses settled, it asks for more
// rounds.
func (a *textAnswer) action(ok bool) parley.Action {
	d := a.d
	for i := range a.ans {
		if c, found := a.clause(i); found && answerable(c) && a.ans[i] == parley.AnswerNone {
			a.ans[i] = parley.AnswerAccept
		}
	}
	reason := fmt.Sprintf("accept: u=%.3f, floor %.3f", d.u.F(a.u), d.u.F(a.floor))
	if !ok || len(a.why) > 0 {
		reason = strings.Join(a.why, "; ")
	}
	act := parley.Action{Actor: d.party, Kind: parley.ActAnswer, Answers: a.ans, Reason: reason}
	if d.Extend > 0 && a.t.Time >= 0.8 && anySettled(a.t.Text) {
		act.Rounds = d.Extend
		act.Reason += fmt.Sprintf("; asks for %d more rounds", d.Extend)
	}
	return act
}

// anySettled reports whether some on-agenda clause of the text is settled.
func anySettled(text []parley.Clause) bool {
	for _, c := range text {
		if c.OnAgenda && settled(c) {
			return true
		}
	}
	return false
}

// coverGap rejects the open clauses that cost the party most until their
// costs cover gap, then, if they cannot, reopens the costliest agreed
// clause when it would close what remains.
func (d *Delegate) coverGap(gap int64, o parley.Outcome, idx []int, text []parley.Clause,
	protected func(int) bool, mark func(int, bool) bool, name func(int) string, why *[]string) {
	type priced struct {
		issue int
		cost  int64
	}
	var open, agreed []priced
	for i, j := range idx {
		if j < 0 || protected(i) {
			continue
		}
		c := text[j]
		cost := clauseCost(d.u, d.m, o, i)
		if cost <= 0 {
			continue
		}
		switch {
		case answerable(c):
			open = append(open, priced{i, cost})
		case c.OnAgenda && c.State == parley.ClauseAgreed:
			agreed = append(agreed, priced{i, cost})
		}
	}
	byCost := func(ps []priced) {
		sort.SliceStable(ps, func(a, b int) bool { return ps[a].cost > ps[b].cost })
	}
	byCost(open)
	byCost(agreed)
	var covered int64
	for _, p := range open {
		if covered >= gap {
			break
		}
		if mark(p.issue, false) {
			covered += p.cost
			*why = append(*why, fmt.Sprintf("%s costs %.3f", name(p.issue), d.u.F(p.cost)))
		}
	}
	if covered < gap && len(agreed) > 0 && covered+agreed[0].cost >= gap {
		if mark(agreed[0].issue, false) {
			*why = append(*why, fmt.Sprintf("reopen %s: it keeps the text below the floor", name(agreed[0].issue)))
		}
	}
}

// costliest returns the open (and, with agreedToo, agreed) unprotected
// clause whose issue costs the owner of u most in o, −1 if none. Ties go to
// the lower issue index; a cost of zero still counts, so that a clause can
// be held back.
func (d *Delegate) costliest(u *parley.UtilityFn, o parley.Outcome, idx []int, text []parley.Clause, protected func(int) bool, agreedToo bool) int {
	best, bi := int64(-1), -1
	for i, j := range idx {
		if j < 0 || protected(i) {
			continue
		}
		c := text[j]
		if !answerable(c) && !(agreedToo && c.OnAgenda && c.State == parley.ClauseAgreed) {
			continue
		}
		if cost := clauseCost(u, d.m, o, i); cost > best {
			best, bi = cost, i
		}
	}
	return bi
}

// costliestAgreed returns the agreed unprotected clause costing the party
// most, −1 if none.
func (d *Delegate) costliestAgreed(o parley.Outcome, idx []int, text []parley.Clause, protected func(int) bool) int {
	best, bi := int64(-1), -1
	for i, j := range idx {
		if j < 0 || protected(i) || !text[j].OnAgenda || text[j].State != parley.ClauseAgreed {
			continue
		}
		if cost := clauseCost(d.u, d.m, o, i); cost > best {
			best, bi = cost, i
		}
	}
	return bi
}

func sortedKeys[V any](m map[int]V) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
}

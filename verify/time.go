package verify

import (
	"sort"

	"github.com/parleyhq/parley"
)

// A due is something that falls due on a day: a case step, a consequence
// or an obligation instance. advance handles them in day order.
type due struct {
	day  int // the deadline; the thing is overdue from day+1
	rank int // order among things due the same day: filing order
	fire func(o *out, day int)
}

// advance lets time pass to day: every step, consequence and obligation
// instance whose deadline lies before day becomes overdue (and is
// escalated where the text says) or missed, on the day after its deadline.
func (m *Machine) advance(o *out, day int) {
	for {
		ds := m.dues(day)
		if len(ds) == 0 {
			return
		}
		sort.SliceStable(ds, func(i, j int) bool {
			if ds[i].day != ds[j].day {
				return ds[i].day < ds[j].day
			}
			return ds[i].rank < ds[j].rank
		})
		// Fire the earliest only, then look again: firing may set new
		// deadlines (an escalated step gets none, but a missed instance
		// may trigger a consequence with its own).
		ds[0].fire(o, ds[0].day+1)
	}
}

// dues lists what is overdue before day and not yet marked.
func (m *Machine) dues(day int) []due {
	var ds []due
	rank := 0
	// Closed cases have nothing left to fall due: drop them from the
	// active list, so that a long log is not rescanned on every input.
	live := m.active[:0]
	for _, c := range m.active {
		if c.Stage != Closed {
			live = append(live, c)
		}
	}
	clear(m.active[len(live):])
	m.active = live
	for _, c := range m.active {
		rank++
		if c.Deadline > 0 && c.Deadline < day && !contains(c.Overdue, m.pendingStep(c)) && c.Stage < Ruled {
			step := m.pendingStep(c)
			ds = append(ds, due{day: c.Deadline, rank: rank, fire: func(o *out, d int) { m.overdue(o, c, step, d) }})
		}
		for i := range c.Consequences {
			q := &c.Consequences[i]
			if q.Due > 0 && q.Due < day && q.Applied < 0 && !q.Overdue && q.Action != parley.Response {
				cid := c.ID
				ds = append(ds, due{day: q.Due, rank: rank, fire: func(o *out, d int) { m.consequenceOverdue(o, cid, q, d) }})
			}
		}
	}
	for _, q := range m.misses {
		rank++
		if q.Due > 0 && q.Due < day && q.Applied < 0 && !q.Overdue {
			q := q
			ds = append(ds, due{day: q.Due, rank: rank, fire: func(o *out, d int) { m.consequenceOverdue(o, "", q, d) }})
		}
	}
	for _, cm := range m.a.Commitments {
		if cm.Kind != parley.Obligation {
			continue
		}
		rank++
		m.extend(cm, day)
		for _, in := range m.inst[cm.ID] {
			if in.Due < day && in.Reported < 0 && !in.Missed && !m.suspendedBy(cm.ID, in.Due) {
				in, cm := in, cm
				ds = append(ds, due{day: in.Due, rank: rank, fire: func(o *out, d int) { m.missed(o, cm, in, d) }})
			}
		}
	}
	return ds
}

// extend adds the instances of an open-ended periodic obligation due
// before day.
func (m *Machine) extend(cm parley.Commitment, day int) {
	if cm.Due.Within != nil || cm.Due.Until > 0 || cm.Due.Every <= 0 {
		return
	}
	have := len(m.inst[cm.ID])
	for _, d := range cm.Due.Instances(day) {
		if have > 0 {
			have--
			continue
		}
		m.inst[cm.ID] = append(m.inst[cm.ID], newInstance(cm.ID, len(m.inst[cm.ID])+1, d))
	}
}

func (m *Machine) suspendedBy(id string, day int) bool {
	d, ok := m.suspended[id]
	return ok && d <= day
}

// pendingStep names the step a case waits for.
func (m *Machine) pendingStep(c *Case) string {
	switch c.Stage {
	case Alleged:
		return StepOpen
	case Investigating:
		return StepFind
	case Found:
		return StepRule
	}
	return StepApply
}

// escalation returns the seat the text escalates a step to.
func (m *Machine) escalation(step string) string {
	mech := m.a.Mechanism
	switch step {
	case StepOpen, StepFind:
		return m.a.Seat(mech.Investigate.EscalateTo)
	case StepRule:
		return m.a.Seat(mech.Rule.EscalateTo)
	}
	return ""
}

func (m *Machine) overdue(o *out, c *Case, step string, day int) {
	c.Overdue = append(c.Overdue, step)
	o.emit(parley.CaseEvent{Day: day, Kind: parley.CaseOverdue, Case: c.ID, Step: step, Deadline: c.Deadline})
	if to := m.escalation(step); to != "" {
		c.Escalated[step] = to
		o.emit(parley.CaseEvent{Day: day, Kind: parley.CaseEscalated, Case: c.ID, Step: step, To: to,
			Note: "the text passes an overdue " + step + " step to " + to})
	}
}

func (m *Machine) consequenceOverdue(o *out, caseID string, q *Consequence, day int) {
	q.Overdue = true
	o.emit(parley.CaseEvent{Day: day, Kind: parley.CaseOverdue, Case: caseID, Commitment: q.Commitment, Instance: q.Instance, Step: StepApply, Deadline: q.Due})
	if q.EscalateTo != "" {
		q.Escalated = true
		o.emit(parley.CaseEvent{Day: day, Kind: parley.CaseEscalated, Case: caseID, Commitment: q.Commitment, Instance: q.Instance, Step: StepApply, To: q.EscalateTo,
			Note: "the text passes an overdue consequence to " + q.EscalateTo})
	}
}

func (m *Machine) missed(o *out, cm parley.Commitment, in *Instance, day int) {
	in.Missed = true
	o.emit(parley.CaseEvent{Day: day, Kind: parley.CaseMissed, Commitment: cm.ID, Instance: in.N, Deadline: in.Due})
	if cm.OnBreach != nil {
		q := m.consequence(&cm, day, in.N)
		m.misses = append(m.misses, &q)
		m.emitConsequence(o, "", q, day)
	}
}

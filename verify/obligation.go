package verify

import (
	"strings"

	"github.com/parleyhq/parley"
)

// verifiers returns the seats that may confirm or contest a reported
// fulfilment of cm (see parley.Commitment.VerifiedBy).
func (m *Machine) verifiers(cm *parley.Commitment) []string {
	var seats []string
	add := func(names ...string) {
		for _, n := range names {
			seats = union(seats, m.a.Seat(n))
		}
	}
	switch v := cm.VerifiedBy; v {
	case "":
		add(cm.To...)
	case parley.VerifierMechanism:
		iv := m.a.Mechanism.Investigate
		switch {
		case iv.Chair != "":
			add(iv.Chair)
		case contains(iv.By, parley.SeatMediators):
			add(parley.SeatMediators)
		default:
			add(cm.To...)
		}
	default:
		add(v)
	}
	return seats
}

// instance returns instance n of an obligation, creating it for an
// open-ended periodic obligation.
func (m *Machine) instance(cm *parley.Commitment, n int) *Instance {
	if n < 1 {
		return nil
	}
	for _, in := range m.inst[cm.ID] {
		if in.N == n {
			return in
		}
	}
	if cm.Due.Within != nil || cm.Due.Until > 0 || cm.Due.Every <= 0 {
		return nil
	}
	for len(m.inst[cm.ID]) < n {
		k := len(m.inst[cm.ID]) + 1
		m.inst[cm.ID] = append(m.inst[cm.ID], newInstance(cm.ID, k, cm.Due.From+k*cm.Due.Every))
	}
	return m.inst[cm.ID][n-1]
}

// fulfilment handles report, confirm and contest.
func (m *Machine) fulfilment(o *out, in parley.CaseEvent) error {
	cm := m.a.Commitment(in.Commitment)
	if cm == nil {
		return refuse("the accord has no commitment %q", in.Commitment)
	}
	if cm.Kind != parley.Obligation {
		return refuse("%q is a %s: it is kept by not acting, and only an allegation can say it was broken", cm.ID, cm.Kind)
	}
	if in.Instance == 0 {
		in.Instance = 1
	}
	inst := m.instance(cm, in.Instance)
	if inst == nil {
		return refuse("%q has no instance %d (%s)", cm.ID, in.Instance, cm.Due)
	}
	in.Deadline = inst.Due
	switch in.Kind {
	case parley.CaseReport:
		if !m.owes(cm, in.By) {
			return forbid("%q is owed by %s; %s cannot report it fulfilled", cm.ID, strings.Join(cm.By, ", "), in.By)
		}
		if inst.Reported >= 0 {
			return refuse("instance %d of %q was reported on day %d", inst.N, cm.ID, inst.Reported)
		}
		inst.Reported = in.Day
		if in.Day > inst.Due && in.Note == "" {
			in.Note = "late"
		}
	case parley.CaseConfirm:
		if !contains(m.verifiers(cm), in.By) {
			return forbid("%q is verified by %s, not %s", cm.ID, orList(m.verifiers(cm)), in.By)
		}
		if inst.Reported < 0 {
			return refuse("instance %d of %q has not been reported fulfilled", inst.N, cm.ID)
		}
		inst.Confirmed = in.Day
	case parley.CaseContest:
		who := m.verifiers(cm)
		for _, t := range cm.To {
			who = union(who, m.a.Seat(t))
		}
		if !contains(who, in.By) {
			return forbid("only %s may contest %q", orList(who), cm.ID)
		}
		if inst.Reported < 0 {
			return refuse("instance %d of %q has not been reported fulfilled", inst.N, cm.ID)
		}
		inst.Contested, inst.ContestBy = in.Day, in.By
		if contains(m.verifiers(cm), in.By) {
			inst.Confirmed = -1
		}
	}
	o.emit(in)
	return nil
}

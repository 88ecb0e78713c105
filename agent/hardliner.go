package agent

import "github.com/parleyhq/parley"

// Hardliner always offers its best outcome (Index.Best) and accepts only an
// offer at least as good as that, never conceding. It walks away only when
// nothing beats its reservation. It uses no randomness.
type Hardliner struct {
	negotiator
}

var _ parley.HistoryFreeAgent = (*Hardliner)(nil)

// HistoryFree implements parley.HistoryFreeAgent: it offers its best and
// judges the standing offer alone, so a tournament or simulation with it
// keeps no record of past actions.
func (a *Hardliner) HistoryFree() {}

// Init implements parley.Agent.
func (a *Hardliner) Init(s *parley.Session) error { return a.init(s) }

// Act implements parley.Agent.
func (a *Hardliner) Act(t *parley.Turn) parley.Action {
	if act, done := a.other(t); done {
		return act
	}
	if t.Kind == parley.TurnRespond && a.u.Eval(t.Offer) >= a.idx.Max() {
		return a.accept()
	}
	return a.offer(a.idx.Best())
}

func init() {
	Register(Info{Name: "hardliner", Role: RoleNegotiator, Protocols: offerProtocols,
		Summary: "always offers its best outcome; accepts only as good"},
		func(map[string]string) (parley.Agent, error) { return &Hardliner{}, nil })
}

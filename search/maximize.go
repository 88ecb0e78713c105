package search

import (
	"fmt"

	"github.com/parleyhq/parley"
)

// Maximize returns the maximum of u over the zone of agreement (zoneOnly
// true) or over all outcomes (zoneOnly false), with an outcome attaining it.
// ok is false when the set is empty. exact is false when the node budget ran
// out: best and arg are then the best outcome found (a lower bound on the
// maximum). If the budget runs out before any outcome of the zone is found,
// Maximize returns an error with code parley.ELIMIT.
func Maximize(m *parley.Model, u *parley.UtilityFn, zoneOnly bool, opt Options) (best int64, arg parley.Outcome, ok bool, exact bool, err error) {
	if err := validate(m); err != nil {
		return 0, nil, false, false, err
	}
	if u == nil {
		return 0, nil, false, false, parley.Errorf(parley.EINVALID, "search: nil utility function")
	}
	if zoneOnly {
		if m, err = fold(m); err != nil {
			return 0, nil, false, false, err
		}
	}
	if err := checkFn(m, "utility", u); err != nil {
		return 0, nil, false, false, err
	}
	e, tix, err := newEngine(m, []*parley.UtilityFn{u}, zoneOnly, opt)
	if err != nil {
		return 0, nil, false, false, err
	}
	ms := &maxSearch{e: e, f: tix[0], zoneOnly: zoneOnly}
	root := e.newEval()
	if e.evaluate(0, root) {
		ms.visit(0, root)
	}
	if e.aborted && !ms.found {
		return 0, nil, false, false, &parley.Error{Code: parley.ELIMIT,
			Message: fmt.Sprintf("search: %s before any outcome of the zone of agreement was found; raise MaxNodes", e.budgetNote())}
	}
	return ms.best, ms.arg, ms.found, !e.aborted, nil
}

type maxSearch struct {
	e        *engine
	f        int
	zoneOnly bool
	found    bool
	best     int64
	arg      parley.Outcome
}

func (ms *maxSearch) visit(d int, ev *eval) {
	e := ms.e
	if ms.zoneOnly && ev.zone < 0 {
		return
	}
	if ms.found && ev.hi[ms.f] <= ms.best {
		return
	}
	if ev.lo[ms.f] == ev.hi[ms.f] && (!ms.zoneOnly || ev.zone > 0) {
		ms.found, ms.best = true, ev.lo[ms.f]
		if ms.arg == nil {
			ms.arg = make(parley.Outcome, e.n)
		}
		e.outcome(d, ms.arg)
		return
	}
	if d == e.n {
		return // unreachable
	}
	ord, ok := e.children(d, func(c int, ev *eval) int64 { return ev.hi[ms.f] })
	if !ok {
		return
	}
	ch := e.evs[d]
	for _, c := range ord {
		e.assign(d, c)
		ms.visit(d+1, &ch[c])
		e.unassign(d, c)
		if e.aborted {
			return
		}
	}
}

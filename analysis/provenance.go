package analysis

import "github.com/parleyhq/parley"

// assumed looks up the analyst's assumptions a result rests on.
type assumed struct{ all []parley.Assumption }

func newAssumed(s *parley.Scenario) assumed { return assumed{all: s.Assumptions()} }

func (a assumed) pick(keep func(x *parley.Assumption) bool) []parley.Assumption {
	var out []parley.Assumption
	seen := map[string]bool{}
	for i := range a.all {
		x := &a.all[i]
		if !keep(x) {
			continue
		}
		// The same red line held by several principals carries the same
		// assumption several times: say it once.
		key := string(x.Kind) + "\x00" + x.Name + "\x00" + x.Reason
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, *x)
	}
	return out
}

// rule returns the assumption behind a delegation's ratification rule.
func (a assumed) rule(party string) []parley.Assumption {
	return a.pick(func(x *parley.Assumption) bool { return x.Kind == parley.AssumedRule && x.Party == party })
}

// reservation returns the assumption behind a principal's reservation value.
func (a assumed) reservation(party, principal string) []parley.Assumption {
	return a.pick(func(x *parley.Assumption) bool {
		return x.Kind == parley.AssumedEstimate && x.Party == party && x.Principal == principal && x.Name == "reservation"
	})
}

// redLine returns the assumptions behind a red line, over all its holders.
func (a assumed) redLine(name string) []parley.Assumption {
	return a.pick(func(x *parley.Assumption) bool { return x.Kind == parley.AssumedRedLine && x.Name == name })
}

// role returns the assumptions behind a third party and its consent.
func (a assumed) role(name string) []parley.Assumption {
	return a.pick(func(x *parley.Assumption) bool {
		return (x.Kind == parley.AssumedRole || x.Kind == parley.AssumedConsent) && x.Name == name
	})
}

// structural returns the assumptions that shape who can agree to what:
// rules, consents, red lines, roles and the what-if variant applied.
func (a assumed) structural() []parley.Assumption {
	return a.pick(func(x *parley.Assumption) bool {
		switch x.Kind {
		case parley.AssumedRule, parley.AssumedConsent, parley.AssumedRedLine, parley.AssumedRole, parley.AssumedVariant:
			return true
		}
		return false
	})
}

// estimates counts the estimates labelled as assumptions.
func (a assumed) estimates() int {
	n := 0
	for _, x := range a.all {
		if x.Kind == parley.AssumedEstimate {
			n++
		}
	}
	return n
}

// zone returns the assumptions the zone of agreement rests on: the rules
// of delegations, the consents of roles the zone depends on, and the red
// lines and what-if variant that shape it.
func (a assumed) zone(m *parley.Model) []parley.Assumption {
	return a.pick(func(x *parley.Assumption) bool {
		switch x.Kind {
		case parley.AssumedRule, parley.AssumedRedLine, parley.AssumedVariant:
			return true
		case parley.AssumedConsent:
			for _, why := range m.InfeasibleWhy {
				if why == x.Name {
					return true
				}
			}
		}
		return false
	})
}

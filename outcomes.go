package parley

import "iter"

// Outcomes iterates over every outcome of m in lexicographic order, the
// last issue fastest. The yielded Outcome is reused from one iteration to
// the next: copy it to keep it. It yields nothing when an issue has no
// options. Only naive references, tests and small-space paths enumerate;
// the analysis never does.
func (m *Model) Outcomes() iter.Seq[Outcome] {
	return func(yield func(Outcome) bool) {
		for _, k := range m.Sizes {
			if k <= 0 {
				return
			}
		}
		o := make(Outcome, len(m.Sizes))
		for {
			if !yield(o) {
				return
			}
			i := len(o) - 1
			for ; i >= 0; i-- {
				o[i]++
				if o[i] < m.Sizes[i] {
					break
				}
				o[i] = 0
			}
			if i < 0 {
				return
			}
		}
	}
}

// StatusQuo returns the option an issue takes when an agreement is silent
// on it: its "not addressed" option, else its first.
func (is *Issue) StatusQuo() int {
	for k, o := range is.Options {
		if o.NotAddressed {
			return k
		}
	}
	return 0
}

// Complete returns a copy of a text (an outcome with −1 for blank clauses)
// in which every blank, or out-of-range, clause takes its issue's status-quo
// option. It returns nil when text has the wrong length.
func (m *Model) Complete(text Outcome) Outcome {
	if len(text) != len(m.Sizes) {
		return nil
	}
	out := append(Outcome(nil), text...)
	for i, k := range out {
		if k < 0 || k >= m.Sizes[i] {
			out[i] = m.Scenario.Issues[i].StatusQuo()
		}
	}
	return out
}

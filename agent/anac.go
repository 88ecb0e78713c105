package agent

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/parleyhq/parley"
)

// This file holds what the agents of the ANAC competitions (AgentK,
// HardHeaded, CUHKAgent, AgentGG) have in common once ported onto an
// Index: the unit utility scale they were written for, an estimate of the
// turns left, a log of the opponents' offers sorted by own utility, and
// utility bands.
//
// # Reservation values
//
// Every ANAC agent here keeps the contract of package agent: it offers and
// accepts only outcomes whose utility is strictly above its reservation
// value (an offer worth exactly the reservation is refused, as
// parley.PartyModel.Accepts refuses it), whatever its published strategy
// would do, and its targets never fall below the reservation plus one
// quantum. Where the published strategy has a floor of its own (HardHeaded's
// 0.585), the higher of the two counts. An agent whose targets the
// reservation clips still concedes down to the reservation, so that it can
// agree whenever something beats no agreement.

// scale maps an agent's fixed-point utilities onto the unit scale the ANAC
// strategies were written for, where Genius normalises profiles so that the
// best outcome is worth 1 and none is below 0:
//
//	x(u) = (u − lo) / (Max − lo),  lo = min(0, Min)
//
// with Max and Min those of the agent's index. On a Genius profile
// (utilities in [0, 1], best 1) x is the utility itself, so constants such
// as HardHeaded's 0.585 keep their meaning; other utilities are rescaled so
// that the best outcome is 1.
type scale struct{ lo, span int64 }

func newScale(x *Index) scale {
	lo := min(0, x.Min())
	return scale{lo: lo, span: x.Max() - lo}
}

// unit returns x(u); 1 when every outcome is worth the same.
func (s scale) unit(u int64) float64 {
	if s.span <= 0 {
		return 1
	}
	return float64(u-s.lo) / float64(s.span)
}

// fixed returns the utility u with x(u) = x, rounded to the quantum and
// kept within ±2^62.
func (s scale) fixed(x float64) int64 {
	if s.span <= 0 || math.IsNaN(x) {
		return s.lo + s.span
	}
	v := float64(s.lo) + x*float64(s.span)
	return int64(math.Round(min(max(v, -(1<<62)), 1<<62)))
}

// turnClock estimates how many turns an agent has left from the relative
// time of its own turns: the step between its last two turns is taken as
// the time one of its turns takes, as CUHKAgent and Atlas3 estimate the
// rounds left from the clock. Before its second turn it uses 1/Rounds when
// the session has a round deadline.
type turnClock struct {
	now, step float64
	turns     int
}

func (c *turnClock) init(s *parley.Session) {
	*c = turnClock{}
	if s.Rounds > 0 {
		c.step = 1 / float64(s.Rounds)
	}
}

// tick records a turn at relative time t.
func (c *turnClock) tick(t float64) {
	if c.turns > 0 && t > c.now {
		c.step = t - c.now
	}
	c.now = t
	c.turns++
}

// after returns how many more turns the agent expects after the current
// one: those at now + j·step < 1. It is math.MaxInt when it cannot tell.
func (c *turnClock) after() int {
	if c.step <= 0 {
		return math.MaxInt
	}
	n := math.Ceil((1-c.now)/c.step-1e-9) - 1
	if n > 1<<30 {
		return math.MaxInt
	}
	return max(int(n), 0)
}

// bidLog holds the distinct offers the agent received, sorted by its own
// utility, so that "the best offer received" and "a random offer received
// worth at least u" are binary searches rather than scans of the history.
type bidLog struct {
	issues int
	utils  []int64 // ascending; the first of equal utilities came first
	outs   []int32 // outcomes, flattened in the same order
	seen   map[uint64]struct{}
	row    []int32 // scratch
}

func (l *bidLog) init(issues int) {
	l.issues = issues
	l.utils, l.outs = l.utils[:0], l.outs[:0]
	if l.seen == nil {
		l.seen = map[uint64]struct{}{}
	}
	clear(l.seen)
}

// add records o worth u to the agent unless it is already there (outcomes
// are told apart by a 64-bit FNV-1a hash; a collision only drops an offer
// from the log).
func (l *bidLog) add(o parley.Outcome, u int64) {
	key := uint64(14695981039346656037) // FNV-1a, 8 bytes per option
	for _, v := range o {
		for b := range 8 {
			key ^= uint64(v) >> (8 * b) & 0xff
			key *= 1099511628211
		}
	}
	if _, dup := l.seen[key]; dup {
		return
	}
	l.seen[key] = struct{}{}
	i, _ := slices.BinarySearch(l.utils, u+1) // after equal utilities
	l.utils = slices.Insert(l.utils, i, u)
	l.row = l.row[:0]
	for _, v := range o {
		l.row = append(l.row, int32(v))
	}
	l.outs = slices.Insert(l.outs, i*l.issues, l.row...)
}

// Len returns the number of distinct offers logged.
func (l *bidLog) Len() int { return len(l.utils) }

// best returns the position of the best offer received (the first received
// of equal ones); ok is false when the log is empty.
func (l *bidLog) best() (i int, ok bool) {
	if len(l.utils) == 0 {
		return 0, false
	}
	i, _ = slices.BinarySearch(l.utils, l.utils[len(l.utils)-1])
	return i, true
}

// above returns the position of the first offer worth more than u: the
// offers [above(u), Len()) are those worth more than u.
func (l *bidLog) above(u int64) int {
	i, _ := slices.BinarySearch(l.utils, u+1)
	return i
}

// outcome writes the i-th offer into dst and returns it.
func (l *bidLog) outcome(i int, dst parley.Outcome) parley.Outcome {
	if cap(dst) < l.issues {
		dst = make(parley.Outcome, l.issues)
	}
	dst = dst[:l.issues]
	for k, v := range l.outs[i*l.issues : (i+1)*l.issues] {
		dst[k] = int(v)
	}
	return dst
}

// band returns the ranks [lo, hi) of the candidates worth from a to b
// (inclusive) that beat the reservation. When none does, it returns the
// candidates of the utility nearest above a that beats the reservation
// (the best candidates when none is worth a): all of them, so that an
// opponent model can choose among equals.
func (n *negotiator) band(a, b int64) (lo, hi int) {
	lo = max(n.idx.AtLeast(a), n.lo)
	hi, _ = slices.BinarySearch(n.idx.utils, min(b, 1<<62)+1)
	if hi <= lo {
		hi, _ = slices.BinarySearch(n.idx.utils, n.idx.utils[lo]+1)
	}
	return lo, hi
}

// randomIn draws a rank uniformly from [lo, hi) (hi > lo).
func randomIn(rng *rand.Rand, lo, hi int) int {
	if hi-lo <= 1 {
		return lo
	}
	return lo + rng.IntN(hi-lo)
}

// learner is what HardHeaded, CUHKAgent and AgentGG share: the negotiator
// state, the unit scale, a frequency model of every opponent (so they
// implement OpponentModeler), the log of offers received, the turn clock
// and a decode buffer.
type learner struct {
	negotiator
	sc scale
	opponents
	log     bidLog
	clock   turnClock
	scratch parley.Outcome
}

func (l *learner) start(s *parley.Session) error {
	if err := l.init(s); err != nil {
		return err
	}
	l.sc = newScale(l.idx)
	l.opponents.reset(s.Model, s.Party)
	l.log.init(len(s.Model.Sizes))
	l.clock.init(s)
	l.scratch = make(parley.Outcome, len(s.Model.Sizes))
	return nil
}

// needRand checks that a randomised agent got a random source.
func needRand(s *parley.Session, name string) error {
	if s == nil || s.Rand == nil {
		return parley.Errorf(parley.EINVALID, "agent: %s: the session has no random source", name)
	}
	return nil
}

package tournament

import (
	"encoding/binary"
	"hash/fnv"
	"math/bits"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// A plan is a tournament's negotiations in their deterministic global
// order, addressed by index without materialising them: scenarios in
// argument order; within a scenario, agent assignments in order; within an
// assignment, repetitions 0, 1, ... An assignment gives seat (party) i an
// agent; assignments are numbered like mixed-radix numbers with seat 0 most
// significant: with self-play every tuple of k agents over n seats (k^n),
// without it the n-permutations of distinct agents (k!/(k−n)!, each seat
// choosing among the agents not yet seated, in the order given).
type plan struct {
	agents   []string
	reps     int
	selfPlay bool
	scen     []planScenario
	total    int64
}

type planScenario struct {
	name        string
	seats       int
	assignments int64
	offset      int64 // index of the scenario's first negotiation
}

// assignments returns the number of assignments of k agents to n seats,
// or an error when it overflows.
func assignments(k, n int, selfPlay bool) (int64, bool) {
	c := uint64(1)
	for j := 0; j < n; j++ {
		f := uint64(k)
		if !selfPlay {
			f = uint64(k - j)
		}
		if !selfPlay && k-j <= 0 {
			return 0, true
		}
		hi, lo := bits.Mul64(c, f)
		if hi != 0 || lo > 1<<62 {
			return 0, false
		}
		c = lo
	}
	return int64(c), true
}

func newPlan(d Definition, scen []*Loaded) (*plan, error) {
	p := &plan{agents: d.Agents, reps: d.Reps, selfPlay: d.SelfPlay}
	for _, s := range scen {
		n := len(s.Parties)
		a, ok := assignments(len(d.Agents), n, d.SelfPlay)
		if !ok {
			return nil, parley.Errorf(parley.ELIMIT, "tournament: scenario %s: %d agents on %d seats make more than 2^62 seat assignments; give fewer agents", s.Name, len(d.Agents), n)
		}
		if a == 0 {
			return nil, parley.Errorf(parley.EINVALID, "tournament: scenario %s has %d parties but there are only %d agents; give more agents or --self-play", s.Name, n, len(d.Agents))
		}
		cnt, lo := bits.Mul64(uint64(a), uint64(d.Reps))
		if cnt != 0 || lo > 1<<62 || uint64(p.total)+lo > 1<<62 {
			return nil, parley.Errorf(parley.ELIMIT, "tournament: %d repetitions of %d seat assignments on scenario %s (after %d negotiations on the scenarios before it) make more than 2^62 negotiations, more than a tournament can number; give fewer --reps", d.Reps, a, s.Name, p.total)
		}
		p.scen = append(p.scen, planScenario{name: s.Name, seats: n, assignments: a, offset: p.total})
		p.total += int64(lo)
	}
	return p, nil
}

// locate returns the scenario, assignment number and repetition of a
// global index (0 ≤ idx < total).
func (p *plan) locate(idx int64) (s int, a int64, rep int) {
	lo, hi := 0, len(p.scen)-1
	for lo < hi { // last scenario whose offset ≤ idx
		mid := (lo + hi + 1) / 2
		if p.scen[mid].offset <= idx {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	j := idx - p.scen[lo].offset
	return lo, j / int64(p.reps), int(j % int64(p.reps))
}

// seats decodes assignment a of scenario s into agent indexes per seat,
// appended to dst[:0].
func (p *plan) seats(s int, a int64, dst []int) []int {
	n, k := p.scen[s].seats, len(p.agents)
	dst = dst[:0]
	for range n {
		dst = append(dst, 0)
	}
	// Digits, seat n−1 least significant.
	for j := n - 1; j >= 0; j-- {
		base := int64(k)
		if !p.selfPlay {
			base = int64(k - j)
		}
		dst[j] = int(a % base)
		a /= base
	}
	if !p.selfPlay { // digit j picks among the agents not seated before j
		var used [64]bool
		var usedMap map[int]bool
		if k > 64 {
			usedMap = map[int]bool{}
		}
		for j := 0; j < n; j++ {
			d := dst[j]
			for x := 0; x < k; x++ {
				u := false
				if usedMap != nil {
					u = usedMap[x]
				} else {
					u = used[x]
				}
				if u {
					continue
				}
				if d == 0 {
					dst[j] = x
					if usedMap != nil {
						usedMap[x] = true
					} else {
						used[x] = true
					}
					break
				}
				d--
			}
		}
	}
	return dst
}

// id returns the negotiation id "<scenario>/<agent+agent+...>/<rep>".
func (p *plan) id(s int, seats []int, rep int) string {
	var b strings.Builder
	b.WriteString(p.scen[s].name)
	b.WriteByte('/')
	for i, a := range seats {
		if i > 0 {
			b.WriteByte('+')
		}
		b.WriteString(IDPart(p.agents[a]))
	}
	b.WriteByte('/')
	b.WriteString(strconv.Itoa(rep))
	return b.String()
}

// idAt returns the id of the negotiation at a global index.
func (p *plan) idAt(idx int64) string {
	s, a, rep := p.locate(idx)
	return p.id(s, p.seats(s, a, nil), rep)
}

// Seed returns the seed of the negotiation with the given id in a
// tournament seeded with seed: FNV-1a over the seed (8 bytes, little
// endian) and the id, finished with the SplitMix64 mixer. It depends on
// nothing else, so results do not depend on the order in which
// negotiations run.
func Seed(seed uint64, id string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(id))
	z := h.Sum64() + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func itoa(i int) string { return strconv.Itoa(i) }

// IDPart writes an agent spec as it appears in negotiation ids and in the
// agents column: as given, except that '%', '+' and '/' are escaped as
// %25, %2B and %2F (only an exec command can hold them), so that ids split
// unambiguously on '/' and '+'.
func IDPart(spec string) string {
	if !strings.ContainsAny(spec, "%+/") {
		return spec
	}
	return strings.NewReplacer("%", "%25", "+", "%2B", "/", "%2F").Replace(spec)
}

package pareto

import (
	"math/big"
	"math/bits"
)

// A count is a non-negative integer: n while b is nil, b otherwise. Counts
// stay in a uint64 until an operation overflows; big values are never
// mutated after creation, so they may be shared.
type count struct {
	n uint64
	b *big.Int
}

func (c count) big() *big.Int {
	if c.b != nil {
		return c.b
	}
	return new(big.Int).SetUint64(c.n)
}

// bigOf returns hi·2^64 + lo.
func bigOf(hi, lo uint64) *big.Int {
	z := new(big.Int).SetUint64(hi)
	z.Lsh(z, 64)
	return z.Or(z, new(big.Int).SetUint64(lo))
}

// mul returns c·k.
func (c count) mul(k uint64) count {
	if c.b == nil {
		hi, lo := bits.Mul64(c.n, k)
		if hi == 0 {
			return count{n: lo}
		}
		return count{b: bigOf(hi, lo)}
	}
	if k == 1 {
		return c
	}
	return count{b: new(big.Int).Mul(c.b, new(big.Int).SetUint64(k))}
}

// add returns c+d.
func (c count) add(d count) count {
	if c.b == nil && d.b == nil {
		s, carry := bits.Add64(c.n, d.n, 0)
		if carry == 0 {
			return count{n: s}
		}
		return count{b: bigOf(1, s)}
	}
	return count{b: new(big.Int).Add(c.big(), d.big())}
}

// counts is a column of counts: n[i] while b is nil or b[i] is nil, b[i]
// otherwise. b is allocated on the first big count.
type counts struct {
	n []uint64
	b []*big.Int
}

func makeCounts(size int) counts { return counts{n: make([]uint64, 0, size)} }

func (cs *counts) len() int { return len(cs.n) }

func (cs *counts) at(i int) count {
	if cs.b != nil && cs.b[i] != nil {
		return count{b: cs.b[i]}
	}
	return count{n: cs.n[i]}
}

func (cs *counts) push(c count) {
	if c.b != nil {
		if cs.b == nil {
			cs.b = make([]*big.Int, len(cs.n), cap(cs.n))
		}
		cs.b = append(cs.b, c.b)
		cs.n = append(cs.n, 0)
		return
	}
	cs.n = append(cs.n, c.n)
	if cs.b != nil {
		cs.b = append(cs.b, nil)
	}
}

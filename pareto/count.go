package pareto

import (
	"math/big"
	"math/bits"
)

// Counts of outcomes are uint64 values: below 2^63 a count is the value
// itself; with bit 63 set it is an index into a tally's table of big
// integers. Keeping counts free of pointers keeps the large candidate
// arrays cheap for the garbage collector.
const bigBit = 1 << 63

// A tally owns the big counts of one Frontier call. Big values are never
// mutated after creation.
type tally struct {
	bigs []*big.Int
}

// val returns count c as a big integer (shared, do not modify).
func (t *tally) val(c uint64) *big.Int {
	if c&bigBit != 0 {
		return t.bigs[c&^bigBit]
	}
	return new(big.Int).SetUint64(c)
}

// mk returns the count of value z, which must be non-negative.
func (t *tally) mk(z *big.Int) uint64 {
	if z.IsUint64() && z.Uint64() < bigBit {
		return z.Uint64()
	}
	t.bigs = append(t.bigs, z)
	return bigBit | uint64(len(t.bigs)-1)
}

// mul returns c·k.
func (t *tally) mul(c, k uint64) uint64 {
	if c&bigBit == 0 {
		hi, lo := bits.Mul64(c, k)
		if hi == 0 && lo < bigBit {
			return lo
		}
		z := new(big.Int).SetUint64(hi)
		z.Lsh(z, 64)
		return t.mk(z.Or(z, new(big.Int).SetUint64(lo)))
	}
	if k == 1 {
		return c
	}
	return t.mk(new(big.Int).Mul(t.bigs[c&^bigBit], new(big.Int).SetUint64(k)))
}

// add returns a+b.
func (t *tally) add(a, b uint64) uint64 {
	if (a|b)&bigBit == 0 {
		s := a + b // both below 2^63: no overflow
		if s < bigBit {
			return s
		}
		return t.mk(new(big.Int).SetUint64(s))
	}
	return t.mk(new(big.Int).Add(t.val(a), t.val(b)))
}

// compact drops the big counts that cs does not use, rewriting cs.
func (t *tally) compact(cs []uint64) {
	if len(t.bigs) == 0 {
		return
	}
	var bigs []*big.Int
	for i, c := range cs {
		if c&bigBit != 0 {
			bigs = append(bigs, t.bigs[c&^bigBit])
			cs[i] = bigBit | uint64(len(bigs)-1)
		}
	}
	t.bigs = bigs
}

package search

import (
	"math"

	"github.com/parleyhq/parley"
)

// relax is the dual (linear programming) relaxation of maximising a
// weighted sum of utility functions, Σ_p w_p·u_p, over the outcomes that
// extend a partial assignment. The sum is a factor graph: a table per
// issue (the additive values and the rects with one condition) and a
// factor per rect with two or more conditions, worth its utility when all
// of them hold. Its dual,
//
//	L(δ) = Σ_i max_{x_i} [θ_i(x_i) + Σ_{f∋i} δ_fi(x_i)]
//	     + Σ_f max_{x_f} [θ_f(x_f) − Σ_{i∈f} δ_fi(x_i)],
//
// bounds the maximum from above for every δ; MPLP (Globerson and Jaakkola,
// 2007) lowers it by block coordinate descent, one factor at a time. A rect
// factor is a product of per-issue interval conditions, so every maximum
// over a factor's variables splits into per-issue maxima: an update costs
// O(Σ options of its issues), not the size of its table. On the ANAC 2014
// domains the bound closes to within a fraction of a percent of the
// optimum, where the search engine's own bound (each rect charged to one
// issue) is 20–40 % above it.
//
// The relaxation is solved in float64; a bound is used only with the
// safety margin eps, far above the rounding error of the sums.
type relax struct {
	sizes []int
	unary [][]float64 // [issue][option]
	konst float64
	facs  []rfac
	ndel  int     // length of a δ vector
	eps   float64 // margin for comparisons of bounds
}

type rfac struct {
	u    float64
	vars []int32
	in   [][]bool
	off  []int32 // offset of var k's δ in the δ vector
	fn   int32   // the function and rect it comes from
	rect int32
}

// newRelax builds the relaxation of Σ_p w[p]·fns[p] over m's issues.
func newRelax(m *parley.Model, fns []*parley.UtilityFn, w []float64) *relax {
	n := len(m.Sizes)
	r := &relax{sizes: m.Sizes, unary: make([][]float64, n)}
	for i := range r.unary {
		r.unary[i] = make([]float64, m.Sizes[i])
	}
	scale := 0.0
	for p, u := range fns {
		wp := w[p]
		if wp == 0 {
			continue
		}
		for i, row := range u.Values {
			var mx float64
			for o, v := range row {
				x := wp * float64(v)
				r.unary[i][o] += x
				mx = max(mx, math.Abs(x))
			}
			scale += mx
		}
		for ri, rc := range u.Rects {
			x := wp * float64(rc.Utility)
			if x == 0 {
				continue
			}
			scale += math.Abs(x)
			f := rfac{u: x, fn: int32(p), rect: int32(ri)}
			for _, s := range rc.Region {
				k := -1
				for j, v := range f.vars {
					if int(v) == s.Issue {
						k = j
					}
				}
				if k < 0 {
					f.vars = append(f.vars, int32(s.Issue))
					f.in = append(f.in, append([]bool(nil), s.In...))
					continue
				}
				for o := range f.in[k] {
					f.in[k][o] = f.in[k][o] && s.In[o]
				}
			}
			switch len(f.vars) {
			case 0:
				r.konst += x
			case 1:
				for o, in := range f.in[0] {
					if in {
						r.unary[f.vars[0]][o] += x
					}
				}
			default:
				for _, v := range f.vars {
					f.off = append(f.off, int32(r.ndel))
					r.ndel += m.Sizes[v]
				}
				r.facs = append(r.facs, f)
			}
		}
	}
	r.eps = 1e-9 * (scale + 1)
	return r
}

// dualState is a δ vector and, per issue, Σ_f δ_fi.
type dualState struct {
	del  []float64
	sumd [][]float64
}

func (r *relax) newState() *dualState {
	s := &dualState{del: make([]float64, r.ndel), sumd: make([][]float64, len(r.sizes))}
	for i, k := range r.sizes {
		s.sumd[i] = make([]float64, k)
	}
	return s
}

// warm sets s, a dual of r, to Σ_p w[p]·δ_p, where δ_p is the dual ds[p]
// of the relaxation rs[p] of function p alone (nil: zero). The bound of
// the result is at most Σ_p w[p]·L_p(δ_p), and MPLP goes on from there.
func (r *relax) warm(s *dualState, w []float64, rs []*relax, ds []*dualState) {
	s.reset()
	idx := make([]map[[2]int32]int, len(rs))
	for p, rp := range rs {
		if rp == nil || ds[p] == nil {
			continue
		}
		idx[p] = make(map[[2]int32]int, len(rp.facs))
		for fi := range rp.facs {
			idx[p][[2]int32{rp.facs[fi].fn, rp.facs[fi].rect}] = fi
		}
	}
	for fi := range r.facs {
		f := &r.facs[fi]
		p := f.fn
		if idx[p] == nil {
			continue
		}
		gi, ok := idx[p][[2]int32{f.fn, f.rect}]
		if !ok {
			continue
		}
		g := &rs[p].facs[gi]
		for k, v := range f.vars {
			sz := r.sizes[v]
			src := ds[p].del[g.off[k] : int(g.off[k])+sz]
			dst := s.del[f.off[k] : int(f.off[k])+sz]
			for o := range dst {
				dst[o] = w[p] * src[o]
				s.sumd[v][o] += dst[o]
			}
		}
	}
}

func (s *dualState) reset() {
	clear(s.del)
	for _, r := range s.sumd {
		clear(r)
	}
}

func (s *dualState) copyFrom(t *dualState) {
	copy(s.del, t.del)
	for i := range s.sumd {
		copy(s.sumd[i], t.sumd[i])
	}
}

// maxes returns, over the options of var k of f allowed by asg, the
// maximum of val(o), of val(o) for o in the condition, and for o outside
// it (−Inf when there are none).
func maxes(asg []int, i int, in []bool, val func(o int) float64) (all, inside, outside float64) {
	all, inside, outside = math.Inf(-1), math.Inf(-1), math.Inf(-1)
	if asg[i] >= 0 {
		o := asg[i]
		v := val(o)
		if in[o] {
			return v, v, outside
		}
		return v, inside, v
	}
	for o, c := range in {
		v := val(o)
		all = max(all, v)
		if c {
			inside = max(inside, v)
		} else {
			outside = max(outside, v)
		}
	}
	return all, inside, outside
}

// factorMax returns max over x_f of θ_f(x_f) + Σ_k val_k(x_k), given per
// var k the maxima all[k], in[k], out[k] of val_k over all allowed options,
// those in the condition and those outside it, leaving var skip out of the
// sum (skip < 0: none).
func factorMax(u float64, all, in, out []float64, skip int) float64 {
	sAll, sIn := 0.0, u
	for k := range all {
		if k != skip {
			sAll += all[k]
			sIn += in[k]
		}
	}
	if u >= 0 {
		// Outside the rect the factor is 0 and inside it is u ≥ 0, so the
		// maximum over all options is the outside case or below the
		// inside one.
		return max(sAll, sIn)
	}
	// u < 0: the outside case needs some condition to fail.
	best := sIn
	for k := range all {
		if k == skip || math.IsInf(out[k], -1) {
			continue
		}
		best = max(best, sAll-all[k]+out[k])
	}
	return best
}

// bound returns L(δ) under the partial assignment asg.
func (r *relax) bound(s *dualState, asg []int) float64 {
	L := r.konst
	for i, row := range r.unary {
		if asg[i] >= 0 {
			L += row[asg[i]] + s.sumd[i][asg[i]]
			continue
		}
		b := math.Inf(-1)
		for o, v := range row {
			b = max(b, v+s.sumd[i][o])
		}
		L += b
	}
	var all, in, out [8]float64
	for fi := range r.facs {
		f := &r.facs[fi]
		a := len(f.vars)
		if a > len(all) {
			L += r.factorMaxWide(s, f, asg)
			continue
		}
		for k, v := range f.vars {
			d := s.del[f.off[k] : int(f.off[k])+r.sizes[v]]
			all[k], in[k], out[k] = maxes(asg, int(v), f.in[k], func(o int) float64 { return -d[o] })
		}
		L += factorMax(f.u, all[:a], in[:a], out[:a], -1)
	}
	return L
}

func (r *relax) factorMaxWide(s *dualState, f *rfac, asg []int) float64 {
	a := len(f.vars)
	all, in, out := make([]float64, a), make([]float64, a), make([]float64, a)
	for k, v := range f.vars {
		d := s.del[f.off[k] : int(f.off[k])+r.sizes[v]]
		all[k], in[k], out[k] = maxes(asg, int(v), f.in[k], func(o int) float64 { return -d[o] })
	}
	return factorMax(f.u, all, in, out, -1)
}

// sweep runs one MPLP pass over all factors under asg. Assigned issues are
// conditioned out: a factor's update involves only its free issues (its
// potential is u, or 0 once an assigned issue breaks its condition), so a
// factor left with one free issue folds into it in one update.
func (r *relax) sweep(s *dualState, asg []int) {
	var lamBuf [8][]float64
	var kBuf [8]int
	var all, in, out [8]float64
	for fi := range r.facs {
		f := &r.facs[fi]
		u := f.u
		free := kBuf[:0]
		for k, v := range f.vars {
			if a := asg[v]; a < 0 {
				free = append(free, k)
			} else if !f.in[k][a] {
				u = 0
			}
		}
		a := len(free)
		if a == 0 {
			continue
		}
		if a > len(lamBuf) {
			r.sweepWide(s, f, free, u)
			continue
		}
		lam, al, il, ol := lamBuf[:a], all[:a], in[:a], out[:a]
		for j, k := range free {
			if sz := r.sizes[f.vars[k]]; cap(lam[j]) < sz {
				lam[j] = make([]float64, sz)
			} else {
				lam[j] = lam[j][:sz]
			}
		}
		r.beliefs(s, f, free, lam, al, il, ol)
		r.update(s, f, free, u, lam, al, il, ol)
	}
}

// update sets δ_fk for the free issues of f from their λ and maxima.
func (r *relax) update(s *dualState, f *rfac, free []int, u float64, lam [][]float64, al, il, ol []float64) {
	inv := 1 / float64(len(free))
	for j, k := range free {
		v := f.vars[k]
		d := s.del[f.off[k] : int(f.off[k])+r.sizes[v]]
		sd := s.sumd[v]
		// The factor's max-marginal for x_k = o, the other free issues
		// at their best.
		mOut := factorMaxNoIn(u, al, il, ol, j)
		mIn := factorMax(u, al, il, ol, j)
		for o, l := range lam[j] {
			m := mOut
			if f.in[k][o] {
				m = mIn
			}
			nd := (m+l)*inv - l
			sd[o] += nd - d[o]
			d[o] = nd
		}
	}
}

// sweepWide updates a factor with more free issues than sweep's buffers.
func (r *relax) sweepWide(s *dualState, f *rfac, free []int, u float64) {
	a := len(free)
	lam := make([][]float64, a)
	al, il, ol := make([]float64, a), make([]float64, a), make([]float64, a)
	for j, k := range free {
		lam[j] = make([]float64, r.sizes[f.vars[k]])
	}
	r.beliefs(s, f, free, lam, al, il, ol)
	r.update(s, f, free, u, lam, al, il, ol)
}

// beliefs fills, for each free issue j of f, λ_j(x) = θ_j(x) + Σ_{g≠f}
// δ_gj(x) (the rest of issue j's belief; lam[j] has one slot per option)
// and its maxima over all options (al), those inside f's condition (il)
// and those outside (ol).
func (r *relax) beliefs(s *dualState, f *rfac, free []int, lam [][]float64, al, il, ol []float64) {
	for j, k := range free {
		v := f.vars[k]
		d := s.del[f.off[k] : int(f.off[k])+len(lam[j])]
		un, sd, l := r.unary[v], s.sumd[v], lam[j]
		al[j], il[j], ol[j] = math.Inf(-1), math.Inf(-1), math.Inf(-1)
		for o := range l {
			x := un[o] + sd[o] - d[o]
			l[o] = x
			al[j] = max(al[j], x)
			if f.in[k][o] {
				il[j] = max(il[j], x)
			} else {
				ol[j] = max(ol[j], x)
			}
		}
	}
}

// factorMaxNoIn is factorMax for var skip held outside its condition: the
// factor is 0 whatever the others take.
func factorMaxNoIn(u float64, all, in, out []float64, skip int) float64 {
	s := 0.0
	for k := range all {
		if k != skip {
			s += all[k]
		}
	}
	return s
}

// decode writes into o the option of best belief of every issue allowed
// by asg.
func (r *relax) decode(s *dualState, asg []int, o parley.Outcome) {
	for i, row := range r.unary {
		if asg[i] >= 0 {
			o[i] = asg[i]
			continue
		}
		best, bv := 0, math.Inf(-1)
		for k, v := range row {
			if b := v + s.sumd[i][k]; b > bv {
				best, bv = k, b
			}
		}
		o[i] = best
	}
}

// belief returns θ_i(o) + Σ_f δ_fi(o).
func (r *relax) belief(s *dualState, i, o int) float64 {
	return r.unary[i][o] + s.sumd[i][o]
}

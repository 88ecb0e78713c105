package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// This file draws the parties' utilities over time. Alternating offers get
// one panel per party — its utility of the offers it made (a line: how it
// conceded) and of the offers made to it (dots: how the others came
// towards it), its reservation value and the agreement — because a single
// chart of the standing offer swings between the parties' offers at every
// step and draws a comb of vertical lines. The mediated protocol gets one
// panel: each party's utility of each of the mediator's texts. Long runs
// are binned by time: past MaxBins points a series is drawn as the range
// of each bin (a band) and its mean, so that the picture (and the page)
// stays the same size however long the run.

// MaxBins is the number of time bins a series is drawn in at most; a
// shorter series is drawn point by point.
const MaxBins = 240

// Geometry of the time charts; the clause timeline shares the width so
// that the two line up.
const (
	timeW     = 1040
	timeRight = 1024
)

// palette colours the parties (cycled beyond eight).
var palette = []string{"#2166ac", "#d6604d", "#1b9e77", "#7570b3", "#b8860b", "#66a61e", "#8c564b", "#e7298a"}

func partyColor(p int) string { return palette[p%len(palette)] }

// tpoint is a point of a series: time and utility.
type tpoint struct{ t, u float64 }

// bin is the range and mean of the points of one time bin.
type bin struct {
	t            float64 // the bin's middle
	lo, hi, mean float64
}

// binned cuts a series into at most MaxBins bins of equal time span over
// [t0, t1] and returns the non-empty ones in order, or nil when the series
// is short enough to draw point by point. It is linear in the series.
func binned(pts []tpoint, t0, t1 float64) []bin {
	if len(pts) <= MaxBins {
		return nil
	}
	span := (t1 - t0) / MaxBins
	if !(span > 0) {
		span = 1
	}
	bins := make([]bin, MaxBins)
	n := make([]int, MaxBins)
	for _, p := range pts {
		k := min(max(int((p.t-t0)/span), 0), MaxBins-1)
		b := &bins[k]
		if n[k] == 0 {
			b.lo, b.hi = p.u, p.u
		}
		b.lo, b.hi = math.Min(b.lo, p.u), math.Max(b.hi, p.u)
		b.mean += p.u
		n[k]++
	}
	out := bins[:0]
	for k := range bins {
		if n[k] == 0 {
			continue
		}
		b := bins[k]
		b.mean /= float64(n[k])
		b.t = t0 + (float64(k)+0.5)*span
		out = append(out, b)
	}
	return out
}

// seriesShapes draws a series: as a line or dots point by point, or, when
// binned, as a band (each bin's range) with the line or dots of the bins'
// means. It reports whether it binned.
func seriesShapes(pts []tpoint, t0, t1 float64, x, y func(float64) float64, line bool, class, color string, dotW float64, title string) ([]shape, bool) {
	if len(pts) == 0 {
		return nil, false
	}
	var out []shape
	var b pathBuilder
	bs := binned(pts, t0, t1)
	if bs != nil {
		var band pathBuilder
		for i, bn := range bs {
			op := byte('L')
			if i == 0 {
				op = 'M'
			}
			band.cmd(op, x(bn.t), y(bn.hi))
		}
		for i := len(bs) - 1; i >= 0; i-- {
			band.cmd('L', x(bs[i].t), y(bs[i].lo))
		}
		band.WriteByte('Z')
		out = append(out, shape{Class: "sband", Fill: color, D: band.String(), Title: title + ": range per time bin"})
		pts = make([]tpoint, len(bs))
		for i, bn := range bs {
			pts[i] = tpoint{bn.t, bn.mean}
		}
		title += ", mean per time bin"
	}
	switch {
	case line && len(pts) == 1:
		b.dot(x(pts[0].t), y(pts[0].u))
		out = append(out, shape{Class: class, Stroke: color, Width: 6, D: b.String(), Title: title})
	case line:
		for i, p := range pts {
			op := byte('L')
			if i == 0 {
				op = 'M'
			}
			b.cmd(op, x(p.t), y(p.u))
		}
		out = append(out, shape{Class: class, Stroke: color, D: b.String(), Title: title})
	default:
		for _, p := range pts {
			b.dot(x(p.t), y(p.u))
		}
		out = append(out, shape{Class: class, Stroke: color, Width: dotW, D: b.String(), Title: title})
	}
	return out, bs != nil
}

// ---------------------------------------------------------------------------
// Alternating offers.

// offerSeries are, per party, its utility of its own offers and of the
// offers made to it, by step (valid actions).
type offerSeries struct {
	own, recv [][]tpoint
	steps     int
	final     float64 // the step of the action that ended the run
}

func collectOffers(m *parley.Model, ev []protocol.Event) offerSeries {
	n := len(m.Parties)
	s := offerSeries{own: make([][]tpoint, n), recv: make([][]tpoint, n)}
	for _, e := range ev {
		if e.Type != protocol.EvAction || e.Action == nil || protocol.Invalid(e) {
			continue
		}
		s.steps++
		a := e.Action
		if a.Kind != parley.ActOffer || len(a.Outcome) != len(m.Sizes) || a.Actor < 0 || a.Actor >= n {
			continue
		}
		u := utilitiesOf(m, a.Outcome)
		t := float64(s.steps)
		for p := range n {
			if p == a.Actor {
				s.own[p] = append(s.own[p], tpoint{t, u[p]})
			} else {
				s.recv[p] = append(s.recv[p], tpoint{t, u[p]})
			}
		}
	}
	s.final = float64(s.steps)
	return s
}

// offerChart draws one panel per party.
func offerChart(d *Debrief) (*figure, string, []legendItem) {
	m := d.Model
	n := len(m.Parties)
	s := collectOffers(m, d.Events)
	if s.steps == 0 {
		return nil, "The run recorded no actions, so there is nothing to plot.", nil
	}
	ph, gap := 150.0, 40.0
	if n > 4 {
		ph = 110
	}
	const left, top = 60.0, 26.0
	fig := &figure{ID: "util", Class: "wide", W: timeW, Label: "utilities over time"}
	fig.H = int(top + float64(n)*(ph+gap) - gap + 52)
	S := float64(s.steps)
	x := func(t float64) float64 { return left + 6 + t/S*(timeRight-left-12) }
	st := intStep(s.steps, 10)
	var xt []tick
	for k := 0; k <= s.steps; k += st {
		xt = append(xt, tick{Pos: x(float64(k)), Text: count(k)})
	}
	xt = thinLabels(xt)
	binnedAny := false
	var desc []string
	for p := range n {
		pTop := top + float64(p)*(ph+gap)
		pn := &panel{ClipID: fmt.Sprintf("util-clip%d", p), Left: left, Top: pTop, Right: timeRight, Bot: pTop + ph, YTitle: "utility"}
		pn.YTitleX, pn.YTitleY = left-44, pTop+ph/2
		for _, t := range xt {
			pn.XTicks = append(pn.XTicks, tick{Pos: t.Pos})
		}
		if p == n-1 {
			pn.XTicks = xt
			pn.XTitle, pn.XTitleX, pn.XTitleY = "step", (left+timeRight)/2, pn.Bot+38
		}
		name, col := m.Parties[p].Name, partyColor(p)
		fig.Texts = append(fig.Texts, label{X: left, Y: pTop - 8, Anchor: "start", Class: "ptitle", Fill: col, Text: name})
		if offerPanel(pn, d, &s, p, x) {
			binnedAny = true
		}
		desc = append(desc, fmt.Sprintf("%s made %s offers (%s) and received %s (%s)", name, count(len(s.own[p])), rangeOf(s.own[p]), count(len(s.recv[p])), rangeOf(s.recv[p])))
		fig.Panels = append(fig.Panels, pn)
	}
	fig.Desc = fmt.Sprintf("One panel per party over the %s steps: the utility of its own offers (line) and of the offers made to it (dots), with its reservation value (dashed). %s.", count(s.steps), strings.Join(desc, "; "))
	note := fmt.Sprintf("One panel per party, over the run's %s steps (valid actions): its utility of the offers it made itself (line: how it conceded) and of the offers the others made to it (dots). Dashed: its reservation value.", count(s.steps))
	if d.agreed() {
		note += " The star marks the agreement."
	}
	if binnedAny {
		note += fmt.Sprintf(" Long series are shown in %d time bins: the shaded band is each bin's range, the line or dots its mean.", MaxBins)
	}
	return fig, note, offerLegend(binnedAny, d.agreed())
}

// offerPanel draws party p's panel pn (its frame and x ticks set) of the
// offer chart, x mapping steps to pixels: the utility axis, the
// reservation line, its own offers (line) and those made to it (dots), and
// the agreement. It reports whether a series was shown in time bins.
func offerPanel(pn *panel, d *Debrief, s *offerSeries, p int, x func(float64) float64) (binned bool) {
	m := d.Model
	left := pn.Left
	S := float64(s.steps)
	res := reservationOf(m, p)
	lo, hi := res, res
	for _, ser := range [][]tpoint{s.own[p], s.recv[p]} {
		for _, q := range ser {
			lo, hi = math.Min(lo, q.u), math.Max(hi, q.u)
		}
	}
	ay := utilityAxis(lo, hi, 4, pn.Bot-6, pn.Top+6)
	pn.YTicks = axisTicks(ay)
	name, col := m.Parties[p].Name, partyColor(p)

	ry := ay.px(res)
	pn.Under = append(pn.Under, shape{Class: "sres", Stroke: col, D: "M" + coord(left) + " " + coord(ry) + "H" + coord(timeRight), Title: name + "'s reservation value " + num(res)})
	ty := ry - 4
	if ty < pn.Top+12 {
		ty = ry + 13
	}
	pn.Texts = append(pn.Texts, label{X: timeRight - 4, Y: ty, Anchor: "end", Class: "srestext", Fill: col, Text: "reservation " + num(res)})

	recv, b1 := seriesShapes(s.recv[p], 0, S, x, ay.px, false, "sdots recv", col, 4, fmt.Sprintf("%s: utility of the offers made to it (%s)", name, count(len(s.recv[p]))))
	own, b2 := seriesShapes(s.own[p], 0, S, x, ay.px, true, "sline", col, 0, fmt.Sprintf("%s: utility of its own offers (%s)", name, count(len(s.own[p]))))
	pn.Under = append(append(pn.Under, recv...), own...)
	if d.agreed() {
		u := utilityOf(m, p, d.Result.Agreement)
		pn.Over = append(pn.Over, shape{Class: "mark s-agree", D: marker("star", x(s.final), ay.px(u), 8), Title: fmt.Sprintf("agreement: %s %s", name, num(u))})
	}
	return b1 || b2
}

// offerLegend is the offer chart's legend. Gray icons of class "any"
// stand for a mark drawn in each party's colour.
func offerLegend(binned, agreed bool) []legendItem {
	gray := "#59636e"
	legend := []legendItem{
		{"utility of the party's own offers", icon(26, 16, `<path class="key any sline" stroke="`+gray+`" d="M1 12L9 6L17 5L25 4"/>`)},
		{"utility of the offers made to it", dotIcon("any sdots recv", gray, 5)},
	}
	if binned {
		legend = append(legend, legendItem{"range per time bin", icon(26, 16, `<path class="key any sband" fill="`+gray+`" d="M1 4H25V12H1Z"/>`)})
	}
	legend = append(legend, legendItem{"reservation value", icon(26, 16, `<path class="key any sres" stroke="`+gray+`" d="M1 8H25"/>`)})
	if agreed {
		legend = append(legend, legendItem{"agreement", starIcon("s-agree")})
	}
	return legend
}

// rangeOf words a series' first and last value.
func rangeOf(pts []tpoint) string {
	if len(pts) == 0 {
		return "none"
	}
	return "from " + num(pts[0].u) + " to " + num(pts[len(pts)-1].u)
}

// ---------------------------------------------------------------------------
// The mediated protocol.

// textChart draws each party's utility of each mediator text, with blanks
// and issues off the agenda at their status-quo option; pos places the
// events on the round axis (see roundPositions).
func textChart(d *Debrief, R int, pos []float64, left float64) (*figure, string, []legendItem) {
	m := d.Model
	n := len(m.Parties)
	series := make([][]tpoint, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	texts := 0
	for i, e := range d.Events {
		if e.Type != protocol.EvAction || e.Action == nil || e.Action.Kind != parley.ActText || protocol.Invalid(e) {
			continue
		}
		o := m.Complete(e.Action.Outcome)
		if o == nil {
			continue
		}
		texts++
		u := utilitiesOf(m, o)
		for p := range n {
			series[p] = append(series[p], tpoint{pos[i], u[p]})
			lo, hi = math.Min(lo, u[p]), math.Max(hi, u[p])
		}
	}
	if texts == 0 {
		return nil, "The mediator wrote no text, so there is nothing to plot.", nil
	}
	for p := range n {
		r := reservationOf(m, p)
		lo, hi = math.Min(lo, r), math.Max(hi, r)
	}
	fig := &figure{ID: "util", Class: "wide", W: timeW, H: 340, Label: "utilities over time"}
	pn := &panel{ClipID: "util-clip", Left: left, Top: 14, Right: timeRight, Bot: 290, XTitle: "round", YTitle: "utility"}
	pn.XTitleX, pn.XTitleY = (pn.Left+pn.Right)/2, pn.Bot+38
	pn.YTitleX, pn.YTitleY = pn.Left-44, (pn.Top+pn.Bot)/2
	fig.Panels = []*panel{pn}
	ay := utilityAxis(lo, hi, 5, pn.Bot-6, pn.Top+6)
	pn.YTicks = axisTicks(ay)
	x := func(t float64) float64 { return pn.Left + t/float64(R)*(pn.Right-pn.Left) }
	pn.XTicks = roundTicks(R, x)
	reservationLines(pn, m, ay)
	dotW := 7.0
	if texts > 60 {
		dotW = 0 // the line carries it
	}
	binnedAny := false
	var desc []string
	for p := range n {
		name, col := m.Parties[p].Name, partyColor(p)
		title := name + ": utility of each mediator text"
		sh, b := seriesShapes(series[p], 0, float64(R), x, ay.px, true, "sline", col, 0, title)
		binnedAny = binnedAny || b
		pn.Under = append(pn.Under, sh...)
		if dotW > 0 && !b {
			dots, _ := seriesShapes(series[p], 0, float64(R), x, ay.px, false, "sdots", col, dotW, title)
			pn.Under = append(pn.Under, dots...)
		}
		desc = append(desc, fmt.Sprintf("%s %s", name, rangeOf(series[p])))
	}
	fig.Desc = fmt.Sprintf("Each party's utility of each of the mediator's %d texts over %d rounds, with reservation values dashed: %s.", texts, R, strings.Join(desc, "; "))
	note := fmt.Sprintf("Each line is one party's utility of each of the mediator's %d texts, with blank clauses and issues off the agenda at their status-quo option. Dashed: reservation values.", texts)
	if binnedAny {
		note += fmt.Sprintf(" Long series are shown in %d time bins: the shaded band is each bin's range, the line its mean.", MaxBins)
	}
	var legend []legendItem
	for p := range m.Parties {
		legend = append(legend, legendItem{m.Parties[p].Name, lineIcon("sline", partyColor(p))})
	}
	if dotW > 0 && !binnedAny {
		legend = append(legend, legendItem{"a mediator text", dotIcon("any sdots", "#59636e", 6)})
	}
	if binnedAny {
		legend = append(legend, legendItem{"range per time bin", icon(26, 16, `<path class="key any sband" fill="#59636e" d="M1 4H25V12H1Z"/>`)})
	}
	legend = append(legend, legendItem{"reservation value", icon(26, 16, `<path class="key any sres" stroke="#59636e" d="M1 8H25"/>`)})
	return fig, note, legend
}

// reservationLines draws every party's reservation line across a panel
// and labels them at the right end: parties with the same value share one
// label, and labels are pushed apart so that none overlaps another.
func reservationLines(pn *panel, m *parley.Model, ay axis) {
	type group struct {
		v      float64
		names  []string
		colors []string
	}
	var groups []*group
	for p := range m.Parties {
		r := reservationOf(m, p)
		pn.Under = append(pn.Under, shape{Class: "sres", Stroke: partyColor(p), D: "M" + coord(pn.Left) + " " + coord(ay.px(r)) + "H" + coord(pn.Right),
			Title: m.Parties[p].Name + "'s reservation value " + num(r)})
		var g *group
		for _, h := range groups {
			if math.Abs(ay.px(h.v)-ay.px(r)) < 0.5 {
				g = h
			}
		}
		if g == nil {
			g = &group{v: r}
			groups = append(groups, g)
		}
		g.names = append(g.names, m.Parties[p].Name)
		g.colors = append(g.colors, partyColor(p))
	}
	want := make([]float64, len(groups))
	for i, g := range groups {
		want[i] = ay.px(g.v) - 4 // the text's baseline, just above its line
	}
	ys := spread(want, 13, pn.Top+12, pn.Bot-3)
	for i, g := range groups {
		col := g.colors[0]
		if len(g.colors) > 1 {
			col = "#444c56"
		}
		pn.Texts = append(pn.Texts, label{X: pn.Right - 4, Y: ys[i], Anchor: "end", Class: "srestext", Fill: col,
			Text: strings.Join(g.names, ", ") + " reservation " + num(g.v)})
	}
}

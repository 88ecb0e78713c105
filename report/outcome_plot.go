package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file draws outcomes in the parties' utility space, for both pages:
// layers of dots (the outcome space, the proposals of a run), the Pareto
// frontier, the reservation values and marked points (bargaining
// solutions, the agreement), labelled clear of each other. Two parties get
// one large plot. Three or more get a scatter-plot matrix: one panel per
// pair of parties, party i across the columns and party j down the rows
// (i < j), so that every panel of a column shares its x axis and every
// panel of a row its y axis; the legend fills the empty corner. A matrix
// reads better than the alternatives for what these plots are for — where
// the agreement sits against the frontier, the reservations and the Nash
// point: every panel is the familiar two-party picture with exact
// positions, whereas parallel coordinates lose the dominance geometry and
// a ternary projection loses the utilities' scale (it shows shares only).

// MaxPairPlots is the number of pairs of parties plotted at most (21
// pairs: seven parties).
const MaxPairPlots = 21

// dotLayer is a set of outcomes drawn as dots of one class and colour.
type dotLayer struct {
	class, color string
	title        string    // tooltip
	u            []float64 // utilities, row-major: one row of n per outcome
	n            int
}

func (l *dotLayer) size() int           { return len(l.u) / max(l.n, 1) }
func (l *dotLayer) at(k, p int) float64 { return l.u[k*l.n+p] }

// point is a marked point: a bargaining solution or the agreement.
type point struct {
	name       string // short, for labels: "Nash", "KS", "agreement"
	long       string // for tooltips: "Nash solution"
	legend     string // in the legend, when not long
	kind       string // marker shape
	class      string
	r          float64 // marker radius on a large plot
	u          []float64
	standalone bool // never nested with others (the agreement's star)
}

// outcomePlot is everything the utility-space plots of a page draw.
type outcomePlot struct {
	id      string // prefix of the figures' ids
	names   []string
	layers  []*dotLayer
	front   [][]float64
	connect bool // join the frontier (two parties: it is a curve)
	res     []float64
	points  []point
	lo, hi  []float64 // per party: the range of everything drawn
}

// fit widens the per-party ranges to everything that is drawn.
func (op *outcomePlot) fit() {
	n := len(op.names)
	op.lo, op.hi = make([]float64, n), make([]float64, n)
	for p := range op.lo {
		op.lo[p], op.hi[p] = math.Inf(1), math.Inf(-1)
	}
	see := func(us []float64) {
		for p := 0; p < n && p < len(us); p++ {
			if u := us[p]; !math.IsNaN(u) && !math.IsInf(u, 0) {
				op.lo[p], op.hi[p] = math.Min(op.lo[p], u), math.Max(op.hi[p], u)
			}
		}
	}
	for _, l := range op.layers {
		for k := 0; k < l.size(); k++ {
			see(l.u[k*l.n : (k+1)*l.n])
		}
	}
	for _, f := range op.front {
		see(f)
	}
	see(op.res)
	for _, pt := range op.points {
		see(pt.u)
	}
}

// thinFrontier keeps at most limit evenly spaced points of a frontier.
func thinFrontier(front [][]float64, limit int) [][]float64 {
	if len(front) <= limit {
		return front
	}
	out := make([][]float64, limit)
	for i := range out {
		out[i] = front[int(math.Round(float64(i)*float64(len(front)-1)/float64(limit-1)))]
	}
	return out
}

// outcomesView is the plots of a page and their legend.
type outcomesView struct {
	Main   *figure // two parties
	Cells  []matrixCell
	Cols   int // matrix columns
	More   string
	Legend []legendItem
}

// matrixCell is one panel of the scatter-plot matrix, at its grid place.
type matrixCell struct {
	Fig      *figure
	Row, Col int // 1-based
}

// plotSize is a panel's geometry.
type plotSize struct {
	w, h                  int
	left, top, right, bot float64
	ticks                 int
	small                 bool // no labels on points, smaller type
}

var largePlot = plotSize{w: 680, h: 560, left: 66, top: 16, right: 664, bot: 500, ticks: 10}

// cellSize returns the panel geometry of a matrix with cols columns: as
// wide as a column of the page allows, at most 520 units.
func cellSize(cols int) plotSize {
	w := min(520, (1060-16*(cols-1))/cols)
	w = max(w, 200)
	h := w - 10
	s := plotSize{w: w, h: h, left: 50, top: 12, right: float64(w) - 10, bot: float64(h) - 44, ticks: 5, small: w < 360}
	if w >= 360 {
		s.left, s.bot, s.ticks = 60, float64(h)-48, 10
	}
	return s
}

// view lays out the plots: one large plot for two parties, else the
// matrix of pairs (at most MaxPairPlots).
func (op *outcomePlot) view() *outcomesView {
	op.fit()
	n := len(op.names)
	v := &outcomesView{}
	if n == 2 {
		v.Main = op.figure(0, 1, largePlot)
		v.Legend = op.legend()
		return v
	}
	v.Cols = n - 1
	size := cellSize(v.Cols)
	drawn := 0
	for j := 1; j < n; j++ {
		for i := 0; i < j; i++ {
			if drawn == MaxPairPlots {
				v.More = fmt.Sprintf("%d pairs of parties; the first %d are drawn.", n*(n-1)/2, MaxPairPlots)
				continue
			}
			drawn++
			v.Cells = append(v.Cells, matrixCell{Fig: op.figure(i, j, size), Row: j, Col: i + 1})
		}
	}
	v.Legend = op.legend()
	return v
}

// figure draws party px (across) against party py (up).
func (op *outcomePlot) figure(px, py int, sz plotSize) *figure {
	fig := &figure{ID: fmt.Sprintf("%s-%d-%d", op.id, px, py), W: sz.w, H: sz.h,
		Label: op.names[px] + " against " + op.names[py]}
	if sz.small {
		fig.Class = "small"
	}
	pn := &panel{ClipID: fig.ID + "-clip", Left: sz.left, Top: sz.top, Right: sz.right, Bot: sz.bot,
		XTitle: op.names[px], YTitle: op.names[py]}
	fig.Panels = []*panel{pn}
	pn.XTitleX, pn.XTitleY = (pn.Left+pn.Right)/2, pn.Bot+38
	pn.YTitleX, pn.YTitleY = 14, (pn.Top+pn.Bot)/2
	if sz.small {
		pn.XTitleY, pn.YTitleX = pn.Bot+34, 12
	}
	const pad = 8
	ax := utilityAxis(op.lo[px], op.hi[px], sz.ticks, pn.Left+pad, pn.Right-pad)
	ay := utilityAxis(op.lo[py], op.hi[py], sz.ticks, pn.Bot-pad, pn.Top+pad)
	pn.XTicks, pn.YTicks = axisTicks(ax), axisTicks(ay)

	var desc []string
	pl := &placer{area: box{pn.Left, pn.Top, pn.Right, pn.Bot}}
	for _, l := range op.layers {
		if s := op.dots(pn, pl, l, px, py, ax, ay, sz); s != nil {
			pn.Under = append(pn.Under, *s)
			desc = append(desc, fmt.Sprintf("%s: %s", l.title, count(l.size())))
		}
	}
	op.reservations(pn, pl, px, py, ax, ay, sz)
	if len(op.front) > 0 {
		op.frontier(pn, pl, px, py, ax, ay)
		desc = append(desc, fmt.Sprintf("the Pareto frontier (%s points)", count(len(op.front))))
	}
	desc = append(desc, op.marks(pn, pl, px, py, ax, ay, sz)...)
	fig.Desc = fmt.Sprintf("Each party's utility: %s across, %s up. Drawn: %s.", op.names[px], op.names[py], strings.Join(desc, "; "))
	return fig
}

// dots draws a layer, each pixel once.
func (op *outcomePlot) dots(pn *panel, pl *placer, l *dotLayer, px, py int, ax, ay axis, sz plotSize) *shape {
	if l.size() == 0 {
		return nil
	}
	var b pathBuilder
	seen := make(map[[2]int32]bool, l.size())
	for k := 0; k < l.size(); k++ {
		x, y := math.Round(ax.px(l.at(k, px))), math.Round(ay.px(l.at(k, py)))
		key := [2]int32{int32(x), int32(y)}
		if seen[key] {
			continue
		}
		seen[key] = true
		pl.avoid(box{x - 2, y - 2, x + 2, y + 2})
		b.WriteByte('M')
		b.WriteString(strconv.Itoa(int(x)))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(int(y)))
		b.WriteString("h0")
	}
	w := dotWidth(l.size())
	if sz.small {
		w *= 0.8
	}
	if l.class == "zone" {
		w += 0.6
	}
	return &shape{Class: l.class, Stroke: l.color, Width: w, D: b.String(), Title: l.title}
}

// dotWidth is the diameter of the dots of a layer of n outcomes: smaller
// as the layer grows, so that a dense cloud stays a cloud.
func dotWidth(n int) float64 {
	switch {
	case n <= 300:
		return 6
	case n <= 3000:
		return 4.5
	}
	return 3.4
}

// frontier draws the Pareto frontier: a line (two parties) and its points.
func (op *outcomePlot) frontier(pn *panel, pl *placer, px, py int, ax, ay axis) {
	var line strings.Builder
	var pts pathBuilder
	// A sparse frontier's points are rings, so that they stay apart from
	// the filled dots of outcomes and offers (and show what lies under
	// them); a dense one's are small dots, and its line carries it.
	rings := len(op.front) <= 500
	r := 3.2
	if len(op.front) > 100 {
		r = 2.4
	}
	seen := map[[2]int32]bool{}
	for i, f := range op.front {
		x, y := ax.px(f[px]), ay.px(f[py])
		if op.connect {
			if i > 0 {
				line.WriteByte(' ')
			}
			line.WriteString(coord(x) + "," + coord(y))
		}
		key := [2]int32{int32(math.Round(x * 2)), int32(math.Round(y * 2))}
		if seen[key] {
			continue
		}
		seen[key] = true
		if rings {
			pts.WriteString(marker("circle", x, y, r))
		} else {
			pts.dot(x, y)
		}
		pl.block(box{x - 3, y - 3, x + 3, y + 3})
	}
	if line.Len() > 0 {
		pn.Under = append(pn.Under, shape{Class: "front-line", Points: line.String()})
	}
	title := fmt.Sprintf("Pareto frontier (%s points)", count(len(op.front)))
	if rings {
		pn.Under = append(pn.Under, shape{Class: "front-ring", D: pts.String(), Title: title})
	} else {
		pn.Under = append(pn.Under, shape{Class: "front-pt", Width: 2.6, D: pts.String(), Title: title})
	}
}

// reservations draws the two parties' reservation lines; a large plot
// labels them.
func (op *outcomePlot) reservations(pn *panel, pl *placer, px, py int, ax, ay axis, sz plotSize) {
	if len(op.res) <= max(px, py) {
		return
	}
	rx, ry := op.res[px], op.res[py]
	x, y := ax.px(rx), ay.px(ry)
	pn.Under = append(pn.Under, shape{Class: "res", D: "M" + coord(x) + " " + coord(pn.Top) + "V" + coord(pn.Bot), Title: op.names[px] + "'s reservation value " + num(rx)})
	pn.Under = append(pn.Under, shape{Class: "res", D: "M" + coord(pn.Left) + " " + coord(y) + "H" + coord(pn.Right), Title: op.names[py] + "'s reservation value " + num(ry)})
	if sz.small {
		return
	}
	const size = 11
	tx := "reservation " + num(rx)
	pn.Texts = append(pn.Texts, pl.place([]label{
		{X: x + 4, Y: pn.Top + 12, Anchor: "start", Class: "restext", Text: tx},
		{X: x - 4, Y: pn.Top + 12, Anchor: "end", Class: "restext", Text: tx},
		{X: x + 4, Y: pn.Bot - 6, Anchor: "start", Class: "restext", Text: tx},
	}, size))
	ty := "reservation " + num(ry)
	pn.Texts = append(pn.Texts, pl.place([]label{
		{X: pn.Right - 4, Y: y - 4, Anchor: "end", Class: "restext", Text: ty},
		{X: pn.Right - 4, Y: y + 13, Anchor: "end", Class: "restext", Text: ty},
		{X: pn.Left + 4, Y: y - 4, Anchor: "start", Class: "restext", Text: ty},
		{X: pn.Left + 4, Y: y + 13, Anchor: "start", Class: "restext", Text: ty},
	}, size))
}

// marks draws the marked points. Points at the same place are nested, the
// first largest, so that all stay visible, and share one label ("Nash =
// KS"); a large plot labels them clear of each other.
func (op *outcomePlot) marks(pn *panel, pl *placer, px, py int, ax, ay axis, sz plotSize) []string {
	type group struct {
		x, y    float64
		names   []string
		members []point
	}
	var groups []*group
	scale := 1.0
	if sz.small {
		scale = 0.75
	}
	var desc []string
	for _, pt := range op.points {
		if len(pt.u) <= max(px, py) {
			continue
		}
		x, y := ax.px(pt.u[px]), ay.px(pt.u[py])
		desc = append(desc, fmt.Sprintf("%s at (%s, %s)", pt.long, num(pt.u[px]), num(pt.u[py])))
		var g *group
		if !pt.standalone {
			for _, h := range groups {
				if !h.members[0].standalone && math.Abs(h.x-x) < 3 && math.Abs(h.y-y) < 3 {
					g = h
					break
				}
			}
		}
		if g == nil {
			g = &group{x: x, y: y}
			groups = append(groups, g)
		}
		g.names = append(g.names, pt.name)
		g.members = append(g.members, pt)
	}
	radius := func(g *group, j int) float64 {
		return g.members[j].r * scale * (1 + 0.55*float64(len(g.members)-1-j))
	}
	for _, g := range groups {
		for j, mb := range g.members {
			title := fmt.Sprintf("%s: %s %s, %s %s", mb.long, op.names[px], num(mb.u[px]), op.names[py], num(mb.u[py]))
			pn.Over = append(pn.Over, shape{Class: "mark " + mb.class, D: marker(mb.kind, g.x, g.y, radius(g, j)), Title: title})
		}
		r := radius(g, 0)
		pl.block(box{g.x - r, g.y - r, g.x + r, g.y + r})
	}
	if sz.small {
		return desc
	}
	for _, g := range groups {
		r := radius(g, 0) * 0.8
		pn.Texts = append(pn.Texts, pl.place(around(g.x, g.y, r, strings.Join(g.names, " = "), "slabel"), 12.5))
	}
	return desc
}

// legend lists what the plots draw, and nothing else.
func (op *outcomePlot) legend() []legendItem {
	var out []legendItem
	for _, l := range op.layers {
		if l.size() == 0 {
			continue
		}
		out = append(out, legendItem{l.title, dotIcon(l.class, l.color, 5)})
	}
	if len(op.front) > 0 {
		body := `<path class="key front-ring" d="` + marker("circle", 2, 13, 2.6) + marker("circle", 12, 7, 2.6) + marker("circle", 22, 4, 2.6) + `"/>`
		if op.connect {
			body = `<polyline class="key front-line" points="1,13 12,6 23,3"/>` + body
		}
		out = append(out, legendItem{"Pareto frontier", icon(24, 16, body)})
	}
	if len(op.res) > 0 {
		out = append(out, legendItem{"reservation value (no agreement)", icon(24, 16, `<path class="key res" d="M0 8H24"/>`)})
	}
	for _, pt := range op.points {
		name := pt.long
		if pt.legend != "" {
			name = pt.legend
		}
		if pt.kind == "star" {
			out = append(out, legendItem{name, starIcon(pt.class)})
		} else {
			out = append(out, legendItem{name, markerIcon(pt.kind, pt.class)})
		}
	}
	return out
}

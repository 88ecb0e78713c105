package report

import (
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
)

// This file holds what every chart shares: the figure and panel a chart is
// drawn in (its template is "figure"), linear axes with round ticks, SVG
// path data, marker shapes and legend icons, and placing labels clear of
// each other. Coordinates are SVG user units (pixels at scale 1).

// A figure is one SVG image: one or more panels, each a plot area with its
// own axes. Label names the image for screen readers and Desc describes
// what it shows.
type figure struct {
	ID          string // unique in the page: clip paths and the description hang on it
	Class       string // extra classes of the svg element ("small")
	W, H        int
	Label, Desc string
	Panels      []*panel
	Texts       []label // outside any panel
}

// A panel is a plot area with ticks, grid lines and axis titles; what it
// draws inside the area is clipped to it.
type panel struct {
	ClipID                string
	Left, Top, Right, Bot float64
	XTicks, YTicks        []tick
	XTitle, YTitle        string
	XTitleX, XTitleY      float64
	YTitleX, YTitleY      float64
	Under                 []shape // clipped to the plot area
	Over                  []shape // on top, not clipped (markers at the edge stay whole)
	Texts                 []label
}

// PlotW and PlotH are the plot area's size.
func (p *panel) PlotW() float64 { return p.Right - p.Left }
func (p *panel) PlotH() float64 { return p.Bot - p.Top }

// A tick is a grid line at Pos (pixels along its axis) with a label, or
// without one when Text is "".
type tick struct {
	Pos   float64
	Text  string
	Minor bool // its label is left out on narrow screens
}

// thinLabels marks every other tick minor when there are more than four,
// so that a chart scaled down to a phone's width, its text set larger,
// keeps labels that neither crowd nor touch the axis title.
func thinLabels(ts []tick) []tick {
	if len(ts) > 4 {
		for i := range ts {
			ts[i].Minor = i%2 == 1
		}
	}
	return ts
}

// A shape is one SVG path (or, with Points, a polyline). Stroke, Fill and
// Width override the class's style when set.
type shape struct {
	Class, Stroke, Fill string
	Width               float64
	D, Points           string
	Title               string
}

// A label is a text at (X, Y); Anchor is start, middle or end.
type label struct {
	X, Y                float64
	Anchor, Class, Fill string
	Text                string
}

// A legendItem is one entry of a chart's legend: an inline SVG icon and
// what it stands for.
type legendItem struct {
	Label string
	Icon  template.HTML
}

// axis maps values in [lo, hi] linearly to pixels in [p0, p1].
type axis struct {
	lo, hi float64 // domain
	step   float64 // tick step
	p0, p1 float64 // pixel range (p0 for lo)
}

func (a axis) px(v float64) float64 {
	return a.p0 + (v-a.lo)/(a.hi-a.lo)*(a.p1-a.p0)
}

func (a axis) ticks() []float64 {
	var out []float64
	n := int(math.Round((a.hi - a.lo) / a.step))
	for i := 0; i <= n && i <= 100; i++ {
		out = append(out, a.lo+float64(i)*a.step)
	}
	return out
}

// utilityAxis returns the axis of utilities in [lo, hi] over the pixels
// [p0, p1]: [0, 1] when they fit, else the data's range widened to whole
// tick steps, with about target ticks.
func utilityAxis(lo, hi float64, target int, p0, p1 float64) axis {
	if !(lo <= hi) {
		lo, hi = 0, 1
	}
	lo, hi, step := utilityDomain(lo, hi, target)
	return axis{lo: lo, hi: hi, step: step, p0: p0, p1: p1}
}

// utilityDomain returns the axis domain for utilities in [lo, hi]: [0, 1]
// when they fit, else the data range widened to whole tick steps.
func utilityDomain(lo, hi float64, target int) (float64, float64, float64) {
	lo, hi = math.Min(lo, 0), math.Max(hi, 1)
	step := niceStep((hi - lo) / float64(target))
	lo = math.Floor(lo/step+1e-9) * step
	hi = math.Ceil(hi/step-1e-9) * step
	return lo, hi, step
}

// niceStep returns the smallest of 1, 2, 2.5, 5 times a power of ten that
// is at least raw.
func niceStep(raw float64) float64 {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if f*mag >= raw*(1-1e-9) {
			return f * mag
		}
	}
	return 10 * mag
}

// intStep is a tick step for an integer axis of length n: 1, 2, 5 times a
// power of ten, aiming at about target ticks.
func intStep(n, target int) int {
	st := niceStep(float64(n) / float64(target))
	if st < 1 {
		return 1
	}
	if st == 2.5 {
		return 2
	}
	return int(math.Round(st))
}

// tickText writes a tick value with as many decimals as the step needs.
func tickText(v, step float64) string {
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
		if math.Abs(step*math.Pow(10, float64(dec))-math.Round(step*math.Pow(10, float64(dec)))) > 1e-6 {
			dec++
		}
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// axisTicks labels every tick of an axis.
func axisTicks(a axis) []tick {
	var out []tick
	for _, t := range a.ticks() {
		out = append(out, tick{Pos: a.px(t), Text: tickText(t, a.step)})
	}
	return thinLabels(out)
}

// coord formats a pixel coordinate with one decimal.
func coord(x float64) string {
	s := strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// pathBuilder writes SVG path data.
type pathBuilder struct{ strings.Builder }

func (b *pathBuilder) cmd(c byte, x, y float64) {
	b.WriteByte(c)
	b.WriteString(coord(x))
	b.WriteByte(' ')
	b.WriteString(coord(y))
}

// dot writes a zero-length segment at (x, y): with a round line cap, a dot
// as wide as the stroke.
func (b *pathBuilder) dot(x, y float64) {
	b.cmd('M', x, y)
	b.WriteString("h0")
}

// marker returns the SVG path of a marker of radius r at (x, y): circle,
// diamond, square, triangle or star.
func marker(kind string, x, y, r float64) string {
	c := coord
	switch kind {
	case "diamond":
		r *= 1.3
		return "M" + c(x) + " " + c(y-r) + "L" + c(x+r) + " " + c(y) + "L" + c(x) + " " + c(y+r) + "L" + c(x-r) + " " + c(y) + "Z"
	case "square":
		r *= 0.9
		return "M" + c(x-r) + " " + c(y-r) + "H" + c(x+r) + "V" + c(y+r) + "H" + c(x-r) + "Z"
	case "triangle":
		r *= 1.25
		return "M" + c(x) + " " + c(y-r) + "L" + c(x+r*0.9) + " " + c(y+r*0.65) + "H" + c(x-r*0.9) + "Z"
	case "star":
		var b pathBuilder
		for k := 0; k < 10; k++ {
			rr := r
			if k%2 == 1 {
				rr = r * 0.45
			}
			a := -math.Pi/2 + float64(k)*math.Pi/5
			op := byte('L')
			if k == 0 {
				op = 'M'
			}
			b.cmd(op, x+rr*math.Cos(a), y+rr*math.Sin(a))
		}
		b.WriteByte('Z')
		return b.String()
	}
	return "M" + c(x-r) + " " + c(y) + "a" + c(r) + " " + c(r) + " 0 1 0 " + c(2*r) + " 0a" + c(r) + " " + c(r) + " 0 1 0 " + c(-2*r) + " 0Z"
}

// Legend icons: small inline SVGs drawn with the charts' own classes.

func icon(w, h int, body string) template.HTML {
	ws, hs := strconv.Itoa(w), strconv.Itoa(h)
	return template.HTML(`<svg class="icon" width="` + ws + `" height="` + hs + `" viewBox="0 0 ` + ws + " " + hs + `" aria-hidden="true">` + body + `</svg>`)
}

// markerIcon is a solution or outcome marker.
func markerIcon(kind, class string) template.HTML {
	return icon(16, 16, `<path class="key mark `+class+`" d="`+marker(kind, 8, 8, 5)+`"/>`)
}

// starIcon is the agreement's (or last proposal's) star.
func starIcon(class string) template.HTML {
	return icon(18, 18, `<path class="key mark `+class+`" d="`+marker("star", 9, 9, 8)+`"/>`)
}

// dotIcon is a dot of a class, optionally coloured.
func dotIcon(class, color string, width float64) template.HTML {
	st := ""
	if color != "" {
		st = ` stroke="` + template.HTMLEscapeString(color) + `"`
	}
	return icon(16, 16, `<path class="key `+class+`"`+st+` stroke-width="`+coord(width)+`" d="M8 8h0"/>`)
}

// lineIcon is a short line of a class, optionally coloured.
func lineIcon(class, color string) template.HTML {
	st := ""
	if color != "" {
		st = ` stroke="` + template.HTMLEscapeString(color) + `"`
	}
	return icon(26, 16, `<path class="key `+class+`"`+st+` d="M1 8H25"/>`)
}

// swatchIcon is a filled box of a class.
func swatchIcon(class string) template.HTML {
	return icon(22, 14, `<rect class="key `+class+`" x="0" y="1" width="22" height="12"/>`)
}

// ---------------------------------------------------------------------------
// Placing labels.

// textWidth estimates the width of a text of size px in the pages' sans
// serif font (0.6 em per character is generous for Latin text).
func textWidth(s string, size float64) float64 {
	return 0.6*size*float64(len([]rune(s))) + 2
}

// box is an axis-aligned rectangle.
type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool {
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

func (a box) inside(b box) bool {
	return a.x0 >= b.x0 && a.x1 <= b.x1 && a.y0 >= b.y0 && a.y1 <= b.y1
}

// textBox is the box a label of font size size covers.
func textBox(l label, size float64) box {
	w := textWidth(l.Text, size)
	x0 := l.X
	switch l.Anchor {
	case "end":
		x0 = l.X - w
	case "middle":
		x0 = l.X - w/2
	}
	return box{x0, l.Y - size, x0 + w, l.Y + size*0.3}
}

// placer puts labels inside an area clear of what is already there: each
// label tries its candidate positions in order and takes the first that
// fits inside the area and overlaps nothing; when none does, the one that
// overlaps least (covering a dot of a cloud counts less than covering a
// marker, a frontier point or another label).
type placer struct {
	area  box
	taken []box
	soft  []box // dots of a cloud: better not covered, but a label may
}

// block marks a box as taken (a marker, a line's label, a frontier point).
func (p *placer) block(b box) { p.taken = append(p.taken, b) }

// avoid marks a box as better left uncovered (a dot of a cloud).
func (p *placer) avoid(b box) { p.soft = append(p.soft, b) }

// overlap is the area two boxes share.
func overlap(a, b box) float64 {
	if !a.overlaps(b) {
		return 0
	}
	return (math.Min(a.x1, b.x1) - math.Max(a.x0, b.x0)) * (math.Min(a.y1, b.y1) - math.Max(a.y0, b.y0))
}

// place picks one of cands (each a label of the same text) and marks it
// taken.
func (p *placer) place(cands []label, size float64) label {
	best, bestCost := cands[0], math.Inf(1)
	for _, c := range cands {
		b := textBox(c, size)
		cost := 0.0
		if !b.inside(p.area) {
			cost += 1e6
		}
		for _, q := range p.taken {
			cost += overlap(b, q)
		}
		for _, q := range p.soft {
			cost += 0.15 * overlap(b, q)
		}
		if cost == 0 {
			best = c
			break
		}
		if cost < bestCost {
			best, bestCost = c, cost
		}
	}
	p.block(textBox(best, size))
	return best
}

// around returns a label's candidate positions around a point, clear of a
// marker of radius r: right-above, right-below, left-above, left-below,
// then further out.
func around(x, y, r float64, text, class string) []label {
	e := r + 3
	var out []label
	for _, d := range []struct {
		dx, dy float64
		anchor string
	}{{e, -e + 2, "start"}, {e, e + 10, "start"}, {-e, -e + 2, "end"}, {-e, e + 10, "end"},
		{0, -e - 4, "middle"}, {0, e + 14, "middle"}, {e, -e - 12, "start"}, {-e, e + 24, "end"}, {e, e + 24, "start"}, {-e, -e - 12, "end"}} {
		out = append(out, label{X: x + d.dx, Y: y + d.dy, Anchor: d.anchor, Class: class, Text: text})
	}
	return out
}

// spread places labels along one axis: want holds their wanted positions
// (any order), gap the least distance between two, and the result lies in
// [lo, hi] when they fit. It keeps the order of the wanted positions and
// moves each as little as the others allow (pushed apart forward, then
// back inside from the far end).
func spread(want []float64, gap, lo, hi float64) []float64 {
	n := len(want)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return want[idx[a]] < want[idx[b]] })
	pos := make([]float64, n)
	for k, i := range idx {
		p := math.Max(want[i], lo)
		if k > 0 {
			p = math.Max(p, pos[idx[k-1]]+gap)
		}
		pos[i] = p
	}
	for k := n - 1; k >= 0; k-- {
		i := idx[k]
		limit := hi
		if k < n-1 {
			limit = pos[idx[k+1]] - gap
		}
		if pos[i] > limit {
			pos[i] = limit
		}
	}
	return pos
}

// levels assigns each horizontal span (x0, x1) the lowest level (row) at
// which it overlaps no span already placed, in order, with pad between.
func levels(spans [][2]float64, pad float64) []int {
	var ends []float64 // per level, the right end of its last span
	out := make([]int, len(spans))
	for i, s := range spans {
		l := 0
		for l < len(ends) && s[0] < ends[l]+pad {
			l++
		}
		if l == len(ends) {
			ends = append(ends, math.Inf(-1))
		}
		ends[l] = s[1]
		out[i] = l
	}
	return out
}

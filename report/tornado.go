package report

import (
	"fmt"
	"math"

	"github.com/parleyhq/parley/analysis"
)

// This file builds the sensitivity section of the analysis page: a tornado
// chart of what the top estimates do at both ends of their range, and the
// ranked table. The text report's wording (sensitivity.go) is shared.

// MaxTornadoBars is how many estimates the HTML tornado chart shows.
const MaxTornadoBars = 15

type sensitivityView struct {
	Intro    string
	Base     string
	Rows     []sensitivityRow
	Chart    *tornadoChart
	NoEffect []string
	Pairs    []string
	Metric   string
}

type sensitivityRow struct {
	Rank                   int
	Name, Range, Zone, Why string
	Assumption             bool
}

// tornadoChart is the tornado chart's geometry.
type tornadoChart struct {
	W, H     int
	Desc     string
	PlotL    float64 // the bars' area starts here; labels end left of it
	BaseX    float64
	Top, Bot float64
	Bars     []tornadoBar
	Axis     []label // base, low and high values
}

type tornadoBar struct {
	Name, Short string // the estimate, and as shown (cut to fit)
	Title       string
	X, Y, W     float64
	Ends        []label // "L" and "H" beside the bar's ends
}

func buildSensitivity(res *analysis.Sensitivity) *sensitivityView {
	v := &sensitivityView{
		Intro: fmt.Sprintf("Each of %d estimates was moved to both ends of its range (or ±%.2f where it has none), one at a time, then the top ones in pairs: %d analyses.", len(res.Rows)+len(res.NoEffect), res.Step, res.Probes),
		Base:  effectText(res.Base),
	}
	for i, r := range res.Rows {
		v.Rows = append(v.Rows, sensitivityRow{Rank: i + 1, Name: paramName(r.Param), Range: rangeText(r.Param), Zone: zoneLowHigh(r.AtLow, r.AtHigh), Why: changeText(res.Base, r), Assumption: r.Assumption})
	}
	v.NoEffect = noEffectLines(res)
	byPath := map[string]analysis.Param{}
	for _, r := range res.Rows {
		byPath[r.Path] = r.Param
	}
	for _, pr := range res.Pairs {
		v.Pairs = append(v.Pairs, pairLine(byPath, pr))
	}
	v.Chart, v.Metric = tornado(res)
	return v
}

// tornado draws the top rows as bars from the value of the metric at an
// estimate's low end to its value at the high end, around the base value.
// The metric is the zone's size; when the zone is empty anywhere, it is
// the zone's size or, for an empty zone, the largest zone a single
// relaxation would open (how close to agreement the scenario is).
func tornado(res *analysis.Sensitivity) (*tornadoChart, string) {
	metric, metricName := zoneMetric, "zone size (outcomes)"
	empty := res.Base.ZoneEmpty
	for _, r := range res.Rows {
		empty = empty || r.AtLow.ZoneEmpty || r.AtHigh.ZoneEmpty
	}
	if empty {
		metric, metricName = closeness, "zone size, or for an empty zone the largest zone one relaxation would open (outcomes)"
	}
	rows := res.Rows
	if len(rows) > MaxTornadoBars {
		rows = rows[:MaxTornadoBars]
	}
	if len(rows) == 0 {
		return nil, metricName
	}
	base := metric(res.Base)
	lo, hi := base, base
	for _, r := range rows {
		lo = math.Min(lo, math.Min(metric(r.AtLow), metric(r.AtHigh)))
		hi = math.Max(hi, math.Max(metric(r.AtLow), metric(r.AtHigh)))
	}
	if hi == lo {
		hi = lo + 1
	}
	const labelW, plotW, rowH, top, size = 300.0, 420.0, 22.0, 28.0, 11.0
	c := &tornadoChart{W: int(labelW + plotW + 30), PlotL: labelW, Top: top - 4}
	height := top + rowH*float64(len(rows)) + 30
	c.H, c.Bot = int(height), height-24
	x := func(v float64) float64 { return labelW + (v-lo)/(hi-lo)*plotW }
	// Labels are cut to the width left of the bars; the tooltip has them whole.
	maxChars := int(math.Floor((labelW - 12) / (0.6 * size)))
	for i, r := range rows {
		y := top + rowH*float64(i) + 3
		a, b := metric(r.AtLow), metric(r.AtHigh)
		x0, x1 := x(math.Min(a, b)), x(math.Max(a, b))
		if x1-x0 < 2 {
			x0, x1 = x0-1, x0+1
		}
		name := paramName(r.Param)
		bar := tornadoBar{Name: name, Short: cut(name, maxChars), X: x0, Y: y, W: x1 - x0,
			Title: fmt.Sprintf("%s: %s at %s, %s at %s", name, trimNum(a), trimNum(r.Low), trimNum(b), trimNum(r.High))}
		// The letter of the end further left goes left of the bar, the
		// other right of it, so that the two never overlap.
		left, right := "L", "H"
		if a > b {
			left, right = "H", "L"
		}
		bar.Ends = []label{{X: x0 - 3, Y: y + 11, Anchor: "end", Class: "tend", Text: left}, {X: x1 + 3, Y: y + 11, Anchor: "start", Class: "tend", Text: right}}
		c.Bars = append(c.Bars, bar)
	}
	c.BaseX = x(base)
	c.Axis = []label{
		{X: c.BaseX, Y: height - 10, Anchor: "middle", Class: "tick", Text: "base " + trimNum(base)},
		{X: labelW, Y: height - 10, Anchor: "start", Class: "tick", Text: trimNum(lo)},
		{X: labelW + plotW, Y: height - 10, Anchor: "end", Class: "tick", Text: trimNum(hi)},
	}
	// The base's value is written under its line; the ends' values only
	// where they leave it room.
	bw := textWidth(c.Axis[0].Text, size) / 2
	for k := 2; k >= 1; k-- {
		b := textBox(c.Axis[k], size)
		if b.x1 > c.BaseX-bw && b.x0 < c.BaseX+bw {
			c.Axis = append(c.Axis[:k], c.Axis[k+1:]...)
		}
	}
	c.Desc = fmt.Sprintf("%d estimates, each a bar from the %s with the estimate at the low end of its range to the value at its high end; the base is %s, the values run from %s to %s.", len(rows), metricName, trimNum(base), trimNum(lo), trimNum(hi))
	return c, metricName
}

// cut shortens s to n characters, with an ellipsis.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 2 {
		return s
	}
	return string(r[:n-1]) + "…"
}

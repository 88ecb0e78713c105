package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/analysis"
)

// DefaultSensitivityRows is how many ranked estimates the text report
// shows (the JSON and HTML reports show all).
const DefaultSensitivityRows = 20

// SensitivityText writes the sensitivity analysis for people: the base
// conclusion, the estimates ranked by what they change (at most rows of
// them; 0 means DefaultSensitivityRows), the estimates that change nothing,
// and the pairs of top estimates.
func SensitivityText(w io.Writer, res *analysis.Sensitivity, rows int) error {
	if rows <= 0 {
		rows = DefaultSensitivityRows
	}
	p := &printer{w: w}
	n := len(res.Rows) + len(res.NoEffect)
	p.f("\nSensitivity: which estimates matter\n")
	p.f("  Each of %d estimates moved to both ends of its range (or ±%.2f where it has none), one at a time, then the top ones in pairs: %d analyses.\n", n, res.Step, res.Probes)
	p.f("  Base: %s\n", effectText(res.Base))
	if len(res.Rows) == 0 {
		p.f("  No estimate changes the zone, what blocks it or the Nash point across its range.\n")
	} else {
		shown := res.Rows
		if len(shown) > rows {
			shown = shown[:rows]
		}
		w := len("estimate")
		for _, r := range shown {
			w = max(w, len([]rune(paramName(r.Param))))
		}
		p.f("\n  %4s  %-*s %-12s %-15s %s\n", "rank", w, "estimate", "range", "zone low/high", "what changes")
		for i, r := range shown {
			mark := " "
			if r.Assumption {
				mark = "*"
			}
			p.f("  %4d%s %-*s %-12s %-15s %s\n", i+1, mark, w, paramName(r.Param), rangeText(r.Param), zoneLowHigh(r.AtLow, r.AtHigh), changeText(res.Base, r))
		}
		if len(res.Rows) > rows {
			p.f("  ... and %d more (--sensitivity-rows, or --json, lists them all)\n", len(res.Rows)-rows)
		}
		p.f("  * labelled an analyst's assumption: no source states it. ± the estimate has no range: moved by ±%.2f.\n", res.Step)
	}
	if len(res.NoEffect) > 0 {
		p.f("\n  Change nothing across their range (%d):\n", len(res.NoEffect))
		for _, l := range noEffectLines(res) {
			p.f("    %s\n", l)
		}
	}
	if len(res.Pairs) > 0 {
		p.f("\n  Top estimates in pairs (zone at low/low, low/high, high/low, high/high")
		if res.Base.ZoneEmpty {
			p.f("; for an empty zone, in brackets, the largest zone one relaxation would open")
		}
		p.f("):\n")
		byPath := map[string]analysis.Param{}
		for _, r := range res.Rows {
			byPath[r.Path] = r.Param
		}
		for _, pr := range res.Pairs {
			p.f("    %s\n", pairLine(byPath, pr))
		}
	}
	return p.err
}

// paramName writes an estimate as "Afghanistan/Kabul: reservation".
func paramName(q analysis.Param) string {
	who := q.Party
	if q.Principal != "" && q.Principal != q.Party {
		who += "/" + q.Principal
	}
	return who + ": " + q.What
}

func rangeText(q analysis.Param) string {
	s := trimNum(q.Low) + "–" + trimNum(q.High)
	if !q.Ranged {
		s += "±"
	}
	return s
}

func trimNum(x float64) string {
	return strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64)
}

func zoneShort(e analysis.Effect) string {
	if e.ZoneEmpty {
		return "empty"
	}
	s := group(e.ZoneSize.String())
	if !e.ZoneExact {
		s = "≥" + s
	}
	return s
}

// pairLine words a pair of estimates: the four corners, and whether
// together they open or close the zone where neither does alone.
func pairLine(byPath map[string]analysis.Param, pr analysis.SensitivityPair) string {
	var zs []string
	for _, c := range pr.Corners {
		zs = append(zs, cornerText(c.Effect))
	}
	s := fmt.Sprintf("%s × %s: %s", paramName(byPath[pr.A]), paramName(byPath[pr.B]), strings.Join(zs, ", "))
	if pr.JointFlip {
		s += " — together they open or close the zone where neither does alone"
	}
	return s
}

// cornerText writes a pair's corner: the zone, and for an empty one the
// largest zone a single relaxation would open, in brackets.
func cornerText(e analysis.Effect) string {
	s := zoneShort(e)
	if e.ZoneEmpty && len(e.RelaxedSizes) > 0 {
		s += " [" + trimNum(relaxedMetric(e)) + "]"
	}
	return s
}

func zoneLowHigh(lo, hi analysis.Effect) string {
	return zoneShort(lo) + " / " + zoneShort(hi)
}

// effectText words one conclusion: the zone, and what blocks it or the
// Nash point.
func effectText(e analysis.Effect) string {
	if !e.ZoneEmpty {
		s := "zone of " + zoneShort(e) + " outcomes"
		if e.Nash != nil {
			s += fmt.Sprintf("; Nash point %s", utils(e.Nash.Utilities))
		}
		return s + "."
	}
	if len(e.Blockers) == 0 {
		return "zone empty; no single faction, red line or third party opens it."
	}
	var parts []string
	for _, k := range e.Blockers {
		parts = append(parts, fmt.Sprintf("%s (%s outcomes if relaxed)", blockerName(k), group(e.RelaxedSizes[k].String())))
	}
	return "zone empty; opened alone by " + strings.Join(parts, ", ") + "."
}

// blockerName writes a blocker key ("faction:Afghanistan/Kabul") for
// readers ("Kabul going along").
func blockerName(k string) string {
	kind, name, _ := strings.Cut(k, ":")
	switch kind {
	case analysis.BlockFaction:
		return name + " going along"
	case analysis.BlockRedLine:
		return "dropping " + name
	case analysis.BlockRole:
		return name + " consenting"
	}
	return k
}

// changeText words what a row changes, most telling first.
func changeText(base analysis.Effect, r analysis.SensitivityRow) string {
	var parts []string
	for _, at := range []struct {
		name string
		e    analysis.Effect
	}{{"low", r.AtLow}, {"high", r.AtHigh}} {
		e := at.e
		switch {
		case e.ZoneEmpty && !base.ZoneEmpty:
			parts = append(parts, "closes the zone at "+at.name)
		case !e.ZoneEmpty && base.ZoneEmpty:
			parts = append(parts, fmt.Sprintf("opens the zone at %s (%s)", at.name, outcomes(e.ZoneSize)))
		}
		if d := diff(base.Blockers, e.Blockers); d != "" && e.ZoneEmpty && base.ZoneEmpty {
			parts = append(parts, "at "+at.name+": "+d)
		}
	}
	if r.RelaxedDelta != 0 {
		if t := relaxedText(base, r); t != "" {
			parts = append(parts, t)
		}
	}
	// One move at both ends is said once; a Nash point that appears or
	// disappears with the zone is said with the zone.
	var ms []string
	at := map[string][]string{}
	for _, m := range r.NashMoves {
		if m.From == nil || m.To == nil {
			continue
		}
		k := fmt.Sprintf("%s %v→%v", m.Issue, m.From, m.To)
		if at[k] == nil {
			ms = append(ms, k)
		}
		at[k] = append(at[k], m.At)
	}
	for i, k := range ms {
		ms[i] = k + " (" + strings.Join(at[k], ", ") + ")"
	}
	if len(ms) > 0 {
		parts = append(parts, "Nash: "+strings.Join(ms, ", "))
	}
	if len(parts) == 0 && r.ZoneDelta != 0 {
		parts = append(parts, "the zone's size only")
	}
	return strings.Join(parts, "; ")
}

// diff words how a blocker list changes: "+dropping X, −Kabul going along".
func diff(from, to []string) string {
	in := func(xs []string, x string) bool {
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	}
	var parts []string
	for _, k := range to {
		if !in(from, k) {
			parts = append(parts, "+"+blockerName(k))
		}
	}
	for _, k := range from {
		if !in(to, k) {
			parts = append(parts, "−"+blockerName(k))
		}
	}
	return strings.Join(parts, ", ")
}

// relaxedText words the largest change of a relaxed zone's size.
func relaxedText(base analysis.Effect, r analysis.SensitivityRow) string {
	best, bestAt, bestK := -1.0, "", ""
	var from, to *big.Int
	for _, at := range []struct {
		name string
		e    analysis.Effect
	}{{"low", r.AtLow}, {"high", r.AtHigh}} {
		if !at.e.ZoneEmpty {
			continue
		}
		keys := map[string]bool{}
		for k := range at.e.RelaxedSizes {
			keys[k] = true
		}
		for k := range base.RelaxedSizes {
			keys[k] = true
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			a, b := base.RelaxedSizes[k], at.e.RelaxedSizes[k]
			if a == nil {
				a = new(big.Int)
			}
			if b == nil {
				b = new(big.Int)
			}
			d, _ := new(big.Float).SetInt(new(big.Int).Sub(b, a)).Float64()
			if math.Abs(d) > best {
				best, bestAt, bestK, from, to = math.Abs(d), at.name, k, a, b
			}
		}
	}
	if bestK == "" {
		return ""
	}
	return fmt.Sprintf("if %s: %s→%s outcomes (%s)", blockerName(bestK), group(from.String()), group(to.String()), bestAt)
}

// noEffectLines lists the estimates without effect, one line per
// principal: all of a principal's estimates, or which.
func noEffectLines(res *analysis.Sensitivity) []string {
	total := map[string]int{}
	count := func(q analysis.Param) string { return strings.TrimSuffix(paramName(q), ": "+q.What) }
	for _, r := range res.Rows {
		total[count(r.Param)]++
	}
	var order []string
	byWho := map[string][]string{}
	for _, q := range res.NoEffect {
		who := count(q)
		if _, ok := byWho[who]; !ok {
			order = append(order, who)
		}
		byWho[who] = append(byWho[who], q.What)
	}
	var out []string
	for _, who := range order {
		ws := byWho[who]
		if total[who] == 0 {
			out = append(out, fmt.Sprintf("%s: all %d of its estimates", who, len(ws)))
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s", who, strings.Join(ws, ", ")))
	}
	return out
}

// ---------------------------------------------------------------------------
// HTML: a tornado chart of the zone's size at both ends of each estimate,
// and the ranked table.

type sensitivityView struct {
	Intro    string
	Base     string
	Rows     []sensRowView
	Chart    template.HTML
	NoEffect []string
	Pairs    []string
	Metric   string
}

type sensRowView struct {
	Rank                   int
	Name, Range, Zone, Why string
	Assumption             bool
}

// MaxTornadoBars is how many estimates the HTML tornado chart shows.
const MaxTornadoBars = 15

func hsensitivityView(res *analysis.Sensitivity) *sensitivityView {
	v := &sensitivityView{
		Intro: fmt.Sprintf("Each of %d estimates was moved to both ends of its range (or ±%.2f where it has none), one at a time, then the top ones in pairs: %d analyses.", len(res.Rows)+len(res.NoEffect), res.Step, res.Probes),
		Base:  effectText(res.Base),
	}
	for i, r := range res.Rows {
		v.Rows = append(v.Rows, sensRowView{Rank: i + 1, Name: paramName(r.Param), Range: rangeText(r.Param), Zone: zoneLowHigh(r.AtLow, r.AtHigh), Why: changeText(res.Base, r), Assumption: r.Assumption})
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
func tornado(res *analysis.Sensitivity) (template.HTML, string) {
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
		return "", metricName
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
	const labelW, plotW, rowH, top = 300.0, 420.0, 22.0, 28.0
	width := labelW + plotW + 20
	height := top + rowH*float64(len(rows)) + 30
	x := func(v float64) float64 { return labelW + (v-lo)/(hi-lo)*plotW }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="tornado" xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-label="tornado chart: %s">`, hcoord(width), hcoord(height), hcoord(width), hcoord(height), template.HTMLEscapeString(metricName))
	fmt.Fprintf(&b, `<text class="axis-title" x="%s" y="14">%s</text>`, hcoord(labelW), template.HTMLEscapeString(metricName))
	for i, r := range rows {
		y := top + rowH*float64(i)
		a, c := metric(r.AtLow), metric(r.AtHigh)
		x0, x1 := x(math.Min(a, c)), x(math.Max(a, c))
		if x1-x0 < 2 {
			x0, x1 = x0-1, x0+1
		}
		fmt.Fprintf(&b, `<text class="tlabel" x="%s" y="%s" text-anchor="end">%s</text>`, hcoord(labelW-8), hcoord(y+14), template.HTMLEscapeString(paramName(r.Param)))
		fmt.Fprintf(&b, `<rect class="tbar-low" x="%s" y="%s" width="%s" height="14"><title>%s</title></rect>`,
			hcoord(x0), hcoord(y+3), hcoord(x1-x0), template.HTMLEscapeString(fmt.Sprintf("%s: %s at %s, %s at %s", paramName(r.Param), trimNum(a), trimNum(r.Low), trimNum(c), trimNum(r.High))))
		fmt.Fprintf(&b, `<text class="tend" x="%s" y="%s">%s</text>`, hcoord(x(a)), hcoord(y+2), "L")
		fmt.Fprintf(&b, `<text class="tend" x="%s" y="%s">%s</text>`, hcoord(x(c)), hcoord(y+2), "H")
	}
	bx := x(base)
	fmt.Fprintf(&b, `<line class="tbase" x1="%s" y1="%s" x2="%s" y2="%s"/>`, hcoord(bx), hcoord(top-4), hcoord(bx), hcoord(height-24))
	fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="middle">base %s</text>`, hcoord(bx), hcoord(height-10), trimNum(base))
	fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="start">%s</text>`, hcoord(labelW), hcoord(height-10), trimNum(lo))
	fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="end">%s</text>`, hcoord(labelW+plotW), hcoord(height-10), trimNum(hi))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()), metricName
}

func zoneMetric(e analysis.Effect) float64 {
	if e.ZoneSize == nil {
		return 0
	}
	f, _ := new(big.Float).SetInt(e.ZoneSize).Float64()
	return f
}

// closeness is the zone's size, or for an empty zone the largest zone one
// relaxation would open.
func closeness(e analysis.Effect) float64 {
	if !e.ZoneEmpty {
		return zoneMetric(e)
	}
	return relaxedMetric(e)
}

func outcomes(n *big.Int) string {
	if n.Cmp(big.NewInt(1)) == 0 {
		return "1 outcome"
	}
	return group(n.String()) + " outcomes"
}

func relaxedMetric(e analysis.Effect) float64 {
	m := 0.0
	for _, n := range e.RelaxedSizes {
		f, _ := new(big.Float).SetInt(n).Float64()
		m = math.Max(m, f)
	}
	return m
}

// SensitivityHTMLTemplate is the HTML section of a sensitivity analysis;
// it is part of the analysis report's template.
const sensitivityHTMLTemplate = `{{define "sensitivity"}}<h2>Sensitivity: which estimates matter</h2>
<p>{{.Intro}}</p>
<p>Base: {{.Base}}</p>
{{if .Chart}}<p class="note">Tornado chart: each bar runs from the {{.Metric}} with the estimate at the low end of its range (L) to the value at its high end (H); the line marks the base.</p>
<div class="plotwrap">{{.Chart}}</div>{{end}}
{{if .Rows}}<table>
<tr><th>Rank</th><th>Estimate</th><th>Range</th><th>Zone low / high</th><th>What changes</th></tr>
{{range .Rows}}<tr><td class="num">{{.Rank}}</td><td>{{.Name}}{{if .Assumption}} <span class="tag">assumption</span>{{end}}</td><td class="num">{{.Range}}</td><td class="num">{{.Zone}}</td><td>{{.Why}}</td></tr>
{{end}}</table>{{else}}<p>No estimate changes the zone, what blocks it or the Nash point across its range.</p>{{end}}
{{if .NoEffect}}<h3>Estimates that change nothing across their range</h3><ul>{{range .NoEffect}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Pairs}}<h3>Top estimates in pairs</h3><p class="note">Zone at low/low, low/high, high/low, high/high; for an empty zone, in brackets, the largest zone one relaxation would open.</p><ul>{{range .Pairs}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{end}}`

package report

import (
	"fmt"
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

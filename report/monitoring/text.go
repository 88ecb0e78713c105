// Package monitoring renders an accord's monitoring for people: the
// status and the full compliance report as plain text, the same report as
// a self-contained HTML page with a timeline (inline SVG, no external
// assets), and the comparison of mechanisms from package mechsim.
package monitoring

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/compliance"
	"github.com/parleyhq/parley/mechsim"
	"github.com/parleyhq/parley/verify"
)

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

var statusMark = map[compliance.Status]string{
	compliance.Met: "✓", compliance.Pending: "·", compliance.Disputed: "?", compliance.Missed: "✗", compliance.Suspended: "‖",
}

// Mechanism describes an accord's verification mechanism in two lines.
func Mechanism(m parley.Mechanism) (investigate, rule string) {
	iv := m.Investigate
	investigate = "by " + strings.Join(iv.By, " or ")
	var det []string
	if iv.Chair != "" {
		det = append(det, "chaired by "+iv.Chair+", who decides a split")
	}
	if iv.OpenWithin > 0 {
		det = append(det, fmt.Sprintf("opened within %d days", iv.OpenWithin))
	}
	if iv.ReportWithin > 0 {
		det = append(det, fmt.Sprintf("finding within %d days", iv.ReportWithin))
	}
	if iv.EscalateTo != "" {
		det = append(det, "an overdue step goes to "+iv.EscalateTo)
	}
	if len(det) > 0 {
		investigate += " (" + strings.Join(det, "; ") + ")"
	}
	investigate += " — " + from(m.InvestigateFrom, "no monitoring clause: each party investigates for itself")
	r := m.Rule
	switch r.By {
	case parley.BodyJoint:
		rule = "by every party jointly"
		if r.Casting != "" {
			rule += ", " + r.Casting + " casting a split"
		}
	case parley.BodyConsensus:
		rule = "by consensus of the parties, no casting vote"
	default:
		rule = "by " + r.By + " alone"
		if len(r.Dissent) > 0 {
			rule += "; " + strings.Join(r.Dissent, ", ") + " may file a dissent"
		}
	}
	if r.Within > 0 {
		rule += fmt.Sprintf(" (within %d days of the finding", r.Within)
		if r.EscalateTo != "" {
			rule += "; overdue rulings go to " + r.EscalateTo
		}
		rule += ")"
	}
	rule += " — " + from(m.RuleFrom, "attribution not addressed: nobody may rule alone")
	return investigate, rule
}

func from(clause, none string) string {
	if clause == "" {
		return none
	}
	return clause
}

// Status writes the short status: the mechanism, the commitments with
// their status and reason, the open cases and the register's size.
func Status(w io.Writer, r *compliance.Report) error {
	p := &printer{w: w}
	head(p, r)
	commitments(p, r)
	cases(p, r, true)
	p.f("\nIncidents: %d in the register (%d before signature), %d alleged\n", r.Incidents.Total, r.Incidents.BeforeSignature, alleged(r))
	return p.err
}

func head(p *printer, r *compliance.Report) {
	name := r.Scenario
	if r.Variant != "" {
		name += " (" + r.Variant + ")"
	}
	p.f("Agreement %s, signed %s; as of %s (day %d)\n", name, r.Signed, r.AsOf, r.AsOfDay)
	iv, ru := Mechanism(r.Mechanism)
	p.f("Investigation %s\nRuling %s\n", iv, ru)
}

func alleged(r *compliance.Report) int {
	n := 0
	for k, v := range r.Incidents.ByCategory {
		if k != compliance.CatNotAlleged {
			n += v
		}
	}
	return n
}

func commitments(p *printer, r *compliance.Report) {
	var counts []string
	for _, s := range []compliance.Status{compliance.Met, compliance.Missed, compliance.Disputed, compliance.Pending, compliance.Suspended} {
		if n := r.Counts[s.String()]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, s))
		}
	}
	p.f("\nCommitments (%d): %s\n", len(r.Commitments), strings.Join(counts, ", "))
	width := 0
	for _, c := range r.Commitments {
		width = max(width, len(c.ID))
	}
	for _, c := range r.Commitments {
		p.f("  %s %-9s %-*s  %s → %s, %s: %s\n", statusMark[c.Status], c.Status, width, c.ID, strings.Join(c.By, "+"), orNone(c.To), c.Due, c.Why)
	}
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "—"
	}
	return strings.Join(xs, "+")
}

func cases(p *printer, r *compliance.Report, openOnly bool) {
	open := 0
	for _, c := range r.Cases {
		if c.Ruling == "" {
			open++
		}
	}
	p.f("\nCases: %d (%d open)\n", len(r.Cases), open)
	for _, c := range r.Cases {
		if openOnly && c.Ruling != "" && !c.Disputed {
			continue
		}
		p.f("  %-8s %s v %s over %s: %s\n", c.ID, c.By, c.Accused, strings.Join(c.Commitments, ","), caseState(c))
	}
}

func caseState(c compliance.CaseRow) string {
	var s string
	switch {
	case c.Ruling != "":
		s = fmt.Sprintf("ruled %s by %s on %s, %d days after the allegation", c.Ruling, c.RuledBy, c.Ruled, *c.DaysToRuling)
	case c.Finding != "":
		s = fmt.Sprintf("finding %s (%s), awaiting the ruling", c.Finding, c.FoundBy)
	case c.Body != "":
		s = "under investigation by " + c.Body
	default:
		s = "alleged on " + c.Filed + ", no investigation yet"
	}
	if c.Deadline != "" && c.Ruling == "" {
		s += "; next step due " + c.Deadline
	}
	if len(c.Overdue) > 0 {
		s += "; overdue: " + strings.Join(c.Overdue, ", ")
	}
	switch {
	case c.Deadlocked:
		s += " — deadlocked"
	case len(c.Dissents) > 0:
		s += " — dissent by " + strings.Join(c.Dissents, ", ")
	case len(c.CastOver) > 0:
		s += " — cast over " + strings.Join(c.CastOver, ", ")
	}
	return s
}

// Text writes the full compliance report: the status, every case, the
// incidents per week by attribution, the time to ruling and the log.
func Text(w io.Writer, r *compliance.Report, seats []string) error {
	p := &printer{w: w}
	head(p, r)
	commitments(p, r)
	for _, c := range r.Commitments {
		for _, in := range c.Instances {
			if len(c.Instances) > 1 {
				p.f("      %s #%d due %s: %s\n", c.ID, in.N, in.Due, in.Status)
			}
		}
	}
	cases(p, r, false)
	p.f("\nTime to ruling: ")
	if d := r.TimeToRuling; d.N == 0 {
		p.f("no ruling yet\n")
	} else {
		p.f("%d ruling(s), mean %.1f days, median %.1f, longest %d", d.N, d.Mean, d.Median, d.Max)
		var ks []string
		for k := range d.ByRuler {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			p.f("; %s %.1f", k, d.ByRuler[k])
		}
		p.f("\n")
	}
	st := r.Incidents
	p.f("\nIncidents per week by attribution (%d in all, %d before signature)\n", st.Total, st.BeforeSignature)
	if len(st.Weeks) > 0 {
		var cats []string
		for _, c := range st.Categories {
			if st.ByCategory[c] > 0 {
				cats = append(cats, c)
			}
		}
		p.f("  %-9s %-10s", "week", "monday")
		for _, c := range cats {
			p.f(" %*s", max(len(c), 3), c)
		}
		p.f("\n")
		for _, wk := range st.Weeks {
			p.f("  %-9s %-10s", wk.Week, wk.Monday)
			for _, c := range cats {
				p.f(" %*d", max(len(c), 3), wk.Counts[c])
			}
			p.f("\n")
		}
	}
	p.f("\nVerification log (%d events)\n", len(r.Events))
	for _, ev := range r.Events {
		p.f("  %s\n", verify.Format(ev, seats))
	}
	return p.err
}

// Simulation writes the comparison of mechanisms side by side, then the
// assumptions each rests on.
func Simulation(w io.Writer, res []mechsim.Result) error {
	p := &printer{w: w}
	if len(res) == 0 {
		return nil
	}
	p.f("Monte Carlo of the first %d days after signature, %d runs per mechanism (common random numbers)\n\n", res[0].Days, res[0].Runs)
	const lw, cw = 42, 24
	row := func(label string, cell func(r mechsim.Result) string) {
		p.f("%-*s", lw, label)
		for _, r := range res {
			p.f(" %*s", cw, cell(r))
		}
		p.f("\n")
	}
	custom := false
	for _, r := range res {
		custom = custom || r.Name != mechsim.Name(nil) && r.Name != r.Monitoring+", "+r.Attribution
	}
	if custom {
		row("mechanism", func(r mechsim.Result) string { return clip(r.Name, cw) })
	}
	row("monitoring", func(r mechsim.Result) string { return clip(option(r.Monitoring), cw) })
	row("attribution", func(r mechsim.Result) string { return clip(option(r.Attribution), cw) })
	num := func(f func(r mechsim.Result) float64) func(r mechsim.Result) string {
		return func(r mechsim.Result) string { return fmt.Sprintf("%.2f", f(r)) }
	}
	row("P(ceasefire holds) [95% CI]", func(r mechsim.Result) string {
		return fmt.Sprintf("%.3f [%.3f, %.3f]", r.PHolds, r.CI95[0], r.CI95[1])
	})
	row("incidents alleged", num(func(r mechsim.Result) float64 { return r.Incidents }))
	row("  true violations", num(func(r mechsim.Result) float64 { return r.Violations }))
	row("  detected violations", num(func(r mechsim.Result) float64 { return r.Detected }))
	row("rulings within the horizon", num(func(r mechsim.Result) float64 { return r.Rulings }))
	row("  attributed breaches", num(func(r mechsim.Result) float64 { return r.Attributed }))
	row("  false attributions", num(func(r mechsim.Result) float64 { return r.FalseAttributions }))
	row("  attributions without a finding (true)", num(func(r mechsim.Result) float64 { return r.Unsupported }))
	row("  disputed rulings", num(func(r mechsim.Result) float64 { return r.Disputed }))
	row("responses by force", num(func(r mechsim.Result) float64 { return r.Responses }))
	row("days from incident to ruling", num(func(r mechsim.Result) float64 { return r.DaysToRuling }))
	for _, id := range obligationIDs(res) {
		row(clip("obligation "+id, lw), func(r mechsim.Result) string {
			for _, o := range r.Obligations {
				if o.ID == id {
					return fmt.Sprintf("%.2f of %.2f missed", o.Missed, o.Instances)
				}
			}
			return "-"
		})
	}
	p.f("\nExpected values per run. P(ceasefire holds): share of runs in which no side answers a ruling by force.\n")
	for _, r := range res {
		p.f("\nAssumptions of %s:\n", r.Name)
		for _, a := range r.Assumptions {
			rng := ""
			if a.Low != a.High {
				rng = fmt.Sprintf(" [%g, %g]", a.Low, a.High)
			}
			p.f("  %-88s %g%s %s\n", a.What, a.Value, rng, cites(a.Sources))
		}
	}
	return p.err
}

// option returns the option of an "issue=option" clause.
func option(clause string) string {
	if _, o, ok := strings.Cut(clause, "="); ok {
		return o
	}
	return clause
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func cites(cs []parley.Cite) string {
	if len(cs) == 0 {
		return ""
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.Source)
	}
	return "(" + strings.Join(ids, ", ") + ")"
}

// obligationIDs lists the obligations simulated in any result, in order of
// first appearance.
func obligationIDs(res []mechsim.Result) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range res {
		for _, o := range r.Obligations {
			if !seen[o.ID] {
				seen[o.ID] = true
				out = append(out, o.ID)
			}
		}
	}
	return out
}

package report

// This file is the text report of an analysis: one that reads in a minute.

import (
	"fmt"
	"io"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
)

// VariantRow is one line of the variant comparison: a variant's name,
// description and its report.
type VariantRow struct {
	Name        string
	Description string
	Report      *analysis.Report
}

// Text writes the plain-text report of rep, computed on m. When variants is
// non-empty it ends with a comparison across them.
func Text(w io.Writer, rep *analysis.Report, m *parley.Model, variants []VariantRow) error {
	p := &printer{w: w}
	p.header(rep)
	p.parties(rep)
	p.f("\nIssues\n")
	for _, is := range rep.Issues {
		p.f("  %-18s %s\n", is.Name, strings.Join(is.Options, " | "))
	}
	p.zone(rep, m)
	exact := "exact"
	if !rep.ParetoExact {
		exact = "bounded, not exact"
	}
	p.f("\nPareto frontier: %d distinct utility vectors (%s; %s).\n", len(rep.Pareto), exact, rep.ParetoMethod)
	p.discount(rep)
	if len(rep.TradeHints) > 0 {
		p.f("\nTrade hints (logrolling candidates)\n")
		for _, t := range rep.TradeHints {
			p.f("  %s cares relatively more about %s (%.0f%% vs %.0f%%), %s about %s (%.0f%% vs %.0f%%)\n",
				t.Parties[0], t.Issues[0], 100*t.Weight[0][0], 100*t.Weight[1][0],
				t.Parties[1], t.Issues[1], 100*t.Weight[1][1], 100*t.Weight[0][1])
		}
	}
	if len(variants) > 0 {
		p.variants(variants)
	}
	if len(rep.Assumptions) > 0 || rep.AssumedEstimates > 0 {
		p.f("\nAssumptions no source states\n")
		for _, a := range rep.Assumptions {
			p.f("  - %s\n", Assumption(a))
		}
		if rep.AssumedEstimates > 0 {
			p.f("  - %d estimates are labelled assumptions (parley analyze --sensitivity shows which ones matter).\n", rep.AssumedEstimates)
		}
	}
	if notes := Notes(rep); len(notes) > 0 {
		p.f("\nNotes\n")
		for _, n := range notes {
			p.f("  - %s\n", n)
		}
	}
	return p.err
}

// header writes the underlined title, the account lines and the size of
// the outcome space.
func (p *printer) header(rep *analysis.Report) {
	title := rep.Scenario
	if rep.Title != "" && rep.Title != rep.Scenario {
		title += " — " + rep.Title
	}
	if rep.Variant != "" {
		title += fmt.Sprintf(" [variant %s]", rep.Variant)
	}
	p.f("%s\n%s\n", title, strings.Repeat("=", len([]rune(title))))
	for _, l := range AccountLines(rep.Account) {
		p.f("%s\n", l)
	}
	p.f("%s outcomes over %d issues; %d parties.\n\n", group(rep.Outcomes.String()), len(rep.Issues), len(rep.Parties))
}

// parties writes each party (a delegation with its factions) and the other
// roles with what is known of their consent.
func (p *printer) parties(rep *analysis.Report) {
	p.f("Parties\n")
	for _, pt := range rep.Parties {
		if len(pt.Factions) == 0 {
			p.f("  %-22s reservation %.2f%s\n", pt.Name, pt.Reservation, redLines(pt.RedLines))
			continue
		}
		p.f("  %-22s delegation, ratification: %s\n", pt.Name, pt.Rule)
		for _, f := range pt.Factions {
			p.f("    %-20s weight %.2f, reservation %.2f%s\n", f.Name, f.Weight, f.Reservation, redLines(f.RedLines))
		}
	}
	if len(rep.Roles) > 0 {
		var parts []string
		for _, r := range rep.Roles {
			s := r.Name + " (" + r.Kind
			switch {
			case r.ConsentProbability != nil:
				s += fmt.Sprintf(", whether it would sign is unknown: chance %.2f assumed", *r.ConsentProbability)
			case r.Consents != nil && !*r.Consents:
				s += ", has not agreed to sign"
			case r.Consents != nil:
				s += ", agrees to sign"
			}
			parts = append(parts, s+")")
		}
		p.f("  Others: %s\n", strings.Join(parts, ", "))
	}
}

// zone writes the zone of agreement: why it is empty and what blocks it,
// or its size, the assumptions it rests on and the bargaining solutions.
func (p *printer) zone(rep *analysis.Report, m *parley.Model) {
	p.f("\nZone of agreement: ")
	z := rep.Zone
	if z.Empty {
		p.f("EMPTY — no feasible outcome is acceptable to every party.\n")
		for _, s := range Why(rep) {
			p.f("  - %s\n", s)
		}
		p.blocking(rep, m)
		return
	}
	approx := ""
	if !z.Exact {
		approx = fmt.Sprintf(" at least (estimate %.3g)", z.Estimate)
	}
	p.f("%s%s outcomes acceptable to every party.\n", group(z.Size.String()), approx)
	for _, a := range z.RestsOn {
		p.f("  (%s)\n", Assumption(a))
	}
	p.f("\nBargaining solutions (over the zone)\n")
	p.solution("Nash", rep.Nash, rep, m, true)
	p.solution("Kalai–Smorodinsky", rep.KalaiSmorodinsky, rep, m, !same(rep.KalaiSmorodinsky, rep.Nash))
	p.solution("Max welfare", rep.MaxWelfare, rep, m, false)
	p.solution("Egalitarian", rep.Egalitarian, rep, m, false)
}

// variants writes the comparison table of the variants (zone, Nash
// utilities, what blocks or opens the zone), then each variant's kind,
// sources and description.
func (p *printer) variants(variants []VariantRow) {
	p.f("\nVariants compared\n")
	p.f("  %-20s %-16s %-22s %s\n", "variant", "zone", "Nash utilities", "what blocks / opens it")
	for _, v := range variants {
		r := v.Report
		zone := "empty"
		if !r.Zone.Empty {
			zone = group(r.Zone.Size.String()) + " outcomes"
		}
		nash := "—"
		if r.Nash != nil {
			nash = utils(r.Nash.Utilities)
		}
		p.f("  %-20s %-16s %-22s %s\n", v.Name, zone, nash, blockers(r))
	}
	for _, v := range variants {
		a := v.Report.Account
		kind := "account"
		if a.Assumption != "" {
			kind = "what-if"
		}
		if a.Extends != "" {
			kind += " within " + a.Extends
		}
		if a.Prior != nil {
			kind += fmt.Sprintf(", prior %.2f", *a.Prior)
		}
		p.f("  %s (%s; %s): %s\n", v.Name, kind, Sources(a), oneLine(v.Description))
	}
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format, args...)
}

// discount words how discounting shrinks the zone (analysis.Discount).
func (p *printer) discount(rep *analysis.Report) {
	d := rep.Discount
	if d == nil {
		return
	}
	var fs []string
	for i, f := range d.Factors {
		if f < 1 {
			fs = append(fs, fmt.Sprintf("%s %.4g", rep.Parties[i].Name, f))
		}
	}
	p.f("\nDiscounting (%s): an agreement at relative time t is worth u·d^t, so the zone shrinks as time passes.\n", strings.Join(fs, ", "))
	switch c := d.ClosesAt; {
	case rep.Zone.Empty:
		p.f("  The zone is empty from the start.\n")
	case c == nil:
		p.f("  It never closes: no party that discounts has a positive reservation value.\n")
	case *c > 1:
		p.f("  It outlasts the negotiation: at the deadline some outcome still beats every reservation value (it would close at t = %.3g).\n", *c)
	default:
		p.f("  After t = %.3g no outcome beats every party's reservation value: agreeing later is worse for someone than never negotiating.\n", *c)
	}
	if !rep.Zone.Empty {
		var at []string
		for _, z := range d.Shrink {
			at = append(at, fmt.Sprintf("t=%g: %d", z.T, z.FrontierPoints))
		}
		p.f("  Frontier points of the zone still open: %s.\n", strings.Join(at, ", "))
	}
	if !d.Exact {
		p.f("  (Judged by each delegation's mean utility and discount factor, or over a bounded frontier: not exact.)\n")
	}
}

func (p *printer) blocking(rep *analysis.Report, m *parley.Model) {
	if len(rep.Blocking) == 0 {
		return
	}
	p.f("\nWho blocks and what it would take\n")
	p.f("  %-10s %-40s %-7s %s\n", "kind", "who", "opens?", "reservation change that opens it")
	for _, b := range rep.Blocking {
		who := b.Principal
		switch b.Kind {
		case "red_line":
			who = holderNames(b.Holders) + ": " + b.RedLine
		case "role":
			who = b.Role + " consents"
			if b.Consent == analysis.ConsentUncertain {
				who = b.Role + " consents (uncertain)"
			}
		case "faction":
			who = b.Party + "/" + b.Principal + " goes along"
		}
		opens := "no"
		if b.OpensZone {
			opens = "yes"
		}
		ch := ""
		if b.Kind == "faction" || b.Kind == "party" {
			ch = "none opens it alone"
			if b.ReservationChange != nil {
				ch = fmt.Sprintf("%+.3f", *b.ReservationChange)
			}
			if b.Kind == "party" {
				opens = "—"
			}
		}
		p.f("  %-10s %-40s %-7s %s\n", b.Kind, who, opens, strings.TrimSpace(ch+tags(b.RestsOn)))
	}
	// The Nash point of the first relaxation that opens the zone shows what
	// a deal would look like.
	for _, b := range rep.Blocking {
		if b.Nash == nil {
			continue
		}
		what := ""
		switch b.Kind {
		case "faction":
			what = fmt.Sprintf("if %s went along", b.Principal)
		case "red_line":
			what = fmt.Sprintf("without %s's red line %q", holderNames(b.Holders), b.RedLine)
		case "role":
			what = fmt.Sprintf("if %s consented", b.Role)
		}
		p.f("\nNash point %s:\n", what)
		p.solution("Nash", b.Nash, rep, m, true)
		break
	}
}

func (p *printer) solution(name string, s *analysis.Solution, rep *analysis.Report, m *parley.Model, clauses bool) {
	if s == nil {
		p.f("  %-18s none\n", name)
		return
	}
	p.f("  %-18s %s\n", name, labelled(rep, s.Utilities))
	if !clauses {
		return
	}
	for _, c := range Clauses(m, s.Raw()) {
		p.f("      • %s\n", c)
	}
}

// Clauses writes an outcome as clause texts, skipping issues left at a
// "not addressed" option whose clause is empty.
func Clauses(m *parley.Model, o parley.Outcome) []string {
	var out []string
	for i, k := range o {
		is := &m.Scenario.Issues[i]
		opt := is.Options[k]
		switch {
		case opt.Clause != "" && opt.Clause != opt.Label:
			out = append(out, opt.Clause)
		case opt.NotAddressed:
			continue
		default:
			out = append(out, is.Name+": "+opt.Label)
		}
	}
	return out
}

func labelled(rep *analysis.Report, us []float64) string {
	var parts []string
	for i, u := range us {
		parts = append(parts, fmt.Sprintf("%s %.3f", rep.Parties[i].Name, u))
	}
	return strings.Join(parts, ", ")
}

func utils(us []float64) string {
	var parts []string
	for _, u := range us {
		parts = append(parts, fmt.Sprintf("%.3f", u))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func same(a, b *analysis.Solution) bool {
	if a == nil || b == nil {
		return a == b
	}
	for i := range a.Utilities {
		if a.Utilities[i] != b.Utilities[i] {
			return false
		}
	}
	return true
}

func blockers(r *analysis.Report) string {
	if !r.Zone.Empty {
		return "open"
	}
	var parts []string
	res := false
	for _, b := range r.Blocking {
		res = res || b.ReservationChange != nil
		if !b.OpensZone {
			continue
		}
		switch b.Kind {
		case "faction":
			parts = append(parts, b.Principal+" (faction)"+tags(b.RestsOn))
		case "red_line":
			parts = append(parts, holderNames(b.Holders)+"'s "+b.RedLine+tags(b.RestsOn))
		case "role":
			c := " consent"
			if b.Consent == analysis.ConsentUncertain {
				c = " consent (uncertain)"
			}
			parts = append(parts, b.Role+c)
		}
	}
	switch {
	case len(parts) > 0:
		return strings.Join(parts, "; ")
	case res:
		return "reservation values only"
	}
	return "nothing opens it alone"
}

// holderNames writes the holders of a red line compactly: "Kabul",
// "Kandahar+Kabul".
func holderNames(hs []analysis.Holder) string {
	var ns []string
	for _, h := range hs {
		ns = append(ns, h.Principal)
	}
	return strings.Join(ns, "+")
}

func redLines(rl []string) string {
	if len(rl) == 0 {
		return ""
	}
	return ", red lines: " + strings.Join(rl, ", ")
}

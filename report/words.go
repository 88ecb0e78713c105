package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
)

// This file words what package analysis returns as data: why a zone is
// empty, the caveats of an analysis, whose account a result shows, and the
// assumptions a result rests on. The text and HTML reports and the JSON
// (through Word) share these sentences.

// Word fills the worded fields of an analysis report — Zone.Why and Notes —
// from its data, so that JSON output carries the sentences the text report
// shows. It is idempotent.
func Word(rep *analysis.Report) {
	rep.Zone.Why = Why(rep)
	rep.Notes = Notes(rep)
}

// Why explains an empty zone in sentences: every relaxation that opens it
// alone (with the assumptions it rests on), then the reservation changes
// that would; nil for an open zone or when blocking was skipped.
func Why(rep *analysis.Report) []string {
	if !rep.Zone.Empty || len(rep.Blocking) == 0 {
		return nil
	}
	var out []string
	opened := false
	for _, b := range rep.Blocking {
		if !b.OpensZone || b.Kind == analysis.BlockParty {
			continue
		}
		opened = true
		var s string
		switch b.Kind {
		case analysis.BlockFaction:
			s = fmt.Sprintf("%s's faction %s blocks: if it went along, %s outcomes would be acceptable to all.", b.Party, b.Principal, b.ZoneSize)
		case analysis.BlockRedLine:
			if len(b.Holders) > 1 {
				s = fmt.Sprintf("The red line %q, held by %s, blocks: if they all dropped it, %s outcomes would be acceptable to all.", b.RedLine, holders(b.Holders), b.ZoneSize)
			} else {
				s = fmt.Sprintf("%s's red line %q blocks: without it, %s outcomes would be acceptable to all.", b.Principal, b.RedLine, b.ZoneSize)
			}
		case analysis.BlockRole:
			if b.Consent == analysis.ConsentUncertain {
				s = fmt.Sprintf("%s's consent is uncertain and not counted on: if it signed, %s outcomes would be acceptable to all.", b.Role, b.ZoneSize)
			} else {
				s = fmt.Sprintf("%s's consent is missing: outcomes that need it are infeasible; with it, %s outcomes would be acceptable to all.", b.Role, b.ZoneSize)
			}
		}
		out = append(out, strings.TrimSuffix(s, ".")+restsOn(b.RestsOn)+".")
	}
	var res []string
	for _, b := range rep.Blocking {
		if b.ReservationChange != nil && (b.Kind == analysis.BlockParty || b.Kind == analysis.BlockFaction) {
			res = append(res, fmt.Sprintf("%s would have to lower its reservation value by %.3f", b.Principal, -*b.ReservationChange)+restsOn(reservationOnly(b.RestsOn))+".")
		}
	}
	switch {
	case !opened && len(res) == 0:
		out = append(out, "No single faction, red line, third party or reservation value opens the zone: the parties' demands are incompatible on several counts at once.")
	case !opened:
		out = append(out, "No faction, red line or third party blocks on its own: the reservation values leave no overlap.")
	}
	return append(out, res...)
}

func reservationOnly(as []parley.Assumption) []parley.Assumption {
	var out []parley.Assumption
	for _, a := range as {
		if a.Kind == parley.AssumedEstimate {
			out = append(out, a)
		}
	}
	return out
}

// holders writes the holders of a shared red line: "Kandahar and Kabul
// (Afghanistan)", or with several parties "Pakistan and Afghanistan/Kabul".
func holders(hs []analysis.Holder) string {
	parties := map[string]bool{}
	for _, h := range hs {
		parties[h.Party] = true
	}
	var names []string
	for _, h := range hs {
		switch {
		case len(parties) == 1:
			names = append(names, h.Principal)
		case h.Party == h.Principal:
			names = append(names, h.Party)
		default:
			names = append(names, h.Party+"/"+h.Principal)
		}
	}
	s := andList(names)
	if len(parties) == 1 && hs[0].Party != hs[0].Principal {
		s += " (" + hs[0].Party + ")"
	}
	return s
}

func andList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// restsOn words the assumptions a result rests on, to follow it: " (rests
// on assumptions: ...)", or "" when there are none.
func restsOn(as []parley.Assumption) string {
	if len(as) == 0 {
		return ""
	}
	var parts []string
	for _, a := range as {
		parts = append(parts, Assumption(a))
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// Assumption words one assumption with its reason: "under the assumed
// leader_veto rule of Afghanistan — no report says how the centres decide".
func Assumption(a parley.Assumption) string {
	why := lowerFirst(strings.TrimSuffix(oneLine(a.Reason), "."))
	switch a.Kind {
	case parley.AssumedRule:
		return fmt.Sprintf("under the assumed %s rule of %s; %s", ruleName(a.Name), a.Party, why)
	case parley.AssumedConsent:
		return fmt.Sprintf("%s's consent is uncertain; %s", a.Name, why)
	case parley.AssumedRedLine:
		return fmt.Sprintf("red line %s is partly assumed; %s", a.Name, why)
	case parley.AssumedRole:
		return fmt.Sprintf("%s's role is assumed; %s", a.Name, why)
	case parley.AssumedVariant:
		return fmt.Sprintf("what-if %s; %s", a.Name, why)
	case parley.AssumedSimulation:
		who := a.Party
		if a.Principal != "" {
			who += "/" + a.Principal
		}
		if who == "" {
			return "simulation set-up assumed; " + why
		}
		return fmt.Sprintf("%s's agent %s is assumed; %s", who, a.Name, why)
	}
	who := a.Principal
	if who == "" {
		who = a.Party
	}
	return fmt.Sprintf("%s's %s is assumed; %s", who, a.Name, why)
}

// ruleName writes a rule kind for readers.
func ruleName(kind string) string {
	switch kind {
	case "leader_veto":
		return "leader-plus-veto"
	case "weighted_quota":
		return "weighted-quota"
	}
	return kind
}

// lowerFirst lower-cases the first letter of a sentence that goes after a
// semicolon, unless it starts an acronym or a name in capitals ("US").
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && r[0] >= 'A' && r[0] <= 'Z' && r[1] >= 'a' && r[1] <= 'z' {
		w := strings.Fields(s)[0]
		switch w {
		case "No", "The", "It", "Its", "A", "An", "Each", "Every", "Not", "Nothing", "Here", "This", "How", "Whether", "Outside", "Only", "Applied", "Named", "Kept", "Set":
			r[0] += 'a' - 'A'
		}
	}
	return string(r)
}

// tag is a short label of an assumption for tables.
func tag(a parley.Assumption) string {
	switch a.Kind {
	case parley.AssumedRule:
		return "assumed rule"
	case parley.AssumedConsent:
		return "consent uncertain"
	case parley.AssumedRedLine:
		return "assumed red line"
	case parley.AssumedRole:
		return "assumed role"
	case parley.AssumedVariant:
		return "what-if"
	case parley.AssumedSimulation:
		return "assumed tactic"
	}
	return "assumed " + a.Name
}

// tags writes the short labels of a result's assumptions: " [assumed
// rule; consent uncertain]", or "".
func tags(as []parley.Assumption) string {
	seen := map[string]bool{}
	var ts []string
	for _, a := range as {
		t := tag(a)
		if !seen[t] {
			seen[t] = true
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return ""
	}
	return " [" + strings.Join(ts, "; ") + "]"
}

// Notes words the caveats of an analysis.
func Notes(rep *analysis.Report) []string {
	var out []string
	for _, c := range rep.Caveats {
		switch c.Kind {
		case analysis.CaveatParetoBounded:
			gap := ""
			if rep.ParetoGap != nil {
				gap = fmt.Sprintf(" No outcome beats them by more than %.3g in every party's utility (the gap bound).", *rep.ParetoGap)
			}
			out = append(out, fmt.Sprintf("The Pareto frontier is bounded, not exact: the search ran out of its budget of %d nodes (raise it with --max-nodes); points shown are non-dominated among those found.%s", c.Budget, gap))
		case analysis.CaveatZoneSampled:
			out = append(out, strings.TrimSpace("The zone's size is a lower bound with a sampled estimate: counting ran out of budget. "+c.Detail))
		case analysis.CaveatZoneFrontierBounded:
			out = append(out, "Bargaining solutions are computed over a bounded (not exact) frontier of the zone.")
		case analysis.CaveatRangedEstimates:
			out = append(out, "Some estimates are given as ranges; this analysis uses their point values (simulation samples the ranges; --sensitivity moves them).")
		case analysis.CaveatUtilitiesRounded:
			out = append(out, fmt.Sprintf("%s's utilities are rounded to multiples of 2^-%d: its numbers have no common denominator that fits parley's 64-bit fixed point, so outcomes whose exact utilities differ by less than a few such quanta may tie or not as rounding falls.", c.Party, c.GridBits))
		default:
			out = append(out, string(c.Kind))
		}
	}
	return out
}

// AccountLines words whose account a result shows: the variant (or the
// base), the sources with their recorded leaning, how many independent
// source families they make, and, for a what-if, that it is one.
func AccountLines(a parley.Account) []string {
	var out []string
	switch {
	case a.Variant == "":
		out = append(out, "Account: the base — what the accounts share.")
	case a.Assumption != "":
		s := fmt.Sprintf("Account: what-if %s", a.Variant)
		if a.Extends != "" {
			s += " (within " + a.Extends + ")"
		}
		out = append(out, s+" — an analyst's assumption: "+oneLine(a.Assumption))
	default:
		s := fmt.Sprintf("Account: %s", a.Variant)
		if a.Extends != "" {
			s += " (within " + a.Extends + ")"
		}
		if a.Prior != nil {
			s += fmt.Sprintf(", prior weight %.2f", *a.Prior)
		}
		out = append(out, s+".")
	}
	if a.Variant != "" && a.Description != "" {
		out = append(out, oneLine(a.Description))
	}
	if len(a.Sources) > 0 {
		out = append(out, "Sources: "+Sources(a)+".")
	}
	return out
}

// Sources words an account's sources: ids grouped by family, each group
// with its recorded leaning, then the number of independent families.
func Sources(a parley.Account) string {
	type group struct {
		ids     []string
		leaning string
		family  string
	}
	var gs []*group
	byFam := map[string]*group{}
	for _, s := range a.Sources {
		key := s.ID
		if s.Family != "" {
			key = "family:" + s.Family
		}
		g := byFam[key]
		if g == nil {
			g = &group{leaning: s.Leaning, family: s.Family}
			byFam[key] = g
			gs = append(gs, g)
		}
		g.ids = append(g.ids, s.ID)
	}
	var parts []string
	for _, g := range gs {
		s := strings.Join(g.ids, "+")
		var notes []string
		if len(g.ids) > 1 {
			notes = append(notes, "one family")
		}
		if g.leaning != "" {
			notes = append(notes, g.leaning)
		}
		if len(notes) > 0 {
			s += " (" + strings.Join(notes, ", ") + ")"
		}
		parts = append(parts, s)
	}
	n := a.Families
	word := "independent reports"
	if n == 1 {
		word = "independent report"
	}
	return fmt.Sprintf("%s — %d %s", strings.Join(parts, ", "), n, word)
}

// Leanings counts the independent source families of an account by
// leaning, as "3 pro-Pakistan, 1 pro-Afghanistan".
func Leanings(a parley.Account) string {
	fam := map[string]string{}
	for _, s := range a.Sources {
		key := s.ID
		if s.Family != "" {
			key = "family:" + s.Family
		}
		fam[key] = s.Leaning
	}
	count := map[string]int{}
	for _, l := range fam {
		if l == "" {
			l = "leaning not recorded"
		}
		count[l]++
	}
	var ls []string
	for l := range count {
		ls = append(ls, l)
	}
	sort.Slice(ls, func(i, j int) bool {
		if count[ls[i]] != count[ls[j]] {
			return count[ls[i]] > count[ls[j]]
		}
		return ls[i] < ls[j]
	})
	var parts []string
	for _, l := range ls {
		parts = append(parts, fmt.Sprintf("%d %s", count[l], l))
	}
	return strings.Join(parts, ", ")
}

package report

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley"
)

// This file says, for simulation outputs, whose account a run plays and
// which of its results rest on assumptions no source states.

// A Blocker is one entry of "who rejected the last proposal" with the
// analyst's assumptions it rests on.
type Blocker struct {
	What    string              `json:"what"`
	RestsOn []parley.Assumption `json:"rests_on,omitempty"`
}

// Blockers annotates a run's blockers (simulate.Run.Blocked, written
// "Party/Faction: red line NAME", "Party: below reservation (...)" or
// "Role: consent withheld") with the assumptions each rests on: the
// delegation's rule for a faction, the red line's own assumption, the
// principal's assumed reservation, a consent nobody knows.
func Blockers(s *parley.Scenario, blocked []string) []Blocker {
	as := s.Assumptions()
	var out []Blocker
	for _, b := range blocked {
		out = append(out, Blocker{What: b, RestsOn: blockerRestsOn(s, as, b)})
	}
	return out
}

func blockerRestsOn(s *parley.Scenario, as []parley.Assumption, b string) []parley.Assumption {
	who, why, ok := strings.Cut(b, ": ")
	if !ok {
		return nil
	}
	party, principal, faction := strings.Cut(who, "/")
	if !faction {
		principal = party
	}
	var out []parley.Assumption
	for _, a := range as {
		switch {
		case why == "consent withheld":
			if (a.Kind == parley.AssumedConsent || a.Kind == parley.AssumedRole) && a.Name == who {
				out = append(out, a)
			}
		case a.Kind == parley.AssumedRule && faction && a.Party == party:
			out = append(out, a)
		case a.Kind == parley.AssumedRedLine && a.Party == party && a.Principal == principal && why == "red line "+a.Name:
			out = append(out, a)
		case a.Kind == parley.AssumedEstimate && a.Name == "reservation" && a.Party == party && a.Principal == principal && strings.HasPrefix(why, "below reservation"):
			out = append(out, a)
		}
	}
	return out
}

// blockerLine words a blocker with what it rests on; a consent "withheld"
// that nobody knows about is said to be not counted on.
func blockerLine(s *parley.Scenario, b Blocker) string {
	w := b.What
	who, why, _ := strings.Cut(w, ": ")
	if why == "consent withheld" {
		for i := range s.Roles {
			if s.Roles[i].Name == who && s.Roles[i].ConsentUncertain() {
				w = who + ": consent not counted on (uncertain)"
			}
		}
	}
	return w + restsOn(b.RestsOn)
}

// ReportedEnd words how the sources say the talks ended, or "".
func ReportedEnd(s *parley.Scenario) string {
	sp := s.Simulation
	if sp == nil || sp.Reported == nil {
		return ""
	}
	r := sp.Reported
	var ids []string
	for _, c := range r.Sources {
		ids = append(ids, c.Source)
	}
	who := "the sources"
	if len(ids) > 0 {
		who = strings.Join(ids, ", ")
	}
	out := fmt.Sprintf("Reported end (%s): %s", who, strings.ReplaceAll(r.End.String(), "_", " "))
	if r.Description != "" {
		out += " — " + strings.TrimSuffix(oneLine(r.Description), ".")
	}
	if r.Assumption != "" {
		out += " (" + lowerFirst(oneLine(r.Assumption)) + ")"
	}
	return out
}

// SimAssumptions returns the assumptions a simulation of s rests on: the
// structural ones (rules, consents, red lines, roles, a what-if) and the
// simulation's own (set-up, agents and their tactics).
func SimAssumptions(s *parley.Scenario) []parley.Assumption {
	var out []parley.Assumption
	for _, a := range s.Assumptions() {
		if a.Kind != parley.AssumedEstimate {
			out = append(out, a)
		}
	}
	return out
}

// assumedEstimates counts the estimates labelled assumptions.
func assumedEstimates(s *parley.Scenario) int {
	n := 0
	for _, a := range s.Assumptions() {
		if a.Kind == parley.AssumedEstimate {
			n++
		}
	}
	return n
}

// provenanceLines writes the account, the reported end and the count of
// assumptions for the head of a simulation report.
func provenanceLines(s *parley.Scenario) []string {
	out := AccountLines(s.Account())
	if r := ReportedEnd(s); r != "" {
		out = append(out, r+".")
	}
	return out
}

// assumptionLines words a simulation's assumptions for the foot of a
// report.
func assumptionLines(s *parley.Scenario) []string {
	var out []string
	for _, a := range SimAssumptions(s) {
		out = append(out, Assumption(a))
	}
	if n := assumedEstimates(s); n > 0 {
		out = append(out, fmt.Sprintf("%d estimates are labelled assumptions (parley analyze --sensitivity shows which ones matter).", n))
	}
	return out
}

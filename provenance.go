package parley

import (
	"fmt"
	"strings"
)

// This file answers "whose account is this, and what does it rest on?" for
// a scenario: the account it shows (Account), the analyst's assumptions it
// makes (Assumptions), and the estimates and modelling choices that cite
// nothing (Unsourced).

// An Account says whose version of events a scenario shows: the variant
// applied (empty for the base), the sources it rests on, and how many
// independent source families they make.
type Account struct {
	// Variant is the variant applied; empty for the base, which holds what
	// every account shares.
	Variant     string `json:"variant,omitempty"`
	Description string `json:"description,omitempty"`
	// Extends names the variant this one builds on, if any.
	Extends string `json:"extends,omitempty"`
	// Sources are the sources the account rests on, as the scenario records
	// them: for a variant the cites of it and of the variants it extends,
	// for the base every declared source.
	Sources []SourceRef `json:"sources"`
	// Families is the number of independent source families among Sources
	// (sources with the same Family count once).
	Families int `json:"families"`
	// Assumption is set when the variant is an analyst's what-if rather
	// than any source's account.
	Assumption string `json:"assumption,omitempty"`
	// Prior is the analyst's prior weight of the account, when it has one.
	Prior *float64 `json:"prior,omitempty"`
}

// SourceRef is a source as an account names it.
type SourceRef struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Leaning string `json:"leaning,omitempty"`
	Family  string `json:"family,omitempty"`
}

// Account returns the account the scenario shows.
func (s *Scenario) Account() Account {
	a := Account{Variant: s.Variant, Sources: []SourceRef{}}
	if s.Variant == "" {
		a.Description = strings.TrimSpace(s.Description)
		for _, src := range s.Sources {
			a.Sources = append(a.Sources, SourceRef{ID: src.ID, Title: src.Title, Leaning: src.Leaning, Family: src.Family})
		}
		a.Families = s.Independent(nil)
		return a
	}
	v := s.variant(s.Variant)
	if v == nil {
		return a
	}
	a.Description, a.Extends, a.Assumption = strings.TrimSpace(v.Description), v.Extends, v.Assumption
	if v.Prior != nil {
		p := v.Prior.Value
		a.Prior = &p
	}
	var cites []Cite
	seen := map[string]bool{v.Name: true}
	for cur := v; cur != nil; {
		cites = append(cites, cur.Sources...)
		if cur.Extends == "" || seen[cur.Extends] {
			break
		}
		seen[cur.Extends] = true
		cur = s.variant(cur.Extends)
	}
	ids := map[string]bool{}
	for _, c := range cites {
		if ids[c.Source] {
			continue
		}
		ids[c.Source] = true
		ref := SourceRef{ID: c.Source}
		if src := s.source(c.Source); src != nil {
			ref.Title, ref.Leaning, ref.Family = src.Title, src.Leaning, src.Family
		}
		a.Sources = append(a.Sources, ref)
	}
	a.Families = s.Independent(cites)
	return a
}

func (s *Scenario) variant(name string) *Variant {
	for i := range s.Variants {
		if s.Variants[i].Name == name {
			return &s.Variants[i]
		}
	}
	return nil
}

func (s *Scenario) source(id string) *Source {
	for i := range s.Sources {
		if s.Sources[i].ID == id {
			return &s.Sources[i]
		}
	}
	return nil
}

// Independent returns the number of independent source families among the
// cited sources: sources that share a Family count once. With nil cites it
// counts the families of every declared source.
func (s *Scenario) Independent(cites []Cite) int {
	fam := map[string]bool{}
	add := func(id string) {
		f := id
		if src := s.source(id); src != nil && src.Family != "" {
			f = "family:" + src.Family
		}
		fam[f] = true
	}
	if cites == nil {
		for _, src := range s.Sources {
			add(src.ID)
		}
	}
	for _, c := range cites {
		add(c.Source)
	}
	return len(fam)
}

// AssumptionKind says what kind of modelling choice an assumption is.
type AssumptionKind string

// Kinds of assumptions.
const (
	AssumedRule       AssumptionKind = "rule"       // a delegation's ratification rule
	AssumedConsent    AssumptionKind = "consent"    // whether a third party would sign
	AssumedRedLine    AssumptionKind = "red_line"   // a red line
	AssumedRole       AssumptionKind = "role"       // a third party's place in the talks
	AssumedEstimate   AssumptionKind = "estimate"   // a number
	AssumedSimulation AssumptionKind = "simulation" // the simulation's set-up or an agent's tactics
	AssumedVariant    AssumptionKind = "variant"    // a what-if variant
)

// An Assumption is a modelling choice the analyst labelled as such: no
// source states it. Reason is the analyst's reason, as written.
type Assumption struct {
	Kind AssumptionKind `json:"kind"`
	// Party, Principal and Name say whose and which: the delegation of a
	// rule, the holder and name of a red line, the role of a consent.
	Party     string `json:"party,omitempty"`
	Principal string `json:"principal,omitempty"`
	Name      string `json:"name,omitempty"`
	// Path is the field path of the choice (JSON field names).
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Assumptions lists every modelling choice of the scenario labelled as an
// analyst's assumption, in file order: rules, red lines, estimates, roles
// and consents (an uncertain consent is an assumption even without a
// label: no source says whether the role would sign), the simulation
// set-up, and the variant applied.
func (s *Scenario) Assumptions() []Assumption {
	var l assumptions
	for i := range s.Parties {
		p := &s.Parties[i]
		if d := p.Delegation; d != nil && d.Rule.Assumption != "" {
			l.add(Assumption{Kind: AssumedRule, Party: p.Name, Name: d.Rule.Kind.String(), Path: fmt.Sprintf("parties[%d].delegation.rule", i), Reason: d.Rule.Assumption})
		}
	}
	s.walkPrincipals(func(i int, fp string, f *Faction) {
		p := &s.Parties[i]
		l.principal(p.Name, fp, f, p.Delegation != nil)
	})
	for i := range s.Roles {
		r := &s.Roles[i]
		rp := fmt.Sprintf("roles[%d]", i)
		if r.Assumption != "" {
			l.add(Assumption{Kind: AssumedRole, Name: r.Name, Path: rp, Reason: r.Assumption})
		}
		if r.ConsentUncertain() {
			why := r.ConsentProbability.Assumption
			if why == "" {
				why = fmt.Sprintf("no source says whether %s would sign", r.Name)
			}
			l.add(Assumption{Kind: AssumedConsent, Name: r.Name, Path: rp + ".consents", Reason: why})
		}
	}
	if sp := s.Simulation; sp != nil {
		if sp.Assumption != "" {
			l.add(Assumption{Kind: AssumedSimulation, Path: "simulation", Reason: sp.Assumption})
		}
		for i, a := range sp.Agents {
			if a.Assumption != "" {
				l.add(Assumption{Kind: AssumedSimulation, Party: a.Party, Name: a.Agent, Path: fmt.Sprintf("simulation.agents[%d]", i), Reason: a.Assumption})
			}
		}
		for i, a := range sp.Principals {
			if a.Assumption != "" {
				l.add(Assumption{Kind: AssumedSimulation, Party: a.Party, Principal: a.Faction, Name: a.Agent, Path: fmt.Sprintf("simulation.principals[%d]", i), Reason: a.Assumption})
			}
		}
	}
	for i := range s.Variants {
		v := &s.Variants[i]
		if v.Name == s.Variant && v.Assumption != "" {
			l.add(Assumption{Kind: AssumedVariant, Name: v.Name, Path: fmt.Sprintf("variants[%d]", i), Reason: v.Assumption})
		}
	}
	return l
}

// assumptions collects Assumptions' list.
type assumptions []Assumption

// add lists a with its reason trimmed.
func (l *assumptions) add(a Assumption) {
	a.Reason = strings.TrimSpace(a.Reason)
	*l = append(*l, a)
}

// est lists estimate e at path if it is labelled an assumption.
func (l *assumptions) est(path, party, principal, name string, e *Estimate) {
	if e.Assumption != "" {
		l.add(Assumption{Kind: AssumedEstimate, Party: party, Principal: principal, Name: name, Path: path, Reason: e.Assumption})
	}
}

// principal lists the assumptions of principal f of party at path fp: its
// weight (in a delegation), reservation, discount, issue weights, value
// functions and values, constraint utilities and red lines.
func (l *assumptions) principal(party, fp string, f *Faction, delegation bool) {
	if delegation {
		l.est(fp+".weight", party, f.Name, "weight", &f.Weight)
	}
	pr := &f.Preferences
	prp := fp + ".preferences"
	l.est(prp+".reservation", party, f.Name, "reservation", &pr.Reservation)
	l.est(prp+".discount", party, f.Name, "discount", &pr.Discount)
	for k := range pr.Issues {
		ip := &pr.Issues[k]
		kp := fmt.Sprintf("%s.issues[%d]", prp, k)
		l.est(kp+".weight", party, f.Name, ip.Issue+" weight", &ip.Weight)
		if ip.Assumption != "" {
			l.add(Assumption{Kind: AssumedEstimate, Party: party, Principal: f.Name, Name: ip.Issue + " values", Path: kp + ".values", Reason: ip.Assumption})
		}
		for v := range ip.Values {
			l.est(fmt.Sprintf("%s.values[%d].value", kp, v), party, f.Name, ip.Issue+"="+ip.Values[v].Option, &ip.Values[v].Value)
		}
	}
	for k := range pr.Constraints {
		l.est(fmt.Sprintf("%s.constraints[%d].utility", prp, k), party, f.Name, "constraint", &pr.Constraints[k].Utility)
	}
	for k, rl := range pr.RedLines {
		if rl.Assumption != "" {
			l.add(Assumption{Kind: AssumedRedLine, Party: party, Principal: f.Name, Name: rl.Name, Path: fmt.Sprintf("%s.red_lines[%d]", prp, k), Reason: rl.Assumption})
		}
	}
}

// walkPrincipals calls fn for every principal with its party index and
// field path: each faction of a delegation, and a single actor as a
// faction named after its party (path of the party).
func (s *Scenario) walkPrincipals(fn func(party int, path string, f *Faction)) {
	for i := range s.Parties {
		p := &s.Parties[i]
		pp := fmt.Sprintf("parties[%d]", i)
		if p.Preferences != nil {
			f := &Faction{Name: p.Name, Preferences: *p.Preferences}
			fn(i, pp, f)
		}
		if p.Delegation != nil {
			for j := range p.Delegation.Factions {
				fn(i, fmt.Sprintf("%s.delegation.factions[%d]", pp, j), &p.Delegation.Factions[j])
			}
		}
	}
}

// Unsourced returns the field paths (JSON field names, as Compile's errors
// write them) of every estimate and modelling choice that neither cites a
// source nor is labelled an assumption: faction weights, reservation
// values, discounts, issue weights, option values and value functions (an
// issue preference's sources cover its values), constraint utilities, red
// lines, ratification rules, roles and their consents, the simulation
// set-up and its agents, variants and their priors, and the commitments
// and verification clauses of options with their estimates. A sourced
// scenario should return none; `parley validate` warns about each.
func (s *Scenario) Unsourced() []string {
	var l unsourced
	s.walkPrincipals(func(i int, fp string, f *Faction) {
		l.principal(fp, f, s.Parties[i].Delegation != nil)
	})
	for i := range s.Parties {
		if d := s.Parties[i].Delegation; d != nil {
			l.need(fmt.Sprintf("parties[%d].delegation.rule", i), len(d.Rule.Sources) > 0 || d.Rule.Assumption != "")
		}
	}
	l.options(s.Issues)
	for i := range s.Roles {
		r := &s.Roles[i]
		rp := fmt.Sprintf("roles[%d]", i)
		l.need(rp, len(r.Sources) > 0 || r.Assumption != "")
		if r.ConsentProbability != nil {
			l.est(rp+".consents", r.ConsentProbability)
		}
	}
	if sp := s.Simulation; sp != nil {
		l.need("simulation", len(sp.Sources) > 0 || sp.Assumption != "")
		if r := sp.Reported; r != nil {
			l.need("simulation.reported", len(r.Sources) > 0 || r.Assumption != "")
		}
		for i, a := range sp.Agents {
			l.need(fmt.Sprintf("simulation.agents[%d]", i), len(a.Sources) > 0 || a.Assumption != "")
		}
		for i, a := range sp.Principals {
			l.need(fmt.Sprintf("simulation.principals[%d]", i), len(a.Sources) > 0 || a.Assumption != "")
		}
	}
	for i := range s.Variants {
		v := &s.Variants[i]
		vp := fmt.Sprintf("variants[%d]", i)
		l.need(vp, len(v.Sources) > 0 || v.Assumption != "")
		if v.Prior != nil {
			l.est(vp+".prior", v.Prior)
		}
	}
	return l
}

// unsourced collects Unsourced's field paths.
type unsourced []string

// need lists path unless it is based on a source or an assumption.
func (l *unsourced) need(path string, based bool) {
	if !based {
		*l = append(*l, path)
	}
}

func (l *unsourced) est(path string, e *Estimate) { l.need(path, e.Based()) }

// principal lists the unsourced estimates of principal f at path fp: its
// weight (in a delegation), reservation, discount (when set), issue
// weights, value functions and values (an issue preference's sources cover
// them), constraint utilities and red lines.
func (l *unsourced) principal(fp string, f *Faction, delegation bool) {
	prp := fp + ".preferences"
	if delegation {
		l.est(fp+".weight", &f.Weight)
	}
	pr := &f.Preferences
	l.est(prp+".reservation", &pr.Reservation)
	if d := pr.Discount; d.Value != 0 || d.Ranged || d.Based() {
		l.est(prp+".discount", &pr.Discount)
	}
	for k := range pr.Issues {
		ip := &pr.Issues[k]
		kp := fmt.Sprintf("%s.issues[%d]", prp, k)
		l.est(kp+".weight", &ip.Weight)
		fnBased := len(ip.Sources) > 0 || ip.Assumption != ""
		if len(ip.Function) > 0 {
			l.need(kp+".function", fnBased)
		}
		for v := range ip.Values {
			l.need(fmt.Sprintf("%s.values[%d].value", kp, v), fnBased || ip.Values[v].Value.Based())
		}
	}
	for k := range pr.Constraints {
		l.est(fmt.Sprintf("%s.constraints[%d].utility", prp, k), &pr.Constraints[k].Utility)
	}
	for k, rl := range pr.RedLines {
		l.need(fmt.Sprintf("%s.red_lines[%d]", prp, k), len(rl.Sources) > 0 || rl.Assumption != "")
	}
}

// options lists the unsourced commitments and verification clauses options
// put into an agreement, and the estimates they carry for the monitoring
// Monte Carlo.
func (l *unsourced) options(issues []Issue) {
	for i := range issues {
		for k := range issues[i].Options {
			o := &issues[i].Options[k]
			op := fmt.Sprintf("issues[%d].options[%d]", i, k)
			for j := range o.Commitments {
				c := &o.Commitments[j]
				cp := fmt.Sprintf("%s.commitments[%d]", op, j)
				l.need(cp, len(c.Sources) > 0)
				for _, x := range []struct {
					name string
					e    *Estimate
				}{{"rate", c.Assume.Rate}, {"lookalike", c.Assume.Lookalike}, {"force", c.Assume.Force}, {"on_time", c.Assume.OnTime}} {
					if x.e != nil {
						l.est(cp+".assume."+x.name, x.e)
					}
				}
			}
			if v := o.Verification; v != nil {
				vp := op + ".verification"
				l.need(vp, len(v.Sources) > 0)
				for _, x := range []struct {
					name string
					e    *Estimate
				}{{"detection", v.Assume.Detection}, {"false_attribution", v.Assume.FalseAttribution}, {"dispute", v.Assume.Dispute}} {
					if x.e != nil {
						l.est(vp+".assume."+x.name, x.e)
					}
				}
			}
		}
	}
}

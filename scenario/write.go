package scenario

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"go.yaml.in/yaml/v3"
)

// Write writes s as a scenario file that Parse (and File.Scenario("")) reads
// back to the same scenario: issues, parties, delegations with their factions
// and rules, preferences with estimates (ranges, sources and reasons), red
// lines, constraints, roles, the simulation set-up, sources and notes.
//
// Two things cannot be written as they are:
//
//   - Variants: a Scenario holds the variant applied, not the overrides, so
//     only the scenario as given is written (without its variants list),
//     and a comment at the top of the file says so.
//   - Numeric issues whose options are not exactly those the format
//     generates from min, max and step (for example the sampled real
//     issues of a Genius import, or options with clauses): they are written
//     as categorical issues with the same labels, value functions become
//     per-option values and min/max conditions become option lists, so
//     every utility, red line and region is unchanged. A comment at the
//     top lists them.
//
// Output is deterministic: lists keep the scenario's order.
func Write(w io.Writer, s *parley.Scenario) error {
	wr := &writer{s: s, categorical: map[string]bool{}}
	var comments []string
	comments = append(comments, "Written by parley (scenario.Write) from the scenario as given: variants are not written, since a scenario does not keep their overrides.")
	if s.Variant != "" {
		comments = append(comments, fmt.Sprintf("This is variant %q of the scenario, written as the base.", s.Variant))
	}
	for i := range s.Issues {
		is := &s.Issues[i]
		if is.Kind != parley.Categorical && !numericExact(is) {
			wr.categorical[is.Name] = true
			comments = append(comments, fmt.Sprintf("Issue %q (%s) is written as categorical: its options are not exactly those min, max and step generate; utilities are unchanged.", is.Name, is.Kind))
		}
	}
	root := wr.scenario()
	root.HeadComment = strings.Join(comments, "\n")
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "scenario: writing", Err: err}
	}
	if err := enc.Close(); err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "scenario: writing", Err: err}
	}
	return nil
}

// numericExact reports whether a numeric issue's options are exactly what
// the format generates from its kind, min, max and step, plus optionally a
// trailing "not addressed" option.
func numericExact(is *parley.Issue) bool {
	gen := parley.NumericOptions(is.Kind, is.Min, is.Max, is.Step)
	opts := is.Options
	if n := len(opts); n > 0 && opts[n-1].NotAddressed {
		opts = opts[:n-1]
	}
	if len(gen) != len(opts) || len(gen) == 0 {
		return false
	}
	if is.Kind == parley.Integer && is.Step != 0 {
		return false
	}
	for i := range gen {
		g, o := gen[i], opts[i]
		if g.Label != o.Label || g.Value != o.Value || g.Clause != o.Clause || g.NotAddressed != o.NotAddressed || len(o.Commitments) > 0 || o.Verification != nil {
			return false
		}
	}
	return true
}

type writer struct {
	s           *parley.Scenario
	categorical map[string]bool // numeric issues written as categorical
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func num(x float64) *yaml.Node {
	switch {
	case math.IsNaN(x):
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: ".nan"}
	case math.IsInf(x, 1):
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: ".inf"}
	case math.IsInf(x, -1):
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: "-.inf"}
	}
	v := strconv.FormatFloat(x, 'g', -1, 64)
	tag := "!!float"
	if !strings.ContainsAny(v, ".eEn") {
		tag = "!!int"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v}
}

func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func mapping(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func seq(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

func addStr(m *yaml.Node, key, v string) {
	if v != "" {
		add(m, key, str(v))
	}
}

func (w *writer) scenario() *yaml.Node {
	s := w.s
	m := mapping(false)
	add(m, "id", str(s.ID))
	addStr(m, "title", s.Title)
	addStr(m, "description", s.Description)
	if len(s.Notes)+len(s.Warnings) > 0 {
		l := seq(false)
		for _, n := range s.Notes {
			l.Content = append(l.Content, str(n))
		}
		for _, w := range s.Warnings { // the format has no warnings; keep them as notes
			l.Content = append(l.Content, str("import warning: "+w))
		}
		add(m, "notes", l)
	}
	if len(s.Sources) > 0 {
		l := seq(false)
		for _, src := range s.Sources {
			sm := mapping(true)
			add(sm, "id", str(src.ID))
			addStr(sm, "title", src.Title)
			addStr(sm, "file", src.File)
			addStr(sm, "url", src.URL)
			addStr(sm, "leaning", src.Leaning)
			addStr(sm, "note", src.Note)
			addStr(sm, "family", src.Family)
			l.Content = append(l.Content, sm)
		}
		add(m, "sources", l)
	}
	issues := seq(false)
	for i := range s.Issues {
		issues.Content = append(issues.Content, w.issue(&s.Issues[i]))
	}
	add(m, "issues", issues)
	parties := seq(false)
	for i := range s.Parties {
		parties.Content = append(parties.Content, w.party(&s.Parties[i]))
	}
	add(m, "parties", parties)
	if len(s.Roles) > 0 {
		l := seq(false)
		for i := range s.Roles {
			l.Content = append(l.Content, w.role(&s.Roles[i]))
		}
		add(m, "roles", l)
	}
	if sp := s.Simulation; sp != nil {
		add(m, "simulation", simulation(sp))
	}
	return m
}

func strList(ss []string) *yaml.Node {
	l := seq(true)
	for _, x := range ss {
		l.Content = append(l.Content, str(x))
	}
	return l
}

func simulation(sp *parley.SimulationSpec) *yaml.Node {
	m := mapping(false)
	add(m, "protocol", str(string(sp.Protocol)))
	add(m, "rounds", num(float64(sp.Rounds)))
	if len(sp.Agenda) > 0 {
		add(m, "agenda", strList(sp.Agenda))
	}
	if len(sp.Calendar) > 0 {
		l := seq(true)
		for _, h := range sp.Calendar {
			l.Content = append(l.Content, num(h))
		}
		add(m, "calendar", l)
	}
	if sp.HoursPerRound != 0 {
		add(m, "hours_per_round", num(sp.HoursPerRound))
	}
	if sp.MaxExtensions != 0 {
		add(m, "max_extensions", num(float64(sp.MaxExtensions)))
	}
	addStr(m, "mediator", sp.Mediator)
	if len(sp.Agents) > 0 {
		l := seq(false)
		for _, a := range sp.Agents {
			am := mapping(true)
			add(am, "party", str(a.Party))
			add(am, "agent", str(a.Agent))
			addBasis(am, a.Sources, a.Assumption)
			l.Content = append(l.Content, am)
		}
		add(m, "agents", l)
	}
	if len(sp.Principals) > 0 {
		l := seq(false)
		for _, a := range sp.Principals {
			am := mapping(true)
			add(am, "party", str(a.Party))
			add(am, "faction", str(a.Faction))
			add(am, "agent", str(a.Agent))
			addBasis(am, a.Sources, a.Assumption)
			l.Content = append(l.Content, am)
		}
		add(m, "principals", l)
	}
	if r := sp.Reported; r != nil {
		rm := mapping(false)
		add(rm, "end", str(r.End.String()))
		addStr(rm, "description", r.Description)
		addBasis(rm, r.Sources, r.Assumption)
		add(m, "reported", rm)
	}
	addBasis(m, sp.Sources, sp.Assumption)
	return m
}

func (w *writer) issue(is *parley.Issue) *yaml.Node {
	m := mapping(false)
	add(m, "name", str(is.Name))
	addStr(m, "description", is.Description)
	if is.Kind == parley.Categorical || w.categorical[is.Name] {
		l := seq(false)
		for _, o := range is.Options {
			if o.Clause == "" && !o.NotAddressed && len(o.Commitments) == 0 && o.Verification == nil {
				l.Content = append(l.Content, str(o.Label))
				continue
			}
			om := mapping(true)
			add(om, "label", str(o.Label))
			addStr(om, "clause", o.Clause)
			if o.NotAddressed {
				add(om, "not_addressed", boolean(true))
			}
			optionMonitoring(om, &o)
			l.Content = append(l.Content, om)
		}
		add(m, "options", l)
		return m
	}
	add(m, "kind", str(is.Kind.String()))
	add(m, "min", num(is.Min))
	add(m, "max", num(is.Max))
	if is.Kind == parley.Real {
		add(m, "step", num(is.Step))
	}
	if n := len(is.Options); n > 0 && is.Options[n-1].NotAddressed {
		o := is.Options[n-1]
		if o.Label == notAddressedLabel && o.Clause == "" {
			add(m, "not_addressed", boolean(true))
		} else {
			na := mapping(true)
			add(na, "label", str(o.Label))
			addStr(na, "clause", o.Clause)
			add(m, "not_addressed", na)
		}
	}
	return m
}

func cites(cs []parley.Cite) *yaml.Node {
	l := seq(true)
	for _, c := range cs {
		if c.Reason == "" {
			l.Content = append(l.Content, str(c.Source))
			continue
		}
		cm := mapping(true)
		add(cm, "source", str(c.Source))
		add(cm, "reason", str(c.Reason))
		l.Content = append(l.Content, cm)
	}
	return l
}

func addCites(m *yaml.Node, cs []parley.Cite) {
	if len(cs) > 0 {
		add(m, "sources", cites(cs))
	}
}

// addBasis writes what a thing rests on: its sources and its assumption.
func addBasis(m *yaml.Node, cs []parley.Cite, assumption string) {
	addCites(m, cs)
	addStr(m, "assumption", assumption)
}

func estimate(e parley.Estimate) *yaml.Node {
	if !e.Ranged && !e.Based() {
		return num(e.Value)
	}
	m := mapping(true)
	add(m, "value", num(e.Value))
	if e.Ranged {
		r := seq(true)
		r.Content = append(r.Content, num(e.Low), num(e.High))
		add(m, "range", r)
	}
	addBasis(m, e.Sources, e.Assumption)
	return m
}

func (w *writer) party(p *parley.Party) *yaml.Node {
	m := mapping(false)
	add(m, "name", str(p.Name))
	addStr(m, "description", p.Description)
	addCites(m, p.Sources)
	if p.Preferences != nil {
		add(m, "preferences", w.preferences(p.Preferences))
	}
	if p.Delegation != nil {
		d := mapping(false)
		add(d, "rule", rule(p.Delegation.Rule))
		fs := seq(false)
		for i := range p.Delegation.Factions {
			f := &p.Delegation.Factions[i]
			fm := mapping(false)
			add(fm, "name", str(f.Name))
			addStr(fm, "description", f.Description)
			add(fm, "weight", estimate(f.Weight))
			addCites(fm, f.Sources)
			add(fm, "preferences", w.preferences(&f.Preferences))
			fs.Content = append(fs.Content, fm)
		}
		add(d, "factions", fs)
		add(m, "delegation", d)
	}
	return m
}

func rule(r parley.Ratification) *yaml.Node {
	switch r.Kind {
	case parley.Unanimity, parley.Majority:
		if len(r.Sources) == 0 && r.Assumption == "" {
			return str(r.Kind.String())
		}
	}
	m := mapping(true)
	add(m, "kind", str(r.Kind.String()))
	switch r.Kind {
	case parley.WeightedQuota:
		add(m, "quota", num(r.Quota))
	case parley.LeaderVeto:
		add(m, "leader", str(r.Leader))
		if len(r.Vetoes) > 0 {
			l := seq(true)
			for _, v := range r.Vetoes {
				l.Content = append(l.Content, str(v))
			}
			add(m, "vetoes", l)
		}
	}
	addBasis(m, r.Sources, r.Assumption)
	return m
}

func (w *writer) preferences(pr *parley.Preferences) *yaml.Node {
	m := mapping(false)
	add(m, "reservation", estimate(pr.Reservation))
	if d := pr.Discount; d.Value != 0 || d.Ranged || len(d.Sources) > 0 {
		add(m, "discount", estimate(d))
	}
	if pr.Scale != 0 {
		add(m, "scale", num(pr.Scale))
	}
	if len(pr.Issues) > 0 {
		l := seq(false)
		for i := range pr.Issues {
			l.Content = append(l.Content, w.issuePref(&pr.Issues[i]))
		}
		add(m, "issues", l)
	}
	if len(pr.Constraints) > 0 {
		l := seq(false)
		for _, r := range pr.Constraints {
			rm := mapping(false)
			add(rm, "utility", estimate(r.Utility))
			add(rm, "conditions", w.conditions(r.Conditions))
			l.Content = append(l.Content, rm)
		}
		add(m, "constraints", l)
	}
	if len(pr.RedLines) > 0 {
		l := seq(false)
		for _, r := range pr.RedLines {
			rm := mapping(false)
			add(rm, "name", str(r.Name))
			addStr(rm, "description", r.Description)
			if q := r.Quote; q != nil {
				qm := mapping(true)
				add(qm, "source", str(q.Source))
				add(qm, "text", str(q.Text))
				add(rm, "quote", qm)
			}
			addBasis(rm, r.Sources, r.Assumption)
			add(rm, "conditions", w.conditions(r.Conditions))
			l.Content = append(l.Content, rm)
		}
		add(m, "red_lines", l)
	}
	return m
}

func (w *writer) issuePref(ip *parley.IssuePref) *yaml.Node {
	m := mapping(false)
	add(m, "issue", str(ip.Issue))
	add(m, "weight", estimate(ip.Weight))
	if ip.Scale != 0 {
		add(m, "scale", num(ip.Scale))
	}
	values := ip.Values
	fn := ip.Function
	if w.categorical[ip.Issue] && len(fn) > 0 {
		// The function becomes per-option values; explicit values keep
		// their estimates.
		is := &w.s.Issues[w.s.IssueIndex(ip.Issue)]
		values = nil
		for _, o := range is.Options {
			v := parley.OptionValue{Option: o.Label}
			if !o.NotAddressed {
				v.Value.Value = parley.Eval(fn, o.Value)
			}
			for _, ov := range ip.Values {
				if ov.Option == o.Label {
					v = ov
				}
			}
			values = append(values, v)
		}
		fn = nil
	}
	if len(values) > 0 {
		vm := mapping(false)
		for _, v := range values {
			add(vm, v.Option, estimate(v.Value))
		}
		add(m, "values", vm)
	}
	if len(fn) > 0 {
		l := seq(false)
		for _, p := range fn {
			k := seq(true)
			k.Content = append(k.Content, num(p.X), num(p.Y))
			l.Content = append(l.Content, k)
		}
		add(m, "function", l)
	}
	addBasis(m, ip.Sources, ip.Assumption)
	return m
}

func (w *writer) conditions(cs []parley.Condition) *yaml.Node {
	l := seq(false)
	for _, c := range cs {
		l.Content = append(l.Content, w.condition(c))
	}
	return l
}

func (w *writer) condition(c parley.Condition) *yaml.Node {
	m := mapping(true)
	add(m, "issue", str(c.Issue))
	opts := c.Options
	lo, hi := c.Min, c.Max
	exclude := c.Exclude
	if w.categorical[c.Issue] && (lo != nil || hi != nil) {
		// min/max need a numeric issue: list the options they admit.
		is := &w.s.Issues[w.s.IssueIndex(c.Issue)]
		in := c
		in.Exclude = false
		opts = nil
		for o := range is.Options {
			if in.Meets(is, o) {
				opts = append(opts, is.Options[o].Label)
			}
		}
		lo, hi = nil, nil
		if len(opts) == 0 {
			// No option: every option, inverted.
			for _, o := range is.Options {
				opts = append(opts, o.Label)
			}
			exclude = !exclude
		}
	}
	if len(opts) > 0 {
		l := seq(true)
		for _, o := range opts {
			l.Content = append(l.Content, str(o))
		}
		add(m, "options", l)
	}
	if lo != nil {
		add(m, "min", num(*lo))
	}
	if hi != nil {
		add(m, "max", num(*hi))
	}
	if exclude {
		add(m, "exclude", boolean(true))
	}
	return m
}

func (w *writer) role(r *parley.Role) *yaml.Node {
	m := mapping(false)
	add(m, "name", str(r.Name))
	add(m, "kind", str(r.Kind.String()))
	addStr(m, "description", r.Description)
	addBasis(m, r.Sources, r.Assumption)
	if len(r.Needed) > 0 {
		add(m, "needed", w.conditions(r.Needed))
	}
	if r.Consents != nil {
		add(m, "consents", boolean(*r.Consents))
	}
	if r.ConsentProbability != nil {
		e := *r.ConsentProbability
		n := estimate(e)
		if n.Kind == yaml.ScalarNode && (e.Value == 0 || e.Value == 1) {
			// A bare 0 or 1 reads back as a number, but keep it a mapping
			// so that it is never mistaken for a boolean by a reader.
			n = mapping(true)
			add(n, "value", num(e.Value))
		}
		add(m, "consents", n)
	}
	return m
}

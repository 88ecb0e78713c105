package scenario

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"go.yaml.in/yaml/v3"
)

// Keys accepted in each kind of mapping, in documentation order.
var (
	scenarioKeys    = []string{"id", "title", "description", "notes", "sources", "issues", "parties", "roles", "simulation", "variants"}
	simulationKeys  = []string{"protocol", "rounds", "agenda", "calendar", "hours_per_round", "max_extensions", "mediator", "agents", "principals", "reported", "sources", "reason", "assumption"}
	reportedKeys    = []string{"end", "description", "sources", "reason", "assumption"}
	agentSpecKeys   = []string{"party", "agent", "sources", "reason", "assumption"}
	principalKeys   = []string{"party", "faction", "agent", "sources", "reason", "assumption"}
	sourceKeys      = []string{"id", "title", "file", "url", "leaning", "note", "family"}
	issueKeys       = []string{"name", "description", "kind", "options", "min", "max", "step", "not_addressed"}
	optionKeys      = []string{"label", "clause", "not_addressed", "commitments", "verification"}
	notAddrKeys     = []string{"label", "clause"}
	partyKeys       = []string{"name", "description", "sources", "preferences", "delegation"}
	delegationKeys  = []string{"rule", "factions"}
	ruleKeys        = []string{"kind", "quota", "leader", "vetoes", "sources", "reason", "assumption"}
	factionKeys     = []string{"name", "description", "weight", "sources", "preferences"}
	preferencesKeys = []string{"reservation", "discount", "scale", "issues", "constraints", "red_lines"}
	issuePrefKeys   = []string{"issue", "weight", "scale", "values", "function", "sources", "reason", "assumption"}
	knotKeys        = []string{"x", "y"}
	rectKeys        = []string{"utility", "conditions"}
	conditionKeys   = []string{"issue", "options", "min", "max", "exclude"}
	redLineKeys     = []string{"name", "description", "quote", "sources", "reason", "assumption", "conditions"}
	quoteKeys       = []string{"source", "text"}
	roleKeys        = []string{"name", "kind", "description", "sources", "reason", "assumption", "needed", "consents"}
	variantKeys     = []string{"name", "description", "sources", "reason", "assumption", "extends", "prior", "override"}
	estimateKeys    = []string{"value", "range", "sources", "reason", "assumption"}
	citeKeys        = []string{"source", "reason"}
)

// Names of the enumerations as written in files.
var (
	issueKinds = names(parley.Categorical, parley.Integer, parley.Real)
	ruleKinds  = names(parley.Unanimity, parley.Majority, parley.WeightedQuota, parley.LeaderVeto)
	roleKinds  = names(parley.Mediator, parley.Guarantor, parley.Observer, parley.Handler)
)

func names[T fmt.Stringer](ks ...T) map[string]T {
	m := make(map[string]T, len(ks))
	for _, k := range ks {
		m[k.String()] = k
	}
	return m
}

func enumList[T fmt.Stringer](ks ...T) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = k.String()
	}
	return strings.Join(s, ", ")
}

// notAddressedLabel is the label of the extra option that a numeric issue's
// not_addressed: true adds.
const notAddressedLabel = "not addressed"

// variantDef is a variant as declared in the file.
type variantDef struct {
	v        parley.Variant
	node     *yaml.Node
	override *yaml.Node // nil when the variant overrides nothing
	extends  *yaml.Node // the extends: value, nil when absent
	index    int
}

// decoder turns a normalised YAML tree into a parley.Scenario, recording
// every problem with its position and the node of every field path it
// decodes (for mapping Compile's field errors back to the file).
type decoder struct {
	file string
	errs Errors
	pos  map[string]*yaml.Node
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]*yaml.Node{}}
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, posErr(d.file, n, path, fmt.Sprintf(format, args...)))
}

func (d *decoder) at(path string, n *yaml.Node) {
	if _, ok := d.pos[path]; !ok {
		d.pos[path] = n
	}
}

// locate returns the node of path or of its nearest recorded ancestor.
func (d *decoder) locate(path string) *yaml.Node {
	for p := path; ; p = parentPath(p) {
		if n := d.pos[p]; n != nil {
			return n
		}
		if p == "" {
			return nil
		}
	}
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// obj is a mapping whose keys have been checked.
type obj struct {
	d    *decoder
	n    *yaml.Node
	path string
	vals map[string]*yaml.Node
	// misspelt holds the keys that an unknown key was taken for a
	// misspelling of; they are not reported missing as well.
	misspelt map[string]bool
}

// object checks that n is a mapping with only the given keys.
func (d *decoder) object(n *yaml.Node, path string, keys []string) *obj {
	d.at(path, n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping, got %s", describe(n))
		return nil
	}
	o := &obj{d: d, n: n, path: path, vals: map[string]*yaml.Node{}, misspelt: map[string]bool{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !contains(keys, k.Value) {
			hint := ""
			if n.Style&yaml.FlowStyle != 0 && strings.ContainsAny(k.Value, " ") && v.Tag == "!!null" {
				hint = " (inside {...} a comma ends an unquoted string: quote the text before it)"
			}
			dym := didYouMean(k.Value, keys)
			if dym != "" {
				o.misspelt[closest(k.Value, keys)] = true
			}
			d.errorf(k, join(path, k.Value), "unknown key %q%s; expected one of %s%s", k.Value, dym, strings.Join(keys, ", "), hint)
			continue
		}
		o.vals[k.Value] = v
	}
	return o
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// opt returns the value of an optional key, or nil.
func (o *obj) opt(key string) *yaml.Node { return o.vals[key] }

// req returns the value of a required key, reporting it when missing.
func (o *obj) req(key string, what string) *yaml.Node {
	v := o.vals[key]
	if v == nil && !o.misspelt[key] {
		o.d.errorf(o.n, join(o.path, key), "missing required key %q (%s)", key, what)
	}
	return v
}

// str decodes a string. Numbers and booleans are taken as their text (so
// that option labels like 2025 need no quotes); null and collections are
// errors.
func (d *decoder) str(n *yaml.Node, path string) string {
	d.at(path, n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, path, "expected a string, got %s", describe(n))
		return ""
	}
	return n.Value
}

func (d *decoder) num(n *yaml.Node, path string) (float64, bool) {
	d.at(path, n)
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
		// Plain decimals directly (a file at the option limit has
		// 100,000 of them); YAML's other forms (0x1F, .inf, 1_000)
		// through the YAML decoder.
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(f, 0) && plainDecimal(n.Value) {
			return f, true
		}
		var f float64
		if err := n.Decode(&f); err == nil {
			return f, true
		}
	}
	if outOfRange(n) {
		d.errorf(n, path, "number %s is out of range: numbers must be finite 64-bit floats (up to about 1.8e308 in absolute value)", n.Value)
		return 0, false
	}
	d.errorf(n, path, "expected a number, got %s", describe(n))
	return 0, false
}

// plainDecimal reports whether s is written with digits, a sign, a point
// and an exponent only (no hex, underscores, inf or nan, which
// strconv.ParseFloat reads differently from YAML).
func plainDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			return false
		}
	}
	return true
}

// outOfRange reports whether n is a plain (unquoted) scalar that is a
// number too large for float64, such as 1e400: YAML resolves it as a
// string, but its author wrote a number.
func outOfRange(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return false
	}
	_, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	return errors.Is(err, strconv.ErrRange)
}

func (d *decoder) boolean(n *yaml.Node, path string) bool {
	d.at(path, n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
	}
	d.errorf(n, path, "expected true or false, got %s", describe(n))
	return false
}

func (d *decoder) list(n *yaml.Node, path string) []*yaml.Node {
	d.at(path, n)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "expected a list, got %s", describe(n))
		return nil
	}
	return n.Content
}

func (d *decoder) strs(n *yaml.Node, path string) []string {
	var out []string
	for i, it := range d.list(n, path) {
		out = append(out, d.str(it, index(path, i)))
	}
	return out
}

// optStr decodes an optional string field of o.
func (o *obj) optStr(key string) string {
	if v := o.opt(key); v != nil {
		return o.d.str(v, join(o.path, key))
	}
	return ""
}

// scenario decodes the whole tree.
func (d *decoder) scenario(n *yaml.Node) (*parley.Scenario, []variantDef) {
	d.pos[""] = n
	o := d.object(n, "", scenarioKeys)
	if o == nil {
		return nil, nil
	}
	s := &parley.Scenario{}
	if v := o.req("id", "a short name for the scenario"); v != nil {
		s.ID = d.str(v, "id")
	}
	s.Title = o.optStr("title")
	s.Description = o.optStr("description")
	if v := o.opt("notes"); v != nil {
		s.Notes = d.strs(v, "notes")
	}
	if v := o.opt("sources"); v != nil {
		for i, it := range d.list(v, "sources") {
			s.Sources = append(s.Sources, d.source(it, index("sources", i)))
		}
	}
	if v := o.req("issues", "the list of issues on the table"); v != nil {
		for i, it := range d.list(v, "issues") {
			s.Issues = append(s.Issues, d.issue(it, index("issues", i)))
		}
	}
	if v := o.req("parties", "the list of negotiating parties"); v != nil {
		for i, it := range d.list(v, "parties") {
			s.Parties = append(s.Parties, d.party(it, index("parties", i)))
		}
	}
	if v := o.opt("roles"); v != nil {
		for i, it := range d.list(v, "roles") {
			s.Roles = append(s.Roles, d.role(it, index("roles", i)))
		}
	}
	if v := o.opt("simulation"); v != nil {
		s.Simulation = d.simulation(v, "simulation")
	}
	var defs []variantDef
	if v := o.opt("variants"); v != nil {
		for i, it := range d.list(v, "variants") {
			def := d.variant(it, index("variants", i))
			def.index = i
			defs = append(defs, def)
			s.Variants = append(s.Variants, def.v)
		}
	}
	return s, defs
}

func (d *decoder) source(n *yaml.Node, path string) parley.Source {
	o := d.object(n, path, sourceKeys)
	if o == nil {
		return parley.Source{}
	}
	var s parley.Source
	if v := o.req("id", "the id that cites use"); v != nil {
		s.ID = d.str(v, join(path, "id"))
	}
	s.Title = o.optStr("title")
	s.File = o.optStr("file")
	s.URL = o.optStr("url")
	s.Leaning = o.optStr("leaning")
	s.Note = o.optStr("note")
	s.Family = o.optStr("family")
	return s
}

// cites decodes a list of cites: bare source ids or {source, reason}.
func (d *decoder) cites(n *yaml.Node, path string) []parley.Cite {
	var out []parley.Cite
	for i, it := range d.list(n, path) {
		ip := index(path, i)
		if it.Kind == yaml.ScalarNode {
			d.at(ip, it)
			out = append(out, parley.Cite{Source: d.str(it, join(ip, "source"))})
			continue
		}
		o := d.object(it, ip, citeKeys)
		if o == nil {
			continue
		}
		var c parley.Cite
		if v := o.req("source", "the id of a declared source"); v != nil {
			c.Source = d.str(v, join(ip, "source"))
		}
		c.Reason = o.optStr("reason")
		out = append(out, c)
	}
	return out
}

// estimate decodes a number or {value, range, sources, reason}.
func (d *decoder) estimate(n *yaml.Node, path string) parley.Estimate {
	d.at(path, n)
	if n.Kind != yaml.MappingNode {
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "expected a number or a mapping {value, range, sources, reason}, got %s", describe(n))
			return parley.Estimate{}
		}
		v, _ := d.num(n, path)
		d.pos[join(path, "value")] = n
		return parley.Estimate{Value: v}
	}
	o := d.object(n, path, estimateKeys)
	var e parley.Estimate
	if v := o.opt("value"); v != nil {
		e.Value, _ = d.num(v, join(path, "value"))
	} else if o.opt("range") != nil {
		d.errorf(n, join(path, "value"), "a range needs a point value too: add value (analysis uses it; the range is for simulation)")
	} else {
		o.req("value", "the point estimate")
	}
	if v := o.opt("range"); v != nil {
		rp := join(path, "range")
		items := d.list(v, rp)
		if items != nil && len(items) != 2 {
			d.errorf(v, rp, "expected [low, high], got a list of %d", len(items))
		} else if len(items) == 2 {
			lo, ok1 := d.num(items[0], index(rp, 0))
			hi, ok2 := d.num(items[1], index(rp, 1))
			if ok1 && ok2 {
				e.Low, e.High, e.Ranged = lo, hi, true
				d.at(join(path, "low"), items[0])
				d.at(join(path, "high"), items[1])
			}
		}
	}
	e.Sources, e.Assumption = o.basis()
	return e
}

// basis decodes what a thing rests on: sources (cites), a reason given to
// every bare source id among them, and an analyst's assumption.
func (o *obj) basis() ([]parley.Cite, string) {
	d, path := o.d, o.path
	var cs []parley.Cite
	if v := o.opt("sources"); v != nil {
		cs = d.cites(v, join(path, "sources"))
	}
	if v := o.opt("reason"); v != nil {
		r := d.str(v, join(path, "reason"))
		if o.opt("sources") == nil {
			d.errorf(v, join(path, "reason"), "a reason explains its sources: add sources (the reason is given to every bare source id), or write an assumption")
		}
		for i := range cs {
			if cs[i].Reason == "" {
				cs[i].Reason = r
			}
		}
	}
	var a string
	if v := o.opt("assumption"); v != nil {
		a = d.str(v, join(path, "assumption"))
		if v.Kind == yaml.ScalarNode && v.Tag != "!!null" && strings.TrimSpace(a) == "" {
			d.errorf(v, join(path, "assumption"), "an assumption needs its reason: say why the analyst assumes it")
		}
	}
	return cs, a
}

func (d *decoder) issue(n *yaml.Node, path string) parley.Issue {
	o := d.object(n, path, issueKeys)
	if o == nil {
		return parley.Issue{}
	}
	var is parley.Issue
	if v := o.req("name", "the issue's name"); v != nil {
		is.Name = d.str(v, join(path, "name"))
	}
	is.Description = o.optStr("description")
	if v := o.opt("kind"); v != nil {
		s := d.str(v, join(path, "kind"))
		k, ok := issueKinds[s]
		if !ok && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			d.errorf(v, join(path, "kind"), "unknown issue kind %q%s; expected one of %s", s, didYouMean(s, keysOf(issueKinds)), enumList(parley.Categorical, parley.Integer, parley.Real))
			return is
		}
		is.Kind = k
	}
	if is.Kind == parley.Categorical {
		d.categorical(o, path, &is)
		return is
	}
	d.numeric(o, path, &is)
	return is
}

// categorical reads the options of categorical issue is (at path),
// rejecting the keys of numeric issues.
func (d *decoder) categorical(o *obj, path string, is *parley.Issue) {
	for _, k := range []string{"min", "max", "step", "not_addressed"} {
		if v := o.opt(k); v != nil {
			hint := ""
			if k == "not_addressed" {
				hint = "; in a categorical issue mark an option with not_addressed: true"
			}
			d.errorf(v, join(path, k), "%s applies to integer and real issues only, and %q is categorical%s", k, is.Name, hint)
		}
	}
	if v := o.req("options", "the options of a categorical issue"); v != nil {
		op := join(path, "options")
		for j, it := range d.list(v, op) {
			is.Options = append(is.Options, d.option(it, index(op, j)))
		}
	}
}

// numeric reads the range of integer or real issue is (at path): min, max
// and, for a real issue, step, from which its options are generated, and
// the optional not_addressed option appended to them.
func (d *decoder) numeric(o *obj, path string, is *parley.Issue) {
	if v := o.opt("options"); v != nil {
		d.errorf(v, join(path, "options"), "a %s issue's options are generated from min and max; remove options", is.Kind)
	}
	if is.Kind == parley.Integer {
		if v := o.opt("step"); v != nil {
			d.errorf(v, join(path, "step"), "step applies to real issues only; an integer issue takes every integer from min to max")
		}
	}
	var okMin, okMax, okStep bool
	if v := o.req("min", "the smallest value"); v != nil {
		is.Min, okMin = d.num(v, join(path, "min"))
	}
	if v := o.req("max", "the largest value"); v != nil {
		is.Max, okMax = d.num(v, join(path, "max"))
	}
	okStep = true
	if is.Kind == parley.Real {
		okStep = false
		if v := o.req("step", "the distance between options"); v != nil {
			is.Step, okStep = d.num(v, join(path, "step"))
		}
	}
	if okMin && okMax && okStep && d.numericRange(o, is) {
		is.Options = parley.NumericOptions(is.Kind, is.Min, is.Max, is.Step)
	}
	if v := o.opt("not_addressed"); v != nil {
		np := join(path, "not_addressed")
		opt := parley.Option{Label: notAddressedLabel, NotAddressed: true}
		switch v.Kind {
		case yaml.MappingNode:
			no := d.object(v, np, notAddrKeys)
			if no != nil {
				if l := no.opt("label"); l != nil {
					opt.Label = d.str(l, join(np, "label"))
				}
				opt.Clause = no.optStr("clause")
			}
		default:
			if !d.boolean(v, np) {
				return
			}
		}
		d.at(index(join(path, "options"), len(is.Options)), v)
		is.Options = append(is.Options, opt)
	}
}

// numericRange checks a numeric issue's min, max and step.
func (d *decoder) numericRange(o *obj, is *parley.Issue) bool {
	path := o.path
	for _, k := range []string{"min", "max", "step"} {
		x := map[string]float64{"min": is.Min, "max": is.Max, "step": is.Step}[k]
		if math.IsNaN(x) || math.IsInf(x, 0) {
			d.errorf(o.opt(k), join(path, k), "expected a finite number, got %v", x)
			return false
		}
	}
	if is.Min > is.Max {
		d.errorf(o.opt("max"), join(path, "max"), "max %v is below min %v", is.Max, is.Min)
		return false
	}
	var count float64
	switch is.Kind {
	case parley.Integer:
		const lim = 1 << 53
		for _, k := range []string{"min", "max"} {
			x := map[string]float64{"min": is.Min, "max": is.Max}[k]
			if x != math.Trunc(x) || math.Abs(x) > lim {
				d.errorf(o.opt(k), join(path, k), "an integer issue's %s must be a whole number of magnitude at most 2^53, got %v", k, x)
				return false
			}
		}
		count = is.Max - is.Min + 1
	case parley.Real:
		if !(is.Step > 0) {
			d.errorf(o.opt("step"), join(path, "step"), "step must be positive, got %v", is.Step)
			return false
		}
		count = math.Floor((is.Max-is.Min)/is.Step+1e-9) + 1
	}
	if !(count <= MaxOptions) {
		d.errorf(o.n, path, "issue %q would have %.0f options; the limit is %d per issue (raise step or narrow min..max)", is.Name, count, MaxOptions)
		return false
	}
	return true
}

func (d *decoder) option(n *yaml.Node, path string) parley.Option {
	if n.Kind == yaml.ScalarNode {
		d.at(path, n)
		return parley.Option{Label: d.str(n, join(path, "label"))}
	}
	o := d.object(n, path, optionKeys)
	if o == nil {
		return parley.Option{}
	}
	var op parley.Option
	if v := o.req("label", "the option's name"); v != nil {
		op.Label = d.str(v, join(path, "label"))
	}
	op.Clause = o.optStr("clause")
	if v := o.opt("not_addressed"); v != nil {
		op.NotAddressed = d.boolean(v, join(path, "not_addressed"))
	}
	d.optionMonitoring(o, &op)
	return op
}

func (d *decoder) party(n *yaml.Node, path string) parley.Party {
	o := d.object(n, path, partyKeys)
	if o == nil {
		return parley.Party{}
	}
	var p parley.Party
	if v := o.req("name", "the party's name"); v != nil {
		p.Name = d.str(v, join(path, "name"))
	}
	p.Description = o.optStr("description")
	if v := o.opt("sources"); v != nil {
		p.Sources = d.cites(v, join(path, "sources"))
	}
	pv, dv := o.opt("preferences"), o.opt("delegation")
	switch {
	case pv != nil && dv != nil:
		d.errorf(dv, join(path, "delegation"), "party %q has both preferences and a delegation; give one", p.Name)
	case pv == nil && dv == nil:
		d.errorf(n, join(path, "preferences"), "party %q needs preferences (a single actor) or a delegation (factions and a rule)", p.Name)
	case pv != nil:
		pr := d.preferences(pv, join(path, "preferences"))
		p.Preferences = &pr
	default:
		p.Delegation = d.delegation(dv, join(path, "delegation"))
	}
	return p
}

func (d *decoder) delegation(n *yaml.Node, path string) *parley.Delegation {
	o := d.object(n, path, delegationKeys)
	if o == nil {
		return nil
	}
	dl := &parley.Delegation{}
	if v := o.req("rule", "the ratification rule: "+enumList(parley.Unanimity, parley.Majority, parley.WeightedQuota, parley.LeaderVeto)); v != nil {
		dl.Rule = d.rule(v, join(path, "rule"))
	}
	if v := o.req("factions", "the delegation's factions"); v != nil {
		fp := join(path, "factions")
		for i, it := range d.list(v, fp) {
			dl.Factions = append(dl.Factions, d.faction(it, index(fp, i)))
		}
	}
	return dl
}

func (d *decoder) ruleKind(n *yaml.Node, path string) (parley.RuleKind, bool) {
	s := d.str(n, path)
	k, ok := ruleKinds[s]
	if !ok && n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		d.errorf(n, path, "unknown rule %q%s; expected one of %s", s, didYouMean(s, keysOf(ruleKinds)), enumList(parley.Unanimity, parley.Majority, parley.WeightedQuota, parley.LeaderVeto))
	}
	return k, ok
}

func (d *decoder) rule(n *yaml.Node, path string) parley.Ratification {
	var r parley.Ratification
	if n.Kind == yaml.ScalarNode {
		d.at(path, n)
		k, ok := d.ruleKind(n, join(path, "kind"))
		if !ok {
			return r
		}
		r.Kind = k
		switch k {
		case parley.WeightedQuota:
			d.errorf(n, path, "rule weighted_quota needs a quota; write {kind: weighted_quota, quota: 0.6}")
		case parley.LeaderVeto:
			d.errorf(n, path, "rule leader_veto needs a leader; write {kind: leader_veto, leader: NAME, vetoes: [NAME, ...]}")
		}
		return r
	}
	o := d.object(n, path, ruleKeys)
	if o == nil {
		return r
	}
	v := o.req("kind", "the rule: "+enumList(parley.Unanimity, parley.Majority, parley.WeightedQuota, parley.LeaderVeto))
	if v == nil {
		return r
	}
	k, ok := d.ruleKind(v, join(path, "kind"))
	if !ok {
		return r
	}
	r.Kind = k
	only := map[string]parley.RuleKind{"quota": parley.WeightedQuota, "leader": parley.LeaderVeto, "vetoes": parley.LeaderVeto}
	for _, key := range []string{"quota", "leader", "vetoes"} {
		if x := o.opt(key); x != nil && only[key] != k {
			d.errorf(x, join(path, key), "%s applies to rule %s only, not %s", key, only[key], k)
		}
	}
	switch k {
	case parley.WeightedQuota:
		if x := o.req("quota", "the share of total faction weight that must accept, in (0, 1]"); x != nil {
			r.Quota, _ = d.num(x, join(path, "quota"))
		}
	case parley.LeaderVeto:
		if x := o.req("leader", "the leading faction"); x != nil {
			r.Leader = d.str(x, join(path, "leader"))
		}
		if x := o.opt("vetoes"); x != nil {
			r.Vetoes = d.strs(x, join(path, "vetoes"))
		}
	}
	r.Sources, r.Assumption = o.basis()
	return r
}

func (d *decoder) faction(n *yaml.Node, path string) parley.Faction {
	o := d.object(n, path, factionKeys)
	if o == nil {
		return parley.Faction{}
	}
	var f parley.Faction
	if v := o.req("name", "the faction's name"); v != nil {
		f.Name = d.str(v, join(path, "name"))
	}
	f.Description = o.optStr("description")
	if v := o.req("weight", "the faction's influence, an estimate"); v != nil {
		f.Weight = d.estimate(v, join(path, "weight"))
	}
	if v := o.opt("sources"); v != nil {
		f.Sources = d.cites(v, join(path, "sources"))
	}
	if v := o.req("preferences", "the faction's preferences"); v != nil {
		f.Preferences = d.preferences(v, join(path, "preferences"))
	}
	return f
}

func (d *decoder) preferences(n *yaml.Node, path string) parley.Preferences {
	o := d.object(n, path, preferencesKeys)
	if o == nil {
		return parley.Preferences{}
	}
	var p parley.Preferences
	if v := o.req("reservation", "the utility of no agreement, an estimate"); v != nil {
		p.Reservation = d.estimate(v, join(path, "reservation"))
	}
	if v := o.opt("discount"); v != nil {
		p.Discount = d.estimate(v, join(path, "discount"))
	}
	if v := o.opt("scale"); v != nil {
		p.Scale, _ = d.num(v, join(path, "scale"))
		if p.Scale == 0 {
			d.errorf(v, join(path, "scale"), "scale must be a positive number, got 0")
		}
	}
	if v := o.opt("issues"); v != nil {
		ip := join(path, "issues")
		for i, it := range d.list(v, ip) {
			p.Issues = append(p.Issues, d.issuePref(it, index(ip, i)))
		}
	}
	if v := o.opt("constraints"); v != nil {
		cp := join(path, "constraints")
		for i, it := range d.list(v, cp) {
			p.Constraints = append(p.Constraints, d.rect(it, index(cp, i)))
		}
	}
	if v := o.opt("red_lines"); v != nil {
		rp := join(path, "red_lines")
		for i, it := range d.list(v, rp) {
			p.RedLines = append(p.RedLines, d.redLine(it, index(rp, i)))
		}
	}
	return p
}

func (d *decoder) issuePref(n *yaml.Node, path string) parley.IssuePref {
	o := d.object(n, path, issuePrefKeys)
	if o == nil {
		return parley.IssuePref{}
	}
	var ip parley.IssuePref
	if v := o.req("issue", "the name of the issue"); v != nil {
		ip.Issue = d.str(v, join(path, "issue"))
	}
	if v := o.req("weight", "the issue's relative importance, an estimate"); v != nil {
		ip.Weight = d.estimate(v, join(path, "weight"))
	}
	if v := o.opt("scale"); v != nil {
		ip.Scale, _ = d.num(v, join(path, "scale"))
		if ip.Scale == 0 {
			d.errorf(v, join(path, "scale"), "scale must be a positive number, got 0")
		}
	}
	if v := o.opt("values"); v != nil {
		vp := join(path, "values")
		d.at(vp, v)
		if v.Kind != yaml.MappingNode {
			d.errorf(v, vp, "expected a mapping of option label to value, got %s", describe(v))
		} else {
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, x := v.Content[i], v.Content[i+1]
				ep := index(vp, i/2)
				d.at(ep, k)
				d.at(join(ep, "option"), k)
				ip.Values = append(ip.Values, parley.OptionValue{Option: k.Value, Value: d.estimate(x, join(ep, "value"))})
			}
		}
	}
	if v := o.opt("function"); v != nil {
		fp := join(path, "function")
		for i, it := range d.list(v, fp) {
			ip.Function = append(ip.Function, d.knot(it, index(fp, i)))
		}
	}
	ip.Sources, ip.Assumption = o.basis()
	return ip
}

func (d *decoder) knot(n *yaml.Node, path string) parley.Point {
	d.at(path, n)
	var p parley.Point
	switch n.Kind {
	case yaml.SequenceNode:
		if len(n.Content) != 2 {
			d.errorf(n, path, "expected a knot [x, y], got a list of %d", len(n.Content))
			return p
		}
		p.X, _ = d.num(n.Content[0], join(path, "x"))
		p.Y, _ = d.num(n.Content[1], join(path, "y"))
	case yaml.MappingNode:
		o := d.object(n, path, knotKeys)
		if v := o.req("x", "the knot's position"); v != nil {
			p.X, _ = d.num(v, join(path, "x"))
		}
		if v := o.req("y", "the knot's value"); v != nil {
			p.Y, _ = d.num(v, join(path, "y"))
		}
	default:
		d.errorf(n, path, "expected a knot [x, y] or {x: ..., y: ...}, got %s", describe(n))
	}
	return p
}

func (d *decoder) conditions(o *obj, what string) []parley.Condition {
	v := o.req("conditions", what)
	if v == nil {
		return nil
	}
	cp := join(o.path, "conditions")
	var out []parley.Condition
	for i, it := range d.list(v, cp) {
		out = append(out, d.condition(it, index(cp, i)))
	}
	return out
}

func (d *decoder) condition(n *yaml.Node, path string) parley.Condition {
	o := d.object(n, path, conditionKeys)
	if o == nil {
		return parley.Condition{}
	}
	var c parley.Condition
	if v := o.req("issue", "the issue the condition restricts"); v != nil {
		c.Issue = d.str(v, join(path, "issue"))
	}
	if v := o.opt("options"); v != nil {
		c.Options = d.strs(v, join(path, "options"))
	}
	if v := o.opt("min"); v != nil {
		x, _ := d.num(v, join(path, "min"))
		c.Min = &x
	}
	if v := o.opt("max"); v != nil {
		x, _ := d.num(v, join(path, "max"))
		c.Max = &x
	}
	if v := o.opt("exclude"); v != nil {
		c.Exclude = d.boolean(v, join(path, "exclude"))
	}
	return c
}

func (d *decoder) rect(n *yaml.Node, path string) parley.Rect {
	o := d.object(n, path, rectKeys)
	if o == nil {
		return parley.Rect{}
	}
	var r parley.Rect
	if v := o.req("utility", "the utility the region earns, an estimate"); v != nil {
		r.Utility = d.estimate(v, join(path, "utility"))
	}
	r.Conditions = d.conditions(o, "the conditions that delimit the region")
	return r
}

func (d *decoder) redLine(n *yaml.Node, path string) parley.RedLine {
	o := d.object(n, path, redLineKeys)
	if o == nil {
		return parley.RedLine{}
	}
	var r parley.RedLine
	if v := o.req("name", "the red line's name"); v != nil {
		r.Name = d.str(v, join(path, "name"))
	}
	r.Description = o.optStr("description")
	r.Sources, r.Assumption = o.basis()
	if v := o.opt("quote"); v != nil {
		qp := join(path, "quote")
		if qo := d.object(v, qp, quoteKeys); qo != nil {
			q := &parley.Quote{}
			if x := qo.req("source", "the id of the source quoted"); x != nil {
				q.Source = d.str(x, join(qp, "source"))
			}
			if x := qo.req("text", "the words quoted, exactly as the source has them"); x != nil {
				q.Text = d.str(x, join(qp, "text"))
			}
			r.Quote = q
		}
	}
	r.Conditions = d.conditions(o, "the outcomes the red line excludes")
	return r
}

func (d *decoder) role(n *yaml.Node, path string) parley.Role {
	o := d.object(n, path, roleKeys)
	if o == nil {
		return parley.Role{}
	}
	var r parley.Role
	if v := o.req("name", "the actor's name"); v != nil {
		r.Name = d.str(v, join(path, "name"))
	}
	if v := o.req("kind", "one of "+enumList(parley.Mediator, parley.Guarantor, parley.Observer, parley.Handler)); v != nil {
		s := d.str(v, join(path, "kind"))
		k, ok := roleKinds[s]
		if !ok && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			d.errorf(v, join(path, "kind"), "unknown role kind %q%s; expected one of %s", s, didYouMean(s, keysOf(roleKinds)), enumList(parley.Mediator, parley.Guarantor, parley.Observer, parley.Handler))
		}
		r.Kind = k
	}
	r.Description = o.optStr("description")
	r.Sources, r.Assumption = o.basis()
	if v := o.opt("needed"); v != nil {
		np := join(path, "needed")
		for i, it := range d.list(v, np) {
			r.Needed = append(r.Needed, d.condition(it, index(np, i)))
		}
	}
	if v := o.opt("consents"); v != nil {
		cp := join(path, "consents")
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag == "!!bool":
			b := d.boolean(v, cp)
			r.Consents = &b
		case v.Kind == yaml.MappingNode || (v.Kind == yaml.ScalarNode && (v.Tag == "!!int" || v.Tag == "!!float")):
			e := d.estimate(v, cp)
			r.ConsentProbability = &e
		default:
			d.errorf(v, cp, "expected true, false, or the probability that the role signs (a number in [0, 1] or {value, range, sources, assumption}), got %s", describe(v))
		}
	}
	return r
}

func (d *decoder) variant(n *yaml.Node, path string) variantDef {
	def := variantDef{node: n}
	o := d.object(n, path, variantKeys)
	if o == nil {
		return def
	}
	if v := o.req("name", "the variant's name"); v != nil {
		def.v.Name = d.str(v, join(path, "name"))
	}
	def.v.Description = o.optStr("description")
	def.v.Sources, def.v.Assumption = o.basis()
	def.v.Extends = o.optStr("extends")
	def.extends = o.opt("extends")
	if v := o.opt("prior"); v != nil {
		e := d.estimate(v, join(path, "prior"))
		def.v.Prior = &e
	}
	if v := o.opt("override"); v != nil {
		op := join(path, "override")
		d.at(op, v)
		if v.Kind != yaml.MappingNode {
			d.errorf(v, op, "expected a mapping (a partial scenario), got %s", describe(v))
		} else {
			for i := 0; i+1 < len(v.Content); i += 2 {
				k := v.Content[i]
				switch {
				case k.Value == "id" || k.Value == "variants":
					d.errorf(k, join(op, k.Value), "a variant cannot override %s", k.Value)
				case !contains(scenarioKeys, k.Value):
					d.errorf(k, join(op, k.Value), "unknown key %q%s; expected one of %s", k.Value, didYouMean(k.Value, scenarioKeys), strings.Join(scenarioKeys[1:len(scenarioKeys)-1], ", "))
				}
			}
			def.override = v
		}
	}
	return def
}

func keysOf[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// integer decodes a whole number.
func (d *decoder) integer(n *yaml.Node, path string) int {
	f, ok := d.num(n, path)
	if ok && (f != float64(int(f)) || f > 1<<31 || f < -(1<<31)) {
		d.errorf(n, path, "expected a whole number, got %v", f)
		return 0
	}
	return int(f)
}

func (d *decoder) simulation(n *yaml.Node, path string) *parley.SimulationSpec {
	o := d.object(n, path, simulationKeys)
	if o == nil {
		return nil
	}
	sp := &parley.SimulationSpec{}
	if v := o.req("protocol", parley.ProtocolChoices()); v != nil {
		sp.Protocol = parley.ProtocolName(d.str(v, join(path, "protocol")))
	}
	if v := o.req("rounds", "the deadline in rounds"); v != nil {
		sp.Rounds = d.integer(v, join(path, "rounds"))
	}
	if v := o.opt("agenda"); v != nil {
		sp.Agenda = d.strs(v, join(path, "agenda"))
	}
	if v := o.opt("calendar"); v != nil {
		cp := join(path, "calendar")
		for i, it := range d.list(v, cp) {
			f, _ := d.num(it, index(cp, i))
			sp.Calendar = append(sp.Calendar, f)
		}
	}
	if v := o.opt("hours_per_round"); v != nil {
		sp.HoursPerRound, _ = d.num(v, join(path, "hours_per_round"))
	}
	if v := o.opt("max_extensions"); v != nil {
		sp.MaxExtensions = d.integer(v, join(path, "max_extensions"))
	}
	sp.Mediator = o.optStr("mediator")
	if v := o.opt("agents"); v != nil {
		ap := join(path, "agents")
		for i, it := range d.list(v, ap) {
			if a, ok := d.agentSpec(it, index(ap, i)); ok {
				sp.Agents = append(sp.Agents, a)
			}
		}
	}
	if v := o.opt("principals"); v != nil {
		pp := join(path, "principals")
		for i, it := range d.list(v, pp) {
			if a, ok := d.principalSpec(it, index(pp, i)); ok {
				sp.Principals = append(sp.Principals, a)
			}
		}
	}
	if v := o.opt("reported"); v != nil {
		sp.Reported = d.reported(v, join(path, "reported"))
	}
	sp.Sources, sp.Assumption = o.basis()
	return sp
}

// agentSpec reads one simulation agent (at ip): the party and its agent
// spec. It reports false when n is not an object.
func (d *decoder) agentSpec(n *yaml.Node, ip string) (parley.AgentSpec, bool) {
	var a parley.AgentSpec
	io := d.object(n, ip, agentSpecKeys)
	if io == nil {
		return a, false
	}
	if v := io.req("party", "the party's name"); v != nil {
		a.Party = d.str(v, join(ip, "party"))
	}
	if v := io.req("agent", "an agent spec such as boulware or delegate:concede=0.5"); v != nil {
		a.Agent = d.str(v, join(ip, "agent"))
	}
	a.Sources, a.Assumption = io.basis()
	return a, true
}

// principalSpec reads one simulation principal (at ip): the delegation,
// the faction and its agent spec. It reports false when n is not an
// object.
func (d *decoder) principalSpec(n *yaml.Node, ip string) (parley.PrincipalSpec, bool) {
	var a parley.PrincipalSpec
	io := d.object(n, ip, principalKeys)
	if io == nil {
		return a, false
	}
	if v := io.req("party", "the delegation's name"); v != nil {
		a.Party = d.str(v, join(ip, "party"))
	}
	if v := io.req("faction", "the faction's name"); v != nil {
		a.Faction = d.str(v, join(ip, "faction"))
	}
	if v := io.req("agent", "a principal agent spec such as watchdog"); v != nil {
		a.Agent = d.str(v, join(ip, "agent"))
	}
	a.Sources, a.Assumption = io.basis()
	return a, true
}

// reported reads how the sources say the talks ended (at rp); nil when n
// is not an object.
func (d *decoder) reported(n *yaml.Node, rp string) *parley.ReportedEnd {
	ro := d.object(n, rp, reportedKeys)
	if ro == nil {
		return nil
	}
	r := &parley.ReportedEnd{}
	if x := ro.req("end", "how the sources say the talks ended: agreement, deadline or walk_out"); x != nil {
		e := d.str(x, join(rp, "end"))
		if err := r.End.UnmarshalText([]byte(e)); err != nil && x.Kind == yaml.ScalarNode && x.Tag != "!!null" {
			d.errorf(x, join(rp, "end"), "unknown end %q%s; expected one of agreement, deadline, walk_out", e, didYouMean(e, []string{"agreement", "deadline", "walk_out"}))
		}
	}
	r.Description = ro.optStr("description")
	r.Sources, r.Assumption = ro.basis()
	return r
}

package report

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
)

// This file builds the analysis page (HTML): the scenario's parties and
// issues, the outcome space in utility space, the zone of agreement, the
// blocking analysis, the bargaining solutions as clauses, the trade hints
// and, when given, the sensitivity analysis. The markup is in
// templates/analysis.html.

// HTMLOptions tune the analysis page.
type HTMLOptions struct {
	// Samples is the number of outcomes drawn for the cloud of the scatter
	// plots; 0 (or less) means DefaultSamples, and more than MaxSamples is
	// cut to MaxSamples. When the outcome space has at most Samples
	// outcomes, all of them are drawn.
	Samples int
	// Seed seeds the sampling (math/rand/v2 PCG): the same report, model and
	// options give byte-identical output.
	Seed uint64
	// Sensitivity, when set, adds the sensitivity analysis: a tornado
	// chart and the ranked table.
	Sensitivity *analysis.Sensitivity
}

// Limits of the analysis page.
const (
	// DefaultSamples is the number of outcomes drawn when
	// HTMLOptions.Samples is 0.
	DefaultSamples = 4000
	// MaxSamples bounds HTMLOptions.Samples, which bounds the document size.
	MaxSamples = 50000
	// MaxFrontierDrawn is the number of Pareto points drawn per plot at
	// most; longer frontiers are thinned to evenly spaced points.
	MaxFrontierDrawn = 2000
)

// HTML writes the analysis page of rep: a self-contained HTML document (no
// external assets, no JavaScript; inline CSS and SVG).
//
// It shows the scenario's parties and issues, the outcome space in the
// parties' utility space (for three or more parties, a matrix of every
// pair) with the zone of agreement, the Pareto frontier, the reservation
// values and the bargaining solutions, then the zone, the blocking
// analysis, the solutions written as clauses and the trade hints. m must be
// the model rep was computed from; when it is nil, the plots (which
// evaluate outcomes) are left out. All text is escaped; the document is
// also well-formed XML after its doctype.
func HTML(w io.Writer, rep *analysis.Report, m *parley.Model, opt HTMLOptions) error {
	if rep == nil {
		return errors.New("report: HTML: nil report")
	}
	if err := render(w, "analysis.html", buildAnalysis(rep, m, opt)); err != nil {
		return fmt.Errorf("report: HTML: %w", err)
	}
	return nil
}

// analysisView is everything the analysis page shows, precomputed and
// plain.
type analysisView struct {
	page
	Title, ID, Variant, Description string
	Outcomes                        string
	ParetoCount, ParetoMethod       string
	ParetoExact                     bool
	Parties                         []partyView
	Roles                           []roleView
	Issues                          []issueView
	PartyNames                      []string

	Plots       *outcomesView
	PlotNote    string // why there is no plot
	CloudNote   string
	FrontNote   string
	Zone        zoneView
	Blocking    []blockView
	Solutions   []solutionView
	ZoneEmpty   bool
	Trades      []tradeView
	Notes       []string
	Scenario    []string // analyst notes
	Account     []string // whose account: variant, sources, leanings
	Assumptions []string // the analyst's assumptions the results rest on
	Sensitivity *sensitivityView
}

type partyView struct {
	Name, Description, Reservation, Rule string
	Factions                             []factionView
	RedLines                             []string
}

type factionView struct {
	Name, Weight, Reservation string
	RedLines                  []string
}

type roleView struct{ Name, Kind, Consents string }

type issueView struct {
	Name, Kind, Description string
	Options                 []optionView
	More                    int // options left out
}

type optionView struct {
	Label, Clause string
	NotAddressed  bool
}

type zoneView struct {
	Empty   bool
	Size    string
	Exact   bool
	Approx  string
	Why     []string
	Witness []string
	RestsOn []string
}

type blockView struct {
	Kind, Party, Principal, What, Opens, Change string
	OpensZone                                   bool
	RestsOn                                     string
}

type solutionView struct {
	Name    string
	Icon    template.HTML
	Utils   []string
	Clauses []string
	Missing bool
}

type tradeView struct {
	A, B, IssueA, IssueB  string
	WA, WB, WAOther, WBOt string
	Score                 string
}

// solutionKinds are the bargaining solutions, in the order they are listed.
var solutionKinds = []struct {
	name, short, class, marker string
	get                        func(*analysis.Report) *analysis.Solution
}{
	{"Nash", "Nash", "s-nash", "circle", func(r *analysis.Report) *analysis.Solution { return r.Nash }},
	{"Kalai–Smorodinsky", "KS", "s-ks", "diamond", func(r *analysis.Report) *analysis.Solution { return r.KalaiSmorodinsky }},
	{"Maximum welfare", "MW", "s-mw", "square", func(r *analysis.Report) *analysis.Solution { return r.MaxWelfare }},
	{"Egalitarian", "Eg", "s-eg", "triangle", func(r *analysis.Report) *analysis.Solution { return r.Egalitarian }},
}

func buildAnalysis(rep *analysis.Report, m *parley.Model, opt HTMLOptions) *analysisView {
	v := &analysisView{
		page:         newPage(),
		Title:        rep.Title,
		ID:           rep.Scenario,
		Variant:      rep.Variant,
		Outcomes:     bigCount(rep.Outcomes),
		ParetoCount:  count(len(rep.Pareto)),
		ParetoMethod: rep.ParetoMethod,
		ParetoExact:  rep.ParetoExact,
		Notes:        Notes(rep),
		ZoneEmpty:    rep.Zone.Empty,
		Account:      AccountLines(rep.Account),
	}
	for _, a := range rep.Assumptions {
		v.Assumptions = append(v.Assumptions, Assumption(a))
	}
	if rep.AssumedEstimates > 0 {
		v.Assumptions = append(v.Assumptions, fmt.Sprintf("%d estimates are labelled assumptions (parley analyze --sensitivity shows which ones matter).", rep.AssumedEstimates))
	}
	if opt.Sensitivity != nil {
		v.Sensitivity = buildSensitivity(opt.Sensitivity)
	}
	if v.Title == "" {
		v.Title = rep.Scenario
	}
	if v.Title == "" {
		v.Title = "Negotiation analysis"
	}
	var sc *parley.Scenario
	if m != nil {
		sc = m.Scenario
	}
	if sc != nil {
		v.Description = sc.Description
		v.Scenario = append(append([]string(nil), sc.Notes...), sc.Warnings...)
		if v.Outcomes == "" {
			v.Outcomes = bigCount(m.Size())
		}
	}
	for _, p := range rep.Parties {
		v.PartyNames = append(v.PartyNames, p.Name)
	}
	v.Parties = partyViews(rep, sc)
	v.Roles = roleViews(rep)
	v.Issues = issueViews(rep, sc)
	v.Zone = buildZone(rep, m)
	for _, b := range rep.Blocking {
		v.Blocking = append(v.Blocking, buildBlock(b))
	}
	v.Solutions = solutionViews(rep, m)
	v.Trades = tradeViews(rep)
	outcomeSpace(v, rep, m, opt)
	return v
}

// roleViews lists the roles with what is known of their consent.
func roleViews(rep *analysis.Report) []roleView {
	var out []roleView
	for _, r := range rep.Roles {
		rv := roleView{Name: r.Name, Kind: r.Kind, Consents: "—"}
		if r.Consents != nil {
			rv.Consents = yesNo(*r.Consents)
		}
		if r.ConsentProbability != nil {
			rv.Consents = fmt.Sprintf("unknown (chance %s assumed)", num(*r.ConsentProbability))
		}
		out = append(out, rv)
	}
	return out
}

// solutionViews lists every bargaining solution kind, its utilities and
// clauses, or that it is missing.
func solutionViews(rep *analysis.Report, m *parley.Model) []solutionView {
	var out []solutionView
	for _, k := range solutionKinds {
		s := k.get(rep)
		sv := solutionView{Name: k.name, Icon: markerIcon(k.marker, k.class)}
		if s == nil {
			sv.Missing = true
		} else {
			for _, u := range s.Utilities {
				sv.Utils = append(sv.Utils, num(u))
			}
			sv.Clauses = solutionClauses(rep, m, s)
		}
		out = append(out, sv)
	}
	return out
}

// tradeViews lists the well-formed trade hints (two parties, two issues,
// a 2×2 weight table).
func tradeViews(rep *analysis.Report) []tradeView {
	var out []tradeView
	for _, t := range rep.TradeHints {
		if len(t.Parties) < 2 || len(t.Issues) < 2 || len(t.Weight) < 2 || len(t.Weight[0]) < 2 || len(t.Weight[1]) < 2 {
			continue
		}
		out = append(out, tradeView{
			A: t.Parties[0], B: t.Parties[1], IssueA: t.Issues[0], IssueB: t.Issues[1],
			WA: pct(t.Weight[0][0]), WBOt: pct(t.Weight[1][0]),
			WB: pct(t.Weight[1][1]), WAOther: pct(t.Weight[0][1]),
			Score: strconv.FormatFloat(t.Score, 'f', 3, 64),
		})
	}
	return out
}

func partyViews(rep *analysis.Report, sc *parley.Scenario) []partyView {
	// Red-line descriptions, by principal and red-line name.
	desc := map[[2]string]string{}
	partyDesc := map[string]string{}
	if sc != nil {
		for i := range sc.Parties {
			p := &sc.Parties[i]
			partyDesc[p.Name] = p.Description
			for _, f := range p.Principals() {
				for _, rl := range f.Preferences.RedLines {
					desc[[2]string{f.Name, rl.Name}] = rl.Description
				}
			}
		}
	}
	redLines := func(principal string, names []string) []string {
		var out []string
		for _, n := range names {
			if d := desc[[2]string{principal, n}]; d != "" {
				n += " — " + d
			}
			out = append(out, n)
		}
		return out
	}
	var out []partyView
	for _, p := range rep.Parties {
		pv := partyView{Name: p.Name, Description: partyDesc[p.Name], Reservation: num(p.Reservation), Rule: p.Rule}
		if len(p.Factions) > 0 && pv.Rule == "" {
			pv.Rule = "unanimity"
		}
		for _, f := range p.Factions {
			pv.Factions = append(pv.Factions, factionView{
				Name: f.Name, Weight: pct(f.Weight), Reservation: num(f.Reservation),
				RedLines: redLines(f.Name, f.RedLines),
			})
		}
		pv.RedLines = redLines(p.Name, p.RedLines)
		out = append(out, pv)
	}
	return out
}

// maxOptionsListed bounds the options listed per issue.
const maxOptionsListed = 24

func issueViews(rep *analysis.Report, sc *parley.Scenario) []issueView {
	var out []issueView
	if sc != nil {
		for i := range sc.Issues {
			is := &sc.Issues[i]
			iv := issueView{Name: is.Name, Kind: is.Kind.String(), Description: is.Description}
			for k, o := range is.Options {
				if k == maxOptionsListed {
					iv.More = len(is.Options) - k
					break
				}
				iv.Options = append(iv.Options, optionView{Label: o.Label, Clause: o.Clause, NotAddressed: o.NotAddressed})
			}
			out = append(out, iv)
		}
		return out
	}
	for _, is := range rep.Issues {
		iv := issueView{Name: is.Name, Kind: is.Kind}
		for k, o := range is.Options {
			if k == maxOptionsListed {
				iv.More = len(is.Options) - k
				break
			}
			iv.Options = append(iv.Options, optionView{Label: o})
		}
		out = append(out, iv)
	}
	return out
}

func buildZone(rep *analysis.Report, m *parley.Model) zoneView {
	z := rep.Zone
	zv := zoneView{Empty: z.Empty, Exact: z.Exact, Size: bigCount(z.Size), Why: Why(rep)}
	for _, a := range z.RestsOn {
		zv.RestsOn = append(zv.RestsOn, Assumption(a))
	}
	if !z.Exact && z.Estimate > 0 {
		zv.Approx = approx(z.Estimate)
	}
	if z.Witness != nil {
		zv.Witness = solutionClauses(rep, m, z.Witness)
	}
	return zv
}

func buildBlock(b analysis.Block) blockView {
	bv := blockView{Kind: strings.ReplaceAll(b.Kind, "_", " "), Party: b.Party, Principal: b.Principal, OpensZone: b.OpensZone, Change: "—"}
	switch {
	case b.RedLine != "":
		bv.What = b.RedLine
		if len(b.Holders) > 1 {
			bv.Principal = holderNames(b.Holders)
			bv.What += " (shared)"
		}
	case b.Role != "":
		bv.What = b.Role
		if b.Consent == analysis.ConsentUncertain {
			bv.What += " (consent uncertain)"
		}
	}
	bv.RestsOn = strings.TrimSpace(tags(b.RestsOn))
	bv.Opens = "no"
	if b.OpensZone {
		bv.Opens = "yes"
		if b.ZoneSize != nil {
			bv.Opens += " (" + bigCount(b.ZoneSize) + " outcomes)"
		}
	}
	if b.ReservationChange != nil {
		bv.Change = signed(*b.ReservationChange)
	}
	return bv
}

// solutionClauses writes a solution's outcome as agreement text, one clause
// per issue: the option's Clause when it has one, else "issue: label".
func solutionClauses(rep *analysis.Report, m *parley.Model, s *analysis.Solution) []string {
	var sc *parley.Scenario
	if m != nil {
		sc = m.Scenario
	}
	if sc == nil {
		// No model: the report's values, in the report's issue order.
		var out []string
		for _, is := range rep.Issues {
			if v, ok := s.Outcome[is.Name]; ok {
				out = append(out, is.Name+": "+fmt.Sprint(v))
			}
		}
		return out
	}
	raw := s.Raw()
	if len(raw) != len(sc.Issues) {
		raw = nil
	}
	var out []string
	for i := range sc.Issues {
		is := &sc.Issues[i]
		k := -1
		if raw != nil {
			k = raw[i]
		} else if val, ok := s.Outcome[is.Name]; ok {
			k = optionOf(is, val)
			if k < 0 {
				out = append(out, is.Name+": "+fmt.Sprint(val))
				continue
			}
		}
		if k < 0 || k >= len(is.Options) {
			continue
		}
		if c := is.Options[k].Clause; c != "" {
			out = append(out, c)
		} else {
			out = append(out, is.Name+": "+is.Options[k].Label)
		}
	}
	return out
}

// optionOf finds the option an outcome value (label or number, as in
// analysis.Values) stands for, or -1.
func optionOf(is *parley.Issue, val any) int {
	var x float64
	switch t := val.(type) {
	case string:
		return is.OptionIndex(t)
	case int64:
		x = float64(t)
	case int:
		x = float64(t)
	case float64:
		x = t
	default:
		return is.OptionIndex(fmt.Sprint(val))
	}
	for k, o := range is.Options {
		if !o.NotAddressed && o.Value == x {
			return k
		}
	}
	return is.OptionIndex(strconv.FormatFloat(x, 'g', -1, 64))
}

// ---------------------------------------------------------------------------
// The outcome space.

// sampleOutcomes returns the outcomes drawn, as two layers: outside and
// inside the zone of agreement. It enumerates the outcome space when it has
// at most samples outcomes and otherwise draws samples outcomes uniformly
// at random, with replacement, from a PCG seeded with seed.
func sampleOutcomes(m *parley.Model, samples int, seed uint64) (out, in *dotLayer, sampled bool) {
	n := len(m.Parties)
	out = &dotLayer{class: "cloud", title: "outcome outside the zone of agreement", n: n}
	in = &dotLayer{class: "zone", title: "outcome in the zone of agreement", n: n}
	add := func(o parley.Outcome) {
		l := out
		if m.InZone(o) {
			l = in
		}
		for p := range m.Parties {
			l.u = append(l.u, utilityOf(m, p, o))
		}
	}
	total := m.Size()
	if total.IsInt64() && total.Int64() <= int64(samples) {
		for o := range m.Outcomes() {
			add(o)
		}
		return out, in, false
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	o := make(parley.Outcome, len(m.Sizes))
	for s := 0; s < samples; s++ {
		for i, k := range m.Sizes {
			o[i] = r.IntN(k)
		}
		add(o)
	}
	return out, in, true
}

// outcomeSpace fills v's plots and their notes.
func outcomeSpace(v *analysisView, rep *analysis.Report, m *parley.Model, opt HTMLOptions) {
	if m == nil {
		v.PlotNote = "No model was given, so the outcome space is not plotted."
		return
	}
	np := len(m.Parties)
	if np < 2 {
		v.PlotNote = "The outcome space is plotted for two or more parties."
		return
	}
	samples := opt.Samples
	if samples <= 0 {
		samples = DefaultSamples
	}
	samples = min(samples, MaxSamples)
	outside, inside, sampled := sampleOutcomes(m, samples, opt.Seed)
	drawn := outside.size() + inside.size()
	if sampled {
		v.CloudNote = fmt.Sprintf("Dots: sampled %s of %s outcomes, uniformly at random (seed %d).", count(drawn), bigCount(m.Size()), opt.Seed)
	} else {
		v.CloudNote = fmt.Sprintf("Dots: all %s outcomes.", bigCount(m.Size()))
	}
	v.CloudNote += fmt.Sprintf(" %s of them are in the zone of agreement (coloured), %s outside it (grey). Outcomes with the same utilities share a dot.", count(inside.size()), count(outside.size()))

	var front [][]float64
	for _, p := range rep.Pareto {
		if len(p.Utilities) >= np {
			front = append(front, p.Utilities)
		}
	}
	if len(front) > MaxFrontierDrawn {
		v.FrontNote = fmt.Sprintf("The Pareto frontier has %s points; %s evenly spaced ones along it are drawn.", count(len(front)), count(MaxFrontierDrawn))
		front = thinFrontier(front, MaxFrontierDrawn)
	}
	if !rep.ParetoExact && len(front) > 0 {
		v.FrontNote = strings.TrimSpace(v.FrontNote + " The frontier is bounded, not exact: its points are non-dominated among those the search found.")
	}
	if np > 2 {
		v.FrontNote = strings.TrimSpace(v.FrontNote + " Each panel projects the outcomes onto two parties' utilities; frontier points are not joined because the projection of a Pareto frontier is not a curve.")
	}
	op := &outcomePlot{id: "space", layers: []*dotLayer{outside, inside}, front: front, connect: np == 2}
	for p := range m.Parties {
		op.names = append(op.names, m.Parties[p].Name)
	}
	if len(rep.Reservations) >= np {
		op.res = rep.Reservations
	}
	for _, k := range solutionKinds {
		if s := k.get(rep); s != nil && len(s.Utilities) >= np {
			pt := point{name: k.short, long: k.name + " solution", kind: k.marker, class: k.class, r: 6, u: s.Utilities}
			if k.short != k.name {
				pt.legend = pt.long + " (" + k.short + ")"
			}
			op.points = append(op.points, pt)
		}
	}
	v.Plots = op.view()
}

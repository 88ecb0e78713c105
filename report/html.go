package report

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
)

// HTMLOptions tune the HTML report.
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

// Limits of the HTML report.
const (
	// DefaultSamples is the number of outcomes drawn when
	// HTMLOptions.Samples is 0.
	DefaultSamples = 4000
	// MaxSamples bounds HTMLOptions.Samples, which bounds the document size.
	MaxSamples = 50000
	// MaxFrontierDrawn is the number of Pareto points drawn per plot at
	// most; longer frontiers are thinned to evenly spaced points.
	MaxFrontierDrawn = 2000
	// MaxPairPlots is the number of small pairwise plots drawn at most
	// (21 pairs: seven parties).
	MaxPairPlots = 21
)

// HTML writes a self-contained HTML report (no external assets, no JavaScript needed; inline CSS and inline SVG).
//
// It shows the scenario's parties and issues, a scatter plot of the outcome
// space in the utility space of the first two parties (and, with three or
// more parties, one small plot per other pair) with the zone of agreement,
// the Pareto frontier, the reservation values and the bargaining solutions,
// then the zone, the blocking analysis, the solutions written as clauses and
// the trade hints. m must be the model rep was computed from; when it is
// nil, the plots (which evaluate outcomes) are left out. All text is
// escaped; the document is also well-formed XML after its doctype.
func HTML(w io.Writer, rep *analysis.Report, m *parley.Model, opt HTMLOptions) error {
	if rep == nil {
		return errors.New("report: HTML: nil report")
	}
	v := hbuildView(rep, m, opt)
	if err := htmlTemplate().Execute(w, v); err != nil {
		return fmt.Errorf("report: HTML: %w", err)
	}
	return nil
}

// ---------------------------------------------------------------------------
// View model: everything the template shows, precomputed and plain.
//
// Unexported helpers of this file start with "h" so that they do not clash
// with those of the text report in the same package.

type htmlView struct {
	Title, ID, Variant, Description string
	Outcomes                        string
	ParetoCount, ParetoMethod       string
	ParetoExact                     bool
	Parties                         []partyView
	Roles                           []roleView
	Issues                          []issueView
	PartyNames                      []string

	Main       *plotView
	Pairs      []*plotView
	PairsNote  string
	PlotNote   string // why there is no plot
	CloudNote  string
	FrontNote  string
	Legend     []hlegendItem
	Zone       zoneView
	Blocking   []blockView
	Solutions  []solutionView
	ZoneEmpty  bool
	Trades     []tradeView
	Notes      []string
	Scenario   []string // analyst notes
	HasFaction bool

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
	Name, Short, Class string
	Icon               template.HTML
	Utilities          []string
	Clauses            []string
	Missing            bool
}

type tradeView struct {
	A, B, IssueA, IssueB  string
	WA, WB, WAOther, WBOt string
	Score                 string
}

type hlegendItem struct {
	Label string
	Icon  template.HTML
}

// plotView is one SVG scatter plot, with every coordinate precomputed.
type plotView struct {
	W, H                    int
	Left, Top, Right, Bot   float64
	XTitle, YTitle          string
	XTitleX, XTitleY        float64
	YTitleX, YTitleY        float64
	XTicks, YTicks          []htick
	CloudD, ZoneD           string
	FrontLine, FrontD       string
	ResX, ResY              *hresLine
	Marks                   []hmark
	Labels                  []hlabel
	Small                   bool
	DotW, ZoneW, FrontW     float64 // dot diameters
	ClipID                  string
	ClipX, ClipY, ClipW, H2 float64
}

type htick struct {
	Pos   float64 // pixel position along its axis
	Text  string
	TX    float64 // label position
	TY    float64
	Other float64 // for grid lines: the other end
}

type hresLine struct {
	X1, Y1, X2, Y2 float64
	Text           string
	TX, TY         float64
	Anchor         string
}

type hmark struct {
	D, Class, Title string
}

type hlabel struct {
	X, Y   float64
	Anchor string
	Text   string
}

// hsolutionKinds are the bargaining solutions, in the order they are listed.
var hsolutionKinds = []struct {
	name, short, class, marker string
	get                        func(*analysis.Report) *analysis.Solution
}{
	{"Nash", "Nash", "s-nash", "circle", func(r *analysis.Report) *analysis.Solution { return r.Nash }},
	{"Kalai–Smorodinsky", "KS", "s-ks", "diamond", func(r *analysis.Report) *analysis.Solution { return r.KalaiSmorodinsky }},
	{"Maximum welfare", "max welfare", "s-mw", "square", func(r *analysis.Report) *analysis.Solution { return r.MaxWelfare }},
	{"Egalitarian", "egalitarian", "s-eg", "triangle", func(r *analysis.Report) *analysis.Solution { return r.Egalitarian }},
}

func hbuildView(rep *analysis.Report, m *parley.Model, opt HTMLOptions) *htmlView {
	v := &htmlView{
		Title:        rep.Title,
		ID:           rep.Scenario,
		Variant:      rep.Variant,
		Outcomes:     hbig(rep.Outcomes),
		ParetoCount:  hgroupDigits(strconv.Itoa(len(rep.Pareto))),
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
		v.Sensitivity = hsensitivityView(opt.Sensitivity)
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
			v.Outcomes = hbig(m.Size())
		}
	}
	for _, p := range rep.Parties {
		v.PartyNames = append(v.PartyNames, p.Name)
	}
	v.Parties = hpartyViews(rep, sc)
	for _, p := range v.Parties {
		if len(p.Factions) > 0 {
			v.HasFaction = true
		}
	}
	for _, r := range rep.Roles {
		rv := roleView{Name: r.Name, Kind: r.Kind, Consents: "—"}
		if r.Consents != nil {
			rv.Consents = hyesNo(*r.Consents)
		}
		if r.ConsentProbability != nil {
			rv.Consents = fmt.Sprintf("unknown (chance %s assumed)", hnum(*r.ConsentProbability))
		}
		v.Roles = append(v.Roles, rv)
	}
	v.Issues = hissueViews(rep, sc)
	v.Zone = hzoneView(rep, m)
	for _, b := range rep.Blocking {
		v.Blocking = append(v.Blocking, hblockView(b))
	}
	for _, k := range hsolutionKinds {
		s := k.get(rep)
		sv := solutionView{Name: k.name, Short: k.short, Class: k.class, Icon: hicon(k.marker, k.class)}
		if s == nil {
			sv.Missing = true
		} else {
			for _, u := range s.Utilities {
				sv.Utilities = append(sv.Utilities, hnum(u))
			}
			sv.Clauses = hclauses(rep, m, s)
		}
		v.Solutions = append(v.Solutions, sv)
	}
	for _, t := range rep.TradeHints {
		if len(t.Parties) < 2 || len(t.Issues) < 2 || len(t.Weight) < 2 || len(t.Weight[0]) < 2 || len(t.Weight[1]) < 2 {
			continue
		}
		v.Trades = append(v.Trades, tradeView{
			A: t.Parties[0], B: t.Parties[1], IssueA: t.Issues[0], IssueB: t.Issues[1],
			WA: hpct(t.Weight[0][0]), WBOt: hpct(t.Weight[1][0]),
			WB: hpct(t.Weight[1][1]), WAOther: hpct(t.Weight[0][1]),
			Score: strconv.FormatFloat(t.Score, 'f', 3, 64),
		})
	}
	v.Legend = []hlegendItem{
		{"outcome", template.HTML(`<svg class="icon" width="16" height="16" viewBox="0 0 16 16"><path class="cloud" stroke-width="5" d="M8 8h0"/></svg>`)},
		{"outcome in the zone of agreement", template.HTML(`<svg class="icon" width="16" height="16" viewBox="0 0 16 16"><path class="zone" stroke-width="5.5" d="M8 8h0"/></svg>`)},
		{"Pareto frontier", template.HTML(`<svg class="icon" width="24" height="16" viewBox="0 0 24 16"><polyline class="front-line" points="1,13 12,6 23,3"/><path class="front-pt" stroke-width="5" d="M1 13h0M12 6h0M23 3h0"/></svg>`)},
		{"reservation value (no agreement)", template.HTML(`<svg class="icon" width="24" height="16" viewBox="0 0 24 16"><line class="res" x1="0" y1="8" x2="24" y2="8"/></svg>`)},
	}
	for _, k := range hsolutionKinds {
		v.Legend = append(v.Legend, hlegendItem{k.name + " solution", hicon(k.marker, k.class)})
	}
	hplots(v, rep, m, opt)
	return v
}

func hpartyViews(rep *analysis.Report, sc *parley.Scenario) []partyView {
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
		pv := partyView{Name: p.Name, Description: partyDesc[p.Name], Reservation: hnum(p.Reservation), Rule: p.Rule}
		if len(p.Factions) > 0 && pv.Rule == "" {
			pv.Rule = "unanimity"
		}
		for _, f := range p.Factions {
			pv.Factions = append(pv.Factions, factionView{
				Name: f.Name, Weight: hpct(f.Weight), Reservation: hnum(f.Reservation),
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

func hissueViews(rep *analysis.Report, sc *parley.Scenario) []issueView {
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

func hzoneView(rep *analysis.Report, m *parley.Model) zoneView {
	z := rep.Zone
	zv := zoneView{Empty: z.Empty, Exact: z.Exact, Size: hbig(z.Size), Why: Why(rep)}
	for _, a := range z.RestsOn {
		zv.RestsOn = append(zv.RestsOn, Assumption(a))
	}
	if !z.Exact && z.Estimate > 0 {
		zv.Approx = happrox(z.Estimate)
	}
	if z.Witness != nil {
		zv.Witness = hclauses(rep, m, z.Witness)
	}
	return zv
}

func hblockView(b analysis.Block) blockView {
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
			bv.Opens += " (" + hbig(b.ZoneSize) + " outcomes)"
		}
	}
	if b.ReservationChange != nil {
		bv.Change = strconv.FormatFloat(*b.ReservationChange, 'f', 3, 64)
		if *b.ReservationChange > 0 {
			bv.Change = "+" + bv.Change
		}
	}
	return bv
}

// hclauses writes a solution's outcome as agreement text, one clause per
// issue: the option's Clause when it has one, else "issue: label".
func hclauses(rep *analysis.Report, m *parley.Model, s *analysis.Solution) []string {
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
			k = hoptionOf(is, val)
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

// hoptionOf finds the option an outcome value (label or number, as in
// analysis.Values) stands for, or -1.
func hoptionOf(is *parley.Issue, val any) int {
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
// Plots.

// hcloud is the set of outcomes drawn: their utilities (row-major, one row
// per outcome) and whether each is in the zone of agreement.
type hcloud struct {
	n    int // parties
	u    []float64
	in   []bool
	size int
}

func (c *hcloud) at(k, p int) float64 { return c.u[k*c.n+p] }

// hsampleCloud enumerates the outcome space when it has at most samples
// outcomes and otherwise draws samples outcomes uniformly at random, with
// replacement, from a PCG seeded with seed.
func hsampleCloud(m *parley.Model, samples int, seed uint64) (c *hcloud, sampled bool) {
	n := len(m.Parties)
	c = &hcloud{n: n}
	add := func(o parley.Outcome) {
		for p := range m.Parties {
			c.u = append(c.u, m.Parties[p].Utility.F(m.Parties[p].Utility.Eval(o)))
		}
		c.in = append(c.in, m.InZone(o))
		c.size++
	}
	total := m.Size()
	o := make(parley.Outcome, len(m.Sizes))
	if total.IsInt64() && total.Int64() <= int64(samples) {
		for o := range m.Outcomes() {
			add(o)
		}
		return c, false
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for s := 0; s < samples; s++ {
		for i, k := range m.Sizes {
			o[i] = r.IntN(k)
		}
		add(o)
	}
	return c, true
}

// haxis maps utilities of one party to pixels.
type haxis struct {
	lo, hi float64 // domain
	step   float64 // tick step
	p0, p1 float64 // pixel range (p0 for lo)
}

func (a haxis) px(u float64) float64 {
	return a.p0 + (u-a.lo)/(a.hi-a.lo)*(a.p1-a.p0)
}

// hdomain returns the axis domain for utilities in [lo, hi]: [0, 1] when
// they fit, else the data range widened to whole tick steps.
func hdomain(lo, hi float64, target int) (float64, float64, float64) {
	lo, hi = math.Min(lo, 0), math.Max(hi, 1)
	step := hniceStep((hi - lo) / float64(target))
	lo = math.Floor(lo/step+1e-9) * step
	hi = math.Ceil(hi/step-1e-9) * step
	return lo, hi, step
}

// hniceStep returns the smallest of 1, 2, 2.5, 5 times a power of ten that is
// at least raw.
func hniceStep(raw float64) float64 {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if f*mag >= raw*(1-1e-9) {
			return f * mag
		}
	}
	return 10 * mag
}

func (a haxis) ticks() []float64 {
	var out []float64
	n := int(math.Round((a.hi - a.lo) / a.step))
	for i := 0; i <= n && i <= 100; i++ {
		out = append(out, a.lo+float64(i)*a.step)
	}
	return out
}

func htickText(v, step float64) string {
	dec := 0
	if step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
		if math.Abs(step*math.Pow(10, float64(dec))-math.Round(step*math.Pow(10, float64(dec)))) > 1e-6 {
			dec++
		}
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// hplots fills v's plots and notes.
func hplots(v *htmlView, rep *analysis.Report, m *parley.Model, opt HTMLOptions) {
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
	c, sampled := hsampleCloud(m, samples, opt.Seed)
	total := m.Size()
	if sampled {
		v.CloudNote = fmt.Sprintf("Grey dots: sampled %s of %s outcomes, uniformly at random (seed %d).", hgroupDigits(strconv.Itoa(c.size)), hbig(total), opt.Seed)
	} else {
		v.CloudNote = fmt.Sprintf("Grey dots: all %s outcomes.", hbig(total))
	}
	inZone := 0
	for _, b := range c.in {
		if b {
			inZone++
		}
	}
	v.CloudNote += fmt.Sprintf(" %s of them are in the zone of agreement (coloured). Outcomes with the same utilities share a dot.", hgroupDigits(strconv.Itoa(inZone)))

	// The frontier, thinned to evenly spaced points.
	front := make([][]float64, 0, len(rep.Pareto))
	for _, p := range rep.Pareto {
		if len(p.Utilities) >= np {
			front = append(front, p.Utilities)
		}
	}
	if len(front) > MaxFrontierDrawn {
		v.FrontNote = fmt.Sprintf("The Pareto frontier has %s points; %s evenly spaced ones along it are drawn.", hgroupDigits(strconv.Itoa(len(front))), hgroupDigits(strconv.Itoa(MaxFrontierDrawn)))
		th := make([][]float64, MaxFrontierDrawn)
		for i := range th {
			th[i] = front[int(math.Round(float64(i)*float64(len(front)-1)/float64(MaxFrontierDrawn-1)))]
		}
		front = th
	}
	if !rep.ParetoExact && len(front) > 0 {
		v.FrontNote = strings.TrimSpace(v.FrontNote + " The frontier is bounded, not exact: its points are non-dominated among those the search found.")
	}

	// Per-party ranges over everything drawn.
	lo, hi := make([]float64, np), make([]float64, np)
	for p := 0; p < np; p++ {
		lo[p], hi[p] = math.Inf(1), math.Inf(-1)
	}
	see := func(p int, u float64) {
		if math.IsNaN(u) || math.IsInf(u, 0) {
			return
		}
		lo[p], hi[p] = math.Min(lo[p], u), math.Max(hi[p], u)
	}
	for k := 0; k < c.size; k++ {
		for p := 0; p < np; p++ {
			see(p, c.at(k, p))
		}
	}
	for _, f := range front {
		for p := 0; p < np; p++ {
			see(p, f[p])
		}
	}
	for p := 0; p < np && p < len(rep.Reservations); p++ {
		see(p, rep.Reservations[p])
	}
	for _, k := range hsolutionKinds {
		if s := k.get(rep); s != nil && len(s.Utilities) >= np {
			for p := 0; p < np; p++ {
				see(p, s.Utilities[p])
			}
		}
	}

	names := make([]string, np)
	for p := range names {
		names[p] = m.Parties[p].Name
	}
	in := hplotInput{c: c, front: front, rep: rep, names: names, lo: lo, hi: hi, connect: np == 2}
	v.Main = in.plot(0, 1, false)
	if np >= 3 {
		var pairs [][2]int
		for a := 0; a < np; a++ {
			for b := a + 1; b < np; b++ {
				if a == 0 && b == 1 {
					continue
				}
				pairs = append(pairs, [2]int{a, b})
			}
		}
		if len(pairs) > MaxPairPlots {
			v.PairsNote = fmt.Sprintf("%d pairs of parties; the first %d are drawn.", len(pairs), MaxPairPlots)
			pairs = pairs[:MaxPairPlots]
		}
		for _, pr := range pairs {
			v.Pairs = append(v.Pairs, in.plot(pr[0], pr[1], true))
		}
	}
}

type hplotInput struct {
	c       *hcloud
	front   [][]float64
	rep     *analysis.Report
	names   []string
	lo, hi  []float64
	connect bool
}

// plot draws the utilities of party px (x axis) against party py (y axis).
func (in *hplotInput) plot(px, py int, small bool) *plotView {
	pv := &plotView{Small: small, XTitle: in.names[px], YTitle: in.names[py]}
	target := 10
	if small {
		pv.W, pv.H = 330, 300
		pv.Left, pv.Top, pv.Right, pv.Bot = 48, 12, 318, 256
		target = 5
	} else {
		pv.W, pv.H = 680, 560
		pv.Left, pv.Top, pv.Right, pv.Bot = 66, 16, 664, 500
	}
	pv.ClipID = fmt.Sprintf("clip-%d-%d", px, py)
	pv.ClipX, pv.ClipY, pv.ClipW, pv.H2 = pv.Left, pv.Top, pv.Right-pv.Left, pv.Bot-pv.Top
	const pad = 8
	mk := func(p int, p0, p1 float64) haxis {
		l, h := in.lo[p], in.hi[p]
		if l > h { // nothing seen
			l, h = 0, 1
		}
		l, h, step := hdomain(l, h, target)
		return haxis{lo: l, hi: h, step: step, p0: p0, p1: p1}
	}
	ax := mk(px, pv.Left+pad, pv.Right-pad)
	ay := mk(py, pv.Bot-pad, pv.Top+pad)

	for _, t := range ax.ticks() {
		x := ax.px(t)
		pv.XTicks = append(pv.XTicks, htick{Pos: x, Text: htickText(t, ax.step), TX: x, TY: pv.Bot + 16, Other: pv.Top})
	}
	for _, t := range ay.ticks() {
		y := ay.px(t)
		pv.YTicks = append(pv.YTicks, htick{Pos: y, Text: htickText(t, ay.step), TX: pv.Left - 6, TY: y + 4, Other: pv.Right})
	}
	pv.XTitleX, pv.XTitleY = (pv.Left+pv.Right)/2, pv.Bot+38
	pv.YTitleX, pv.YTitleY = 14, (pv.Top+pv.Bot)/2
	if small {
		pv.XTitleY = pv.Bot + 34
		pv.YTitleX = 12
	}

	// The cloud: grey outside the zone, coloured inside, each position on
	// the integer pixel grid drawn once.
	var grey, zone strings.Builder
	seenG, seenZ := map[[2]int32]bool{}, map[[2]int32]bool{}
	for k := 0; k < in.c.size; k++ {
		x, y := int32(math.Round(ax.px(in.c.at(k, px)))), int32(math.Round(ay.px(in.c.at(k, py))))
		key := [2]int32{x, y}
		b, seen := &grey, seenG
		if in.c.in[k] {
			b, seen = &zone, seenZ
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		b.WriteByte('M')
		b.WriteString(strconv.Itoa(int(x)))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(int(y)))
		b.WriteString("h0")
	}
	pv.CloudD, pv.ZoneD = grey.String(), zone.String()
	switch n := in.c.size; {
	case n <= 300:
		pv.DotW = 6
	case n <= 3000:
		pv.DotW = 4.5
	default:
		pv.DotW = 3.4
	}
	if small {
		pv.DotW *= 0.8
	}
	pv.ZoneW = pv.DotW + 0.6
	switch n := len(in.front); {
	case n <= 100:
		pv.FrontW = pv.ZoneW + 1
	case n <= 500:
		pv.FrontW = 4
	default: // a dense frontier: the line carries it
		pv.FrontW = 2.6
	}

	// The frontier.
	var line, dots strings.Builder
	seenF := map[[2]int32]bool{}
	for i, f := range in.front {
		x, y := ax.px(f[px]), ay.px(f[py])
		if in.connect {
			if i > 0 {
				line.WriteByte(' ')
			}
			line.WriteString(hcoord(x))
			line.WriteByte(',')
			line.WriteString(hcoord(y))
		}
		key := [2]int32{int32(math.Round(x * 2)), int32(math.Round(y * 2))}
		if seenF[key] {
			continue
		}
		seenF[key] = true
		dots.WriteString("M" + hcoord(x) + " " + hcoord(y) + "h0")
	}
	pv.FrontLine, pv.FrontD = line.String(), dots.String()

	// Reservation lines.
	if px < len(in.rep.Reservations) {
		r := in.rep.Reservations[px]
		x := ax.px(r)
		pv.ResX = &hresLine{X1: x, Y1: pv.Top, X2: x, Y2: pv.Bot, Text: "reservation " + hnum(r), TX: x + 4, TY: pv.Top + 12, Anchor: "start"}
		if x > pv.Right-110 {
			pv.ResX.TX, pv.ResX.Anchor = x-4, "end"
		}
	}
	if py < len(in.rep.Reservations) {
		r := in.rep.Reservations[py]
		y := ay.px(r)
		pv.ResY = &hresLine{X1: pv.Left, Y1: y, X2: pv.Right, Y2: y, Text: "reservation " + hnum(r), TX: pv.Right - 4, TY: y - 4, Anchor: "end"}
		if y < pv.Top+16 {
			pv.ResY.TY = y + 13
		}
	}

	// Solutions: markers, and (main plot) one label per position. Markers
	// at the same position are nested, the first largest, so that all stay
	// visible.
	type member struct {
		marker, class, title string
	}
	type group struct {
		x, y    float64
		names   []string
		members []member
	}
	var groups []*group
	r := 6.0
	if small {
		r = 4.5
	}
	for _, k := range hsolutionKinds {
		s := k.get(in.rep)
		if s == nil || len(s.Utilities) <= max(px, py) {
			continue
		}
		x, y := ax.px(s.Utilities[px]), ay.px(s.Utilities[py])
		title := fmt.Sprintf("%s: %s %s, %s %s", k.name, in.names[px], hnum(s.Utilities[px]), in.names[py], hnum(s.Utilities[py]))
		var g *group
		for _, h := range groups {
			if math.Abs(h.x-x) < 3 && math.Abs(h.y-y) < 3 {
				g = h
				break
			}
		}
		if g == nil {
			g = &group{x: x, y: y}
			groups = append(groups, g)
		}
		g.names = append(g.names, k.short)
		g.members = append(g.members, member{k.marker, k.class, title})
	}
	for _, g := range groups {
		n := len(g.members)
		for j, mb := range g.members {
			pv.Marks = append(pv.Marks, hmark{D: hshape(mb.marker, g.x, g.y, r*(1+0.55*float64(n-1-j))), Class: mb.class, Title: mb.title})
		}
	}
	if !small {
		type box struct{ x0, y0, x1, y1 float64 }
		var placed []box
		for _, g := range groups {
			text := strings.Join(g.names, " = ")
			w := 7.2*float64(len([]rune(text))) + 4
			e := r*(1+0.55*float64(len(g.members)-1))*0.8 + 4 // clear of the markers
			cands := []struct{ dx, dy float64 }{{e, -e + 1}, {e, e + 10}, {-e, -e + 1}, {-e, e + 10}, {e, -e - 13}, {-e, e + 24}, {e, e + 24}, {-e, -e - 13}}
			var best hlabel
			for ci, cd := range cands {
				lb := hlabel{X: g.x + cd.dx, Y: g.y + cd.dy, Anchor: "start", Text: text}
				b := box{lb.X, lb.Y - 12, lb.X + w, lb.Y + 3}
				if cd.dx < 0 {
					lb.Anchor = "end"
					b.x0, b.x1 = lb.X-w, lb.X
				}
				if ci == 0 {
					best = lb
				}
				if b.x0 < pv.Left || b.x1 > pv.Right || b.y0 < pv.Top || b.y1 > pv.Bot {
					continue
				}
				clash := false
				for _, q := range placed {
					if b.x0 < q.x1 && q.x0 < b.x1 && b.y0 < q.y1 && q.y0 < b.y1 {
						clash = true
						break
					}
				}
				if !clash {
					best = lb
					placed = append(placed, b)
					break
				}
			}
			pv.Labels = append(pv.Labels, best)
		}
	}
	return pv
}

// hshape returns the SVG path of a solution marker of radius r at (x, y).
func hshape(kind string, x, y, r float64) string {
	c := hcoord
	switch kind {
	case "diamond":
		r *= 1.3
		return "M" + c(x) + " " + c(y-r) + "L" + c(x+r) + " " + c(y) + "L" + c(x) + " " + c(y+r) + "L" + c(x-r) + " " + c(y) + "Z"
	case "square":
		r *= 0.9
		return "M" + c(x-r) + " " + c(y-r) + "H" + c(x+r) + "V" + c(y+r) + "H" + c(x-r) + "Z"
	case "triangle":
		r *= 1.25
		return "M" + c(x) + " " + c(y-r) + "L" + c(x+r*0.9) + " " + c(y+r*0.65) + "H" + c(x-r*0.9) + "Z"
	}
	return "M" + c(x-r) + " " + c(y) + "a" + c(r) + " " + c(r) + " 0 1 0 " + c(2*r) + " 0a" + c(r) + " " + c(r) + " 0 1 0 " + c(-2*r) + " 0Z"
}

// hicon returns a small inline SVG of a solution marker, for the legend.
func hicon(kind, class string) template.HTML {
	return template.HTML(`<svg class="icon" width="16" height="16" viewBox="0 0 16 16"><path class="mark ` + class + `" d="` + hshape(kind, 8, 8, 5) + `"/></svg>`)
}

// hcoord formats a pixel coordinate with one decimal.
func hcoord(x float64) string {
	s := strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// ---------------------------------------------------------------------------
// Formatting.

func hnum(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }

// happrox writes an estimated count to three significant digits, with
// thousands separators.
func happrox(x float64) string {
	if x >= 1e21 || math.IsInf(x, 0) || math.IsNaN(x) {
		return strconv.FormatFloat(x, 'g', 3, 64)
	}
	if x >= 1000 {
		p := math.Pow(10, math.Floor(math.Log10(x))-2)
		x = math.Round(x/p) * p
	}
	return hgroupDigits(strconv.FormatFloat(math.Round(x), 'f', 0, 64))
}

func hpct(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) + "%" }

func hyesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func hbig(n *big.Int) string {
	if n == nil {
		return ""
	}
	return hgroupDigits(n.String())
}

// hgroupDigits puts thousands separators into a decimal integer.
func hgroupDigits(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= 3 {
		if neg {
			return "-" + s
		}
		return s
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(",")
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// Template. The markup is XHTML-compatible (every element closed, numeric
// character references only) so that tests can check it with encoding/xml.

// htmlTemplate parses the page template on first use rather than at
// program start: commands that render no HTML do not pay for it.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.Must(template.New("report").Funcs(template.FuncMap{"c": hcoord}).Parse(htmlSource)).Parse(sensitivityHTMLTemplate))
})

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}} — parley report</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #fafafa; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d8dee4; }
h3 { font-size: 16px; margin: 16px 0 6px; }
.meta { color: #59636e; margin: 0 0 12px; }
.muted { color: #59636e; }
code, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; background: #f0f2f4; padding: 1px 5px; border-radius: 4px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 14px; }
th, td { border: 1px solid #d8dee4; padding: 4px 9px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
ul { margin: 4px 0; padding-left: 20px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid #d8dee4; border-radius: 6px; padding: 8px 12px; min-width: 240px; flex: 1 1 300px; }
.card h3 { margin-top: 2px; }
.card.issue { flex: 1 1 320px; max-width: 520px; font-size: 14px; }
.tag { display: inline-block; font-size: 12px; padding: 0 6px; border-radius: 9px; background: #eef1f4; color: #444c56; }
.tag.na { background: #fff4d6; }
.redline { color: #b42318; }
.yes { color: #1a7f37; font-weight: 600; }
.no { color: #59636e; }
.plotwrap { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.side { flex: 0 1 330px; padding-top: 8px; }
.legend { list-style: none; padding: 0; margin: 8px 0; font-size: 14px; }
.legend li { margin: 3px 0; white-space: nowrap; }
.icon { vertical-align: middle; margin-right: 6px; overflow: visible; }
.pairs { display: flex; flex-wrap: wrap; gap: 8px; }
.note { font-size: 13px; color: #59636e; margin: 4px 0; max-width: 680px; }
.account { background: #f6f8fa; border-left: 3px solid #8c959f; padding: 4px 12px; margin: 8px 0; }
.account p { margin: 4px 0; }
.tornado .tlabel, .tornado .tick, .tornado .axis-title, .tornado .tend { font-size: 11px; fill: #24292f; }
.tornado .tend { fill: #59636e; }
.tornado .tbar-low { fill: #4a7fb5; }
.tornado .tbase { stroke: #cf222e; stroke-width: 1.5; }
svg.plot { background: #fff; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
svg.plot .frame { fill: none; stroke: #8c959f; stroke-width: 1; }
svg.plot .grid { stroke: #eaeef2; stroke-width: 1; }
svg.plot .tick { font-size: 12px; fill: #59636e; }
svg.plot .atitle { font-size: 14px; font-weight: 600; fill: #1f2328; }
svg.small .tick { font-size: 10px; }
svg.small .atitle { font-size: 12px; }
.cloud { fill: none; stroke: #b3b9c0; stroke-linecap: round; }
.zone { fill: none; stroke: #2a9d8f; stroke-linecap: round; }
.front-line { fill: none; stroke: #e76f51; stroke-width: 1.6; stroke-linejoin: round; }
.front-pt { fill: none; stroke: #e76f51; stroke-linecap: round; }
.res { stroke: #444c56; stroke-width: 1.2; stroke-dasharray: 6 4; }
.restext { font-size: 11px; fill: #444c56; }
.mark { stroke: #fff; stroke-width: 1.4; }
.s-nash { fill: #1d3557; }
.s-ks { fill: #8338ec; }
.s-mw { fill: #d62839; }
.s-eg { fill: #f4a000; }
.slabel { font-size: 12.5px; font-weight: 600; fill: #1f2328; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p class="meta">Scenario <span class="id">{{.ID}}</span>{{if .Variant}} · variant <span class="id">{{.Variant}}</span>{{else}} · base variant{{end}} · {{.Outcomes}} outcomes · Pareto frontier: {{.ParetoCount}} points{{if .ParetoMethod}} ({{.ParetoMethod}}{{if not .ParetoExact}}, bounded{{end}}){{end}}</p>
{{if .Account}}<div class="account">{{range .Account}}<p>{{.}}</p>{{end}}</div>{{end}}
{{if .Description}}<p>{{.Description}}</p>{{end}}

<h2>Parties</h2>
<div class="cards">
{{range .Parties}}<div class="card">
<h3>{{.Name}}</h3>
{{if .Description}}<p class="muted">{{.Description}}</p>{{end}}
<p>Reservation value (no agreement): <b>{{.Reservation}}</b>{{if .Rule}}<br/>Delegation; ratification rule: <b>{{.Rule}}</b>{{end}}</p>
{{if .Factions}}<table>
<tr><th>Faction</th><th>Weight</th><th>Reservation</th><th>Red lines</th></tr>
{{range .Factions}}<tr><td>{{.Name}}</td><td class="num">{{.Weight}}</td><td class="num">{{.Reservation}}</td><td>{{range $i, $r := .RedLines}}{{if $i}}<br/>{{end}}<span class="redline">{{$r}}</span>{{else}}<span class="muted">none</span>{{end}}</td></tr>
{{end}}</table>{{end}}
{{if .RedLines}}<p>Red lines:</p><ul>{{range .RedLines}}<li class="redline">{{.}}</li>{{end}}</ul>{{else if not .Factions}}<p class="muted">No red lines.</p>{{end}}
</div>
{{end}}</div>
{{if .Roles}}<h3>Third parties</h3>
<table><tr><th>Name</th><th>Role</th><th>Consents</th></tr>
{{range .Roles}}<tr><td>{{.Name}}</td><td>{{.Kind}}</td><td>{{.Consents}}</td></tr>
{{end}}</table>{{end}}

<h2>Issues</h2>
<div class="cards">
{{range .Issues}}<div class="card issue">
<h3>{{.Name}} <span class="tag">{{.Kind}}</span></h3>
{{if .Description}}<p class="muted">{{.Description}}</p>{{end}}
<ul>{{range .Options}}<li>{{.Label}}{{if .NotAddressed}} <span class="tag na">not addressed</span>{{end}}{{if .Clause}} <span class="muted">— “{{.Clause}}”</span>{{end}}</li>{{end}}{{if .More}}<li class="muted">… and {{.More}} more</li>{{end}}</ul>
</div>
{{end}}</div>

<h2>Outcome space</h2>
{{if .PlotNote}}<p class="note">{{.PlotNote}}</p>{{else}}
<div class="plotwrap">
<div>{{template "plot" .Main}}
<p class="note">{{.CloudNote}}</p>
{{if .FrontNote}}<p class="note">{{.FrontNote}}</p>{{end}}</div>
<div class="side"><b>Legend</b>
<ul class="legend">{{range .Legend}}<li>{{.Icon}}{{.Label}}</li>{{end}}</ul>
<p class="note">Axes: each party's utility. Dashed lines: reservation values; outcomes above and to the right of both are better than no agreement for both parties.{{if .ZoneEmpty}} The zone of agreement is empty, so there are no bargaining solutions to mark.{{end}}</p></div>
</div>
{{if .Pairs}}<h3>Other pairs of parties</h3>
<div class="pairs">{{range .Pairs}}{{template "plot" .}}{{end}}</div>
{{if .PairsNote}}<p class="note">{{.PairsNote}}</p>{{end}}
<p class="note">With three or more parties, each plot projects the outcomes onto two parties' utilities; frontier points are not connected because the projection of a Pareto frontier is not a curve.</p>{{end}}
{{end}}

<h2>Zone of agreement</h2>
{{with .Zone}}{{if .Empty}}<p><b>The zone of agreement is empty:</b> no feasible outcome is acceptable to every party.</p>
{{else}}<p>The zone of agreement holds <b>{{if not .Exact}}at least {{end}}{{.Size}}</b> outcomes{{if .Approx}} (sampled estimate: about {{.Approx}}){{end}}.</p>
{{if .Witness}}<p>For example:</p><ul>{{range .Witness}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}
{{if .RestsOn}}<p class="note">This rests on assumptions no source states:</p><ul class="note">{{range .RestsOn}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Why}}<h3>Why</h3><ul>{{range .Why}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}

{{if .Blocking}}<h2>Blocking analysis</h2>
<table>
<tr><th>Kind</th><th>Party</th><th>Principal</th><th>Red line / role</th><th>Opens the zone</th><th>Reservation change</th><th>Rests on</th></tr>
{{range .Blocking}}<tr><td>{{.Kind}}</td><td>{{.Party}}</td><td>{{.Principal}}</td><td>{{.What}}</td><td class="{{if .OpensZone}}yes{{else}}no{{end}}">{{.Opens}}</td><td class="num">{{.Change}}</td><td class="muted">{{.RestsOn}}</td></tr>
{{end}}</table>
<p class="note">Opens the zone: if the faction went along with any outcome, the red line were dropped or the third party consented. Reservation change: the smallest change of that principal's reservation value that opens the zone (negative: a lower demand).</p>{{end}}

<h2>Bargaining solutions</h2>
{{if .ZoneEmpty}}<p class="muted">None: the zone of agreement is empty.</p>{{else}}
<table>
<tr><th>Solution</th>{{range .PartyNames}}<th>{{.}}</th>{{end}}<th>Agreement</th></tr>
{{range .Solutions}}<tr><td>{{.Icon}}<b>{{.Name}}</b></td>{{if .Missing}}<td colspan="{{len $.PartyNames}}" class="muted">none</td><td></td>{{else}}{{range .Utilities}}<td class="num">{{.}}</td>{{end}}<td><ul>{{range .Clauses}}<li>{{.}}</li>{{end}}</ul></td>{{end}}</tr>
{{end}}</table>{{end}}

<h2>Trade hints</h2>
{{if .Trades}}<table>
<tr><th>Parties</th><th>Hint</th><th>Score</th></tr>
{{range .Trades}}<tr><td>{{.A}} · {{.B}}</td><td><b>{{.A}}</b> cares relatively more about <b>{{.IssueA}}</b> ({{.WA}} of its stakes vs {{.WBOt}} for {{.B}}); <b>{{.B}}</b> about <b>{{.IssueB}}</b> ({{.WB}} vs {{.WAOther}}). Each could give way where it cares less.</td><td class="num">{{.Score}}</td></tr>
{{end}}</table>{{else}}<p class="muted">No logrolling hints: no two parties weigh two issues in opposite directions.</p>{{end}}

{{if .Sensitivity}}{{template "sensitivity" .Sensitivity}}{{end}}
{{if .Assumptions}}<h2>Assumptions no source states</h2><ul>{{range .Assumptions}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if or .Notes .Scenario}}<h2>Notes</h2><ul>{{range .Notes}}<li>{{.}}</li>{{end}}{{range .Scenario}}<li class="muted">{{.}}</li>{{end}}</ul>{{end}}
<p class="note">Generated by parley.</p>
</main>
</body>
</html>
{{define "plot"}}<svg class="plot{{if .Small}} small{{end}}" xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.XTitle}} against {{.YTitle}}">
<defs><clipPath id="{{.ClipID}}"><rect x="{{c .ClipX}}" y="{{c .ClipY}}" width="{{c .ClipW}}" height="{{c .H2}}"/></clipPath></defs>
{{range .XTicks}}<line class="grid" x1="{{c .Pos}}" y1="{{c .Other}}" x2="{{c .Pos}}" y2="{{c $.Bot}}"/><text class="tick" x="{{c .TX}}" y="{{c .TY}}" text-anchor="middle">{{.Text}}</text>
{{end}}{{range .YTicks}}<line class="grid" x1="{{c $.Left}}" y1="{{c .Pos}}" x2="{{c .Other}}" y2="{{c .Pos}}"/><text class="tick" x="{{c .TX}}" y="{{c .TY}}" text-anchor="end">{{.Text}}</text>
{{end}}<rect class="frame" x="{{c .Left}}" y="{{c .Top}}" width="{{c .ClipW}}" height="{{c .H2}}"/>
<text class="atitle" x="{{c .XTitleX}}" y="{{c .XTitleY}}" text-anchor="middle">{{.XTitle}}</text>
<text class="atitle" x="{{c .YTitleX}}" y="{{c .YTitleY}}" text-anchor="middle" transform="rotate(-90 {{c .YTitleX}} {{c .YTitleY}})">{{.YTitle}}</text>
<g clip-path="url(#{{.ClipID}})">
{{if .CloudD}}<path class="cloud" stroke-width="{{c .DotW}}" d="{{.CloudD}}"/>
{{end}}{{if .ZoneD}}<path class="zone" stroke-width="{{c .ZoneW}}" d="{{.ZoneD}}"/>
{{end}}{{with .ResX}}<line class="res" x1="{{c .X1}}" y1="{{c .Y1}}" x2="{{c .X2}}" y2="{{c .Y2}}"/>
{{end}}{{with .ResY}}<line class="res" x1="{{c .X1}}" y1="{{c .Y1}}" x2="{{c .X2}}" y2="{{c .Y2}}"/>
{{end}}{{if .FrontLine}}<polyline class="front-line" points="{{.FrontLine}}"/>
{{end}}{{if .FrontD}}<path class="front-pt" stroke-width="{{c .FrontW}}" d="{{.FrontD}}"/>
{{end}}</g>
{{if not .Small}}{{with .ResX}}<text class="restext" x="{{c .TX}}" y="{{c .TY}}" text-anchor="{{.Anchor}}">{{.Text}}</text>
{{end}}{{with .ResY}}<text class="restext" x="{{c .TX}}" y="{{c .TY}}" text-anchor="{{.Anchor}}">{{.Text}}</text>
{{end}}{{end}}{{range .Marks}}<path class="mark {{.Class}}" d="{{.D}}"><title>{{.Title}}</title></path>
{{end}}{{range .Labels}}<text class="slabel" x="{{c .X}}" y="{{c .Y}}" text-anchor="{{.Anchor}}">{{.Text}}</text>
{{end}}</svg>{{end}}`

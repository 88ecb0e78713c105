package report

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/simulate"
)

// Limits of the simulation report.
const (
	// MaxSeriesDrawn bounds the points drawn per line of the utilities
	// chart (and per party's offer markers); longer series keep the lowest
	// and highest point of evenly spaced buckets.
	MaxSeriesDrawn = 2000
	// MaxEventRows bounds the rows of the event table: the first and the
	// last events are listed, the transcript holds them all.
	MaxEventRows = 400
)

// sMaxSegments bounds the segments of one clause strip; past it, segments
// of the same state are merged (option changes are no longer shown).
const sMaxSegments = 600

// sMaxStepLine is the number of steps of an alternating-offers run past
// which the standing offer's line is not drawn.
const sMaxStepLine = 400

// sMaxInstrMarks bounds the markers of one faction's instruction row.
const sMaxInstrMarks = 600

// SimulationHTML writes a self-contained HTML report of one run (no
// external assets, no JavaScript; inline CSS and inline SVG): the run's
// header (scenario, protocol, seed, agents, how it ended, the agreement as
// clauses or who rejected the last proposal), the parties' utilities over
// time, for the mediated protocol a clause-by-clause timeline of the
// single negotiating text, the agreement (or last proposal) on the Pareto
// plot of the first two parties, and the first and last events.
//
// m must be the model the run was simulated on. rep is its analysis (for
// the Pareto frontier and the Nash point); when it is nil the Pareto plot
// shows the run's proposals only. The output depends only on its inputs
// (the run's wall-clock time is left out), so the same run gives the same
// bytes. All text is escaped; the document is also well-formed XML after
// its doctype.
func SimulationHTML(w io.Writer, run *simulate.Run, m *parley.Model, rep *analysis.Report) error {
	if run == nil || m == nil || m.Scenario == nil {
		return errors.New("report: SimulationHTML: nil run or model")
	}
	if len(m.Parties) != len(m.Scenario.Parties) || len(m.Sizes) != len(m.Scenario.Issues) {
		return errors.New("report: SimulationHTML: model and scenario disagree")
	}
	v := sbuild(run, m, rep)
	if err := simTemplate().Execute(w, v); err != nil {
		return fmt.Errorf("report: SimulationHTML: %w", err)
	}
	return nil
}

// ---------------------------------------------------------------------------
// View model. Unexported names of this file start with "s".

type simView struct {
	CSS                    template.CSS
	Title, ID, Variant     string
	Protocol, ProtocolName string
	Seed                   string
	Mediated               bool
	Seats                  []sseat
	End, EndClass, Why     string
	Rounds, Steps, Offers  int
	OffersWord             string
	Agreement              bool
	Clauses                []string
	Utils                  []sutilRow
	Blocked                []string
	Account                []string
	Assumptions            []string

	Util       *sline
	UtilNote   string
	UtilLegend []hlegendItem

	Strip       *sstrip
	StripLegend []hlegendItem
	StripNotes  []string

	Pareto       *plotView
	ParetoNote   string
	ParetoLegend []hlegendItem

	Events     []seventRow
	EventsMore int
	EventsAt   int // row index before which the "more" row goes
	Calendar   bool
}

type sseat struct{ Seat, Agent string }

type sutilRow struct {
	Party, Utility, Reservation, Surplus string
	Below                                bool
}

type seventRow struct {
	Seq, Round, Day, Clock, Type, Text, Class string
	More                                      int // > 0: the "… N more" row
}

// sline is a line chart of utilities over time.
type sline struct {
	W, H                  int
	Left, Top, Right, Bot float64
	XTitle, YTitle        string
	XTitleX, XTitleY      float64
	YTitleX, YTitleY      float64
	XTicks, YTicks        []htick
	Res                   []sres
	Series                []sseries
}

type sres struct {
	X1, Y1, X2, Y2, TX, TY float64
	Color, Text            string
}

type sseries struct {
	Class, Color, D, Title string
	Dots, DotsTitle        string // markers: the party's own offers or the texts
	Recv, RecvTitle        string // SAO: offers by others, as the party values them
	DotW                   float64
}

// sstrip is the clause timeline: one row per issue, then one per faction
// that sent instructions.
type sstrip struct {
	W, H             int
	Left, Right      float64
	Top, Bot         float64
	XTicks           []htick
	Grid             []sgrid
	XTitleX, XTitleY float64
	HeadX, HeadY     float64 // "instructions" heading; HeadY 0: none
	Rows             []srow
	VLines           []svline
	TrackW           float64
	LabelX           float64
}

type sgrid struct{ X, Y1, Y2 float64 }

type srow struct {
	Class, Issue, Label, Full string
	Y, H, TY                  float64
	Segs                      []sseg
	Marks                     []hmark
}

type sseg struct {
	X, Y, W, H   float64
	Class, Title string
}

type svline struct {
	X, Y1, Y2    float64
	Class, Title string
	Label        string
	TX, TY       float64
	Anchor       string
}

// sPalette colours the parties (cycled beyond eight).
var sPalette = []string{"#2166ac", "#d6604d", "#1b9e77", "#7570b3", "#b8860b", "#66a61e", "#8c564b", "#e7298a"}

func scolor(p int) string { return sPalette[p%len(sPalette)] }

// sstateClass names the CSS class of a clause state.
var sstateClass = map[parley.ClauseState]string{
	parley.ClauseOpen:        "c-open",
	parley.ClauseProposed:    "c-proposed",
	parley.ClauseAgreed:      "c-agreed",
	parley.ClauseReopened:    "c-reopened",
	parley.ClauseUnderReview: "c-review",
	parley.ClauseFinal:       "c-final",
}

// sstateText is how a state reads in tooltips and the legend.
func sstateText(s parley.ClauseState) string { return strings.ReplaceAll(s.String(), "_", " ") }

// sactor names an actor.
func sactor(m *parley.Model, a int) string {
	switch {
	case a == parley.MediatorActor:
		return "mediator"
	case a >= 0 && a < len(m.Parties):
		return m.Parties[a].Name
	}
	return "—"
}

// sutils returns every party's utility of o.
func sutils(m *parley.Model, o parley.Outcome) []float64 {
	u := make([]float64, len(m.Parties))
	for p := range m.Parties {
		u[p] = m.Parties[p].Utility.F(m.Parties[p].Utility.Eval(o))
	}
	return u
}

// sevText writes an event without the "#seq rN" prefix FormatEvent gives it.
func sevText(s *parley.Scenario, ev protocol.Event) string {
	return strings.TrimPrefix(protocol.FormatEvent(s, ev, false), fmt.Sprintf("#%d r%d ", ev.Seq, ev.Round))
}

func sbuild(run *simulate.Run, m *parley.Model, rep *analysis.Report) *simView {
	s := m.Scenario
	r := run.Result
	info, _ := protocol.Lookup(run.Header.Protocol)
	mediated := info.Mediated
	v := &simView{
		CSS:      sbaseCSS,
		Title:    s.Title,
		ID:       s.ID,
		Variant:  s.Variant,
		Protocol: string(run.Header.Protocol),
		Seed:     strconv.FormatUint(run.Header.Seed, 10),
		Mediated: mediated,
		End:      strings.ReplaceAll(r.End.String(), "_", " "),
		Why:      r.Why,
		Rounds:   r.Rounds, Steps: r.Steps, Offers: r.Offers,
		OffersWord: "offers",
		Agreement:  r.End == parley.Agreement && len(r.Agreement) == len(m.Sizes),
		Calendar:   mediated,
	}
	if v.Title == "" {
		v.Title = s.ID
	}
	if v.Title == "" {
		v.Title = "Negotiation"
	}
	v.Account = provenanceLines(s)
	v.Assumptions = assumptionLines(s)
	switch run.Header.Protocol {
	case parley.ProtocolMediated:
		v.ProtocolName = "mediated single negotiating text"
		v.OffersWord = "texts"
	case parley.ProtocolSAO:
		v.ProtocolName = "stacked alternating offers"
	default:
		v.ProtocolName = string(run.Header.Protocol)
	}
	v.EndClass = "end-fail"
	if v.Agreement {
		v.EndClass = "end-ok"
	}
	for _, a := range run.Header.Agents {
		seat := sactor(m, a.Actor)
		if a.Actor == parley.MediatorActor {
			seat = "Mediator"
		}
		if a.Principal != "" {
			seat += " / " + a.Principal + " (faction)"
		}
		v.Seats = append(v.Seats, sseat{seat, a.Agent})
	}
	if v.Agreement {
		v.Clauses = Clauses(m, r.Agreement)
	}
	for p := range m.Parties {
		res := m.Parties[p].Utility.F(m.Parties[p].Reservation)
		row := sutilRow{Party: m.Parties[p].Name, Reservation: hnum(res)}
		if p < len(run.Utilities) {
			u := run.Utilities[p]
			row.Utility = hnum(u)
			d := u - res
			row.Surplus = strconv.FormatFloat(d, 'f', 3, 64)
			if d >= 0 {
				row.Surplus = "+" + row.Surplus
			}
			row.Below = d < 0
		}
		v.Utils = append(v.Utils, row)
	}
	if !v.Agreement {
		for _, bl := range Blockers(s, run.Blocked) {
			v.Blocked = append(v.Blocked, blockerLine(s, bl))
		}
	}

	ev := run.Events
	if mediated {
		R, pos := sroundPositions(ev, r.Rounds)
		left := sstripLeft(m)
		v.Util, v.UtilNote = smediatedChart(m, ev, R, pos, left)
		v.Strip, v.StripNotes = sclauseStrip(run, m, R, pos, left)
		v.StripLegend = sstripLegend()
	} else {
		v.Util, v.UtilNote = ssaoChart(m, ev)
	}
	v.UtilLegend = sutilLegend(m, mediated)
	v.Pareto, v.ParetoNote, v.ParetoLegend = sparetoPlot(run, m, rep, v.Agreement)
	v.Events, v.EventsMore = seventRows(s, ev, mediated)
	return v
}

// ---------------------------------------------------------------------------
// Time axes.

// sroundPositions places every event of a mediated run on a continuous
// round axis: round r spans [r, r+1) and the events of a round are spread
// evenly over it in order, so that moves within a round stay apart. It
// returns the axis length (rounds) and the positions.
func sroundPositions(ev []protocol.Event, rounds int) (int, []float64) {
	R := max(rounds, 1)
	count := map[int]int{}
	for _, e := range ev {
		count[e.Round]++
		R = max(R, e.Round+1)
	}
	pos := make([]float64, len(ev))
	seen := map[int]int{}
	for i, e := range ev {
		k := seen[e.Round]
		seen[e.Round]++
		pos[i] = float64(e.Round) + (float64(k)+0.5)/float64(count[e.Round])
	}
	return R, pos
}

// sintStep is a tick step for an integer axis of length n: 1, 2, 5 times a
// power of ten, aiming at about target ticks.
func sintStep(n, target int) int {
	st := hniceStep(float64(n) / float64(target))
	if st < 1 {
		return 1
	}
	if st == 2.5 {
		return 2
	}
	return int(math.Round(st))
}

// sroundTicks labels rounds 1, step, 2·step, ... at the middle of their span.
func sroundTicks(R int, x func(float64) float64, y float64) []htick {
	step := sintStep(R, 12)
	var out []htick
	for n := 1; n <= R; {
		px := x(float64(n) - 0.5)
		out = append(out, htick{Pos: px, Text: strconv.Itoa(n), TX: px, TY: y})
		if n == 1 && step > 1 {
			n = step
		} else {
			n += step
		}
	}
	return out
}

// sstripLeft is the left margin that fits the clause strip's row labels;
// the mediated utilities chart uses it too so that the two line up.
func sstripLeft(m *parley.Model) float64 {
	n := 12
	for _, is := range m.Scenario.Issues {
		n = max(n, len([]rune(is.Name)))
	}
	for _, p := range m.Parties {
		for _, pr := range p.Principals {
			n = max(n, len([]rune(p.Name))+len([]rune(pr.Name))+1)
		}
	}
	n = min(n, sMaxLabel)
	return 14 + 6.8*float64(n)
}

// sMaxLabel bounds the characters of a strip row label.
const sMaxLabel = 30

func strunc(s string) string {
	r := []rune(s)
	if len(r) <= sMaxLabel {
		return s
	}
	return string(r[:sMaxLabel-1]) + "…"
}

// ---------------------------------------------------------------------------
// Utilities over time.

const (
	sW     = 1040
	sRight = 1024
)

// spt is a point of a series; brk starts a new piece of line.
type spt struct {
	x, y float64
	brk  bool
}

// sthin keeps at most limit points: for longer series, the lowest and the
// highest point of each of limit/2 evenly spaced buckets, in order, so
// that the drawn line keeps the envelope of the data.
func sthin(pts []spt, limit int) []spt {
	if len(pts) <= limit {
		return pts
	}
	buckets := limit / 2
	out := make([]spt, 0, limit)
	for b := 0; b < buckets; b++ {
		lo, hi := b*len(pts)/buckets, (b+1)*len(pts)/buckets
		if lo >= hi {
			continue
		}
		mn, mx, brk := lo, lo, false
		for i := lo; i < hi; i++ {
			if pts[i].y < pts[mn].y {
				mn = i
			}
			if pts[i].y > pts[mx].y {
				mx = i
			}
			brk = brk || pts[i].brk
		}
		a, c := min(mn, mx), max(mn, mx)
		p := pts[a]
		p.brk = brk
		out = append(out, p)
		if c != a {
			out = append(out, pts[c])
		}
	}
	return out
}

// spath writes a series as SVG path data (a new piece at each break).
func spath(pts []spt, x, y func(float64) float64) string {
	var b strings.Builder
	for i, p := range pts {
		if i == 0 || p.brk {
			b.WriteByte('M')
		} else {
			b.WriteByte('L')
		}
		b.WriteString(hcoord(x(p.x)))
		b.WriteByte(' ')
		b.WriteString(hcoord(y(p.y)))
	}
	return b.String()
}

// sstepPath writes a series as a step line: each value holds until the
// next point (a standing offer stands until it is replaced).
func sstepPath(pts []spt, x, y func(float64) float64) string {
	var b strings.Builder
	for i, p := range pts {
		if i == 0 || p.brk {
			b.WriteString("M" + hcoord(x(p.x)) + " " + hcoord(y(p.y)))
			continue
		}
		b.WriteString("H" + hcoord(x(p.x)) + "V" + hcoord(y(p.y)))
	}
	return b.String()
}

// sdots writes markers as zero-length round-capped path pieces.
func sdots(pts []spt, x, y func(float64) float64) string {
	var b strings.Builder
	for _, p := range pts {
		b.WriteString("M" + hcoord(x(p.x)) + " " + hcoord(y(p.y)) + "h0")
	}
	return b.String()
}

// snewLine lays out an empty chart; the caller adds the x ticks and the
// series.
func snewLine(m *parley.Model, left float64, xTitle string, lo, hi float64) (*sline, haxis) {
	c := &sline{W: sW, H: 340, Left: left, Top: 14, Right: sRight, Bot: 290, XTitle: xTitle, YTitle: "utility"}
	c.XTitleX, c.XTitleY = (c.Left+c.Right)/2, c.Bot+38
	c.YTitleX, c.YTitleY = c.Left-44, (c.Top+c.Bot)/2
	for p := range m.Parties {
		r := m.Parties[p].Utility.F(m.Parties[p].Reservation)
		lo, hi = math.Min(lo, r), math.Max(hi, r)
	}
	l, h, step := hdomain(lo, hi, 5)
	ay := haxis{lo: l, hi: h, step: step, p0: c.Bot - 6, p1: c.Top + 6}
	for _, t := range ay.ticks() {
		py := ay.px(t)
		c.YTicks = append(c.YTicks, htick{Pos: py, Text: htickText(t, step), TX: c.Left - 6, TY: py + 4, Other: c.Right})
	}
	// Reservation lines, labels pushed apart.
	type lab struct {
		p int
		y float64
	}
	var labs []lab
	for p := range m.Parties {
		labs = append(labs, lab{p, ay.px(m.Parties[p].Utility.F(m.Parties[p].Reservation))})
	}
	sort.SliceStable(labs, func(i, j int) bool { return labs[i].y < labs[j].y })
	last := math.Inf(-1)
	for _, lb := range labs {
		ty := math.Max(lb.y-4, last+12)
		last = ty
		r := m.Parties[lb.p].Utility.F(m.Parties[lb.p].Reservation)
		c.Res = append(c.Res, sres{X1: c.Left, Y1: lb.y, X2: c.Right, Y2: lb.y, TX: c.Right - 4, TY: ty,
			Color: scolor(lb.p), Text: m.Parties[lb.p].Name + " reservation " + hnum(r)})
	}
	return c, ay
}

// ssaoChart draws, per party, the utility to that party of the standing
// offer after each step, with markers at the party's own offers.
func ssaoChart(m *parley.Model, ev []protocol.Event) (*sline, string) {
	n := len(m.Parties)
	series := make([][]spt, n)
	own := make([][]spt, n)
	recv := make([][]spt, n)
	var offer parley.Outcome
	var offerU []float64
	step := 0
	gap := false
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, e := range ev {
		switch e.Type {
		case protocol.EvAction:
			if e.Action == nil || strings.HasPrefix(e.Note, "invalid") {
				continue
			}
			step++
			a := e.Action
			if a.Kind == parley.ActOffer && len(a.Outcome) == len(m.Sizes) {
				offer = a.Outcome
				offerU = sutils(m, offer)
				for p := range n {
					if p == a.Actor {
						own[p] = append(own[p], spt{x: float64(step), y: offerU[p]})
					} else {
						recv[p] = append(recv[p], spt{x: float64(step), y: offerU[p]})
					}
				}
			}
			if offer == nil {
				gap = true
				continue
			}
			for p := range n {
				series[p] = append(series[p], spt{x: float64(step), y: offerU[p], brk: gap})
				lo, hi = math.Min(lo, offerU[p]), math.Max(hi, offerU[p])
			}
			gap = false
		case protocol.EvRatificationFailed:
			offer, offerU = nil, nil
		}
	}
	if step == 0 {
		return nil, "The run recorded no actions, so there is nothing to plot."
	}
	if lo > hi {
		lo, hi = 0, 1
	}
	c, ay := snewLine(m, 60, "step", lo, hi)
	S := float64(step)
	x := func(t float64) float64 { return c.Left + 6 + t/S*(c.Right-c.Left-12) }
	st := sintStep(step, 10)
	for k := 0; k <= step; k += st {
		px := x(float64(k))
		c.XTicks = append(c.XTicks, htick{Pos: px, Text: strconv.Itoa(k), TX: px, TY: c.Bot + 16, Other: c.Top})
	}
	thinned := false
	dotW := 6.0
	if step > 200 {
		dotW = 4
	}
	// Past a few hundred steps the standing offer's line is a solid band
	// (it swings between the parties' offers at every step): the dots say
	// more.
	line := step <= sMaxStepLine
	for p := range n {
		pts, dots, rv := sthin(series[p], MaxSeriesDrawn), sthin(own[p], MaxSeriesDrawn), sthin(recv[p], MaxSeriesDrawn)
		thinned = thinned || len(pts) < len(series[p]) || len(dots) < len(own[p]) || len(rv) < len(recv[p])
		name := m.Parties[p].Name
		d := ""
		if line {
			d = sstepPath(pts, x, ay.px)
		}
		c.Series = append(c.Series, sseries{Class: "sline faint", Color: scolor(p), D: d, DotW: dotW,
			Title:     name + ": utility of the standing offer",
			Dots:      sdots(dots, x, ay.px),
			DotsTitle: fmt.Sprintf("%s: utility of its own offers (%d)", name, len(own[p])),
			Recv:      sdots(rv, x, ay.px),
			RecvTitle: fmt.Sprintf("%s: utility of the offers made to it (%d)", name, len(recv[p]))})
	}
	note := fmt.Sprintf("Each party's utility of the standing offer after each of the %s steps (actions; thin line), of the offers it made itself (large dots) and of the offers made to it (small dots). Dashed: reservation values.", hgroupDigits(strconv.Itoa(step)))
	if !line {
		note = fmt.Sprintf("Each party's utility of the offers it made itself (large dots) and of the offers made to it (small dots), over the %s steps (actions); the standing offer's line is left out past %d steps. Dashed: reservation values.", hgroupDigits(strconv.Itoa(step)), sMaxStepLine)
	}
	if thinned {
		note += fmt.Sprintf(" Long series are thinned to at most %s points (the lowest and highest of evenly spaced buckets).", hgroupDigits(strconv.Itoa(MaxSeriesDrawn)))
	}
	return c, note
}

// smediatedChart draws, per party, the utility of each mediator text with
// blanks and off-agenda issues at their status-quo option.
func smediatedChart(m *parley.Model, ev []protocol.Event, R int, pos []float64, left float64) (*sline, string) {
	n := len(m.Parties)
	series := make([][]spt, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	texts := 0
	for i, e := range ev {
		if e.Type != protocol.EvAction || e.Action == nil || e.Action.Kind != parley.ActText || strings.HasPrefix(e.Note, "invalid") {
			continue
		}
		o := m.Complete(e.Action.Outcome)
		if o == nil {
			continue
		}
		texts++
		u := sutils(m, o)
		for p := range n {
			series[p] = append(series[p], spt{x: pos[i], y: u[p]})
			lo, hi = math.Min(lo, u[p]), math.Max(hi, u[p])
		}
	}
	if texts == 0 {
		return nil, "The mediator wrote no text, so there is nothing to plot."
	}
	c, ay := snewLine(m, left, "round", lo, hi)
	x := func(t float64) float64 { return c.Left + t/float64(R)*(c.Right-c.Left) }
	c.XTicks = sroundTicks(R, x, c.Bot+16)
	for k := range c.XTicks {
		c.XTicks[k].Other = c.Top
	}
	dotW := 7.0
	if texts > 60 {
		dotW = 4
	}
	thinned := false
	for p := range n {
		pts := sthin(series[p], MaxSeriesDrawn)
		thinned = thinned || len(pts) < len(series[p])
		name := m.Parties[p].Name
		c.Series = append(c.Series, sseries{Class: "sline", Color: scolor(p), D: spath(pts, x, ay.px), Dots: sdots(pts, x, ay.px), DotW: dotW,
			Title: name + ": utility of each mediator text", DotsTitle: name + ": utility of each mediator text"})
	}
	note := fmt.Sprintf("Each line is one party's utility of each of the mediator's %d texts, with blank clauses and issues off the agenda at their status-quo option. Dashed: reservation values.", texts)
	if thinned {
		note += fmt.Sprintf(" Long series are thinned to at most %s points.", hgroupDigits(strconv.Itoa(MaxSeriesDrawn)))
	}
	return c, note
}

func sutilLegend(m *parley.Model, mediated bool) []hlegendItem {
	var out []hlegendItem
	for p := range m.Parties {
		col := scolor(p)
		out = append(out, hlegendItem{m.Parties[p].Name, template.HTML(`<svg class="icon" width="26" height="16" viewBox="0 0 26 16"><path fill="none" stroke-width="2" stroke="` + col + `" d="M1 8H25"/><path stroke-linecap="round" stroke-width="6" stroke="` + col + `" d="M13 8h0"/></svg>`)})
	}
	if mediated {
		out = append(out, hlegendItem{"a mediator text", template.HTML(`<svg class="icon" width="26" height="16" viewBox="0 0 26 16"><path stroke-linecap="round" stroke-width="6" stroke="#59636e" d="M13 8h0"/></svg>`)})
	} else {
		out = append(out,
			hlegendItem{"offer made by the party itself", template.HTML(`<svg class="icon" width="26" height="16" viewBox="0 0 26 16"><path stroke-linecap="round" stroke-width="6" stroke="#59636e" d="M13 8h0"/></svg>`)},
			hlegendItem{"offer made to the party", template.HTML(`<svg class="icon" width="26" height="16" viewBox="0 0 26 16"><path stroke-linecap="round" stroke-width="4" stroke="#59636e" stroke-opacity="0.6" d="M13 8h0"/></svg>`)},
			hlegendItem{"standing offer", template.HTML(`<svg class="icon" width="26" height="16" viewBox="0 0 26 16"><path fill="none" stroke-width="1" stroke="#59636e" d="M1 12H9V4H17V12H25"/></svg>`)})
	}
	out = append(out,
		hlegendItem{"reservation value", template.HTML(`<svg class="icon" width="26" height="16" viewBox="0 0 26 16"><path class="sres" stroke="#59636e" d="M1 8H25"/></svg>`)},
	)
	return out
}

// ---------------------------------------------------------------------------
// Clause timeline.

func sclauseStrip(run *simulate.Run, m *parley.Model, R int, pos []float64, left float64) (*sstrip, []string) {
	s := m.Scenario
	ni := len(s.Issues)
	ev := run.Events
	const rowH, pitch = 18.0, 26.0
	st := &sstrip{W: sW, Left: left, Right: sRight, Top: 30}
	x := func(t float64) float64 { return st.Left + t/float64(R)*(st.Right-st.Left) }
	st.LabelX = st.Left - 8
	st.TrackW = st.Right - st.Left
	var notes []string

	// The agenda at the start.
	off := make([]bool, ni)
	if c, err := run.Header.ProtocolConfig(); err == nil {
		if mc, ok := c.(protocol.MediatedConfig); ok && mc.Agenda != nil {
			for i := range off {
				off[i] = true
			}
			for _, i := range mc.Agenda {
				if i >= 0 && i < ni {
					off[i] = false
				}
			}
		}
	}

	// Instruction rows: one per faction that sent any, by party and faction.
	type fkey struct{ party, faction int }
	var facs []fkey
	seenF := map[fkey]bool{}
	for _, e := range ev {
		if e.Type == protocol.EvInstruction && e.Instruction != nil {
			k := fkey{e.Actor, e.Faction}
			if !seenF[k] {
				seenF[k] = true
				facs = append(facs, k)
			}
		}
	}
	sort.Slice(facs, func(i, j int) bool {
		if facs[i].party != facs[j].party {
			return facs[i].party < facs[j].party
		}
		return facs[i].faction < facs[j].faction
	})
	facRow := map[fkey]int{}

	rows := make([]srow, ni, ni+len(facs))
	y := st.Top + 8
	for i := range s.Issues {
		rows[i] = srow{Class: "strip", Issue: s.Issues[i].Name, Label: strunc(s.Issues[i].Name), Full: s.Issues[i].Name, Y: y, H: rowH, TY: y + rowH/2 + 4}
		y += pitch
	}
	if len(facs) > 0 {
		y += 14
		st.HeadX, st.HeadY = 4, y-4
		y += 6
	}
	for k, f := range facs {
		name := sactor(m, f.party)
		if f.party >= 0 && f.party < len(m.Parties) && f.faction >= 0 && f.faction < len(m.Parties[f.party].Principals) {
			name += "/" + m.Parties[f.party].Principals[f.faction].Name
		}
		facRow[f] = ni + k
		rows = append(rows, srow{Class: "irow", Label: strunc(name), Full: "instructions from " + name, Y: y, H: rowH, TY: y + rowH/2 + 4})
		y += pitch
	}
	st.Bot = y + 4
	st.H = int(st.Bot + 44)
	st.XTitleX, st.XTitleY = (st.Left+st.Right)/2, st.Bot+36
	st.XTicks = sroundTicks(R, x, st.Bot+16)
	if px := (st.Right - st.Left) / float64(R); px >= 6 {
		for r := 1; r < R; r++ {
			st.Grid = append(st.Grid, sgrid{x(float64(r)), st.Top, st.Bot})
		}
	}

	// Clause states.
	state := make([]parley.ClauseState, ni)
	option := make([]int, ni)
	from := make([]float64, ni)
	on := make([]bool, ni)
	ever := make([]bool, ni)
	for i := range on {
		on[i] = !off[i]
		ever[i] = on[i]
		option[i] = -1
	}
	roundText := func(a, b float64) string {
		r0, r1 := int(a)+1, int(math.Ceil(b-1e-9))
		if r1 <= r0 {
			return "round " + strconv.Itoa(r0)
		}
		return "rounds " + strconv.Itoa(r0) + "–" + strconv.Itoa(r1)
	}
	optText := func(i, k int) string {
		if k < 0 || k >= len(s.Issues[i].Options) {
			return "blank"
		}
		return s.Issues[i].Options[k].Label
	}
	segs := make([][]sseg, ni)
	type rawSeg struct {
		a, b  float64
		state parley.ClauseState
		opt   int
	}
	raws := make([][]rawSeg, ni)
	closeSeg := func(i int, to float64) {
		if on[i] && to > from[i] {
			raws[i] = append(raws[i], rawSeg{from[i], to, state[i], option[i]})
		}
		from[i] = to
	}
	when := func(k int) string {
		e := ev[k]
		return fmt.Sprintf("round %d, day %d %s", e.Round+1, e.Day+1, clock(e.Hour))
	}
	lastPrecond := map[int]int{} // party → issue of its last add_precondition
	var instr []struct {
		row int
		mk  hmark
	}
	for k, e := range ev {
		px := pos[k]
		switch e.Type {
		case protocol.EvClause:
			c := e.Clause
			if c == nil || c.Issue < 0 || c.Issue >= ni {
				continue
			}
			i := c.Issue
			closeSeg(i, px)
			on[i], ever[i] = true, true
			state[i], option[i] = c.To, c.Option
			if c.To == parley.ClauseReopened {
				xx, yy := x(px), rows[i].Y
				rows[i].Marks = append(rows[i].Marks, hmark{
					D:     "M" + hcoord(xx-6) + " " + hcoord(yy-7) + "H" + hcoord(xx+6) + "L" + hcoord(xx) + " " + hcoord(yy+4) + "Z",
					Class: "m-reopen",
					Title: fmt.Sprintf("%s reopened by %s (%s): %s", s.Issues[i].Name, sactor(m, e.Actor), when(k), c.Why),
				})
			}
		case protocol.EvAgenda:
			i := -1
			if is, ok := lastPrecond[e.Actor]; ok {
				i = is
			}
			for j := range s.Issues {
				if strings.HasPrefix(e.Note, "issue "+s.Issues[j].Name+" put on the agenda") {
					i = j
					break
				}
			}
			if i < 0 {
				continue
			}
			if !on[i] {
				from[i] = px
				on[i], ever[i] = true, true
				state[i], option[i] = parley.ClauseOpen, -1
			}
			xx, yy := x(px), rows[i].Y+rowH/2
			rows[i].Marks = append(rows[i].Marks, hmark{
				D:     "M" + hcoord(xx) + " " + hcoord(yy-8) + "L" + hcoord(xx+7) + " " + hcoord(yy) + "L" + hcoord(xx) + " " + hcoord(yy+8) + "L" + hcoord(xx-7) + " " + hcoord(yy) + "Z",
				Class: "m-agenda",
				Title: fmt.Sprintf("put on the agenda (%s): %s", when(k), e.Note),
			})
		case protocol.EvInstruction:
			in := e.Instruction
			if in == nil {
				continue
			}
			if in.Kind == parley.AddPrecondition {
				lastPrecond[e.Actor] = in.Issue
			}
			row, ok := facRow[fkey{e.Actor, e.Faction}]
			if !ok {
				continue
			}
			xx, yy := x(px), rows[row].Y+rowH/2
			var d, class string
			switch in.Kind {
			case parley.RaiseFloor:
				d, class = "M"+hcoord(xx)+" "+hcoord(yy-6)+"L"+hcoord(xx+5)+" "+hcoord(yy+4)+"H"+hcoord(xx-5)+"Z", "i-floor"
			case parley.LowerFloor:
				d, class = "M"+hcoord(xx)+" "+hcoord(yy+6)+"L"+hcoord(xx+5)+" "+hcoord(yy-4)+"H"+hcoord(xx-5)+"Z", "i-floor"
			case parley.ReopenClause:
				d, class = hshape("circle", xx, yy, 5), "i-reopen"
			case parley.AddPrecondition:
				d, class = hshape("square", xx, yy, 5.5), "i-precond"
			default:
				d, class = hshape("diamond", xx, yy, 5), "i-recall"
			}
			instr = append(instr, struct {
				row int
				mk  hmark
			}{row, hmark{D: d, Class: class, Title: when(k) + " — " + sevText(s, e)}})
		case protocol.EvRecall:
			xx := x(px)
			st.VLines = append(st.VLines, svline{X: xx, Y1: st.Top, Y2: st.Bot, Class: "v-recall", Title: fmt.Sprintf("recall (%s): %s", when(k), e.Note),
				Label: "recall", TX: xx + 3, TY: st.Top - 4, Anchor: "start"})
		case protocol.EvExtend:
			xx := x(px)
			st.VLines = append(st.VLines, svline{X: xx, Y1: st.Top, Y2: st.Bot, Class: "v-extend", Title: fmt.Sprintf("deadline extended (%s): %s", when(k), e.Note),
				Label: "extension", TX: xx + 3, TY: st.Top - 4, Anchor: "start"})
		}
	}
	for i := range s.Issues {
		closeSeg(i, float64(R))
	}

	// Day boundaries.
	day, lastLabel := 0, math.Inf(-1)
	for _, e := range ev {
		if e.Day <= day {
			continue
		}
		day = e.Day
		xx := x(float64(e.Round))
		vl := svline{X: xx, Y1: st.Top - 2, Y2: st.Bot, Class: "v-day", Title: fmt.Sprintf("day %d starts (round %d)", day+1, e.Round+1)}
		if xx-lastLabel >= 48 {
			vl.Label, vl.TX, vl.TY, vl.Anchor = "day "+strconv.Itoa(day+1), xx+3, st.Top-16, "start"
			lastLabel = xx
		}
		st.VLines = append([]svline{vl}, st.VLines...) // under the other lines
	}

	// Segments: merged per state when there are too many to draw.
	for i := range s.Issues {
		rs := raws[i]
		merge := len(rs) > sMaxSegments
		if merge {
			notes = append(notes, fmt.Sprintf("Clause %s changed %d times; segments of the same state are merged.", s.Issues[i].Name, len(rs)))
		}
		var out []rawSeg
		for _, r := range rs {
			if n := len(out); n > 0 && out[n-1].b == r.a && out[n-1].state == r.state && (merge || out[n-1].opt == r.opt) {
				out[n-1].b = r.b
				continue
			}
			out = append(out, r)
		}
		for _, r := range out {
			x0, x1 := x(r.a), x(r.b)
			w := x1 - x0
			if w > 3 && !merge {
				w -= 1 // a hairline between segments
			}
			title := fmt.Sprintf("%s — %s", s.Issues[i].Name, sstateText(r.state))
			if !merge || r.state == parley.ClauseAgreed || r.state == parley.ClauseFinal {
				title += ": " + optText(i, r.opt)
			}
			title += " (" + roundText(r.a, r.b) + ")"
			segs[i] = append(segs[i], sseg{X: x0, Y: rows[i].Y, W: math.Max(w, 0.6), H: rowH, Class: sstateClass[r.state], Title: title})
		}
		rows[i].Segs = segs[i]
		if !ever[i] {
			rows[i].Class = "strip off"
			rows[i].Full += " (never on the agenda)"
		}
	}

	// Instruction markers, thinned evenly per row when too many.
	perRow := map[int][]hmark{}
	for _, in := range instr {
		perRow[in.row] = append(perRow[in.row], in.mk)
	}
	for row := ni; row < len(rows); row++ {
		mk := perRow[row]
		if len(mk) > sMaxInstrMarks {
			notes = append(notes, fmt.Sprintf("%s sent %d instructions; %d evenly spaced ones are drawn.", strings.TrimPrefix(rows[row].Full, "instructions from "), len(mk), sMaxInstrMarks))
			th := make([]hmark, sMaxInstrMarks)
			for j := range th {
				th[j] = mk[j*len(mk)/sMaxInstrMarks]
			}
			mk = th
		}
		rows[row].Marks = mk
	}
	st.Rows = rows
	return st, notes
}

func sstripLegend() []hlegendItem {
	sw := func(class string) template.HTML {
		return template.HTML(`<svg class="icon" width="22" height="14" viewBox="0 0 22 14"><rect class="` + class + `" x="0" y="1" width="22" height="12"/></svg>`)
	}
	mk := func(class, d string) template.HTML {
		return template.HTML(`<svg class="icon" width="16" height="16" viewBox="0 0 16 16"><path class="` + class + `" d="` + d + `"/></svg>`)
	}
	ln := func(class string) template.HTML {
		return template.HTML(`<svg class="icon" width="10" height="16" viewBox="0 0 10 16"><path class="` + class + `" d="M5 0V16"/></svg>`)
	}
	return []hlegendItem{
		{"off the agenda", template.HTML(`<svg class="icon" width="22" height="14" viewBox="0 0 22 14"><rect class="track" x="0" y="1" width="22" height="12"/></svg>`)},
		{"open (blank)", sw("c-open")},
		{"proposed", sw("c-proposed")},
		{"agreed", sw("c-agreed")},
		{"reopened", sw("c-reopened")},
		{"under review", sw("c-review")},
		{"final", sw("c-final")},
		{"clause reopened (hover: by whom)", mk("m-reopen", "M2 2H14L8 13Z")},
		{"issue put on the agenda", mk("m-agenda", "M8 1L15 8L8 15L1 8Z")},
		{"instruction: lower / raise the floor", mk("i-floor", "M3 4H13L8 13Z")},
		{"instruction: reopen a clause", mk("i-reopen", hshape("circle", 8, 8, 5))},
		{"instruction: precondition", mk("i-precond", hshape("square", 8, 8, 5.5))},
		{"instruction: recall", mk("i-recall", hshape("diamond", 8, 8, 5))},
		{"recall of a delegation", ln("v-recall")},
		{"deadline extension", ln("v-extend")},
		{"new day of talks", ln("v-day")},
	}
}

// ---------------------------------------------------------------------------
// The final point on the Pareto plot.

// sparetoPlot reuses the analysis report's scatter plot: the run's
// proposals as the cloud, the frontier, the reservation lines, the Nash
// point and the agreement (or the last proposal) marked and labelled.
func sparetoPlot(run *simulate.Run, m *parley.Model, rep *analysis.Report, agreed bool) (*plotView, string, []hlegendItem) {
	np := len(m.Parties)
	if np < 2 {
		return nil, "The Pareto plot needs two parties.", nil
	}
	// Proposals made during the run, and the last one.
	var props []parley.Outcome
	for _, e := range run.Events {
		if e.Type != protocol.EvAction || e.Action == nil || strings.HasPrefix(e.Note, "invalid") {
			continue
		}
		if k := e.Action.Kind; k == parley.ActOffer || k == parley.ActText {
			if o := m.Complete(e.Action.Outcome); o != nil {
				props = append(props, o)
			}
		}
	}
	var final parley.Outcome
	what := "agreement"
	switch {
	case agreed:
		final = run.Result.Agreement
	case len(props) > 0:
		final = props[len(props)-1]
		what = "last proposal"
	}
	if len(props) > MaxSeriesDrawn {
		th := make([]parley.Outcome, MaxSeriesDrawn)
		for j := range th {
			th[j] = props[j*len(props)/MaxSeriesDrawn]
		}
		props = th
	}
	cl := &hcloud{n: np}
	for _, o := range props {
		cl.u = append(cl.u, sutils(m, o)...)
		cl.in = append(cl.in, false)
		cl.size++
	}

	var front [][]float64
	res := make([]float64, np)
	for p := range res {
		res[p] = m.Parties[p].Utility.F(m.Parties[p].Reservation)
	}
	sub := &analysis.Report{Reservations: res}
	note := ""
	if rep != nil {
		for _, p := range rep.Pareto {
			if len(p.Utilities) >= np {
				front = append(front, p.Utilities)
			}
		}
		if len(front) > MaxFrontierDrawn {
			note = fmt.Sprintf("The Pareto frontier has %s points; %s evenly spaced ones are drawn. ", hgroupDigits(strconv.Itoa(len(front))), hgroupDigits(strconv.Itoa(MaxFrontierDrawn)))
			th := make([][]float64, MaxFrontierDrawn)
			for i := range th {
				th[i] = front[int(math.Round(float64(i)*float64(len(front)-1)/float64(MaxFrontierDrawn-1)))]
			}
			front = th
		}
		if len(rep.Reservations) >= np {
			sub.Reservations = rep.Reservations
		}
		if rep.Nash != nil && len(rep.Nash.Utilities) >= np {
			sub.Nash = rep.Nash
		}
	} else {
		note = "No analysis was given: the frontier and the Nash point are not drawn. "
	}

	lo, hi := make([]float64, np), make([]float64, np)
	for p := range lo {
		lo[p], hi[p] = math.Inf(1), math.Inf(-1)
	}
	see := func(us []float64) {
		for p := 0; p < np && p < len(us); p++ {
			if u := us[p]; !math.IsNaN(u) && !math.IsInf(u, 0) {
				lo[p], hi[p] = math.Min(lo[p], u), math.Max(hi[p], u)
			}
		}
	}
	for k := 0; k < cl.size; k++ {
		see(cl.u[k*np : (k+1)*np])
	}
	for _, f := range front {
		see(f)
	}
	see(sub.Reservations)
	if sub.Nash != nil {
		see(sub.Nash.Utilities)
	}
	var fu []float64
	if final != nil {
		fu = sutils(m, final)
		see(fu)
	}
	names := make([]string, np)
	for p := range names {
		names[p] = m.Parties[p].Name
	}
	in := hplotInput{c: cl, front: front, rep: sub, names: names, lo: lo, hi: hi, connect: np == 2}
	pv := in.plot(0, 1, false)
	pv.ClipID = "sclip-pareto"
	if cl.size > 0 {
		pv.DotW = 5
		if cl.size > 300 {
			pv.DotW = 3.6
		}
	}

	if fu != nil && len(pv.XTicks) >= 2 && len(pv.YTicks) >= 2 {
		xm := saxisMap(pv.XTicks, lo[0], hi[0])
		ym := saxisMap(pv.YTicks, lo[1], hi[1])
		fx, fy := xm(fu[0]), ym(fu[1])
		class := "s-agree"
		if !agreed {
			class = "s-last"
		}
		label := "agreement"
		if !agreed {
			label = "last proposal"
		}
		pv.Marks = append(pv.Marks, hmark{D: sstar(fx, fy, 9), Class: class,
			Title: fmt.Sprintf("%s: %s %s, %s %s", label, names[0], hnum(fu[0]), names[1], hnum(fu[1]))})
		pv.Labels = append(pv.Labels, splaceLabel(pv, fx, fy, label))
	}
	switch {
	case final == nil:
		note += "No proposal was made, so there is no point to mark."
	case agreed:
		note += "The star marks the agreement."
	default:
		note += "No agreement: the hollow star marks the " + what + "."
	}
	if cl.size > 0 {
		note += " Grey dots: the offers and texts made during the run (texts completed with status-quo options)."
	}
	if np > 2 {
		note += fmt.Sprintf(" The plot shows the first two of %d parties.", np)
	}
	var legend []hlegendItem
	if cl.size > 0 {
		legend = append(legend, hlegendItem{"proposal during the run", template.HTML(`<svg class="icon" width="16" height="16" viewBox="0 0 16 16"><path class="cloud" stroke-width="5" d="M8 8h0"/></svg>`)})
	}
	if len(front) > 0 {
		legend = append(legend, hlegendItem{"Pareto frontier", template.HTML(`<svg class="icon" width="24" height="16" viewBox="0 0 24 16"><polyline class="front-line" points="1,13 12,6 23,3"/><path class="front-pt" stroke-width="5" d="M1 13h0M12 6h0M23 3h0"/></svg>`)})
	}
	legend = append(legend, hlegendItem{"reservation value", template.HTML(`<svg class="icon" width="24" height="16" viewBox="0 0 24 16"><line class="res" x1="0" y1="8" x2="24" y2="8"/></svg>`)})
	if sub.Nash != nil {
		legend = append(legend, hlegendItem{"Nash solution", hicon("circle", "s-nash")})
	}
	switch {
	case final == nil:
	case agreed:
		legend = append(legend, hlegendItem{"agreement", template.HTML(`<svg class="icon" width="18" height="18" viewBox="0 0 18 18"><path class="mark s-agree" d="` + sstar(9, 9, 8) + `"/></svg>`)})
	default:
		legend = append(legend, hlegendItem{"last proposal (no agreement)", template.HTML(`<svg class="icon" width="18" height="18" viewBox="0 0 18 18"><path class="mark s-last" d="` + sstar(9, 9, 8) + `"/></svg>`)})
	}
	return pv, strings.TrimSpace(note), legend
}

// saxisMap recovers the pixel mapping of a plot axis from its ticks: the
// first tick sits at the domain's low end and the last at its high end
// (hdomain with the plot's tick target).
func saxisMap(ticks []htick, lo, hi float64) func(float64) float64 {
	if lo > hi {
		lo, hi = 0, 1
	}
	dlo, dhi, _ := hdomain(lo, hi, 10)
	p0, p1 := ticks[0].Pos, ticks[len(ticks)-1].Pos
	return func(u float64) float64 { return p0 + (u-dlo)/(dhi-dlo)*(p1-p0) }
}

// sstar is a five-pointed star of outer radius r at (x, y).
func sstar(x, y, r float64) string {
	var b strings.Builder
	for k := 0; k < 10; k++ {
		rr := r
		if k%2 == 1 {
			rr = r * 0.45
		}
		a := -math.Pi/2 + float64(k)*math.Pi/5
		if k == 0 {
			b.WriteByte('M')
		} else {
			b.WriteByte('L')
		}
		b.WriteString(hcoord(x + rr*math.Cos(a)))
		b.WriteByte(' ')
		b.WriteString(hcoord(y + rr*math.Sin(a)))
	}
	b.WriteByte('Z')
	return b.String()
}

// splaceLabel puts a label next to (x, y), inside the plot and clear of
// the labels already placed.
func splaceLabel(pv *plotView, x, y float64, text string) hlabel {
	w := 7.2*float64(len([]rune(text))) + 4
	type box struct{ x0, y0, x1, y1 float64 }
	var placed []box
	for _, l := range pv.Labels {
		lw := 7.2*float64(len([]rune(l.Text))) + 4
		b := box{l.X, l.Y - 12, l.X + lw, l.Y + 3}
		if l.Anchor == "end" {
			b.x0, b.x1 = l.X-lw, l.X
		}
		placed = append(placed, b)
	}
	for _, r := range []*hresLine{pv.ResX, pv.ResY} {
		if r == nil {
			continue
		}
		rw := 6.2*float64(len([]rune(r.Text))) + 4
		b := box{r.TX, r.TY - 11, r.TX + rw, r.TY + 3}
		if r.Anchor == "end" {
			b.x0, b.x1 = r.TX-rw, r.TX
		}
		placed = append(placed, b)
	}
	e := 12.0
	cands := []struct{ dx, dy float64 }{{e, e + 8}, {e, -e + 2}, {-e, e + 8}, {-e, -e + 2}, {e, e + 22}, {-e, -e - 12}, {e, -e - 12}, {-e, e + 22}}
	best := hlabel{X: x + cands[0].dx, Y: y + cands[0].dy, Anchor: "start", Text: text}
	for _, cd := range cands {
		lb := hlabel{X: x + cd.dx, Y: y + cd.dy, Anchor: "start", Text: text}
		b := box{lb.X, lb.Y - 12, lb.X + w, lb.Y + 3}
		if cd.dx < 0 {
			lb.Anchor = "end"
			b.x0, b.x1 = lb.X-w, lb.X
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
			return lb
		}
	}
	return best
}

// ---------------------------------------------------------------------------
// Events.

// seventRows lists the first and last events, MaxEventRows in all, and
// how many are left out.
func seventRows(s *parley.Scenario, ev []protocol.Event, calendar bool) ([]seventRow, int) {
	head, tail := len(ev), 0
	more := 0
	if len(ev) > MaxEventRows {
		head, tail = MaxEventRows*3/4, MaxEventRows/4
		more = len(ev) - head - tail
	}
	row := func(e protocol.Event) seventRow {
		typ := string(e.Type)
		r := seventRow{Seq: strconv.Itoa(e.Seq), Round: strconv.Itoa(e.Round + 1), Type: typ, Text: strings.TrimPrefix(sevText(s, e), typ+" "), Class: "e-" + typ}
		if calendar {
			r.Day, r.Clock = strconv.Itoa(e.Day+1), clock(e.Hour)
		}
		switch {
		case e.Type == protocol.EvClause && e.Clause != nil && e.Clause.To == parley.ClauseReopened:
			r.Class += " e-reopen"
		case e.Type == protocol.EvAction && strings.HasPrefix(e.Note, "invalid"):
			r.Class += " e-invalid"
		}
		return r
	}
	var out []seventRow
	for _, e := range ev[:head] {
		out = append(out, row(e))
	}
	if more > 0 {
		out = append(out, seventRow{More: more})
		for _, e := range ev[len(ev)-tail:] {
			out = append(out, row(e))
		}
	}
	return out, more
}

// ---------------------------------------------------------------------------
// Template. It shares the analysis report's stylesheet and its "plot"
// template; the markup is XHTML-compatible (every element closed) so that
// tests can check it with encoding/xml.

// sbaseCSS is the analysis report's stylesheet, taken from its template
// so that both reports look alike.
var sbaseCSS = func() template.CSS {
	i, j := strings.Index(htmlSource, "<style>\n"), strings.Index(htmlSource, "</style>")
	if i < 0 || j < i {
		return ""
	}
	return template.CSS(htmlSource[i+len("<style>\n") : j])
}()

// simTemplate, like htmlTemplate, is parsed on first use.
var simTemplate = sync.OnceValue(func() *template.Template {
	// Its own parse of the analysis page's template (a clone is not
	// allowed once that one has executed).
	base := template.Must(template.New("report").Funcs(template.FuncMap{"c": hcoord}).Parse(htmlSource))
	return template.Must(base.New("simulation").Funcs(template.FuncMap{"c": hcoord, "sub": func(a, b float64) float64 { return a - b }}).Parse(simSource))
})

const simSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}} — parley simulation</title>
<style>
{{.CSS}}
.legend.inl li { display: inline-block; margin-right: 18px; }
.sim-meta td:first-child { color: #59636e; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-weight: 600; font-size: 14px; }
.end-ok { background: #dafbe1; color: #116329; }
.end-fail { background: #ffebe9; color: #a40e26; }
td.below { color: #b42318; }
.sline { fill: none; stroke-width: 2; stroke-linejoin: round; }
.sdots { fill: none; stroke-linecap: round; }
.sline.faint { stroke-width: 1; stroke-opacity: 0.35; }
.sdots.recv { stroke-opacity: 0.6; }
.sres { fill: none; stroke-width: 1.2; stroke-dasharray: 6 4; }
.srestext { font-size: 11px; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg.strip .rowlabel { font-size: 12.5px; fill: #1f2328; }
svg.strip .off .rowlabel { fill: #8c959f; font-style: italic; }
svg.strip .irow .rowlabel { fill: #59636e; font-size: 12px; }
svg.strip .shead { font-size: 12px; font-weight: 600; fill: #59636e; }
svg.strip .vgrid { stroke: #eef1f4; stroke-width: 1; }
.track { fill: #f6f8fa; stroke: #eaeef2; stroke-width: 1; }
.irow .track { fill: #fbfbfc; }
.c-open { fill: #d0d7de; }
.c-proposed { fill: #9ecae1; }
.c-agreed { fill: #41ab5d; }
.c-reopened { fill: #e34a33; }
.c-review { fill: #fdae6b; }
.c-final { fill: #00441b; }
.m-reopen { fill: #b42318; stroke: #fff; stroke-width: 1; }
.m-agenda { fill: #6f42c1; stroke: #fff; stroke-width: 1.2; }
.i-floor { fill: #8c959f; }
.i-reopen { fill: #e34a33; stroke: #fff; stroke-width: 1; }
.i-precond { fill: #6f42c1; stroke: #fff; stroke-width: 1; }
.i-recall { fill: #9a6700; stroke: #fff; stroke-width: 1; }
.v-recall { stroke: #9a6700; stroke-width: 2; stroke-dasharray: 4 3; }
.v-extend { stroke: #1f2328; stroke-width: 2; }
.v-day { stroke: #8c959f; stroke-width: 1; stroke-dasharray: 2 3; }
.vlabel { font-size: 11px; fill: #59636e; }
.s-agree { fill: #e63946; }
.mark.s-last { fill: #fff; stroke: #e63946; stroke-width: 2; }
table.events { font-size: 13px; }
table.events td { padding: 2px 8px; }
table.events td.ev { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
tr.e-clause td.ev { color: #444c56; }
tr.e-instruction td { background: #fbf7ff; }
tr.e-reopen td { background: #ffebe9; }
tr.e-agenda td, tr.e-recall td, tr.e-extend td { background: #fff8c5; }
tr.e-end td, tr.e-ratification_failed td, tr.e-invalid td { background: #f6f8fa; font-weight: 600; }
tr.more td { text-align: center; color: #59636e; font-style: italic; }
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p class="meta">Simulation · scenario <span class="id">{{.ID}}</span>{{if .Variant}} · variant <span class="id">{{.Variant}}</span>{{else}} · base variant{{end}} · {{.ProtocolName}} protocol · seed {{.Seed}}</p>
{{if .Account}}<div class="account">{{range .Account}}<p>{{.}}</p>{{end}}</div>{{end}}

<p><span class="badge {{.EndClass}}">{{.End}}</span> {{.Why}}</p>
<table class="sim-meta">
<tr><td>Protocol</td><td><code>{{.Protocol}}</code></td></tr>
<tr><td>Rounds</td><td>{{.Rounds}} rounds · {{.Steps}} steps · {{.Offers}} {{.OffersWord}}</td></tr>
<tr><td>Agents</td><td>{{range $i, $s := .Seats}}{{if $i}}<br/>{{end}}{{$s.Seat}}: <code>{{$s.Agent}}</code>{{end}}</td></tr>
</table>

{{if .Agreement}}<h2>Agreement</h2>
<ul>{{range .Clauses}}<li>{{.}}</li>{{else}}<li class="muted">The agreement addresses no issue.</li>{{end}}</ul>
{{else}}<h2>No agreement</h2>
{{if .Blocked}}<p>Who rejected the last proposal:</p>
<ul>{{range .Blocked}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}
{{if .Assumptions}}<p>Assumptions no source states:</p>
<ul class="note">{{range .Assumptions}}<li>{{.}}</li>{{end}}</ul>{{end}}
<table>
<tr><th>Party</th><th>{{if .Agreement}}Utility of the agreement{{else}}Utility (no agreement){{end}}</th><th>Reservation</th><th>Surplus</th></tr>
{{range .Utils}}<tr><td>{{.Party}}</td><td class="num">{{.Utility}}</td><td class="num">{{.Reservation}}</td><td class="num{{if .Below}} below{{end}}">{{.Surplus}}</td></tr>
{{end}}</table>

<h2 id="utilities">Utilities over time</h2>
{{if .Util}}{{template "sline" .Util}}
<ul class="legend inl">{{range .UtilLegend}}<li>{{.Icon}}{{.Label}}</li>{{end}}</ul>{{end}}
<p class="note">{{.UtilNote}}</p>

{{if .Strip}}<h2 id="clauses">Clause timeline</h2>
{{template "sstrip" .Strip}}
<ul class="legend inl">{{range .StripLegend}}<li>{{.Icon}}{{.Label}}</li>{{end}}</ul>
<p class="note">One strip per issue of the single negotiating text, coloured by the clause's state; hover a segment or marker for details. Rows below: the instructions each faction sent its delegate.</p>
{{range .StripNotes}}<p class="note">{{.}}</p>{{end}}{{end}}

<h2 id="pareto">The outcome on the Pareto plot</h2>
{{if .Pareto}}<div class="plotwrap">
<div>{{template "plot" .Pareto}}</div>
<div class="side"><b>Legend</b>
<ul class="legend">{{range .ParetoLegend}}<li>{{.Icon}}{{.Label}}</li>{{end}}</ul>
</div>
</div>{{end}}
<p class="note">{{.ParetoNote}}</p>

<h2 id="events">Events</h2>
{{if .EventsMore}}<p class="note">The first and last of the run's events; the JSONL transcript is the full record.</p>{{end}}
<table class="events">
<tr><th>#</th><th>Round</th>{{if .Calendar}}<th>Day</th><th>Time</th>{{end}}<th>Type</th><th>Event</th></tr>
{{range .Events}}{{if .More}}<tr class="more"><td colspan="{{if $.Calendar}}6{{else}}4{{end}}">… {{.More}} more events (see the transcript)</td></tr>
{{else}}<tr class="{{.Class}}"><td class="num">{{.Seq}}</td><td class="num">{{.Round}}</td>{{if $.Calendar}}<td class="num">{{.Day}}</td><td>{{.Clock}}</td>{{end}}<td>{{.Type}}</td><td class="ev">{{.Text}}</td></tr>
{{end}}{{end}}</table>
<p class="note">Generated by parley.</p>
</main>
</body>
</html>
{{define "sline"}}<svg class="plot" xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="utilities over time">
<defs><clipPath id="sclip-util"><rect x="{{c .Left}}" y="{{c .Top}}" width="{{c (sub .Right .Left)}}" height="{{c (sub .Bot .Top)}}"/></clipPath></defs>
{{range .XTicks}}<line class="grid" x1="{{c .Pos}}" y1="{{c .Other}}" x2="{{c .Pos}}" y2="{{c $.Bot}}"/><text class="tick" x="{{c .TX}}" y="{{c .TY}}" text-anchor="middle">{{.Text}}</text>
{{end}}{{range .YTicks}}<line class="grid" x1="{{c $.Left}}" y1="{{c .Pos}}" x2="{{c .Other}}" y2="{{c .Pos}}"/><text class="tick" x="{{c .TX}}" y="{{c .TY}}" text-anchor="end">{{.Text}}</text>
{{end}}<rect class="frame" x="{{c .Left}}" y="{{c .Top}}" width="{{c (sub .Right .Left)}}" height="{{c (sub .Bot .Top)}}"/>
<text class="atitle" x="{{c .XTitleX}}" y="{{c .XTitleY}}" text-anchor="middle">{{.XTitle}}</text>
<text class="atitle" x="{{c .YTitleX}}" y="{{c .YTitleY}}" text-anchor="middle" transform="rotate(-90 {{c .YTitleX}} {{c .YTitleY}})">{{.YTitle}}</text>
<g clip-path="url(#sclip-util)">
{{range .Res}}<line class="sres" stroke="{{.Color}}" x1="{{c .X1}}" y1="{{c .Y1}}" x2="{{c .X2}}" y2="{{c .Y2}}"/>
{{end}}{{range .Series}}{{if .D}}<path class="{{.Class}}" stroke="{{.Color}}" d="{{.D}}"><title>{{.Title}}</title></path>
{{end}}{{if .Recv}}<path class="sdots recv" stroke="{{.Color}}" stroke-width="{{c (sub .DotW 2)}}" d="{{.Recv}}"><title>{{.RecvTitle}}</title></path>
{{end}}{{if .Dots}}<path class="sdots" stroke="{{.Color}}" stroke-width="{{c .DotW}}" d="{{.Dots}}"><title>{{.DotsTitle}}</title></path>
{{end}}{{end}}</g>
{{range .Res}}<text class="srestext" fill="{{.Color}}" x="{{c .TX}}" y="{{c .TY}}" text-anchor="end">{{.Text}}</text>
{{end}}</svg>{{end}}
{{define "sstrip"}}<svg class="plot strip" xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="clause timeline">
{{range .Grid}}<line class="vgrid" x1="{{c .X}}" y1="{{c .Y1}}" x2="{{c .X}}" y2="{{c .Y2}}"/>
{{end}}{{range .XTicks}}<text class="tick" x="{{c .TX}}" y="{{c .TY}}" text-anchor="middle">{{.Text}}</text>
{{end}}<text class="atitle" x="{{c .XTitleX}}" y="{{c .XTitleY}}" text-anchor="middle">round</text>
{{if .HeadY}}<text class="shead" x="{{c .HeadX}}" y="{{c .HeadY}}" text-anchor="start">Instructions from factions</text>
{{end}}{{range .Rows}}<g class="{{.Class}}"{{if .Issue}} data-issue="{{.Issue}}"{{end}}><text class="rowlabel" x="{{c $.LabelX}}" y="{{c .TY}}" text-anchor="end"><title>{{.Full}}</title>{{.Label}}</text><rect class="track" x="{{c $.Left}}" y="{{c .Y}}" width="{{c $.TrackW}}" height="{{c .H}}"/>
{{range .Segs}}<rect class="{{.Class}}" x="{{c .X}}" y="{{c .Y}}" width="{{c .W}}" height="{{c .H}}"><title>{{.Title}}</title></rect>
{{end}}{{range .Marks}}<path class="{{.Class}}" d="{{.D}}"><title>{{.Title}}</title></path>
{{end}}</g>
{{end}}{{range .VLines}}<line class="{{.Class}}" x1="{{c .X}}" y1="{{c .Y1}}" x2="{{c .X}}" y2="{{c .Y2}}"><title>{{.Title}}</title></line>{{if .Label}}<text class="vlabel" x="{{c .TX}}" y="{{c .TY}}" text-anchor="{{.Anchor}}">{{.Label}}</text>{{end}}
{{end}}</svg>{{end}}`

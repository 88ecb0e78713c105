package report

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
)

// This file draws the clause timeline of a mediated run: one strip per
// issue of the single negotiating text, coloured by the clause's state
// over the rounds, with markers where a clause was reopened or an issue put
// on the agenda; one row per faction with the instructions it sent its
// delegate; and vertical lines at recalls, extensions and new days of talks,
// their labels stacked so that none overlaps another.

// Limits of the clause timeline.
const (
	// maxSegments bounds the segments of one clause strip; past it,
	// segments of the same state are merged (option changes are no longer
	// shown).
	maxSegments = 600
	// maxInstructionMarks bounds the markers of one faction's row.
	maxInstructionMarks = 600
	// maxRowLabel bounds the characters of a row label.
	maxRowLabel = 30
)

// strip is the clause timeline's geometry.
type strip struct {
	W, H             int
	Desc             string
	Left, Right      float64
	Top, Bot         float64
	TickY            float64
	XTicks           []tick
	Grid             []gridLine
	XTitleX, XTitleY float64
	HeadX, HeadY     float64 // "instructions" heading; HeadY 0: none
	Rows             []stripRow
	VLines           []vline
	TrackW           float64
	LabelX           float64
}

type gridLine struct{ X, Y1, Y2 float64 }

type stripRow struct {
	Class, Issue, Label, Full string
	Y, H, TY                  float64
	Segs                      []segment
	Marks                     []shape
}

type segment struct {
	X, Y, W, H   float64
	Class, Title string
}

type vline struct {
	X, Y1, Y2    float64
	Class, Title string
	Label        *label
}

// stateClass names the CSS class of a clause state.
var stateClass = map[parley.ClauseState]string{
	parley.ClauseOpen:        "c-open",
	parley.ClauseProposed:    "c-proposed",
	parley.ClauseAgreed:      "c-agreed",
	parley.ClauseReopened:    "c-reopened",
	parley.ClauseUnderReview: "c-review",
	parley.ClauseFinal:       "c-final",
}

// stateText is how a state reads in tooltips and the legend.
func stateText(s parley.ClauseState) string { return strings.ReplaceAll(s.String(), "_", " ") }

// roundPositions places every event of a mediated run on a continuous
// round axis: round r spans [r, r+1) and the events of a round are spread
// evenly over it in order, so that moves within a round stay apart. It
// returns the axis length (rounds) and the positions.
func roundPositions(ev []protocol.Event, rounds int) (int, []float64) {
	R := max(rounds, 1)
	perRound := map[int]int{}
	for _, e := range ev {
		perRound[e.Round]++
		R = max(R, e.Round+1)
	}
	pos := make([]float64, len(ev))
	seen := map[int]int{}
	for i, e := range ev {
		k := seen[e.Round]
		seen[e.Round]++
		pos[i] = float64(e.Round) + (float64(k)+0.5)/float64(perRound[e.Round])
	}
	return R, pos
}

// roundTicks labels rounds 1, step, 2·step, ... at the middle of their span.
func roundTicks(R int, x func(float64) float64) []tick {
	step := intStep(R, 12)
	var out []tick
	for n := 1; n <= R; {
		out = append(out, tick{Pos: x(float64(n) - 0.5), Text: count(n)})
		if n == 1 && step > 1 {
			n = step
		} else {
			n += step
		}
	}
	return thinLabels(out)
}

// stripLeft is the left margin that fits the clause timeline's row labels;
// the mediated utilities chart uses it too so that the two line up.
func stripLeft(m *parley.Model) float64 {
	n := 12
	for _, is := range m.Scenario.Issues {
		n = max(n, len([]rune(is.Name)))
	}
	for _, p := range m.Parties {
		for _, pr := range p.Principals {
			n = max(n, len([]rune(p.Name))+len([]rune(pr.Name))+1)
		}
	}
	n = min(n, maxRowLabel)
	return 14 + 6.8*float64(n)
}

// initialAgenda says which issues were off the agenda at the start.
func initialAgenda(h protocol.Header, ni int) []bool {
	off := make([]bool, ni)
	c, err := h.ProtocolConfig()
	if err != nil {
		return off
	}
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
	return off
}

// faction names a faction's instruction row.
type faction struct{ party, faction int }

// instructingFactions lists the factions that sent instructions, by party
// and faction.
func instructingFactions(ev []protocol.Event) []faction {
	var out []faction
	seen := map[faction]bool{}
	for _, e := range ev {
		if e.Type == protocol.EvInstruction && e.Instruction != nil {
			k := faction{e.Actor, e.Faction}
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].party != out[j].party {
			return out[i].party < out[j].party
		}
		return out[i].faction < out[j].faction
	})
	return out
}

// eventTime words when an event happened.
func eventTime(e protocol.Event) string {
	return fmt.Sprintf("round %d, day %d %s", e.Round+1, e.Day+1, clock(e.Hour))
}

// verticalLines returns the lines at recalls, extensions and new days, and
// how many levels their labels take.
func verticalLines(ev []protocol.Event, pos []float64, x func(float64) float64) ([]vline, int) {
	var lines []vline
	day, lastDay := 0, math.Inf(-1)
	for k, e := range ev {
		switch {
		case e.Day > day:
			day = e.Day
			xx := x(float64(e.Round))
			vl := vline{X: xx, Class: "v-day", Title: fmt.Sprintf("day %d starts (round %d)", day+1, e.Round+1)}
			if xx-lastDay >= 48 { // day labels closer than that are left to the tooltips
				vl.Label = &label{X: xx + 3, Anchor: "start", Class: "vlabel", Text: "day " + strconv.Itoa(day+1)}
				lastDay = xx
			}
			lines = append(lines, vl)
		}
		switch e.Type {
		case protocol.EvRecall:
			xx := x(pos[k])
			lines = append(lines, vline{X: xx, Class: "v-recall", Title: fmt.Sprintf("recall (%s): %s", eventTime(e), e.Note),
				Label: &label{X: xx + 3, Anchor: "start", Class: "vlabel", Text: "recall"}})
		case protocol.EvExtend:
			xx := x(pos[k])
			lines = append(lines, vline{X: xx, Class: "v-extend", Title: fmt.Sprintf("deadline extended (%s): %s", eventTime(e), e.Note),
				Label: &label{X: xx + 3, Anchor: "start", Class: "vlabel", Text: "extension"}})
		}
	}
	// Day lines first so that the others are drawn over them.
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Class == "v-day" && lines[j].Class != "v-day" })
	var idx []int
	for i := range lines {
		if lines[i].Label != nil {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return lines[idx[a]].X < lines[idx[b]].X })
	spans := make([][2]float64, len(idx))
	for k, i := range idx {
		l := lines[i].Label
		spans[k] = [2]float64{l.X, l.X + textWidth(l.Text, 11)}
	}
	lv := levels(spans, 4)
	depth := 0
	for k, i := range idx {
		lines[i].Label.Y = float64(lv[k]) // a level for now; clauseTimeline sets the height
		depth = max(depth, lv[k]+1)
	}
	return lines, depth
}

// clauseTimeline draws the strips of a mediated run.
func clauseTimeline(d *Debrief, R int, pos []float64, left float64) (*strip, []string) {
	m := d.Model
	s := m.Scenario
	ni := len(s.Issues)
	ev := d.Events
	st := &strip{W: timeW, Left: left, Right: timeRight}
	x := func(t float64) float64 { return st.Left + t/float64(R)*(st.Right-st.Left) }
	st.LabelX = st.Left - 8
	st.TrackW = st.Right - st.Left
	var notes []string

	lines, depth := verticalLines(ev, pos, x)
	st.Top = 18 + 13*float64(max(depth, 1))
	for i := range lines {
		lines[i].Y1, lines[i].Y2 = st.Top-2, 0 // Y2 once the rows are laid out
		if l := lines[i].Label; l != nil {
			l.Y = st.Top - 5 - 13*l.Y
		}
	}

	facs := instructingFactions(ev)
	rows, facRow := st.layoutRows(m, facs)
	st.H = int(st.Bot + 48)
	st.TickY = st.Bot + 16
	// Room between tick labels and the title also for the larger text of
	// narrow screens (style.css).
	st.XTitleX, st.XTitleY = (st.Left+st.Right)/2, st.Bot+40
	st.XTicks = roundTicks(R, x)
	if px := (st.Right - st.Left) / float64(R); px >= 6 {
		for r := 1; r < R; r++ {
			st.Grid = append(st.Grid, gridLine{x(float64(r)), st.Top, st.Bot})
		}
	}
	for i := range lines {
		lines[i].Y2 = st.Bot
	}
	st.VLines = lines

	segs, instr := clauseStates(d, rows, pos, facRow, x, R)
	for i := range s.Issues {
		var merged bool
		rows[i].Segs, merged = segments(s, i, segs[i], rows[i].Y, clauseRowH, x)
		if merged {
			notes = append(notes, fmt.Sprintf("Clause %s changed %d times; segments of the same state are merged.", s.Issues[i].Name, len(segs[i].raw)))
		}
		if !segs[i].ever {
			rows[i].Class = "strip off"
			rows[i].Full += " (never on the agenda)"
		}
	}
	// Instruction markers, thinned evenly per row when too many.
	for row := ni; row < len(rows); row++ {
		mk := instr[row]
		if len(mk) > maxInstructionMarks {
			notes = append(notes, fmt.Sprintf("%s sent %d instructions; %d evenly spaced ones are drawn.", strings.TrimPrefix(rows[row].Full, "instructions from "), len(mk), maxInstructionMarks))
			th := make([]shape, maxInstructionMarks)
			for j := range th {
				th[j] = mk[j*len(mk)/maxInstructionMarks]
			}
			mk = th
		}
		rows[row].Marks = mk
	}
	st.Rows = rows
	st.Desc = fmt.Sprintf("The state of each of the %d clauses over %d rounds, and the instructions of %d factions.", ni, R, len(facs))
	return st, notes
}

// The clause timeline's row height and pitch.
const clauseRowH, clauseRowPitch = 18.0, 26.0

// layoutRows lays out the strip's rows below st.Top: one per clause, then,
// under a heading, one per faction that sent instructions (facRow maps it
// to its row). It sets st.Bot and the heading's position.
func (st *strip) layoutRows(m *parley.Model, facs []faction) (rows []stripRow, facRow map[faction]int) {
	s := m.Scenario
	ni := len(s.Issues)
	facRow = map[faction]int{}
	rows = make([]stripRow, ni, ni+len(facs))
	y := st.Top + 8
	for i := range s.Issues {
		rows[i] = stripRow{Class: "strip", Issue: s.Issues[i].Name, Label: cut(s.Issues[i].Name, maxRowLabel), Full: s.Issues[i].Name, Y: y, H: clauseRowH, TY: y + clauseRowH/2 + 4}
		y += clauseRowPitch
	}
	if len(facs) > 0 {
		y += 14
		st.HeadX, st.HeadY = 4, y-4
		y += 6
	}
	for k, f := range facs {
		name := actorName(m, f.party)
		if f.party >= 0 && f.party < len(m.Parties) && f.faction >= 0 && f.faction < len(m.Parties[f.party].Principals) {
			name += "/" + m.Parties[f.party].Principals[f.faction].Name
		}
		facRow[f] = ni + k
		rows = append(rows, stripRow{Class: "irow", Label: cut(name, maxRowLabel), Full: "instructions from " + name, Y: y, H: clauseRowH, TY: y + clauseRowH/2 + 4})
		y += clauseRowPitch
	}
	st.Bot = y + 4
	return rows, facRow
}

// clauseTrack is one clause's history: the spans of its states and
// options, and whether it was ever on the agenda.
type clauseTrack struct {
	raw  []rawSegment
	ever bool
}

type rawSegment struct {
	a, b  float64
	state parley.ClauseState
	opt   int
}

// clauseStates walks the events: the clauses' states (as spans), the
// reopen and agenda markers on the issue rows, and the instruction
// markers per faction row.
func clauseStates(d *Debrief, rows []stripRow, pos []float64, facRow map[faction]int, x func(float64) float64, R int) ([]clauseTrack, map[int][]shape) {
	m := d.Model
	s := m.Scenario
	ni := len(s.Issues)
	off := initialAgenda(d.Header, ni)
	w := &clauseWalk{
		m: m, rows: rows, x: x,
		tracks: make([]clauseTrack, ni),
		state:  make([]parley.ClauseState, ni),
		option: make([]int, ni),
		from:   make([]float64, ni),
		on:     make([]bool, ni),
	}
	for i := range w.on {
		w.on[i] = !off[i]
		w.tracks[i].ever = w.on[i]
		w.option[i] = -1
	}
	instr := map[int][]shape{}
	lastPrecond := map[int]int{} // party → issue of its last add_precondition
	for k, e := range d.Events {
		px := pos[k]
		switch e.Type {
		case protocol.EvClause:
			w.clause(e, px)
		case protocol.EvAgenda:
			i := -1
			if is, ok := lastPrecond[e.Actor]; ok {
				i = is
			}
			w.agenda(e, px, i)
		case protocol.EvInstruction:
			in := e.Instruction
			if in == nil {
				continue
			}
			if in.Kind == parley.AddPrecondition {
				lastPrecond[e.Actor] = in.Issue
			}
			row, ok := facRow[faction{e.Actor, e.Faction}]
			if !ok {
				continue
			}
			xx, yy := x(px), rows[row].Y+rows[row].H/2
			instr[row] = append(instr[row], instructionMark(in.Kind, xx, yy, eventTime(e)+" — "+eventText(s, e)))
		}
	}
	for i := range s.Issues {
		w.closeSeg(i, float64(R))
	}
	return w.tracks, instr
}

// clauseWalk is clauseStates' state: per clause, its track so far, whether
// it is on the agenda, and its current state and option since from.
type clauseWalk struct {
	m      *parley.Model
	rows   []stripRow
	x      func(float64) float64
	tracks []clauseTrack
	state  []parley.ClauseState
	option []int
	from   []float64
	on     []bool
}

// closeSeg ends clause i's current span at to.
func (w *clauseWalk) closeSeg(i int, to float64) {
	if w.on[i] && to > w.from[i] {
		w.tracks[i].raw = append(w.tracks[i].raw, rawSegment{w.from[i], to, w.state[i], w.option[i]})
	}
	w.from[i] = to
}

// clause starts a span in the clause event's new state at px, marking a
// reopening on the clause's row.
func (w *clauseWalk) clause(e protocol.Event, px float64) {
	c := e.Clause
	if c == nil || c.Issue < 0 || c.Issue >= len(w.tracks) {
		return
	}
	i := c.Issue
	w.closeSeg(i, px)
	w.on[i], w.tracks[i].ever = true, true
	w.state[i], w.option[i] = c.To, c.Option
	if c.To == parley.ClauseReopened {
		s := w.m.Scenario
		xx, yy := w.x(px), w.rows[i].Y
		w.rows[i].Marks = append(w.rows[i].Marks, shape{
			D:     "M" + coord(xx-6) + " " + coord(yy-7) + "H" + coord(xx+6) + "L" + coord(xx) + " " + coord(yy+4) + "Z",
			Class: "m-reopen",
			Title: fmt.Sprintf("%s reopened by %s (%s): %s", s.Issues[i].Name, actorName(w.m, e.Actor), eventTime(e), c.Why),
		})
	}
}

// agenda puts on the agenda at px the clause the event's note names (or
// else clause i, the actor's last precondition), opening it if it was
// off, and marks it on the clause's row.
func (w *clauseWalk) agenda(e protocol.Event, px float64, i int) {
	s := w.m.Scenario
	for j := range s.Issues {
		if strings.HasPrefix(e.Note, "issue "+s.Issues[j].Name+" put on the agenda") {
			i = j
			break
		}
	}
	if i < 0 || i >= len(w.tracks) {
		return
	}
	if !w.on[i] {
		w.from[i] = px
		w.on[i], w.tracks[i].ever = true, true
		w.state[i], w.option[i] = parley.ClauseOpen, -1
	}
	xx, yy := w.x(px), w.rows[i].Y+w.rows[i].H/2
	w.rows[i].Marks = append(w.rows[i].Marks, shape{
		D:     "M" + coord(xx) + " " + coord(yy-8) + "L" + coord(xx+7) + " " + coord(yy) + "L" + coord(xx) + " " + coord(yy+8) + "L" + coord(xx-7) + " " + coord(yy) + "Z",
		Class: "m-agenda",
		Title: fmt.Sprintf("put on the agenda (%s): %s", eventTime(e), e.Note),
	})
}

// instructionMark is the marker of an instruction at (x, y).
func instructionMark(kind parley.InstructionKind, x, y float64, title string) shape {
	var d, class string
	switch kind {
	case parley.RaiseFloor:
		d, class = "M"+coord(x)+" "+coord(y-6)+"L"+coord(x+5)+" "+coord(y+4)+"H"+coord(x-5)+"Z", "i-floor"
	case parley.LowerFloor:
		d, class = "M"+coord(x)+" "+coord(y+6)+"L"+coord(x+5)+" "+coord(y-4)+"H"+coord(x-5)+"Z", "i-floor"
	case parley.ReopenClause:
		d, class = marker("circle", x, y, 5), "i-reopen"
	case parley.AddPrecondition:
		d, class = marker("square", x, y, 5.5), "i-precond"
	default:
		d, class = marker("diamond", x, y, 5), "i-recall"
	}
	return shape{D: d, Class: class, Title: title}
}

// segments draws one clause's spans, merging neighbours in the same state
// (and option, unless there are too many to draw); it reports whether it
// merged across options.
func segments(s *parley.Scenario, i int, tr clauseTrack, y, h float64, x func(float64) float64) ([]segment, bool) {
	merge := len(tr.raw) > maxSegments
	var out []rawSegment
	for _, r := range tr.raw {
		if n := len(out); n > 0 && out[n-1].b == r.a && out[n-1].state == r.state && (merge || out[n-1].opt == r.opt) {
			out[n-1].b = r.b
			continue
		}
		out = append(out, r)
	}
	optText := func(k int) string {
		if k < 0 || k >= len(s.Issues[i].Options) {
			return "blank"
		}
		return s.Issues[i].Options[k].Label
	}
	roundText := func(a, b float64) string {
		r0, r1 := int(a)+1, int(math.Ceil(b-1e-9))
		if r1 <= r0 {
			return "round " + strconv.Itoa(r0)
		}
		return "rounds " + strconv.Itoa(r0) + "–" + strconv.Itoa(r1)
	}
	segs := make([]segment, 0, len(out))
	for _, r := range out {
		x0, x1 := x(r.a), x(r.b)
		w := x1 - x0
		if w > 3 && !merge {
			w-- // a hairline between segments
		}
		title := fmt.Sprintf("%s — %s", s.Issues[i].Name, stateText(r.state))
		if !merge || r.state == parley.ClauseAgreed || r.state == parley.ClauseFinal {
			title += ": " + optText(r.opt)
		}
		title += " (" + roundText(r.a, r.b) + ")"
		segs = append(segs, segment{X: x0, Y: y, W: math.Max(w, 0.6), H: h, Class: stateClass[r.state], Title: title})
	}
	return segs, merge
}

// stripLegend explains the clause timeline's colours, markers and lines:
// those it draws, and only those.
func stripLegend(st *strip) []legendItem {
	drawn := map[string]bool{}
	for _, r := range st.Rows {
		for _, sg := range r.Segs {
			drawn[sg.Class] = true
		}
		for _, mk := range r.Marks {
			drawn[mk.Class] = true
		}
		if r.Issue != "" && trackShows(st, r) {
			drawn["track"] = true
		}
	}
	for _, v := range st.VLines {
		drawn[v.Class] = true
	}
	mk := func(class, d string) template.HTML {
		return icon(16, 16, `<path class="key `+class+`" d="`+d+`"/>`)
	}
	ln := func(class string) template.HTML {
		return icon(10, 16, `<path class="key `+class+`" d="M5 0V16"/>`)
	}
	all := []struct {
		class string
		item  legendItem
	}{
		{"track", legendItem{"off the agenda", swatchIcon("track")}},
		{"c-open", legendItem{"open (blank)", swatchIcon("c-open")}},
		{"c-proposed", legendItem{"proposed", swatchIcon("c-proposed")}},
		{"c-agreed", legendItem{"agreed", swatchIcon("c-agreed")}},
		{"c-reopened", legendItem{"reopened", swatchIcon("c-reopened")}},
		{"c-review", legendItem{"under review", swatchIcon("c-review")}},
		{"c-final", legendItem{"final", swatchIcon("c-final")}},
		{"m-reopen", legendItem{"clause reopened (hover: by whom)", mk("m-reopen", "M2 2H14L8 13Z")}},
		{"m-agenda", legendItem{"issue put on the agenda", mk("m-agenda", "M8 1L15 8L8 15L1 8Z")}},
		{"i-floor", legendItem{"instruction: lower / raise the floor", mk("i-floor", "M3 4H13L8 13Z")}},
		{"i-reopen", legendItem{"instruction: reopen a clause", mk("i-reopen", marker("circle", 8, 8, 5))}},
		{"i-precond", legendItem{"instruction: precondition", mk("i-precond", marker("square", 8, 8, 5.5))}},
		{"i-recall", legendItem{"instruction: recall", mk("i-recall", marker("diamond", 8, 8, 5))}},
		{"v-recall", legendItem{"recall of a delegation", ln("v-recall")}},
		{"v-extend", legendItem{"deadline extension", ln("v-extend")}},
		{"v-day", legendItem{"new day of talks", ln("v-day")}},
	}
	var out []legendItem
	for _, it := range all {
		if drawn[it.class] {
			out = append(out, it.item)
		}
	}
	return out
}

// trackShows reports whether an issue row's segments leave part of its
// track uncovered: the issue was off the agenda for a while.
func trackShows(st *strip, r stripRow) bool {
	end := st.Left
	for _, sg := range r.Segs {
		if sg.X > end+1.5 {
			return true
		}
		end = math.Max(end, sg.X+sg.W)
	}
	return end < st.Right-1.5
}

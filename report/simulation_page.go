package report

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
)

// This file builds the simulation page (HTML) of one negotiation, from its
// debrief: the header (scenario, protocol, seed, agents, how it ended), the
// agreement as clauses or who rejected the last proposal, the parties'
// utilities, the utilities over time, the clause timeline of a mediated
// run, the outcome against the Pareto frontier, and the first and last
// events. The markup is in templates/simulation.html.

// Limits of the simulation page.
const (
	// MaxSeriesDrawn bounds the proposals drawn per proposer on the
	// Pareto plot; more are thinned evenly.
	MaxSeriesDrawn = 2000
	// MaxEventRows bounds the rows of the event table: the first and the
	// last events are listed, the transcript holds them all.
	MaxEventRows = 400
)

// SimulationHTML writes the simulation page of a negotiation: a
// self-contained HTML document (no external assets, no JavaScript; inline
// CSS and SVG). d is the negotiation's debrief (NewDebrief, from its
// transcript). rep is the analysis of d.Model, for the Pareto frontier and
// the Nash point; when it is nil the Pareto plot shows the run's proposals
// only. The page depends only on its inputs, so the same transcript gives
// the same bytes. All text is escaped; the document is also well-formed
// XML after its doctype.
//
// The page shows every party's utilities: it is a debrief for the
// mediator, an observer or a teacher, not a party's view.
func SimulationHTML(w io.Writer, d *Debrief, rep *analysis.Report) error {
	if d == nil || d.Model == nil || d.Model.Scenario == nil {
		return errors.New("report: SimulationHTML: nil debrief or model")
	}
	m := d.Model
	if len(m.Parties) != len(m.Scenario.Parties) || len(m.Sizes) != len(m.Scenario.Issues) {
		return errors.New("report: SimulationHTML: model and scenario disagree")
	}
	if err := render(w, "simulation.html", buildSimulation(d, rep)); err != nil {
		return fmt.Errorf("report: SimulationHTML: %w", err)
	}
	return nil
}

// simulationView is everything the simulation page shows.
type simulationView struct {
	page
	Title, ID, Variant     string
	Protocol, ProtocolName string
	Seed                   string
	Seats                  []seatView
	End, EndClass, Why     string
	Rounds, Steps, Offers  int
	OffersWord             string
	Agreement              bool
	Clauses                []string
	Utils                  []utilityRow
	Blocked                []string
	Account                []string
	Assumptions            []string

	Util       *figure
	UtilNote   string
	UtilLegend []legendItem

	Strip       *strip
	StripLegend []legendItem
	StripNotes  []string

	Plots     *outcomesView
	PlotsNote string

	Events     []eventRow
	EventsMore int
	Calendar   bool
}

type seatView struct{ Seat, Agent string }

type utilityRow struct {
	Party, Utility, Reservation, Surplus string
	Below                                bool
}

type eventRow struct {
	Seq, Round, Day, Clock, Type, Text, Class string
	More                                      int // > 0: the "… N more" row
}

func buildSimulation(d *Debrief, rep *analysis.Report) *simulationView {
	m := d.Model
	s := m.Scenario
	r := d.Result
	mediated := d.mediated()
	v := &simulationView{
		page:     newPage(),
		Title:    s.Title,
		ID:       s.ID,
		Variant:  s.Variant,
		Protocol: string(d.Header.Protocol),
		Seed:     strconv.FormatUint(d.Header.Seed, 10),
		End:      strings.ReplaceAll(r.End.String(), "_", " "),
		Why:      r.Why,
		Rounds:   r.Rounds, Steps: r.Steps, Offers: r.Offers,
		OffersWord:  "offers",
		Agreement:   d.agreed(),
		Calendar:    mediated,
		Account:     provenanceLines(s),
		Assumptions: assumptionLines(s),
	}
	if v.Title == "" {
		v.Title = s.ID
	}
	if v.Title == "" {
		v.Title = "Negotiation"
	}
	switch d.Header.Protocol {
	case parley.ProtocolMediated:
		v.ProtocolName = "mediated single negotiating text"
		v.OffersWord = "texts"
	case parley.ProtocolSAO:
		v.ProtocolName = "stacked alternating offers"
	default:
		v.ProtocolName = string(d.Header.Protocol)
	}
	v.EndClass = "end-fail"
	if v.Agreement {
		v.EndClass = "end-ok"
		v.Clauses = Clauses(m, r.Agreement)
	}
	for _, a := range d.Header.Agents {
		seat := actorName(m, a.Actor)
		if a.Actor == parley.MediatorActor {
			seat = "Mediator"
		}
		if a.Principal != "" {
			seat += " / " + a.Principal + " (faction)"
		}
		v.Seats = append(v.Seats, seatView{seat, a.Agent})
	}
	v.Utils = utilityRows(d)
	if !v.Agreement {
		for _, bl := range Blockers(s, d.Blocked) {
			v.Blocked = append(v.Blocked, blockerLine(s, bl))
		}
	}
	if mediated {
		R, pos := roundPositions(d.Events, r.Rounds)
		left := stripLeft(m)
		v.Util, v.UtilNote, v.UtilLegend = textChart(d, R, pos, left)
		v.Strip, v.StripNotes = clauseTimeline(d, R, pos, left)
		v.StripLegend = stripLegend(v.Strip)
	} else {
		v.Util, v.UtilNote, v.UtilLegend = offerChart(d)
	}
	v.Plots, v.PlotsNote = runOutcomes(d, rep)
	v.Events, v.EventsMore = eventRows(s, d.Events, mediated)
	return v
}

// utilityRows are the parties' utilities of the end, their reservation
// values and surpluses.
func utilityRows(d *Debrief) []utilityRow {
	m := d.Model
	var out []utilityRow
	for p := range m.Parties {
		res := reservationOf(m, p)
		row := utilityRow{Party: m.Parties[p].Name, Reservation: num(res)}
		if p < len(d.Utilities) {
			u := d.Utilities[p]
			row.Utility = num(u)
			row.Surplus = signed(u - res)
			row.Below = u-res < 0
		}
		out = append(out, row)
	}
	return out
}

// ---------------------------------------------------------------------------
// The outcome on the Pareto plot.

// runOutcomes draws the run's proposals (coloured by who made them), the
// frontier, the reservation lines, the Nash point and the agreement (or
// the last proposal) in the parties' utility space.
func runOutcomes(d *Debrief, rep *analysis.Report) (*outcomesView, string) {
	m := d.Model
	np := len(m.Parties)
	if np < 2 {
		return nil, "The Pareto plot needs two parties."
	}
	op := &outcomePlot{id: "pareto", connect: np == 2}
	for p := range m.Parties {
		op.names = append(op.names, m.Parties[p].Name)
	}
	layers, proposals, last, thinned := proposalLayers(d)
	op.layers = append(op.layers, layers...)
	for p := range m.Parties {
		op.res = append(op.res, reservationOf(m, p))
	}
	note := ""
	if rep != nil {
		note = op.addAnalysis(rep, np)
	} else {
		note = "No analysis was given: the frontier and the Nash point are not drawn. "
	}
	agreed := d.agreed()
	switch {
	case agreed:
		op.points = append(op.points, point{name: "agreement", long: "agreement", kind: "star", class: "s-agree", r: 9, standalone: true, u: utilitiesOf(m, d.Result.Agreement)})
		note += "The star marks the agreement."
	case last != nil:
		op.points = append(op.points, point{name: "last proposal", long: "last proposal (no agreement)", kind: "star", class: "s-last", r: 9, standalone: true, u: utilitiesOf(m, last)})
		note += "No agreement: the hollow star marks the last proposal."
	default:
		note += "No proposal was made, so there is no point to mark."
	}
	if proposals > 0 {
		note += " Dots: the offers and texts made during the run, coloured by who made them (texts completed with status-quo options)."
	}
	if thinned {
		note += fmt.Sprintf(" At most %s per proposer are drawn, evenly spaced over the run.", count(MaxSeriesDrawn))
	}
	if np > 2 {
		note += fmt.Sprintf(" One panel per pair of the %d parties.", np)
	}
	return op.view(), strings.TrimSpace(note)
}

// proposalLayers returns the offers and texts proposed during the run as
// one dot layer per proposer, in order of first proposal, each thinned to
// MaxSeriesDrawn evenly spaced dots (thinned says whether any was), with
// their number and the last one (completed with status-quo options).
func proposalLayers(d *Debrief) (layers []*dotLayer, proposals int, last parley.Outcome, thinned bool) {
	m := d.Model
	np := len(m.Parties)
	byActor := map[int]*dotLayer{}
	for _, e := range d.Events {
		if e.Type != protocol.EvAction || e.Action == nil || protocol.Invalid(e) {
			continue
		}
		a := e.Action
		if a.Kind != parley.ActOffer && a.Kind != parley.ActText {
			continue
		}
		o := m.Complete(a.Outcome)
		if o == nil {
			continue
		}
		last = o
		l := byActor[a.Actor]
		if l == nil {
			l = &dotLayer{class: "offers", n: np}
			if a.Actor == parley.MediatorActor {
				l.color, l.title = "#59636e", "mediator's text"
			} else {
				l.color, l.title = partyColor(a.Actor), "offer by "+actorName(m, a.Actor)
			}
			byActor[a.Actor] = l
			layers = append(layers, l)
		}
		proposals++
		l.u = append(l.u, utilitiesOf(m, o)...)
	}
	for _, l := range layers {
		if k := l.size(); k > MaxSeriesDrawn {
			th := make([]float64, 0, MaxSeriesDrawn*np)
			for j := 0; j < MaxSeriesDrawn; j++ {
				i := j * k / MaxSeriesDrawn
				th = append(th, l.u[i*np:(i+1)*np]...)
			}
			l.u = th
			thinned = true
		}
	}
	return layers, proposals, last, thinned
}

// addAnalysis adds what the analysis rep knows to the plot of np parties:
// the Pareto frontier (thinned to MaxFrontierDrawn points, which the
// returned note says), the reservations and the Nash point.
func (op *outcomePlot) addAnalysis(rep *analysis.Report, np int) (note string) {
	var front [][]float64
	for _, p := range rep.Pareto {
		if len(p.Utilities) >= np {
			front = append(front, p.Utilities)
		}
	}
	if len(front) > MaxFrontierDrawn {
		note = fmt.Sprintf("The Pareto frontier has %s points; %s evenly spaced ones are drawn. ", count(len(front)), count(MaxFrontierDrawn))
		front = thinFrontier(front, MaxFrontierDrawn)
	}
	op.front = front
	if len(rep.Reservations) >= np {
		op.res = rep.Reservations
	}
	if rep.Nash != nil && len(rep.Nash.Utilities) >= np {
		op.points = append(op.points, point{name: "Nash", long: "Nash solution", kind: "circle", class: "s-nash", r: 6, u: rep.Nash.Utilities})
	}
	return note
}

// ---------------------------------------------------------------------------
// Events.

// eventText writes an event without the "#seq rN" prefix FormatEvent gives
// it.
func eventText(s *parley.Scenario, ev protocol.Event) string {
	return strings.TrimPrefix(protocol.FormatEvent(s, ev, false), fmt.Sprintf("#%d r%d ", ev.Seq, ev.Round))
}

// eventRows lists the first and last events, MaxEventRows in all, and how
// many are left out.
func eventRows(s *parley.Scenario, ev []protocol.Event, calendar bool) ([]eventRow, int) {
	head, tail := len(ev), 0
	more := 0
	if len(ev) > MaxEventRows {
		head, tail = MaxEventRows*3/4, MaxEventRows/4
		more = len(ev) - head - tail
	}
	row := func(e protocol.Event) eventRow {
		typ := string(e.Type)
		r := eventRow{Seq: strconv.Itoa(e.Seq), Round: strconv.Itoa(e.Round + 1), Type: typ, Text: strings.TrimPrefix(eventText(s, e), typ+" "), Class: "e-" + typ}
		if calendar {
			r.Day, r.Clock = strconv.Itoa(e.Day+1), clock(e.Hour)
		}
		switch {
		case e.Type == protocol.EvClause && e.Clause != nil && e.Clause.To == parley.ClauseReopened:
			r.Class += " e-reopen"
		case e.Type == protocol.EvAction && protocol.Invalid(e):
			r.Class += " e-invalid"
		}
		return r
	}
	out := make([]eventRow, 0, head+tail+1)
	for _, e := range ev[:head] {
		out = append(out, row(e))
	}
	if more > 0 {
		out = append(out, eventRow{More: more})
		for _, e := range ev[len(ev)-tail:] {
			out = append(out, row(e))
		}
	}
	return out, more
}

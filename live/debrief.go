package live

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/report"
)

// Debrief is a session looked back on once it has ended (GET
// /api/sessions/{id}/debrief), for the mediator and observers: what was
// offered or written and what it was worth to every party, each clause's
// moves, who conceded when, and the outcome against the Pareto frontier
// and the bargaining solutions. It holds every party's utilities, so it
// opens only after the end.
type Debrief struct {
	Session  string              `json:"session"`
	Scenario string              `json:"scenario"`
	Title    string              `json:"title,omitempty"`
	Variant  string              `json:"variant,omitempty"`
	Protocol parley.ProtocolName `json:"protocol"`
	Parties  []DebriefParty      `json:"parties"`
	Issues   []DebriefIssue      `json:"issues"`
	Result   protocol.Result     `json:"result"`
	// Deadline is the deadline in rounds, extensions included.
	Deadline int `json:"deadline"`
	// Moves are the offers (alternating offers) or texts (mediated), in
	// order, with every party's utility of each (blank clauses at their
	// status quo) and its distance to the Pareto frontier.
	Moves []Move `json:"moves"`
	// Clauses are the moves of each clause of the single text (mediated).
	Clauses []ClauseHistory `json:"clauses,omitempty"`
	// Concessions say who gave way when.
	Concessions []Concession `json:"concessions"`
	// Frontier is the Pareto frontier (utility vectors, at most
	// MaxFrontier points, evenly thinned); FrontierExact as the analysis
	// says.
	Frontier      [][]float64 `json:"frontier"`
	FrontierExact bool        `json:"frontier_exact"`
	// Cloud is a sample of the outcomes' utility vectors (all of them in
	// a small space), to show the space behind the frontier.
	Cloud [][]float64 `json:"cloud"`
	// Nash and KS are the Nash and Kalai–Smorodinsky points of the zone of
	// agreement (null when it is empty).
	Nash *Point `json:"nash"`
	KS   *Point `json:"ks"`
	// Agreement is the agreed outcome (null without one).
	Agreement *Point `json:"agreement"`
	// Events are every event of the session, oldest first.
	Events []protocol.Event `json:"events"`
}

// DebriefParty is a party with its reservation value and factions.
type DebriefParty struct {
	Name        string   `json:"name"`
	Reservation float64  `json:"reservation"`
	Factions    []string `json:"factions,omitempty"`
}

// DebriefIssue is an issue with its options' labels.
type DebriefIssue struct {
	Name    string   `json:"name"`
	Options []string `json:"options"`
}

// Move is an offer or a text.
type Move struct {
	Seq   int    `json:"seq"`
	Round int    `json:"round"`
	Actor int    `json:"actor"` // a party, or −1 for the mediator
	Kind  string `json:"kind"`  // "offer" or "text"
	// Outcome holds an option index per issue (−1: a blank clause).
	Outcome   parley.Outcome `json:"outcome"`
	Utilities []float64      `json:"utilities"`
	// Distance is the Euclidean distance of its utility vector to the
	// nearest point of the frontier.
	Distance float64 `json:"distance"`
}

// ClauseHistory is one clause's moves.
type ClauseHistory struct {
	Issue   int            `json:"issue"`
	Name    string         `json:"name"`
	Changes []ClauseChange `json:"changes"`
}

// ClauseChange is one move of a clause: who moved it (a party, −1 for the
// mediator, −2 for nobody in particular: every party accepted it), when,
// from what state to what, and why.
type ClauseChange struct {
	Seq    int                `json:"seq"`
	Round  int                `json:"round"`
	Actor  int                `json:"actor"`
	From   parley.ClauseState `json:"from"`
	To     parley.ClauseState `json:"to"`
	Option int                `json:"option"`
	Why    string             `json:"why,omitempty"`
}

// Concession is one party giving way: "offer" (its new offer is worth
// Amount less to itself than its previous one), "accept" (it accepted the
// clause of Issue as written after rejecting the same option before) or
// "floor" (its faction Faction told it to lower its floor by Amount).
type Concession struct {
	Seq     int     `json:"seq"`
	Round   int     `json:"round"`
	Party   int     `json:"party"`
	Faction string  `json:"faction,omitempty"`
	Kind    string  `json:"kind"`
	Issue   string  `json:"issue,omitempty"`
	Amount  float64 `json:"amount,omitempty"`
}

// Point is an outcome with every party's utility of it.
type Point struct {
	Outcome   parley.Outcome `json:"outcome"`
	Utilities []float64      `json:"utilities"`
	// Distance is the distance to the frontier (agreement only).
	Distance float64 `json:"distance"`
}

// Limits of a debrief's plotted points.
const (
	MaxFrontier = 2000
	MaxCloud    = 1500
)

// errRunning is the answer to a debrief or report asked for too soon.
func errRunning() error {
	return parley.Errorf(parley.ECONFLICT, "the debrief opens when the negotiation has ended; it is still running")
}

// Debrief returns the session's debrief: for the mediator and observers
// (EFORBIDDEN for the others), once the negotiation has ended (ECONFLICT
// before: it holds every party's utilities).
func (s *Session) Debrief(ctx context.Context, seat parley.Seat) (*Debrief, error) {
	if err := mayReadRecord(seat); err != nil {
		return nil, err
	}
	sn, err := s.snap(ctx, true)
	if err != nil {
		return nil, err
	}
	if sn.result.End == parley.Running {
		return nil, errRunning()
	}
	a, err := s.m.analyses.get(ctx, sn.model)
	if err != nil {
		return nil, err
	}
	m, sc := sn.model, sn.model.Scenario
	d := &Debrief{Session: s.id, Scenario: sc.ID, Title: sc.Title, Variant: sc.Variant, Protocol: sn.protocol,
		Result: sn.result, Events: sn.events, Moves: []Move{}, Concessions: []Concession{}, FrontierExact: a.rep.ParetoExact}
	for i := range m.Parties {
		p := DebriefParty{Name: m.Parties[i].Name, Reservation: m.Parties[i].Utility.F(m.Parties[i].Reservation)}
		if m.Parties[i].Delegation {
			p.Factions = append(p.Factions, m.Parties[i].Names...)
		}
		d.Parties = append(d.Parties, p)
	}
	for _, is := range sc.Issues {
		di := DebriefIssue{Name: is.Name}
		for _, o := range is.Options {
			di.Options = append(di.Options, o.Label)
		}
		d.Issues = append(d.Issues, di)
	}
	for _, sol := range thin(a.rep.Pareto, MaxFrontier) {
		d.Frontier = append(d.Frontier, sol.Utilities)
	}
	d.Cloud = cloud(m, MaxCloud)
	point := func(o parley.Outcome) *Point {
		if o == nil {
			return nil
		}
		u := utilities(m, o)
		return &Point{Outcome: o, Utilities: u, Distance: distance(u, d.Frontier)}
	}
	if a.rep.Nash != nil {
		d.Nash = point(a.rep.Nash.Raw())
	}
	if a.rep.KalaiSmorodinsky != nil {
		d.KS = point(a.rep.KalaiSmorodinsky.Raw())
	}
	if sn.result.End == parley.Agreement {
		d.Agreement = point(sn.result.Agreement)
	}
	d.Deadline = sn.deadline
	d.fold(m)
	return d, nil
}

// fold reads the events into moves, clause histories and concessions.
func (d *Debrief) fold(m *parley.Model) {
	mediated := d.Protocol == parley.ProtocolMediated
	if mediated {
		for i, is := range m.Scenario.Issues {
			d.Clauses = append(d.Clauses, ClauseHistory{Issue: i, Name: is.Name, Changes: []ClauseChange{}})
		}
	}
	lastOwn := make([]float64, len(m.Parties)) // own utility of each party's last offer
	offered := make([]bool, len(m.Parties))
	text := make(parley.Outcome, len(m.Sizes)) // the text the answers are to
	for i := range text {
		text[i] = -1
	}
	rejected := map[[3]int]bool{} // party, issue, option
	for _, ev := range d.Events {
		switch ev.Type {
		case protocol.EvClause:
			if c := ev.Clause; c != nil && mediated && c.Issue >= 0 && c.Issue < len(d.Clauses) {
				d.Clauses[c.Issue].Changes = append(d.Clauses[c.Issue].Changes, ClauseChange{Seq: ev.Seq, Round: ev.Round, Actor: ev.Actor, From: c.From, To: c.To, Option: c.Option, Why: c.Why})
				text[c.Issue] = c.Option
			}
		case protocol.EvInstruction:
			if in := ev.Instruction; in != nil && in.Kind == parley.LowerFloor {
				d.Concessions = append(d.Concessions, Concession{Seq: ev.Seq, Round: ev.Round, Party: ev.Actor, Faction: in.Principal, Kind: "floor", Amount: in.Delta})
			}
		case protocol.EvAction:
			a := ev.Action
			if a == nil || protocol.Invalid(ev) {
				continue
			}
			switch a.Kind {
			case parley.ActOffer, parley.ActText:
				o := m.Complete(a.Outcome)
				if o == nil {
					continue
				}
				u := utilities(m, o)
				kind := "offer"
				if a.Kind == parley.ActText {
					kind = "text"
				}
				d.Moves = append(d.Moves, Move{Seq: ev.Seq, Round: ev.Round, Actor: a.Actor, Kind: kind, Outcome: a.Outcome, Utilities: u, Distance: distance(u, d.Frontier)})
				if p := a.Actor; a.Kind == parley.ActOffer && p >= 0 && p < len(lastOwn) {
					if offered[p] && u[p] < lastOwn[p]-1e-9 {
						d.Concessions = append(d.Concessions, Concession{Seq: ev.Seq, Round: ev.Round, Party: p, Kind: "offer", Amount: lastOwn[p] - u[p]})
					}
					lastOwn[p], offered[p] = u[p], true
				}
			case parley.ActAnswer:
				for i, ans := range a.Answers {
					if i >= len(text) || text[i] < 0 {
						continue
					}
					key := [3]int{a.Actor, i, text[i]}
					switch ans {
					case parley.AnswerReject:
						rejected[key] = true
					case parley.AnswerAccept:
						if rejected[key] {
							delete(rejected, key)
							d.Concessions = append(d.Concessions, Concession{Seq: ev.Seq, Round: ev.Round, Party: a.Actor, Kind: "accept", Issue: m.Scenario.Issues[i].Name})
						}
					}
				}
			}
		}
	}
}

// utilities returns every party's utility of a complete outcome.
func utilities(m *parley.Model, o parley.Outcome) []float64 {
	out := make([]float64, len(m.Parties))
	for i := range m.Parties {
		out[i] = m.Parties[i].Utility.F(m.Parties[i].Utility.Eval(o))
	}
	return out
}

// distance returns the Euclidean distance of u to the nearest point of
// front (0 without a frontier).
func distance(u []float64, front [][]float64) float64 {
	best := math.Inf(1)
	for _, f := range front {
		var s float64
		for i := range u {
			if i < len(f) {
				s += (u[i] - f[i]) * (u[i] - f[i])
			}
		}
		best = min(best, s)
	}
	if math.IsInf(best, 1) {
		return 0
	}
	return math.Sqrt(best)
}

// thin keeps at most n items, evenly spread, the first and last among
// them.
func thin[T any](xs []T, n int) []T {
	if len(xs) <= n || n < 2 {
		return xs
	}
	out := make([]T, 0, n)
	for i := range n {
		out = append(out, xs[i*(len(xs)-1)/(n-1)])
	}
	return out
}

// cloud returns the utility vectors of every outcome of a small space, or
// of n outcomes drawn with a fixed seed (the same picture every time).
func cloud(m *parley.Model, n int) [][]float64 {
	out := [][]float64{}
	if sz := m.Size(); sz.IsInt64() && sz.Int64() <= int64(n) {
		for o := range m.Outcomes() {
			out = append(out, utilities(m, o))
		}
		return out
	}
	r := rand.New(rand.NewPCG(1, 2))
	o := make(parley.Outcome, len(m.Sizes))
	for range n {
		for i, k := range m.Sizes {
			o[i] = r.IntN(k)
		}
		out = append(out, utilities(m, o))
	}
	return out
}

// DebriefHTML writes the session's self-contained HTML report, the page that
// 'parley simulate --html' writes, rendered from the stored record: for
// the mediator and observers, once the negotiation has ended (as
// Debrief).
func (s *Session) DebriefHTML(ctx context.Context, seat parley.Seat, w io.Writer) error {
	if err := mayReadRecord(seat); err != nil {
		return err
	}
	sn, err := s.snap(ctx, true)
	if err != nil {
		return err
	}
	if sn.result.End == parley.Running {
		return errRunning()
	}
	a, err := s.m.analyses.get(ctx, sn.model)
	if err != nil {
		return err
	}
	rec, err := s.m.Sessions.FindSession(ctx, s.id)
	if err != nil {
		return err
	}
	var h protocol.Header
	if err := json.Unmarshal(rec.Definition, &h); err != nil {
		return fmt.Errorf("live: session %s: definition: %w", s.id, err)
	}
	d, err := report.NewDebrief(h, sn.events)
	if err != nil {
		return err
	}
	return report.SimulationHTML(w, d, a.rep)
}

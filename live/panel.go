package live

import (
	"context"
	"fmt"
	"math/big"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/simulate"
)

// MediatorPanel is the analysis the mediator may see while it works the
// text (GET /api/sessions/{id}/analysis): how large the zone of agreement
// is, a suggested text at the Nash point, and whether the current text
// lies in the zone. It holds no party's utilities, reservation values or
// red lines: what a built-in mediator is handed (a target) and what
// follows from the zone, nothing more.
type MediatorPanel struct {
	// Outcomes is the number of outcomes (a decimal string: it can be
	// huge).
	Outcomes string `json:"outcomes"`
	Zone     struct {
		// Empty: no outcome is acceptable to every party.
		Empty bool `json:"empty"`
		// Size is the number of outcomes in the zone (a decimal string);
		// a lower bound when Exact is false.
		Size  string `json:"size"`
		Exact bool   `json:"exact"`
		// Share is Size over Outcomes (0 to 1).
		Share float64 `json:"share"`
	} `json:"zone"`
	// Basis says what the suggestion is: "nash" (the Nash point of the
	// zone), "nash_without_ratification" (the zone is empty: the Nash
	// point of the parties' utilities, ignoring red lines and the
	// factions' ratification), or "none".
	Basis string `json:"basis"`
	// Suggestion is the suggested text, clause by clause (empty when
	// Basis is "none").
	Suggestion []SuggestedClause `json:"suggestion"`
	// SuggestionInZone: the suggested text is in the zone of agreement.
	SuggestionInZone bool `json:"suggestion_in_zone"`
	// Current is the current text, with its blank clauses at their status
	// quo, as the zone sees it; null before the first text and after the
	// end.
	Current *PanelText `json:"current"`
}

// SuggestedClause is one clause of a suggested text.
type SuggestedClause struct {
	Issue  int    `json:"issue"`
	Name   string `json:"name"`
	Option int    `json:"option"`
	Label  string `json:"label"`
	// OnAgenda: the issue is on the agenda (only those are written).
	OnAgenda bool `json:"on_agenda"`
	// Agreed is the option already agreed on the clause, −1 when it is
	// not agreed; a suggestion that differs needs the clause reopened.
	Agreed int `json:"agreed"`
}

// PanelText is where the current text stands against the zone.
type PanelText struct {
	// InZone: every party would accept the text (with its blank clauses
	// at their status quo) and it needs no third party that withholds
	// consent.
	InZone bool `json:"in_zone"`
	// Feasible: it needs no third party that withholds consent.
	Feasible bool `json:"feasible"`
	// Differs names the issues on which it differs from the suggestion.
	Differs []string `json:"differs"`
}

// snapshot is what a read of a session needs, copied under its lock.
type snapshot struct {
	protocol parley.ProtocolName
	deadline int // in rounds now, extensions included
	model    *parley.Model
	result   protocol.Result
	text     []parley.Clause
	events   []protocol.Event
}

// snap copies what a read needs under the session's lock.
func (s *Session) snap(ctx context.Context, events bool) (*snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensure(ctx); err != nil {
		return nil, err
	}
	d := s.b.driver
	b := s.b
	sn := &snapshot{protocol: b.protocol, deadline: d.Deadline(), model: b.model, result: d.Result()}
	if v, err := d.View(parley.ObserverSeat()); err == nil {
		sn.text = v.Text // the text is public
	}
	if events {
		sn.events = append([]protocol.Event(nil), d.Events()...)
	}
	return sn, nil
}

// MediatorPanel returns the mediator's analysis panel. Only the mediator
// may see it (EFORBIDDEN otherwise): it is computed from every party's
// preferences, which the mediator never sees itself.
func (s *Session) MediatorPanel(ctx context.Context, seat parley.Seat) (*MediatorPanel, error) {
	if seat.Role != parley.SeatMediator {
		return nil, parley.Errorf(parley.EFORBIDDEN, "the analysis panel is the mediator's alone")
	}
	sn, err := s.snap(ctx, false)
	if err != nil {
		return nil, err
	}
	a, err := s.m.analyses.get(ctx, sn.model)
	if err != nil {
		return nil, err
	}
	m := sn.model
	p := &MediatorPanel{Outcomes: m.Size().String(), Basis: a.basis, Suggestion: []SuggestedClause{}}
	z := a.rep.Zone
	p.Zone.Empty, p.Zone.Exact = z.Empty, z.Exact
	p.Zone.Size = "0"
	if z.Size != nil {
		p.Zone.Size = z.Size.String()
		if n := m.Size(); n.Sign() > 0 {
			p.Zone.Share, _ = new(big.Rat).SetFrac(z.Size, n).Float64()
		}
	}
	if a.target != nil {
		p.SuggestionInZone = m.InZone(a.target)
		for i, k := range a.target {
			is := &m.Scenario.Issues[i]
			c := SuggestedClause{Issue: i, Name: is.Name, Option: k, Label: is.Options[k].Label, OnAgenda: true, Agreed: -1}
			if i < len(sn.text) {
				c.OnAgenda = sn.text[i].OnAgenda
				if st := sn.text[i].State; st == parley.ClauseAgreed || st == parley.ClauseFinal {
					c.Agreed = sn.text[i].Option
				}
			}
			p.Suggestion = append(p.Suggestion, c)
		}
	}
	if sn.result.End == parley.Running && len(sn.text) == len(m.Sizes) && written(sn.text) {
		o := make(parley.Outcome, len(sn.text))
		for i, c := range sn.text {
			o[i] = c.Option
		}
		o = m.Complete(o)
		cur := &PanelText{InZone: m.InZone(o), Feasible: m.Feasible(o), Differs: []string{}}
		for i, k := range a.target {
			if o[i] != k {
				cur.Differs = append(cur.Differs, m.Scenario.Issues[i].Name)
			}
		}
		p.Current = cur
	}
	return p, nil
}

// written reports whether any clause of the text holds an option.
func written(text []parley.Clause) bool {
	for _, c := range text {
		if c.Option >= 0 {
			return true
		}
	}
	return false
}

// analysisCache computes the analysis of a model once and shares it
// between the sessions on that model (models are shared by modelCache).
type analysisCache struct {
	mu sync.Mutex
	m  map[*parley.Model]*analysisEntry
}

type analysisEntry struct {
	done   chan struct{}
	rep    *analysis.Report
	target parley.Outcome
	basis  string
	err    error
}

// get returns the analysis of m, computing it once; a caller whose ctx
// ends stops waiting (the computation goes on for the next caller).
func (c *analysisCache) get(ctx context.Context, m *parley.Model) (*analysisEntry, error) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxModels {
		c.m = map[*parley.Model]*analysisEntry{}
	}
	e, ok := c.m[m]
	if !ok {
		e = &analysisEntry{done: make(chan struct{})}
		c.m[m] = e
		go e.compute(m)
	}
	c.mu.Unlock()
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.err != nil {
		c.mu.Lock()
		if c.m[m] == e {
			delete(c.m, m) // try again next time
		}
		c.mu.Unlock()
		return nil, e.err
	}
	return e, nil
}

// compute runs the analysis without the blocking study (which explains an
// empty zone by the factions' and red lines' names: not the mediator's to
// know) and picks the target as a built-in mediator gets it.
func (e *analysisEntry) compute(m *parley.Model) {
	defer close(e.done)
	ctx := context.Background()
	rep, err := analysis.Analyze(ctx, m, analysis.Options{NoBlocking: true})
	if err != nil {
		e.err = fmt.Errorf("live: analysis: %w", err)
		return
	}
	e.rep, e.basis = rep, "none"
	if rep.Nash != nil {
		e.target, e.basis = rep.Nash.Raw(), "nash"
		return
	}
	if t := simulate.MediatorTarget(ctx, m); t != nil {
		e.target, e.basis = t, "nash_without_ratification"
	}
}

package parley

// This file holds what a seat knows of its own side's utility, in the
// form a page needs to evaluate texts and offers as a person builds them:
// the compiled utility tables of its party (and of each faction of a
// delegation), the reservation values and the red lines. It is computed
// from the model for one seat, and holds its own side only.

// OwnUtility is what a party's seat — its negotiator or one of its
// principals — knows of its own side's utility: the party's utility
// function as tables, its reservation value, and for a delegation each
// faction's, with their red lines and the ratification rule.
type OwnUtility struct {
	// Party is the party's index.
	Party int `json:"party"`
	// Utility is the party's utility (a delegation's: the weighted mean of
	// its factions').
	Utility UtilityTable `json:"utility"`
	// Reservation is the party's utility of no agreement.
	Reservation float64 `json:"reservation"`
	// RedLines are a single actor's red lines (a delegation's are its
	// factions').
	RedLines []RedLineTable `json:"red_lines,omitempty"`
	// Rule is a delegation's ratification rule; nil for a single actor.
	Rule *Ratification `json:"rule,omitempty"`
	// Factions are a delegation's factions, in order.
	Factions []FactionUtility `json:"factions,omitempty"`
}

// FactionUtility is one faction of a delegation as its side knows it.
type FactionUtility struct {
	Name        string         `json:"name"`
	Weight      float64        `json:"weight"`
	Utility     UtilityTable   `json:"utility"`
	Reservation float64        `json:"reservation"`
	RedLines    []RedLineTable `json:"red_lines,omitempty"`
}

// UtilityTable is a compiled utility function in floats:
//
//	u(o) = Σ_i Values[i][o[i]] + Σ_{r ∈ Rects, o ∈ r.Region} r.Utility
type UtilityTable struct {
	Values [][]float64 `json:"values"`
	Rects  []RectTable `json:"rects,omitempty"`
}

// RectTable is a hyper-rectangle's bonus: Utility when the outcome lies in
// Region.
type RectTable struct {
	Utility float64       `json:"utility"`
	Region  []RegionTable `json:"region"`
}

// RegionTable is one issue's condition of a region: the option indexes
// the outcome may take on Issue.
type RegionTable struct {
	Issue   int   `json:"issue"`
	Options []int `json:"options"`
}

// RedLineTable is a red line: an outcome inside every condition of
// Region crosses it.
type RedLineTable struct {
	Name   string        `json:"name"`
	Region []RegionTable `json:"region"`
}

// Own returns what seat knows of its own side's utility: for a party seat
// or a principal seat, its party's tables; nil for the mediator and
// observers, who know no party's preferences, and for a seat outside the
// model.
func (m *Model) Own(seat Seat) *OwnUtility {
	if seat.Role != SeatParty && seat.Role != SeatPrincipal {
		return nil
	}
	if seat.Party < 0 || seat.Party >= len(m.Parties) {
		return nil
	}
	pm := &m.Parties[seat.Party]
	out := &OwnUtility{Party: seat.Party, Utility: utilityTable(&pm.Utility), Reservation: pm.Utility.F(pm.Reservation)}
	if !pm.Delegation {
		if len(pm.Principals) == 1 {
			out.RedLines = redLineTables(&pm.Principals[0])
		}
		return out
	}
	rule := pm.Rule
	out.Rule = &rule
	for i := range pm.Principals {
		p := &pm.Principals[i]
		f := FactionUtility{Name: p.Name, Utility: utilityTable(&p.Utility), Reservation: p.Utility.F(p.Reservation), RedLines: redLineTables(p)}
		if i < len(pm.Weights) {
			f.Weight = pm.Weights[i]
		}
		out.Factions = append(out.Factions, f)
	}
	return out
}

func utilityTable(u *UtilityFn) UtilityTable {
	t := UtilityTable{Values: make([][]float64, len(u.Values))}
	for i, row := range u.Values {
		t.Values[i] = make([]float64, len(row))
		for k, q := range row {
			t.Values[i][k] = u.F(q)
		}
	}
	for _, r := range u.Rects {
		t.Rects = append(t.Rects, RectTable{Utility: u.F(r.Utility), Region: regionTable(r.Region)})
	}
	return t
}

func regionTable(r Region) []RegionTable {
	out := make([]RegionTable, 0, len(r))
	for _, s := range r {
		rt := RegionTable{Issue: s.Issue, Options: []int{}}
		for k, in := range s.In {
			if in {
				rt.Options = append(rt.Options, k)
			}
		}
		out = append(out, rt)
	}
	return out
}

func redLineTables(p *Principal) []RedLineTable {
	var out []RedLineTable
	for j, r := range p.RedLines {
		name := ""
		if j < len(p.RedLineName) {
			name = p.RedLineName[j]
		}
		out = append(out, RedLineTable{Name: name, Region: regionTable(r)})
	}
	return out
}

// OwnEval is a seat's own side's evaluation of an outcome: its party's
// utility and whether it would accept it, and for a delegation each
// faction's.
type OwnEval struct {
	Utility float64 `json:"utility"`
	// Accepts: the party prefers the outcome to no agreement and breaks no
	// red line; for a delegation, its factions' answers ratify it.
	Accepts  bool          `json:"accepts"`
	RedLines []string      `json:"red_lines,omitempty"` // a single actor's red lines it crosses
	Factions []FactionEval `json:"factions,omitempty"`
}

// FactionEval is one faction's evaluation of an outcome.
type FactionEval struct {
	Name     string   `json:"name"`
	Utility  float64  `json:"utility"`
	Accepts  bool     `json:"accepts"`
	RedLines []string `json:"red_lines,omitempty"` // the red lines it crosses
}

// EvalOwn evaluates the complete outcome o for seat's own side; nil when
// the seat has no side (Own is nil) or o has the wrong length.
func (m *Model) EvalOwn(seat Seat, o Outcome) *OwnEval {
	if m.Own(seat) == nil || len(o) != len(m.Sizes) {
		return nil
	}
	for i, k := range o {
		if k < 0 || k >= m.Sizes[i] {
			return nil
		}
	}
	pm := &m.Parties[seat.Party]
	out := &OwnEval{Utility: pm.Utility.F(pm.Utility.Eval(o)), Accepts: pm.Accepts(o)}
	crossed := func(p *Principal) []string {
		var names []string
		for j, r := range p.RedLines {
			if r.Contains(o) && j < len(p.RedLineName) {
				names = append(names, p.RedLineName[j])
			}
		}
		return names
	}
	if !pm.Delegation {
		if len(pm.Principals) == 1 {
			out.RedLines = crossed(&pm.Principals[0])
		}
		return out
	}
	for i := range pm.Principals {
		p := &pm.Principals[i]
		out.Factions = append(out.Factions, FactionEval{Name: p.Name, Utility: p.Utility.F(p.Utility.Eval(o)), Accepts: p.Accepts(o), RedLines: crossed(p)})
	}
	return out
}

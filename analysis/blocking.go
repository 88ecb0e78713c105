package analysis

import (
	"fmt"
	"math"
	"math/big"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/search"
)

// Kinds of blocking entries (Block.Kind).
const (
	BlockFaction = "faction"  // a faction of a delegation goes along
	BlockParty   = "party"    // a single actor's reservation value
	BlockRedLine = "red_line" // a red line is dropped by all its holders
	BlockRole    = "role"     // a third party consents
)

// Consent states of a role entry (Block.Consent).
const (
	ConsentWithheld  = "withheld"  // the scenario says the role will not sign
	ConsentUncertain = "uncertain" // nobody knows; analysis does not count on it
)

// Holder is a principal that holds a red line.
type Holder struct {
	Party     string `json:"party"`
	Principal string `json:"principal"`
}

// clone copies the parts of a model that relaxations change: the parties'
// principal lists and the infeasible regions. Utility tables are shared.
func clone(m *parley.Model) *parley.Model {
	c := *m
	c.Parties = append([]parley.PartyModel(nil), m.Parties...)
	for i := range c.Parties {
		c.Parties[i].Principals = append([]parley.Principal(nil), m.Parties[i].Principals...)
	}
	c.Infeasible = append([]parley.Region(nil), m.Infeasible...)
	c.InfeasibleWhy = append([]string(nil), m.InfeasibleWhy...)
	return &c
}

// never is a reservation value below any utility: a principal with it
// accepts every outcome that breaks none of its red lines.
const never = math.MinInt64 / 4

// redLineGroup is one red line, identified by its name, with every
// principal that holds it (party index, principal index, index of the red
// line in the principal's list).
type redLineGroup struct {
	name    string
	holders [][3]int
}

// redLineGroups returns the model's red lines grouped by name, in order of
// first appearance (parties, then principals, then each principal's list).
func redLineGroups(m *parley.Model) []redLineGroup {
	var out []redLineGroup
	at := map[string]int{}
	for i := range m.Parties {
		for j := range m.Parties[i].Principals {
			for k, name := range m.Parties[i].Principals[j].RedLineName {
				g, ok := at[name]
				if !ok {
					g = len(out)
					at[name] = g
					out = append(out, redLineGroup{name: name})
				}
				out[g].holders = append(out[g].holders, [3]int{i, j, k})
			}
		}
	}
	return out
}

// withoutRedLine returns a copy of m in which no principal holds the named
// red line.
func withoutRedLine(m *parley.Model, g redLineGroup) *parley.Model {
	mm := clone(m)
	for _, h := range g.holders {
		pr := &mm.Parties[h[0]].Principals[h[1]]
		var keep []parley.Region
		var names []string
		for k, name := range pr.RedLineName {
			if name != g.name {
				keep = append(keep, pr.RedLines[k])
				names = append(names, name)
			}
		}
		pr.RedLines, pr.RedLineName = keep, names
	}
	return mm
}

// A relaxation is one change of a model that the blocking analysis tries:
// a faction going along, a red line dropped by all its holders, a third
// party consenting. Block holds the entry's identity (kind and names);
// the caller fills in what the relaxed model opens.
type relaxation struct {
	block   Block
	model   *parley.Model
	party   int // the principal whose reservation change is also asked
	princ   int // (party, princ), or −1 for red lines and roles
	faction bool
}

// relaxations lists the blocking analysis's entries in report order: for
// each principal, its own entry (a faction going along; for a single
// actor, model is nil: only its reservation change is asked), then each red
// line it is the first holder of; then every third party whose consent is
// missing.
func relaxations(m *parley.Model, as assumed) []relaxation {
	var out []relaxation
	groups := redLineGroups(m)
	done := make([]bool, len(groups))
	for i := range m.Parties {
		p := &m.Parties[i]
		for j := range p.Principals {
			pr := &p.Principals[j]
			rx := relaxation{block: Block{Kind: BlockParty, Party: p.Name, Principal: pr.Name}, party: i, princ: j}
			if p.Delegation {
				rx.faction = true
				rx.block.Kind = BlockFaction
				rx.block.RestsOn = as.rule(p.Name)
				mm := clone(m)
				mm.Parties[i].Principals[j].Reservation = never
				mm.Parties[i].Principals[j].RedLines = nil
				mm.Parties[i].Principals[j].RedLineName = nil
				rx.model = mm
			}
			out = append(out, rx)
			for g := range groups {
				if done[g] || groups[g].holders[0][0] != i || groups[g].holders[0][1] != j {
					continue
				}
				done[g] = true
				out = append(out, relaxation{block: redLineBlock(m, groups[g], as), model: withoutRedLine(m, groups[g]), party: -1, princ: -1})
			}
		}
	}
	for k, name := range m.InfeasibleWhy {
		mm := clone(m)
		mm.Infeasible = append(mm.Infeasible[:k:k], mm.Infeasible[k+1:]...)
		mm.InfeasibleWhy = append(mm.InfeasibleWhy[:k:k], mm.InfeasibleWhy[k+1:]...)
		b := Block{Kind: BlockRole, Role: name, Consent: ConsentWithheld, RestsOn: as.role(name)}
		if ro := role(m.Scenario, name); ro != nil && ro.ConsentUncertain() {
			b.Consent = ConsentUncertain
		}
		out = append(out, relaxation{block: b, model: mm, party: -1, princ: -1})
	}
	return out
}

// blocking fills r.Blocking: for every principal, what its going along (a
// faction) or a change of its reservation value would open; for every red
// line — once, relaxed for all its holders together — what dropping it
// would open; for every third party whose consent is missing, what its
// consent would open. Each entry lists the analyst's assumptions it rests
// on.
func blocking(m *parley.Model, r *Report, opt Options) error {
	so := opt.search(opt.MaxNodes)
	as := newAssumed(m.Scenario)
	for _, rx := range relaxations(m, as) {
		b := rx.block
		if rx.model != nil {
			z, err := search.Zone(rx.model, so)
			if err != nil {
				return fmt.Errorf("analysis: blocking %s: %w", b.Kind, err)
			}
			if !z.Empty {
				b.OpensZone, b.ZoneSize = true, z.Size
				zf, _, err := zoneFrontier(rx.model, nil, false, opt)
				if err != nil {
					return fmt.Errorf("analysis: blocking %s: %w", b.Kind, err)
				}
				b.Nash, _, _, _ = solutions(rx.model, zf)
			}
		}
		if rx.princ >= 0 {
			// The smallest reservation change: the best this principal can
			// get among outcomes everyone else (and its red lines) allow.
			pr := &m.Parties[rx.party].Principals[rx.princ]
			mm := clone(m)
			mm.Parties[rx.party].Principals[rx.princ].Reservation = never
			best, _, ok, _, err := search.Maximize(mm, &pr.Utility, true, so)
			if err != nil {
				return fmt.Errorf("analysis: blocking %s/%s reservation: %w", b.Party, b.Principal, err)
			}
			if ok {
				ch := pr.Utility.F(best - 1 - pr.Reservation)
				b.ReservationChange = &ch
				if b.Kind == BlockParty {
					b.OpensZone = true
				}
				b.RestsOn = append(b.RestsOn, as.reservation(b.Party, b.Principal)...)
			}
		}
		r.Blocking = append(r.Blocking, b)
	}
	return nil
}

// openers returns, for an empty zone, the relaxations that open it alone
// (keys as in Effect.Blockers) with the size of the zone each opens: the
// part of the blocking analysis the sensitivity analysis compares.
func openers(m *parley.Model, opt Options) ([]string, map[string]*big.Int, error) {
	so := opt.search(opt.MaxNodes)
	var bs []Block
	for _, rx := range relaxations(m, assumed{}) {
		if rx.model == nil {
			continue
		}
		z, err := search.Zone(rx.model, so)
		if err != nil {
			return nil, nil, fmt.Errorf("analysis: blocking %s: %w", rx.block.Kind, err)
		}
		b := rx.block
		b.OpensZone, b.ZoneSize = !z.Empty, z.Size
		bs = append(bs, b)
	}
	keys, sizes := blockerKeys(bs)
	return keys, sizes, nil
}

func redLineBlock(m *parley.Model, g redLineGroup, as assumed) Block {
	first := g.holders[0]
	b := Block{Kind: BlockRedLine, RedLine: g.name,
		Party: m.Parties[first[0]].Name, Principal: m.Parties[first[0]].Principals[first[1]].Name}
	seenParty := map[string]bool{}
	for _, h := range g.holders {
		p := &m.Parties[h[0]]
		b.Holders = append(b.Holders, Holder{Party: p.Name, Principal: p.Principals[h[1]].Name})
		if p.Delegation && !seenParty[p.Name] {
			seenParty[p.Name] = true
			b.RestsOn = append(b.RestsOn, as.rule(p.Name)...)
		}
	}
	b.RestsOn = append(as.redLine(g.name), b.RestsOn...)
	return b
}

func role(s *parley.Scenario, name string) *parley.Role {
	for i := range s.Roles {
		if s.Roles[i].Name == name {
			return &s.Roles[i]
		}
	}
	return nil
}

package parley_test

import (
	"testing"

	"github.com/parleyhq/parley"
)

// TestAudienceIncludes is the confidentiality table: who sees an event of
// each audience, for a scenario whose party 1 is a delegation of two
// factions.
func TestAudienceIncludes(t *testing.T) {
	t.Parallel()
	seats := []parley.Seat{parley.MediatorSeat(), parley.PartySeat(0), parley.PartySeat(1),
		parley.PrincipalSeat(1, 0), parley.PrincipalSeat(1, 1), parley.ObserverSeat()}
	//                                       med    p0     p1     p1/f0  p1/f1  obs
	cases := []struct {
		a    parley.Audience
		want []bool
	}{
		{parley.ToEveryone(), []bool{true, true, true, true, true, true}},
		{parley.Audience{}, []bool{true, true, true, true, true, true}}, // unset: a transcript from before audiences
		{parley.ToCaucus(0), []bool{true, true, false, false, false, false}},
		{parley.ToCaucus(1), []bool{true, false, true, true, true, false}},
		{parley.ToDelegation(1), []bool{false, false, true, true, true, false}},
		{parley.ToDelegation(0), []bool{false, true, false, false, false, false}},
		{parley.ToSeat(parley.PrincipalSeat(1, 1)), []bool{false, false, false, false, true, false}},
		{parley.ToSeat(parley.MediatorSeat()), []bool{true, false, false, false, false, false}},
	}
	for _, c := range cases {
		for i, s := range seats {
			if got := c.a.Includes(s); got != c.want[i] {
				t.Errorf("audience %q includes %s: %v, want %v", c.a, s, got, c.want[i])
			}
		}
	}
}

func TestSeatAndAudienceText(t *testing.T) {
	t.Parallel()
	for _, a := range []parley.Audience{parley.ToEveryone(), parley.ToCaucus(3), parley.ToDelegation(0),
		parley.ToSeat(parley.MediatorSeat()), parley.ToSeat(parley.PartySeat(2)), parley.ToSeat(parley.PrincipalSeat(1, 4)),
		parley.ToSeat(parley.ObserverSeat()), {}} {
		b, err := a.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back parley.Audience
		if err := back.UnmarshalText(b); err != nil || back != a {
			t.Errorf("audience %+v -> %q -> %+v, %v", a, b, back, err)
		}
	}
	for _, bad := range []string{"all", "caucus:", "caucus:-1", "caucus:01", "party", "party:x", "principal:1", "principal:1:2:3", "mediator:1", "delegation:1:2", "observer:0"} {
		if _, err := parley.ParseAudience(bad); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("ParseAudience(%q): %v, want EINVALID", bad, err)
		}
	}
}

// FuzzParseAudience: whatever parses writes back to the same text.
func FuzzParseAudience(f *testing.F) {
	for _, s := range []string{"everyone", "caucus:1", "delegation:0", "party:2", "principal:1:0", "mediator", "observer", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parley.ParseAudience(s)
		if err != nil {
			return
		}
		if a.String() != s {
			t.Fatalf("ParseAudience(%q) = %+v, which writes %q", s, a, a.String())
		}
	})
}

// TestBrief: a seat's brief holds its own side's preferences and nobody
// else's.
func TestBrief(t *testing.T) {
	t.Parallel()
	prefs := func(r float64) *parley.Preferences {
		return &parley.Preferences{Reservation: parley.Estimate{Value: r}, RedLines: []parley.RedLine{{Name: "secret"}}}
	}
	s := &parley.Scenario{ID: "x", Notes: []string{"analyst's note"}, Sources: []parley.Source{{ID: "S0"}},
		Parties: []parley.Party{
			{Name: "A", Preferences: prefs(0.4), Sources: []parley.Cite{{Source: "S0"}}},
			{Name: "B", Delegation: &parley.Delegation{Factions: []parley.Faction{{Name: "hawks", Preferences: *prefs(0.7)}}}},
		},
		Simulation: &parley.SimulationSpec{Protocol: parley.ProtocolMediated, Rounds: 9, Agents: []parley.AgentSpec{{Party: "B", Agent: "x"}}}}
	for _, c := range []struct {
		seat   parley.Seat
		a, b   bool // sees A's, B's preferences
		rounds int
	}{
		{parley.PartySeat(0), true, false, 9},
		{parley.PartySeat(1), false, true, 9},
		{parley.PrincipalSeat(1, 0), false, true, 9},
		{parley.MediatorSeat(), false, false, 9},
		{parley.ObserverSeat(), false, false, 9},
	} {
		b := s.Brief(c.seat)
		if (b.Parties[0].Preferences != nil) != c.a || (b.Parties[1].Delegation != nil) != c.b {
			t.Errorf("%s: sees A %v, B %v; want %v, %v", c.seat, b.Parties[0].Preferences != nil, b.Parties[1].Delegation != nil, c.a, c.b)
		}
		if len(b.Notes) > 0 || len(b.Sources) > 0 || b.Simulation.Rounds != c.rounds || len(b.Simulation.Agents) > 0 {
			t.Errorf("%s: the brief keeps notes, sources or agents: %+v", c.seat, b)
		}
		if !c.a && len(b.Parties[0].Sources) > 0 {
			t.Errorf("%s: sees A's sources", c.seat)
		}
	}
}

package session_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/simulate"
)

// TestNoLeaks plays whole negotiations with built-in agents on every
// seat — every account of the Istanbul scenario, and a Genius domain
// under both protocols — and searches each seat's serialized view for
// what belongs to another party: its reservation values, its utilities of
// the outcomes put on the table (as built-in agents word them in their
// reasons) and the names of its red lines. Only the seat's own side may
// see its reasons, and no action anywhere in a view carries one.
func TestNoLeaks(t *testing.T) {
	t.Parallel()
	f, err := scenario.Builtin("istanbul-2025")
	if err != nil {
		t.Fatal(err)
	}
	variants := []string{""}
	for _, v := range f.Variants() {
		variants = append(variants, v.Name)
	}
	for _, name := range variants {
		s, err := f.Scenario(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("istanbul/"+name, func(t *testing.T) { leakSearch(t, s, "") })
	}
	s, err := genius.Load("../genius/testdata/car-domain.xml",
		[]string{"../genius/testdata/car-buyer.xml", "../genius/testdata/car-seller.xml"}, genius.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, proto := range []parley.ProtocolName{"sao", "mediated"} {
		t.Run("genius-car/"+string(proto), func(t *testing.T) { leakSearch(t, s, proto) })
	}
}

// leakSearch plays s with built-in agents and checks every seat's view.
func leakSearch(t *testing.T, s *parley.Scenario, proto parley.ProtocolName) {
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := simulate.FromScenario(s, proto)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Target = simulate.MediatorTarget(context.Background(), m)
	sc := session.Config{Seed: cfg.Seed, Target: cfg.Target}
	if sc.Protocol, err = cfg.ProtocolConfig(); err != nil {
		t.Fatal(err)
	}
	for _, spec := range cfg.Agents {
		sc.Parties = append(sc.Parties, mustAgent(t, spec))
	}
	seats := []parley.Seat{parley.ObserverSeat()}
	info, err := protocol.Lookup(cfg.Protocol)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mediated {
		sc.Mediator = mustAgent(t, cfg.Mediator)
		seats = append(seats, parley.MediatorSeat())
	}
	sc.Principals = principals(t, m, cfg, -1)
	for p := range m.Parties {
		seats = append(seats, parley.PartySeat(p))
		for f := range m.Parties[p].Principals {
			if m.Parties[p].Delegation {
				seats = append(seats, parley.PrincipalSeat(p, f))
			}
		}
	}
	d, err := session.New(m, sc)
	if err != nil {
		t.Fatal(err)
	}
	events, err := d.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A mediated negotiation must give the search something to find: the
	// delegates' reasons name their utilities and floors. (Offer-based
	// agents give reasons only when they walk away.)
	reasons := 0
	for _, ev := range events {
		if ev.Type == protocol.EvReason {
			reasons++
		}
	}
	if reasons == 0 && info.Mediated {
		t.Fatalf("%s: no agent gave a reason in %d events: nothing to search for", s.ID, len(events))
	}
	public := brief(t, s, parley.ObserverSeat())
	for _, seat := range seats {
		v, err := d.View(seat)
		if err != nil {
			t.Fatal(err)
		}
		checkView(t, m, events, public, seat, v)
	}
}

// brief serializes the seat's brief.
func brief(t *testing.T, s *parley.Scenario, seat parley.Seat) string {
	b, err := json.Marshal(s.Brief(seat))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ownSide reports whether an event is for seat's side alone: its
// delegation's, or its own seat's.
func ownSide(seat parley.Seat, ev protocol.Event) bool {
	a := ev.Audience
	switch a.Kind {
	case parley.AudienceSeat:
		return a.Seat == seat
	case parley.AudienceDelegation:
		return (seat.Role == parley.SeatParty || seat.Role == parley.SeatPrincipal) && seat.Party == a.Seat.Party
	}
	return false
}

// checkView checks one seat's view for another party's secrets.
func checkView(t *testing.T, m *parley.Model, events []protocol.Event, public string, seat parley.Seat, v *session.View) {
	t.Helper()
	own := -1
	if seat.Role == parley.SeatParty || seat.Role == parley.SeatPrincipal {
		own = seat.Party
	}
	// Structure: reasons only from the seat's own side, none in actions.
	actions := append([]parley.Action(nil), v.History...)
	var rest []protocol.Event // events that are not the seat's own side's alone
	for _, ev := range v.Events {
		if ev.Action != nil {
			actions = append(actions, *ev.Action)
		}
		if ev.Type == protocol.EvReason && (ev.Actor != own || !ownSide(seat, ev)) && !(seat.Role == parley.SeatMediator && ev.Actor == parley.MediatorActor) {
			t.Errorf("seat %s sees the reason of actor %d: %q", seat, ev.Actor, ev.Note)
		}
		if !ownSide(seat, ev) {
			rest = append(rest, ev)
		}
	}
	for _, a := range actions {
		if a.Reason != "" {
			t.Errorf("seat %s sees an action of actor %d with its reason %q", seat, a.Actor, a.Reason)
		}
	}
	// Text: what other parties hold, as agents and protocols word it.
	secrets := map[string]string{}
	var outcomes []parley.Outcome
	for _, ev := range events {
		if ev.Action != nil && ev.Action.Outcome != nil {
			outcomes = append(outcomes, ev.Action.Outcome)
		}
	}
	for q := range m.Parties {
		if q == own {
			continue
		}
		pm := &m.Parties[q]
		add := func(what string, u *parley.UtilityFn, x int64) {
			for _, f := range []string{"%.3f", "%.3g"} {
				if s := fmt.Sprintf(f, u.F(x)); strings.Contains(s, ".") && len(s) >= 4 {
					secrets[s] = what
				}
			}
		}
		add(pm.Name+"'s reservation", &pm.Utility, pm.Reservation)
		for _, o := range outcomes {
			if !hasBlank(o) {
				add(pm.Name+"'s utility of an offer", &pm.Utility, pm.Utility.Eval(o))
			}
		}
		for j := range pm.Principals {
			pr := &pm.Principals[j]
			add(pr.Name+"'s reservation", &pr.Utility, pr.Reservation)
			for _, name := range pr.RedLineName {
				if name != "" && !strings.Contains(public, name) {
					secrets[name] = pr.Name + "'s red line"
				}
			}
		}
	}
	// Only strings can carry words: search the text of what the seat may
	// see beyond its own side's private events, and the brief (another
	// party's entry holds its name and description only).
	var text []string
	for _, ev := range rest {
		text = append(text, ev.Note, ev.Message)
		if ev.Clause != nil {
			text = append(text, ev.Clause.Why)
		}
		if ev.Result != nil {
			text = append(text, ev.Result.Why)
		}
	}
	if v.Result.Why != "" {
		text = append(text, v.Result.Why)
	}
	all, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range text {
		for _, x := range number.FindAllString(s, -1) {
			if what, ok := secrets[x]; ok {
				t.Errorf("seat %s sees %s (%s) in %q", seat, what, x, s)
			}
		}
	}
	for secret, what := range secrets {
		if !strings.Contains(secret, ".") && strings.Contains(string(all), secret) {
			t.Errorf("seat %s's view holds %s (%q)", seat, what, secret)
		}
	}
	for q, p := range v.Brief.Parties {
		if q != own && (p.Preferences != nil || p.Delegation != nil) {
			t.Errorf("seat %s's brief holds the preferences of %s", seat, p.Name)
		}
	}
}

// number finds the decimal numbers in a text.
var number = regexp.MustCompile(`[0-9]+\.[0-9]+`)

func hasBlank(o parley.Outcome) bool {
	for _, k := range o {
		if k < 0 {
			return true
		}
	}
	return false
}

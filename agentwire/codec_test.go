package agentwire_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agentwire"
	"github.com/parleyhq/parley/internal/randscen"
	"github.com/parleyhq/parley/scenario"
)

// market is n parties over three issues (3, 4 and 2 options), each with
// its own weights, values, reservation and discount factor.
func market(t testing.TB, n int, discount float64) *parley.Model {
	t.Helper()
	issues := []parley.Issue{
		{Name: "price", Options: labels("low", "mid", "high")},
		{Name: "delivery", Options: labels("week", "month", "quarter", "year")},
		{Name: "warranty", Options: labels("none", "full")},
	}
	s := &parley.Scenario{ID: "market", Issues: issues}
	est := func(v float64) parley.Estimate { return parley.Estimate{Value: v} }
	for p := range n {
		pr := &parley.Preferences{Reservation: est(0.2 + 0.05*float64(p))}
		if discount > 0 {
			pr.Discount = est(discount)
		}
		for i, is := range issues {
			ip := parley.IssuePref{Issue: is.Name, Weight: est(float64(1 + (p+i)%3))}
			for k, o := range is.Options {
				v := float64((k*(p+1)+i)%len(is.Options)) / float64(len(is.Options)-1)
				ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: est(v)})
			}
			pr.Issues = append(pr.Issues, ip)
		}
		s.Parties = append(s.Parties, parley.Party{Name: "P" + string(rune('A'+p)), Preferences: pr})
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func labels(l ...string) []parley.Option {
	o := make([]parley.Option, len(l))
	for i := range l {
		o[i] = parley.Option{Label: l[i]}
	}
	return o
}

func codec(t testing.TB, m *parley.Model, seat parley.Seat) *agentwire.Codec {
	t.Helper()
	c, err := agentwire.NewCodec(agentwire.Setup{Model: m, Seat: seat, Protocol: parley.ProtocolSAO, Rounds: 10, TimeLimit: 2 * time.Second, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSettingsOwnProfileOnly: on random scenarios (single actors and
// delegations, red lines, rects) a party's settings carry exactly its own
// compiled utility, reservation, discount, red lines and factions — and
// no number of another party's that its own do not share; the mediator's
// carry no profile at all.
func TestSettingsOwnProfileOnly(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 1))
	for k := range 60 {
		s := randscen.New(r, randscen.Options{Rects: k%2 == 0})
		m, err := s.Compile()
		if err != nil {
			continue
		}
		for p := range m.Parties {
			b, err := codec(t, m, parley.PartySeat(p)).Settings()
			if err != nil {
				t.Fatal(err)
			}
			var got agentwire.Settings
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("settings are not JSON: %v", err)
			}
			pm := &m.Parties[p]
			if got.Protocol != agentwire.Version || got.Party != p || got.Seat != parley.PartySeat(p) || got.Role != "party" {
				t.Fatalf("header %+v", got)
			}
			if got.Profile == nil || got.Profile.Reservation != pm.Utility.F(pm.Reservation) || got.Profile.Discount != pm.DiscountFactor() {
				t.Fatalf("party %d: profile %+v", p, got.Profile)
			}
			for i, vs := range pm.Utility.Values {
				for o, v := range vs {
					if got.Profile.Values[i][o] != pm.Utility.F(v) {
						t.Fatalf("party %d: values[%d][%d] = %v, want %v", p, i, o, got.Profile.Values[i][o], pm.Utility.F(v))
					}
				}
			}
			if len(got.Profile.Rects) != len(pm.Utility.Rects) || (pm.Delegation != (len(got.Profile.Factions) > 0)) {
				t.Fatalf("party %d: %d rects for %d, %d factions (delegation %v)", p, len(got.Profile.Rects), len(pm.Utility.Rects), len(got.Profile.Factions), pm.Delegation)
			}
			// Nothing of the other parties: their names only. (Factions of
			// different parties may share a name; only names the party
			// does not have itself can tell.)
			own := map[string]bool{}
			for _, pr := range pm.Principals {
				own[pr.Name] = true
			}
			for q := range m.Parties {
				for _, pr := range m.Parties[q].Principals {
					if q != p && !own[pr.Name] && strings.Contains(string(b), `"name":"`+pr.Name+`","weight"`) {
						t.Fatalf("party %d's settings name faction %s of party %d", p, pr.Name, q)
					}
				}
			}
			if !slices.Equal(got.Parties, names(m)) || len(got.Domain.Issues) != len(m.Sizes) {
				t.Fatalf("parties %v, %d issues", got.Parties, len(got.Domain.Issues))
			}
			// The settings depend on nothing of the other parties but
			// their names: scramble the others, and not a byte changes.
			other := scramble(m, p, r)
			b2, err := codec(t, other, parley.PartySeat(p)).Settings()
			if err != nil {
				t.Fatal(err)
			}
			if string(b2) != string(b) {
				t.Fatalf("party %d's settings change with the other parties' preferences:\n%s\n%s", p, b, b2)
			}
		}
		b, err := codec(t, m, parley.MediatorSeat()).Settings()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `"profile"`) || !strings.Contains(string(b), `"party":-1`) {
			t.Fatalf("mediator settings: %s", b)
		}
	}
}

// scramble returns a copy of m whose parties other than keep have other
// utilities, reservations, discounts, red lines and factions.
func scramble(m *parley.Model, keep int, r *rand.Rand) *parley.Model {
	c := *m
	c.Parties = slices.Clone(m.Parties)
	for q := range c.Parties {
		if q == keep {
			continue
		}
		pm := c.Parties[q]
		pm.Utility = noise(pm.Utility, r)
		pm.Reservation = r.Int64N(parley.Quantum)
		pm.Delegation = !pm.Delegation
		pm.Principals = []parley.Principal{{Name: "secret", Utility: noise(pm.Utility, r), Reservation: 7, Discount: 0.5,
			RedLines: []parley.Region{{{Issue: 0, In: make([]bool, m.Sizes[0])}}}}}
		pm.Weights, pm.Names = []float64{1}, []string{"secret"}
		c.Parties[q] = pm
	}
	return &c
}

func noise(u parley.UtilityFn, r *rand.Rand) parley.UtilityFn {
	var out parley.UtilityFn
	for _, vs := range u.Values {
		w := make([]int64, len(vs))
		for k := range w {
			w[k] = r.Int64N(parley.Quantum)
		}
		out.Values = append(out.Values, w)
	}
	return out
}

func names(m *parley.Model) []string {
	var out []string
	for i := range m.Parties {
		out = append(out, m.Parties[i].Name)
	}
	return out
}

// TestSettingsIstanbul: a delegation's seat gets its factions, rule and
// red lines; the other delegation's factions are nowhere in it.
func TestSettingsIstanbul(t *testing.T) {
	t.Parallel()
	f, err := scenario.Builtin("istanbul-2025")
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Scenario("")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for p := range m.Parties {
		b, _ := codec(t, m, parley.PartySeat(p)).Settings()
		var got agentwire.Settings
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		pm := &m.Parties[p]
		if pm.Delegation && (got.Profile.Rule == nil || len(got.Profile.Factions) != len(pm.Principals)) {
			t.Errorf("%s: rule %v, %d factions", pm.Name, got.Profile.Rule, len(got.Profile.Factions))
		}
		for q := range m.Parties {
			if q == p || !m.Parties[q].Delegation {
				continue
			}
			for _, pr := range m.Parties[q].Principals {
				if strings.Contains(string(b), `"name":"`+pr.Name+`"`) {
					t.Errorf("%s's settings carry %s's faction %s", pm.Name, m.Parties[q].Name, pr.Name)
				}
				for _, rl := range pr.RedLineName {
					if strings.Contains(string(b), rl) {
						t.Errorf("%s's settings carry %s's red line %s", pm.Name, m.Parties[q].Name, rl)
					}
				}
			}
		}
	}
}

// TestTurnMessages: the hand-written encoder writes JSON that decodes to
// exactly what the turn says, with an action_done for every new action of
// the view that is not the seat's own, and nothing twice.
func TestTurnMessages(t *testing.T) {
	t.Parallel()
	m := market(t, 3, 0)
	c := codec(t, m, parley.PartySeat(1))
	r := rand.New(rand.NewPCG(3, 3))
	var history []parley.Action
	seen := 0
	for turn := int64(1); turn <= 40; turn++ {
		for range r.IntN(4) {
			a := parley.Action{Actor: r.IntN(3), Kind: parley.ActOffer, Outcome: parley.Outcome{r.IntN(3), r.IntN(4), r.IntN(2)}}
			switch r.IntN(4) {
			case 0:
				a = parley.Action{Actor: a.Actor, Kind: parley.ActAccept, Rounds: r.IntN(3)}
			case 1:
				a.Reason = "quote \" and \\ and \n and ünïcode\x01"
			}
			history = append(history, a)
		}
		tu := parley.Turn{Actor: 1, Kind: parley.TurnRespond, Round: int(turn), Time: r.Float64(), Left: time.Duration(r.IntN(1e9)),
			Offer: parley.Outcome{r.IntN(3), r.IntN(4), r.IntN(2)}, Offerer: r.IntN(3), History: history}
		msgs := c.Turn(&tu)
		var want []parley.Action
		for _, a := range history[seen:] {
			if a.Actor != 1 {
				want = append(want, a)
			}
		}
		seen = len(history)
		if len(msgs) != len(want)+1 {
			t.Fatalf("turn %d: %d messages for %d new actions of others", turn, len(msgs), len(want))
		}
		for k, a := range want {
			var d agentwire.ActionDone
			if err := json.Unmarshal(msgs[k], &d); err != nil {
				t.Fatalf("action_done %s: %v", msgs[k], err)
			}
			kind := map[parley.ActionKind]string{parley.ActOffer: "offer", parley.ActAccept: "accept"}[a.Kind]
			if d.Type != "action_done" || d.Actor != a.Actor || d.Action != kind || !slices.Equal(d.Bid, a.Outcome) || d.Rounds != a.Rounds || d.Reason != a.Reason {
				t.Fatalf("action_done %s for %+v", msgs[k], a)
			}
		}
		var y agentwire.YourTurn
		if err := json.Unmarshal(msgs[len(msgs)-1], &y); err != nil {
			t.Fatalf("your_turn %s: %v", msgs[len(msgs)-1], err)
		}
		if y.Type != "your_turn" || y.Turn != turn || y.Kind != parley.TurnRespond || y.Round != tu.Round || y.T != tu.Time ||
			y.TimeLeft != tu.Left.Seconds() || !slices.Equal(y.Offer, tu.Offer) || y.Offerer == nil || *y.Offerer != tu.Offerer ||
			!slices.Equal(y.Actions, []string{"accept", "offer", "end_negotiation"}) {
			t.Fatalf("your_turn %s for %+v", msgs[len(msgs)-1], tu)
		}
		if _, err := c.Reply([]byte(`{"type":"accept","turn":` + strconv.FormatInt(turn, 10) + `}`)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTextTurn: a mediated answer turn carries the text, and the
// mediator's text and answers come back as actions.
func TestTextTurn(t *testing.T) {
	t.Parallel()
	m := market(t, 2, 0)
	c := codec(t, m, parley.PartySeat(0))
	text := []parley.Clause{{Issue: 0, Option: 2, State: parley.ClauseProposed, OnAgenda: true}, {Issue: 1, Option: -1, OnAgenda: true}, {Issue: 2, Option: -1}}
	msgs := c.Turn(&parley.Turn{Kind: parley.TurnAnswer, Text: text, History: []parley.Action{{Actor: parley.MediatorActor, Kind: parley.ActText, Outcome: parley.Outcome{2, -1, -1}}}})
	var d agentwire.ActionDone
	var y agentwire.YourTurn
	if err := json.Unmarshal(msgs[0], &d); err != nil || d.Action != "text" || !slices.Equal(d.Text, parley.Outcome{2, -1, -1}) || d.Actor != -1 {
		t.Fatalf("%s: %v", msgs[0], err)
	}
	if err := json.Unmarshal(msgs[1], &y); err != nil || len(y.Text) != 3 || y.Text[0] != (agentwire.Clause{Option: 2, State: parley.ClauseProposed, OnAgenda: true}) || y.Text[2].OnAgenda {
		t.Fatalf("%s: %v", msgs[1], err)
	}
	a, err := c.Reply([]byte(`{"type":"answer","answers":["accept","none","none"],"extend":2,"turn":1}`))
	if err != nil || a.Kind != parley.ActAnswer || !slices.Equal(a.Answers, []parley.ClauseAnswer{parley.AnswerAccept, parley.AnswerNone, parley.AnswerNone}) || a.Rounds != 2 {
		t.Fatalf("%+v %v", a, err)
	}
	med := codec(t, m, parley.MediatorSeat())
	med.Turn(&parley.Turn{Actor: parley.MediatorActor, Kind: parley.TurnText, Text: text})
	a, err = med.Reply([]byte(`{"type":"text","text":[1,-1,-1],"turn":1}`))
	if err != nil || a.Kind != parley.ActText || !slices.Equal(a.Outcome, parley.Outcome{1, -1, -1}) || a.Actor != parley.MediatorActor {
		t.Fatalf("%+v %v", a, err)
	}
	med.Turn(&parley.Turn{Actor: parley.MediatorActor, Kind: parley.TurnText, Text: text})
	if a, err = med.Reply([]byte(`{"type":"end_negotiation","turn":2}`)); err != nil || a.Kind != parley.ActEnd {
		t.Fatalf("%+v %v", a, err)
	}
}

// TestReplies: each reply becomes its action, or a fault that says what
// the agent did wrong.
func TestReplies(t *testing.T) {
	t.Parallel()
	m := market(t, 2, 0)
	for _, tc := range []struct {
		name  string
		kind  parley.TurnKind
		reply string
		want  parley.Action // when no fault
		fault string
		is    error
	}{
		{"Offer", parley.TurnPropose, `{"type":"offer","bid":[2,3,1],"turn":1}`, parley.Action{Kind: parley.ActOffer, Outcome: parley.Outcome{2, 3, 1}}, "", nil},
		{"OfferExtend", parley.TurnRespond, `{"type":"offer","bid":[0,0,0],"extend":5,"reason":"more time","turn":1}`, parley.Action{Kind: parley.ActOffer, Outcome: parley.Outcome{0, 0, 0}, Rounds: 5, Reason: "more time"}, "", nil},
		{"Accept", parley.TurnRespond, `{"type":"accept","turn":1}`, parley.Action{Kind: parley.ActAccept}, "", nil},
		{"AcceptNamed", parley.TurnRespond, `{"type":"accept","bid":[1,1,1],"turn":1}`, parley.Action{Kind: parley.ActAccept}, "", nil},
		{"End", parley.TurnRespond, `{"type":"end_negotiation","unknown":"ignored","turn":1}`, parley.Action{Kind: parley.ActWalkAway}, "", nil},
		{"Garbage", parley.TurnPropose, `hello world`, parley.Action{}, `wrote a line that is not a valid message (not JSON: invalid character 'h' looking for beginning of value): "hello world"`, agentwire.ErrBadMessage},
		{"NotObject", parley.TurnPropose, `[1,2]`, parley.Action{}, "not a JSON object", agentwire.ErrBadMessage},
		{"WrongType", parley.TurnPropose, `{"type":"offer","bid":"x"}`, parley.Action{}, `field "bid" holds a string`, agentwire.ErrBadMessage},
		{"NoType", parley.TurnPropose, `{"bid":[0,0,0],"turn":1}`, parley.Action{}, "sent a message without a type", agentwire.ErrBadMessage},
		{"AcceptOnPropose", parley.TurnPropose, `{"type":"accept","turn":1}`, parley.Action{}, `sent "accept" to a propose turn (allowed: ["offer","end_negotiation"])`, agentwire.ErrBadMessage},
		{"UnknownType", parley.TurnRespond, `{"type":"haggle","turn":1}`, parley.Action{}, `sent "haggle" to a respond turn`, agentwire.ErrBadMessage},
		{"ShortBid", parley.TurnPropose, `{"type":"offer","bid":[0,0],"turn":1}`, parley.Action{}, "sent an offer with 2 options for 3 issues", agentwire.ErrBadMessage},
		{"OptionOutOfRange", parley.TurnPropose, `{"type":"offer","bid":[0,4,0],"turn":1}`, parley.Action{}, "sent an offer with option 4 for issue delivery, which has options 0..3", agentwire.ErrBadMessage},
		{"NegativeOption", parley.TurnPropose, `{"type":"offer","bid":[0,-1,0],"turn":1}`, parley.Action{}, "option -1 for issue delivery", agentwire.ErrBadMessage},
		{"AcceptOther", parley.TurnRespond, `{"type":"accept","bid":[2,2,0],"turn":1}`, parley.Action{}, "accepted [2 2 0], which is not the standing offer [1 1 1]", agentwire.ErrBadMessage},
		{"NoTurn", parley.TurnRespond, `{"type":"accept"}`, parley.Action{}, `sent a reply without its turn number (echo "turn": 1 of the your_turn)`, agentwire.ErrBadMessage},
		{"StaleTurn", parley.TurnRespond, `{"type":"accept","turn":7}`, parley.Action{}, "answered out of turn: a reply to turn 7 during turn 1", agentwire.ErrOutOfTurn},
		{"AnswerCount", parley.TurnAnswer, `{"type":"answer","answers":["accept"],"turn":1}`, parley.Action{}, "answered 1 clauses, the text has 3", agentwire.ErrBadMessage},
		{"AnswerWord", parley.TurnAnswer, `{"type":"answer","answers":["maybe","none","none"],"turn":1}`, parley.Action{}, `unknown clause answer "maybe"`, agentwire.ErrBadMessage},
		{"LongReason", parley.TurnRespond, `{"type":"accept","turn":1,"reason":"` + strings.Repeat("x", 2000) + `"}`, parley.Action{}, "gave a reason of 2000 bytes", agentwire.ErrBadMessage},
		{"NegativeExtend", parley.TurnRespond, `{"type":"accept","extend":-1,"turn":1}`, parley.Action{}, "asked to extend by -1 rounds", agentwire.ErrBadMessage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := codec(t, m, parley.PartySeat(1))
			c.Turn(&parley.Turn{Actor: 1, Kind: tc.kind, Offer: parley.Outcome{1, 1, 1}})
			a, err := c.Reply([]byte(tc.reply))
			if tc.fault == "" {
				tc.want.Actor = 1
				if err != nil || !reflect.DeepEqual(norm(a), norm(tc.want)) {
					t.Fatalf("got %+v, %v; want %+v", a, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.fault) || !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want %q (%v)", err, tc.fault, tc.is)
			}
			// A reply is read once: a second one is out of turn.
			if _, err := c.Reply([]byte(`{"type":"accept","turn":1}`)); !errors.Is(err, agentwire.ErrOutOfTurn) {
				t.Fatalf("second reply: %v", err)
			}
		})
	}
}

func norm(a parley.Action) parley.Action {
	if len(a.Outcome) == 0 {
		a.Outcome = nil
	}
	if len(a.Answers) == 0 {
		a.Answers = nil
	}
	return a
}

// FuzzReply: whatever an agent writes, Reply returns a well-formed action
// for the turn or a fault — never a panic, never an outcome of the wrong
// shape.
func FuzzReply(f *testing.F) {
	for _, s := range []string{`{"type":"offer","bid":[0,1,1],"turn":1}`, `{"type":"accept","bid":[0,0,0],"turn":1}`, `{"type":"answer","answers":["accept","none","reject"],"turn":1}`,
		`{"type":"text","text":[-1,2,1],"turn":1}`, `{"type":"extend","rounds":3,"turn":1}`, `{"type":"end_negotiation","turn":1}`, `{`, `null`, `{"type":"offer","bid":[1e99]}`} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
		f.Add(s, uint8(2))
		f.Add(s, uint8(3))
	}
	m := market(f, 2, 0)
	f.Fuzz(func(t *testing.T, reply string, kind uint8) {
		k := parley.TurnKind(kind % 4)
		seat := parley.PartySeat(0)
		if k == parley.TurnText {
			seat = parley.MediatorSeat()
		}
		c := codec(t, m, seat)
		c.Turn(&parley.Turn{Kind: k, Offer: parley.Outcome{0, 0, 0}})
		a, err := c.Reply([]byte(reply))
		if err != nil {
			if !errors.Is(err, agentwire.ErrBadMessage) && !errors.Is(err, agentwire.ErrOutOfTurn) {
				t.Fatalf("fault of no kind: %v", err)
			}
			return
		}
		switch a.Kind {
		case parley.ActOffer, parley.ActText:
			if len(a.Outcome) != len(m.Sizes) {
				t.Fatalf("%q: outcome %v", reply, a.Outcome)
			}
			for i, o := range a.Outcome {
				if o >= m.Sizes[i] || o < -1 || (o == -1 && a.Kind == parley.ActOffer) {
					t.Fatalf("%q: outcome %v", reply, a.Outcome)
				}
			}
		case parley.ActAnswer:
			if len(a.Answers) != len(m.Sizes) {
				t.Fatalf("%q: answers %v", reply, a.Answers)
			}
		}
		if len(a.Reason) > agentwire.MaxReason || a.Rounds < 0 {
			t.Fatalf("%q: %+v", reply, a)
		}
	})
}

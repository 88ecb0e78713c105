package session_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/simulate"
)

// small2 is a buyer and a seller over price and delivery.
func small2(t testing.TB) *parley.Model {
	t.Helper()
	opts := func(l ...string) []parley.Option {
		o := make([]parley.Option, len(l))
		for i := range l {
			o[i] = parley.Option{Label: l[i]}
		}
		return o
	}
	est := func(v float64) parley.Estimate { return parley.Estimate{Value: v} }
	pref := func(issue string, w float64, vals ...float64) parley.IssuePref {
		ip := parley.IssuePref{Issue: issue, Weight: est(w)}
		labels := map[string][]string{"price": {"lo", "mid", "hi"}, "delivery": {"slow", "fast"}}[issue]
		for i, v := range vals {
			ip.Values = append(ip.Values, parley.OptionValue{Option: labels[i], Value: est(v)})
		}
		return ip
	}
	s := &parley.Scenario{
		ID:     "small2",
		Issues: []parley.Issue{{Name: "price", Options: opts("lo", "mid", "hi")}, {Name: "delivery", Options: opts("slow", "fast")}},
		Parties: []parley.Party{
			{Name: "Buyer", Preferences: &parley.Preferences{Issues: []parley.IssuePref{pref("price", 0.6, 1, 0.5, 0), pref("delivery", 0.4, 0, 1)}, Reservation: est(0.3)}},
			{Name: "Seller", Preferences: &parley.Preferences{Issues: []parley.IssuePref{pref("price", 0.7, 0, 0.6, 1), pref("delivery", 0.3, 1, 0.2)}, Reservation: est(0.3)}},
		},
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// istanbul is the built-in scenario's S0/S1 account: the one with a
// delegation of factions, principals that instruct it and a precondition
// from off the agenda.
func istanbul(t testing.TB) (*parley.Model, simulate.Config) {
	t.Helper()
	f, err := scenario.Builtin("istanbul-2025")
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Scenario("s0s1-factions")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := simulate.FromScenario(s, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Target = simulate.MediatorTarget(context.Background(), m)
	return m, cfg
}

func mustAgent(t testing.TB, spec string) session.Player {
	t.Helper()
	a, err := agent.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return session.Player{Agent: a, Name: spec}
}

// principals makes the principal agents cfg names, leaving faction
// outside (−1: none) to be played from outside.
func principals(t testing.TB, m *parley.Model, cfg simulate.Config, outside int) [][]session.Player {
	t.Helper()
	out := make([][]session.Player, len(m.Parties))
	for i := range cfg.Principals {
		for j, spec := range cfg.Principals[i] {
			if spec == "" || j == outside {
				continue
			}
			pa, err := agent.NewPrincipal(spec)
			if err != nil {
				t.Fatal(err)
			}
			if out[i] == nil {
				out[i] = make([]session.Player, len(m.Parties[i].Principals))
			}
			out[i][j] = session.Player{Principal: pa, Name: spec}
		}
	}
	return out
}

// TestHumanSeat plays the seller from outside: the driver waits for it,
// refuses moves out of turn and invalid actions without changing
// anything, and goes on after a valid one.
func TestHumanSeat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := small2(t)
	d, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 10}, Parties: []session.Player{mustAgent(t, "conceder"), {}}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := d.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Type != protocol.EvStart || evs[1].Action == nil || evs[1].Action.Kind != parley.ActOffer {
		t.Fatalf("first events %+v, want start and the buyer's offer", evs)
	}
	seat, ok := d.Awaiting()
	if !ok || seat != parley.PartySeat(1) {
		t.Fatalf("awaiting %v %v, want the seller", seat, ok)
	}
	turn, ok := d.Turn(seat)
	if !ok || turn.Kind != parley.TurnRespond || len(turn.History) != 1 {
		t.Fatalf("seller's turn %+v %v", turn, ok)
	}
	// Out of turn: the buyer is a built-in agent, and not to move.
	if _, err := d.Submit(ctx, parley.PartySeat(0), parley.Action{Kind: parley.ActAccept}); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Fatalf("buyer's submit: %v, want ECONFLICT", err)
	}
	// The mediator does not exist in SAO; a principal does not act.
	if _, err := d.Submit(ctx, parley.MediatorSeat(), parley.Action{Kind: parley.ActEnd}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("mediator's submit: %v, want EINVALID", err)
	}
	if _, err := d.Submit(ctx, parley.PrincipalSeat(1, 0), parley.Action{Kind: parley.ActEnd}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("principal's submit: %v, want EINVALID", err)
	}
	// An invalid action is refused and changes nothing.
	before := len(d.Events())
	_, err = d.Submit(ctx, seat, parley.Action{Kind: parley.ActOffer, Outcome: parley.Outcome{7, 0}})
	if parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("invalid offer: %v, want EINVALID saying why", err)
	}
	if len(d.Events()) != before || d.Done() {
		t.Fatal("a refused action changed the negotiation")
	}
	// Valid counter-offers (mid price, fast delivery): the conceder
	// answers each, and the driver waits for the seller again, until the
	// conceder accepts.
	for i := 0; !d.Done(); i++ {
		if i == 10 {
			t.Fatalf("no agreement after 10 offers: %+v", d.Result())
		}
		evs, err = d.Submit(ctx, seat, parley.Action{Kind: parley.ActOffer, Outcome: parley.Outcome{1, 1}})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) < 2 || evs[0].Actor != 1 || evs[1].Actor != 0 {
			t.Fatalf("events after the seller's offer: %+v", evs)
		}
	}
	if r := d.Result(); r.End != parley.Agreement || !reflect.DeepEqual(r.Agreement, parley.Outcome{1, 1}) {
		t.Fatalf("result %+v, want agreement on mid/fast", r)
	}
	if _, err := d.Submit(ctx, seat, parley.Action{Kind: parley.ActAccept}); !errors.Is(err, protocol.ErrEnded) || parley.ErrorCode(err) != parley.ECONFLICT {
		t.Fatalf("submit after the end: %v", err)
	}
	if _, ok := d.Awaiting(); ok {
		t.Fatal("awaiting after the end")
	}
	replay(t, m, protocol.SAOConfig{Rounds: 10}, d.Events())
}

// replay writes the driver's events as a transcript, reads it back and
// replays it.
func replay(t *testing.T, m *parley.Model, cfg protocol.Config, events []protocol.Event) protocol.Result {
	t.Helper()
	h, err := protocol.NewHeader(m.Scenario, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := protocol.WriteTranscript(&buf, h, events); err != nil {
		t.Fatal(err)
	}
	h, evs, err := protocol.ReadTranscript(&buf)
	if err != nil {
		t.Fatal(err)
	}
	r, err := protocol.Replay(h, evs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// spy wraps an agent and checks every turn it is handed against the
// reference view computed from the driver's events so far.
type spy struct {
	parley.Agent
	t    *testing.T
	d    **session.Driver
	seen int
}

func (s *spy) Act(t *parley.Turn) parley.Action {
	ref := protocol.ViewOf((*s.d).Events(), parley.ActorSeat(t.Actor))
	if !reflect.DeepEqual(t.History, ref.History) && (len(t.History) > 0 || len(ref.History) > 0) {
		s.t.Errorf("actor %d round %d: history of %d actions, the reference view has %d", t.Actor, t.Round, len(t.History), len(ref.History))
	}
	if !reflect.DeepEqual(t.Instructions, ref.Instructions) && (len(t.Instructions) > 0 || len(ref.Instructions) > 0) {
		s.t.Errorf("actor %d round %d: instructions %v, the reference view has %v", t.Actor, t.Round, t.Instructions, ref.Instructions)
	}
	for _, a := range t.History {
		if a.Kind == parley.ActAnswer && t.Actor >= 0 && a.Actor != t.Actor {
			s.t.Errorf("party %d was shown party %d's answer", t.Actor, a.Actor)
		}
	}
	s.seen++
	return s.Agent.Act(t)
}

// TestViewsMatchReference runs the Istanbul default negotiation with spies
// on every seat: the histories and instructions the driver keeps
// incrementally equal protocol.ViewOf over the events, parties never see
// each other's answers, and the result equals simulate's.
func TestViewsMatchReference(t *testing.T) {
	t.Parallel()
	m, cfg := istanbul(t)
	var d *session.Driver
	sc := session.Config{Seed: cfg.Seed, Target: cfg.Target}
	var err error
	if sc.Protocol, err = cfg.ProtocolConfig(); err != nil {
		t.Fatal(err)
	}
	var spies []*spy
	for _, spec := range cfg.Agents {
		p := mustAgent(t, spec)
		sp := &spy{Agent: p.Agent, t: t, d: &d}
		spies = append(spies, sp)
		p.Agent = sp
		sc.Parties = append(sc.Parties, p)
	}
	med := mustAgent(t, cfg.Mediator)
	msp := &spy{Agent: med.Agent, t: t, d: &d}
	med.Agent = msp
	sc.Mediator = med
	sc.Principals = principals(t, m, cfg, -1)
	if d, err = session.New(m, sc); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ref, err := simulate.Once(m, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Result(), ref.Result) || len(d.Events()) != len(ref.Events) {
		t.Fatalf("driver %+v (%d events), simulate %+v (%d events)", d.Result(), len(d.Events()), ref.Result, len(ref.Events))
	}
	if msp.seen == 0 || spies[0].seen == 0 {
		t.Fatal("the spies saw no turns")
	}
	// The mediator sees every action; each party fewer.
	for p := range m.Parties {
		v, err := d.View(parley.PartySeat(p))
		if err != nil {
			t.Fatal(err)
		}
		mv, _ := d.View(parley.MediatorSeat())
		if len(v.History) >= len(mv.History) {
			t.Errorf("party %d sees %d actions, the mediator %d: the party should not see the others' answers", p, len(v.History), len(mv.History))
		}
	}
}

// failing is an agent whose ActContext fails after a few turns.
type failing struct {
	parley.Agent
	after int
	err   error
}

func (f *failing) ActContext(ctx context.Context, t *parley.Turn) (parley.Action, error) {
	if f.after == 0 {
		return parley.Action{}, f.err
	}
	f.after--
	return f.Agent.Act(t), nil
}

var _ parley.ContextAgent = (*failing)(nil)

// TestAgentError: a failing agent ends the negotiation with agent_error
// naming the seat, the agent and the fault, and the transcript replays.
func TestAgentError(t *testing.T) {
	t.Parallel()
	m := small2(t)
	f := &failing{Agent: mustAgent(t, "boulware").Agent, after: 2, err: errors.New("subprocess exited with status 2")}
	cfg := protocol.SAOConfig{Rounds: 50}
	d, err := session.New(m, session.Config{Protocol: cfg, Parties: []session.Player{mustAgent(t, "hardliner"), {Agent: f, Name: "remote:./bot"}}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := d.Result()
	if r.End != parley.AgentError || r.By != 1 || r.Why != "party Seller (agent remote:./bot): subprocess exited with status 2" {
		t.Fatalf("result %+v", r)
	}
	if got := replay(t, m, cfg, d.Events()); got.End != parley.AgentError {
		t.Fatalf("replayed %+v", got)
	}
}

// TestFailOutside: the program playing a seat from outside (a remote
// agent) is at fault: Fail ends the negotiation with an agent error
// naming the seat, the agent and the fault, which a restore applies as
// recorded; a built-in agent's seat, a principal's and an ended
// negotiation are refused.
func TestFailOutside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := small2(t)
	cfg := session.Config{Protocol: protocol.SAOConfig{Rounds: 10}, Parties: []session.Player{mustAgent(t, "conceder"), {}}, Seed: 1}
	d, err := session.New(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(ctx); err != nil {
		t.Fatal(err)
	}
	fault := errors.New("did not answer turn 1 within 10s")
	for _, seat := range []parley.Seat{parley.PartySeat(0), parley.PrincipalSeat(1, 0), parley.MediatorSeat()} {
		if _, err := d.Fail(ctx, seat, "remote", fault); parley.ErrorCode(err) != parley.EINVALID || d.Done() {
			t.Fatalf("Fail(%s): %v, done %v; want EINVALID, nothing changed", seat, err, d.Done())
		}
	}
	evs, err := d.Fail(ctx, parley.PartySeat(1), "remote", fault)
	if err != nil || len(evs) == 0 || evs[0].Type != protocol.EvAgentError {
		t.Fatalf("Fail: %+v, %v", evs, err)
	}
	if r := d.Result(); r.End != parley.AgentError || r.By != 1 || r.Why != "party Seller (agent remote): did not answer turn 1 within 10s" {
		t.Fatalf("result %+v", r)
	}
	if e := d.Ending(parley.PartySeat(1)); e.End != parley.AgentError || e.Why != d.Result().Why || len(e.History) != 1 {
		t.Fatalf("the seat's ending %+v", e)
	}
	if _, err := d.Fail(ctx, parley.PartySeat(1), "remote", fault); !errors.Is(err, protocol.ErrEnded) {
		t.Fatalf("Fail after the end: %v", err)
	}
	d2, err := session.New(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := d2.Restore(ctx, d.Events()); err != nil || d2.Result().Why != d.Result().Why {
		t.Fatalf("restore: %v, %+v", err, d2.Result())
	}
}

// blocking is an agent whose ActContext waits for its context.
type blocking struct{ parley.Agent }

func (b *blocking) ActContext(ctx context.Context, t *parley.Turn) (parley.Action, error) {
	<-ctx.Done()
	return parley.Action{}, ctx.Err()
}

// TestCancel: a cancelled context stops the driver between steps, or
// inside a ContextAgent's call, without ending the negotiation; it goes on
// with a new context.
func TestCancel(t *testing.T) {
	t.Parallel()
	m := small2(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 5}, Parties: []session.Player{mustAgent(t, "hardliner"), mustAgent(t, "hardliner")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(ctx); !errors.Is(err, context.Canceled) || d.Done() {
		t.Fatalf("run with a cancelled context: %v, done %v", err, d.Done())
	}
	if _, err := d.Run(context.Background()); err != nil || d.Result().End != parley.Deadline {
		t.Fatalf("run again: %v, %+v", err, d.Result())
	}

	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	d, err = session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 5}, Parties: []session.Player{mustAgent(t, "hardliner"), {Agent: &blocking{mustAgent(t, "hardliner").Agent}, Name: "slow"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(ctx); !errors.Is(err, context.DeadlineExceeded) || d.Done() {
		t.Fatalf("run into a blocking agent: %v, done %v", err, d.Done())
	}
}

// TestWallClockDeadline uses an injected clock: the negotiation ends with
// a timeout once the deadline has passed, also while it waits for a seat
// (Tick).
func TestWallClockDeadline(t *testing.T) {
	t.Parallel()
	m := small2(t)
	now := time.Date(2025, 10, 25, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	if _, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 5}, Parties: make([]session.Player, 2), Deadline: time.Hour}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("a deadline without a clock: %v", err)
	}
	d, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 5}, Parties: make([]session.Player, 2), Clock: clock, Deadline: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tick(context.Background()); err != nil || d.Done() {
		t.Fatalf("tick before the deadline: %v %v", err, d.Done())
	}
	if seat, ok := d.Awaiting(); !ok || seat != parley.PartySeat(0) {
		t.Fatalf("awaiting %v %v", seat, ok)
	}
	now = now.Add(61 * time.Minute)
	evs, err := d.Tick(context.Background())
	if err != nil || d.Result().End != parley.Deadline || len(evs) != 2 || evs[0].Type != protocol.EvTimeout {
		t.Fatalf("tick after the deadline: %v %+v %+v", err, d.Result(), evs)
	}
}

// TestOutsidePrincipalAndCaucus: a person plays a faction of a delegation
// and instructs its delegate; the delegate and the mediator talk in a
// caucus that the other party never sees.
func TestOutsidePrincipalAndCaucus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, cfg := istanbul(t)
	pc, err := cfg.ProtocolConfig()
	if err != nil {
		t.Fatal(err)
	}
	dele := -1
	for i := range m.Parties {
		if m.Parties[i].Delegation {
			dele = i
		}
	}
	if dele < 0 {
		t.Fatal("istanbul-2025 has no delegation")
	}
	other := 1 - dele
	parties := make([]session.Player, len(m.Parties)) // both delegates human
	d, err := session.New(m, session.Config{Protocol: pc, Parties: parties, Mediator: mustAgent(t, cfg.Mediator), Seed: 1, Target: cfg.Target})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if seat, ok := d.Awaiting(); !ok || seat != parley.PartySeat(0) {
		t.Fatalf("awaiting %v %v, want party 0 to answer the text", seat, ok)
	}
	// The faction instructs its delegate; only the delegation sees it.
	if _, err := d.Instruct(ctx, parley.PartySeat(dele), parley.Instruction{Kind: parley.LowerFloor, Delta: 0.1}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("a party seat instructing: %v", err)
	}
	evs, err := d.Instruct(ctx, parley.PrincipalSeat(dele, 0), parley.Instruction{Kind: parley.LowerFloor, Delta: 0.1})
	if err != nil || len(evs) != 1 || evs[0].Audience != parley.ToDelegation(dele) {
		t.Fatalf("instruct: %v %+v", err, evs)
	}
	// Caucus both ways; the other party may not write in it.
	if _, err := d.Caucus(ctx, parley.PartySeat(dele), dele, "We need the guarantor clause."); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Caucus(ctx, parley.MediatorSeat(), dele, "Understood."); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Caucus(ctx, parley.PartySeat(other), dele, "Let me in."); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("the other party writing in the caucus: %v", err)
	}
	dv, err := d.View(parley.PartySeat(dele))
	if err != nil {
		t.Fatal(err)
	}
	ov, err := d.View(parley.PartySeat(other))
	if err != nil {
		t.Fatal(err)
	}
	fv, err := d.View(parley.PrincipalSeat(dele, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(dv.Caucus) != 2 || len(fv.Caucus) != 2 || len(ov.Caucus) != 0 {
		t.Errorf("caucus messages seen: delegate %d, its faction %d, other party %d; want 2, 2, 0", len(dv.Caucus), len(fv.Caucus), len(ov.Caucus))
	}
	if len(dv.Instructions) != 1 || len(ov.Instructions) != 0 {
		t.Errorf("instructions seen: delegate %d, other %d", len(dv.Instructions), len(ov.Instructions))
	}
	for _, ev := range ov.Events {
		if !ev.Audience.Public() && ev.Audience.Seat.Party != other {
			t.Errorf("the other party sees %s", protocol.FormatEvent(m.Scenario, ev, true))
		}
	}
	if ov.Turn == nil && dv.Turn == nil {
		t.Error("neither party's view has the turn it is waiting for")
	}
}

// TestRestore plays the Istanbul scenario with both delegates and a
// faction played from outside (answering, instructing, in caucus), then
// restores a fresh driver from the recorded events: its built-in mediator
// and factions act again and every event comes out as recorded; both
// drivers then go on alike. A doctored record is refused.
func TestRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, cfg := istanbul(t)
	newDriver := func() *session.Driver { return restoreDriver(t, m, cfg) }
	play := func(d *session.Driver, steps int) { t.Helper(); playOutside(t, d, steps) }
	a := newDriver()
	play(a, 12)
	recorded := a.Events()
	kinds := map[string]int{}
	for _, ev := range recorded {
		k := string(ev.Type)
		if ev.Action != nil {
			k += "/" + ev.Action.Kind.String()
		}
		kinds[k]++
	}
	for _, k := range []string{"caucus", "instruction", "action/text", "action/answer"} {
		if kinds[k] == 0 {
			t.Errorf("the played session has no %s event: %v", k, kinds)
		}
	}
	if len(recorded) < 20 {
		t.Fatalf("only %d events recorded", len(recorded))
	}
	b := newDriver()
	if err := b.Restore(ctx, recorded); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(eventsJSON(t, b.Events()), eventsJSON(t, recorded)) {
		t.Fatal("the restored driver's events differ from the record")
	}
	if evs, err := b.Run(ctx); err != nil || len(evs) != 0 {
		t.Fatalf("after restore, Run returns %d events, %v; want none (all were delivered)", len(evs), err)
	}
	play(a, 8)
	play(b, 8)
	if !reflect.DeepEqual(eventsJSON(t, a.Events()), eventsJSON(t, b.Events())) || !reflect.DeepEqual(a.Result(), b.Result()) {
		t.Fatal("the original and the restored driver go on differently")
	}
	// A doctored record: one answer changed.
	doctored := append([]protocol.Event(nil), recorded...)
	for i, ev := range doctored {
		if ev.Type == protocol.EvAction && ev.Action.Kind == parley.ActText {
			act := *ev.Action
			act.Reason = "changed"
			doctored[i].Action = &act
			break
		}
	}
	if err := newDriver().Restore(ctx, doctored); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Fatalf("restore from a doctored record: %v, want ECONFLICT", err)
	}
}

func eventsJSON(t *testing.T, evs []protocol.Event) []string {
	t.Helper()
	var out []string
	for _, ev := range evs {
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// TestForgetfulRunMatchesFullRun: with Discard and history-free agents on
// every seat the protocol keeps no record of past actions, yet the
// negotiation is the same as with every event kept — result, payoffs and
// last proposal — for two and three parties (a standing offer accepted by
// some and countered by others); and an agent that reads its history
// still gets all of it.
func TestForgetfulRunMatchesFullRun(t *testing.T) {
	t.Parallel()
	three := small2(t)
	three.Parties = append(three.Parties, three.Parties[0])
	three.Parties[2].Name = "Broker"
	for _, c := range []struct {
		m      *parley.Model
		agents []string
		rounds int
	}{
		{small2(t), []string{"boulware", "conceder"}, 100},
		{small2(t), []string{"linear", "boulware:e=0.01"}, 20000},
		{small2(t), []string{"boulware", "hardheaded"}, 200},
		{three, []string{"boulware", "conceder", "linear"}, 300},
		{three, []string{"conceder", "boulware", "hardheaded"}, 300},
		{small2(t), []string{"hardliner", "boulware"}, 300},
		{three, []string{"conceder", "hardliner", "linear"}, 300},
	} {
		full, _ := runSAO(t, c.m, c.agents, c.rounds, false, -1)
		forgetful, _ := runSAO(t, c.m, c.agents, c.rounds, true, -1)
		if !reflect.DeepEqual(forgetful.Result(), full.Result()) || !reflect.DeepEqual(forgetful.LastProposal(), full.LastProposal()) {
			t.Fatalf("%v: forgetful %+v (last %v), full %+v (last %v)", c.agents, forgetful.Result(), forgetful.LastProposal(), full.Result(), full.LastProposal())
		}
		u1, _ := forgetful.Payoffs()
		u2, _ := full.Payoffs()
		if !reflect.DeepEqual(u1, u2) {
			t.Fatalf("%v: payoffs %v, want %v", c.agents, u1, u2)
		}
		// An agent that reads its history (a reader is not history-free)
		// gets all of it though the events are discarded.
		if _, r := runSAO(t, c.m, c.agents, c.rounds, true, 0); r.seen == 0 {
			t.Fatalf("%v: the reader saw no turns", c.agents)
		}
	}
}

// reader wraps an agent and checks that every turn's history holds every
// action so far (alternating offers: every action is public).
type reader struct {
	parley.Agent
	t    *testing.T
	d    **session.Driver
	seen int
}

func (r *reader) Act(t *parley.Turn) parley.Action {
	if n := (*r.d).Result().Steps; len(t.History) != n {
		r.t.Errorf("round %d: a history of %d actions, %d were taken", t.Round, len(t.History), n)
	}
	r.seen++
	return r.Agent.Act(t)
}

// runSAO drives an alternating-offers negotiation of m between agents;
// readerOn (≥ 0) wraps that seat's agent in a reader.
func runSAO(t *testing.T, m *parley.Model, agents []string, rounds int, discard bool, readerOn int) (*session.Driver, *reader) {
	t.Helper()
	var d *session.Driver
	sc := session.Config{Protocol: protocol.SAOConfig{Rounds: rounds}, Seed: 3, Discard: discard}
	var rd *reader
	for i, spec := range agents {
		p := mustAgent(t, spec)
		if i == readerOn {
			rd = &reader{Agent: p.Agent, t: t, d: &d}
			p.Agent = rd
		}
		sc.Parties = append(sc.Parties, p)
	}
	var err error
	if d, err = session.New(m, sc); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d, rd
}

// TestForgetfulRunConstantMemory: a forgetful negotiation of some 40,000
// steps allocates next to nothing, while one that keeps its events holds
// every action. (Not parallel: it reads the process's allocation count.)
func TestForgetfulRunConstantMemory(t *testing.T) {
	m := small2(t)
	agents := []string{"linear", "boulware:e=0.01"}
	alloc := func(discard bool) (uint64, int) {
		runSAO(t, m, agents, 100, discard, -1) // warm the index cache
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		d, _ := runSAO(t, m, agents, 20000, discard, -1)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, d.Result().Steps
	}
	kept, steps := alloc(false)
	forgot, _ := alloc(true)
	if steps < 20000 {
		t.Fatalf("%d steps; the case wants a long negotiation", steps)
	}
	if forgot > 64<<10 || kept < uint64(steps)*64 {
		t.Errorf("%d steps: the forgetful run allocated %d bytes (want < 64 KiB), the full one %d", steps, forgot, kept)
	}
}

// restoreDriver returns a driver on the Istanbul scenario with a built-in
// mediator and the first faction of each delegation played from outside,
// the same on every call, so that one can restore or follow another.
func restoreDriver(t *testing.T, m *parley.Model, cfg simulate.Config) *session.Driver {
	t.Helper()
	pc, err := cfg.ProtocolConfig()
	if err != nil {
		t.Fatal(err)
	}
	sc := session.Config{Protocol: pc, Parties: make([]session.Player, len(m.Parties)), Mediator: mustAgent(t, cfg.Mediator), Seed: 3, Target: cfg.Target}
	sc.Principals = principals(t, m, cfg, 0) // faction 0 of each delegation is played from outside
	d, err := session.New(m, sc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// playOutside answers every clause the way a person might: accept what
// is proposed, keep what is agreed; one seat talks to the mediator first,
// and at step 3 a principal lowers its delegate's floor.
func playOutside(t *testing.T, d *session.Driver, steps int) {
	t.Helper()
	ctx := context.Background()
	m := d.Model()
	dele := -1
	for i := range m.Parties {
		if m.Parties[i].Delegation {
			dele = i
		}
	}
	if _, err := d.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < steps && !d.Done(); k++ {
		seat, ok := d.Awaiting()
		if !ok {
			t.Fatalf("step %d: the driver awaits nobody: %+v", k, d.Result())
		}
		turn, _ := d.Turn(seat)
		if k%5 == 0 {
			if _, err := d.Caucus(ctx, seat, seat.Party, "step "+strconv.Itoa(k)); err != nil {
				t.Fatal(err)
			}
		}
		if k == 3 {
			if _, err := d.Instruct(ctx, parley.PrincipalSeat(dele, 0), parley.Instruction{Kind: parley.LowerFloor, Delta: 0.05}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		a := parley.Action{Kind: parley.ActAnswer, Answers: make([]parley.ClauseAnswer, len(turn.Text))}
		for i, c := range turn.Text {
			if c.OnAgenda && (c.State == parley.ClauseProposed || c.State == parley.ClauseAgreed) && (k+i)%3 != 0 {
				a.Answers[i] = parley.AnswerAccept
			} else if c.OnAgenda && c.State == parley.ClauseProposed {
				a.Answers[i] = parley.AnswerReject
			}
		}
		if _, err := d.Submit(ctx, seat, a); err != nil {
			t.Fatalf("step %d: %v", k, err)
		}
	}
}

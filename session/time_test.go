package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// fakeClock is a wall clock that moves only when told.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

// slowAgent is an agent in "another process": each turn takes step of the
// fake clock, and it records the turns it was handed; it offers its first
// option, or fails with err.
type slowAgent struct {
	clock    *fakeClock
	step     time.Duration
	turns    []parley.Turn
	err      error
	finished []*parley.Ending
	sizes    int
}

func (a *slowAgent) Init(s *parley.Session) error { a.sizes = len(s.Model.Sizes); return nil }
func (a *slowAgent) Act(t *parley.Turn) parley.Action {
	act, _ := a.ActContext(context.Background(), t)
	return act
}
func (a *slowAgent) ActContext(ctx context.Context, t *parley.Turn) (parley.Action, error) {
	a.turns = append(a.turns, *t)
	a.clock.now = a.clock.now.Add(a.step)
	if a.err != nil {
		return parley.Action{}, a.err
	}
	return parley.Action{Kind: parley.ActOffer, Outcome: make(parley.Outcome, a.sizes)}, nil
}
func (a *slowAgent) Finish(ctx context.Context, e *parley.Ending) { a.finished = append(a.finished, e) }

// TestWallClockTime: with a wall-clock deadline agents see the nearer of
// the two deadlines in Turn.Time, and the time left in Turn.Left; an
// action that comes after the deadline is void (the negotiation ends at
// the deadline, t = 1); the agent is told how it ended, once.
func TestWallClockTime(t *testing.T) {
	t.Parallel()
	m := small2(t)
	clock := &fakeClock{now: time.Unix(1000, 0)}
	slow := &slowAgent{clock: clock, step: 3 * time.Second}
	d, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 100}, Parties: []session.Player{{Agent: slow, Name: "slow"}, mustAgent(t, "hardliner")},
		Clock: clock.Now, Deadline: 10 * time.Second, Discard: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Turns at 0s, 3s, 6s, 9s; the fourth answer comes at 12s: too late.
	if len(slow.turns) != 4 {
		t.Fatalf("%d turns", len(slow.turns))
	}
	for k, tu := range slow.turns {
		wantT := float64(3*k) / 10
		if tu.Time != wantT || tu.Left != time.Duration(10-3*k)*time.Second {
			t.Errorf("turn %d: time %v left %v, want %v and %ds", k, tu.Time, tu.Left, wantT, 10-3*k)
		}
	}
	res := d.Result()
	if res.End != parley.Deadline || d.Time() != 1 || res.Steps != 6 {
		t.Fatalf("end %s at t=%v after %d steps (%s), want the deadline at t=1 with the late offer void", res.End, d.Time(), res.Steps, res.Why)
	}
	d.Close()
	if len(slow.finished) != 1 || slow.finished[0].End != parley.Deadline || slow.finished[0].Time != 1 {
		t.Fatalf("finished %+v", slow.finished)
	}
	if u, _ := m.Parties[0].Payoff(nil, 1); slow.finished[0].Utility != u || len(slow.finished[0].History) != 6 {
		t.Fatalf("finished with utility %v (want %v) and %d actions seen", slow.finished[0].Utility, u, len(slow.finished[0].History))
	}
}

// TestRoundsNearer: when the rounds are nearer than the clock, Turn.Time
// counts rounds.
func TestRoundsNearer(t *testing.T) {
	t.Parallel()
	m := small2(t)
	clock := &fakeClock{now: time.Unix(1000, 0)}
	slow := &slowAgent{clock: clock, step: time.Millisecond}
	d, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 4}, Parties: []session.Player{{Agent: slow, Name: "slow"}, mustAgent(t, "hardliner")},
		Clock: clock.Now, Deadline: time.Hour, Discard: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for k, tu := range slow.turns {
		if tu.Time != float64(2*k)/8 {
			t.Errorf("turn %d: time %v, want %v", k, tu.Time, float64(2*k)/8)
		}
	}
	if res := d.Result(); res.End != parley.Deadline || d.Time() != 1 {
		t.Fatalf("end %s at %v", res.End, d.Time())
	}
}

// TestAgentFaultTime: an agent that fails ends the negotiation at the time
// of its turn, and is told; Close tells an agent of a negotiation that
// never ended, with End Running.
func TestAgentFaultTime(t *testing.T) {
	t.Parallel()
	m := small2(t)
	clock := &fakeClock{now: time.Unix(1000, 0)}
	slow := &slowAgent{clock: clock, err: errors.New("crashed")}
	d, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 10}, Parties: []session.Player{mustAgent(t, "hardliner"), {Agent: slow, Name: "slow"}}, Discard: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res := d.Result(); res.End != parley.AgentError || d.Time() != 1.0/20 || res.Why != "party Seller (agent slow): crashed" {
		t.Fatalf("end %s at %v: %s", res.End, d.Time(), res.Why)
	}
	if len(slow.finished) != 1 || slow.finished[0].End != parley.AgentError {
		t.Fatalf("finished %+v", slow.finished)
	}
	// A negotiation cancelled before it ends: Close tells the agent.
	other := &slowAgent{clock: clock}
	d2, err := session.New(m, session.Config{Protocol: protocol.SAOConfig{Rounds: 10}, Parties: []session.Player{{Agent: other, Name: "other"}, {}}, Discard: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d2.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	d2.Close()
	d2.Close()
	if len(other.finished) != 1 || other.finished[0].End != parley.Running {
		t.Fatalf("finished %+v", other.finished)
	}
}

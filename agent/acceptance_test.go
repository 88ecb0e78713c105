package agent

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley"
)

// oneIssue is a two-party model over one issue whose options are worth vs
// to party 0 (party 1 values them the other way round), with party 0's
// reservation res.
func oneIssue(res int64, vs ...int64) *parley.Model {
	rev := make([]int64, len(vs))
	for i, v := range vs {
		rev[len(vs)-1-i] = v
	}
	return &parley.Model{Sizes: []int{len(vs)}, Parties: []parley.PartyModel{
		{Name: "a", Utility: parley.UtilityFn{Values: [][]int64{vs}}, Reservation: res},
		{Name: "b", Utility: parley.UtilityFn{Values: [][]int64{rev}}},
	}}
}

func initAgent(t *testing.T, a parley.Agent, m *parley.Model, party int) {
	t.Helper()
	err := a.Init(&parley.Session{Model: m, Party: party, Utility: &m.Parties[party].Utility,
		Reservation: m.Parties[party].Reservation, Rounds: 10, Rand: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		t.Fatal(err)
	}
}

func respond(a parley.Agent, offer parley.Outcome, time float64) parley.ActionKind {
	return a.Act(&parley.Turn{Actor: 0, Kind: parley.TurnRespond, Time: time, Round: int(time * 10), Offer: offer, Offerer: 1}).Kind
}

// TestAcceptanceAtReservation: an offer worth exactly the reservation value
// does not beat no agreement, so no negotiator accepts it, at any time;
// one quantum more is accepted by the agents whose target has come down to
// the reservation (a time-dependent agent at the deadline, a random agent
// that accepts whatever beats its reservation).
func TestAcceptanceAtReservation(t *testing.T) {
	t.Parallel()
	res := parley.Q(0.5)
	m := oneIssue(res, parley.Q(0.2), res, res+1, parley.Q(0.9))
	for _, spec := range append(negotiatorNames(), "random:p=1") {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			for _, tm := range []float64{0, 0.5, 0.99, 1} {
				a := mustNew(t, spec)
				initAgent(t, a, m, 0)
				for _, o := range []int{0, 1} {
					if k := respond(a, parley.Outcome{o}, tm); k == parley.ActAccept {
						t.Errorf("t=%v: accepted option %d worth %v ≤ the reservation %v", tm, o, m.Parties[0].Utility.Eval(parley.Outcome{o}), res)
					}
				}
			}
			switch spec {
			case "boulware", "conceder", "linear", "timedependent:e=0.5", "random:p=1":
				a := mustNew(t, spec)
				initAgent(t, a, m, 0)
				if k := respond(a, parley.Outcome{2}, 1); k != parley.ActAccept {
					t.Errorf("at the deadline: %v to an offer one quantum above the reservation, want accept", k)
				}
			}
		})
	}
}

// TestTargetsAboveIndexMinimum: when the reservation lies above the
// lowest utility, the time-dependent target concedes from the best outcome
// down to the reservation (Pmin = reservation, as documented), not towards
// the index minimum, and it never aims at, nor offers, what does not beat
// the reservation.
func TestTargetsAboveIndexMinimum(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 30 {
		sizes := []int{2 + rng.IntN(5), 2 + rng.IntN(5), 1 + rng.IntN(4)}
		m := randomModel(rng, sizes, parley.Q(1), 0)
		u := &m.Parties[0].Utility
		ref := bruteForce(m, u)
		lo, hi := ref[0].u, ref[len(ref)-1].u
		if hi-lo < 4 {
			continue
		}
		res := lo + (hi-lo)*int64(1+trial%3)/4 // a quarter, half or three quarters up
		m.Parties[0].Reservation = res
		for _, e := range []float64{0.2, 1, 2} {
			a := NewTimeDependent(e)
			initAgent(t, a, m, 0)
			for i := 0; i <= 20; i++ {
				tm := float64(i) / 20
				want := res + int64(math.Round(float64(hi-res)*(1-math.Pow(tm, 1/e))))
				want = max(want, res+1)
				if got := a.Target(tm); got != want {
					t.Fatalf("trial %d e=%v t=%v: target %v, want %v (Pmin = reservation %v, Pmax %v, index minimum %v)", trial, e, tm, got, want, res, hi, lo)
				}
				act := a.Act(&parley.Turn{Kind: parley.TurnPropose, Time: tm})
				if act.Kind != parley.ActOffer || u.Eval(act.Outcome) < want {
					t.Fatalf("trial %d e=%v t=%v: %v of utility %v below the target %v", trial, e, tm, act.Kind, u.Eval(act.Outcome), want)
				}
			}
		}
	}
}

// TestAcceptanceApproximateIndexes: with a binned or sampled index the
// candidate the agent would offer may lie above its target; the
// time-dependent agent still accepts every offer at or above its target
// that beats its reservation (the documented rule), and nothing else.
// Outcomes are checked exhaustively on small models forced onto the
// approximate indexes.
func TestAcceptanceApproximateIndexes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		kind  IndexKind
		rects int
		opt   IndexOptions
	}{
		{IndexBinned, 0, IndexOptions{Limit: 1, Bins: 3}},
		{IndexSampled, 3, IndexOptions{Limit: 1, Pool: 8}},
	} {
		t.Run(c.kind.String(), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(31, uint64(c.kind)))
			between := 0 // offers in [target, the candidate's utility): the cases an exact index never has
			for trial := range 40 {
				m := randomModel(rng, []int{3 + rng.IntN(4), 3 + rng.IntN(4), 2 + rng.IntN(3)}, 1000, c.rects)
				u := &m.Parties[0].Utility
				ref := bruteForce(m, u)
				m.Parties[0].Reservation = ref[len(ref)/4].u
				a := Linear()
				a.UseIndexCache(NewIndexCache(c.opt))
				initAgent(t, a, m, 0)
				x := a.Index()
				if x.Kind() != c.kind {
					t.Fatalf("trial %d: index %v, want %v", trial, x.Kind(), c.kind)
				}
				if a.hopeless {
					continue
				}
				for i := 0; i <= 10; i++ {
					tm := float64(i) / 10
					target := a.Target(tm)
					cand := x.Utility(x.AtLeast(target))
					for _, s := range ref {
						want := s.u > m.Parties[0].Reservation && (s.u >= target || s.u >= cand)
						got := respond(a, s.o, tm) == parley.ActAccept
						if got != want {
							t.Fatalf("trial %d t=%v: offer %v of utility %v (target %v, candidate %v, reservation %v): accepted %v, want %v",
								trial, tm, s.o, s.u, target, cand, m.Parties[0].Reservation, got, want)
						}
						if s.u >= target && s.u < cand {
							between++
						}
					}
				}
			}
			if between == 0 {
				t.Fatalf("no offer fell between the target and the %s index's candidate: the test checks nothing the exact index does not", c.kind)
			}
		})
	}
}

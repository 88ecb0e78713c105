package analysis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/bargain"
	"github.com/parleyhq/parley/internal/randscen"
)

// all enumerates every outcome of m.
func all(m *parley.Model) []parley.Outcome {
	var out []parley.Outcome
	for o := range m.Outcomes() {
		out = append(out, append(parley.Outcome(nil), o...))
	}
	return out
}

// q converts a report's utilities back to m's fixed point (exactly: the
// report writes the float nearest to each exact utility).
func q(m *parley.Model, us []float64) []int64 {
	out := make([]int64, len(us))
	for i, u := range us {
		out[i] = m.Parties[i].Utility.Q(u)
	}
	return out
}

func eq(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// naiveZone counts the zone by brute force.
func naiveZone(m *parley.Model) int64 {
	var n int64
	for _, o := range all(m) {
		if m.InZone(o) {
			n++
		}
	}
	return n
}

// TestAnalyzeMatchesBruteForce checks the whole report against brute force
// on random small scenarios: frontier, zone, the four solutions (computed
// over every zone outcome, not just a frontier) and every blocking claim.
func TestAnalyzeMatchesBruteForce(t *testing.T) {
	t.Parallel()
	for seed := uint64(0); seed < 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		s := randscen.New(r, randscen.Options{Rects: seed%2 == 1})
		m, err := s.Compile()
		if err != nil {
			t.Fatalf("seed %d: compile: %v", seed, err)
		}
		rep, err := Analyze(context.Background(), m, Options{})
		if err != nil {
			t.Fatalf("seed %d: analyze: %v", seed, err)
		}
		outs := all(m)

		// Frontier over all outcomes: each point undominated, each outcome
		// weakly dominated by or equal to a point, counts exact.
		count := map[string]int64{}
		for _, o := range outs {
			count[fmt.Sprint(m.Eval(o))]++
		}
		var nd int
		for _, o := range outs {
			u := m.Eval(o)
			dom := false
			for _, p := range outs {
				if parley.Dominates(m.Eval(p), u) {
					dom = true
					break
				}
			}
			if !dom && count[fmt.Sprint(u)] > 0 {
				nd++
				count[fmt.Sprint(u)] = -count[fmt.Sprint(u)] // mark as seen
			}
		}
		if len(rep.Pareto) != nd {
			t.Fatalf("seed %d: frontier has %d points, brute force %d", seed, len(rep.Pareto), nd)
		}
		for _, p := range rep.Pareto {
			u := q(m, p.Utilities)
			if !eq(m.Eval(p.Raw()), u) {
				t.Fatalf("seed %d: representative of %v evaluates to %v", seed, u, m.Eval(p.Raw()))
			}
			if want := -count[fmt.Sprint(u)]; p.Count.Cmp(big.NewInt(want)) != 0 {
				t.Fatalf("seed %d: point %v count %v, brute force %d", seed, u, p.Count, want)
			}
		}

		// Zone.
		nz := naiveZone(m)
		if rep.Zone.Empty != (nz == 0) || rep.Zone.Size.Cmp(big.NewInt(nz)) != 0 || !rep.Zone.Exact {
			t.Fatalf("seed %d: zone %+v, brute force %d", seed, rep.Zone, nz)
		}

		// Solutions over every zone outcome.
		var zpts [][]int64
		for _, o := range outs {
			if m.InZone(o) {
				zpts = append(zpts, m.Eval(o))
			}
		}
		d, sc := m.Reservations(), m.Scales()
		for _, c := range []struct {
			name string
			got  *Solution
			k    int
		}{
			{"nash", rep.Nash, bargain.Nash(zpts, d, sc)},
			{"ks", rep.KalaiSmorodinsky, bargain.KalaiSmorodinsky(zpts, d, sc)},
			{"welfare", rep.MaxWelfare, bargain.MaxWelfare(zpts, sc)},
			{"egalitarian", rep.Egalitarian, bargain.Egalitarian(zpts, d, sc)},
		} {
			if c.k < 0 {
				if c.got != nil {
					t.Fatalf("seed %d: %s = %v, brute force finds none", seed, c.name, c.got.Utilities)
				}
				continue
			}
			if c.got == nil || !eq(q(m, c.got.Utilities), zpts[c.k]) {
				t.Fatalf("seed %d: %s = %+v, brute force %v", seed, c.name, c.got, zpts[c.k])
			}
			if !m.InZone(c.got.Raw()) {
				t.Fatalf("seed %d: %s outcome %v is not in the zone", seed, c.name, c.got.Raw())
			}
		}

		// Blocking claims, re-checked by brute force on relaxed models.
		if !rep.Zone.Empty {
			if len(rep.Blocking) != 0 {
				t.Fatalf("seed %d: blocking entries for an open zone", seed)
			}
			continue
		}
		checkBlocking(t, seed, m, rep)
	}
}

func principal(m *parley.Model, party, name string) (int, int) {
	for i := range m.Parties {
		if m.Parties[i].Name != party {
			continue
		}
		for j := range m.Parties[i].Principals {
			if m.Parties[i].Principals[j].Name == name {
				return i, j
			}
		}
	}
	panic("no principal " + party + "/" + name)
}

func checkBlocking(t *testing.T, seed uint64, m *parley.Model, rep *Report) {
	t.Helper()
	seen := map[string]bool{}
	for _, b := range rep.Blocking {
		switch b.Kind {
		case "faction", "party":
			i, j := principal(m, b.Party, b.Principal)
			if b.Kind == "faction" {
				mm := clone(m)
				mm.Parties[i].Principals[j].Reservation = never
				mm.Parties[i].Principals[j].RedLines = nil
				if n := naiveZone(mm); (n > 0) != b.OpensZone {
					t.Fatalf("seed %d: %s goes along: opens=%v, brute force zone %d", seed, b.Principal, b.OpensZone, n)
				}
			}
			res := m.Parties[i].Principals[j].Reservation
			// The smallest change: with it the zone opens; one quantum less
			// of a change and it stays shut.
			if b.ReservationChange != nil {
				ch := m.Parties[i].Principals[j].Utility.Q(*b.ReservationChange)
				mm := clone(m)
				mm.Parties[i].Principals[j].Reservation = res + ch
				if naiveZone(mm) == 0 {
					t.Fatalf("seed %d: %s reservation change %v does not open the zone", seed, b.Principal, *b.ReservationChange)
				}
				mm.Parties[i].Principals[j].Reservation = res + ch + 1
				if naiveZone(mm) != 0 {
					t.Fatalf("seed %d: %s reservation change %v is not the smallest", seed, b.Principal, *b.ReservationChange)
				}
			} else {
				mm := clone(m)
				mm.Parties[i].Principals[j].Reservation = never
				if naiveZone(mm) != 0 {
					t.Fatalf("seed %d: %s: no reservation change reported, but dropping it opens the zone", seed, b.Principal)
				}
			}
		case "red_line":
			// A red line is one entry, relaxed for every principal that
			// holds a red line of its name.
			if seen[b.RedLine] {
				t.Fatalf("seed %d: red line %s reported twice", seed, b.RedLine)
			}
			seen[b.RedLine] = true
			mm := clone(m)
			var want []Holder
			for i := range mm.Parties {
				for j := range mm.Parties[i].Principals {
					pr := &mm.Parties[i].Principals[j]
					var keep []parley.Region
					held := false
					for k, name := range pr.RedLineName {
						if name != b.RedLine {
							keep = append(keep, pr.RedLines[k])
						} else {
							held = true
						}
					}
					if held {
						want = append(want, Holder{Party: mm.Parties[i].Name, Principal: pr.Name})
					}
					pr.RedLines = keep
				}
			}
			if fmt.Sprint(want) != fmt.Sprint(b.Holders) || b.Party != want[0].Party || b.Principal != want[0].Principal {
				t.Fatalf("seed %d: red line %s: holders %v, want %v", seed, b.RedLine, b.Holders, want)
			}
			if n := naiveZone(mm); (n > 0) != b.OpensZone || (n > 0 && b.ZoneSize.Cmp(big.NewInt(n)) != 0) {
				t.Fatalf("seed %d: without red line %s (held by %v): opens=%v size %v, brute force zone %d", seed, b.RedLine, b.Holders, b.OpensZone, b.ZoneSize, n)
			}
		case "role":
			mm := clone(m)
			mm.Infeasible, mm.InfeasibleWhy = nil, nil
			if n := naiveZone(mm); (n > 0) != b.OpensZone {
				t.Fatalf("seed %d: role consents: opens=%v, brute force zone %d", seed, b.OpensZone, n)
			}
		default:
			t.Fatalf("seed %d: unknown blocking kind %q", seed, b.Kind)
		}
	}
	for i := range m.Parties {
		for j := range m.Parties[i].Principals {
			for _, name := range m.Parties[i].Principals[j].RedLineName {
				if !seen[name] {
					t.Fatalf("seed %d: red line %s of %s has no blocking entry", seed, name, m.Parties[i].Principals[j].Name)
				}
			}
		}
	}
}

// TestBlockingUniqueRedLines repeats the blocking check with every red line
// renamed after its holder, so that no red line is shared: each is then
// relaxed for its one holder alone (the random scenarios otherwise reuse
// names, which makes most red lines shared).
func TestBlockingUniqueRedLines(t *testing.T) {
	t.Parallel()
	checked := 0
	for seed := uint64(0); seed < 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		s := randscen.New(r, randscen.Options{Rects: seed%3 == 0})
		for i := range s.Parties {
			p := &s.Parties[i]
			if p.Preferences != nil {
				for k := range p.Preferences.RedLines {
					p.Preferences.RedLines[k].Name = p.Name + "-" + p.Preferences.RedLines[k].Name
				}
			}
			if p.Delegation != nil {
				for j := range p.Delegation.Factions {
					f := &p.Delegation.Factions[j]
					for k := range f.Preferences.RedLines {
						f.Preferences.RedLines[k].Name = p.Name + "/" + f.Name + "-" + f.Preferences.RedLines[k].Name
					}
				}
			}
		}
		m, err := s.Compile()
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		rep, err := Analyze(context.Background(), m, Options{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !rep.Zone.Empty {
			continue
		}
		for _, b := range rep.Blocking {
			if b.Kind == "red_line" && len(b.Holders) != 1 {
				t.Fatalf("seed %d: unique red line %s has holders %v", seed, b.RedLine, b.Holders)
			}
		}
		checkBlocking(t, seed, m, rep)
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d random scenarios had an empty zone", checked)
	}
}

// TestSharedRedLine is the case the review found: two factions that must
// both ratify hold the same red line, and the other party holds one too.
// Dropping the shared red line from one faction alone opens nothing; the
// blocking analysis relaxes it for both and reports it once, with both
// holders, next to the other party's.
func TestSharedRedLine(t *testing.T) {
	est := func(v float64) parley.Estimate { return parley.Estimate{Value: v} }
	x := []parley.Condition{{Issue: "a", Options: []string{"hard"}}}
	prefs := func(soft, hard float64, rl []parley.RedLine) parley.Preferences {
		return parley.Preferences{Reservation: est(0.1), RedLines: rl,
			Issues: []parley.IssuePref{{Issue: "a", Weight: est(1), Values: []parley.OptionValue{{Option: "soft", Value: est(soft)}, {Option: "hard", Value: est(hard)}}}}}
	}
	shared := []parley.RedLine{{Name: "no-hard", Conditions: x}}
	own := prefs(0, 1, []parley.RedLine{{Name: "no-soft", Conditions: []parley.Condition{{Issue: "a", Options: []string{"soft"}}}}})
	s := &parley.Scenario{ID: "shared",
		Issues: []parley.Issue{{Name: "a", Options: []parley.Option{{Label: "soft"}, {Label: "hard"}}}},
		Parties: []parley.Party{
			{Name: "P", Preferences: &own},
			{Name: "Q", Delegation: &parley.Delegation{Rule: parley.Ratification{Kind: parley.Unanimity}, Factions: []parley.Faction{
				{Name: "F1", Weight: est(1), Preferences: prefs(1, 0.5, shared)},
				{Name: "F2", Weight: est(1), Preferences: prefs(1, 0.5, shared)},
			}}},
		}}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []Block
	for _, b := range rep.Blocking {
		if b.Kind == "red_line" {
			lines = append(lines, b)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("want 2 red-line entries (no-soft, no-hard once), got %+v", lines)
	}
	hard := lines[1]
	if lines[0].RedLine != "no-soft" || hard.RedLine != "no-hard" || len(hard.Holders) != 2 || !hard.OpensZone || hard.ZoneSize.Int64() != 1 {
		t.Errorf("the shared red line must open the zone when both factions drop it: %+v", hard)
	}
	checkBlocking(t, 0, m, rep)
}

// pollCtx is a context whose Err starts saying Canceled after a number of
// polls, so that a test can cancel in the middle of an analysis without
// a clock. Like any context, it may be polled from several goroutines.
type pollCtx struct {
	context.Context
	after int64
	polls atomic.Int64
}

func (c *pollCtx) Err() error {
	if c.polls.Add(1) > c.after {
		return context.Canceled
	}
	return nil
}

// TestAnalyzeCancel: the searches and merges poll the context, and once it
// is cancelled the analysis stops with its error instead of finishing.
func TestAnalyzeCancel(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 3))
	var m *parley.Model
	for m == nil || len(m.Infeasible)+len(m.Parties) < 3 {
		var err error
		if m, err = randscen.New(r, randscen.Options{Rects: true}).Compile(); err != nil {
			t.Fatal(err)
		}
	}
	full := &pollCtx{Context: context.Background(), after: 1 << 30}
	if _, err := Analyze(full, m, Options{}); err != nil {
		t.Fatal(err)
	}
	polls := full.polls.Load()
	if polls < 4 {
		t.Fatalf("a full analysis polled its context %d times: the searches do not look at it", polls)
	}
	for _, after := range []int64{0, 1, 2, polls / 2, polls - 2} {
		c := &pollCtx{Context: context.Background(), after: after}
		if _, err := Analyze(c, m, Options{}); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %d of %d polls: %v, want context.Canceled", after, polls, err)
		}
	}
}

// TestParetoSolutionsMatchSolution checks the batched (and, for many
// points, parallel) conversion of a frontier against solution, point by
// point: the same utilities, count and outcome, and the same JSON bytes,
// with and without HTML escapes and indented, also for issue names and
// labels that need escapes, a name two issues share and real values.
func TestParetoSolutionsMatchSolution(t *testing.T) {
	names := []string{"a<b", "x&y", "q\"uote", "line\u2028sep", "é", "Z", "a<b", "", "tab\t", "<script>"}
	for seed := uint64(0); seed < 8; seed++ {
		r := rand.New(rand.NewPCG(seed, 5))
		m, err := randscen.New(r, randscen.Options{Decimals: seed%2 == 0}).Compile()
		if err != nil {
			t.Fatal(err)
		}
		if seed >= 4 { // names and values that test the encoding
			for i := range m.Scenario.Issues {
				is := &m.Scenario.Issues[i]
				is.Name = names[r.IntN(len(names))]
				for k := range is.Options {
					is.Options[k].Label = names[r.IntN(len(names))] + strconv.Itoa(k)
					if is.Kind != parley.Categorical {
						is.Kind = []parley.IssueKind{parley.Integer, parley.Real}[r.IntN(2)]
						is.Options[k].Value = []float64{float64(k), 1e21 + float64(k), 0.1 * float64(k), -1e-7 * float64(k)}[r.IntN(4)]
					}
					is.Options[k].NotAddressed = r.IntN(8) == 0
				}
			}
		}
		outs := all(m)
		size := []int{0, 1, 3 * parallelSolutions, 5*parallelSolutions + 7}[seed%4]
		if seed >= 4 {
			size = 300
		}
		front := make([]parley.FrontierPoint, size)
		for i := range front {
			o := outs[r.IntN(len(outs))]
			front[i] = parley.FrontierPoint{U: m.Eval(o), Outcome: o, Count: big.NewInt(int64(1 + r.IntN(9)))}
		}
		got := paretoSolutions(m, front)
		if got == nil || len(got) != size {
			t.Fatalf("seed %d: %d solutions for %d points", seed, len(got), size)
		}
		for i, p := range front {
			want := solution(m, p.U, p.Outcome, p.Count)
			g := &got[i]
			if !reflect.DeepEqual(g.Utilities, want.Utilities) || g.Count.Cmp(want.Count) != 0 || !slices.Equal(g.Raw(), want.Raw()) {
				t.Fatalf("seed %d point %d: %+v, want %+v", seed, i, *g, want)
			}
			if !reflect.DeepEqual(g.Outcome.Map(), want.Outcome) || g.Outcome.Len() != len(want.Outcome) {
				t.Fatalf("seed %d point %d: outcome %v, want %v", seed, i, g.Outcome.Map(), want.Outcome)
			}
			for name, v := range want.Outcome {
				if gv, ok := g.Outcome.Get(name); !ok || gv != v {
					t.Fatalf("seed %d point %d: %q is %v, want %v", seed, i, name, gv, v)
				}
			}
			if _, ok := g.Outcome.Get("no such issue"); ok {
				t.Fatalf("seed %d point %d: an issue that is not there", seed, i)
			}
			for _, enc := range jsonEncodings {
				if gj, wj := enc(t, g), enc(t, &want); gj != wj {
					t.Fatalf("seed %d point %d: JSON\n%s\nwant\n%s", seed, i, gj, wj)
				}
			}
			// Decoded, a point reads back as the solution does.
			var dp Point
			var ds Solution
			if err := json.Unmarshal([]byte(jsonEncodings[0](t, g)), &dp); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal([]byte(jsonEncodings[0](t, &want)), &ds)
			if !reflect.DeepEqual(dp.Outcome.Map(), ds.Outcome) || jsonEncodings[0](t, &dp) != jsonEncodings[0](t, &ds) {
				t.Fatalf("seed %d point %d: decoded %v, want %v", seed, i, dp.Outcome.Map(), ds.Outcome)
			}
		}
	}
	if b, err := json.Marshal(Point{}); err != nil || string(b) != `{"utilities":null,"outcome":null}` {
		t.Errorf("the zero point: %s, %v", b, err)
	}
}

// jsonEncodings are the ways parley writes JSON: json.Marshal (HTML
// escapes), an encoder without them, and indented.
var jsonEncodings = []func(t *testing.T, v any) string{
	func(t *testing.T, v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	},
	func(t *testing.T, v any) string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return b.String()
	},
	func(t *testing.T, v any) string {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	},
}

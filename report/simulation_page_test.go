package report

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/simulate"
	"github.com/parleyhq/parley/verify/verifytest"
)

// istanbulRun runs the built-in scenario's s0s1-factions variant under
// its own simulation spec (the mediated protocol).
func istanbulRun(t *testing.T) (*simulate.Run, *parley.Model, *analysis.Report) {
	t.Helper()
	s := verifytest.Scenario(t, "istanbul-2025", "s0s1-factions")
	if s.Simulation == nil || s.Simulation.Protocol != parley.ProtocolMediated {
		t.Fatal("istanbul-2025 should simulate the mediated protocol")
	}
	return runScenario(t, s, 0)
}

// runScenario runs a scenario under its own simulation spec (with seed
// when not 0; a mediator aims at the Nash point) and analyses it.
func runScenario(t *testing.T, s *parley.Scenario, seed uint64) (*simulate.Run, *parley.Model, *analysis.Report) {
	t.Helper()
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := simulate.FromScenario(s, "")
	if err != nil {
		t.Fatal(err)
	}
	if seed != 0 {
		cfg.Seed = seed
	}
	if cfg.Protocol == parley.ProtocolMediated {
		cfg.Target = simulate.MediatorTarget(context.Background(), m)
	}
	run, err := simulate.Once(m, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := analysis.Analyze(context.Background(), m, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return run, m, rep
}

// saoScenario is a small two-party scenario for alternating offers; the
// first party's name needs escaping.
func saoScenario(rounds int, agents ...string) *parley.Scenario {
	est := func(v float64) parley.Estimate { return parley.Estimate{Value: v} }
	issue := func(name string, labels ...string) parley.Issue {
		is := parley.Issue{Name: name, Kind: parley.Categorical}
		for k, l := range labels {
			o := parley.Option{Label: l, Clause: "The parties settle " + name + " as " + l + "."}
			if k == len(labels)-1 {
				o = parley.Option{Label: l, NotAddressed: true}
			}
			is.Options = append(is.Options, o)
		}
		return is
	}
	pref := func(is parley.Issue, w float64, vals ...float64) parley.IssuePref {
		ip := parley.IssuePref{Issue: is.Name, Weight: est(w)}
		for k, o := range is.Options {
			ip.Values = append(ip.Values, parley.OptionValue{Option: o.Label, Value: est(vals[k])})
		}
		return ip
	}
	price := issue("price", "low", "mid", "high", "unsettled")
	time := issue("delivery", "fast", "normal", "slow", "unsettled")
	terms := issue("terms", "strict", "loose", "unsettled")
	s := &parley.Scenario{
		ID:     "sim-sao",
		Title:  "Buyer & seller",
		Issues: []parley.Issue{price, time, terms},
		Parties: []parley.Party{
			{Name: "Alice <&> Co", Preferences: &parley.Preferences{
				Issues:      []parley.IssuePref{pref(price, 3, 1, 0.6, 0, 0.2), pref(time, 1, 1, 0.5, 0, 0.3), pref(terms, 2, 1, 0.2, 0.4)},
				Reservation: est(0.3),
			}},
			{Name: "Bob", Preferences: &parley.Preferences{
				Issues:      []parley.IssuePref{pref(price, 3, 0, 0.5, 1, 0.1), pref(time, 2, 0, 0.6, 1, 0.2), pref(terms, 1, 0.1, 1, 0.3)},
				Reservation: est(0.3),
			}},
		},
		Simulation: &parley.SimulationSpec{Protocol: parley.ProtocolSAO, Rounds: rounds},
	}
	for i, a := range agents {
		s.Simulation.Agents = append(s.Simulation.Agents, parley.AgentSpec{Party: s.Parties[i].Name, Agent: a})
	}
	return s
}

func runSAO(t *testing.T, s *parley.Scenario) (*simulate.Run, *parley.Model, *analysis.Report) {
	t.Helper()
	return runScenario(t, s, 7)
}

// debrief writes the run's transcript, reads it back and replays it: the
// page is rendered from the record, as 'parley report' and a server do.
func debrief(t *testing.T, run *simulate.Run) *Debrief {
	t.Helper()
	var file bytes.Buffer
	if err := protocol.WriteTranscript(&file, run.Header, run.Events); err != nil {
		t.Fatal(err)
	}
	tr, err := protocol.DecodeTranscript(&file, protocol.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDebrief(tr.Header, tr.Events)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func renderSimulation(t *testing.T, run *simulate.Run, rep *analysis.Report) string {
	t.Helper()
	return renderDebrief(t, debrief(t, run), rep)
}

func renderDebrief(t *testing.T, d *Debrief, rep *analysis.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := SimulationHTML(&b, d, rep); err != nil {
		t.Fatal(err)
	}
	return keepHTML(t, &b)
}

// agendaIssues lists the issues that were on the agenda at some point:
// at the start (per the header's config) or added by an "agenda" event
// (whose clause then moves).
func agendaIssues(t *testing.T, run *simulate.Run, m *parley.Model) []string {
	t.Helper()
	c, err := run.Header.ProtocolConfig()
	if err != nil {
		t.Fatal(err)
	}
	on := map[int]bool{}
	mc := c.(protocol.MediatedConfig)
	if mc.Agenda == nil {
		for i := range m.Scenario.Issues {
			on[i] = true
		}
	}
	for _, i := range mc.Agenda {
		on[i] = true
	}
	for _, ev := range run.Events {
		if ev.Type == protocol.EvClause && ev.Clause != nil {
			on[ev.Clause.Issue] = true
		}
	}
	var out []string
	for i, is := range m.Scenario.Issues {
		if on[i] {
			out = append(out, is.Name)
		}
	}
	return out
}

func TestSimulationHTMLMediated(t *testing.T) {
	run, m, rep := istanbulRun(t)
	doc := renderSimulation(t, run, rep)
	count := wellFormed(t, doc)
	if count["svg"] < 3 {
		t.Errorf("want the utilities chart, the clause strip and the Pareto plot, got %d svg elements", count["svg"])
	}
	mustContain(t, doc,
		"<!DOCTYPE html>", `aria-label="utilities over time"`, `class="sline"`, `class="sres"`,
		"Clause timeline", `aria-label="clause timeline"`, "Instructions from factions",
		`class="front-line"`, "mediated single negotiating text",
		"svg.plot .frame", // the analysis report's stylesheet is shared
		run.Result.End.String(),
	)
	if (rep.Nash != nil) != strings.Contains(doc, "Nash solution") {
		t.Errorf("Nash point: in the analysis %v, in the legend %v", rep.Nash != nil, !(rep.Nash != nil))
	}
	if !strings.Contains(doc, strings.ReplaceAll(run.Result.End.String(), "_", " ")) {
		t.Errorf("end state %s missing", run.Result.End)
	}
	if run.Result.Why != "" && !strings.Contains(doc, run.Result.Why) {
		t.Errorf("why %q missing", run.Result.Why)
	}
	// One strip per issue; every issue that was on the agenda has
	// coloured segments.
	if n := strings.Count(doc, `<g class="strip`); n != len(m.Scenario.Issues) {
		t.Errorf("%d clause strips, want one per issue (%d)", n, len(m.Scenario.Issues))
	}
	agenda := agendaIssues(t, run, m)
	if len(agenda) == 0 {
		t.Fatal("no issue on the agenda")
	}
	for _, name := range agenda {
		re := regexp.MustCompile(`<g class="strip" data-issue="` + regexp.QuoteMeta(name) + `">.*\n<rect class="c-`)
		if !re.MatchString(doc) {
			t.Errorf("no clause strip with segments for agenda issue %s", name)
		}
	}
	// Reopen markers, one per reopen event, naming who.
	reopens := 0
	agendaEvents := 0
	for _, ev := range run.Events {
		if ev.Type == protocol.EvClause && ev.Clause != nil && ev.Clause.To == parley.ClauseReopened {
			reopens++
		}
		if ev.Type == protocol.EvAgenda {
			agendaEvents++
		}
	}
	strip := section(t, doc, `aria-label="clause timeline"`, "</svg>")
	if n := strings.Count(strip, `<path class="m-reopen"`); n != reopens {
		t.Errorf("%d reopen markers, want %d", n, reopens)
	}
	for _, ev := range run.Events {
		if ev.Type == protocol.EvClause && ev.Clause != nil && ev.Clause.To == parley.ClauseReopened {
			who := m.Scenario.Issues[ev.Clause.Issue].Name + " reopened by " + actorName(m, ev.Actor)
			if !strings.Contains(strip, who) {
				t.Errorf("no reopen marker says %q", who)
			}
		}
	}
	if n := strings.Count(strip, `<path class="m-agenda"`); n != agendaEvents {
		t.Errorf("%d agenda markers, want %d", n, agendaEvents)
	}
	// Header: agents per seat, and the agreement or who blocked.
	for _, a := range run.Header.Agents {
		if !strings.Contains(doc, "<code>"+a.Agent+"</code>") {
			t.Errorf("agent %s missing", a.Agent)
		}
	}
	if run.Result.End == parley.Agreement {
		for _, c := range Clauses(m, run.Result.Agreement) {
			if !strings.Contains(doc, c) {
				t.Errorf("clause %q missing", c)
			}
		}
	} else {
		mustContain(t, doc, "Who rejected the last proposal", "last proposal")
		for _, b := range run.Blocked {
			if !strings.Contains(doc, b) {
				t.Errorf("blocker %q missing", b)
			}
		}
	}
	// Deterministic.
	if again := renderSimulation(t, run, rep); again != doc {
		t.Error("two renderings of the same run differ")
	}
}

func TestSimulationHTMLSAO(t *testing.T) {
	run, m, rep := runSAO(t, saoScenario(40, "boulware", "conceder"))
	doc := renderSimulation(t, run, rep)
	wellFormed(t, doc)
	if strings.Contains(doc, `<g class="strip`) || strings.Contains(doc, "Clause timeline") {
		t.Error("an alternating-offers run has no clause timeline")
	}
	if strings.Contains(doc, "Alice <&> Co") {
		t.Error("party name not escaped")
	}
	mustContain(t, doc,
		"Alice &lt;&amp;&gt; Co", "Buyer &amp; seller", `aria-label="utilities over time"`, ">step</text>",
		"stacked alternating offers", "<code>boulware</code>", "<code>conceder</code>",
		strings.ReplaceAll(run.Result.End.String(), "_", " "),
	)
	if n := strings.Count(doc, `<path class="sline`); n != 2 {
		t.Errorf("%d utility lines, want one per party", n)
	}
	if run.Result.End == parley.Agreement {
		mustContain(t, doc, `class="mark s-agree"`, ">agreement</text>")
		for _, c := range Clauses(m, run.Result.Agreement) {
			if !strings.Contains(doc, strings.ReplaceAll(c, "&", "&amp;")) {
				t.Errorf("clause %q missing", c)
			}
		}
	} else {
		mustContain(t, doc, `class="mark s-last"`)
	}
	if again := renderSimulation(t, run, rep); again != doc {
		t.Error("two renderings of the same run differ")
	}
	// Short series are drawn point by point: no bands, and the legend
	// does not name them.
	if strings.Contains(doc, `class="sband"`) || strings.Contains(doc, "range per time bin") {
		t.Error("a 40-round run is binned")
	}
	// Without an analysis the page still renders, without frontier.
	var b bytes.Buffer
	if err := SimulationHTML(&b, debrief(t, run), nil); err != nil {
		t.Fatal(err)
	}
	bare := b.String()
	wellFormed(t, bare)
	if strings.Contains(section(t, bare, `id="pareto"`, "</svg>"), `class="front-line"`) || strings.Contains(bare, "Nash solution") {
		t.Error("frontier drawn without an analysis")
	}
}

func TestSimulationHTMLLongSAO(t *testing.T) {
	run, _, rep := runSAO(t, saoScenario(1000, "hardliner", "hardliner"))
	if run.Result.End != parley.Deadline || run.Result.Steps != 2000 {
		t.Fatalf("want a run to the deadline of 2000 steps, got %s after %d steps", run.Result.End, run.Result.Steps)
	}
	doc := renderSimulation(t, run, rep)
	wellFormed(t, doc)
	if len(doc) > 400_000 {
		t.Errorf("document of %d bytes for a 1000-round run", len(doc))
	}
	if n := strings.Count(doc, `<tr class="e-`); n != MaxEventRows {
		t.Errorf("%d event rows, want %d", n, MaxEventRows)
	}
	mustContain(t, doc, "more events (see the transcript)", "deadline")
	// Every party's own and received offers, binned: per party a band and
	// a mean line of its own offers, a band and dots of the offers made to
	// it, none longer than the bins.
	if n := strings.Count(doc, `<path class="sline"`); n != 2 {
		t.Errorf("%d lines of own offers, want one per party", n)
	}
	if n := strings.Count(doc, `<path class="sband"`); n != 4 {
		t.Errorf("%d bands, want 4 (own and received offers per party)", n)
	}
	ds := regexp.MustCompile(`class="sdots recv" stroke="[^"]*" stroke-width="[^"]*" d="([^"]*)"`).FindAllStringSubmatch(doc, -1)
	if len(ds) != 2 {
		t.Errorf("%d series of received offers, want one per party", len(ds))
	}
	for _, d := range ds {
		if n := strings.Count(d[1], "M"); n > MaxBins || n < 100 {
			t.Errorf("a series of %d points", n)
		}
	}
	mustContain(t, doc, "range per time bin")
}

// section returns doc from the first from to the next to after it.
func section(t *testing.T, doc, from, to string) string {
	t.Helper()
	i := strings.Index(doc, from)
	if i < 0 {
		t.Fatalf("no %q in the document", from)
	}
	j := strings.Index(doc[i:], to)
	if j < 0 {
		t.Fatalf("no %q after %q", to, from)
	}
	return doc[i : i+j]
}

// TestBinned checks the time bins against a naive reference (each bin
// found by scanning every point) on random series, and that short series
// are left alone.
func TestBinned(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := MaxBins + 1 + r.IntN(5000)
		t1 := float64(n) * (0.5 + r.Float64())
		pts := make([]tpoint, n)
		for i := range pts {
			pts[i] = tpoint{t: t1 * float64(i) / float64(n), u: r.Float64()}
		}
		got := binned(pts, 0, t1)
		if len(got) == 0 || len(got) > MaxBins {
			t.Fatalf("trial %d: %d bins", trial, len(got))
		}
		span := t1 / MaxBins
		k := 0
		for b := 0; b < MaxBins; b++ {
			var in []float64
			for _, p := range pts {
				if min(int(p.t/span), MaxBins-1) == b {
					in = append(in, p.u)
				}
			}
			if len(in) == 0 {
				continue
			}
			want := bin{t: (float64(b) + 0.5) * span, lo: in[0], hi: in[0]}
			for _, u := range in {
				want.lo, want.hi, want.mean = min(want.lo, u), max(want.hi, u), want.mean+u
			}
			want.mean /= float64(len(in))
			if k >= len(got) {
				t.Fatalf("trial %d: bin %d missing", trial, b)
			}
			g := got[k]
			if g.lo != want.lo || g.hi != want.hi || math.Abs(g.mean-want.mean) > 1e-12 || math.Abs(g.t-want.t) > 1e-9 {
				t.Fatalf("trial %d, bin %d: got %+v, want %+v", trial, b, g, want)
			}
			k++
		}
		if k != len(got) {
			t.Fatalf("trial %d: %d bins, want %d", trial, len(got), k)
		}
	}
	if got := binned(make([]tpoint, MaxBins), 0, 1); got != nil {
		t.Error("a short series is binned")
	}
}

func TestSimulationHTMLErrors(t *testing.T) {
	var b bytes.Buffer
	if err := SimulationHTML(&b, nil, nil); err == nil {
		t.Error("nil debrief accepted")
	}
	if err := SimulationHTML(&b, &Debrief{}, nil); err == nil {
		t.Error("debrief without a model accepted")
	}
}

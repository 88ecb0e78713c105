package report

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/simulate"
)

// sIstanbul runs the built-in scenario under its own simulation spec (the
// mediated protocol) with the mediator aiming at the Nash point.
func sIstanbul(t *testing.T) (*simulate.Run, *parley.Model, *analysis.Report) {
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
	if cfg.Protocol != parley.ProtocolMediated {
		t.Fatalf("istanbul-2025 simulates %q, want the mediated protocol", cfg.Protocol)
	}
	cfg.Target = simulate.MediatorTarget(context.Background(), m)
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

// sSAOScenario is a small two-party scenario for alternating offers; the
// first party's name needs escaping.
func sSAOScenario(rounds int, agents ...string) *parley.Scenario {
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

func sRunSAO(t *testing.T, s *parley.Scenario) (*simulate.Run, *parley.Model, *analysis.Report) {
	t.Helper()
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := simulate.FromScenario(s, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Seed = 7
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

func sRender(t *testing.T, run *simulate.Run, m *parley.Model, rep *analysis.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := SimulationHTML(&b, run, m, rep); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("PARLEY_HTML_OUT"); dir != "" {
		name := strings.ReplaceAll(t.Name(), "/", "_")
		if err := os.WriteFile(dir+"/"+name+".html", b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// sAgendaIssues lists the issues that were on the agenda at some point:
// at the start (per the header's config) or added by an "agenda" event
// (whose clause then moves).
func sAgendaIssues(t *testing.T, run *simulate.Run, m *parley.Model) []string {
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
	run, m, rep := sIstanbul(t)
	doc := sRender(t, run, m, rep)
	count := hWellFormed(t, doc)
	if count["svg"] < 3 {
		t.Errorf("want the utilities chart, the clause strip and the Pareto plot, got %d svg elements", count["svg"])
	}
	hMustContain(t, doc,
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
	agenda := sAgendaIssues(t, run, m)
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
	strip := sSection(t, doc, `aria-label="clause timeline"`, "</svg>")
	if n := strings.Count(strip, `<path class="m-reopen"`); n != reopens {
		t.Errorf("%d reopen markers, want %d", n, reopens)
	}
	for _, ev := range run.Events {
		if ev.Type == protocol.EvClause && ev.Clause != nil && ev.Clause.To == parley.ClauseReopened {
			who := m.Scenario.Issues[ev.Clause.Issue].Name + " reopened by " + sactor(m, ev.Actor)
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
		hMustContain(t, doc, "Who rejected the last proposal", "last proposal")
		for _, b := range run.Blocked {
			if !strings.Contains(doc, b) {
				t.Errorf("blocker %q missing", b)
			}
		}
	}
	// Deterministic.
	if again := sRender(t, run, m, rep); again != doc {
		t.Error("two renderings of the same run differ")
	}
}

func TestSimulationHTMLSAO(t *testing.T) {
	run, m, rep := sRunSAO(t, sSAOScenario(40, "boulware", "conceder"))
	doc := sRender(t, run, m, rep)
	hWellFormed(t, doc)
	if strings.Contains(doc, `<g class="strip`) || strings.Contains(doc, "Clause timeline") {
		t.Error("an alternating-offers run has no clause timeline")
	}
	if strings.Contains(doc, "Alice <&> Co") {
		t.Error("party name not escaped")
	}
	hMustContain(t, doc,
		"Alice &lt;&amp;&gt; Co", "Buyer &amp; seller", `aria-label="utilities over time"`, ">step</text>",
		"stacked alternating offers", "<code>boulware</code>", "<code>conceder</code>",
		strings.ReplaceAll(run.Result.End.String(), "_", " "),
	)
	if n := strings.Count(doc, `<path class="sline`); n != 2 {
		t.Errorf("%d utility lines, want one per party", n)
	}
	if run.Result.End == parley.Agreement {
		hMustContain(t, doc, `class="mark s-agree"`, ">agreement</text>")
		for _, c := range Clauses(m, run.Result.Agreement) {
			if !strings.Contains(doc, strings.ReplaceAll(c, "&", "&amp;")) {
				t.Errorf("clause %q missing", c)
			}
		}
	} else {
		hMustContain(t, doc, `class="mark s-last"`)
	}
	if again := sRender(t, run, m, rep); again != doc {
		t.Error("two renderings of the same run differ")
	}
	// Without an analysis the page still renders, without frontier.
	var b bytes.Buffer
	if err := SimulationHTML(&b, run, m, nil); err != nil {
		t.Fatal(err)
	}
	bare := b.String()
	hWellFormed(t, bare)
	if strings.Contains(sSection(t, bare, `id="pareto"`, "</svg>"), `class="front-line"`) || strings.Contains(bare, "Nash solution") {
		t.Error("frontier drawn without an analysis")
	}
}

func TestSimulationHTMLLongSAO(t *testing.T) {
	run, m, rep := sRunSAO(t, sSAOScenario(1000, "hardliner", "hardliner"))
	if run.Result.End != parley.Deadline || run.Result.Steps != 2000 {
		t.Fatalf("want a run to the deadline of 2000 steps, got %s after %d steps", run.Result.End, run.Result.Steps)
	}
	doc := sRender(t, run, m, rep)
	hWellFormed(t, doc)
	if len(doc) > 400_000 {
		t.Errorf("document of %d bytes for a 1000-round run", len(doc))
	}
	if n := strings.Count(doc, `<tr class="e-`); n != MaxEventRows {
		t.Errorf("%d event rows, want %d", n, MaxEventRows)
	}
	hMustContain(t, doc, "more events (see the transcript)", "deadline")
	// Every party's offers, and no series longer than the cap.
	ds := regexp.MustCompile(`class="sdots[^"]*" stroke="[^"]*" stroke-width="[^"]*" d="([^"]*)"`).FindAllStringSubmatch(doc, -1)
	if len(ds) != 4 {
		t.Errorf("%d marker series, want 4 (own and received offers per party)", len(ds))
	}
	for _, d := range ds {
		if n := strings.Count(d[1], "M"); n > MaxSeriesDrawn || n < 100 {
			t.Errorf("a series of %d points", n)
		}
	}
}

// sSection returns doc from the first from to the next to after it.
func sSection(t *testing.T, doc, from, to string) string {
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

func TestSimulationHTMLThin(t *testing.T) {
	var pts []spt
	for i := range 10000 {
		pts = append(pts, spt{x: float64(i), y: float64(i%97) / 96})
	}
	th := sthin(pts, MaxSeriesDrawn)
	if len(th) > MaxSeriesDrawn || len(th) < MaxSeriesDrawn/2 {
		t.Fatalf("thinned to %d points", len(th))
	}
	lo, hi := 1.0, 0.0
	for i, p := range th {
		if i > 0 && p.x <= th[i-1].x {
			t.Fatal("thinned points out of order")
		}
		lo, hi = min(lo, p.y), max(hi, p.y)
	}
	if lo != 0 || hi != 1 {
		t.Errorf("envelope lost: [%v, %v]", lo, hi)
	}
	if got := sthin(pts[:10], MaxSeriesDrawn); len(got) != 10 {
		t.Error("short series changed")
	}
}

func TestSimulationHTMLErrors(t *testing.T) {
	var b bytes.Buffer
	if err := SimulationHTML(&b, nil, nil, nil); err == nil {
		t.Error("nil run accepted")
	}
}

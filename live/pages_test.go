package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
)

// secretSession creates a session of the leak test's scenario, whose
// private numbers are marked (../http/testdata/secrets.yaml).
func secretSession(t *testing.T) (*live.Session, *live.Created) {
	t.Helper()
	yaml, err := os.ReadFile("../http/testdata/secrets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := newManager(t, openStore(t))
	ctx := context.Background()
	c, err := m.Create(ctx, &live.Spec{YAML: string(yaml)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Session(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func mustAct(t *testing.T, s *live.Session, seat parley.Seat, a string) {
	t.Helper()
	var act live.Action
	if err := json.Unmarshal([]byte(a), &act); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Act(context.Background(), seat, &act); err != nil {
		t.Fatalf("%s: %s: %v", seat, a, err)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if parley.ErrorCode(err) != code {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

// TestOwnView: a party's view carries its own side's tables and
// reservation, and what stands evaluated for it; the mediator's none.
func TestOwnView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := secretSession(t)
	med, _ := tokenOf(t, c, "mediator")
	north, _ := tokenOf(t, c, "North")
	south, _ := tokenOf(t, c, "South")
	port, _ := tokenOf(t, c, "South/Port")
	mustAct(t, s, med, `{"kind":"text","outcome":{"access":"shared","fee":"high"}}`)
	view := func(seat parley.Seat) *live.View {
		v, err := s.View(ctx, seat)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := view(med); v.Own != nil || v.Standing != nil {
		t.Errorf("the mediator's view has own utilities: %+v %+v", v.Own, v.Standing)
	}
	vn := view(north)
	if vn.Own == nil || vn.Own.Reservation != 0.41379 || len(vn.Own.Factions) != 0 || len(vn.Own.RedLines) != 1 {
		t.Fatalf("North's own: %+v", vn.Own)
	}
	// North's utility of the text, from its own tables, is the standing
	// evaluation; the high fee crosses its red line.
	u := vn.Own.Utility.Values[0][1] + vn.Own.Utility.Values[1][1]
	if vn.Standing == nil || math.Abs(vn.Standing.Utility-u) > 1e-9 || vn.Standing.Accepts || len(vn.Standing.RedLines) != 1 {
		t.Errorf("North's standing: %+v, want utility %v, not accepted, one red line", vn.Standing, u)
	}
	for _, seat := range []parley.Seat{south, port} {
		v := view(seat)
		if v.Own == nil || len(v.Own.Factions) != 2 || v.Own.Factions[0].Reservation != 0.37193 || len(v.Standing.Factions) != 2 {
			t.Errorf("%s's own: %+v %+v", seat, v.Own, v.Standing)
		}
		b, _ := json.Marshal(v)
		for _, w := range []string{"0.41379", "NORTHSECRET", "northsecret"} {
			if bytes.Contains(b, []byte(w)) {
				t.Errorf("%s's view contains %q", seat, w)
			}
		}
	}
	mustAct(t, s, med, `{"kind":"caucus","party":"North","message":"hello"}`)
	if _, err := s.Act(ctx, north, &live.Action{Kind: "answer", Answers: json.RawMessage(`{"access":"accept","fee":"reject"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Act(ctx, south, &live.Action{Kind: "answer", Answers: json.RawMessage(`{"access":"accept","fee":"accept"}`)}); err != nil {
		t.Fatal(err)
	}
	mustAct(t, s, med, `{"kind":"extend","rounds":2}`)
	if d := view(north).Deadline; d != 8 {
		t.Errorf("deadline after an extension by 2 of 6 rounds: %d, want 8", d)
	}
}

// TestMediatorPanel: only the mediator has the panel; it holds the zone
// and a suggestion, and no party's private numbers.
func TestMediatorPanel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := secretSession(t)
	med, _ := tokenOf(t, c, "mediator")
	for _, name := range []string{"North", "South", "South/Port", "observer"} {
		seat, _ := tokenOf(t, c, name)
		_, err := s.MediatorPanel(ctx, seat)
		wantCode(t, name+"'s panel", err, parley.EFORBIDDEN)
	}
	p, err := s.MediatorPanel(ctx, med)
	if err != nil {
		t.Fatal(err)
	}
	if p.Outcomes != "6" || p.Zone.Empty || p.Zone.Size != "2" || !p.Zone.Exact || p.Basis != "nash" || len(p.Suggestion) != 2 || !p.SuggestionInZone || p.Current != nil {
		t.Errorf("panel: %+v", p)
	}
	mustAct(t, s, med, `{"kind":"text","outcome":{"access":"exclusive","fee":"high"}}`)
	p, err = s.MediatorPanel(ctx, med)
	if err != nil {
		t.Fatal(err)
	}
	if p.Current == nil || p.Current.InZone || len(p.Current.Differs) == 0 {
		t.Errorf("a text outside the zone: %+v", p.Current)
	}
	b, _ := json.Marshal(p)
	for _, w := range []string{"0.41379", "0.37193", "0.61803", "0.27183", "SECRET", "secret"} {
		if bytes.Contains(b, []byte(w)) {
			t.Errorf("the panel contains %q: %s", w, b)
		}
	}
}

// TestDebrief: the debrief opens at the end, for the mediator and
// observers only; its moves, clause histories and distances agree with a
// naive computation over the six outcomes.
func TestDebrief(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := secretSession(t)
	med, _ := tokenOf(t, c, "mediator")
	north, _ := tokenOf(t, c, "North")
	south, _ := tokenOf(t, c, "South")
	obs, _ := tokenOf(t, c, "observer")
	_, err := s.Debrief(ctx, med)
	wantCode(t, "a debrief while running", err, parley.ECONFLICT)
	wantCode(t, "a report while running", s.DebriefHTML(ctx, med, &bytes.Buffer{}), parley.ECONFLICT)
	mustAct(t, s, med, `{"kind":"text","outcome":{"access":"shared","fee":"high"}}`)
	mustAct(t, s, north, `{"kind":"answer","answers":{"access":"accept","fee":"reject"}}`)
	mustAct(t, s, south, `{"kind":"answer","answers":{"access":"accept","fee":"accept"}}`)
	mustAct(t, s, med, `{"kind":"text","outcome":{"access":"shared","fee":"low"}}`)
	mustAct(t, s, north, `{"kind":"answer","answers":{"access":"none","fee":"accept"}}`)
	mustAct(t, s, south, `{"kind":"answer","answers":{"access":"none","fee":"accept"}}`)
	for _, seat := range []parley.Seat{north, south} {
		_, err := s.Debrief(ctx, seat)
		wantCode(t, seat.String()+"'s debrief", err, parley.EFORBIDDEN)
		wantCode(t, seat.String()+"'s report", s.DebriefHTML(ctx, seat, &bytes.Buffer{}), parley.EFORBIDDEN)
	}
	d, err := s.Debrief(ctx, obs)
	if err != nil {
		t.Fatal(err)
	}
	if d.Result.End != parley.Agreement || d.Agreement == nil || len(d.Moves) != 2 || len(d.Clauses) != 2 {
		t.Fatalf("debrief: %+v", d)
	}
	// fee: proposed (high), proposed again (low: rewritten), agreed,
	// final.
	var hist []string
	for _, ch := range d.Clauses[1].Changes {
		hist = append(hist, ch.To.String())
	}
	if got := strings.Join(hist, ","); got != "proposed,proposed,agreed,final" {
		t.Errorf("fee's history: %s", got)
	}
	if len(d.Cloud) != 6 || len(d.Frontier) == 0 || d.Nash == nil || d.KS == nil {
		t.Errorf("cloud %d, frontier %d, nash %v, ks %v", len(d.Cloud), len(d.Frontier), d.Nash, d.KS)
	}
	// The frontier is the undominated points of the cloud (a naive
	// reference), and each distance is to the nearest of them.
	var front [][]float64
	for _, u := range d.Cloud {
		dominated := false
		for _, v := range d.Cloud {
			if v[0] >= u[0] && v[1] >= u[1] && (v[0] > u[0] || v[1] > u[1]) {
				dominated = true
			}
		}
		if !dominated {
			front = append(front, u)
		}
	}
	for _, mv := range append(d.Moves, live.Move{Utilities: d.Agreement.Utilities, Distance: d.Agreement.Distance}) {
		best := math.Inf(1)
		for _, f := range front {
			best = min(best, math.Hypot(mv.Utilities[0]-f[0], mv.Utilities[1]-f[1]))
		}
		if math.Abs(best-mv.Distance) > 1e-9 {
			t.Errorf("move %v: distance %v, naive %v", mv.Utilities, mv.Distance, best)
		}
	}
	if d.Moves[0].Distance < 0.1 {
		t.Errorf("the first text (shared, high) is dominated, yet its distance is %v", d.Moves[0].Distance)
	}
	// North rejected the high fee, then accepted the low one: not the
	// same option, so not a concession on it.
	for _, cc := range d.Concessions {
		if cc.Kind == "accept" {
			t.Errorf("a concession by accepting a different option: %+v", cc)
		}
	}
	var buf bytes.Buffer
	if err := s.DebriefHTML(ctx, med, &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<html") || !strings.Contains(buf.String(), "North") {
		t.Errorf("the report is not an HTML page naming the parties: %.200s", buf.String())
	}
}

package http_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/verify/verifytest"
)

// nashText returns the Nash point of a built-in scenario's variant as a
// mediator's text, by issue and option name.
func nashText(t *testing.T, name, variant string) map[string]string {
	t.Helper()
	s := verifytest.Scenario(t, name, variant)
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := analysis.Analyze(context.Background(), m, analysis.Options{NoBlocking: true})
	if err != nil || rep.Nash == nil {
		t.Fatalf("no Nash point: %v", err)
	}
	out := map[string]string{}
	for i, k := range rep.Nash.Raw() {
		out[s.Issues[i].Name] = s.Issues[i].Options[k].Label
	}
	return out
}

// TestIstanbul plays istanbul-2025 (variant us-signs) through the HTTP
// API: the mediator and both delegations are people, Afghanistan's three
// factions are agents. The mediator writes the Nash text over the agenda
// (the guarantor is not on it) and talks to each side in caucus; the
// delegations accept; Afghanistan does not ratify (Kabul's red line: the
// United States must sign), Kabul puts the guarantor on the agenda as a
// precondition and recalls the delegation for a round; the mediator
// writes the guarantor in; the text is agreed and ratified. Each seat's
// view is checked along the way: its own side's preferences only, the
// turn only when it is its move, its own caucus only, instructions and
// the reasons for not ratifying only for the delegation, one chain head
// for everyone; and the transcript replays.
func TestIstanbul(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c := s.create(map[string]any{"scenario": "istanbul-2025", "variant": "us-signs", "seats": map[string]string{
		"Afghanistan/Kandahar": "loyal", "Afghanistan/Kabul": "watchdog:recall=1", "Afghanistan/Khost": "loyal"}})
	tok := tokens(c)
	checkBriefs(t, s, c.ID, tok)
	nash := nashText(t, "istanbul-2025", "us-signs")

	// Out of turn, and a seat an agent plays: refused, nothing changes.
	r := s.call("POST", "/api/sessions/"+c.ID+"/actions", tok["Pakistan"], map[string]any{"kind": "answer", "answers": map[string]string{}})
	if r.status != http.StatusConflict || !strings.Contains(r.String(), "mediator's move") {
		t.Fatalf("Pakistan out of turn: %d %s", r.status, r)
	}
	r = s.call("POST", "/api/sessions/"+c.ID+"/actions", tok["Afghanistan/Kabul"], map[string]any{"kind": "instruction", "instruction": map[string]any{"kind": "lower_floor", "delta": 0.1}})
	if r.status != http.StatusConflict || !strings.Contains(r.String(), "built-in agent") {
		t.Fatalf("an agent's seat instructing: %d %s", r.status, r)
	}
	s.act(c.ID, tok["Pakistan"], map[string]any{"kind": "caucus", "message": "Pakistan needs a written guarantee."})
	s.act(c.ID, tok["mediator"], map[string]any{"kind": "caucus", "party": "Afghanistan", "message": "Can Kabul live with a US guarantor?"})

	for step := 0; step < 40; step++ {
		obs := s.view(c.ID, tok["observer"])
		if obs.Result.End != parley.Running {
			break
		}
		checkTurns(t, s, c.ID, tok, obs.Move)
		mover := obs.Move.Name
		v := s.view(c.ID, tok[mover])
		if mover == "mediator" {
			text := map[string]any{}
			for _, cl := range v.Text {
				if cl.OnAgenda {
					text[cl.Name] = nash[cl.Name]
				}
			}
			if _, ok := text["guarantor"]; !ok && step > 0 {
				t.Fatalf("step %d: the guarantor is still off the agenda", step)
			}
			s.act(c.ID, tok[mover], map[string]any{"kind": "text", "outcome": text})
			continue
		}
		s.act(c.ID, tok[mover], map[string]any{"kind": "answer", "answers": acceptAll(v)})
	}
	obs := s.view(c.ID, tok["observer"])
	if obs.Result.End != parley.Agreement {
		t.Fatalf("the session ended %s (%s), want an agreement", obs.Result.End, obs.Result.Why)
	}
	for i, k := range obs.Result.Agreement {
		if is := obs.Brief.Issues[i]; is.Options[k].Label != nash[is.Name] {
			t.Errorf("agreed %s=%s, want the Nash point's %s", is.Name, is.Options[k].Label, nash[is.Name])
		}
	}
	checkEnd(t, s, c.ID, tok)
	checkTranscript(t, s, c.ID, tok["mediator"], parley.Agreement)
}

// checkBriefs: every seat's brief holds its own side's preferences and no
// one else's.
func checkBriefs(t *testing.T, s *server, id string, tok map[string]string) {
	t.Helper()
	for name, token := range tok {
		v := s.view(id, token)
		for _, p := range v.Brief.Parties {
			own := name == p.Name || strings.HasPrefix(name, p.Name+"/")
			has := p.Preferences != nil || p.Delegation != nil
			if own != has {
				t.Errorf("%s's brief: party %s has preferences %v, want %v", name, p.Name, has, own)
			}
		}
		if v.Seat.Name != name {
			t.Errorf("the token of %s opens %s", name, v.Seat.Name)
		}
	}
}

// checkTurns: every seat sees the same mover and the same head; only the
// mover has a turn.
func checkTurns(t *testing.T, s *server, id string, tok map[string]string, move *live.SeatInfo) {
	t.Helper()
	if move == nil {
		t.Fatal("a running session with nobody to move")
	}
	var head parley.ChainHead
	for name, token := range tok {
		v := s.view(id, token)
		if v.Move == nil || v.Move.Name != move.Name {
			t.Errorf("%s sees %v to move, the observer %s", name, v.Move, move.Name)
		}
		if (v.Turn != nil) != (name == move.Name) {
			t.Errorf("%s has a turn: %v; %s is to move", name, v.Turn != nil, move.Name)
		}
		if head.Session != "" && v.Head != head {
			t.Errorf("%s sees head %v, others %v", name, v.Head, head)
		}
		head = v.Head
	}
}

// checkEnd checks who saw what once the session has ended.
func checkEnd(t *testing.T, s *server, id string, tok map[string]string) {
	t.Helper()
	views := map[string]*live.View{}
	for name, token := range tok {
		views[name] = s.view(id, token)
	}
	caucus := map[string]int{"mediator": 2, "Pakistan": 1, "Afghanistan": 1, "Afghanistan/Kabul": 1, "observer": 0}
	for name, want := range caucus {
		if got := len(views[name].Caucus); got != want {
			t.Errorf("%s sees %d caucus messages, want %d", name, got, want)
		}
	}
	count := func(name string, typ protocol.EventType, aud func(parley.Audience) bool) int {
		n := 0
		for _, ev := range views[name].Events {
			if ev.Type == typ && aud(ev.Audience) {
				n++
			}
		}
		return n
	}
	answerOf := func(p int) func(parley.Audience) bool {
		return func(a parley.Audience) bool { return a == parley.ToCaucus(p) }
	}
	if count("Pakistan", protocol.EvAction, answerOf(1)) != 0 || count("Afghanistan", protocol.EvAction, answerOf(0)) != 0 {
		t.Error("a party sees the other party's answers to the text")
	}
	if count("mediator", protocol.EvAction, answerOf(0)) == 0 || count("mediator", protocol.EvAction, answerOf(1)) == 0 {
		t.Error("the mediator does not see the parties' answers")
	}
	all := func(parley.Audience) bool { return true }
	delegation := func(a parley.Audience) bool { return a == parley.ToDelegation(1) }
	for _, name := range []string{"mediator", "Pakistan", "observer"} {
		if n := count(name, protocol.EvInstruction, all); n != 0 {
			t.Errorf("%s sees %d of Afghanistan's instructions", name, n)
		}
		if n := count(name, protocol.EvRatificationFailed, delegation); n != 0 {
			t.Errorf("%s sees why Afghanistan does not ratify", name)
		}
	}
	for _, name := range []string{"Afghanistan", "Afghanistan/Kabul", "Afghanistan/Khost"} {
		if count(name, protocol.EvInstruction, all) < 2 || count(name, protocol.EvRatificationFailed, delegation) != 1 {
			t.Errorf("%s does not see Kabul's precondition and recall, or why Afghanistan did not ratify", name)
		}
	}
	total := len(views["mediator"].Events)
	for name, v := range views {
		if v.Head.Events < int64(len(v.Events)) || (name == "observer" && len(v.Events) >= total) {
			t.Errorf("%s sees %d events of %d stored", name, len(v.Events), v.Head.Events)
		}
	}
}

// checkTranscript fetches the transcript and replays it.
func checkTranscript(t *testing.T, s *server, id, token string, end parley.EndState) {
	t.Helper()
	r := s.call("GET", "/api/sessions/"+id+"/transcript", token, nil)
	if r.status != http.StatusOK {
		t.Fatalf("transcript: %d %s", r.status, r)
	}
	tr, err := protocol.DecodeTranscript(bytes.NewReader(r.body), protocol.ReadOptions{})
	if err != nil {
		t.Fatalf("the transcript does not read back: %v", err)
	}
	res, err := protocol.Replay(tr.Header, tr.Events)
	if err != nil || res.End != end {
		t.Fatalf("the transcript replays to %s, %v; want %s", res.End, err, end)
	}
	h := s.call("GET", "/api/sessions/"+id+"/head", token, nil)
	if !strings.Contains(h.String(), tr.Head.Hash.String()) {
		t.Errorf("the transcript's head %s is not the session's: %s", tr.Head.Hash, h)
	}
}

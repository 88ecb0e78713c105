package http_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
)

// testPagesObserver follows a mediated session of people from the
// observer's page while the seats act through the API: the observer sees
// the text, the public moves and whose move it is, acts on nothing, and
// receives — in its DOM, its API responses and its event stream — none of
// what is confidential while the negotiation runs: no caucus, no
// instruction, no party's preferences, reservation, red lines or reasons,
// nor the mediator's panel. The debrief opens for it at the end.
func testPagesObserver(t *testing.T, c *chrome) {
	s := start(t, "")
	cr, tok := s.secrets(t)
	obs := c.open(t, "observer", s.url+"/s/"+cr.ID+"#t="+tok["observer"], 1280, 800)
	obs.waitText("#conn", "live")
	obs.waitText("#status-body", "Waiting for mediator")
	act := func(seat string, a map[string]any) {
		t.Helper()
		s.act(cr.ID, tok[seat], a)
	}
	act("North", map[string]any{"kind": "caucus", "message": "CAUCUSNORTH we could pay a little"})
	act("mediator", map[string]any{"kind": "caucus", "party": "South", "message": "CAUCUSSOUTH what about access?"})
	act("South", map[string]any{"kind": "caucus", "message": "CAUCUSSOUTH never exclusive"})
	act("South/Navy", map[string]any{"kind": "instruction", "instruction": map[string]any{"kind": "lower_floor", "delta": 0.05}})
	act("mediator", map[string]any{"kind": "text", "outcome": map[string]string{"access": "shared", "fee": "low"}})
	obs.waitText("#text-body", "shared")
	obs.waitText("#status-body", "Waiting for North")
	act("North", map[string]any{"kind": "answer", "answers": map[string]string{"access": "accept", "fee": "accept"}})
	// North's answer is for its caucus only; the observer learns that
	// South is to move from the turn event.
	obs.waitText("#status-body", "Waiting for South")
	if eval[bool](obs, `!!document.querySelector("#work:not([hidden]), #caucus:not([hidden]), #panel:not([hidden]), #own:not([hidden]), #instr:not([hidden])")`) {
		t.Error("the observer's page shows a section to act in or a seat's own")
	}
	obs.shot("running")
	got := obs.received()
	for _, w := range []string{"CAUCUSNORTH", "CAUCUSSOUTH", "NORTHSECRET", "SOUTHSECRET", "northsecret", "southsecret",
		"0.41379", "0.37193", "0.61803", "0.27183", "Zone of agreement", "/analysis", "event: instruction", "event: reason", "lower_floor"} {
		if strings.Contains(got, w) {
			t.Errorf("the observer's browser received %q", w)
		}
	}
	for _, w := range []string{"event: clause", "event: turn", `"name":"South"`, "Waiting for South"} {
		if !strings.Contains(got, w) {
			t.Errorf("the observer's browser lacks %q, which it may see (the search would be vacuous)", w)
		}
	}
	act("South", map[string]any{"kind": "answer", "answers": map[string]string{"access": "accept", "fee": "accept"}})
	obs.waitText("#status-body", "agreement")
	obs.waitText("#debrief-outcome", "Agreement in round 1")
	obs.shot("end")
}

// testPagesRemote sets up, in the lobby, alternating offers between
// Pakistan, a person, and Afghanistan, a remote agent. A program (the
// test's own parley.agent/1 client on the WebSocket) connects with the
// token the lobby shows and plays Afghanistan; Pakistan's page shows the
// agent connected and its offers, to the end.
func testPagesRemote(t *testing.T, c *chrome) {
	s := start(t, "")
	lobby := c.open(t, "lobby", s.url+"/", 1280, 800)
	lobby.waitText("#scenario", "istanbul")
	lobby.choose("#protocol", "sao")
	lobby.do(chromedp.SendKeys(chromedp.CSS("#rounds"), "6"))
	lobby.click("#preview")
	lobby.choose(`select[data-seat="party:1"]`, "remote")
	lobby.click("#create")
	lobby.wait("the remote seat's token", `!!document.querySelector('li[data-seat="party:1"] p.hint code')`)
	lobby.shot("invites")
	token := eval[string](lobby, `document.querySelector('li[data-seat="party:1"] p.hint code').textContent`)
	link := eval[string](lobby, `document.querySelector('a.invite[data-seat="party:0"]').getAttribute("href")`)
	id, _, ok := strings.Cut(strings.TrimPrefix(link, s.url+"/s/"), "#t=")
	if !ok || token == "" {
		t.Fatalf("invite link %q, token %q", link, token)
	}
	pak := c.open(t, "pakistan", link, 1280, 800)
	pak.waitText("#conn", "live")
	pak.waitText("#seats", "Afghanistan: a remote agent, not connected")

	agent := connect(t, s, id, token)
	turns := 0
	for round := 0; ; round++ {
		pak.wait("its move or the end", `!document.querySelector("#make-offer") || !document.querySelector("#make-offer").disabled`)
		if eval[bool](pak, `!document.querySelector("#make-offer")`) {
			break
		}
		pak.click("#make-offer")
		if !agent.next() {
			break
		}
		agent.send(agent.decide())
		turns++
		if round == 0 {
			pak.waitText("#seats", "Afghanistan: a remote agent, connected")
			pak.shot("connected")
		}
		pak.wait("the agent's answer", fmt.Sprintf(`document.querySelectorAll("#log-list li[data-type=action]").length >= %d`, 2*round+2))
	}
	for agent.finished == nil && agent.next() {
		agent.send(agent.decide())
	}
	pak.waitText("#status-body", "over")
	pak.shot("end")
	obs := s.view(id, token)
	if obs.Result.End == parley.Running || turns == 0 {
		t.Fatalf("after %d turns of the agent the session is %s", turns, obs.Result.End)
	}
	if agent.finished.End != obs.Result.End.String() {
		t.Errorf("the agent was told the session ended %s; it ended %s", agent.finished.End, obs.Result.End)
	}
	if !strings.Contains(pak.text("#log-list"), "Afghanistan offers") && obs.Result.End != parley.Agreement {
		t.Errorf("Pakistan's page shows no offer of the agent:\n%s", pak.text("#log-list"))
	}
	t.Logf("Pakistan vs a remote agent in the browser: %s after %d turns of the agent", obs.Result.End, turns)
}

// testPagesTurn: a party's page learns that it is its move from the turn
// event alone. Afghanistan's page waits while Pakistan answers the
// mediator's text through the API; that answer is Pakistan's caucus's
// only, so the page receives no event of it — only the turn event — and
// it must show "Your move" and the answer form, with no reconnection and
// every read of the view driven by an event or the connection (the page
// does not poll).
func testPagesTurn(t *testing.T, c *chrome) {
	s := start(t, "")
	cr := s.create(map[string]any{"scenario": "istanbul-2025"})
	tok := tokens(cr)
	afg := c.open(t, "afghanistan", s.url+"/s/"+cr.ID+"#t="+tok["Afghanistan"], 1280, 800)
	afg.waitText("#conn", "live")
	s.act(cr.ID, tok["mediator"], map[string]any{"kind": "text", "outcome": map[string]string{"ceasefire": "open_ended"}})
	afg.waitText("#status-body", "Waiting for Pakistan")
	afg.wait("the page to settle", `!window.parleyPage.refreshing`)
	before := eval[[]int](afg, `[window.parleyPage.events.length, window.parleyPage.turns || 0, window.parleyPage.reads || 0]`)
	s.act(cr.ID, tok["Pakistan"], map[string]any{"kind": "answer", "answers": map[string]string{"ceasefire": "accept"}})
	afg.waitText("#status-body", "Your move")
	afg.wait("the answer form", `!!document.querySelector("#send-answers")`)
	after := eval[[]int](afg, `[window.parleyPage.events.length, window.parleyPage.turns || 0, window.parleyPage.reads || 0, window.parleyPage.stream.opens]`)
	if after[0] != before[0] {
		t.Errorf("the page received %d stored events; Pakistan's answer is not Afghanistan's to see", after[0]-before[0])
	}
	if after[1] <= before[1] {
		t.Error("the page shows its move without a turn event")
	}
	if after[3] != 1 {
		t.Errorf("the page connected %d times; the move must come on the open stream", after[3])
	}
	if reads, turns := after[2]-before[2], after[1]-before[1]; reads > turns {
		t.Errorf("the page read its view %d times on %d turn events: a read not driven by an event (polling?)", reads, turns)
	}
	afg.shot("your-move")
}

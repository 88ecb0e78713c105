package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
	"github.com/parleyhq/parley/compliance"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/sqlite"
)

// agree plays istanbul-2025 (variant us-signs) to an agreement over the
// API, as TestIstanbul does, with the mediator writing the Nash text
// changed by clauses; it returns the session and its tokens.
func agree(t *testing.T, s *server, clauses map[string]string) (*live.Created, map[string]string) {
	t.Helper()
	c := s.create(map[string]any{"scenario": "istanbul-2025", "variant": "us-signs", "seats": map[string]string{
		"Afghanistan/Kandahar": "loyal", "Afghanistan/Kabul": "watchdog:recall=1", "Afghanistan/Khost": "loyal"}})
	tok := tokens(c)
	text := nashText(t, "istanbul-2025", "us-signs")
	for k, v := range clauses {
		text[k] = v
	}
	for step := 0; step < 40; step++ {
		obs := s.view(c.ID, tok["observer"])
		if obs.Result.End != parley.Running {
			break
		}
		mover := obs.Move.Name
		v := s.view(c.ID, tok[mover])
		if mover == "mediator" {
			out := map[string]any{}
			for _, cl := range v.Text {
				if cl.OnAgenda {
					out[cl.Name] = text[cl.Name]
				}
			}
			s.act(c.ID, tok[mover], map[string]any{"kind": "text", "outcome": out})
			continue
		}
		s.act(c.ID, tok[mover], map[string]any{"kind": "answer", "answers": acceptAll(v)})
	}
	if obs := s.view(c.ID, tok["observer"]); obs.Result.End != parley.Agreement {
		t.Fatalf("the session ended %s (%s), want an agreement", obs.Result.End, obs.Result.Why)
	}
	return c, tok
}

// acceptAll answers a single text by accepting every clause proposed or
// agreed on the agenda.
func acceptAll(v *live.View) map[string]string {
	answers := map[string]string{}
	for _, cl := range v.Text {
		if cl.OnAgenda && (cl.State == parley.ClauseProposed || cl.State == parley.ClauseAgreed) {
			answers[cl.Name] = "accept"
		}
	}
	return answers
}

// monitorCall calls a monitoring endpoint and checks the status.
func (s *server) monitorCall(method, id, path, token string, body any, want int) response {
	s.t.Helper()
	r := s.call(method, "/api/sessions/"+id+"/monitor"+path, token, body)
	if r.status != want {
		s.t.Fatalf("%s .../monitor%s: %d %s, want %d", method, path, r.status, r, want)
	}
	return r
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("%v: %s", err, r)
	}
	return v
}

const acledCSV = `event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,admin1,location,latitude,longitude,fatalities,source,notes
PAK9001,2025-10-27,Battles,Armed clash,TTP,Military Forces of Pakistan,Khyber Pakhtunkhwa,Bajaur,34.78,71.52,4,Dawn,attack on a border post
PAK9002,2025-10-28,Explosions/Remote violence,Suicide bomb,TTP,,Khyber Pakhtunkhwa,Wana,32.30,69.57,2,Express Tribune,
AFG9003,2025-10-29,Explosions/Remote violence,Air/drone strike,Military Forces of Pakistan,,Paktika,Barmal,32.80,69.30,0,Tolo,
`

// TestMonitorIstanbul is the check issue 12 asks for: the Istanbul
// us-signs agreement is signed in a live session (the mediator writes the
// joint-finding attribution into the text); incidents are imported (a bad
// row refused by line and column, a re-import adding nothing); one is
// alleged and walked through a joint investigation to a ruling the
// mediators cast; each party sees what the mechanism grants it, the text
// refuses what it does not allow (403/409 with the reason, the attempt on
// the record); the compliance report says so; and the audit chain of the
// database holds.
func TestMonitorIstanbul(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	id := func(c *live.Created) string { return c.ID }

	// Before the end there is nothing to monitor.
	running := s.create(map[string]any{"scenario": "istanbul-2025", "variant": "us-signs"})
	r := s.monitorCall("GET", id(running), "", tokens(running)["observer"], nil, http.StatusConflict)
	if !strings.Contains(r.String(), "still negotiating") {
		t.Errorf("a running session: %s", r)
	}

	c, tok := agree(t, s, map[string]string{"attribution": "joint_finding", "monitoring": "mediated_mechanism"})
	v := decode[live.MonitorView](t, s.monitorCall("GET", c.ID, "", tok["observer"], nil, http.StatusOK))
	a := v.Accord
	if a.Signed != "2025-10-25" || a.Variant != "us-signs" || a.Mechanism.RuleFrom != "attribution=joint_finding" || a.Commitment("soil-not-used") == nil {
		t.Fatalf("accord: signed %s, variant %s, ruling from %q, commitments %d", a.Signed, a.Variant, a.Mechanism.RuleFrom, len(a.Commitments))
	}
	if v.As != "" || decode[live.MonitorView](t, s.monitorCall("GET", c.ID, "", tok["Pakistan"], nil, http.StatusOK)).As != "Pakistan" ||
		decode[live.MonitorView](t, s.monitorCall("GET", c.ID, "", tok["mediator"], nil, http.StatusOK)).As != parley.SeatMediators {
		t.Errorf("who acts as whom: observer %q", v.As)
	}

	// Incidents: a bad row refuses the file, by line and column; the
	// observer may not import; a re-import adds nothing.
	bad := strings.Replace(acledCSV, "2025-10-28", "28/10/2025", 1)
	r = s.monitorCall("POST", c.ID, "/incidents?file=export.csv", tok["Pakistan"], bad, http.StatusBadRequest)
	ie := decode[struct {
		Code   string            `json:"code"`
		Error  string            `json:"error"`
		Import live.ImportResult `json:"import"`
	}](t, r)
	if ie.Code != parley.EINVALID || len(ie.Import.Errors) != 1 || ie.Import.Errors[0].Line != 3 || ie.Import.Errors[0].Column != 9 ||
		ie.Import.Errors[0].Field != "event_date" || !strings.Contains(ie.Error, "export.csv:3:9") {
		t.Fatalf("a bad row: %s", r)
	}
	s.monitorCall("POST", c.ID, "/incidents", tok["observer"], acledCSV, http.StatusForbidden)
	imp := decode[live.ImportResult](t, s.monitorCall("POST", c.ID, "/incidents", tok["Pakistan"], acledCSV, http.StatusOK))
	if imp.Added != 3 || imp.Already != 0 || imp.Format != "acled" {
		t.Fatalf("import: %+v", imp)
	}
	imp = decode[live.ImportResult](t, s.monitorCall("POST", c.ID, "/incidents", tok["mediator"], acledCSV, http.StatusOK))
	if imp.Added != 0 || imp.Already != 3 {
		t.Fatalf("re-import: %+v", imp)
	}

	// The allegation, and steps out of order or out of turn.
	base := "/cases/c1/"
	s.monitorCall("POST", c.ID, "/allegations", tok["Pakistan"], map[string]any{"case": "c1", "incident": "acled:PAK9001",
		"accused": "Afghanistan", "commitments": []string{"soil-not-used"}, "date": "2025-10-27"}, http.StatusOK)
	s.monitorCall("POST", c.ID, "/allegations", tok["Pakistan"], map[string]any{"case": "c2", "incident": "acled:NOPE",
		"accused": "Afghanistan", "commitments": []string{"soil-not-used"}, "date": "2025-10-27"}, http.StatusNotFound)
	r = s.monitorCall("POST", c.ID, base+"rule", tok["Afghanistan"], map[string]any{"verdict": "unfounded", "date": "2025-10-27"}, http.StatusConflict)
	if !strings.Contains(r.String(), "no finding yet") {
		t.Errorf("a ruling before the finding: %s", r)
	}
	s.monitorCall("POST", c.ID, base+"open", tok["Pakistan"], map[string]any{"body": "joint", "date": "2025-10-28"}, http.StatusOK)
	s.monitorCall("POST", c.ID, base+"open", tok["Afghanistan"], map[string]any{"body": "joint", "date": "2025-10-28"}, http.StatusConflict)

	// The joint body's members give their views; the observer does not
	// see them, the members do.
	s.monitorCall("POST", c.ID, base+"find", tok["Pakistan"], map[string]any{"verdict": "attributed", "date": "2025-11-03"}, http.StatusOK)
	res := decode[live.StepResult](t, s.monitorCall("POST", c.ID, base+"find", tok["Afghanistan"], map[string]any{"verdict": "attributed", "date": "2025-11-04"}, http.StatusOK))
	if !slices.ContainsFunc(res.Events, func(e parley.CaseEvent) bool { return e.Kind == parley.CaseFinding && e.Verdict == parley.Attributed }) {
		t.Fatalf("the agreeing views make the finding stand: %+v", res.Events)
	}
	obsEvents := decode[live.MonitorView](t, s.monitorCall("GET", c.ID, "", tok["observer"], nil, http.StatusOK)).Events
	afgEvents := decode[live.MonitorView](t, s.monitorCall("GET", c.ID, "", tok["Afghanistan/Kabul"], nil, http.StatusOK)).Events
	if countKind(obsEvents, parley.CaseFind) != 0 || countKind(afgEvents, parley.CaseFind) != 2 {
		t.Errorf("members' views: the observer sees %d, Afghanistan's faction %d; want 0 and 2", countKind(obsEvents, parley.CaseFind), countKind(afgEvents, parley.CaseFind))
	}

	// The ruling: the parties split, a faction and the observer may not
	// vote, the mediators cast; a dissent is not in the text.
	s.monitorCall("POST", c.ID, base+"rule", tok["Pakistan"], map[string]any{"verdict": "attributed", "date": "2025-11-05"}, http.StatusOK)
	r = s.monitorCall("POST", c.ID, base+"rule", tok["mediator"], map[string]any{"verdict": "attributed", "date": "2025-11-05"}, http.StatusConflict)
	if !strings.Contains(r.String(), "every party has voted") {
		t.Errorf("casting early: %s", r)
	}
	s.monitorCall("POST", c.ID, base+"rule", tok["Afghanistan/Kabul"], map[string]any{"verdict": "unfounded", "date": "2025-11-05"}, http.StatusForbidden)
	s.monitorCall("POST", c.ID, base+"rule", tok["observer"], map[string]any{"verdict": "unfounded", "date": "2025-11-05"}, http.StatusForbidden)
	s.monitorCall("POST", c.ID, base+"rule", tok["Afghanistan"], map[string]any{"verdict": "not_attributable", "date": "2025-11-06"}, http.StatusOK)
	s.monitorCall("POST", c.ID, base+"rule", tok["mediator"], map[string]any{"verdict": "attributed", "date": "2025-11-07"}, http.StatusOK)
	r = s.monitorCall("POST", c.ID, base+"dissent", tok["Afghanistan"], map[string]any{"date": "2025-11-08"}, http.StatusForbidden)
	if !strings.Contains(r.String(), "no dissent") {
		t.Errorf("a dissent under a joint ruling: %s", r)
	}

	// The compliance report, as Pakistan and the observer read it.
	rep := decode[report](t, s.monitorCall("GET", c.ID, "/report?as_of=2025-11-10", tok["Pakistan"], nil, http.StatusOK))
	if len(rep.Cases) != 1 {
		t.Fatalf("cases: %+v", rep.Cases)
	}
	k := rep.Cases[0]
	if k.Ruling != "attributed" || k.RuledBy != "mediators (casting)" || !k.Disputed || !slices.Equal(k.CastOver, []string{"Afghanistan"}) || k.DaysToRuling == nil || *k.DaysToRuling != 11 {
		t.Errorf("case c1: %+v", k)
	}
	if st := standing(rep, "soil-not-used"); st != "disputed" {
		t.Errorf("soil-not-used is %s, want disputed (the ruling was cast over Afghanistan's vote)", st)
	}
	if countKind(rep.Events, parley.CaseRejected) != 4 {
		t.Errorf("%d refused steps on Pakistan's record, want 4 (the refused attempts are evidence too)", countKind(rep.Events, parley.CaseRejected))
	}
	st := decode[phttpStatus](t, s.monitorCall("GET", c.ID, "/status?as_of=2025-11-10", tok["observer"], nil, http.StatusOK))
	if st.Counts["disputed"] < 1 || len(st.Cases) != 1 {
		t.Errorf("status: %+v", st)
	}
	page := s.call("GET", "/api/sessions/"+c.ID+"/monitor/report.html?as_of=2025-11-10&token="+tok["Afghanistan"], "", nil)
	if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page.String(), "soil-not-used") || strings.Contains(page.String(), "<script src") {
		t.Errorf("the monitoring page: %d %s", page.status, page.header)
	}

	// The Monte Carlo, bounded.
	sim := s.monitorCall("POST", c.ID, "/simulate", tok["observer"], map[string]any{"runs": 200, "days": 60,
		"mechanisms": []string{"attribution=pakistan_decides,monitoring=bilateral_cell", "attribution=joint_finding"}}, http.StatusOK)
	if got := decode[struct {
		Results []struct {
			Name string  `json:"name"`
			P    float64 `json:"p_ceasefire_holds"`
		} `json:"results"`
	}](t, sim); len(got.Results) != 2 {
		t.Errorf("simulate: %s", sim)
	}
	s.monitorCall("POST", c.ID, "/simulate", tok["observer"], map[string]any{"runs": 1_000_000}, http.StatusBadRequest)
	s.monitorCall("POST", c.ID, "/simulate", tok["observer"], map[string]any{"runs": 20000, "days": 3650}, http.StatusBadRequest)

	// The transcript (the negotiation and its monitoring) reads back
	// whole, with the head every seat is shown.
	tr := s.call("GET", "/api/sessions/"+c.ID+"/transcript", tok["mediator"], nil)
	got, err := protocol.DecodeTranscript(strings.NewReader(tr.String()), protocol.ReadOptions{})
	if err != nil {
		t.Fatalf("transcript: %v", err)
	}
	head := decode[parley.ChainHead](t, s.call("GET", "/api/sessions/"+c.ID+"/head", tok["Afghanistan"], nil))
	if got.Head != head || len(got.Monitor) < 10 || got.Events[len(got.Events)-1].Type != protocol.EvEnd {
		t.Errorf("transcript: head %v (the store's %v), %d monitoring events", got.Head, head, len(got.Monitor))
	}

	// A ruling edited in the transcript breaks its chain at that event.
	edited := strings.Replace(tr.String(), `"body":"mediators (casting)","case":"c1"`, `"body":"mediators (casting)","case":"c2"`, 1)
	if edited == tr.String() {
		t.Fatal("no cast ruling in the transcript to edit")
	}
	var be *audit.BreakError
	if _, err := protocol.DecodeTranscript(strings.NewReader(edited), protocol.ReadOptions{}); !errors.As(err, &be) || be.Seq < int64(len(got.Events)) {
		t.Errorf("an edited monitoring event: %v, want a break after the negotiation's %d events", err, len(got.Events))
	}

	// The audit chain of the database holds; a server started again on it
	// rebuilds the monitoring from the chain and signs nothing twice.
	s.stop()
	checkAudit(t, s.path, c.ID)
	s2 := start(t, s.path)
	again := decode[report](t, s2.monitorCall("GET", c.ID, "/report?as_of=2025-11-10", tok["Pakistan"], nil, http.StatusOK))
	if len(again.Cases) != 1 || again.Cases[0].RuledBy != "mediators (casting)" {
		t.Errorf("after a restart: %+v", again.Cases)
	}
	applied := decode[live.StepResult](t, s2.monitorCall("POST", c.ID, base+"apply", tok["Pakistan"], map[string]any{"date": "2025-11-12"}, http.StatusOK))
	if h := decode[parley.ChainHead](t, s2.call("GET", "/api/sessions/"+c.ID+"/head", tok["observer"], nil)); len(applied.Events) == 0 || h.Events != head.Events+int64(len(applied.Events)) || applied.Head != h {
		t.Errorf("after a restart and one step: %d events, want %d (the step and what it caused, no second accord)", h.Events, head.Events+int64(len(applied.Events)))
	}
}

type phttpStatus struct {
	Counts map[string]int       `json:"counts"`
	Cases  []compliance.CaseRow `json:"cases"`
}

func countKind(evs []parley.CaseEvent, k parley.CaseEventKind) int {
	n := 0
	for _, e := range evs {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// report is compliance.Report as a client reads it (a status is text).
type report struct {
	Commitments []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"commitments"`
	Cases  []compliance.CaseRow `json:"cases"`
	Events []parley.CaseEvent   `json:"events"`
}

func standing(r report, id string) string {
	for _, c := range r.Commitments {
		if c.ID == id {
			return c.Status
		}
	}
	return ""
}

// checkAudit verifies every session's chain in the database at path, as
// 'parley audit verify --db' does, and that session id has monitoring
// events on it.
func checkAudit(t *testing.T, path, id string) {
	t.Helper()
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	ss, es := sqlite.NewSessionStore(db), sqlite.NewEventStore(db)
	recs, err := ss.FindSessions(ctx, parley.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		head, err := es.ChainHead(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := es.FindEvents(ctx, rec.ID, 0, parley.MaxFindEvents)
		if err != nil {
			t.Fatal(err)
		}
		if res := audit.Verify(rec.ID, audit.Genesis(rec.ID, rec.Definition), evs, &head); !res.Holds() {
			t.Errorf("session %s: %v", rec.ID, res.Err())
		}
		if rec.ID != id {
			continue
		}
		monitored := 0
		for _, e := range evs {
			if protocol.MonitorType(e.Type) {
				monitored++
			}
		}
		if monitored < 10 {
			t.Errorf("session %s: %d monitoring events on the chain", id, monitored)
		}
	}
}

package http_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/protocol"
)

// TestMonitorGuarantor: the United States guarantees the Istanbul
// us-signs agreement but has no seat at the table. The mediator issues it
// a token for the monitoring API (no other seat's token may, nor for a
// name that is a party or no seat of the accord). With it the guarantor
// does exactly what the mechanism lets the United States do — it reads
// what the mechanism shows it and alleges a breach — and nothing else: it
// may not investigate or rule (403, the attempt on the record), import
// incidents, issue tokens, or open anything of the negotiation (401); its
// view holds exactly the verification events whose audience names it. A
// new token revokes the old; the grant survives a restart, and the chain
// holds.
func TestMonitorGuarantor(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c, tok := agree(t, s, map[string]string{"attribution": "joint_finding", "monitoring": "mediated_mechanism", "guarantor": "us_guarantor"})
	us := "United States"
	if v := decode[live.MonitorView](t, s.monitorCall("GET", c.ID, "", tok["observer"], nil, http.StatusOK)); !slices.Contains(v.Accord.Seats, us) {
		t.Fatalf("the accord's seats %v do not name the guarantor", v.Accord.Seats)
	}

	// Who may issue a guarantor token, for whom.
	issue := map[string]any{"guarantor": us}
	s.monitorCall("POST", c.ID, "/guarantors", tok["observer"], issue, http.StatusForbidden)
	s.monitorCall("POST", c.ID, "/guarantors", tok["Afghanistan/Kabul"], issue, http.StatusForbidden)
	s.monitorCall("POST", c.ID, "/guarantors", "", issue, http.StatusUnauthorized)
	for _, name := range []string{"Pakistan", parley.SeatMediators, "India", ""} {
		r := s.monitorCall("POST", c.ID, "/guarantors", tok["Pakistan"], map[string]any{"guarantor": name}, http.StatusBadRequest)
		if !strings.Contains(r.String(), "United States") {
			t.Errorf("a guarantor token for %q: %s (the message should list the guarantors)", name, r)
		}
	}
	first := decode[live.IssuedGuarantor](t, s.monitorCall("POST", c.ID, "/guarantors", tok["mediator"], issue, http.StatusCreated))
	got := decode[live.IssuedGuarantor](t, s.monitorCall("POST", c.ID, "/guarantors", tok["mediator"], issue, http.StatusCreated))
	g := got.Token
	if got.Guarantor != us || got.By != parley.SeatMediators || len(g) != 43 || g == first.Token {
		t.Fatalf("issued: %+v", got)
	}
	// The new token replaced the first.
	s.monitorCall("GET", c.ID, "", first.Token, nil, http.StatusUnauthorized)
	v := decode[live.MonitorView](t, s.monitorCall("GET", c.ID, "", g, nil, http.StatusOK))
	if v.As != us {
		t.Fatalf("the guarantor's token acts as %q", v.As)
	}

	// Nothing of the negotiation opens with it, nor another session.
	for _, req := range []struct{ method, path string }{
		{"GET", ""}, {"GET", "/events"}, {"GET", "/head"}, {"GET", "/transcript"}, {"POST", "/actions"}, {"GET", "/analysis"}, {"GET", "/debrief"},
	} {
		if r := s.call(req.method, "/api/sessions/"+c.ID+req.path, g, map[string]any{"kind": "caucus", "message": "x"}); r.status != http.StatusUnauthorized {
			t.Errorf("%s %s with the guarantor's token: %d %s", req.method, req.path, r.status, r)
		}
	}
	other := s.create(map[string]any{"scenario": "istanbul-2025"})
	s.monitorCall("GET", other.ID, "", g, nil, http.StatusUnauthorized)

	// What the mechanism lets it do, and what it does not.
	s.monitorCall("POST", c.ID, "/incidents", tok["Pakistan"], acledCSV, http.StatusOK)
	s.monitorCall("POST", c.ID, "/incidents", g, acledCSV, http.StatusForbidden)
	s.monitorCall("POST", c.ID, "/guarantors", g, issue, http.StatusForbidden)
	alleged := decode[live.StepResult](t, s.monitorCall("POST", c.ID, "/allegations", g, map[string]any{"case": "us1", "incident": "acled:PAK9001",
		"accused": "Afghanistan", "commitments": []string{"soil-not-used"}, "date": "2025-10-27"}, http.StatusOK))
	if !slices.ContainsFunc(alleged.Events, func(e parley.CaseEvent) bool { return e.Kind == parley.CaseAllege && e.By == us }) {
		t.Fatalf("the guarantor's allegation: %+v", alleged.Events)
	}
	s.monitorCall("POST", c.ID, "/cases/us1/open", g, map[string]any{"body": "joint", "date": "2025-10-28"}, http.StatusForbidden)
	s.monitorCall("POST", c.ID, "/cases/us1/open", tok["Pakistan"], map[string]any{"body": "joint", "date": "2025-10-28"}, http.StatusOK)
	s.monitorCall("POST", c.ID, "/cases/us1/find", tok["Pakistan"], map[string]any{"verdict": "attributed", "date": "2025-11-03"}, http.StatusOK)
	s.monitorCall("POST", c.ID, "/cases/us1/find", g, map[string]any{"verdict": "attributed", "date": "2025-11-03"}, http.StatusForbidden)
	s.monitorCall("POST", c.ID, "/cases/us1/find", tok["Afghanistan"], map[string]any{"verdict": "attributed", "date": "2025-11-04"}, http.StatusOK)
	s.monitorCall("POST", c.ID, "/cases/us1/rule", g, map[string]any{"verdict": "attributed", "date": "2025-11-05"}, http.StatusForbidden)

	// Its view: exactly the verification events whose audience names the
	// United States, as stored.
	tr := s.call("GET", "/api/sessions/"+c.ID+"/transcript", tok["mediator"], nil)
	rec, err := protocol.DecodeTranscript(strings.NewReader(tr.String()), protocol.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want []parley.CaseEvent
	grants := 0
	for _, raw := range rec.Monitor {
		ln := decode[struct {
			Type  string
			Case  *parley.CaseEvent
			Grant *live.GuarantorGrant
		}](t, response{body: raw})
		if ln.Grant != nil {
			grants++
			if ln.Grant.TokenHash != parley.HashToken(first.Token) && ln.Grant.TokenHash != parley.HashToken(g) {
				t.Errorf("a grant on the record with an unknown hash: %+v", ln.Grant)
			}
		}
		if ln.Case != nil && slices.Contains(ln.Case.Audience, us) {
			want = append(want, *ln.Case)
		}
	}
	view := decode[live.MonitorView](t, s.monitorCall("GET", c.ID, "", g, nil, http.StatusOK)).Events
	if grants != 2 || len(view) != len(want) || len(want) == 0 {
		t.Fatalf("%d grants on the record; the guarantor sees %d events, %d name it", grants, len(view), len(want))
	}
	for i := range want {
		if view[i].Seq != want[i].Seq {
			t.Fatalf("the guarantor's event %d is seq %d, want %d", i, view[i].Seq, want[i].Seq)
		}
	}
	if countKind(view, parley.CaseFind) != 0 || countKind(view, parley.CaseRejected) != 3 {
		t.Errorf("the guarantor sees %d views of the joint body's members (want none) and %d of its refused steps (want 3)", countKind(view, parley.CaseFind), countKind(view, parley.CaseRejected))
	}
	rep := decode[report](t, s.monitorCall("GET", c.ID, "/report?as_of=2025-11-10", g, nil, http.StatusOK))
	if len(rep.Cases) != 1 || countKind(rep.Events, parley.CaseFind) != 0 {
		t.Errorf("the guarantor's report: %d cases, %d finds", len(rep.Cases), countKind(rep.Events, parley.CaseFind))
	}

	// The grant is on the chain: after a restart the token still opens
	// the monitoring (and the first still does not); the chain holds.
	s.stop()
	checkAudit(t, s.path, c.ID)
	s2 := start(t, s.path)
	if v := decode[live.MonitorView](t, s2.monitorCall("GET", c.ID, "", g, nil, http.StatusOK)); v.As != us {
		t.Errorf("after a restart the guarantor acts as %q", v.As)
	}
	s2.monitorCall("GET", c.ID, "", first.Token, nil, http.StatusUnauthorized)
}

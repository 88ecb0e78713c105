package http_test

import (
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// monitorTarget is one agreed session, with incidents and an open case,
// shared by the monitoring API's fuzz inputs.
var (
	monitorOnce sync.Once
	monitorT    *fuzzTarget
)

func monitorTarget(t *testing.T) *fuzzTarget {
	monitorOnce.Do(func() {
		s := start(&quietTB{TB: t}, "")
		c, tok := agree(t, s, map[string]string{"attribution": "joint_finding", "monitoring": "mediated_mechanism", "guarantor": "us_guarantor"})
		s.monitorCall("POST", c.ID, "/incidents", tok["Pakistan"], acledCSV, http.StatusOK)
		s.monitorCall("POST", c.ID, "/allegations", tok["Pakistan"], map[string]any{"case": "c1", "incident": "acled:PAK9001",
			"accused": "Afghanistan", "commitments": []string{"soil-not-used"}, "date": "2025-10-27"}, http.StatusOK)
		monitorT = &fuzzTarget{s: s, id: c.ID, tok: tok}
	})
	return monitorT
}

// monitorEndpoints a fuzz input goes to; for GETs the input is the query.
var monitorEndpoints = []struct{ method, path, seat string }{
	{"POST", "/incidents?skip_bad=true", "Pakistan"},
	{"POST", "/steps", "Pakistan"},
	{"POST", "/steps", "mediator"},
	{"POST", "/cases/c1/rule", "Afghanistan"},
	{"POST", "/steps", "observer"},
	{"POST", "/simulate", "observer"},
	{"GET", "/report?as_of=", "Afghanistan"},
	{"GET", "/incidents?from=", "Afghanistan/Kabul"},
	{"POST", "/obligations/mechanism-seated/report", "Afghanistan"},
	{"POST", "/incidents", "mediator"},
	{"POST", "/guarantors", "mediator"},
}

var monitorSeeds = []struct {
	endpoint int
	body     string
}{
	{0, acledCSV},
	{0, "id,date_start,date_end,side_a,side_b,latitude,longitude,best\n1,2025-10-30,2025-10-30,Government of Pakistan,TTP,33.1,70.2,3\n"},
	{0, "event_id_cnty,event_date\n\"unterminated"},
	{0, "\ufeff"},
	{1, `{"kind":"allege","case":"c2","incident":"acled:PAK9002","accused":"Afghanistan","commitments":["soil-not-used"],"date":"2025-10-28"}`},
	{1, `{"kind":"open","case":"c1","body":"joint","date":"2025-10-29"}`},
	{1, `{"kind":"find","case":"c1","verdict":"attributed","date":"2025-10-30"}`},
	{1, `{"kind":"evidence","case":"c1","confidential":true,"note":"intercepts","date":"2025-10-30"}`},
	{1, `{"kind":"ruling","case":"c1"}`},
	{1, `{"kind":"tick","date":"9999-12-31"}`},
	{1, `{"case":"c1"}`},
	{2, `{"kind":"find","case":"c1","verdict":"not_attributable","date":"2025-10-31"}`},
	{2, `{"kind":"rule","case":"c1","verdict":"attributed","date":"2025-11-02"}`},
	{2, `{"kind":"report","commitment":"mechanism-report","instance":1,"date":"2025-11-24"}`},
	{3, `{"verdict":"unfounded","date":"2025-11-01"}`},
	{3, `{"kind":"dissent","verdict":"unfounded"}`},
	{4, `{"kind":"rule","case":"c1","verdict":"attributed"}`},
	{5, `{"runs":50,"days":30,"mechanisms":["attribution=pakistan_decides"]}`},
	{5, `{"runs":50,"mechanisms":["nonsense"]}`},
	{5, `{"runs":50,"days":-1,"seed":18446744073709551615}`},
	{6, `2025-11-30`},
	{6, `1900-01-01`},
	{6, `99999-01-01`},
	{7, `3`},
	{7, `-1`},
	{8, `{"instance":1,"date":"2025-11-20"}`},
	{8, `{"instance":99999999999}`},
	{9, strings.Repeat("x,", 5000)},
	{10, `{"guarantor":"United States"}`},
	{10, `{"guarantor":"Pakistan"}`},
	{10, `{"guarantor":"United States","by":"Pakistan"}`},
	{10, `{"guarantor":"` + strings.Repeat("é", 200) + `"}`},
}

func (f *fuzzTarget) sendMonitor(which int, body []byte) response {
	ep := monitorEndpoints[which%len(monitorEndpoints)]
	path := "/api/sessions/" + f.id + "/monitor" + ep.path
	if ep.method == "GET" {
		status, text := f.s.status("GET", path+url.QueryEscape(string(body)), f.tok[ep.seat], nil)
		return response{status: status, body: []byte(text)}
	}
	return f.s.call(ep.method, path, f.tok[ep.seat], body)
}

// FuzzMonitorAPI sends arbitrary bodies to the monitoring endpoints:
// never a 5xx, errors are JSON with a code and a message, nothing
// internal shows, and the record stays one that replays (the view
// rebuilds from it).
func FuzzMonitorAPI(f *testing.F) {
	for _, s := range monitorSeeds {
		f.Add(s.endpoint, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, which int, body []byte) {
		if which < 0 {
			which = -which
		}
		ft := monitorTarget(t)
		checkResponse(t, string(body), ft.sendMonitor(which, body))
	})
}

// TestMutatedMonitorRequests mutates the monitoring seeds at random on
// every run (the same properties as FuzzMonitorAPI), then checks that
// what was stored still replays: a second server on the database builds
// the same monitoring view.
func TestMutatedMonitorRequests(t *testing.T) {
	ft := monitorTarget(t)
	rng := rand.New(rand.NewPCG(3, 4))
	n := 600
	if testing.Short() {
		n = 150
	}
	for i := 0; i < n; i++ {
		sd := monitorSeeds[rng.IntN(len(monitorSeeds))]
		body := mutate(rng, []byte(sd.body))
		checkResponse(t, string(body), ft.sendMonitor(sd.endpoint, body))
	}
	before := ft.s.monitorCall("GET", ft.id, "", ft.tok["mediator"], nil, http.StatusOK)
	again := start(t, ft.s.path) // a second server on the database rebuilds the session from the store
	after := again.monitorCall("GET", ft.id, "", ft.tok["mediator"], nil, http.StatusOK)
	if stripDay(before.String()) != stripDay(after.String()) {
		t.Errorf("the monitoring view rebuilt from the store differs:\n%s\n%s", before, after)
	}
}

func stripDay(s string) string {
	i := strings.Index(s, `"day":`)
	j := strings.Index(s, `"incidents":`)
	if i < 0 || j < i {
		return s
	}
	return s[:i] + s[j:]
}

// TestMonitorAuth: who may do what. A missing or foreign token opens
// nothing (401); a faction and the observer read but do not act (403); a
// party acts as itself only — the body cannot name another actor.
func TestMonitorAuth(t *testing.T) {
	ft := monitorTarget(t)
	other := ft.s.create(map[string]any{"scenario": "istanbul-2025"})
	foreign := tokens(other)["Pakistan"]
	for _, tc := range []struct {
		method, path, token string
		body                any
		want                int
	}{
		{"GET", "", "", nil, http.StatusUnauthorized},
		{"GET", "", foreign, nil, http.StatusUnauthorized},
		{"GET", "", "forged-token", nil, http.StatusUnauthorized},
		{"POST", "/incidents", "", acledCSV, http.StatusUnauthorized},
		{"POST", "/steps", foreign, map[string]any{"kind": "tick"}, http.StatusUnauthorized},
		{"GET", "", ft.tok["observer"], nil, http.StatusOK},
		{"GET", "/report", ft.tok["Afghanistan/Khost"], nil, http.StatusOK},
		{"POST", "/incidents", ft.tok["Afghanistan/Khost"], acledCSV, http.StatusForbidden},
		{"POST", "/steps", ft.tok["Afghanistan/Khost"], map[string]any{"kind": "tick"}, http.StatusForbidden},
		{"POST", "/steps", ft.tok["observer"], map[string]any{"kind": "tick"}, http.StatusForbidden},
		{"POST", "/steps", ft.tok["Pakistan"], map[string]any{"kind": "rule", "case": "c1", "by": "mediators", "verdict": "attributed"}, http.StatusBadRequest},
		{"POST", "/allegations", ft.tok["Afghanistan"], map[string]any{"kind": "rule", "case": "c9"}, http.StatusBadRequest},
		{"POST", "/cases/c1/judge", ft.tok["Afghanistan"], map[string]any{}, http.StatusNotFound},
		{"POST", "/steps", ft.tok["Pakistan"], map[string]any{"kind": "ruling", "case": "c1"}, http.StatusBadRequest},
		{"POST", "/steps", ft.tok["Pakistan"], map[string]any{"case": "c1"}, http.StatusBadRequest},
	} {
		r := ft.s.call(tc.method, "/api/sessions/"+ft.id+"/monitor"+tc.path, tc.token, tc.body)
		checkResponse(t, tc.path, r)
		if r.status != tc.want {
			t.Errorf("%s %s (token %.8s): %d %s, want %d", tc.method, tc.path, tc.token, r.status, r, tc.want)
		}
	}
}

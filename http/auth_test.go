package http_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// TestAuthorizationMatrix tries every endpoint with every kind of
// credential — the mediator, each party, a faction, the observer, a seat
// of another session, no token, a forged token — and checks the status
// against a table. A forged token and another session's are told apart by
// nothing.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	// s0s1-factions: the base has no delegation, so no principal seats.
	spec := map[string]any{"scenario": "istanbul-2025", "variant": "s0s1-factions"}
	a := s.create(spec)
	b := s.create(spec)
	tok := tokens(a)
	forged, _ := parley.NewToken()
	roles := []struct{ name, token string }{
		{"mediator", tok["mediator"]},
		{"Pakistan", tok["Pakistan"]},
		{"Afghanistan", tok["Afghanistan"]},
		{"principal", tok["Afghanistan/Kabul"]},
		{"observer", tok["observer"]},
		{"other session", tokens(b)["mediator"]},
		{"no token", ""},
		{"forged", forged},
	}
	for _, r := range roles {
		if r.token == "" && r.name != "no token" {
			t.Fatalf("no token for %s; the seats are %v", r.name, a.Seats)
		}
	}
	const (
		ok, created, bad, unauth, forbid = 200, 201, 400, 401, 403
	)
	caucus := func(role string) map[string]any {
		m := map[string]any{"kind": "caucus", "message": "hello from " + role}
		if role == "mediator" {
			m["party"] = "Pakistan"
		}
		return m
	}
	instruct := map[string]any{"kind": "instruction", "instruction": map[string]any{"kind": "lower_floor", "delta": 0.05}}
	matrix := []struct {
		endpoint string
		method   string
		path     string
		body     func(role string) any
		want     [8]int // in the order of roles
	}{
		{"view", "GET", "", nil, [8]int{ok, ok, ok, ok, ok, unauth, unauth, unauth}},
		{"caucus", "POST", "/actions", func(r string) any { return caucus(r) }, [8]int{ok, ok, ok, bad, bad, unauth, unauth, unauth}},
		{"instruction", "POST", "/actions", func(string) any { return instruct }, [8]int{bad, bad, bad, ok, bad, unauth, unauth, unauth}},
		{"events", "GET", "/events", nil, [8]int{ok, ok, ok, ok, ok, unauth, unauth, unauth}},
		{"transcript", "GET", "/transcript", nil, [8]int{ok, forbid, forbid, forbid, ok, unauth, unauth, unauth}},
		{"head", "GET", "/head", nil, [8]int{ok, ok, ok, ok, ok, unauth, unauth, unauth}},
		// No seat here is "remote": every seat's token is refused the
		// agent WebSocket (TestRemoteAgentRefused covers a remote seat).
		{"agent", "GET", "/agent", nil, [8]int{forbid, forbid, forbid, forbid, forbid, unauth, unauth, unauth}},
		{"create", "POST", "", func(string) any { return spec }, [8]int{created, created, created, created, created, created, created, created}},
	}
	for _, row := range matrix {
		var bodies [8]string
		for i, role := range roles {
			path := "/api/sessions/" + a.ID + row.path
			if row.endpoint == "create" {
				path = "/api/sessions"
			}
			var body any
			if row.body != nil {
				body = row.body(role.name)
			}
			status, text := s.status(row.method, path, role.token, body)
			bodies[i] = text
			if status != row.want[i] {
				t.Errorf("%s by %s: status %d, want %d: %s", row.endpoint, role.name, status, row.want[i], text)
			}
		}
		if row.want[5] == unauth && bodies[5] != bodies[7] {
			t.Errorf("%s: another session's token and a forged one are told apart:\n%s\n%s", row.endpoint, bodies[5], bodies[7])
		}
	}
}

// status makes a request and returns its status and (except for event
// streams, which never end) its body.
func (s *server) status(method, path, token string, body any) (int, string) {
	s.t.Helper()
	if method != "GET" || !strings.Contains(path, "/events") {
		r := s.call(method, path, token, body)
		return r.status, r.String()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res := s.request(ctx, method, path, token, nil)
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		r := s.call(method, path, token, nil)
		return r.status, r.String()
	}
	return res.StatusCode, ""
}

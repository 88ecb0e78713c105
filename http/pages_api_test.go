package http_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley/live"
)

// secrets creates a session of testdata/secrets.yaml, the scenario whose
// confidential parts are marked, and returns it with its seats' tokens by
// name.
func (s *server) secrets(t *testing.T) (*live.Created, map[string]string) {
	t.Helper()
	yaml, err := os.ReadFile("testdata/secrets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := s.create(map[string]any{"yaml": string(yaml)})
	return c, tokens(c)
}

// TestPageEndpoints: who may read the mediator's panel, the debrief and
// the report, before and after the end; the lobby's catalogue and preview;
// the pages and their assets with their headers.
func TestPageEndpoints(t *testing.T) {
	t.Parallel()
	s := start(t, "")
	c, tok := s.secrets(t)
	_, other := s.secrets(t)
	yaml, err := os.ReadFile("testdata/secrets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		path           string
		seat           string
		before, after_ int
	}
	var rows []row
	for _, seat := range []string{"mediator", "North", "South", "South/Port", "observer", "other", "none"} {
		ok := func(want bool, yes, no int) int {
			if want {
				return yes
			}
			return no
		}
		deny := http.StatusForbidden
		if seat == "other" || seat == "none" {
			deny = http.StatusUnauthorized
		}
		record := seat == "mediator" || seat == "observer"
		rows = append(rows,
			row{"/analysis", seat, ok(seat == "mediator", 200, deny), ok(seat == "mediator", 200, deny)},
			row{"/debrief", seat, ok(record, 409, deny), ok(record, 200, deny)},
			row{"/report", seat, ok(record, 409, deny), ok(record, 200, deny)})
	}
	check := func(after bool) {
		for _, r := range rows {
			token := tok[r.seat]
			if r.seat == "other" {
				token = other["North"]
			}
			got := s.call("GET", "/api/sessions/"+c.ID+r.path, token, nil)
			want := r.before
			if after {
				want = r.after_
			}
			if got.status != want {
				t.Errorf("after the end %v: %s by %s: %d, want %d: %s", after, r.path, r.seat, got.status, want, got)
			}
			if r.path == "/report" && got.status == 200 && !strings.Contains(got.header.Get("Content-Security-Policy"), "sandbox") {
				t.Errorf("the report is served without a sandbox: %v", got.header)
			}
		}
	}
	check(false)
	s.act(c.ID, tok["mediator"], map[string]any{"kind": "end", "reason": "done"})
	check(true)

	if r := s.call("GET", "/api/scenarios", "", nil); r.status != 200 || !strings.Contains(r.String(), `"name":"istanbul-2025"`) {
		t.Errorf("scenarios: %d %.200s", r.status, r)
	}
	if r := s.call("GET", "/api/agents", "", nil); r.status != 200 || !strings.Contains(r.String(), `"boulware"`) {
		t.Errorf("agents: %d %.200s", r.status, r)
	}
	r := s.call("POST", "/api/scenarios/preview", "", map[string]any{"yaml": string(yaml), "seats": map[string]string{"North": "delegate"}})
	if r.status != 200 || !strings.Contains(r.String(), `"player":"delegate"`) || strings.Contains(r.String(), "SECRET") || strings.Contains(r.String(), `"token"`) {
		t.Errorf("preview: %d %s", r.status, r)
	}
	if r := s.call("POST", "/api/scenarios/preview", "", map[string]any{"scenario": "no-such"}); r.status != 400 {
		t.Errorf("preview of an unknown scenario: %d %s", r.status, r)
	}
	for path, want := range map[string]int{"/": 200, "/s/" + c.ID: 200, "/assets/seat.js": 200, "/assets/app.css": 200, "/assets/": 404, "/assets/lobby.html": 404, "/assets/nope.js": 404} {
		r := s.call("GET", path, "", nil)
		if r.status != want {
			t.Errorf("GET %s: %d, want %d", path, r.status, want)
		}
		if want == 200 && strings.HasSuffix(path, "/") || strings.HasPrefix(path, "/s/") {
			if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("GET %s: CSP %q", path, csp)
			}
		}
	}
}

//go:build linux

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// agentScript writes an sh agent that answers every your_turn with reply
// (in which TURN stands for the turn's number) and exits at finished.
func agentScript(t *testing.T, reply string) string {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("parley connect: no sh on PATH for this test's agents")
	}
	path := filepath.Join(t.TempDir(), "agent.sh")
	body := `while read -r line; do
  case "$line" in
    *'"your_turn"'*) turn=$(printf '%s' "$line" | sed 's/.*"turn":\([0-9]*\).*/\1/'); printf '%s\n' '` + reply + `' | sed "s/TURN/$turn/" ;;
    *'"finished"'*) exit 0 ;;
  esac
done
`
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConnect plays a remote seat of a 'parley serve' subprocess with an
// agent program through 'parley connect': an agent that walks away ends
// the session, and connect says so and exits 0; an agent that breaks the
// protocol is named by the server, and connect exits 1 with its reason;
// a wrong token is refused before the agent starts.
func TestConnect(t *testing.T) {
	t.Setenv("PARLEY_TOKEN", "")
	srv := startServe(t, filepath.Join(t.TempDir(), "parley.db"))
	defer func() { _ = srv.cmd.Process.Kill(); _, _ = srv.cmd.Process.Wait() }()
	create := func() (id, token string) {
		body, status, err := post(srv.url+"/api/sessions", "", map[string]any{"scenario": "istanbul-2025", "protocol": "sao",
			"seats": map[string]string{"Pakistan": "conceder", "Afghanistan": "remote"}})
		if err != nil || status != 201 {
			t.Fatalf("create: %d %s %v", status, body, err)
		}
		var c struct {
			ID    string
			Seats []struct{ Name, Token string }
		}
		if err := json.Unmarshal(body, &c); err != nil {
			t.Fatal(err)
		}
		for _, s := range c.Seats {
			if s.Name == "Afghanistan" {
				return c.ID, s.Token
			}
		}
		t.Fatal("no Afghanistan seat")
		return "", ""
	}

	id, token := create()
	out, errs, code := run(t, "connect", "--server", srv.url, "--session", id, "--token", token, "sh", agentScript(t, `{"type":"end_negotiation","turn":TURN}`))
	if code != 0 || !strings.Contains(out, "the session has ended") {
		t.Fatalf("walking away: exit %d\n%s%s", code, out, errs)
	}
	var v struct{ Result struct{ End, Why string } }
	if err := json.Unmarshal(fetch(t, srv.url+"/api/sessions/"+id, token), &v); err != nil || v.Result.End != "walk_out" {
		t.Fatalf("the session: %+v %v", v, err)
	}

	id, token = create()
	_, errs, code = run(t, "connect", "--server", srv.url, "--session", id, "--token", token, "sh", agentScript(t, `{"type":"offer","bid":[0],"turn":TURN}`))
	if code != 1 || !strings.Contains(errs, "(1008)") || !strings.Contains(errs, "sent an offer with 1 options for 7 issues") {
		t.Fatalf("a faulty agent: exit %d: %s", code, errs)
	}

	_, errs, code = run(t, "connect", "--server", srv.url, "--session", id, "--token", "forged", "sh", agentScript(t, ""))
	if code != 1 || !strings.Contains(errs, "401") || !strings.Contains(errs, "unauthorized") {
		t.Fatalf("a wrong token: exit %d: %s", code, errs)
	}
	if _, errs, code = run(t, "connect", "--session", id, "sh"); code != 2 || !strings.Contains(errs, "token") {
		t.Fatalf("no token: exit %d: %s", code, errs)
	}
}

// fetch GETs url with a bearer token and returns the body of a 200.
func fetch(t *testing.T, url, token string) []byte {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s %v", url, res.StatusCode, b, err)
	}
	return b
}

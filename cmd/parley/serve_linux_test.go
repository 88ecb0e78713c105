//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/protocol"
)

// startServe runs 'parley serve' as a subprocess (this test binary,
// through TestMain) on the database at path and waits until it listens.
func startServe(t *testing.T, path string) *loadServer {
	t.Helper()
	c, err := startServeProcess(os.Args[0], append(os.Environ(), childEnv+"=1"), "--db", path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// post sends a JSON request and returns the answer's body and status.
func post(url, token string, body any) ([]byte, int, error) {
	raw, _ := json.Marshal(body)
	return request(context.Background(), http.DefaultClient, "POST", url, token, raw)
}

// createSessions creates n istanbul-2025 sessions (deadline 5000 rounds)
// through the server at url.
func createSessions(t *testing.T, url string, n int, ack *acked) []*live.Created {
	t.Helper()
	var out []*live.Created
	for range n {
		b, status, err := post(url+"/api/sessions", "", map[string]any{"scenario": "istanbul-2025", "deadline": 5000})
		if err != nil || status != http.StatusCreated {
			t.Fatalf("create: %d %v %s", status, err, b)
		}
		var cr live.Created
		if err := json.Unmarshal(b, &cr); err != nil {
			t.Fatal(err)
		}
		out = append(out, &cr)
		ack.events[cr.ID] = map[int64]string{}
	}
	return out
}

// acked is what the server acknowledged: the events it said it stored,
// by session and seq, and the caucus messages.
type acked struct {
	mu       sync.Mutex
	events   map[string]map[int64]string // session → seq → canonical payload
	messages map[string]bool
}

func (a *acked) add(session string, out *live.Acted, msg string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, raw := range out.Events {
		var ev struct{ Seq int64 }
		_ = json.Unmarshal(raw, &ev)
		a.events[session][ev.Seq] = string(raw)
	}
	if msg != "" {
		a.messages[msg] = true
	}
}

// TestServeKill runs 'parley serve' as a subprocess under load — writers
// in caucus on three sessions, and a player taking the turns of each —
// and SIGKILLs it at random moments, five times, restarting it each time.
// Then every event the server acknowledged is in the transcript at the
// seq it was acknowledged with, every acknowledged caucus message is
// there exactly once (none twice, acknowledged or not), the transcripts
// replay, and 'parley audit verify --db' finds every chain whole.
func TestServeKill(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "parley.db")
	c := startServe(t, path)
	ack := &acked{events: map[string]map[int64]string{}, messages: map[string]bool{}}
	sessions := createSessions(t, c.url, 3, ack)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	for run := range 5 {
		if run > 0 {
			c = startServe(t, path)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() { defer wg.Done(); writeCaucus(c.url, sessions[w%3], fmt.Sprintf("w%d-r%d", w, run), ack, stop) }()
		}
		for _, s := range sessions {
			wg.Add(1)
			go func() { defer wg.Done(); playTurns(c.url, s, ack, stop) }()
		}
		time.Sleep(time.Duration(150+r.IntN(400)) * time.Millisecond)
		_ = c.cmd.Process.Signal(syscall.SIGKILL)
		_ = c.cmd.Wait()
		close(stop)
		wg.Wait()
	}
	c = startServe(t, path)
	n := 0
	for _, s := range sessions {
		n += checkRecord(t, c.url, s, ack)
	}
	if n == 0 || len(ack.messages) == 0 {
		t.Fatalf("nothing was acknowledged under load (%d events, %d messages)", n, len(ack.messages))
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM) // a graceful stop, then the audit
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
	var out, errs bytes.Buffer
	if err := (&Main{Stdout: &out, Stderr: &errs}).Run(context.Background(), []string{"audit", "verify", "--db", path}); err != nil {
		t.Fatalf("audit verify: %v\n%s%s", err, out.String(), errs.String())
	}
	if strings.Count(out.String(), "chain holds") != len(sessions) {
		t.Fatalf("audit verify:\n%s", out.String())
	}
	t.Logf("%d acknowledged events, %d acknowledged caucus messages survived 5 SIGKILLs", n, len(ack.messages))

	// The served record, tampered with: audit verify names the first
	// broken seq (the helpers of TestAuditVerifyDB).
	id := sessions[1].ID
	for _, tc := range []struct {
		stmts []string
		want  string
	}{
		{[]string{`UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), '"round":0', '"round":1') AS BLOB) WHERE session = :s AND seq = 3`}, "chain breaks at seq 3: hash does not match"},
		{[]string{`DELETE FROM events WHERE session = :s AND seq = 5`}, "chain breaks at seq 5: found seq 6"},
		{[]string{`UPDATE events SET seq = -1 WHERE session = :s AND seq = 2`, `UPDATE events SET seq = 2 WHERE session = :s AND seq = 7`, `UPDATE events SET seq = 7 WHERE session = :s AND seq = -1`}, "chain breaks at seq 2"},
	} {
		out, errs, code := run(t, "audit", "verify", "--db", tamper(t, path, id, tc.stmts...), "--session", id)
		if code != 2 || !strings.Contains(out, tc.want) {
			t.Errorf("tampered %v: exit %d: %s%s; want %q", tc.stmts, code, out, errs, tc.want)
		}
	}
}

// writeCaucus posts caucus messages, each unique, until stop.
func writeCaucus(url string, s *live.Created, tag string, ack *acked, stop chan struct{}) {
	tok := seatTokens(s)
	for k := 0; ; k++ {
		select {
		case <-stop:
			return
		default:
		}
		msg := fmt.Sprintf("%s-%d", tag, k)
		b, status, err := post(url+"/api/sessions/"+s.ID+"/actions", tok["Pakistan"], map[string]any{"kind": "caucus", "message": msg})
		if err != nil {
			return // the server is gone
		}
		var out live.Acted
		if status == http.StatusOK && json.Unmarshal(b, &out) == nil {
			ack.add(s.ID, &out, msg)
		}
	}
}

// playTurns takes whoever's turn it is in s until stop: the mediator
// writes a text, the parties reject it.
func playTurns(url string, s *live.Created, ack *acked, stop chan struct{}) {
	tok := seatTokens(s)
	for k := 0; ; k++ {
		select {
		case <-stop:
			return
		default:
		}
		req, _ := http.NewRequest("GET", url+"/api/sessions/"+s.ID, nil)
		req.Header.Set("Authorization", "Bearer "+tok["observer"])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		var v live.View
		err = json.NewDecoder(res.Body).Decode(&v)
		res.Body.Close()
		if err != nil || v.Move == nil {
			return
		}
		a := map[string]any{"kind": "answer", "answers": map[string]string{"ceasefire": "reject"}}
		if v.Move.Name == "mediator" {
			opt := []string{"open_ended", "extended_with_review"}[k%2]
			a = map[string]any{"kind": "text", "outcome": map[string]string{"ceasefire": opt}}
		}
		b, status, err := post(url+"/api/sessions/"+s.ID+"/actions", tok[v.Move.Name], a)
		if err != nil {
			return
		}
		var out live.Acted
		if status == http.StatusOK && json.Unmarshal(b, &out) == nil {
			ack.add(s.ID, &out, "")
		}
	}
}

func seatTokens(c *live.Created) map[string]string {
	out := map[string]string{}
	for _, s := range c.Seats {
		out[s.Name] = s.Token
	}
	return out
}

// checkRecord fetches s's transcript and checks it against what was
// acknowledged; it returns the number of acknowledged events.
func checkRecord(t *testing.T, url string, s *live.Created, ack *acked) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/api/sessions/"+s.ID+"/transcript", nil)
	req.Header.Set("Authorization", "Bearer "+seatTokens(s)["mediator"])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	tr, err := protocol.DecodeTranscript(res.Body, protocol.ReadOptions{})
	if err != nil {
		t.Fatalf("session %s: the transcript does not check out: %v", s.ID, err)
	}
	if _, err := protocol.Replay(tr.Header, tr.Events); err != nil {
		t.Fatalf("session %s: the transcript does not replay: %v", s.ID, err)
	}
	seen := map[string]int{}
	for _, ev := range tr.Events {
		if ev.Type == protocol.EvCaucus {
			seen[ev.Message]++
		}
	}
	for msg, n := range seen {
		if n > 1 {
			t.Errorf("session %s: caucus message %q stored %d times", s.ID, msg, n)
		}
	}
	for seq, payload := range ack.events[s.ID] {
		if seq >= int64(len(tr.Events)) {
			t.Errorf("session %s: acknowledged event %d lost (%d stored)", s.ID, seq, len(tr.Events))
			continue
		}
		got, _ := protocol.Record(tr.Events[seq])
		if string(got.Payload) != payload {
			t.Errorf("session %s: event %d is\n%s\nbut was acknowledged as\n%s", s.ID, seq, got.Payload, payload)
		}
	}
	return len(ack.events[s.ID])
}

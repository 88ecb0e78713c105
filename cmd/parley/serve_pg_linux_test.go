//go:build linux

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/live"
)

// TestServeTwoPostgres runs two 'parley serve' processes on one
// PostgreSQL database (a cluster of the test's own, internal/pgtest). A
// caucus message posted through one reaches the other's event stream.
// Then, under load through both — caucus writers and turn players on
// three sessions, each session written through both servers — one server
// is SIGKILLed while the other goes on, and restarted, four times
// (alternately), and finally both at once. Every event either server
// acknowledged is stored at its seq, no caucus message twice, the
// transcripts replay, and 'parley audit verify --db postgres://...'
// finds every chain whole.
func TestServeTwoPostgres(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	srv := []*loadServer{startServe(t, url), startServe(t, url)}
	defer func() {
		for _, c := range srv {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
		}
	}()
	ack := &acked{events: map[string]map[int64]string{}, messages: map[string]bool{}}
	sessions := createSessions(t, srv[0].url, 3, ack)
	crossStream(t, srv[0].url, srv[1].url, sessions[0], ack)

	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 10))
	survived := 0
	for run := range 5 {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				writeCaucus(srv[w%2].url, sessions[w%3], fmt.Sprintf("w%d-r%d", w, run), ack, stop)
			}()
		}
		for i, s := range sessions {
			wg.Add(1)
			go func() { defer wg.Done(); playTurns(srv[(i+run)%2].url, s, ack, stop) }()
		}
		time.Sleep(time.Duration(150+r.IntN(300)) * time.Millisecond)
		killed := []int{run % 2}
		if run == 4 {
			killed = []int{0, 1}
		}
		for _, k := range killed {
			_ = srv[k].cmd.Process.Signal(syscall.SIGKILL)
		}
		if len(killed) == 1 {
			// The other server goes on alone.
			before := ack.count()
			time.Sleep(200 * time.Millisecond)
			if ack.count() > before {
				survived++
			}
		}
		for _, k := range killed {
			_ = srv[k].cmd.Wait()
		}
		close(stop)
		wg.Wait()
		for _, k := range killed {
			srv[k] = startServe(t, url)
		}
	}
	if survived == 0 {
		t.Error("while one server was down, the other acknowledged nothing")
	}
	n := 0
	for i, s := range sessions {
		n += checkRecord(t, srv[i%2].url, s, ack)
	}
	if n == 0 || len(ack.messages) == 0 {
		t.Fatalf("nothing was acknowledged under load (%d events, %d messages)", n, len(ack.messages))
	}
	out, errs, code := run(t, "audit", "verify", "--db", url)
	if code != 0 || strings.Count(out, "chain holds") != len(sessions) {
		t.Fatalf("audit verify: exit %d\n%s%s", code, out, errs)
	}
	t.Logf("%d acknowledged events, %d acknowledged caucus messages survived SIGKILLs of one server (the other going on, %d times of 4) and of both", n, len(ack.messages), survived)
}

// count returns the number of acknowledged events.
func (a *acked) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, evs := range a.events {
		n += len(evs)
	}
	return n
}

// crossStream posts a caucus message through the server at from and waits
// for it on the mediator's event stream from the server at to.
func crossStream(t *testing.T, from, to string, s *live.Created, ack *acked) {
	t.Helper()
	tok := seatTokens(s)
	req, _ := http.NewRequest("GET", to+"/api/sessions/"+s.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+tok["mediator"])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("events from the second server: %s", res.Status)
	}
	ids := make(chan int64, 64)
	go func() {
		defer close(ids)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				ids <- n
			}
		}
	}()
	// The stream has started once the backfill (the start, the
	// mediator's events) is through: wait for the first id.
	select {
	case <-ids:
	case <-time.After(10 * time.Second):
		t.Fatal("no backfill on the second server's stream")
	}
	start := time.Now()
	b, status, err := post(from+"/api/sessions/"+s.ID+"/actions", tok["Pakistan"], map[string]any{"kind": "caucus", "message": "across"})
	if err != nil || status != http.StatusOK {
		t.Fatalf("caucus on the first server: %d %v %s", status, err, b)
	}
	var out live.Acted
	if err := json.Unmarshal(b, &out); err != nil || len(out.Events) != 1 {
		t.Fatalf("caucus: %v %s", err, b)
	}
	ack.add(s.ID, &out, "across")
	want := out.Head.Events - 1
	timeout := time.After(10 * time.Second) // a bound against a hang; the latency is logged
	for {
		select {
		case id, ok := <-ids:
			if !ok {
				t.Fatal("the second server's stream ended")
			}
			if id == want {
				t.Logf("an action through one server was on the other's event stream after %v", time.Since(start))
				return
			}
		case <-timeout:
			t.Fatalf("event %d, acknowledged by the first server, not on the second's stream after 10 s", want)
		}
	}
}

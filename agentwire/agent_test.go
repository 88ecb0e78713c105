package agentwire_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/agent"
	"github.com/parleyhq/parley/agentwire"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/session"
)

// needSh skips where there is no POSIX shell to write bad agents in.
func needSh(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("agentwire: the bad agents of this test are sh scripts; no sh on windows")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("agentwire: no sh on PATH for the bad agents of this test")
	}
	return sh
}

// script writes a bad agent: an sh script that first records its pid (and
// the pids of children it starts) in the file given as its argument.
func script(t *testing.T, body string) (path, pidfile string) {
	t.Helper()
	dir := t.TempDir()
	path = filepath.Join(dir, "agent.sh")
	pidfile = filepath.Join(dir, "pids")
	if err := os.WriteFile(path, []byte("echo $$ > \"$1\"\n"+body+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, pidfile
}

// play runs one negotiation with the agents given by seat, with a mediator
// when med is not zero, and returns its result and how long it took.
func play(t *testing.T, m *parley.Model, pc protocol.Config, parties []session.Player, med session.Player, deadline time.Duration) (protocol.Result, time.Duration, *session.Driver) {
	t.Helper()
	cfg := session.Config{Protocol: pc, Parties: parties, Mediator: med, Seed: 5, Discard: true}
	if deadline > 0 {
		cfg.Clock, cfg.Deadline = time.Now, deadline
	}
	start := time.Now()
	d, err := session.New(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.Close()
	return d.Result(), time.Since(start), d
}

func builtin(t testing.TB, spec string) session.Player {
	t.Helper()
	a, err := agent.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return session.Player{Agent: a, Name: spec}
}

// noLeak checks the process table: no live process remains in the process
// groups of the pids recorded (the agent leads its group; the children it
// started belong to it). Killed processes are gone within a moment; a
// zombie that the container's init has not reaped yet holds nothing.
func noLeak(t *testing.T, pidfile string) {
	t.Helper()
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("the agent never ran: %v", err)
	}
	pids := strings.Fields(string(b))
	if runtime.GOOS != "linux" {
		return
	}
	leader, _ := strconv.Atoi(pids[0])
	deadline := time.Now().Add(3 * time.Second)
	for {
		live := liveInGroup(leader)
		if len(live) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("leaked processes of the agent's group %d: %v", leader, live)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// liveInGroup lists the processes of process group pgid that are not
// zombies, from /proc.
func liveInGroup(pgid int) []string {
	ents, _ := os.ReadDir("/proc")
	var live []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		// pid (comm) state ppid pgrp ...: comm may hold spaces.
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 3 || f[0] == "Z" {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g == pgid {
			live = append(live, e.Name()+" ("+f[0]+")")
		}
	}
	return live
}

// TestBadAgents: every kind of bad agent ends its negotiation with
// agent_error, a why naming the seat, the agent and the fault, soon — and
// leaves no process behind, children included.
func TestBadAgents(t *testing.T) {
	sh := needSh(t)
	t.Parallel()
	for _, tc := range []struct {
		name, body, fault string
		deadline          time.Duration // wall-clock deadline; 0: the turn timeout alone
		timeout           time.Duration // the turn timeout; 0: 300ms for silence, 5s otherwise
	}{
		{"Sleeps", "sleep 30 & echo $! >> \"$1\"\nread settings\nsleep 30", "did not answer turn 1 within 300ms", 0, 0},
		{"SleepsPastTheDeadline", "read settings\nsleep 30", "did not answer turn 1 within", 400 * time.Millisecond, 0},
		{"Exits", "read settings\necho 'boom: no strategy' >&2\nexit 3", "exited with status 3 (stderr: boom: no strategy)", 0, 0},
		{"WritesGarbage", `while read l; do case "$l" in *your_turn*) echo 'hello world';; esac; done`, `wrote a line that is not a valid message (not JSON: invalid character 'h' looking for beginning of value): "hello world"`, 0, 0},
		{"WritesAHugeLine", `while read l; do case "$l" in *your_turn*) head -c 3000000 /dev/zero | tr '\0' x; echo;; esac; done`, "wrote a line longer than 1048576 bytes", 0, 5 * time.Second},
		{"OffersAnInvalidOutcome", `while read l; do case "$l" in *your_turn*) echo '{"type":"offer","bid":[0,9,0],"turn":1}';; esac; done`, "sent an offer with option 9 for issue delivery, which has options 0..3", 0, 0},
		{"AnswersOutOfTurn", `read settings; echo '{"type":"offer","bid":[0,0,0],"turn":1}'; n=0; while read l; do case "$l" in *your_turn*) n=$((n+1)); echo "{\"type\":\"offer\",\"bid\":[0,0,0],\"turn\":$n}";; esac; done`, "answered out of turn", 0, 0},
		{"AnswersTwice", `n=0; while read l; do case "$l" in *your_turn*) n=$((n+1)); echo "{\"type\":\"offer\",\"bid\":[0,0,0],\"turn\":$n}"; echo "{\"type\":\"offer\",\"bid\":[0,0,0],\"turn\":$n}";; esac; done`, "answered out of turn", 0, 0},
		{"ClosesItsOutput", "exec 1>&-\nsleep 30", "closed its output", 0, 0},
		{"StopsMidLine", `read settings; read turn; printf '{"type":"acc'`, "exited with status 0 in the middle of a line", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := market(t, 2, 0)
			path, pidfile := script(t, tc.body)
			if tc.timeout == 0 {
				// Short where the fault is the silence itself; elsewhere
				// long, so that a slow start on a loaded machine is not
				// taken for silence and the fault under test is the one
				// reported.
				tc.timeout = 5 * time.Second
				if strings.Contains(tc.fault, "did not answer") {
					tc.timeout = 300 * time.Millisecond
				}
			}
			bad := agentwire.Command([]string{sh, path, pidfile}, agentwire.CommandOptions{Options: agentwire.Options{TurnTimeout: tc.timeout}})
			parties := []session.Player{builtin(t, "hardliner"), {Agent: bad, Name: "bad-" + tc.name}}
			res, took, _ := play(t, m, protocol.SAOConfig{Rounds: 50}, parties, session.Player{}, tc.deadline)
			if res.End != parley.AgentError || res.By != 1 {
				t.Fatalf("end %s by %d (%s), want agent_error by 1", res.End, res.By, res.Why)
			}
			if want := "party PB (agent bad-" + tc.name + "): "; !strings.HasPrefix(res.Why, want) || !strings.Contains(res.Why, tc.fault) {
				t.Fatalf("why %q, want %q and %q", res.Why, want, tc.fault)
			}
			if limit := 2*time.Second + tc.deadline + tc.timeout; took > limit {
				t.Errorf("took %s, more than %s", took, limit)
			}
			noLeak(t, pidfile)
		})
	}
}

// TestBadMediator: a mediator whose text the protocol refuses (a clause
// off the agenda) ends the negotiation as an agent error, not a broken
// protocol: the driver checks an outside agent's action first.
func TestBadMediator(t *testing.T) {
	sh := needSh(t)
	t.Parallel()
	m := market(t, 2, 0)
	path, pidfile := script(t, `while read l; do case "$l" in *your_turn*) echo '{"type":"text","text":[0,0,1],"turn":1}';; esac; done`)
	med := session.Player{Agent: agentwire.Command([]string{sh, path, pidfile}, agentwire.CommandOptions{}), Name: "bad-mediator"}
	res, _, _ := play(t, m, protocol.MediatedConfig{Rounds: 5, Agenda: []int{0, 1}}, []session.Player{builtin(t, "delegate"), builtin(t, "delegate")}, med, 0)
	if res.End != parley.AgentError || res.By != parley.MediatorActor || !strings.Contains(res.Why, "the mediator (agent bad-mediator): invalid action: text by the mediator: issue warranty is off the agenda") {
		t.Fatalf("end %s by %d: %s", res.End, res.By, res.Why)
	}
	noLeak(t, pidfile)
}

// TestCommandNotFound: an agent whose program cannot be found is refused
// when its spec is made; one that vanishes before it starts is an agent
// error of the negotiation, not of the runner.
func TestCommandNotFound(t *testing.T) {
	t.Parallel()
	if err := agentwire.CheckCommand([]string{"no-such-agent-program-x"}); err == nil || !strings.Contains(err.Error(), `command "no-such-agent-program-x" not found on PATH`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := agent.New("exec:no-such-agent-program-x --e 1"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("agent.New: %v", err)
	}
	gone := agentwire.Command([]string{filepath.Join(t.TempDir(), "vanished")}, agentwire.CommandOptions{})
	res, _, _ := play(t, market(t, 2, 0), protocol.SAOConfig{Rounds: 5}, []session.Player{{Agent: gone, Name: "vanished"}, builtin(t, "boulware")}, session.Player{}, 0)
	if res.End != parley.AgentError || !strings.Contains(res.Why, "party PA (agent vanished): could not be started: command") {
		t.Fatalf("end %s: %s", res.End, res.Why)
	}
}

// TestFinishedMessage: a well-behaved program is told how the negotiation
// ended — after the action_done messages it had not seen — with what its
// party got, discounted and not; and it exits of itself (no kill needed,
// nothing left behind).
func TestFinishedMessage(t *testing.T) {
	sh := needSh(t)
	t.Parallel()
	m := market(t, 2, 0.5)
	out := filepath.Join(t.TempDir(), "seen")
	// It offers [0,0,0] twice, then accepts; it writes down what it reads
	// after its last reply.
	path, pidfile := script(t, `n=0
while read l; do
  case "$l" in
  *your_turn*) n=$((n+1)); if [ $n -lt 3 ]; then echo "{\"type\":\"offer\",\"bid\":[0,0,0],\"turn\":$n}"; else echo "{\"type\":\"end_negotiation\",\"turn\":$n,\"reason\":\"enough\"}"; fi;;
  *) if [ $n -ge 3 ]; then echo "$l" >> "$2"; fi;;
  esac
done`)
	a := agentwire.Command([]string{sh, path, pidfile, out}, agentwire.CommandOptions{})
	res, _, _ := play(t, m, protocol.SAOConfig{Rounds: 10}, []session.Player{builtin(t, "hardliner"), {Agent: a, Name: "polite"}}, session.Player{}, 0)
	if res.End != parley.WalkOut || res.By != 1 {
		t.Fatalf("end %s by %d: %s", res.End, res.By, res.Why)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var f agentwire.Finished
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &f) != nil {
		t.Fatalf("after its walk-out the agent read %q", lines)
	}
	u, un := m.Parties[1].Payoff(nil, 5.0/20)
	if f.Type != "finished" || f.End != "walk_out" || f.T != 5.0/20 || f.Utility == nil || *f.Utility != u || *f.UtilityUndiscounted != un || u >= un {
		t.Fatalf("finished %s; want walk_out at t=0.25 with utility %v (undiscounted %v)", lines[0], u, un)
	}
	noLeak(t, pidfile)
}

// slow is a built-in agent that takes its time: a hardliner that sleeps
// before each move.
type slow struct {
	parley.Agent
	d time.Duration
}

func (s slow) Act(t *parley.Turn) parley.Action {
	time.Sleep(s.d)
	return s.Agent.Act(t)
}

// TestAnswersBeforeAsked: a program that writes a reply before it is asked
// — here even numbered as the turn to come — is caught as out of turn
// before its turn is handed to it: the line waits in the pipe while the
// other party thinks.
func TestAnswersBeforeAsked(t *testing.T) {
	sh := needSh(t)
	t.Parallel()
	m := market(t, 2, 0)
	path, pidfile := script(t, `read settings; echo '{"type":"offer","bid":[0,0,0],"turn":1}'; n=1; while read l; do case "$l" in *your_turn*) n=$((n+1)); echo "{\"type\":\"offer\",\"bid\":[0,0,0],\"turn\":$n}";; esac; done`)
	bad := agentwire.Command([]string{sh, path, pidfile}, agentwire.CommandOptions{})
	thinker := builtin(t, "hardliner")
	thinker.Agent = slow{Agent: thinker.Agent, d: 300 * time.Millisecond}
	res, _, _ := play(t, m, protocol.SAOConfig{Rounds: 5}, []session.Player{thinker, {Agent: bad, Name: "eager"}}, session.Player{}, 0)
	if res.End != parley.AgentError || !strings.Contains(res.Why, `party PB (agent eager): answered out of turn: wrote "{\"type\":\"offer\",\"bid\":[0,0,0],\"turn\":1}" when it was not its turn`) {
		t.Fatalf("end %s: %s", res.End, res.Why)
	}
	noLeak(t, pidfile)
}

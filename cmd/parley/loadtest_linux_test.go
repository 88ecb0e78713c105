//go:build linux

package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/pgtest"
)

// TestLoadtest runs 'parley loadtest' briefly against SQLite servers it
// starts (this test binary as 'parley serve'). Bad flags are refused with
// a message saying which and why.
func TestLoadtest(t *testing.T) {
	t.Setenv(childEnv, "1") // the servers it starts are this binary
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--instances", "2"}, "needs a PostgreSQL --db"},
		{[]string{"--sessions", "0"}, "--sessions 0: must be at least 1"},
		{[]string{"--duration", "-1s"}, "--duration -1s: must not be negative"},
		{[]string{"--seats", "mediator"}, `--seats: "mediator" is not SEAT=AGENT`},
		{[]string{"--protocol", "auction"}, `--protocol must be mediated or sao, got "auction"`},
		{[]string{"--mix", "1.5"}, "--mix must be a share from 0 to 1, got 1.5"},
		{[]string{"--rate", "-5"}, "--rate must be 0 (closed loop)"},
		{[]string{"--rate", "1e-300"}, "--rate must be 0 (closed loop) or 0.01 to 10000000 actions/s, got 1e-300"},
		{[]string{"--rate", "NaN"}, "--rate NaN: expected a finite number"},
		{[]string{"--arrivals", "bursty"}, `--arrivals must be poisson or uniform, got "bursty"`},
		{[]string{"--deadline", "20000"}, "--deadline must be 1 to 10000 rounds, got 20000"},
		{[]string{"--protocol", "sao", "--mix", "0.5"}, "--protocol sao has none"},
		{[]string{"--seats", "mediator=nash", "--duration", "1s"}, "--seats: seat Afghanistan is a person's"},
		{[]string{"--turn", "poll"}, `--turn must be answer or stream, got "poll"`},
		{[]string{"x"}, "loadtest takes no arguments"},
		{[]string{"--server-env", "GOGC"}, `--server-env: "GOGC" is not VAR=VALUE`},
		{[]string{"--server-env", "GOGC=200,=3"}, `--server-env: "=3" is not VAR=VALUE`},
	} {
		_, errs, code := run(t, append([]string{"loadtest"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("loadtest %v: exit %d, %q; want exit 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	t.Run("turns", testLoadtestTurns)
	t.Run("open", testLoadtestOpen)
	t.Run("idle", testLoadtestIdle)
	t.Run("postgres", testLoadtestPostgres)
}

// loadtestRun runs loadtest with args, which must succeed, and returns
// the submatches of each of res in its output.
func loadtestRun(t *testing.T, args []string, res ...string) [][]string {
	t.Helper()
	out, errs, code := run(t, append([]string{"loadtest"}, args...)...)
	if code != 0 {
		t.Fatalf("loadtest %v: exit %d\n%s%s", args, code, out, errs)
	}
	var got [][]string
	for _, re := range res {
		m := regexp.MustCompile(re).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("loadtest %v: output lacks %s:\n%s", args, re, out)
		}
		got = append(got, m)
	}
	return got
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// testLoadtestTurns plays alternating offers with a short deadline in the
// closed loop: sessions end
// in agreement and are replaced; every acknowledged event is delivered
// once on its stream and stored at its seq, no client action is doubled,
// and every chain in the database holds.
func testLoadtestTurns(t *testing.T) {
	m := loadtestRun(t, []string{"--sessions", "3", "--duration", "2s", "--protocol", "sao", "--deadline", "3"},
		`mode: closed loop`,
		`actions: ([0-9]+) acknowledged \(([0-9]+) moves, ([0-9]+) caucus messages\) in [0-9.]+ s: [0-9]+ acknowledged durable actions/s; 0 failed; 0 sessions not started or read`,
		`sessions: ([0-9]+) ended \(([0-9]+) agreement[^)]*\); ([0-9]+) new ones started`,
		`streams: ([0-9]+) event streams: ([0-9]+) acknowledged events delivered exactly once, 0 missing \S+ after the run, 0 delivered again`,
		`stored: ([0-9]+) acknowledged events of ([0-9]+) sessions checked in the database: 0 lost, 0 client actions doubled`,
		`audit: parley audit verify --db \S+: ([0-9]+) sessions, [0-9]+ events: ([0-9]+) chains hold, 0 break`,
		`cpu: instance 1 used [0-9]+% of a core`)
	acked, moves, caucus := atoi(t, m[1][1]), atoi(t, m[1][2]), atoi(t, m[1][3])
	if acked != moves+caucus || moves == 0 {
		t.Errorf("%d acknowledged, %d moves, %d caucus", acked, moves, caucus)
	}
	ended, agreed, started := atoi(t, m[2][1]), atoi(t, m[2][2]), atoi(t, m[2][3])
	if agreed == 0 || started != ended {
		t.Errorf("%d sessions ended, %d in agreement, %d started in their place; want agreements, and each replaced", ended, agreed, started)
	}
	if streams, sessions := atoi(t, m[3][1]), atoi(t, m[4][2]); streams != 3+started || sessions != streams {
		t.Errorf("%d streams, %d sessions checked; want %d", streams, sessions, 3+started)
	}
	if delivered, stored := atoi(t, m[3][2]), atoi(t, m[4][1]); delivered != stored || delivered < acked {
		t.Errorf("%d events delivered, %d checked in the store, %d actions acknowledged", delivered, stored, acked)
	}
	// The chains: the clients' sessions and the first, which compiled the model.
	if n, hold := atoi(t, m[5][1]), atoi(t, m[5][2]); n != 3+started+1 || hold != n {
		t.Errorf("audit: %d sessions, %d hold; want %d", n, hold, 3+started+1)
	}
}

// testLoadtestOpen offers 60 actions/s evenly spaced over 3 sessions for
// a second, answers to the mediator's texts and caucus messages: 60
// actions are due (each session's 20, give or take the one
// at the edge), and each is acknowledged, failed or left unsent.
func testLoadtestOpen(t *testing.T) {
	m := loadtestRun(t, []string{"--sessions", "3", "--duration", "1s", "--rate", "60", "--arrivals", "uniform", "--mix", "0.3"},
		`mode: open loop: 60 actions/s offered \(uniform arrivals over 3 sessions, 20.00/s each\)`,
		`offered: ([0-9]+) actions due in 1s: ([0-9]+) actions/s \(asked 60\); ([0-9]+) of them never sent`,
		`actions: ([0-9]+) acknowledged \([0-9]+ moves, ([1-9][0-9]*) caucus messages\) .*; ([0-9]+) failed`,
		`latency \(from the due time\): p50 \S+, p90 \S+, p99 \S+, max \S+`,
		`generator: of the ([0-9]+) actions due while their client was idle, each went out late by p50 \S+, p99 \S+, max \S+`,
		`service time \(from sending\): p50 \S+, p90 \S+, p99 \S+, max \S+`,
		`stored: [0-9]+ acknowledged events of 3 sessions checked in the database: 0 lost, 0 client actions doubled`)
	due, rate, unsent := atoi(t, m[1][1]), atoi(t, m[1][2]), atoi(t, m[1][3])
	acked, failed := atoi(t, m[2][1]), atoi(t, m[2][3])
	if due < 57 || due > 63 || rate != due {
		t.Errorf("%d actions due at %d/s; want 60±3", due, rate)
	}
	if idle := atoi(t, m[4][1]); idle > acked+failed {
		t.Errorf("%d actions due while their client was idle, more than the %d sent", idle, acked+failed)
	}
	if acked+failed+unsent != due {
		t.Errorf("%d due, but %d acknowledged + %d failed + %d unsent", due, acked, failed, unsent)
	}
}

// testLoadtestIdle measures idle sessions only: the resident set and the
// Go heap from the servers' debug endpoint, and no traffic.
func testLoadtestIdle(t *testing.T) {
	out, errs, code := run(t, "loadtest", "--idle", "--sessions", "5")
	if code != 0 {
		t.Fatalf("loadtest --idle: exit %d\n%s%s", code, out, errs)
	}
	if !regexp.MustCompile(`create: 5 sessions in [0-9.]+ s, 16 at a time; instance 1 spent [0-9]+ µs of CPU per session created`).MatchString(out) {
		t.Errorf("loadtest --idle: no create line:\n%s", out)
	}
	re := `idle: instance 1: RSS [0-9.]+ MB after a first session, [0-9.]+ MB with 5 more: -?[0-9.]+ KB per idle session; Go heap [0-9.]+ MB, then [0-9.]+ MB: -?[0-9.]+ KB per idle session`
	if !regexp.MustCompile(re).MatchString(out) || strings.Contains(out, "actions:") {
		t.Errorf("loadtest --idle: want %s and no actions:\n%s", re, out)
	}
}

// testLoadtestPostgres plays turns through two instances on one
// PostgreSQL, each move waiting for the stream to deliver the answer to
// the last: each session's stream comes from the instance it does not
// post to, and delivers every acknowledged event exactly once; the
// store holds each once and the chains hold.
func testLoadtestPostgres(t *testing.T) {
	url := pgtest.URL(t)
	m := loadtestRun(t, []string{"--db", url, "--instances", "2", "--sessions", "4", "--duration", "1s", "--protocol", "sao", "--deadline", "3", "--turn", "stream"},
		`idle: instance 2: RSS [0-9.]+ MB after a first session`,
		`actions: ([1-9][0-9]*) acknowledged .*; 0 failed; 0 sessions not started or read`,
		`turns: after each answer the client waited for its stream to say it was its move again .*; [1-9][0-9]* turn events on the streams`,
		`streams: [0-9]+ event streams: ([0-9]+) acknowledged events delivered exactly once, 0 missing \S+ after the run, 0 delivered again`,
		`stored: ([0-9]+) acknowledged events of [0-9]+ sessions checked in the database: 0 lost, 0 client actions doubled`,
		`audit: parley audit verify --db \S+: ([0-9]+) sessions, [0-9]+ events: ([0-9]+) chains hold, 0 break`,
		`cpu: instance 2 used`)
	if delivered, stored := atoi(t, m[3][1]), atoi(t, m[4][1]); delivered != stored || delivered < atoi(t, m[1][1]) {
		t.Errorf("%d events delivered, %d checked in the store, %s actions acknowledged", delivered, stored, m[1][1])
	}
	if n, hold := atoi(t, m[5][1]), atoi(t, m[5][2]); n < 6 || hold != n {
		t.Errorf("audit: %d sessions, %d hold; want the 4 clients' and 2 first ones at least, all holding", n, hold)
	}
}

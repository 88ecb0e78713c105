//go:build linux

package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestLoadtest runs 'parley loadtest' briefly against a SQLite server it
// starts (this test binary as 'parley serve'): every action acknowledged
// is on its event stream, none failed, and the figures are printed. Bad
// flags are refused with a message saying which and why.
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
		{[]string{"x"}, "loadtest takes no arguments"},
	} {
		_, errs, code := run(t, append([]string{"loadtest"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("loadtest %v: exit %d, %q; want exit 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	out, errs, code := run(t, "loadtest", "--sessions", "3", "--duration", "400ms")
	if code != 0 {
		t.Fatalf("loadtest: exit %d\n%s%s", code, out, errs)
	}
	for _, re := range []string{
		`idle: instance 1: RSS [0-9.]+ MB after a first session, [0-9.]+ MB with 3 more: -?[0-9.]+ KB per idle session`,
		`actions: [1-9][0-9]* acknowledged in [0-9.]+ s: [0-9]+ acknowledged durable actions/s; 0 failed`,
		`latency: p50 \S+, p95 \S+, p99 \S+, max \S+`,
		`streams: ([1-9][0-9]*) of the acknowledged events delivered on 3 event streams, 0 missing`,
		`cpu: instance 1 used [0-9]+% of a core`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("loadtest output lacks %s:\n%s", re, out)
		}
	}
}

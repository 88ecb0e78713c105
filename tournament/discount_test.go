package tournament

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// col returns the index of a results.csv column.
func col(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %v", name, header)
	}
	return i
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// TestDiscountColumns: on the test fixture (the buyer discounts by 0.9),
// every row's utility_i is utility_undiscounted_i times d_i^t at its t;
// with a time limit, t comes from the nearer deadline and the definition
// records it.
func TestDiscountColumns(t *testing.T) {
	t.Parallel()
	for _, limit := range []Duration{0, Duration(2 * time.Second)} {
		dir := t.TempDir()
		def := Definition{Agents: []string{"boulware", "conceder", "hardliner"}, Scenarios: []string{"testdata/genius/car-domain.xml"}, Rounds: 30, Seed: 3, TimeLimit: limit}
		run(t, def, Options{Out: dir, Workers: 2})
		recs := readCSV(t, filepath.Join(dir, ResultsCSV))
		h := recs[0]
		pr, err := Prepare(def)
		if err != nil {
			t.Fatal(err)
		}
		m := pr.domains[0].Model
		for _, r := range recs[1:] {
			tt := num(t, r[col(t, h, "t")])
			if !(tt > 0 && tt <= 1) || (r[col(t, h, "end")] == "deadline" && tt != 1) {
				t.Fatalf("%s: t = %v (%s)", r[0], tt, r[col(t, h, "end")])
			}
			for i := range 2 {
				u := num(t, r[col(t, h, "utility_"+strconv.Itoa(i))])
				un := num(t, r[col(t, h, "utility_undiscounted_"+strconv.Itoa(i))])
				if want := un * math.Pow(m.Parties[i].DiscountFactor(), tt); math.Abs(u-want) > 1e-15 {
					t.Fatalf("%s seat %d: utility %v, want %v·%v^%v", r[0], i, u, un, m.Parties[i].DiscountFactor(), tt)
				}
			}
		}
		if m.Parties[0].DiscountFactor() != 0.9 {
			t.Fatalf("the fixture's buyer discounts by %v", m.Parties[0].DiscountFactor())
		}
		man, err := ReadManifest(dir)
		if err != nil || man.Definition.TimeLimit != limit {
			t.Fatalf("manifest time limit %v (%v)", man.Definition.TimeLimit, err)
		}
	}
}

// TestExecAgents: programs take seats in a tournament; one that crashes
// ends each of its negotiations as agent_error with the why recorded, and
// the tournament goes on; a command with '/' is escaped in ids; the folder
// resumes.
func TestExecAgents(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the program agents of this test are sh scripts")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	t.Parallel()
	scripts := t.TempDir()
	crash := filepath.Join(scripts, "crash.sh")
	walk := filepath.Join(scripts, "walk.sh")
	if err := os.WriteFile(crash, []byte("read settings\necho 'no strategy' >&2\nexit 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(walk, []byte("n=0\nwhile read l; do case \"$l\" in *your_turn*) n=$((n+1)); echo \"{\\\"type\\\":\\\"end_negotiation\\\",\\\"turn\\\":$n}\";; esac; done\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	agents := []string{"boulware", "exec:" + sh + " " + crash, "exec:" + sh + " " + walk}
	def := Definition{Agents: agents, Scenarios: []string{"testdata/genius/car-domain.xml"}, Rounds: 20, Seed: 1}
	dir := t.TempDir()
	st := run(t, def, Options{Out: dir, Workers: 2})
	if st.Ran != 6 {
		t.Fatalf("ran %d negotiations, want 6", st.Ran)
	}
	recs := readCSV(t, filepath.Join(dir, ResultsCSV))
	h := recs[0]
	for _, r := range recs[1:] {
		id, end, why := r[col(t, h, "id")], r[col(t, h, "end")], r[col(t, h, "why")]
		if strings.Contains(strings.SplitN(id, "/", 2)[1], scripts) || !strings.Contains(id, "%2F") {
			t.Fatalf("id %q: the command's '/' is not escaped", id)
		}
		// The first program to get a turn decides: seat 0, unless
		// boulware sits there.
		first := r[col(t, h, "agent_0")]
		if first == "boulware" {
			first = r[col(t, h, "agent_1")]
		}
		switch {
		case strings.Contains(first, "crash.sh"):
			if end != "agent_error" || !strings.Contains(why, "crash.sh): exited with status 1 (stderr: no strategy)") {
				t.Fatalf("%s: end %s, why %q", id, end, why)
			}
		case end != "walk_out" || why != "":
			t.Fatalf("%s: end %s, why %q", id, end, why)
		}
	}
	if st := run(t, def, Options{Out: dir, Workers: 2}); st.Ran != 0 || st.Resumed != 6 {
		t.Fatalf("resumed %d, ran %d", st.Resumed, st.Ran)
	}
	if _, err := Prepare(Definition{Agents: []string{"boulware", "exec:no-such-agent-program-x"}, Scenarios: []string{"testdata/genius"}}); parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("a missing command: %v", err)
	}
}

// TestTimeLimit: the time limit reaches every negotiation: with a round
// deadline out of reach, each ends at the wall-clock deadline (t = 1)
// within moments of it.
func TestTimeLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	def := Definition{Agents: []string{"hardliner", "boulware"}, Scenarios: []string{"testdata/genius/car-domain.xml"}, Rounds: 1 << 22, Seed: 3, TimeLimit: Duration(100 * time.Millisecond)}
	run(t, def, Options{Out: dir, Workers: 2})
	recs := readCSV(t, filepath.Join(dir, ResultsCSV))
	h := recs[0]
	for _, r := range recs[1:] {
		if r[col(t, h, "end")] != "deadline" || r[col(t, h, "t")] != "1" || num(t, r[col(t, h, "time")]) > 1 {
			t.Fatalf("%s: end %s at t=%s after %ss", r[0], r[col(t, h, "end")], r[col(t, h, "t")], r[col(t, h, "time")])
		}
	}
}

package tournament

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/simulate"
)

// testDef is a small tournament over the test domains: 2 bilateral
// scenarios × 3 agents with self-play (9 assignments) × reps.
func testDef(reps int) Definition {
	return Definition{
		Agents:    []string{"boulware", "linear", "conceder"},
		Scenarios: []string{"testdata/genius"},
		Reps:      reps,
		Rounds:    40,
		Seed:      7,
		SelfPlay:  true,
	}
}

// readRows reads a results.csv into records sorted by id, without the
// wall-clock "time" column.
func readRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	ti := slices.Index(recs[0], "time")
	var out [][]string
	for _, r := range recs[1:] {
		r = slices.Delete(slices.Clone(r), ti, ti+1)
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

func run(t *testing.T, def Definition, opt Options) *Stats {
	t.Helper()
	st, err := Run(context.Background(), def, opt)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func sameRows(t *testing.T, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("row %d differs:\n got %v\nwant %v", i, got[i], want[i])
		}
	}
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	t.Parallel()
	def := testDef(3)
	d1, d4 := t.TempDir(), t.TempDir()
	st := run(t, def, Options{Out: d1, Workers: 1})
	run(t, def, Options{Out: d4, Workers: 4})
	if st.Negotiations != 2*9*3 || st.Ran != st.Negotiations {
		t.Fatalf("stats %+v, want 54 negotiations run", st)
	}
	a, b := readRows(t, filepath.Join(d1, ResultsCSV)), readRows(t, filepath.Join(d4, ResultsCSV))
	sameRows(t, b, a)
	// Every id once, agreements present, ids as documented.
	ids := map[string]bool{}
	agreements := 0
	for _, r := range a {
		if ids[r[0]] {
			t.Fatalf("id %s twice", r[0])
		}
		ids[r[0]] = true
		if r[8] == "true" {
			agreements++
		}
	}
	if !ids["car/boulware+linear/2"] {
		t.Errorf("id car/boulware+linear/2 missing from %v", a[0][0])
	}
	if agreements == 0 {
		t.Errorf("no agreements in %d negotiations", len(a))
	}
	s1, _ := os.ReadFile(filepath.Join(d1, SummaryCSV))
	s4, _ := os.ReadFile(filepath.Join(d4, SummaryCSV))
	if string(s1) != string(s4) || len(s1) == 0 {
		t.Errorf("summaries differ:\n%s\n%s", s1, s4)
	}
	// Running again resumes nothing new.
	st = run(t, def, Options{Out: d4, Workers: 2})
	if st.Ran != 0 || st.Resumed != 54 {
		t.Errorf("rerun: %+v, want all 54 resumed", st)
	}
	sameRows(t, readRows(t, filepath.Join(d4, ResultsCSV)), a)
}

func TestParquetRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run(t, testDef(1), Options{Out: dir, Workers: 2})
	f, err := os.Open(filepath.Join(dir, ResultsParquet))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	csvf, _ := os.Open(filepath.Join(dir, ResultsCSV))
	defer csvf.Close()
	recs, err := csv.NewReader(csvf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	fields := pf.Schema().Fields()
	if fields[0].Name() != "id" || len(fields) != len(recs[0]) {
		t.Fatalf("parquet columns %d, first %q; want %d, first id", len(fields), fields[0].Name(), len(recs[0]))
	}
	for i, f := range fields {
		if f.Name() != recs[0][i] {
			t.Fatalf("parquet column %d is %s, CSV's %s", i, f.Name(), recs[0][i])
		}
	}
	r := parquet.NewReader(f)
	defer r.Close()
	rows := make([]parquet.Row, 1)
	for k := 1; k < len(recs); k++ {
		n, err := r.ReadRows(rows)
		if n != 1 {
			t.Fatalf("row %d: %v", k, err)
		}
		cols := columns((len(recs[0]) - len(fixedColumns)) / len(seatColumns))
		for i, v := range rows[0] {
			want := recs[k][i]
			var got string
			switch {
			case v.IsNull():
				got = ""
			case cols[i].kind == kString:
				got = string(v.ByteArray())
			case cols[i].kind == kInt:
				got = strconv.FormatInt(v.Int64(), 10)
			case cols[i].kind == kUint:
				got = strconv.FormatUint(uint64(v.Int64()), 10)
			case cols[i].kind == kFloat:
				got = fmtFloat(v.Double())
			case cols[i].kind == kBool:
				got = strconv.FormatBool(v.Boolean())
			}
			if got != want {
				t.Fatalf("row %d column %s: parquet %q, csv %q", k, cols[i].name, got, want)
			}
		}
	}
	if n, _ := r.ReadRows(rows); n != 0 {
		t.Fatalf("parquet has more rows than the CSV")
	}
}

func TestShardMergeEqualsUnsharded(t *testing.T) {
	t.Parallel()
	def := testDef(2)
	whole := t.TempDir()
	run(t, def, Options{Out: whole, Workers: 2})
	var shards []string
	for i := range 3 {
		d := t.TempDir()
		run(t, def, Options{Out: d, Workers: 2, Shard: Shard{i, 3}})
		shards = append(shards, d)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	ms, err := Merge(merged, shards)
	if err != nil {
		t.Fatal(err)
	}
	if ms.Negotiations != 36 {
		t.Errorf("merged %d negotiations, want 36", ms.Negotiations)
	}
	sameRows(t, readRows(t, filepath.Join(merged, ResultsCSV)), readRows(t, filepath.Join(whole, ResultsCSV)))
	s1, _ := os.ReadFile(filepath.Join(whole, SummaryCSV))
	s2, _ := os.ReadFile(filepath.Join(merged, SummaryCSV))
	if string(s1) != string(s2) {
		t.Errorf("summaries differ:\n%s\n%s", s1, s2)
	}
	if _, err := os.Stat(filepath.Join(merged, ResultsParquet)); err != nil {
		t.Error(err)
	}

	t.Run("ErrMissing", func(t *testing.T) {
		_, err := Merge(t.TempDir(), shards[:2])
		if parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(err.Error(), "missing") {
			t.Errorf("err = %v, want EINVALID about missing negotiations", err)
		}
	})
	t.Run("ErrTwice", func(t *testing.T) {
		_, err := Merge(t.TempDir(), []string{shards[0], shards[1], shards[2], whole})
		if parley.ErrorCode(err) != parley.ECONFLICT || !strings.Contains(err.Error(), "twice") {
			t.Errorf("err = %v, want ECONFLICT about an id twice", err)
		}
	})
	t.Run("ErrOtherTournament", func(t *testing.T) {
		other := t.TempDir()
		d := testDef(2)
		d.Seed = 8
		run(t, d, Options{Out: other, Workers: 2, Shard: Shard{2, 3}})
		_, err := Merge(t.TempDir(), []string{shards[0], shards[1], other})
		if parley.ErrorCode(err) != parley.ECONFLICT || !strings.Contains(err.Error(), "seed") {
			t.Errorf("err = %v, want ECONFLICT naming the seed", err)
		}
	})
}

func TestResumeRefusesOtherDefinition(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run(t, testDef(1), Options{Out: dir, Workers: 2})
	for _, c := range []struct {
		name string
		def  func(*Definition)
		opt  Options
		want string
	}{
		{"Reps", func(d *Definition) { d.Reps = 2 }, Options{}, "reps 1, not 2"},
		{"Agents", func(d *Definition) { d.Agents = d.Agents[:2] }, Options{}, "agents"},
		{"SelfPlay", func(d *Definition) { d.SelfPlay = false }, Options{}, "self-play"},
		{"Shard", func(*Definition) {}, Options{Shard: Shard{1, 2}}, "shard 0/1, not 1/2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := testDef(1)
			c.def(&d)
			c.opt.Out = dir
			_, err := Run(context.Background(), d, c.opt)
			if parley.ErrorCode(err) != parley.ECONFLICT || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "different tournament") {
				t.Errorf("err = %v, want ECONFLICT with %q", err, c.want)
			}
		})
	}
}

// TestResumeAfterKill runs a tournament in a child process (this test
// binary, re-executed), kills it with SIGKILL once rows are on disk, then
// resumes in-process and compares with an uninterrupted run.
func TestResumeAfterKill(t *testing.T) {
	if dir := os.Getenv("PARLEY_TOURNAMENT_CHILD"); dir != "" {
		// The child: slow enough to be killed mid-run.
		def := testDef(40)
		_, err := Run(context.Background(), def, Options{Out: dir, Workers: 1, SyncRows: 5, SyncInterval: 10 * time.Millisecond,
			OnProgress: func(done, total int64) { time.Sleep(2 * time.Millisecond) }})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestResumeAfterKill$")
	cmd.Env = append(os.Environ(), "PARLEY_TOURNAMENT_CHILD="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(dir, ResultsCSV)
	deadline := time.Now().Add(30 * time.Second)
	for lines(res) < 60 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child wrote no rows in 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("child ended with %v, want killed", err)
	}
	before := lines(res) - 1
	total := int64(2 * 9 * 40)
	if int64(before) >= total {
		t.Fatalf("the child finished (%d rows) before it was killed", before)
	}
	// Simulate a torn write too: a partial last line.
	f, _ := os.OpenFile(res, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("car/boulware+boulware/99,12,car,9")
	f.Close()

	st := run(t, testDef(40), Options{Out: dir, Workers: 2})
	if st.Resumed < int64(before)-1 || st.Resumed+st.Ran != total {
		t.Errorf("resume: %+v after %d rows; want resumed+ran = %d", st, before, total)
	}
	whole := t.TempDir()
	run(t, testDef(40), Options{Out: whole, Workers: 2})
	sameRows(t, readRows(t, res), readRows(t, filepath.Join(whole, ResultsCSV)))
	t.Logf("killed after %d rows; resumed %d, ran %d", before, st.Resumed, st.Ran)
}

func lines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	return n
}

// TestFastEqualsSimulate checks the tournament's negotiation loop against
// simulate.Once on the same seeds, over bilateral and multilateral
// scenarios and randomised agents.
func TestFastEqualsSimulate(t *testing.T) {
	t.Parallel()
	scen, err := ResolveScenarios([]string{"testdata/genius", "istanbul-2025"})
	if err != nil {
		t.Fatal(err)
	}
	agents := []string{"boulware", "conceder", "random", "titfortat", "frequency", "hardliner"}
	for _, s := range scen {
		n := len(s.Parties)
		for k := range 12 {
			specs := make([]string, n)
			for i := range specs {
				specs[i] = agents[(k+i*5)%len(agents)]
			}
			seed := Seed(3, s.Name+strconv.Itoa(k))
			fast, err := negotiate(context.Background(), s.Model, specs, 30, 0, seed, nil)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := simulate.Once(s.Model, simulate.Config{Protocol: parley.ProtocolSAO, Rounds: 30, Agents: specs, Seed: seed}, false)
			if err != nil {
				t.Fatal(err)
			}
			r1, r2 := fast.result, ref.Result
			if r1.End != r2.End || !slices.Equal(r1.Agreement, r2.Agreement) || r1.Rounds != r2.Rounds || r1.Steps != r2.Steps || r1.Offers != r2.Offers || r1.By != r2.By || r1.Why != r2.Why {
				t.Errorf("%s %v: fast %+v, simulate %+v", s.Name, specs, r1, r2)
			}
			if !slices.Equal(fast.utilities, ref.Utilities) {
				t.Errorf("%s %v: utilities %v, simulate %v", s.Name, specs, fast.utilities, ref.Utilities)
			}
		}
	}
}

// TestSummaryHandMade checks ranks, means and 95% intervals on a table
// worked by hand. Agent a's utilities 0.25, 0.5, 0.75: mean 0.5, sample sd
// 0.25, half width t(0.975, 2)·0.25/√3 = 4.302652730·0.144337567 =
// 0.621034...; agent b's 1, 0.5: mean 0.75, sd √0.125, half width
// 12.706204736·0.25 = 3.176551184.
func TestSummaryHandMade(t *testing.T) {
	t.Parallel()
	s := NewSummary(2)
	rec := func(agreement string, welfare float64, a0 string, u0, r0 float64, a1 string, u1, r1 float64) []string {
		r := make([]string, len(columns(2)))
		r[8], r[13] = agreement, fmtFloat(welfare)
		nf := len(fixedColumns)
		for i, x := range []struct {
			a    string
			u, r float64
		}{{a0, u0, r0}, {a1, u1, r1}} {
			b := nf + i*len(seatColumns)
			r[b], r[b+2], r[b+3], r[b+4], r[b+5] = x.a, fmtFloat(x.u), fmtFloat(x.r), fmtFloat(x.u-x.r), fmtFloat(welfare-x.u)
		}
		return r
	}
	for _, r := range [][]string{
		rec("true", 1.25, "a", 0.25, 0, "b", 1, 0),
		rec("true", 1, "b", 0.5, 0.25, "a", 0.5, 0),
		rec("false", 0.75, "a", 0.75, 0.75, "c", 0, 0),
	} {
		if err := s.addRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	rows := s.Rows()
	if !slices.Equal(rows[0], SummaryColumns) {
		t.Fatalf("header %v", rows[0])
	}
	want := []struct {
		agent                       string
		n                           string
		mean, lo, hi, agree, adv, w float64
	}{
		{"b", "2", 0.75, 0.75 - 3.176551184, 0.75 + 3.176551184, 1, 0.625, 1.125},
		{"a", "3", 0.5, 0.5 - 0.6210343, 0.5 + 0.6210343, 2.0 / 3, 0.25, 1},
		{"c", "1", 0, math.NaN(), math.NaN(), 0, 0, 0.75},
	}
	for i, w := range want {
		r := rows[i+1]
		if r[0] != strconv.Itoa(i+1) || r[1] != w.agent || r[2] != w.n {
			t.Errorf("row %d: %v, want rank %d agent %s n %s", i+1, r[:3], i+1, w.agent, w.n)
		}
		for j, x := range []float64{w.mean, w.lo, w.hi, w.agree, w.adv, w.w} {
			col := []int{3, 4, 5, 7, 8, 9}[j]
			got, err := strconv.ParseFloat(r[col], 64)
			if math.IsNaN(x) {
				if r[col] != "" {
					t.Errorf("%s %s = %q, want empty", w.agent, SummaryColumns[col], r[col])
				}
				continue
			}
			if err != nil || math.Abs(got-x) > 1e-6 {
				t.Errorf("%s %s = %q, want %v", w.agent, SummaryColumns[col], r[col], x)
			}
		}
	}
}

// TestTQuantile checks the t quantiles against a numerical integration of
// Student's t density: the CDF at the quantile must be 0.975.
func TestTQuantile(t *testing.T) {
	t.Parallel()
	for _, df := range []int64{1, 2, 3, 5, 10, 29, 30, 31, 45, 100, 1000, 100000} {
		q := tQuantile975(df)
		n := float64(df)
		lg1, _ := math.Lgamma((n + 1) / 2)
		lg2, _ := math.Lgamma(n / 2)
		c := math.Exp(lg1-lg2) / math.Sqrt(n*math.Pi)
		dens := func(x float64) float64 { return c * math.Pow(1+x*x/n, -(n+1)/2) }
		// ∫_0^q by Simpson's rule; CDF = 0.5 + that.
		const m = 20000
		h := q / m
		s := dens(0) + dens(q)
		for i := 1; i < m; i++ {
			w := 2.0
			if i%2 == 1 {
				w = 4
			}
			s += w * dens(float64(i)*h)
		}
		if cdf := 0.5 + s*h/3; math.Abs(cdf-0.975) > 2e-7 {
			t.Errorf("df %d: t = %v has CDF %v, want 0.975", df, q, cdf)
		}
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	for _, selfPlay := range []bool{false, true} {
		p := &plan{agents: []string{"a", "b", "c", "d"}, reps: 2, selfPlay: selfPlay}
		for _, n := range []int{2, 3} {
			a, _ := assignments(4, n, selfPlay)
			p.scen = append(p.scen, planScenario{name: "s" + strconv.Itoa(n), seats: n, assignments: a, offset: p.total})
			p.total += a * 2
		}
		// Naive enumeration: all tuples in lexicographic order, filtered.
		var want []string
		for _, n := range []int{2, 3} {
			var rec func(prefix []int)
			rec = func(prefix []int) {
				if len(prefix) == n {
					for r := range 2 {
						want = append(want, p.id(n-2, prefix, r))
					}
					return
				}
				for x := range 4 {
					if !selfPlay && slices.Contains(prefix, x) {
						continue
					}
					rec(append(slices.Clone(prefix), x))
				}
			}
			rec(nil)
		}
		var got []string
		for i := range p.total {
			got = append(got, p.idAt(i))
		}
		if !slices.Equal(got, want) {
			t.Errorf("selfPlay=%v: ids\n%v\nwant\n%v", selfPlay, got, want)
		}
	}
	if _, err := newPlan(Definition{Agents: []string{"a", "b"}, Reps: 1}, []*Loaded{{ScenarioInfo: ScenarioInfo{Name: "x", Parties: []string{"1", "2", "3"}}}}); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("3 seats, 2 agents, no self-play: err = %v, want EINVALID", err)
	}
}

func TestParseShardAndAgents(t *testing.T) {
	t.Parallel()
	if s, err := ParseShard("2/5"); err != nil || s != (Shard{2, 5}) {
		t.Errorf("ParseShard(2/5) = %v, %v", s, err)
	}
	for _, bad := range []string{"5/5", "-1/3", "1", "a/b", "0/0"} {
		if _, err := ParseShard(bad); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("ParseShard(%q): err = %v, want EINVALID", bad, err)
		}
	}
	got := ParseAgents("boulware:e=0.1,x=2, linear,conceder")
	if want := []string{"boulware:e=0.1,x=2", "linear", "conceder"}; !slices.Equal(got, want) {
		t.Errorf("ParseAgents = %q, want %q", got, want)
	}
}

func TestDefinitionErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		def  Definition
		want string
	}{
		{"NoAgents", Definition{Scenarios: []string{"testdata/genius"}}, "no agents"},
		{"UnknownAgent", Definition{Agents: []string{"nosuch"}, Scenarios: []string{"testdata/genius"}}, "unknown agent"},
		{"Mediator", Definition{Agents: []string{"hillclimb"}, Scenarios: []string{"testdata/genius"}}, "not a negotiator"},
		{"Twice", Definition{Agents: []string{"linear", "linear"}, Scenarios: []string{"testdata/genius"}}, "twice"},
		{"NoScenario", Definition{Agents: []string{"linear"}, Scenarios: []string{"testdata/nosuch"}}, "no such"},
		{"TooFewAgents", Definition{Agents: []string{"linear"}, Scenarios: []string{"testdata/genius"}}, "only 1 agents"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Prepare(c.def)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

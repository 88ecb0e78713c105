package tournament

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

// TestSeedPinned pins Seed to values computed by an independent
// implementation (Python: FNV-1a 64 over the seed's 8 little-endian bytes
// and the id, then SplitMix64's finaliser). A seed that ignores the id, the
// tournament seed or its byte order changes at least one of them.
func TestSeedPinned(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		seed uint64
		id   string
		want uint64
	}{
		{1, "Laptop-A/boulware+linear/3", 18313606010236515282},
		{1, "Laptop-A/linear+boulware/3", 18234195487109216978}, // same bytes, other order
		{2, "Laptop-A/boulware+linear/3", 8696436076530928311},
		{0x0102030405060708, "x/a+b/0", 2427080816120029562},
		{0x0807060504030201, "x/a+b/0", 18388039546949891528}, // the same bytes reversed
		{0, "", 6603144262649002859},
	} {
		if got := Seed(c.seed, c.id); got != c.want {
			t.Errorf("Seed(%#x, %q) = %d, want %d", c.seed, c.id, got, c.want)
		}
	}
}

// TestDefinitionHash: every field of the definition and every scenario's
// content changes the hash; where the files were found does not.
func TestDefinitionHash(t *testing.T) {
	t.Parallel()
	def := testDef(1)
	scen := []ScenarioInfo{{Name: "s", Source: "a/s.yaml", Parties: []string{"A", "B"}, Fingerprint: "f1"}}
	h := DefinitionHash(def, scen)
	if len(h) != 16 {
		t.Fatalf("hash %q: want 16 hex digits", h)
	}
	moved := []ScenarioInfo{scen[0]}
	moved[0].Source = "b/s.yaml"
	if DefinitionHash(def, moved) != h {
		t.Error("the hash depends on where the scenario file is")
	}
	for name, edit := range map[string]func(*Definition, *ScenarioInfo){
		"agents":      func(d *Definition, _ *ScenarioInfo) { d.Agents = []string{"linear", "boulware", "conceder"} },
		"scenarios":   func(d *Definition, _ *ScenarioInfo) { d.Scenarios = []string{"testdata/other"} },
		"reps":        func(d *Definition, _ *ScenarioInfo) { d.Reps = 2 },
		"rounds":      func(d *Definition, _ *ScenarioInfo) { d.Rounds++ },
		"seed":        func(d *Definition, _ *ScenarioInfo) { d.Seed++ },
		"self-play":   func(d *Definition, _ *ScenarioInfo) { d.SelfPlay = !d.SelfPlay },
		"content":     func(_ *Definition, s *ScenarioInfo) { s.Fingerprint = "f2" },
		"parties":     func(_ *Definition, s *ScenarioInfo) { s.Parties = []string{"B", "A"} },
		"scenario id": func(_ *Definition, s *ScenarioInfo) { s.Name = "t" },
	} {
		d, s := testDef(1), scen[0]
		s.Parties = append([]string(nil), s.Parties...)
		edit(&d, &s)
		if DefinitionHash(d, []ScenarioInfo{s}) == h {
			t.Errorf("changing %s keeps the hash", name)
		}
	}
}

// TestResumeWithoutManifest is the reported failure: the folder's
// tournament.json is gone and the tournament is rerun with another seed or
// deadline. The old rows must be refused, not reported as resumed, and the
// folder left as it was; the original definition still resumes them.
func TestResumeWithoutManifest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := run(t, testDef(1), Options{Out: dir, Workers: 2})
	csvPath := filepath.Join(dir, ResultsCSV)
	before, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*Definition)
	}{
		{"Seed", func(d *Definition) { d.Seed = 8 }},
		{"Rounds", func(d *Definition) { d.Rounds = 41 }},
		{"Agents", func(d *Definition) { d.Agents = []string{"boulware", "linear", "conceder", "hardliner"} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := os.Remove(filepath.Join(dir, ManifestJSON)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			d := testDef(1)
			c.edit(&d)
			st, err := Run(context.Background(), d, Options{Out: dir, Workers: 2})
			if parley.ErrorCode(err) != parley.ECONFLICT || !strings.Contains(err.Error(), "recorded by another tournament") || !strings.Contains(err.Error(), "results.csv:2") {
				t.Fatalf("err = %v (stats %+v), want ECONFLICT naming results.csv:2 and another tournament", err, st)
			}
			if _, err := os.Stat(filepath.Join(dir, ManifestJSON)); !errors.Is(err, fs.ErrNotExist) {
				t.Error("a refused run wrote tournament.json: the folder now claims to hold the new tournament")
			}
			if after, _ := os.ReadFile(csvPath); !bytes.Equal(after, before) {
				t.Error("a refused run changed results.csv")
			}
		})
	}
	st := run(t, testDef(1), Options{Out: dir, Workers: 2})
	if st.Ran != 0 || st.Resumed != first.Ran {
		t.Errorf("original definition: %+v, want all %d resumed", st, first.Ran)
	}
	if _, err := ReadManifest(dir); err != nil {
		t.Errorf("resuming did not write tournament.json back: %v", err)
	}
}

// readCSV reads a results.csv whole, header included.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// editRows rewrites results.csv with fn applied to its data records.
func editRows(t *testing.T, path string, fn func(recs [][]string) [][]string) {
	t.Helper()
	recs := readCSV(t, path)
	recs = append(recs[:1], fn(recs[1:])...)
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResumeRefusesBadRows(t *testing.T) {
	t.Parallel()
	whole := t.TempDir()
	run(t, testDef(1), Options{Out: whole, Workers: 2})
	half := t.TempDir()
	run(t, testDef(1), Options{Out: half, Workers: 2, Shard: Shard{1, 2}})
	wholeRows := readCSV(t, filepath.Join(whole, ResultsCSV))[1:]
	for _, c := range []struct {
		name  string
		shard Shard
		edit  func([][]string) [][]string
		code  string
		want  string
	}{
		{"Twice", Shard{}, func(r [][]string) [][]string { return append(r, r[3]) }, parley.ECONFLICT, "recorded twice"},
		{"OtherShard", Shard{1, 2}, func(r [][]string) [][]string {
			for _, w := range wholeRows {
				if w[colIndex] == "0" {
					return append(r, w)
				}
			}
			return r
		}, parley.ECONFLICT, "is not in shard 1/2"},
		{"SeedEdited", Shard{}, func(r [][]string) [][]string { r[2][colSeed] = "12345"; return r }, parley.ECONFLICT, "has seed 12345, but this tournament seeds it with"},
		{"IdElsewhere", Shard{}, func(r [][]string) [][]string { r[2][colID], r[3][colID] = r[3][colID], r[2][colID]; return r }, parley.ECONFLICT, "but this tournament's negotiation"},
		{"OtherDefinition", Shard{}, func(r [][]string) [][]string { r[5][colDefinition] = "0123456789abcdef"; return r }, parley.ECONFLICT, "recorded by another tournament (definition 0123456789abcdef"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			src := whole
			if c.shard.N > 0 {
				src = half
			}
			for _, f := range []string{ResultsCSV, ManifestJSON} {
				b, err := os.ReadFile(filepath.Join(src, f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			editRows(t, filepath.Join(dir, ResultsCSV), c.edit)
			_, err := Run(context.Background(), testDef(1), Options{Out: dir, Workers: 2, Shard: c.shard})
			if parley.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %s with %q", err, c.code, c.want)
			}
			// Merging a folder with the bad row is refused too.
			if c.shard.N == 0 {
				if _, err := Merge(t.TempDir(), []string{dir}); err == nil {
					t.Error("merge accepted the folder")
				}
			}
		})
	}
}

// TestHeaderMismatchNamesColumn: a results.csv from another version (here:
// without the definition column) is refused with the column named.
func TestHeaderMismatchNamesColumn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run(t, testDef(1), Options{Out: dir, Workers: 2})
	p := filepath.Join(dir, ResultsCSV)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte(",definition,"), []byte(","), 1)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), testDef(1), Options{Out: dir, Workers: 2})
	if want := `results.csv:1: column 19 is "t", expected "definition"`; parley.ErrorCode(err) != parley.ECONFLICT || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// TestSeedZeroIsASeed: an explicit seed 0 is kept (it used to become 1,
// so --seed 0 and --seed 1 ran the same tournament); a tournament file
// without a seed gets the documented default 1, and explicit zero counts
// are refused with their position.
func TestSeedZeroIsASeed(t *testing.T) {
	t.Parallel()
	d := testDef(1)
	d.Seed = 0
	pr, err := Prepare(d)
	if err != nil {
		t.Fatal(err)
	}
	d.Seed = 1
	pr1, err := Prepare(d)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Manifest.Definition.Seed != 0 || pr.Manifest.Hash == pr1.Manifest.Hash {
		t.Errorf("seed 0 became %d (hash %s, seed 1's %s)", pr.Manifest.Definition.Seed, pr.Manifest.Hash, pr1.Manifest.Hash)
	}
	c, err := parseConfig("t.yaml", []byte("agents: [boulware, linear]\nscenarios: [x]\n"))
	if err != nil || c.Seed != DefaultSeed || c.Reps != DefaultReps || c.Rounds != DefaultRounds {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	c, err = parseConfig("t.yaml", []byte("agents: [boulware, linear]\nscenarios: [x]\nseed: 0\n"))
	if err != nil || c.Seed != 0 {
		t.Errorf("seed 0: %+v, %v", c, err)
	}
	for _, bad := range []string{"reps: 0", "rounds: -2", "workers: 0", "seed: -1", "reps: 1.5"} {
		_, err := parseConfig("t.yaml", []byte("agents: [a, b]\n"+bad+"\n"))
		var list parley.PosErrors
		if !errors.As(err, &list) || list[0].Line != 2 || list[0].Column == 0 || parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestScanCSVLines: scanCSV hands over every record with its line number
// (one CSV reader serves all lines), ignores a partial last line, and
// names the line of a malformed record or a wrong field count.
func TestScanCSVLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	want := []string{"a", "b", "c"}
	write := func(text string) string {
		p := filepath.Join(dir, "r.csv")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var got []string
	err := scanCSV(write("a,b,c\n1,\"x,y\",3\n4,,6\n7,8"), want, func(line int, rec []string) error {
		got = append(got, fmt.Sprint(line, rec))
		return nil
	})
	if w := []string{"2 [1 x,y 3]", "3 [4  6]"}; err != nil || !slices.Equal(got, w) {
		t.Errorf("records %q, %v; want %q", got, err, w)
	}
	for text, msg := range map[string]string{
		"a,b,c\n1,2,3\n4,5\"x,6\n": "r.csv:3",
		"a,b,c\n1,2,3\n4,5\n":      "r.csv:3: 2 fields, want 3",
	} {
		err := scanCSV(write(text), want, func(int, []string) error { return nil })
		if parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want EINVALID with %q", text, err, msg)
		}
	}
}

// TestDomainName: the Genius domain file names, as ^(.*)-domain\.xml$
// matches them.
func TestDomainName(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^(.*)-domain\.xml$`)
	for _, name := range []string{"Laptop-A-domain.xml", "-domain.xml", "domain.xml", "a-domain.xml.bak", "a-Domain.xml", "x\ny-domain.xml", "a-domain.xml-domain.xml", "Laptop-A-prof1.xml"} {
		x, ok := domainName(name)
		m := re.FindStringSubmatch(name)
		if ok != (m != nil) || ok && x != m[1] {
			t.Errorf("%q: %q %v, the expression %q", name, x, ok, m)
		}
	}
}

package geniusweb

import (
	"bytes"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/internal/shared"
)

// Tolerance of the round trips, in quanta (1/parley.Quantum ≈ 9.1e-13):
// weights are renormalised and values divided and multiplied by them in
// float64, so every issue's compiled entry may move by a quantum, plus one
// for the reservation's own rounding.
func tolerance(m *parley.Model) int64 { return int64(len(m.Sizes)) + 2 }

// maxEnum is the largest outcome space compared outcome by outcome; larger
// ones are compared on sampleSize random outcomes.
const (
	maxEnum    = 50_000
	sampleSize = 5_000
)

// outcomes returns every outcome of m, or a deterministic random sample.
func outcomes(m *parley.Model) []parley.Outcome {
	var out []parley.Outcome
	if m.Size().IsInt64() && m.Size().Int64() <= maxEnum {
		for o := range m.Outcomes() {
			out = append(out, append(parley.Outcome(nil), o...))
		}
		return out
	}
	rng := rand.New(rand.NewSource(1))
	for range sampleSize {
		o := make(parley.Outcome, len(m.Sizes))
		for i, n := range m.Sizes {
			o[i] = rng.Intn(n)
		}
		out = append(out, o)
	}
	return out
}

// quanta returns |a − b| in quanta of 2^-40, rounded up.
func quanta(a, b float64) int64 {
	return int64(math.Ceil(math.Abs(a-b) * parley.Quantum))
}

// sameUtilities compares the parties' utilities of a and b over outcomes,
// and their reservation values (party i only if checkRes[i]). It returns
// the largest difference seen, in quanta.
func sameUtilities(t *testing.T, name string, a, b *parley.Model, checkRes []bool) int64 {
	t.Helper()
	if len(a.Parties) != len(b.Parties) || len(a.Sizes) != len(b.Sizes) {
		t.Errorf("%s: shape differs: %d parties %v sizes vs %d parties %v sizes", name, len(a.Parties), a.Sizes, len(b.Parties), b.Sizes)
		return -1
	}
	for i := range a.Sizes {
		if a.Sizes[i] != b.Sizes[i] {
			t.Errorf("%s: issue %d has %d options, then %d", name, i, a.Sizes[i], b.Sizes[i])
			return -1
		}
	}
	tol := tolerance(a)
	var worst int64
	for _, o := range outcomes(a) {
		ua, ub := a.Eval(o), b.Eval(o)
		for p := range ua {
			fa, fb := a.Parties[p].Utility.F(ua[p]), b.Parties[p].Utility.F(ub[p])
			d := quanta(fa, fb)
			worst = max(worst, d)
			if d > tol {
				t.Errorf("%s: party %d, outcome %v: utility %v, then %v (%d quanta of 2^-40 apart)", name, p, o, fa, fb, d)
				return worst
			}
		}
	}
	for p := range a.Parties {
		if checkRes != nil && !checkRes[p] {
			continue
		}
		d := quanta(a.Parties[p].Utility.F(a.Parties[p].Reservation), b.Parties[p].Utility.F(b.Parties[p].Reservation))
		worst = max(worst, d)
		if d > tol {
			t.Errorf("%s: party %d: reservation %v, then %v", name, p, a.Parties[p].Utility.F(a.Parties[p].Reservation), b.Parties[p].Utility.F(b.Parties[p].Reservation))
		}
	}
	return worst
}

// roundTrip writes s as GeniusWeb JSON, reads it back with both layouts and
// compares utilities. It reports whether the comparison was exact in kind
// (no warning that changes utilities) and the warnings.
func roundTrip(t *testing.T, name string, s *parley.Scenario) (compared bool, warns []string) {
	t.Helper()
	m1, err := s.Compile()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	dir := t.TempDir()
	files, warns, err := Write(dir, s)
	if err != nil {
		t.Errorf("%s: write: %v", name, err)
		return false, warns
	}
	if len(files) != len(s.Parties)+1 {
		t.Errorf("%s: %d files for %d parties", name, len(files), len(s.Parties))
	}
	for _, w := range warns {
		if strings.Contains(w, "hyper-rectangle") {
			return false, warns // the utility changes, by design
		}
	}
	checkRes := make([]bool, len(s.Parties))
	for p := range s.Parties {
		checkRes[p] = true
		for _, w := range warns {
			if strings.HasPrefix(w, "party "+quote(s.Parties[p].Name)+": no outcome has utility") {
				checkRes[p] = false
			}
		}
	}
	for _, dom := range []string{files[0], ""} {
		s2, err := Load(dom, files[1:])
		if err != nil {
			t.Errorf("%s: reading back: %v", name, err)
			return false, warns
		}
		m2, err := s2.Compile()
		if err != nil {
			t.Errorf("%s: compiling back: %v", name, err)
			return false, warns
		}
		sameUtilities(t, name, m1, m2, checkRes)
	}
	// Writing the re-read scenario gives the same files (determinism and
	// stability).
	s2, _ := Load(files[0], files[1:])
	dir2 := t.TempDir()
	files2, _, err := Write(dir2, s2)
	if err == nil && len(files2) == len(files) {
		a, _ := os.ReadFile(files[0])
		b, _ := os.ReadFile(files2[0])
		if !bytes.Equal(a, b) {
			t.Errorf("%s: domain file differs when written again", name)
		}
	}
	return true, warns
}

func quote(s string) string { return `"` + s + `"` }

// TestRoundTripGeniusWeb round-trips every GeniusWeb JSON domain of the
// shared data set: each folder's domain with all its profiles.
func TestRoundTripGeniusWeb(t *testing.T) {
	dataDir := shared.Genius(t)
	dirs, byDir := shared.FilesByDir(t, dataDir, ".json")
	var nfiles, ok, scen int
	for _, dir := range dirs {
		var dom string
		var profs []string
		for _, f := range byDir[dir] {
			nfiles++
			data, _ := os.ReadFile(f)
			if _, err := ReadDomain(f, data); err == nil {
				dom = f
				ok++
			} else if _, err := ReadProfile(f, data); err == nil {
				profs = append(profs, f)
				ok++
			} else {
				t.Errorf("%s: neither a domain nor a profile: %v", f, err)
			}
		}
		if len(profs) < 2 {
			t.Logf("%s: %d profiles, skipped", dir, len(profs))
			continue
		}
		s, err := Load(dom, profs)
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if _, err := s.Compile(); err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if compared, warns := roundTrip(t, dir, s); compared {
			scen++
			for _, w := range warns {
				t.Logf("%s: warning: %s", filepath.Base(dir), w)
			}
		}
	}
	t.Logf("%d GeniusWeb JSON files, %d read; %d scenarios round-trip", nfiles, ok, scen)
	// Floors, as of this writing: fewer means files stopped loading or
	// round-tripping.
	if ok < 12 || scen < 4 {
		t.Errorf("%d files read and %d scenarios round-trip; at least 12 and 4 did", ok, scen)
	}
}

// TestRoundTripGeniusXML exports every Genius XML scenario of the shared data
// set (each domain with all the profiles of its folder that load with it)
// as GeniusWeb JSON and reads it back.
func TestRoundTripGeniusXML(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	dataDir := shared.Genius(t)
	scens := geniusScenarios(t, dataDir)
	var same, rects, resLost, total int
	for _, sc := range scens {
		total++
		compared, warns := roundTrip(t, sc.name, sc.s)
		if !compared {
			rects++
			continue
		}
		same++
		for _, w := range warns {
			if strings.Contains(w, "no outcome has utility") {
				resLost++
			}
		}
	}
	t.Logf("%d Genius XML scenarios: %d round-trip through GeniusWeb JSON (%d parties' reservation values have no matching bid and are not compared), %d nonlinear ones are not comparable (hyper-rectangles dropped, with a warning)", total, same, resLost, rects)
	if same < 171 {
		t.Errorf("%d Genius XML scenarios round-trip through GeniusWeb JSON; at least 171 did", same)
	}
}

type namedScenario struct {
	name string
	s    *parley.Scenario
}

// geniusScenarios loads the Genius XML data: every domain with the profiles
// of its folder that read against it (twice the profile when it has one).
func geniusScenarios(t *testing.T, dataDir string) []namedScenario {
	dirs, byDir := shared.FilesByDir(t, dataDir, ".xml")
	var out []namedScenario
	for _, dir := range dirs {
		type file struct {
			path string
			data []byte
		}
		var domains []*genius.Domain
		var profs []file
		for _, p := range byDir[dir] {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if d, err := genius.ReadDomain(p, data); err == nil {
				domains = append(domains, d)
			} else {
				profs = append(profs, file{p, data})
			}
		}
		for _, d := range domains {
			var ps []*genius.Profile
			var names []string
			for _, f := range profs {
				if p, err := genius.ReadProfile(f.path, f.data, d); err == nil {
					ps = append(ps, p)
					names = append(names, filepath.Base(f.path))
				}
			}
			if len(ps) == 0 {
				continue
			}
			if len(ps) == 1 {
				ps = append(ps, ps[0])
				names = append(names, names[0]+"-2")
			}
			s, err := genius.Build(d, ps, names, genius.Options{})
			if err != nil {
				continue
			}
			if _, err := s.Compile(); err != nil {
				continue
			}
			out = append(out, namedScenario{d.File, s})
		}
	}
	return out
}

package genius

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/shared"
)

func needData(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(shared.Genius(t), rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("Genius data set not found (%v)", err)
	}
	return p
}

// TestCrossCheckTravel recomputes two bids of ANAC 2012 Travel-A, profile 1,
// from the numbers in the file.
func TestCrossCheckTravel(t *testing.T) {
	dir := needData(t, "genius-templates/anac/y2012/Travel")
	s, err := Load(filepath.Join(dir, "Travel-A-domain.xml"), []string{filepath.Join(dir, "Travel-A-prof1.xml"), filepath.Join(dir, "Travel-A-prof2.xml")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	// First value of every issue. Evaluation / issue maximum: Atmosphere
	// 41/370, Amusement 370/370, Culinary 508/508, Shopping 61/508,
	// Culture 271/382, Sport 481/481, Environment 158/316; weighted by
	// 0.37045…, 0.04305…, 0.20810…, 0.04308…, 0.04701…, 0.03329…, 0.25501…
	// (sum 1.0): 0.4915231355126343.
	first := make(parley.Outcome, len(s.Issues))
	if got := m.Parties[0].Utility.F(m.Parties[0].Utility.Eval(first)); math.Abs(got-0.4915231355126343) > 1e-9 {
		t.Errorf("u1(first values) = %v, want 0.4915231355126343", got)
	}
	// Hospitality, Nightlife and entertainment, Local cuisine, Small
	// boutiques, Theater, Bike tours, Monuments: each the issue maximum → 1.
	best := outcome(t, s, map[string]string{"Atmosphere": "Hospitality", "Amusement": "Nightlife and entertainment",
		"Culinary": "Local cuisine", "Shopping": "Small boutiques", "Culture": "Theater", "Sport": "Bike tours", "Environment": "Monuments"})
	if got := m.Parties[0].Utility.F(m.Parties[0].Utility.Eval(best)); math.Abs(got-1) > 1e-9 {
		t.Errorf("u1(best) = %v, want 1", got)
	}
	if r := m.Parties[0].Utility.F(m.Parties[0].Reservation); r != 0.5 || m.Parties[0].Principals[0].Discount != 0.75 {
		t.Errorf("reservation %v discount %v, want 0.5 and 0.75", r, m.Parties[0].Principals[0].Discount)
	}
}

// TestCrossCheckANAC2014 checks the nonlinear ANAC 2014 profiles against
// Genius' own Pareto frontier (pareto.xml: lines "u1, u2"): utilities stay
// in [0, 1], Genius' frontier and the best bid local search finds reach 1
// (maxutility is the best bid's rectangle sum), and no bid found by local search
// dominates a frontier point.
func TestCrossCheckANAC2014(t *testing.T) {
	for _, rel := range []string{"genius-templates/nonlinear/S-1NIKFRT-1", "genius-templates/anac/y2014/10issues"} {
		dir := needData(t, rel)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			doms, _ := filepath.Glob(filepath.Join(dir, "*-domain.xml"))
			if len(doms) != 1 {
				t.Fatalf("domains %v", doms)
			}
			s, err := Load(doms[0], []string{filepath.Join(dir, "profile-1.xml"), filepath.Join(dir, "profile-2.xml")}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := s.Compile()
			if err != nil {
				t.Fatal(err)
			}
			front := readPareto(t, filepath.Join(dir, "pareto.xml"))
			rng := rand.New(rand.NewPCG(1, 2))
			var best [2]float64
			var found [][2]float64
			for restart := 0; restart < 200; restart++ {
				party := restart % 2
				o := make(parley.Outcome, len(m.Sizes))
				for i := range o {
					o[i] = rng.IntN(m.Sizes[i])
				}
				// Hill-climb on the party's utility, ties broken by the other's.
				score := func(o parley.Outcome) float64 {
					us := m.Eval(o)
					return m.Parties[party].Utility.F(us[party])*4 + m.Parties[1-party].Utility.F(us[1-party])
				}
				cur := score(o)
				for improved := true; improved; {
					improved = false
					for i := range o {
						keep := o[i]
						for k := 0; k < m.Sizes[i]; k++ {
							o[i] = k
							if v := score(o); v > cur+1e-12 {
								cur, keep, improved = v, k, true
							}
						}
						o[i] = keep
					}
				}
				us := m.Eval(o)
				u := [2]float64{m.Parties[0].Utility.F(us[0]), m.Parties[1].Utility.F(us[1])}
				found = append(found, u)
				for j := range u {
					if u[j] < -1e-9 || u[j] > 1+1e-9 {
						t.Fatalf("utility %v outside [0, 1] at %v", u, o)
					}
					best[j] = math.Max(best[j], u[j])
				}
			}
			for j := range best {
				fmax := 0.0
				for _, f := range front {
					fmax = math.Max(fmax, f[j])
				}
				if math.Abs(fmax-1) > 1e-6 {
					t.Errorf("party %d: Genius frontier peaks at %v, not 1", j+1, fmax)
				}
				// Local search need not find the optimum; it must come close.
				if best[j] < 0.99 {
					t.Errorf("party %d: best utility found %v, want about 1 (maxutility / maxutility)", j+1, best[j])
				}
			}
			for _, u := range found {
				for _, f := range front {
					if u[0] > f[0]+1e-6 && u[1] > f[1]+1e-6 {
						t.Errorf("bid with utilities %v dominates Genius frontier point %v", u, f)
					}
				}
			}
			t.Logf("%d frontier points; best found %v", len(front), best)
		})
	}
}

func readPareto(t *testing.T, path string) [][2]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pts [][2]float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		a, b, ok := strings.Cut(line, ",")
		x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("%s: bad line %q", path, line)
		}
		pts = append(pts, [2]float64{x, y})
	}
	if len(pts) == 0 {
		t.Fatalf("%s: no points", path)
	}
	return pts
}

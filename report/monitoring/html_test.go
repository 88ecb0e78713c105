package monitoring_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/compliance"
	"github.com/parleyhq/parley/internal/browser"
	"github.com/parleyhq/parley/report/monitoring"
	"github.com/parleyhq/parley/verify"
	"github.com/parleyhq/parley/verify/verifytest"
)

// fixture signs the Istanbul scenario with a joint finding clause, files
// and rules one case, misses an obligation, and returns the report as of
// day 40 with its incidents.
func fixture(t *testing.T) (*compliance.Report, []parley.Incident, *parley.Accord) {
	t.Helper()
	s := verifytest.Scenario(t, "istanbul-2025", "us-signs")
	a := verifytest.Sign(t, s, map[string]string{"ttp_action": "time_bound_dismantling", "guarantee_form": "signed_guarantee",
		"monitoring": "mediated_mechanism", "attribution": "joint_finding", "ceasefire": "open_ended"}, "2025-11-03")
	m, err := verify.New(a)
	if err != nil {
		t.Fatal(err)
	}
	var log []parley.CaseEvent
	for _, in := range []parley.CaseEvent{
		{Day: 2, Kind: parley.CaseAllege, By: "Pakistan", Case: "c<1>", Accused: "Afghanistan", Commitments: []string{"soil-not-used"}, Incident: "acled:PAK9001"},
		{Day: 3, Kind: parley.CaseOpen, By: "mediators", Case: "c<1>", Body: "mediators"},
		{Day: 9, Kind: parley.CaseFind, By: "mediators", Case: "c<1>", Verdict: parley.Attributed},
		{Day: 10, Kind: parley.CaseRule, By: "Pakistan", Case: "c<1>", Verdict: parley.Attributed},
		{Day: 11, Kind: parley.CaseRule, By: "Afghanistan", Case: "c<1>", Verdict: parley.Attributed},
		{Day: 40, Kind: parley.CaseTick},
	} {
		evs, err := m.Step(in)
		if err != nil {
			t.Fatal(err)
		}
		log = append(log, evs...)
	}
	lat, lon := 34.6, 71.3
	incidents := []parley.Incident{
		{Key: "acled:PAK9001", Date: "2025-11-04", EventType: "Battles", Location: "Nawagai", Latitude: &lat, Longitude: &lon},
		{Key: "acled:PAK9002", Date: "2025-11-12", EventType: "Explosions/Remote violence", Location: "Mir <Ali>"},
		{Key: "ucdp:1", Date: "2025-10-30", EventType: "state-based conflict"},
	}
	r, err := compliance.Compute(a, incidents, log, 40)
	if err != nil {
		t.Fatal(err)
	}
	return r, incidents, a
}

func render(t *testing.T, r *compliance.Report, in []parley.Incident, a *parley.Accord) string {
	var b bytes.Buffer
	if err := monitoring.HTML(&b, r, monitoring.HTMLOptions{Incidents: in, Seats: a.Seats}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHTMLSelfContained checks the page without a browser: escaped text,
// no external assets, every part present.
func TestHTMLSelfContained(t *testing.T) {
	r, in, a := fixture(t)
	page := render(t, r, in, a)
	for _, want := range []string{"<svg", "case c&lt;1&gt;", "Mir &lt;Ali&gt;", "soil-not-used", "ISO week", "attributed to Afghanistan", "as of 2025-12-13"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "src=", "href=", "@import", "url(", "c<1>", "Mir <Ali>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %q", bad)
		}
	}
	// Three incidents, one before signature: all on the timeline.
	if n := strings.Count(page, `class="incident"`); n != 3 {
		t.Errorf("%d incident dots, want 3", n)
	}
}

// TestHTMLInChromium loads the page in a real headless Chromium: the DOM
// the browser builds has the timeline's marks, and the screenshot shows
// the coloured status marks.
func TestHTMLInChromium(t *testing.T) {
	r, in, a := fixture(t)
	file := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(file, []byte(render(t, r, in, a)), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, shot := browser.Render(t, file, 1040, 900)
	for what, want := range map[string]int{`class="incident"`: 3, `<rect class="ruling"`: 1, `<circle class="filed"`: 1} {
		if n := strings.Count(dom, what); n != want {
			t.Errorf("the browser's DOM has %d %s, want %d", n, what, want)
		}
	}
	if !strings.Contains(dom, "<svg") || !strings.Contains(dom, "Monitoring: istanbul-2025 (us-signs)") {
		t.Errorf("DOM:\n%.2000s", dom)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	// The missed and met marks are drawn: count pixels near their colours.
	red, green := 0, 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			switch {
			case near(r, 0xc6) && near(g, 0x28) && near(b, 0x28):
				red++
			case near(r, 0x2e) && near(g, 0x7d) && near(b, 0x32):
				green++
			}
		}
	}
	if red < 100 || green < 100 {
		t.Errorf("screenshot shows %d red and %d green pixels; the status marks are not drawn", red, green)
	}
}

func near(a, b uint32) bool { return a+12 >= b && a <= b+12 }

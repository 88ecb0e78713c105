package report

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/genius"
	"github.com/parleyhq/parley/internal/browser"
	"github.com/parleyhq/parley/internal/shared"
	"github.com/parleyhq/parley/verify/verifytest"
)

// The browser test loads every kind of page in a real headless Chromium,
// at 1280×800 and at a phone's width, checks what a person would find
// broken — text overlapping text in a chart, a page wider than the screen,
// a chart squeezed out of sight — and writes a screenshot of each (to a
// temporary folder, or to $PARLEY_SCREENSHOTS to keep them and look).

// A pageCase is one scenario whose analysis and simulation pages are
// checked.
type pageCase struct {
	name string
	load func(t *testing.T) *parley.Scenario
}

// screenWidths are the windows the pages are checked in: a laptop and a
// phone.
var screenWidths = []struct {
	name          string
	width, height int
}{{"desktop", 1280, 800}, {"phone", 390, 844}}

func geniusCase(name, dir, domain string, profiles ...string) pageCase {
	return pageCase{name: name, load: func(t *testing.T) *parley.Scenario {
		g := shared.Genius(t)
		var ps []string
		for _, p := range profiles {
			ps = append(ps, filepath.Join(g, dir, p))
		}
		s, err := genius.Load(filepath.Join(g, dir, domain), ps, genius.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}}
}

func builtinCase(name, variant string) pageCase {
	return pageCase{name: name, load: func(t *testing.T) *parley.Scenario {
		return verifytest.Scenario(t, "istanbul-2025", variant)
	}}
}

var pageCases = []pageCase{
	geniusCase("camera", "genius-templates/anac/y2012/Camera", "Camera-B-domain.xml", "Camera-B-prof1.xml", "Camera-B-prof2.xml"),
	geniusCase("dinner-3party", "genius-templates/ANAC2015/group2-dinner", "Dinner.xml", "Dinner_util1.xml", "Dinner_util2.xml", "Dinner_util3.xml"),
	builtinCase("istanbul", ""),
	builtinCase("istanbul-s0s1", "s0s1-factions"),
}

// writePages renders a case's analysis and simulation pages into dir, and
// returns their files and the names of the scenario's parties.
func writePages(t *testing.T, pc pageCase, dir string) (files, parties []string) {
	t.Helper()
	run, m, rep := runScenario(t, pc.load(t), 1)
	Word(rep)
	for _, p := range m.Parties {
		parties = append(parties, p.Name)
	}
	write := func(name string, render func(*bytes.Buffer) error) {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		wellFormed(t, b.String())
		f := filepath.Join(dir, pc.name+"-"+name+".html")
		if err := os.WriteFile(f, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	write("analysis", func(b *bytes.Buffer) error { return HTML(b, rep, m, HTMLOptions{Seed: 1}) })
	d := debrief(t, run)
	write("simulation", func(b *bytes.Buffer) error { return SimulationHTML(b, d, rep) })
	return files, parties
}

// layoutScript measures, in the page as laid out, what a person would
// find broken: how far the page overflows the window sideways, charts
// drawn at no size, pairs of visible texts of one chart that overlap (by
// more than a pixel each way), legend entries with no mark of theirs drawn
// in their chart, and, per chart, the party series and axis titles drawn.
//
// A legend entry's icon has an element of class "key" and the classes of
// the marks it stands for; a drawn mark has the same classes and, unless
// the icon is of class "any" (a gray that stands for each party's colour),
// the same computed fill and stroke.
const layoutScript = `(() => {
  const out = {overflow: document.documentElement.scrollWidth - window.innerWidth, empty: [], overlaps: [], wideCharts: 0,
    unmatched: [], series: {}, titles: []};
  const name = (svg, k) => svg.getAttribute('aria-label') || 'chart ' + k;
  const shown = el => { for (let e = el; e && e.tagName !== 'svg'; e = e.parentElement) { const s = getComputedStyle(e); if (s.display === 'none' || s.visibility === 'hidden') return false; } return true; };
  document.querySelectorAll('svg.plot, svg.tornado').forEach((svg, k) => {
    const r = svg.getBoundingClientRect();
    if (r.width < 50 || r.height < 50) out.empty.push(name(svg, k) + ' ' + r.width + 'x' + r.height);
    const boxes = [];
    svg.querySelectorAll('text').forEach(t => {
      if (!shown(t) || t.textContent.trim() === '') return;
      const b = t.getBoundingClientRect();
      if (b.width > 0 && b.height > 0) boxes.push({t: t.textContent.trim(), b});
    });
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].b, c = boxes[j].b;
      if (a.left + 1 < c.right - 1 && c.left + 1 < a.right - 1 && a.top + 1 < c.bottom - 1 && c.top + 1 < a.bottom - 1)
        out.overlaps.push(name(svg, k) + ': "' + boxes[i].t + '" and "' + boxes[j].t + '"');
    }
    const strokes = new Set();
    svg.querySelectorAll('.sline').forEach(l => { if (shown(l)) strokes.add(getComputedStyle(l).stroke); });
    if (strokes.size) out.series[name(svg, k)] = strokes.size;
  });
  document.querySelectorAll('.plotwrap svg.plot .atitle, .splom svg.plot .atitle').forEach(t => out.titles.push(t.textContent.trim()));
  document.querySelectorAll('.chart').forEach(c => { if (c.scrollWidth > c.clientWidth + 1) out.wideCharts++; });
  const drawn = el => {
    if (!shown(el)) return false;
    const d = el.getAttribute('d') || el.getAttribute('points') || '';
    const b = el.getBBox();
    return /[0-9]/.test(d) || b.width > 0 || b.height > 0;
  };
  document.querySelectorAll('ul.legend li').forEach(li => {
    const key = li.querySelector('.key');
    const what = li.textContent.trim();
    if (!key) { out.unmatched.push(what + ' (no key mark in its icon)'); return; }
    let scope = li.closest('.plotwrap, .splom');
    if (!scope) { scope = li.closest('ul').previousElementSibling; while (scope && !scope.querySelector('svg.plot')) scope = scope.previousElementSibling; }
    if (!scope) { out.unmatched.push(what + ' (no chart before its legend)'); return; }
    const any = key.classList.contains('any');
    const cls = [...key.classList].filter(c => c !== 'key' && c !== 'any');
    const ks = getComputedStyle(key);
    const hit = [...scope.querySelectorAll('svg.plot ' + cls.map(c => '.' + CSS.escape(c)).join(''))].some(el => {
      if (el.closest('svg.icon') || !drawn(el)) return false;
      if (any) return true;
      const s = getComputedStyle(el);
      return s.fill === ks.fill && s.stroke === ks.stroke;
    });
    if (!hit) out.unmatched.push(what + ' (' + cls.join('.') + (any ? '' : ', ' + ks.fill + '/' + ks.stroke) + ')');
  });
  return JSON.stringify(out);
})()`

// dropEvents removes the events section (its heading and what follows).
const dropEvents = `(() => {
  const h = document.getElementById('events');
  if (!h) return false;
  while (h.nextElementSibling && h.nextElementSibling.tagName !== 'FOOTER') h.nextElementSibling.remove();
  h.remove();
  return true;
})()`

type layout struct {
	Overflow   float64        `json:"overflow"`
	Empty      []string       `json:"empty"`
	Overlaps   []string       `json:"overlaps"`
	WideCharts int            `json:"wideCharts"`
	Unmatched  []string       `json:"unmatched"`
	Series     map[string]int `json:"series"`
	Titles     []string       `json:"titles"`
}

// check reports what the layout shows broken on the page of file, of a
// scenario of the named parties, in a window of width w.
func (l *layout) check(t *testing.T, file string, parties []string, w int, wname string) {
	t.Helper()
	where := filepath.Base(file) + " at " + wname + " width"
	if l.Overflow > 1 {
		t.Errorf("%s: the page is %.0f px wider than the window", where, l.Overflow)
	}
	for _, e := range l.Empty {
		t.Errorf("%s: a chart has no room: %s", where, e)
	}
	for _, o := range l.Overlaps {
		t.Errorf("%s: texts overlap in %s", where, o)
	}
	if w >= 1280 && l.WideCharts > 0 {
		t.Errorf("%s: %d charts need scrolling sideways on a 1280-pixel screen", where, l.WideCharts)
	}
	for _, u := range l.Unmatched {
		t.Errorf("%s: the legend names what its chart does not draw: %s", where, u)
	}
	// One line per party in the utilities over time (the simulation page).
	if strings.HasSuffix(file, "-simulation.html") {
		if got := l.Series["utilities over time"]; got != len(parties) {
			t.Errorf("%s: the utilities over time draw %d party series, want %d (one per party)", where, got, len(parties))
		}
	}
	// Every party is on an axis of the outcome plots.
	on := map[string]bool{}
	for _, ti := range l.Titles {
		on[ti] = true
	}
	for _, p := range parties {
		if !on[p] {
			t.Errorf("%s: no outcome plot has %s on an axis (axes: %q)", where, p, l.Titles)
		}
	}
}

func TestPagesInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	dir := os.Getenv("PARLEY_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pg := browser.Start(t, screenWidths[0].width, screenWidths[0].height)
	for _, pc := range pageCases {
		t.Run(pc.name, func(t *testing.T) {
			files, parties := writePages(t, pc, dir)
			for _, file := range files {
				for _, w := range screenWidths {
					pg.Resize(w.width, w.height)
					pg.Navigate(t, file)
					var l layout
					if err := json.Unmarshal([]byte(browser.Eval[string](t, pg, layoutScript)), &l); err != nil {
						t.Fatal(err)
					}
					l.check(t, file, parties, w.width, w.name)
					// The events table, as long as the run, is left out
					// of the picture: the charts are what to look at.
					browser.Eval[bool](t, pg, dropEvents)
					shot := pg.Screenshot(t)
					img, err := png.Decode(bytes.NewReader(shot))
					if err != nil {
						t.Fatal(err)
					}
					if got := img.Bounds().Dx(); got != w.width {
						t.Errorf("%s: screenshot %d px wide, want %d", filepath.Base(file), got, w.width)
					}
					name := strings.TrimSuffix(file, ".html") + "-" + w.name + ".png"
					if err := os.WriteFile(name, shot, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
	if os.Getenv("PARLEY_SCREENSHOTS") == "" {
		t.Logf("screenshots in %s (removed after the test; set PARLEY_SCREENSHOTS=DIR to keep them)", dir)
	}
}

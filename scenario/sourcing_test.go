package scenario

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/shared"
)

// TestBuiltinSourced keeps every built-in scenario fully sourced: each
// estimate and modelling choice of the base and of every variant cites a
// declared source or is labelled an assumption with a reason.
func TestBuiltinSourced(t *testing.T) {
	for _, n := range BuiltinNames() {
		f, err := Builtin(n)
		if err != nil {
			t.Fatal(err)
		}
		warns, err := Unsourced(f)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for _, w := range warns {
			t.Errorf("%s", w)
		}
		if len(warns) > 0 {
			t.Errorf("%s: %d unsourced estimates or choices (parley validate lists them)", n, len(warns))
		}
	}
}

// TestUnsourcedFindsGaps checks the unsourced-estimate walk on a file with
// one gap of each kind, and that labels and cites close them.
func TestUnsourcedFindsGaps(t *testing.T) {
	const doc = `
id: gaps
sources: [{id: A}]
issues:
  - name: x
    options:
      - a
      - label: b
        commitments:
          - {id: c1, kind: prohibition, text: do not, by: [P], to: [Q]}
parties:
  - name: P
    preferences:
      reservation: 0.3
      issues:
        - {issue: x, weight: {value: 1, sources: [A]}, values: {a: 1, b: {value: 0.5, assumption: "guess"}}}
      red_lines: [{name: r, conditions: [{issue: x, options: [b]}]}]
  - name: Q
    delegation:
      rule: unanimity
      factions:
        - name: F
          weight: {value: 1, assumption: "only faction"}
          preferences:
            reservation: {value: 0.2, sources: [A]}
            issues: [{issue: x, weight: 1, values: {a: 0, b: 1}, sources: [A]}]
roles:
  - {name: G, kind: guarantor, needed: [{issue: x, options: [b]}], consents: 0.5, sources: [A]}
variants:
  - {name: v, override: {parties: [{name: P, preferences: {reservation: {value: 0.4, assumption: "why not"}}}]}}
`
	f, err := Parse("gaps.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	warns, err := Unsourced(f)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range warns {
		got = append(got, w.Path)
	}
	want := []string{
		"parties[0].preferences.reservation",
		"parties[0].preferences.issues[0].values[0].value",
		"parties[0].preferences.red_lines[0]",
		"parties[1].delegation.rule",
		"parties[1].delegation.factions[0].preferences.issues[0].weight",
		"roles[0].consents",
		"variants[0]",
		"issues[0].options[1].commitments[0]",
	}
	if strings.Join(got, "\n") != strings.Join(sortedLike(want, got), "\n") || len(got) != len(want) {
		t.Errorf("unsourced:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, w := range warns {
		if w.Line == 0 {
			t.Errorf("%s: no position", w)
		}
	}
}

// sortedLike returns want in the order the items appear in got (the
// warnings come sorted by position), so the comparison checks the set.
func sortedLike(want, got []string) []string {
	in := map[string]bool{}
	for _, w := range want {
		in[w] = true
	}
	var out []string
	for _, g := range got {
		if in[g] {
			out = append(out, g)
			delete(in, g)
		}
	}
	for _, w := range want {
		if in[w] {
			out = append(out, w)
		}
	}
	return out
}

// TestBuiltinQuotesAndWording checks the built-in scenarios against the
// reports they cite: a quote is word for word in the source it names, and
// nothing else in the file copies a run of seven or more consecutive words
// from any report (the scenario writes facts in its own words).
func TestBuiltinQuotesAndWording(t *testing.T) {
	dir := shared.Dir()
	if dir == "" {
		t.Skip("../shared is absent: skipping the check of quotes and wording against the reports (set PARLEY_SHARED)")
	}
	for _, n := range BuiltinNames() {
		f, err := Builtin(n)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.Scenario("")
		if err != nil {
			t.Fatal(err)
		}
		reports := map[string]string{}
		for _, src := range s.Sources {
			if src.File == "" {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, src.File))
			if err != nil {
				t.Fatalf("%s: source %s: %v", n, src.ID, err)
			}
			reports[src.ID] = string(b)
		}
		if len(reports) == 0 {
			continue
		}
		raw, err := builtinFS.ReadFile("builtin/" + n + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		// Quotes: every quote of the base and the variants.
		names := []string{""}
		for _, v := range f.Variants() {
			names = append(names, v.Name)
		}
		quoted := 0
		for _, v := range names {
			sv, err := f.Scenario(v)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range sv.Parties {
				for _, pr := range p.Principals() {
					for _, rl := range pr.Preferences.RedLines {
						q := rl.Quote
						if q == nil {
							continue
						}
						quoted++
						if !strings.Contains(normalise(reports[q.Source]), normalise(q.Text)) {
							t.Errorf("%s: red line %s quotes %s, but %q is not in it", n, rl.Name, q.Source, q.Text)
						}
						text = strings.ReplaceAll(text, q.Text, " ")
					}
				}
			}
		}
		t.Logf("%s: %d quotes checked", n, quoted)
		// Wording: no run of seven words from a report, outside quotation
		// marks.
		text = quotedRe.ReplaceAllString(text, " ")
		const run = 6
		mine := words(text)
		have := map[string]bool{}
		for i := 0; i+run <= len(mine); i++ {
			have[strings.Join(mine[i:i+run], " ")] = true
		}
		for id, r := range reports {
			ws := words(r)
			for i := 0; i+run <= len(ws); i++ {
				if g := strings.Join(ws[i:i+run], " "); have[g] {
					t.Errorf("%s copies %q from %s; write it in other words or mark it as a quote", n, g, id)
				}
			}
		}
	}
}

var (
	quotedRe = regexp.MustCompile(`“[^”]*”`)
	wordRe   = regexp.MustCompile(`[\p{L}\p{N}]+`)
)

// words lower-cases s and splits it into words, so that punctuation and
// curly or straight apostrophes do not hide a copied run.
func words(s string) []string {
	s = strings.NewReplacer("’", "'", "‘", "'").Replace(strings.ToLower(s))
	return wordRe.FindAllString(s, -1)
}

// normalise makes quotation checks blind to typographic quotes and spacing.
func normalise(s string) string { return strings.Join(words(s), " ") }

package scenario

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

// TestVariantAddsOnlyWhatItSays draws random overrides of the harbour
// scenario's parties, factions, roles and options — names the base has,
// misspellings and new names, some marked add: true — and checks the
// merge rule as a property: a variant that loads has exactly the base's
// names plus those it marked add: true (minus those it removed), and an
// override that names something the base lacks without add: true never
// loads.
func TestVariantAddsOnlyWhatItSays(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/harbour.yaml")
	if err != nil {
		t.Fatal(err)
	}
	baseText := string(data[:strings.Index(string(data), "variants:")])
	pools := map[string][]string{
		"party":   {"North", "South", "Nort", "East"},
		"faction": {"Port", "Navy", "Prot", "Fishers"},
		"role":    {"Mediator", "Bank", "Neighbor", "Envoy"},
		"option":  {"none", "shared", "exclusive", "shard", "rotating"},
	}
	baseNames := map[string][]string{
		"party": {"North", "South"}, "faction": {"Port", "Navy"},
		"role": {"Mediator", "Bank", "Neighbour"}, "option": {"none", "shared", "exclusive"},
	}
	rng := rand.New(rand.NewPCG(41, 42))
	loaded, refused := 0, 0
	for trial := range 300 {
		kind := []string{"party", "faction", "role", "option"}[trial%4]
		name := pools[kind][rng.IntN(len(pools[kind]))]
		add := rng.IntN(2) == 0
		known := slices.Contains(baseNames[kind], name)
		flag := ""
		if add {
			flag = ", add: true"
		}
		// A new item carries what a new item needs; a change to a known
		// one only its description.
		body := ", description: changed"
		var over string
		switch kind {
		case "party":
			if add {
				body = ", preferences: {reservation: 0.2, issues: [{issue: fee, weight: 1}]}"
			}
			over = fmt.Sprintf("      parties:\n        - {name: %s%s%s}\n", name, flag, body)
		case "faction":
			if add {
				body = ", weight: 1, preferences: {reservation: 0.1}"
			}
			over = fmt.Sprintf("      parties:\n        - name: South\n          delegation:\n            factions:\n              - {name: %s%s%s}\n", name, flag, body)
		case "role":
			if add {
				body = ", kind: observer"
			}
			over = fmt.Sprintf("      roles:\n        - {name: %s%s%s}\n", name, flag, body)
		case "option":
			over = fmt.Sprintf("      issues:\n        - name: access\n          options: [{label: %s%s, clause: c}]\n", name, flag)
		}
		f, err := Parse("h.yaml", []byte(baseText+"variants:\n  - name: v\n    override:\n"+over))
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		s, err := f.Scenario("v")
		if err != nil {
			refused++
			if add != known {
				// add: true on a new name, or a change to a known one,
				// is refused only when the rest of the scenario is bad.
				if strings.Contains(err.Error(), "in the base") || strings.Contains(err.Error(), "already has") {
					t.Fatalf("trial %d (%s %q, add %v): refused by the merge: %v", trial, kind, name, add, err)
				}
			}
			continue
		}
		loaded++
		if add == known {
			t.Fatalf("trial %d: %s %q (in the base: %v) with add %v loaded", trial, kind, name, known, add)
		}
		got := namesOf(s, kind)
		want := slices.Clone(baseNames[kind])
		if add {
			want = append(want, name)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d: %ss %v, want %v", trial, kind, got, want)
		}
	}
	if loaded == 0 || refused == 0 {
		t.Fatalf("loaded %d, refused %d: the draws do not exercise both sides", loaded, refused)
	}
}

func namesOf(s *parley.Scenario, kind string) []string {
	var out []string
	switch kind {
	case "party":
		for _, p := range s.Parties {
			out = append(out, p.Name)
		}
	case "faction":
		for _, p := range s.Parties {
			if p.Delegation != nil {
				for _, f := range p.Delegation.Factions {
					out = append(out, f.Name)
				}
			}
		}
	case "role":
		for _, r := range s.Roles {
			out = append(out, r.Name)
		}
	case "option":
		for _, o := range s.Issues[s.IssueIndex("access")].Options {
			out = append(out, o.Label)
		}
	}
	return out
}

package scenario

import (
	"fmt"
	"strings"
	"testing"
)

// maxOptionsYAML is a scenario at the documented limit: two integer issues
// of MaxOptions options each; one party values the first by a function and
// lists a value for every option of the second, the other uses functions.
func maxOptionsYAML() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "id: big\nissues:\n  - {name: x, kind: integer, min: 0, max: %d}\n  - {name: y, kind: integer, min: 0, max: %d}\n", MaxOptions-1, MaxOptions-1)
	b.WriteString("parties:\n  - name: A\n    preferences:\n      reservation: 0.25\n      issues:\n")
	fmt.Fprintf(&b, "        - {issue: x, weight: 0.6, function: [[0, 0], [%d, 1]]}\n", MaxOptions-1)
	b.WriteString("        - issue: y\n          weight: 0.4\n          values:\n")
	for k := 0; k < MaxOptions; k++ {
		fmt.Fprintf(&b, "            %d: %g\n", k, float64(k%1000)/1000)
	}
	b.WriteString("  - name: B\n    preferences:\n      reservation: 0.3\n      issues:\n")
	fmt.Fprintf(&b, "        - {issue: x, weight: 0.5, function: [[0, 1], [%d, 0]]}\n", MaxOptions-1)
	fmt.Fprintf(&b, "        - {issue: y, weight: 0.5, function: [[0, 0], [%d, 0.5], [%d, 1]]}\n", MaxOptions/2, MaxOptions-1)
	return []byte(b.String())
}

// BenchmarkValidateMaxOptions is 'parley validate' on a file at the
// documented option limit (issue 7: compile used to be quadratic in the
// options of an issue and took minutes here).
func BenchmarkValidateMaxOptions(b *testing.B) {
	data := maxOptionsYAML()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f, err := Parse("big.yaml", data)
		if err != nil {
			b.Fatal(err)
		}
		if err := Validate(f); err != nil {
			b.Fatal(err)
		}
	}
}

package genius

import (
	"strings"
	"testing"
)

func TestReadPareto(t *testing.T) {
	got, err := ReadPareto("pareto.xml", []byte("0.84, 1.0\n\n0.9,0.5 \r\n1e-1, 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{0.84, 1}, {0.9, 0.5}, {0.1, 0}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i][0] != want[i][0] || got[i][1] != want[i][1] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	for _, tc := range []struct{ in, where string }{
		{"0.5, 0.5\n0.5\n", "pareto.xml:2: 1 utilities"},
		{"0.5, x\n", `pareto.xml:1: utility 2 is "x"`},
		{"\n0.5, NaN\n", "pareto.xml:2: utility 2"},
		{"<pareto/>\n", "pareto.xml:1: utility 1"},
	} {
		_, err := ReadPareto("pareto.xml", []byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.where) {
			t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.where)
		}
	}
}

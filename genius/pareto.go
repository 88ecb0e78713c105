package genius

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// ReadPareto reads the frontier a Genius domain folder ships as
// pareto.xml (despite its name, plain text: one point a line, the
// parties' utilities separated by commas, e.g. "0.84, 1.0"). Blank lines
// are skipped. name is used in errors, which give the line and why: a
// value that is not a finite number, or a line with another number of
// utilities than the first.
func ReadPareto(name string, data []byte) ([][]float64, error) {
	var out [][]float64
	for i, line := range bytes.Split(data, []byte("\n")) {
		s := strings.TrimSpace(string(line))
		if s == "" {
			continue
		}
		fields := strings.Split(s, ",")
		if len(out) > 0 && len(fields) != len(out[0]) {
			return nil, parley.Errorf(parley.EINVALID, "%s:%d: %d utilities, the first point has %d", name, i+1, len(fields), len(out[0]))
		}
		p := make([]float64, len(fields))
		for j, f := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				return nil, parley.Errorf(parley.EINVALID, "%s:%d: utility %d is %q, not a finite number", name, i+1, j+1, strings.TrimSpace(f))
			}
			p[j] = v
		}
		out = append(out, p)
	}
	return out, nil
}

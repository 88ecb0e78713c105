package analysis

import (
	"bytes"
	"encoding/json"
	"math/big"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
)

// A Point is a point of the Pareto frontier (Report.Pareto): a distinct
// utility vector, an outcome that attains it and how many outcomes do. Its
// JSON form is a Solution's; its outcome is Clauses, which a frontier of
// thousands of points builds without a map per point.
type Point struct {
	Utilities []float64 `json:"utilities"`
	Outcome   Clauses   `json:"outcome"`
	// Count is the number of outcomes with exactly these utilities.
	Count *big.Int `json:"count,omitempty"`
}

// Raw returns the outcome as option indices (nil for a point decoded from
// JSON).
func (p *Point) Raw() parley.Outcome { return p.Outcome.o }

// Clauses is an outcome written as issue name → value as in the scenario
// file, like Values (option labels for categorical issues, numbers for
// integer and real ones): a view of the option indices through a table
// of the model's values, shared by every outcome of an analysis. Its JSON
// form is exactly the map's (keys sorted, the same numbers and escapes).
// The zero Clauses is empty and encodes as null, like a nil map; decoded
// from JSON it holds the decoded map.
type Clauses struct {
	t *clauseTable
	o parley.Outcome
	m map[string]any
}

// clauseTable holds, for one model, every option's value as Values writes
// it and the JSON of issue names and values.
type clauseTable struct {
	vals  [][]any        // by issue and option
	index map[string]int // issue name → issue (the last one of a name, as in Values' map)
	// keys are the issues written, one per name, sorted by name as
	// encoding/json sorts a map's keys; key[i] is `"name":` and val[i][k]
	// the JSON of option k, for issue keys[i], neither HTML-escaped (the
	// encoder that embeds them escapes when it is asked to).
	keys []int
	key  [][]byte
	val  [][][]byte
}

// newClauseTable builds the table of m's scenario.
func newClauseTable(m *parley.Model) *clauseTable {
	iss := m.Scenario.Issues
	t := &clauseTable{vals: boxedValues(m), index: make(map[string]int, len(iss))}
	for i := range iss {
		t.index[iss[i].Name] = i
	}
	for _, i := range t.index {
		t.keys = append(t.keys, i)
	}
	slices.SortFunc(t.keys, func(a, b int) int { return strings.Compare(iss[a].Name, iss[b].Name) })
	for _, i := range t.keys {
		t.key = append(t.key, append(rawJSON(iss[i].Name), ':'))
		vs := make([][]byte, len(t.vals[i]))
		for k, v := range t.vals[i] {
			vs[k] = rawJSON(v)
		}
		t.val = append(t.val, vs)
	}
	return t
}

// rawJSON returns v's JSON without HTML escapes.
func rawJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Option values are strings and finite numbers (Compile refuses
		// others): nothing here can fail to encode.
		panic("analysis: option value " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// Len returns the number of clauses (issues, counted by name).
func (c Clauses) Len() int {
	if c.t != nil {
		return len(c.t.keys)
	}
	return len(c.m)
}

// Get returns the value of the named issue.
func (c Clauses) Get(issue string) (any, bool) {
	if c.t == nil {
		v, ok := c.m[issue]
		return v, ok
	}
	i, ok := c.t.index[issue]
	if !ok {
		return nil, false
	}
	return c.t.vals[i][c.o[i]], true
}

// Map returns the clauses as a new map, as Values writes them (nil for
// the zero Clauses).
func (c Clauses) Map() map[string]any {
	if c.t == nil {
		if c.m == nil {
			return nil
		}
		out := make(map[string]any, len(c.m))
		for k, v := range c.m {
			out[k] = v
		}
		return out
	}
	out := make(map[string]any, len(c.t.index))
	for name, i := range c.t.index {
		out[name] = c.t.vals[i][c.o[i]]
	}
	return out
}

// MarshalJSON writes the clauses as the map would be written.
func (c Clauses) MarshalJSON() ([]byte, error) {
	if c.t == nil {
		return json.Marshal(c.m)
	}
	n := 2
	for j, i := range c.t.keys {
		n += len(c.t.key[j]) + len(c.t.val[j][c.o[i]]) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for j, i := range c.t.keys {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, c.t.key[j]...)
		b = append(b, c.t.val[j][c.o[i]]...)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads clauses as a map from issue names to values.
func (c *Clauses) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*c = Clauses{m: m}
	return nil
}

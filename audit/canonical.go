package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// Canonical returns the canonical form of the JSON value in b: objects
// with their keys sorted (a key that appears twice keeps its last value,
// as encoding/json reads it), no insignificant white space, strings
// re-escaped the one way encoding/json writes them (without HTML
// escaping), numbers exactly as written. If b holds an object, its
// top-level keys named in omit are left out (a transcript line leaves out
// its own hash fields).
//
// Two inputs have the same canonical form exactly when encoding/json reads
// them as the same value with the same number literals, so a reformatted
// line keeps its hash and an edited one does not.
func Canonical(b []byte, omit ...string) ([]byte, error) {
	if out, ok := canonicalFast(b, omit); ok {
		return out, nil
	}
	return canonicalSlow(b, omit)
}

// canonicalSlow is Canonical by decoding b to values and encoding them.
func canonicalSlow(b []byte, omit []string) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("audit: canonical JSON: data after the value")
	}
	if m, ok := v.(map[string]any); ok {
		for _, k := range omit {
			delete(m, k)
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	// encoding/json writes map keys sorted and json.Number as its literal.
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

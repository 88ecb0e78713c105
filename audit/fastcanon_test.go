package audit

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomValue is a JSON value such as transcripts hold, and worse:
// nested objects and arrays, keys and strings drawn from an alphabet with
// quotes, escapes, HTML, control characters, U+2028, invalid UTF-8 and
// non-ASCII, numbers of every form.
func randomValue(r *rand.Rand, depth int) any {
	alphabet := []string{"a", "b", "z", "A", "_", " ", "\"", "\\", "\n", "\t", "\x01", "\b", "<", "&", "é", "\u2028", "\xff", "/", "0", "~"}
	str := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	k := r.IntN(9)
	if depth > 4 {
		k = r.IntN(5)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return r.Int64() >> r.IntN(64)
	case 3:
		return []float64{0, -0.5, 1e21, 1e-7, math.MaxFloat64, 3.14159, -1}[r.IntN(7)]
	case 4:
		return str()
	case 5, 6:
		m := map[string]any{}
		for range r.IntN(6) {
			m[str()] = randomValue(r, depth+1)
		}
		return m
	default:
		a := make([]any, r.IntN(5))
		for i := range a {
			a[i] = randomValue(r, depth+1)
		}
		return a
	}
}

// TestCanonicalFastAgrees: on what encoding/json writes (the input the
// fast path is for), with and without HTML escaping, the fast path gives
// the general path's canonical form byte for byte, or leaves the value to
// it; and it takes most of such values.
func TestCanonicalFastAgrees(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	fast := 0
	const n = 20000
	for i := range n {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(i%2 == 0)
		if err := enc.Encode(randomValue(r, 0)); err != nil {
			t.Fatal(err)
		}
		in := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
		omit := []string{"a", "hash"}[:i%3%2*2]
		want, err := canonicalSlow(in, omit)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got, ok := canonicalFast(in, omit); ok {
			fast++
			if !bytes.Equal(got, want) {
				t.Fatalf("canonical form of %s:\nfast    %s\ngeneral %s", in, got, want)
			}
		}
	}
	// Input encoding/json does not write: raw U+2028 and U+2029, invalid
	// UTF-8, escapes it writes otherwise, white space, bad numbers.
	for _, in := range []string{"\"a\u2028\"", "[\"\u2029\"]", "\"\xff\"", `"\/"`, `"\u0041"`, `"\b"`, `{"a": 1}`, `[1, 2]`, `01`, `1.`, `-`, `1e`, `{"a":1,"a":2}`, `{"a!":1,"a":2}`} {
		got, ok := canonicalFast([]byte(in), nil)
		want, err := canonicalSlow([]byte(in), nil)
		if ok && (err != nil || !bytes.Equal(got, want)) {
			t.Errorf("canonical form of %q: fast %s, general %s (%v)", in, got, want, err)
		}
	}
	if fast < n/3 {
		t.Fatalf("the fast path took %d of %d values", fast, n)
	}
}

// FuzzCanonicalFast: on any input the fast path takes, it agrees with the
// general path; and it takes nothing the general path refuses.
func FuzzCanonicalFast(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[2,3]}`, `"x"`, `{"a":{"b":{"c":1e5}}}`, `[{"z":1,"y":"\u00e9"}]`, `{"a":1,"a":2}`, `-0.5e+3`, `[01]`, `{"b":"\n","a":"\/"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := canonicalFast(b, []string{"hash"})
		if !ok {
			return
		}
		want, err := canonicalSlow(b, []string{"hash"})
		if err != nil {
			t.Fatalf("the fast path took %q, which is not JSON: %v", b, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("canonical form of %q:\nfast    %s\ngeneral %s", b, got, want)
		}
	})
}

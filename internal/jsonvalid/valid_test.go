package jsonvalid_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/jsonvalid"
)

var seeds = []string{
	``, ` `, `{}`, `[]`, `{ }`, `[ ]`, ` {"a" : [1, -2.5e+3, 0, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9"]} `,
	`{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a"}`, `{"a":}`, `{1:2}`, `{"a":1 "b":2}`, `[1 2]`, `]`, `}`, `[`, `{`,
	`"`, `"abc`, `"\`, `"\x"`, `"\v"`, `"\U0041"`, `"\u00"`, `"\u12"`, `"\u12g4"`, `"\uABCD"`, "\"tab\there\"", "\"\x7f\xff\xfe\"", "\"\x1f\"",
	`0`, `-0`, `01`, `-`, `-a`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1E-7`, `1e5.0`, `00`, `-01`, `123456789012345678901234567890`,
	`true`, `tru`, `truex`, `nul`, `null `, `falsey`, `[true,false,null]`, `{"a":{"b":{"c":[[]]}}}`, `[[[[]]]]]`,
	"\t\r\n 1 \t\r\n", "1\v", "\xef\xbb\xbf1", `"a" "b"`, `{} {}`, `[]]`, `{"a":1}}`, "[\"\u2028\"]",
}

func check(t *testing.T, b []byte) {
	t.Helper()
	if got, want := jsonvalid.Valid(b), json.Valid(b); got != want {
		t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
	}
}

// Valid agrees with encoding/json.Valid on the seeds and on random
// mutations of valid documents: bytes changed, dropped, doubled, cut.
func TestValidIsEncodingJSON(t *testing.T) {
	for _, s := range seeds {
		check(t, []byte(s))
	}
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte(" \t\n\r{}[]:,\"\\/0123456789-+.eEtrufalsn\x00\x1f\x7f\xc3\xa9ubxvU")
	valid, invalid := 0, 0
	for range 200000 {
		b := []byte(seeds[6])
		if r.IntN(2) == 0 {
			b = randomDoc(r, 4)
		}
		for range r.IntN(4) {
			if len(b) == 0 {
				break
			}
			k := r.IntN(len(b))
			switch r.IntN(4) {
			case 0:
				b[k] = alphabet[r.IntN(len(alphabet))]
			case 1:
				b = append(b[:k], b[k+1:]...)
			case 2:
				b = append(b[:k], append([]byte{b[k]}, b[k:]...)...)
			case 3:
				b = b[:k]
			}
		}
		check(t, b)
		if json.Valid(b) {
			valid++
		} else {
			invalid++
		}
	}
	if valid < 20000 || invalid < 20000 {
		t.Fatalf("%d valid and %d invalid documents: the mutations test one side too little", valid, invalid)
	}
}

// randomDoc writes a random valid JSON value, depth levels deep at most.
func randomDoc(r *rand.Rand, depth int) []byte {
	var v func(d int) any
	v = func(d int) any {
		switch k := r.IntN(8); {
		case k == 0 && d > 0:
			m := map[string]any{}
			for range r.IntN(4) {
				m[string(rune('a'+r.IntN(26)))+"\"\\é\u2028\t"[:r.IntN(8)]] = v(d - 1)
			}
			return m
		case k == 1 && d > 0:
			l := []any{}
			for range r.IntN(4) {
				l = append(l, v(d-1))
			}
			return l
		case k == 2:
			return r.NormFloat64() * float64(r.IntN(1e6))
		case k == 3:
			return r.IntN(100) - 50
		case k == 4:
			return r.IntN(2) == 0
		case k == 5:
			return nil
		}
		return "s\x01<>&\\\"é\U0001F600"[:r.IntN(14)]
	}
	b, _ := json.Marshal(v(depth))
	if r.IntN(3) == 0 { // whitespace as an indenter writes it
		var out bytes.Buffer
		_ = json.Indent(&out, b, " ", "\t")
		return out.Bytes()
	}
	return b
}

// Nesting: MaxDepth arrays and objects are valid, one more is not, as in
// encoding/json.
func TestValidDepth(t *testing.T) {
	for _, n := range []int{jsonvalid.MaxDepth - 1, jsonvalid.MaxDepth, jsonvalid.MaxDepth + 1} {
		for _, pair := range []string{"[]", `{"a":}`} {
			open, close := pair[:len(pair)-1], pair[len(pair)-1:]
			b := []byte(strings.Repeat(open, n) + "1" + strings.Repeat(close, n))
			check(t, b)
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { check(t, b) })
}

func BenchmarkValid(b *testing.B) {
	doc := randomDoc(rand.New(rand.NewPCG(5, 6)), 6)
	for len(doc) < 40000 {
		doc = append(append(append([]byte("["), doc...), ','), append(randomDoc(rand.New(rand.NewPCG(uint64(len(doc)), 6)), 6), ']')...)
	}
	for _, bc := range []struct {
		name  string
		valid func([]byte) bool
	}{{"jsonvalid", jsonvalid.Valid}, {"encoding-json", json.Valid}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if !bc.valid(doc) {
					b.Fatal("invalid")
				}
			}
		})
	}
}

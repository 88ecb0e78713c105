package live_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/live"
)

// Ref.UnmarshalJSON reads plain names and small indexes itself; whatever
// it is given, it agrees with encoding/json's reading (RefSlow): the same
// Ref, or both an error.
func TestRefReadsAsEncodingJSON(t *testing.T) {
	t.Parallel()
	cases := []string{`"a"`, `""`, `"Kabul"`, `"a b"`, `"a\"b"`, `"a\\b"`, `"\u0041"`, `"é"`, "\"\xff\"", `"~"`, "\"\x7f\"",
		`0`, `7`, `-1`, `-0`, `00`, `01`, `123456789`, `1234567890`, `2147483647`, `2147483648`, `1.0`, `1.5`, `1e3`,
		`-`, `+1`, `null`, `true`, `[]`, `{}`, `"`, `"a`, ` "a" `, ` 3 `, `3 `, "\"\t\"", `" "`, `--1`, `1-`}
	r := rand.New(rand.NewPCG(3, 5))
	alphabet := []byte("\"\\0123456789-+.eE aZ~\x7f\x01\xc3\xa9null")
	for range 20000 {
		b := make([]byte, 1+r.IntN(8))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		if r.IntN(2) == 0 {
			b[0], b[len(b)-1] = '"', '"'
		}
		cases = append(cases, string(b))
	}
	for i := range 2000 {
		cases = append(cases, strconv.Itoa(i-1000), strconv.Quote(strconv.Itoa(i)))
	}
	plain := 0
	for _, c := range cases {
		var got live.Ref
		gerr := got.UnmarshalJSON([]byte(c))
		want, werr := live.RefSlow([]byte(c))
		if (gerr != nil) != (werr != nil) || gerr == nil && got != want {
			t.Fatalf("%q: read as %+v, %v; encoding/json reads %+v, %v", c, got, gerr, want, werr)
		}
		if gerr == nil {
			plain++
		}
	}
	if plain < len(cases)/10 {
		t.Errorf("only %d of %d inputs read: the cases prove little", plain, len(cases))
	}
}

package live_test

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
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

// A list of refs (an outcome's or answers' list form) is read without
// encoding/json when its entries are plain; whatever it is given, what it
// reads is what encoding/json reads, and what it leaves is left to it.
func TestRefListReadsAsEncodingJSON(t *testing.T) {
	t.Parallel()
	cases := []string{`[]`, `[ ]`, `["accept","reject"]`, `[ "a" , 1 ,null, -2 ]`, "[\n\"a\"\t]", `[1,]`, `[,1]`, `["a"`, `["a"]x`,
		`[nul]`, `[nulll]`, `[true]`, `[01]`, `[1.5]`, `["a\"b"]`, `["\u0041"]`, `[[1]]`, `[{}]`, `["a" "b"]`, `[1 2]`, `[-]`, `[ null ]`}
	r := rand.New(rand.NewPCG(9, 9))
	pieces := []string{`"accept"`, `"reject"`, `"none"`, `null`, `0`, `3`, `-1`, `12`, `"é"`, `"a b"`, `"\n"`, `""`, `1e2`, `"x\\y"`,
		`true`, `01`, ` `, `,`, `]`, `[`, `"`, `nul`, "\t"}
	for range 20000 {
		var b strings.Builder
		b.WriteString("[")
		n := r.IntN(6)
		for k := range n {
			if k > 0 {
				b.WriteString([]string{",", ", ", " ,", ",,", ""}[r.IntN(5)*r.IntN(2)])
			}
			b.WriteString(pieces[r.IntN(len(pieces))*r.IntN(2)])
			if r.IntN(4) == 0 {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
		}
		b.WriteString("]")
		cases = append(cases, b.String())
	}
	direct := 0
	for _, c := range cases {
		var want []live.Ref
		werr := json.Unmarshal([]byte(c), &want)
		got, ok := live.PlainList([]byte(c))
		if !ok {
			continue
		}
		direct++
		if werr != nil || !slices.Equal(got, want) {
			t.Fatalf("%s: read as %+v; encoding/json reads %+v, %v", c, got, want, werr)
		}
	}
	if direct < len(cases)/10 {
		t.Errorf("only %d of %d lists read directly", direct, len(cases))
	}
}

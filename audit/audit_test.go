package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audit"
)

const session = "S1"

var genesis = audit.Genesis(session, []byte(`{"scenario":"test"}`))

// chain returns n linked events with random types, audiences and payloads.
func chain(r *rand.Rand, n int) ([]parley.EventRecord, parley.ChainHead) {
	c := audit.NewChain(session, genesis)
	evs := make([]parley.EventRecord, n)
	types := []string{"action", "clause", "end", "caucus"}
	auds := []string{"everyone", "party:0", "caucus:1", ""}
	for i := range evs {
		evs[i] = parley.EventRecord{
			Type:     types[r.IntN(len(types))],
			Audience: auds[r.IntN(len(auds))],
			Payload:  fmt.Appendf(nil, `{"n":%d,"x":%q}`, r.IntN(1000), randString(r)),
		}
		c.Link(&evs[i])
	}
	return evs, c.ChainHead()
}

func randString(r *rand.Rand) string {
	b := make([]byte, r.IntN(8))
	for i := range b {
		b[i] = byte('a' + r.IntN(3))
	}
	return string(b)
}

// naiveHash encodes an event the long way, straight from the package
// documentation, so that Encode is checked against an independent reading.
func naiveHash(e parley.EventRecord) parley.Hash {
	var b bytes.Buffer
	b.WriteString("parley.audit/1 event\n")
	field := func(s []byte) {
		var n [binary.MaxVarintLen64]byte
		b.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		b.Write(s)
	}
	field([]byte(e.Session))
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], uint64(e.Seq))
	b.Write(seq[:])
	field([]byte(e.Type))
	field([]byte(e.Audience))
	field(e.Payload)
	b.Write(e.Prev[:])
	return sha256.Sum256(b.Bytes())
}

// naiveVerify checks every prefix from scratch (O(n²)) and returns the
// first prefix that is not a valid chain, with the first check it fails.
func naiveVerify(evs []parley.EventRecord, head *parley.ChainHead) audit.Result {
	valid := func(i int) (audit.Fault, int64) {
		for j := 0; j <= i; j++ {
			e := evs[j]
			prev := genesis
			if j > 0 {
				prev = evs[j-1].Hash
			}
			switch {
			case e.Session != session:
				return audit.WrongSession, 0
			case e.Seq != int64(j):
				return audit.OutOfPlace, e.Seq
			case e.Prev != prev:
				return audit.BadLink, 0
			case naiveHash(e) != e.Hash:
				return audit.BadHash, 0
			}
		}
		return audit.Holds, 0
	}
	for i := range evs {
		if f, found := valid(i); f != audit.Holds {
			return audit.Result{Fault: f, Seq: int64(i), Found: found}
		}
	}
	n := int64(len(evs))
	last := genesis
	if n > 0 {
		last = evs[n-1].Hash
	}
	switch {
	case head == nil:
	case head.Events > n:
		return audit.Result{Fault: audit.Missing, Seq: n, Found: head.Events}
	case head.Events < n:
		return audit.Result{Fault: audit.Extra, Seq: head.Events, Found: head.Events}
	case head.Hash != last:
		return audit.Result{Fault: audit.BadHead, Seq: max(n-1, 0)}
	}
	return audit.Result{}
}

func same(a, b audit.Result) bool { return a.Fault == b.Fault && a.Seq == b.Seq && a.Found == b.Found }

func TestEncodeMatchesTheDocumentedEncoding(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	evs, _ := chain(r, 50)
	for _, e := range evs {
		if got := naiveHash(e); got != e.Hash || audit.Sum(&e) != got {
			t.Fatalf("seq %d: Sum %s, documented encoding %s", e.Seq, e.Hash, got)
		}
	}
	// Length prefixes keep fields apart: moving a byte from the type to
	// the audience changes the hash.
	a := parley.EventRecord{Session: session, Type: "ab", Audience: "c", Payload: []byte("{}")}
	b := parley.EventRecord{Session: session, Type: "a", Audience: "bc", Payload: []byte("{}")}
	if audit.Sum(&a) == audit.Sum(&b) {
		t.Fatal("field boundaries are not part of the encoding")
	}
	// A genesis never equals an event hash over the same bytes.
	if audit.Genesis("", nil) == audit.Sum(&parley.EventRecord{}) {
		t.Fatal("genesis and event encodings collide")
	}
}

// Each single mutation is caught at the sequence number where the chain
// first goes wrong, with the right fault.
func TestVerifyCatchesEveryMutation(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	const n = 12
	orig, head := chain(r, n)
	rehash := func(evs []parley.EventRecord, k int) { evs[k].Hash = audit.Sum(&evs[k]) }
	for _, tc := range []struct {
		name   string
		mutate func(evs []parley.EventRecord, k int) []parley.EventRecord
		fault  audit.Fault
		at     func(k int) int64
	}{
		{"EditPayload", func(evs []parley.EventRecord, k int) []parley.EventRecord {
			evs[k].Payload = append(slices.Clone(evs[k].Payload[:len(evs[k].Payload)-1]), ' ', '}')
			return evs
		}, audit.BadHash, same0},
		{"EditType", func(evs []parley.EventRecord, k int) []parley.EventRecord { evs[k].Type += "x"; return evs }, audit.BadHash, same0},
		{"EditAudience", func(evs []parley.EventRecord, k int) []parley.EventRecord { evs[k].Audience += "x"; return evs }, audit.BadHash, same0},
		{"EditHash", func(evs []parley.EventRecord, k int) []parley.EventRecord { evs[k].Hash[7] ^= 1; return evs }, audit.BadHash, same0},
		{"EditPrev", func(evs []parley.EventRecord, k int) []parley.EventRecord { evs[k].Prev[0] ^= 1; return evs }, audit.BadLink, same0},
		{"EditSession", func(evs []parley.EventRecord, k int) []parley.EventRecord { evs[k].Session = "S2"; return evs }, audit.WrongSession, same0},
		{"EditSeq", func(evs []parley.EventRecord, k int) []parley.EventRecord { evs[k].Seq += 100; return evs }, audit.OutOfPlace, same0},
		{"EditAndRehash", func(evs []parley.EventRecord, k int) []parley.EventRecord {
			evs[k].Type = "forged"
			rehash(evs, k)
			return evs
		}, audit.BadLink, next},
		{"Delete", func(evs []parley.EventRecord, k int) []parley.EventRecord { return slices.Delete(evs, k, k+1) }, audit.OutOfPlace, same0},
		{"Duplicate", func(evs []parley.EventRecord, k int) []parley.EventRecord { return slices.Insert(evs, k+1, evs[k]) }, audit.OutOfPlace, next},
		{"SwapWithNext", func(evs []parley.EventRecord, k int) []parley.EventRecord {
			evs[k], evs[k+1] = evs[k+1], evs[k]
			return evs
		}, audit.OutOfPlace, same0},
		{"InsertForeign", func(evs []parley.EventRecord, k int) []parley.EventRecord {
			return slices.Insert(evs, k, parley.EventRecord{Session: session, Seq: int64(k), Type: "action", Payload: []byte("{}")})
		}, audit.BadLink, same0},
		{"InsertConsistent", func(evs []parley.EventRecord, k int) []parley.EventRecord {
			c := audit.Chain{Session: session, Next: int64(k), Head: genesis}
			if k > 0 {
				c.Head = evs[k-1].Hash
			}
			e := parley.EventRecord{Type: "action", Payload: []byte(`{"forged":true}`)}
			c.Link(&e)
			return slices.Insert(evs, k, e)
		}, audit.OutOfPlace, next},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for k := 0; k < n-1; k++ {
				evs := tc.mutate(slices.Clone(orig), k)
				got := audit.Verify(session, genesis, evs, &head)
				if got.Fault != tc.fault || got.Seq != tc.at(k) {
					t.Errorf("mutation at %d: %v at seq %d, want %v at seq %d", k, got.Fault, got.Seq, tc.fault, tc.at(k))
				}
				if want := naiveVerify(evs, &head); !same(got, want) {
					t.Errorf("mutation at %d: Verify %+v, naive %+v", k, got, want)
				}
				if err := got.Err(); err == nil {
					t.Errorf("mutation at %d: Err() is nil for a broken chain", k)
				}
			}
		})
	}
	// Changes at the end show only against the head.
	for _, tc := range []struct {
		name  string
		evs   []parley.EventRecord
		head  parley.ChainHead
		fault audit.Fault
		at    int64
	}{
		{"DeleteLast", orig[:n-1], head, audit.Missing, n - 1},
		{"DeleteAll", nil, head, audit.Missing, 0},
		{"AppendForged", func() []parley.EventRecord {
			c := audit.FromHead(head)
			e := parley.EventRecord{Type: "end", Payload: []byte("{}")}
			c.Link(&e)
			return append(slices.Clone(orig), e)
		}(), head, audit.Extra, n},
		{"RehashLast", func() []parley.EventRecord {
			evs := slices.Clone(orig)
			evs[n-1].Payload = []byte(`{"forged":1}`)
			evs[n-1].Hash = audit.Sum(&evs[n-1])
			return evs
		}(), head, audit.BadHead, n - 1},
		{"EditedHead", orig, parley.ChainHead{Session: session, Events: n, Hash: orig[3].Hash}, audit.BadHead, n - 1},
		{"EmptyWithWrongGenesis", nil, parley.ChainHead{Session: session, Hash: audit.Genesis(session, []byte("{}"))}, audit.BadHead, 0},
	} {
		got := audit.Verify(session, genesis, tc.evs, &tc.head)
		if got.Fault != tc.fault || got.Seq != tc.at {
			t.Errorf("%s: %v at seq %d, want %v at seq %d", tc.name, got.Fault, got.Seq, tc.fault, tc.at)
		}
		if want := naiveVerify(tc.evs, &tc.head); !same(got, want) {
			t.Errorf("%s: Verify %+v, naive %+v", tc.name, got, want)
		}
	}
	// An edited definition changes the genesis: the chain breaks at 0.
	if got := audit.Verify(session, audit.Genesis(session, []byte(`{"scenario":"edited"}`)), orig, &head); got.Fault != audit.BadLink || got.Seq != 0 {
		t.Errorf("edited definition: %v at %d, want a bad link at 0", got.Fault, got.Seq)
	}
	// The untouched chain holds, and its head is the last hash.
	if got := audit.Verify(session, genesis, orig, &head); !got.Holds() || got.Events != n || got.Head != orig[n-1].Hash || got.Err() != nil {
		t.Errorf("intact chain: %+v", got)
	}
}

func same0(k int) int64 { return int64(k) }
func next(k int) int64  { return int64(k + 1) }

// Random sequences of mutations: Verify agrees with the naive reference,
// and against the original head it holds exactly when nothing changed.
func TestVerifyAgreesWithNaive(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		n := r.IntN(10)
		orig, head := chain(r, n)
		evs := slices.Clone(orig)
		for range r.IntN(3) {
			evs = mutate(r, evs)
		}
		got := audit.Verify(session, genesis, evs, &head)
		if want := naiveVerify(evs, &head); !same(got, want) {
			t.Fatalf("Verify %+v, naive %+v", got, want)
		}
		if unchanged := equal(evs, orig); got.Holds() != unchanged {
			t.Fatalf("holds=%v but unchanged=%v: %+v", got.Holds(), unchanged, got)
		}
	}
}

// mutate applies one random change, possibly re-hashing the changed event
// as a forger would.
func mutate(r *rand.Rand, evs []parley.EventRecord) []parley.EventRecord {
	if len(evs) == 0 {
		return append(evs, parley.EventRecord{Session: session, Type: "x", Payload: []byte("{}")})
	}
	k := r.IntN(len(evs))
	e := evs[k]
	switch r.IntN(9) {
	case 0:
		return slices.Delete(evs, k, k+1)
	case 1:
		j := r.IntN(len(evs))
		evs[k], evs[j] = evs[j], evs[k]
		return evs
	case 2:
		return slices.Insert(evs, k, e)
	case 3:
		e.Payload = fmt.Appendf(nil, `{"n":%d}`, r.IntN(3))
	case 4:
		e.Type = []string{"action", "end"}[r.IntN(2)]
	case 5:
		e.Audience = []string{"everyone", "party:1"}[r.IntN(2)]
	case 6:
		e.Seq += int64(r.IntN(3)) - 1
	case 7:
		e.Prev[r.IntN(32)] ^= byte(r.IntN(2))
	case 8:
		e.Hash[r.IntN(32)] ^= byte(r.IntN(2))
	}
	if r.IntN(2) == 0 {
		e.Hash = audit.Sum(&e)
	}
	evs[k] = e
	return evs
}

func equal(a, b []parley.EventRecord) bool {
	return slices.EqualFunc(a, b, func(x, y parley.EventRecord) bool {
		return x.Session == y.Session && x.Seq == y.Seq && x.Type == y.Type && x.Audience == y.Audience &&
			bytes.Equal(x.Payload, y.Payload) && x.Prev == y.Prev && x.Hash == y.Hash
	})
}

// FuzzVerify drives mutations from fuzz input: Verify must agree with the
// naive reference and hold exactly when the chain is unchanged.
func FuzzVerify(f *testing.F) {
	f.Add(uint64(1), uint8(5), []byte{0, 1, 2})
	f.Add(uint64(2), uint8(0), []byte{})
	f.Add(uint64(3), uint8(9), []byte{8, 8, 8, 8})
	f.Fuzz(func(t *testing.T, seed uint64, n uint8, ops []byte) {
		r := rand.New(rand.NewPCG(seed, uint64(len(ops))))
		orig, head := chain(r, int(n%16))
		evs := slices.Clone(orig)
		for _, op := range ops[:min(len(ops), 8)] {
			evs = mutate(rand.New(rand.NewPCG(seed, uint64(op))), evs)
		}
		got := audit.Verify(session, genesis, evs, &head)
		if want := naiveVerify(evs, &head); !same(got, want) {
			t.Fatalf("Verify %+v, naive %+v", got, want)
		}
		if got.Holds() != equal(evs, orig) {
			t.Fatalf("holds=%v for a chain that changed=%v", got.Holds(), !equal(evs, orig))
		}
	})
}

func TestFaultStrings(t *testing.T) {
	t.Parallel()
	for f := audit.Holds; f <= audit.NoEnd; f++ {
		if s := f.String(); s == "" || s[0] == 'F' {
			t.Errorf("fault %d has no name: %q", int(f), s)
		}
	}
	err := (&audit.BreakError{Seq: 4, Fault: audit.OutOfPlace, Found: 6}).Error()
	if err != "chain breaks at seq 4: found seq 6: event out of place (deleted, inserted or reordered)" {
		t.Errorf("message %q", err)
	}
}

func TestCanonical(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`{"b":1, "a":[1.50, "x<y"], "c":{"z":null,"y":true}}`, `{"a":[1.50,"x<y"],"b":1,"c":{"y":true,"z":null}}`},
		{` "\u0061\n" `, `"a\n"`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`{"seq":3,"hash":"ab","prev":"cd","type":"end"}`, `{"seq":3,"type":"end"}`},
		{`1e400`, `1e400`},
	} {
		got, err := audit.Canonical([]byte(tc.in), "hash", "prev")
		if err != nil || string(got) != tc.want {
			t.Errorf("Canonical(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
		again, err := audit.Canonical(got, "hash", "prev")
		if err != nil || !bytes.Equal(again, got) {
			t.Errorf("Canonical is not idempotent on %s: %s", got, again)
		}
	}
	for _, bad := range []string{``, `{`, `{} {}`, `{"a":1} x`, `[1,]`} {
		if _, err := audit.Canonical([]byte(bad)); err == nil {
			t.Errorf("Canonical(%q) accepted", bad)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[2,3]}`, `"x"`, `{"a":{"b":{"c":1e5}}}`, `[{"z":1,"y":"\u00e9"}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := audit.Canonical(b)
		if err != nil {
			return
		}
		// The canonical form is valid JSON, a fixed point, and reads as
		// the same value as the input.
		c2, err := audit.Canonical(c)
		if err != nil || !bytes.Equal(c, c2) {
			t.Fatalf("not a fixed point: %s -> %s (%v)", c, c2, err)
		}
	})
}

// Genesis is the SHA-256 of the genesis prefix, the length-prefixed
// session and the length-prefixed definition: pinned by a known answer
// (every stored chain starts from it), and equal to the hash of those
// bytes laid end to end for random sessions and definitions of every
// size, as it hashes the definition where it lies.
func TestGenesisKnownAnswer(t *testing.T) {
	t.Parallel()
	if got := audit.Genesis("S42", []byte(`{"scenario":"istanbul-2025"}`)).String(); got != "d005ad0c1f65667d79a1e3c007b51cef1194cecf160f96fbfab91165bd7551ed" {
		t.Fatalf("genesis %s: the encoding changed, and with it every stored chain", got)
	}
	src := rand.NewChaCha8([32]byte{4})
	r := rand.New(src)
	for range 200 {
		session := strings.Repeat("s", r.IntN(300))
		def := make([]byte, r.IntN(70000)*r.IntN(2)+r.IntN(300))
		_, _ = src.Read(def)
		b := []byte("parley.audit/1 genesis\n")
		b = binary.AppendUvarint(b, uint64(len(session)))
		b = append(b, session...)
		b = binary.AppendUvarint(b, uint64(len(def)))
		b = append(b, def...)
		if got, want := audit.Genesis(session, def), parley.Hash(sha256.Sum256(b)); got != want {
			t.Fatalf("session of %d bytes, definition of %d: genesis %s, want %s", len(session), len(def), got, want)
		}
	}
}

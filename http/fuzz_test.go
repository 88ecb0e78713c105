package http_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
)

// internalWords are what a client must never read: Go's and the
// libraries' own words, paths and stack traces.
var internalWords = []string{"goroutine", ".go:", "runtime", "panic", "sqlite", "SQL", "json:", "Go ", "unmarshal", "reflect", "live.", "parley.", "0xc0", "/work/", "interface {"}

// checkResponse asserts the properties every answer to any input has:
// never a 5xx, an error is JSON with a known code and a message, and
// nothing internal shows.
func checkResponse(t testing.TB, what string, r response) {
	t.Helper()
	if r.status >= 500 {
		t.Fatalf("%s: status %d: %s", what, r.status, r)
	}
	if r.status >= 400 {
		var e struct{ Code, Error string }
		if err := json.Unmarshal(r.body, &e); err != nil || e.Code == "" || e.Error == "" {
			t.Fatalf("%s: status %d with a body that is not an error: %s", what, r.status, r)
		}
		for _, w := range internalWords {
			if strings.Contains(e.Error, w) && !strings.Contains(what, w) { // not an echo of the input
				t.Fatalf("%s: the message shows %q: %s", what, w, e.Error)
			}
		}
	}
}

// fuzzTarget is one server and session shared by the fuzz inputs.
type fuzzTarget struct {
	s   *server
	id  string
	tok map[string]string
}

var (
	fuzzOnce sync.Once
	fuzzT    *fuzzTarget
)

// endpoints a fuzz input is sent to: a path and the seat whose token goes
// with it.
var endpoints = []struct{ method, path, seat string }{
	{"POST", "/api/sessions", ""},
	{"POST", "/actions", "mediator"},
	{"POST", "/actions", "Pakistan"},
	{"POST", "/actions", "Afghanistan/Kabul"},
	{"POST", "/actions", "observer"},
	{"GET", "/events?after=", "Pakistan"},
}

func (f *fuzzTarget) send(t testing.TB, which int, body []byte) response {
	ep := endpoints[which%len(endpoints)]
	path := ep.path
	if path != "/api/sessions" {
		path = "/api/sessions/" + f.id + path
	}
	if ep.method == "GET" {
		// The body goes into the query: the events endpoint's resume
		// point, which must parse or be refused.
		status, text := f.s.status("GET", path+url.QueryEscape(string(body)), f.tok[ep.seat], nil)
		return response{status: status, body: []byte(text)}
	}
	return f.s.call(ep.method, path, f.tok[ep.seat], body)
}

// seeds are valid requests and near misses: the corpus the fuzzer and
// the mutation test start from.
var seeds = []struct {
	endpoint int
	body     string
}{
	{0, `{"scenario":"istanbul-2025"}`},
	{0, `{"scenario":"istanbul-2025","variant":"us-signs","protocol":"mediated","deadline":{"rounds":12,"duration":"90m"},"hour":"1m","seed":7,"seats":{"Pakistan":"human","Afghanistan/Kabul":"watchdog:recall=1","mediator":"nash"}}`},
	{0, `{"scenario":"istanbul-2025","protocol":"sao","deadline":20,"seats":{"Pakistan":"boulware","Afghanistan":"remote"}}`},
	{0, `{"yaml":"id: x\nissues: [{name: a, options: [p, q]}]\nparties:\n - {name: A, preferences: {issues: [{issue: a, weight: 1, values: {p: 1, q: 0}}]}}\n - {name: B, preferences: {issues: [{issue: a, weight: 1, values: {p: 0, q: 1}}]}}\n"}`},
	{0, `{"scenario":"istanbul-2025","deadline":1e400}`},
	{0, `{"scenario":"istanbul-2025","deadline":99999999999999999999}`},
	{0, `{"scenario":"istanbul-2025","seed":-1}`},
	{0, `{"scenario":"istanbul-2025","hour":"-1h"}`},
	{0, `{"scenario":"istanbul-2025","hour":"1ns"}`},
	{0, `{"genius":{"domain":"<negotiation_template/>","profiles":["<x/>","<y/>"]}}`},
	{0, `{"geniusweb":{"profiles":[{"LinearAdditiveUtilitySpace":{}},"{"]}}`},
	{0, `[1,2,3]`},
	{0, `{"scenario":"istanbul-2025"}{"scenario":"x"}`},
	{1, `{"kind":"text","outcome":{"ceasefire":"open_ended"}}`},
	{1, `{"kind":"text","outcome":[-1,-1,-1,-1,-1,-1,2,-1,-1,-1]}`},
	{1, `{"kind":"text","outcome":[99999999999,-1]}`},
	{1, `{"kind":"extend","rounds":1e18}`},
	{1, `{"kind":"agenda","issue":"guarantor"}`},
	{1, `{"kind":"review","issue":1.5}`},
	{1, `{"kind":"caucus","party":"Afghanistan","message":"hello"}`},
	{1, `{"kind":"caucus","party":7,"message":""}`},
	{1, `{"kind":"end","reason":"\u0000\uffff"}`},
	{2, `{"kind":"answer","answers":{"ceasefire":"accept"}}`},
	{2, `{"kind":"answer","answers":["accept"]}`},
	{2, `{"kind":"offer","outcome":{}}`},
	{2, `{"kind":"walk_out","rounds":-3}`},
	{3, `{"kind":"instruction","instruction":{"kind":"add_precondition","issue":"guarantor","option":"us_guarantor"}}`},
	{3, `{"kind":"instruction","instruction":{"kind":"raise_floor","delta":"NaN"}}`},
	{3, `{"kind":"instruction","instruction":{"kind":"recall","rounds":-1}}`},
	{4, `{"kind":"caucus","message":"hi"}`},
	{4, `{"kind":7}`},
	{5, `-1`},
	{5, `99999999999999999999999`},
}

func target(t testing.TB) *fuzzTarget {
	fuzzOnce.Do(func() {
		s := start(&quietTB{TB: t}, "")
		c := s.create(map[string]any{"scenario": "istanbul-2025", "variant": "s0s1-factions", "seats": map[string]string{"Afghanistan/Kandahar": "loyal"}})
		tok := tokens(c)
		for _, ep := range endpoints {
			if ep.seat != "" && tok[ep.seat] == "" {
				t.Fatalf("fuzz target: no seat %q; the seats are %v", ep.seat, c.Seats)
			}
		}
		fuzzT = &fuzzTarget{s: s, id: c.ID, tok: tok}
	})
	if fuzzT == nil {
		// The Once ran (and failed) in an earlier input or test.
		t.Fatal("the shared fuzz target could not be started; see the first failure")
	}
	return fuzzT
}

// quietTB keeps a shared server alive past the test that started it;
// TestMain cleans up after every test.
type quietTB struct{ testing.TB }

var (
	sharedDirs    []string
	sharedCleanup []func()
)

func (q *quietTB) Cleanup(f func()) { sharedCleanup = append(sharedCleanup, f) }

func (q *quietTB) TempDir() string {
	d, err := os.MkdirTemp("", "parley-fuzz")
	if err != nil {
		q.Fatal(err)
	}
	sharedDirs = append(sharedDirs, d)
	return d
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range sharedCleanup {
		f()
	}
	for _, d := range sharedDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

// FuzzAPI sends arbitrary bodies to the API: whatever comes in, the
// answer is never a 5xx, errors are JSON with a code and a message, and
// nothing internal shows. 'go test' runs the seeds; 'go test -fuzz
// FuzzAPI ./http' explores.
func FuzzAPI(f *testing.F) {
	for _, s := range seeds {
		f.Add(s.endpoint, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, which int, body []byte) {
		if which < 0 {
			which = -which
		}
		ft := target(t)
		checkResponse(t, string(body), ft.send(t, which, body))
	})
}

// TestMutatedRequests mutates the seed requests at random — values
// replaced by other types, huge and negative numbers, keys dropped or
// added, bytes cut or flipped — and sends each: the same properties as
// FuzzAPI, on every run.
func TestMutatedRequests(t *testing.T) {
	ft := target(t)
	rng := rand.New(rand.NewPCG(1, 2))
	n := 1500
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		sd := seeds[rng.IntN(len(seeds))]
		if sd.endpoint == 0 && rng.IntN(4) != 0 {
			continue // creating sessions is the slow part; mutate it less
		}
		body := mutate(rng, []byte(sd.body))
		checkResponse(t, string(body), ft.send(t, sd.endpoint, body))
	}
}

// odd are replacements for a JSON value.
var odd = []string{`null`, `true`, `"x"`, `""`, `-1`, `0`, `1e400`, `-9223372036854775809`, `18446744073709551616`, `1.5`, `[]`, `{}`, `[[[[[[]]]]]]`,
	`"` + strings.Repeat("é", 300) + `"`, `{"kind":"offer"}`, `"NaN"`, `"\u0000"`, `9007199254740993`}

// mutate changes a JSON document once or twice.
func mutate(rng *rand.Rand, b []byte) []byte {
	var v any
	if json.Unmarshal(b, &v) == nil && rng.IntN(3) != 0 {
		v = mutateValue(rng, v)
		out, _ := json.Marshal(v)
		return out
	}
	if len(b) == 0 {
		return []byte(odd[rng.IntN(len(odd))])
	}
	c := append([]byte(nil), b...)
	switch rng.IntN(3) {
	case 0:
		return c[:rng.IntN(len(c))]
	case 1:
		c[rng.IntN(len(c))] = byte(rng.IntN(256))
		return c
	}
	i := rng.IntN(len(c))
	return append(c[:i], append([]byte(odd[rng.IntN(len(odd))]), c[i:]...)...)
}

func mutateValue(rng *rand.Rand, v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 || rng.IntN(5) == 0 {
			x["unknown_field"] = 1
			return x
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		k := keys[rng.IntN(len(keys))]
		switch rng.IntN(4) {
		case 0:
			delete(x, k)
		case 1:
			var o any
			_ = json.Unmarshal([]byte(odd[rng.IntN(len(odd))]), &o)
			if o == nil && rng.IntN(2) == 0 {
				o = json.RawMessage(odd[rng.IntN(len(odd))])
			}
			x[k] = o
		default:
			x[k] = mutateValue(rng, x[k])
		}
		return x
	case []any:
		if len(x) > 0 {
			i := rng.IntN(len(x))
			x[i] = mutateValue(rng, x[i])
		}
		return x
	}
	var o any
	if err := json.Unmarshal([]byte(odd[rng.IntN(len(odd))]), &o); err != nil {
		return json.RawMessage(odd[rng.IntN(len(odd))])
	}
	return o
}

package parley_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

func TestHashText(t *testing.T) {
	t.Parallel()
	h := parley.HashToken("x")
	b, err := json.Marshal(map[string]parley.Hash{"h": h})
	if err != nil || string(b) != `{"h":"`+h.String()+`"}` || len(h.String()) != 64 {
		t.Fatalf("marshal: %s, %v", b, err)
	}
	var back map[string]parley.Hash
	if err := json.Unmarshal(b, &back); err != nil || back["h"] != h {
		t.Fatalf("unmarshal: %v, %v", back, err)
	}
	for _, bad := range []string{"", "00", strings.Repeat("g", 64), strings.Repeat("0", 66)} {
		if _, err := parley.ParseHash(bad); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("ParseHash(%q): %v, want EINVALID", bad, err)
		}
	}
	if !(parley.Hash{}).IsZero() || h.IsZero() {
		t.Error("IsZero")
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	_, h0 := parley.NewToken()
	_, h1 := parley.NewToken()
	seat := func(i int, h parley.Hash) parley.SeatRecord {
		return parley.SeatRecord{Seat: i, Role: "party", Name: "p", TokenHash: h}
	}
	for _, tc := range []struct {
		name string
		s    parley.SessionRecord
		want string
	}{
		{"OK", parley.SessionRecord{ID: "abc", Definition: []byte(`{"a":1}`), Seats: []parley.SeatRecord{seat(0, h0), seat(1, h1)}}, ""},
		{"NoDefinition", parley.SessionRecord{}, "not valid JSON"},
		{"SpaceInID", parley.SessionRecord{ID: "a b", Definition: []byte("{}")}, "printable"},
		{"LongID", parley.SessionRecord{ID: strings.Repeat("a", parley.MaxSessionID+1), Definition: []byte("{}")}, "exceeds the limit"},
		{"SeatNumbers", parley.SessionRecord{Definition: []byte("{}"), Seats: []parley.SeatRecord{seat(1, h0)}}, "numbered 1"},
		{"NoRole", parley.SessionRecord{Definition: []byte("{}"), Seats: []parley.SeatRecord{{TokenHash: h0}}}, "role"},
		{"NoToken", parley.SessionRecord{Definition: []byte("{}"), Seats: []parley.SeatRecord{seat(0, parley.Hash{})}}, "token hash required"},
		{"SharedToken", parley.SessionRecord{Definition: []byte("{}"), Seats: []parley.SeatRecord{seat(0, h0), seat(1, h0)}}, "another seat"},
	} {
		wantInvalid(t, tc.name, tc.s.Validate(), tc.want)
	}
	ev := func(typ, aud, payload string) parley.EventRecord {
		return parley.EventRecord{Type: typ, Audience: aud, Payload: []byte(payload)}
	}
	big := `"` + strings.Repeat("x", parley.MaxEventPayload-2) + `"`
	for _, tc := range []struct {
		name   string
		next   int64
		events []parley.EventRecord
		want   string
	}{
		{"OK", 0, []parley.EventRecord{ev("action", "all", "{}"), ev("end", "", big)}, ""},
		{"NegativeSeq", -1, []parley.EventRecord{ev("a", "", "{}")}, "start at 0"},
		{"None", 0, nil, "no events"},
		{"TooMany", 0, make([]parley.EventRecord, parley.MaxAppendEvents+1), "per call"},
		{"NoType", 3, []parley.EventRecord{ev("a", "", "{}"), ev("", "", "{}")}, "event 4: event type"},
		{"LongAudience", 0, []parley.EventRecord{ev("a", strings.Repeat("x", parley.MaxAudience+1), "{}")}, "audience"},
		{"BadJSON", 0, []parley.EventRecord{ev("a", "", "{")}, "not valid JSON"},
		{"NoPayload", 0, []parley.EventRecord{ev("a", "", "")}, "not valid JSON"},
		{"BigPayload", 0, []parley.EventRecord{ev("a", "", big+" ")}, "exceeds the limit"},
	} {
		wantInvalid(t, tc.name, parley.ValidateAppend(tc.next, tc.events), tc.want)
	}
	for _, tc := range []struct {
		from        int64
		limit, want int
		ok          bool
	}{{0, 0, parley.DefaultFindLimit, true}, {5, 7, 7, true}, {-1, 1, 0, false}, {0, -1, 0, false}, {0, parley.MaxFindEvents + 1, 0, false}} {
		got, err := parley.FindLimit(tc.from, tc.limit)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("FindLimit(%d, %d) = %d, %v", tc.from, tc.limit, got, err)
		}
	}
}

// wantInvalid checks that err is nil when want is empty, else an EINVALID
// error mentioning want.
func wantInvalid(t *testing.T, name string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: %v", name, err)
	case want != "" && (parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(err.Error(), want)):
		t.Errorf("%s: %v, want EINVALID mentioning %q", name, err, want)
	}
}

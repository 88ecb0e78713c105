package parley_test

import (
	"testing"

	"github.com/parleyhq/parley"
)

func TestAudiences(t *testing.T) {
	t.Parallel()
	seats := []parley.Seat{parley.MediatorSeat(), parley.PartySeat(0), parley.PartySeat(1), parley.PrincipalSeat(1, 0), parley.ObserverSeat()}
	for _, tc := range []struct {
		text string
		want []bool // by seats
	}{
		{"nobody", []bool{false, false, false, false, false}},
		{"everyone", []bool{true, true, true, true, true}},
		{"mediator", []bool{true, false, false, false, false}},
		{"delegation:1+mediator", []bool{true, false, true, true, false}},
		{"delegation:0+delegation:1", []bool{false, true, true, true, false}},
		{"party:0+observer", []bool{false, true, false, false, true}},
	} {
		as, err := parley.ParseAudiences(tc.text)
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if as.String() != tc.text {
			t.Errorf("%q reads back as %q", tc.text, as.String())
		}
		for i, s := range seats {
			if got := as.Includes(s); got != tc.want[i] {
				t.Errorf("%q includes %s: %v, want %v", tc.text, s, got, tc.want[i])
			}
		}
	}
	for _, bad := range []string{"+", "mediator+", "+everyone", "nobody+mediator", "caucus:x+mediator", "friends"} {
		if _, err := parley.ParseAudiences(bad); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%q: %v, want EINVALID", bad, err)
		}
	}
}

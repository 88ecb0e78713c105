package naming

import "testing"

func TestUnique(t *testing.T) {
	used := map[string]bool{}
	var got []string
	for _, b := range []string{"a", "a", "b", "a", "a-2"} {
		got = append(got, Unique(b, used))
	}
	want := []string{"a", "a-2", "b", "a-3", "a-2-2"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestClosest(t *testing.T) {
	for _, c := range []struct {
		s    string
		cand []string
		want string
	}{
		{"reservaton", []string{"reservation", "discount"}, "reservation"},
		{"Pakistn", []string{"Afghanistan", "Pakistan"}, "Pakistan"},
		{"jsonn", []string{"json", "html"}, "json"},
		{"zzzz", []string{"json", "html"}, ""},
		{"", []string{"a"}, ""},
	} {
		if got := Closest(c.s, c.cand); got != c.want {
			t.Errorf("Closest(%q, %q) = %q, want %q", c.s, c.cand, got, c.want)
		}
	}
	if d := EditDistance("kitten", "sitting"); d != 3 {
		t.Errorf("EditDistance(kitten, sitting) = %d, want 3", d)
	}
}

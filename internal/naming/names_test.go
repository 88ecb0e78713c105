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

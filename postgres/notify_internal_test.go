package postgres

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

// The heads of a batch travel many to a NOTIFY payload, each payload under
// PostgreSQL's limit, and come back out of the payloads as they went in,
// whatever their number.
func TestNotifyPayloads(t *testing.T) {
	for _, n := range []int{0, 1, 2, 81, 82, 500, 4096} {
		var moved headColumns
		for i := range n {
			var h parley.Hash
			h[0], h[31] = byte(i), byte(i>>8)
			moved.session = append(moved.session, fmt.Sprintf("S%025d", i))
			moved.events = append(moved.events, int64(i)*1000+1)
			moved.head = append(moved.head, h[:])
		}
		payloads := notifyPayloads(moved)
		var got []parley.ChainHead
		for _, p := range payloads {
			if len(p) > maxNotifyPayload || len(p) == 0 {
				t.Fatalf("%d heads: a payload of %d bytes", n, len(p))
			}
			for line := range strings.Lines(p) {
				h, ok := parseHead(line)
				if !ok {
					t.Fatalf("%d heads: line %q does not parse", n, line)
				}
				got = append(got, h)
			}
		}
		if len(got) != n {
			t.Fatalf("%d heads: %d came back from %d payloads", n, len(got), len(payloads))
		}
		for i, h := range got {
			if h.Session != moved.session[i] || h.Events != moved.events[i] || string(h.Hash[:]) != string(moved.head[i]) {
				t.Fatalf("%d heads: head %d came back as %+v", n, i, h)
			}
		}
		// A payload holds as many heads as fit: one more would not.
		if want := (n*98 + maxNotifyPayload - 1) / maxNotifyPayload; n > 0 && len(payloads) > want+1 {
			t.Errorf("%d heads in %d payloads, want about %d", n, len(payloads), want)
		}
	}
}

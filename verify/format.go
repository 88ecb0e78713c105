package verify

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley"
)

// Format writes an event on one line, for transcripts and logs:
//
//	#3 d10 ruling c1 by joint verdict=attributed accused=Afghanistan commitments=soil-not-used
//
// The audience is shown ("to: ...") only when it is not every seat of the
// accord (all).
func Format(ev parley.CaseEvent, all []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d d%d %s", ev.Seq, ev.Day, ev.Kind)
	if ev.Kind == parley.CaseRejected {
		fmt.Fprintf(&b, " %s", ev.Step)
	}
	if ev.Case != "" {
		fmt.Fprintf(&b, " %s", ev.Case)
	}
	if ev.By != "" {
		fmt.Fprintf(&b, " by %s", ev.By)
	}
	kv := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, " %s=%s", k, v)
		}
	}
	kv("incident", ev.Incident)
	kv("accused", ev.Accused)
	kv("commitments", strings.Join(ev.Commitments, ","))
	kv("commitment", ev.Commitment)
	if ev.Instance != 0 {
		kv("instance", fmt.Sprint(ev.Instance))
	}
	kv("body", ev.Body)
	if ev.Verdict != parley.NoVerdict {
		kv("verdict", ev.Verdict.String())
	}
	if ev.Action != nil {
		kv("action", ev.Action.String())
	}
	if ev.Kind != parley.CaseRejected {
		kv("step", ev.Step)
	}
	kv("to", ev.To)
	if ev.Deadline != 0 {
		kv("deadline", fmt.Sprintf("d%d", ev.Deadline))
	}
	if ev.Confidential {
		b.WriteString(" confidential")
	}
	if ev.Note != "" {
		fmt.Fprintf(&b, " — %s", ev.Note)
	}
	if !sameSet(ev.Audience, all) {
		fmt.Fprintf(&b, " [seen by %s]", strings.Join(ev.Audience, ", "))
	}
	return b.String()
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !contains(b, x) {
			return false
		}
	}
	return true
}

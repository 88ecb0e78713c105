package protocol

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// appendCanonical appends the canonical JSON of ev (what audit.Canonical
// makes of encoding/json's encoding of it: members in key order, numbers
// and strings as encoding/json writes them) to dst, written directly from
// the struct: no reflection, no second parse, no sort. It reports false,
// leaving the event to the general path (recordSlow), for anything whose
// canonical form it does not know to be the one it writes: a string
// encoding/json would escape beyond \" \\ \n \r \t, or invalid UTF-8, and
// a number that is not finite. The members of each object are written in
// the order of their keys' bytes; TestRecordFast holds it to the general
// path over random events.
func appendCanonical(dst []byte, ev *Event) ([]byte, bool) {
	w := canonWriter{b: dst, ok: true}
	w.open()
	if ev.Action != nil {
		w.key("action")
		w.action(ev.Action)
	}
	w.key("actor")
	w.int(ev.Actor)
	w.key("audience")
	w.text(ev.Audience.String())
	if c := ev.Clause; c != nil {
		w.key("clause")
		w.open()
		w.key("from")
		w.text(c.From.String())
		w.key("issue")
		w.int(c.Issue)
		w.key("option")
		w.int(c.Option)
		w.key("to")
		w.text(c.To.String())
		if c.Why != "" {
			w.key("why")
			w.text(c.Why)
		}
		w.close()
	}
	if ev.Day != 0 {
		w.key("day")
		w.int(ev.Day)
	}
	if ev.Faction != 0 {
		w.key("faction")
		w.int(ev.Faction)
	}
	if ev.Hour != 0 {
		w.key("hour")
		w.float(ev.Hour)
	}
	if ev.Instruction != nil {
		w.key("instruction")
		w.instruction(ev.Instruction)
	}
	if ev.Message != "" {
		w.key("message")
		w.text(ev.Message)
	}
	if ev.Note != "" {
		w.key("note")
		w.text(ev.Note)
	}
	if ev.Result != nil {
		w.key("result")
		w.result(ev.Result)
	}
	w.key("round")
	w.int(ev.Round)
	w.key("seq")
	w.int(ev.Seq)
	w.key("type")
	w.text(string(ev.Type))
	w.close()
	return w.b, w.ok
}

// canonWriter writes canonical JSON objects; ok turns false at the first
// value it cannot write as the general path would.
type canonWriter struct {
	b     []byte
	ok    bool
	first bool // no member yet in the innermost open object
}

func (w *canonWriter) open() {
	w.b = append(w.b, '{')
	w.first = true
}

func (w *canonWriter) close() {
	w.b = append(w.b, '}')
	w.first = false
}

// key starts a member; keys are plain ASCII constants.
func (w *canonWriter) key(k string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *canonWriter) int(n int) { w.b = strconv.AppendInt(w.b, int64(n), 10) }

// float writes f as encoding/json does for a float64.
func (w *canonWriter) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		w.ok = false
		return
	}
	abs, format := math.Abs(f), byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(w.b)
	w.b = strconv.AppendFloat(w.b, f, format, -1, 64)
	if format == 'e' { // e-09 to e-9, as encoding/json writes it
		n := len(w.b) - start
		if s := w.b[start:]; n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s[n-2] = s[n-1]
			w.b = w.b[:len(w.b)-1]
		}
	}
}

// text writes s as a JSON string if its canonical form is s quoted with
// only \" \\ \n \r \t escaped.
func (w *canonWriter) text(s string) {
	if !plainString(s) {
		w.ok = false
		return
	}
	w.b = append(w.b, '"')
	last := 0
	for i := 0; i < len(s); i++ {
		var esc byte
		switch s[i] {
		case '"':
			esc = '"'
		case '\\':
			esc = '\\'
		case '\n':
			esc = 'n'
		case '\r':
			esc = 'r'
		case '\t':
			esc = 't'
		default:
			continue
		}
		w.b = append(w.b, s[last:i]...)
		w.b = append(w.b, '\\', esc)
		last = i + 1
	}
	w.b = append(w.b, s[last:]...)
	w.b = append(w.b, '"')
}

// plainString reports whether s is valid UTF-8 with no control character
// but \n, \r and \t and neither U+2028 nor U+2029 (which encoding/json
// escapes as \u sequences, and which audit.Canonical may write otherwise).
func plainString(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s) && !strings.ContainsRune(s, '\u2028') && !strings.ContainsRune(s, '\u2029')
}

func (w *canonWriter) ints(xs []int) {
	w.b = append(w.b, '[')
	for i, x := range xs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.int(x)
	}
	w.b = append(w.b, ']')
}

func (w *canonWriter) action(a *parley.Action) {
	w.open()
	w.key("actor")
	w.int(a.Actor)
	if len(a.Answers) > 0 {
		w.key("answers")
		w.b = append(w.b, '[')
		for i, x := range a.Answers {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.text(x.String())
		}
		w.b = append(w.b, ']')
	}
	if a.Instruction != nil {
		w.key("instruction")
		w.instruction(a.Instruction)
	}
	if a.Issue != 0 {
		w.key("issue")
		w.int(a.Issue)
	}
	w.key("kind")
	w.text(a.Kind.String())
	if len(a.Outcome) > 0 {
		w.key("outcome")
		w.ints(a.Outcome)
	}
	if a.Reason != "" {
		w.key("reason")
		w.text(a.Reason)
	}
	if a.Rounds != 0 {
		w.key("rounds")
		w.int(a.Rounds)
	}
	w.close()
}

func (w *canonWriter) instruction(in *parley.Instruction) {
	w.open()
	if in.Delta != 0 {
		w.key("delta")
		w.float(in.Delta)
	}
	if in.Issue != 0 {
		w.key("issue")
		w.int(in.Issue)
	}
	w.key("kind")
	w.text(in.Kind.String())
	if in.Option != 0 {
		w.key("option")
		w.int(in.Option)
	}
	w.key("principal")
	w.text(in.Principal)
	if in.Rounds != 0 {
		w.key("rounds")
		w.int(in.Rounds)
	}
	w.close()
}

func (w *canonWriter) result(r *Result) {
	w.open()
	if len(r.Agreement) > 0 {
		w.key("agreement")
		w.ints(r.Agreement)
	}
	w.key("by")
	w.int(r.By)
	w.key("end")
	w.text(r.End.String())
	w.key("offers")
	w.int(r.Offers)
	w.key("rounds")
	w.int(r.Rounds)
	w.key("steps")
	w.int(r.Steps)
	if r.Why != "" {
		w.key("why")
		w.text(r.Why)
	}
	w.close()
}

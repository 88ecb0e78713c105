package audit

import (
	"bytes"
	"slices"
	"unicode/utf8"
)

// canonicalFast is Canonical for the JSON encoding/json writes (compact,
// its own string escapes): objects' members sorted by key in place of a
// decoding to values and an encoding back, which costs most of a stored
// event's CPU. It reports false, leaving the work to the general path,
// for anything it does not know to come out the same: white space,
// duplicate keys, escapes other than \" \\ \n \r \t, characters
// encoding/json would escape, deep nesting, or input that is not JSON.
func canonicalFast(in []byte, omit []string) ([]byte, bool) {
	p := fastCanon{in: in}
	out, ok := p.value(make([]byte, 0, len(in)), 0, omit)
	if !ok || p.i != len(in) {
		return nil, false
	}
	return out, true
}

type fastCanon struct {
	in []byte
	i  int
}

// maxFastDepth bounds the nesting the fast path follows.
const maxFastDepth = 64

func (p *fastCanon) value(out []byte, depth int, omit []string) ([]byte, bool) {
	if p.i >= len(p.in) || depth > maxFastDepth {
		return out, false
	}
	switch c := p.in[p.i]; {
	case c == '{':
		return p.object(out, depth, omit)
	case c == '[':
		return p.array(out, depth)
	case c == '"':
		s, ok := p.str()
		return append(out, s...), ok
	case c == 't':
		return p.literal(out, "true")
	case c == 'f':
		return p.literal(out, "false")
	case c == 'n':
		return p.literal(out, "null")
	case c == '-' || c >= '0' && c <= '9':
		return p.number(out)
	}
	return out, false
}

func (p *fastCanon) literal(out []byte, lit string) ([]byte, bool) {
	if !bytes.HasPrefix(p.in[p.i:], []byte(lit)) {
		return out, false
	}
	p.i += len(lit)
	return append(out, lit...), true
}

// number copies a number literal, as Canonical keeps it, once it is
// checked against JSON's grammar.
func (p *fastCanon) number(out []byte) ([]byte, bool) {
	in, start := p.in, p.i
	digits := func() int {
		n := 0
		for p.i < len(in) && in[p.i] >= '0' && in[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if in[p.i] == '-' {
		p.i++
	}
	if p.i < len(in) && in[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return out, false
	}
	if p.i < len(in) && in[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return out, false
		}
	}
	if p.i < len(in) && (in[p.i] == 'e' || in[p.i] == 'E') {
		p.i++
		if p.i < len(in) && (in[p.i] == '+' || in[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return out, false
		}
	}
	return append(out, in[start:p.i]...), true
}

// str returns the string at p.i, quotes included, if encoding/json would
// write its value exactly so.
func (p *fastCanon) str() ([]byte, bool) {
	in, start := p.in, p.i
	p.i++
	for p.i < len(in) {
		switch c := in[p.i]; {
		case c == '"':
			p.i++
			s := in[start:p.i]
			// encoding/json writes invalid UTF-8 as \ufffd and escapes
			// U+2028 and U+2029.
			ok := utf8.Valid(s) && !bytes.Contains(s, []byte("\u2028")) && !bytes.Contains(s, []byte("\u2029"))
			return s, ok
		case c < 0x20:
			return nil, false
		case c == '\\':
			if p.i+1 >= len(in) || !bytes.ContainsRune([]byte(`"\nrt`), rune(in[p.i+1])) {
				return nil, false
			}
			p.i += 2
		default:
			p.i++
		}
	}
	return nil, false
}

func (p *fastCanon) array(out []byte, depth int) ([]byte, bool) {
	p.i++
	out = append(out, '[')
	if p.i < len(p.in) && p.in[p.i] == ']' {
		p.i++
		return append(out, ']'), true
	}
	for {
		var ok bool
		if out, ok = p.value(out, depth+1, nil); !ok || p.i >= len(p.in) {
			return out, false
		}
		switch p.in[p.i] {
		case ',':
			p.i++
			out = append(out, ',')
		case ']':
			p.i++
			return append(out, ']'), true
		default:
			return out, false
		}
	}
}

// member is an object's member as written to the output: out[start:end]
// holds `"key":value`, the key's text out[start+1:keyEnd].
type member struct{ start, keyEnd, end int }

func (p *fastCanon) object(out []byte, depth int, omit []string) ([]byte, bool) {
	p.i++
	open := len(out)
	out = append(out, '{')
	if p.i < len(p.in) && p.in[p.i] == '}' {
		p.i++
		return append(out, '}'), true
	}
	var stack [16]member
	ms := stack[:0]
	for {
		if p.i >= len(p.in) || p.in[p.i] != '"' {
			return out, false
		}
		key, ok := p.str()
		if !ok || bytes.IndexByte(key, '\\') >= 0 || p.i >= len(p.in) || p.in[p.i] != ':' {
			return out, false
		}
		p.i++
		m := member{start: len(out), keyEnd: len(out) + len(key) - 1}
		out = append(append(out, key...), ':')
		if out, ok = p.value(out, depth+1, nil); !ok || p.i >= len(p.in) {
			return out, false
		}
		m.end = len(out)
		if slices.Contains(omit, string(key[1:len(key)-1])) {
			out = out[:m.start]
		} else {
			ms = append(ms, m)
		}
		if p.in[p.i] == '}' {
			p.i++
			break
		}
		if p.in[p.i] != ',' {
			return out, false
		}
		p.i++
	}
	// Rewrite the members in key order, with their commas.
	body := bytes.Clone(out[open+1:])
	keyOf := func(m member) []byte { return body[m.start-open : m.keyEnd-open-1] }
	slices.SortFunc(ms, func(a, b member) int { return bytes.Compare(keyOf(a), keyOf(b)) })
	out = out[:open+1]
	for k, m := range ms {
		if k > 0 {
			if bytes.Equal(keyOf(ms[k-1]), keyOf(m)) {
				return out, false // Canonical keeps the last: leave it to it
			}
			out = append(out, ',')
		}
		out = append(out, body[m.start-open-1:m.end-open-1]...)
	}
	return append(out, '}'), true
}

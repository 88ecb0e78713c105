// Package jsonvalid checks that bytes are one JSON value, as
// encoding/json.Valid does, several times faster: a store checks every
// definition (tens of KB) and event payload it is given, and the
// scanner of encoding/json, a function call per byte, was a tenth of a
// session's creation.
package jsonvalid

// MaxDepth is encoding/json's limit on nested arrays and objects.
const MaxDepth = 10000

// Valid reports whether b is one JSON value with nothing but whitespace
// around it, exactly as encoding/json.Valid does (which, like it, does
// not check that strings hold valid UTF-8).
func Valid(b []byte) bool {
	var buf [64]bool // open containers: true an object, false an array
	open := buf[:0]
	i := space(b, 0)
	for {
		// A value at i.
		if i >= len(b) {
			return false
		}
		ok := true
		switch c := b[i]; c {
		case '{', '[':
			if len(open) == MaxDepth {
				return false
			}
			open = append(open, c == '{')
			i = space(b, i+1)
			if i < len(b) && (c == '{' && b[i] == '}' || c == '[' && b[i] == ']') {
				open = open[:len(open)-1]
				i++
				break // empty: what follows a value
			}
			if c == '{' {
				if i, ok = key(b, i); !ok {
					return false
				}
			}
			continue // its first member's value
		case '"':
			i, ok = str(b, i)
		case 't':
			i, ok = literal(b, i, "true")
		case 'f':
			i, ok = literal(b, i, "false")
		case 'n':
			i, ok = literal(b, i, "null")
		default:
			i, ok = number(b, i)
		}
		if !ok {
			return false
		}
		// What follows a value: the end, a comma and the next member, or
		// the end of containers.
		for {
			i = space(b, i)
			if len(open) == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			obj := open[len(open)-1]
			if b[i] == ',' {
				i = space(b, i+1)
				if obj {
					if i, ok = key(b, i); !ok {
						return false
					}
				}
				break
			}
			if obj && b[i] == '}' || !obj && b[i] == ']' {
				open = open[:len(open)-1]
				i++
				continue
			}
			return false
		}
	}
}

// space skips JSON whitespace from i.
func space(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// key reads a member's name and its colon at i, and the whitespace after.
func key(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return i, false
	}
	i, ok := str(b, i)
	if !ok {
		return i, false
	}
	i = space(b, i)
	if i >= len(b) || b[i] != ':' {
		return i, false
	}
	return space(b, i+1), true
}

// str reads a string at i (b[i] is its opening quote).
func str(b []byte, i int) (int, bool) {
	i++
	for {
		for i < len(b) && b[i] >= 0x20 && b[i] != '"' && b[i] != '\\' { // as it is
			i++
		}
		if i >= len(b) {
			return i, false
		}
		switch b[i] {
		case '"':
			return i + 1, true
		case '\\':
			i++
			if i >= len(b) {
				return i, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+4 >= len(b) || !hex(b[i+1]) || !hex(b[i+2]) || !hex(b[i+3]) || !hex(b[i+4]) {
					return i, false
				}
				i += 5
			default:
				return i, false
			}
		default: // a control character
			return i, false
		}
	}
}

func hex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func digit(b []byte, i int) bool { return i < len(b) && '0' <= b[i] && b[i] <= '9' }

func digits(b []byte, i int) int {
	for digit(b, i) {
		i++
	}
	return i
}

// number reads a number at i: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func number(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case !digit(b, i):
		return i, false
	case b[i] == '0':
		i++
	default:
		i = digits(b, i)
	}
	if i < len(b) && b[i] == '.' {
		if i++; !digit(b, i) {
			return i, false
		}
		i = digits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digit(b, i) {
			return i, false
		}
		i = digits(b, i)
	}
	return i, true
}

// literal reads word (true, false, null) at i.
func literal(b []byte, i int, word string) (int, bool) {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return i, false
	}
	return i + len(word), true
}

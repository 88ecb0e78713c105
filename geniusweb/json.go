package geniusweb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/parleyhq/parley"
)

// maxDepth bounds the nesting of a JSON document (GeniusWeb files nest
// about six levels deep).
const maxDepth = 64

// kind is the type of a JSON value.
type kind int

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kObject
	kArray
)

func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an object", "an array"}[k]
}

// node is a JSON value with the byte offset where it starts. Objects keep
// their keys in file order (GeniusWeb issue order is the file's order).
type node struct {
	kind kind
	off  int64
	str  string      // kString
	num  json.Number // kNumber
	b    bool        // kBool
	keys []string    // kObject
	koff []int64     // kObject: offsets of the keys
	vals []*node     // kObject values, kArray items
}

// get returns the value of key in an object, or nil.
func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// rat returns a number node's exact value.
func (n *node) rat() *big.Rat {
	r, ok := new(big.Rat).SetString(string(n.num))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// float returns a number node's value as the nearest float64.
func (n *node) float() float64 {
	f, _ := n.rat().Float64()
	return f
}

// parser reads a JSON document into nodes, keeping positions.
type parser struct {
	file string
	data []byte
	dec  *json.Decoder
}

// pos converts a byte offset into a 1-based line and column (in bytes).
func pos(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// errAt returns a positioned EINVALID error at offset off.
func errAt(file string, data []byte, off int64, path, format string, args ...any) error {
	l, c := pos(data, off)
	return &parley.PosError{File: file, Line: l, Column: c, Path: path, Err: parley.Errorf(parley.EINVALID, format, args...)}
}

// parseJSON parses data into a node tree.
func parseJSON(file string, data []byte) (*node, error) {
	p := &parser{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		off := p.start()
		if err != nil {
			return nil, p.syntax(err)
		}
		return nil, errAt(file, data, off, "", "unexpected content after the JSON value")
	}
	return n, nil
}

// start returns the offset of the next token: the decoder's offset past
// whitespace, commas and colons.
func (p *parser) start() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *parser) syntax(err error) error {
	var se *json.SyntaxError
	off := p.dec.InputOffset()
	msg := err.Error()
	if errors.As(err, &se) {
		off = se.Offset
		if off > 0 {
			off-- // the offset is past the offending byte
		}
	} else if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		off = int64(len(p.data))
		msg = "unexpected end of file"
	}
	return errAt(p.file, p.data, off, "", "JSON syntax: %s", strings.TrimPrefix(msg, "json: "))
}

func (p *parser) value(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errAt(p.file, p.data, p.start(), "", "JSON nested more than %d levels deep", maxDepth)
	}
	off := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.syntax(err)
	}
	n := &node{off: off}
	switch t := tok.(type) {
	case nil:
		n.kind = kNull
	case bool:
		n.kind, n.b = kBool, t
	case json.Number:
		n.kind, n.num = kNumber, t
	case string:
		n.kind, n.str = kString, t
	case json.Delim:
		switch t {
		case '{':
			n.kind = kObject
			seen := map[string]bool{}
			for p.dec.More() {
				koff := p.start()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.syntax(err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errAt(p.file, p.data, koff, "", "JSON syntax: object key must be a string")
				}
				if seen[k] {
					return nil, errAt(p.file, p.data, koff, "", "duplicate key %q", k)
				}
				seen[k] = true
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.koff = append(n.koff, koff)
				n.vals = append(n.vals, v)
			}
		case '[':
			n.kind = kArray
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, v)
			}
		default:
			return nil, errAt(p.file, p.data, off, "", "JSON syntax: unexpected %q", string(t))
		}
		if _, err := p.dec.Token(); err != nil { // closing delimiter
			return nil, p.syntax(err)
		}
	}
	return n, nil
}

// reader reports positioned errors for one file.
type reader struct {
	file     string
	data     []byte
	warnings []string
}

func (r *reader) errf(n *node, path, format string, args ...any) error {
	var off int64
	if n != nil {
		off = n.off
	}
	return errAt(r.file, r.data, off, path, format, args...)
}

func (r *reader) warnf(n *node, format string, args ...any) {
	l, c := pos(r.data, n.off)
	r.warnings = append(r.warnings, fmt.Sprintf("%s:%d:%d: %s", r.file, l, c, fmt.Sprintf(format, args...)))
}

// want checks n's kind.
func (r *reader) want(n *node, k kind, path string) error {
	if n.kind != k {
		return r.errf(n, path, "expected %s, got %s", k, n.kind)
	}
	return nil
}

// keys checks that an object has only the given keys.
func (r *reader) keys(n *node, path string, allowed ...string) error {
	for i, k := range n.keys {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
			}
		}
		if !ok {
			return errAt(r.file, r.data, n.koff[i], join(path, k), "unknown key %q; expected one of %s", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// req returns the value of a required key.
func (r *reader) req(n *node, path, key string) (*node, error) {
	v := n.get(key)
	if v == nil {
		return nil, r.errf(n, join(path, key), "missing required key %q", key)
	}
	return v, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

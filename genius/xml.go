package genius

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// maxDepth bounds element nesting; Genius files are at most five deep.
const maxDepth = 256

// element is one parsed XML element with the position of its start tag.
type element struct {
	name     string
	attrs    []attr
	children []*element
	line     int
	col      int
	path     string // e.g. "utility_space.objective.issue[2]"
}

type attr struct {
	name, value string
	line, col   int
}

// get returns the attribute's value and whether it is present.
func (e *element) get(name string) (string, bool) {
	for _, a := range e.attrs {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}

// kids returns the children named name, in document order.
func (e *element) kids(name string) []*element {
	var out []*element
	for _, c := range e.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// kid returns the first child named name, or nil.
func (e *element) kid(name string) *element {
	for _, c := range e.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// decodeText turns the file's bytes into a string: UTF-8 when the bytes are
// valid UTF-8 (a byte-order mark is dropped), Latin-1 otherwise. Genius reads
// files with the platform charset, so Latin-1 files written on Windows load
// there; a declared encoding is not consulted. It reports whether it fell
// back to Latin-1.
func decodeText(data []byte) (string, bool) {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		data = data[3:]
	}
	if utf8.Valid(data) {
		return string(data), false
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		b.WriteRune(rune(c))
	}
	return b.String(), true
}

// parser is a lenient XML parser that accepts what Genius' SimpleDOMParser
// accepts (see docs/genius-import.md) and reports the rest with a position.
type parser struct {
	file string
	src  string
	pos  int
	line int
	col  int // rune column of pos, 1-based
}

// parseXML parses the document and returns its root element.
func parseXML(file string, data []byte) (*element, bool, error) {
	src, latin1 := decodeText(data)
	p := &parser{file: file, src: src, line: 1, col: 1}
	root, err := p.document()
	return root, latin1, err
}

func (p *parser) errAt(line, col int, format string, args ...any) error {
	return &parley.PosError{File: p.file, Line: line, Column: col, Err: parley.Errorf(parley.EINVALID, format, args...)}
}

func (p *parser) errf(format string, args ...any) error {
	return p.errAt(p.line, p.col, format, args...)
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

// advance moves past n bytes, keeping line and column.
func (p *parser) advance(n int) {
	end := p.pos + n
	if end > len(p.src) {
		end = len(p.src)
	}
	for p.pos < end {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		p.pos += size
		if r == '\n' {
			p.line++
			p.col = 1
		} else {
			p.col++
		}
	}
}

func (p *parser) has(prefix string) bool { return strings.HasPrefix(p.src[p.pos:], prefix) }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func (p *parser) skipSpace() {
	for !p.eof() && isSpace(p.src[p.pos]) {
		p.advance(1)
	}
}

// skipPast moves past the next occurrence of end, or fails at the start
// position with what.
func (p *parser) skipPast(end, what string) error {
	line, col := p.line, p.col
	i := strings.Index(p.src[p.pos:], end)
	if i < 0 {
		return p.errAt(line, col, "unterminated %s", what)
	}
	p.advance(i + len(end))
	return nil
}

// skipMarkup skips a comment, processing instruction, CDATA section or
// declaration at pos; it reports false if there is none.
func (p *parser) skipMarkup() (bool, error) {
	switch {
	case p.has("<!--"):
		return true, p.skipPast("-->", "comment")
	case p.has("<?"):
		return true, p.skipPast("?>", "processing instruction or XML declaration")
	case p.has("<![CDATA["):
		return true, p.skipPast("]]>", "CDATA section")
	case p.has("<!"):
		// A declaration such as <!DOCTYPE ...>, possibly with an internal
		// subset in brackets.
		line, col := p.line, p.col
		depth := 0
		for i := p.pos + 2; i < len(p.src); i++ {
			switch p.src[i] {
			case '[':
				depth++
			case ']':
				depth--
			case '>':
				if depth <= 0 {
					p.advance(i + 1 - p.pos)
					return true, nil
				}
			}
		}
		return true, p.errAt(line, col, "unterminated declaration")
	}
	return false, nil
}

func (p *parser) document() (*element, error) {
	if err := p.prolog(); err != nil {
		return nil, err
	}
	var stack []*element
	var root *element
	for {
		if p.eof() {
			if len(stack) == 0 {
				return nil, p.errf("no root element")
			}
			top := stack[len(stack)-1]
			return nil, p.errf("unexpected end of file: <%s> opened at line %d is not closed", top.name, top.line)
		}
		if p.src[p.pos] != '<' {
			// Character data: Genius keeps it as element text; no Genius
			// format uses it, so it is skipped.
			i := strings.IndexByte(p.src[p.pos:], '<')
			if i < 0 {
				i = len(p.src) - p.pos
			}
			p.advance(i)
			continue
		}
		ok, err := p.skipMarkup()
		if err != nil {
			return nil, err
		}
		if ok {
			continue
		}
		if p.has("</") {
			if err := p.endTag(stack); err != nil {
				return nil, err
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				// Genius stops reading when the root element closes.
				return root, nil
			}
			continue
		}
		el, selfClosing, err := p.startTag()
		if err != nil {
			return nil, err
		}
		if len(stack) == 0 {
			if root != nil {
				return root, nil
			}
			root = el
			el.path = el.name
		} else {
			attach(stack[len(stack)-1], el)
		}
		if selfClosing {
			if len(stack) == 0 {
				return root, nil
			}
			continue
		}
		if len(stack) >= maxDepth {
			return nil, p.errAt(el.line, el.col, "elements nested more than %d deep", maxDepth)
		}
		stack = append(stack, el)
	}
}

// prolog skips what comes before the root element: whitespace, comments
// (also before the XML declaration, as some ANAC files have), the
// declaration, a DOCTYPE.
func (p *parser) prolog() error {
	for {
		p.skipSpace()
		if p.eof() {
			return p.errf("no root element: the file is empty or holds only comments")
		}
		if p.src[p.pos] != '<' {
			return p.errf("not an XML document: expected '<' but found %q", p.peekRune())
		}
		ok, err := p.skipMarkup()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
	}
}

// endTag reads the closing tag at p.pos, which must close the element on
// top of stack.
func (p *parser) endTag(stack []*element) error {
	line, col := p.line, p.col
	p.advance(2)
	name := p.name()
	p.skipSpace()
	if !p.has(">") {
		return p.errf("malformed closing tag </%s>: expected '>'", name)
	}
	p.advance(1)
	if len(stack) == 0 {
		return p.errAt(line, col, "closing tag </%s> without an open element", name)
	}
	top := stack[len(stack)-1]
	if name != top.name {
		return p.errAt(line, col, "closing tag </%s> does not match <%s> opened at line %d", name, top.name, top.line)
	}
	return nil
}

// attach appends el to parent's children, with its path: the parent's,
// then its name and its index among the parent's children of that name.
func attach(parent, el *element) {
	n := 0
	for _, c := range parent.children {
		if c.name == el.name {
			n++
		}
	}
	el.path = fmt.Sprintf("%s.%s[%d]", parent.path, el.name, n)
	parent.children = append(parent.children, el)
}

func (p *parser) peekRune() rune {
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return r
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

func isNameByte(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.'
}

// name reads an XML name (possibly empty).
func (p *parser) name() string {
	start := p.pos
	if !p.eof() && isNameStart(p.src[p.pos]) {
		i := p.pos + 1
		for i < len(p.src) && isNameByte(p.src[i]) {
			i++
		}
		p.advance(i - p.pos)
	}
	return p.src[start:p.pos]
}

// startTag parses <name attr="v" ...> or <name .../> at pos.
func (p *parser) startTag() (*element, bool, error) {
	el := &element{line: p.line, col: p.col}
	p.advance(1)
	el.name = p.name()
	if el.name == "" {
		return nil, false, p.errf("invalid tag: expected an element name after '<', found %q", p.peekRune())
	}
	afterQuote := false
	for {
		before := p.pos
		p.skipSpace()
		glued := afterQuote && p.pos == before // no space after the last value
		if p.eof() {
			return nil, false, p.errAt(el.line, el.col, "unterminated tag <%s>", el.name)
		}
		switch {
		case p.has("/>"):
			p.advance(2)
			return el, true, nil
		case p.has(">"):
			p.advance(1)
			return el, false, nil
		}
		c := p.src[p.pos]
		if c == '"' || c == '\'' {
			return nil, false, p.errf("unexpected quote in tag <%s>: an attribute value probably contains an unescaped %c (write &quot; or &apos;)", el.name, c)
		}
		if !isNameStart(c) {
			if afterQuote {
				return nil, false, p.errf("unexpected %q in tag <%s> right after an attribute value: the value probably contains an unescaped quote", p.peekRune(), el.name)
			}
			return nil, false, p.errf("unexpected %q in tag <%s>", p.peekRune(), el.name)
		}
		// Genius does not require space between attributes.
		a := attr{line: p.line, col: p.col}
		a.name = p.name()
		p.skipSpace()
		if !p.has("=") {
			if glued {
				return nil, false, p.errAt(a.line, a.col, "unexpected %q in tag <%s> right after an attribute value: the value probably contains an unescaped quote", a.name, el.name)
			}
			return nil, false, p.errf("attribute %q of <%s> has no value (expected '=')", a.name, el.name)
		}
		p.advance(1)
		p.skipSpace()
		raw, quoted, err := p.attrValue(el, a.name)
		if err != nil {
			return nil, false, err
		}
		afterQuote = quoted
		a.value = unescape(raw)
		for _, b := range el.attrs {
			if b.name == a.name {
				return nil, false, p.errAt(a.line, a.col, "attribute %q given twice in <%s> (first at column %d)", a.name, el.name, b.col)
			}
		}
		el.attrs = append(el.attrs, a)
	}
}

// attrValue reads the raw value of attribute name of el at p.pos: quoted
// (quoted is true) or, as Genius' parser accepts it, unquoted up to space,
// '>' or "/>".
func (p *parser) attrValue(el *element, name string) (raw string, quoted bool, err error) {
	if p.eof() {
		return "", false, p.errAt(el.line, el.col, "unterminated tag <%s>", el.name)
	}
	if q := p.src[p.pos]; q == '"' || q == '\'' {
		vl, vc := p.line, p.col
		end := strings.IndexByte(p.src[p.pos+1:], q)
		if end < 0 {
			return "", false, p.errAt(vl, vc, "unterminated value of attribute %q in <%s>", name, el.name)
		}
		raw = p.src[p.pos+1 : p.pos+1+end]
		if strings.ContainsRune(raw, '>') && strings.ContainsRune(raw, '\n') {
			// A runaway value: most likely a missing closing quote.
			return "", false, p.errAt(vl, vc, "value of attribute %q in <%s> runs across lines and past '>': missing closing quote?", name, el.name)
		}
		p.advance(end + 2)
		return raw, true, nil
	}
	i := p.pos
	for i < len(p.src) && !isSpace(p.src[i]) && p.src[i] != '>' && !strings.HasPrefix(p.src[i:], "/>") {
		i++
	}
	if i == p.pos {
		return "", false, p.errf("attribute %q of <%s> has an empty unquoted value", name, el.name)
	}
	raw = p.src[p.pos:i]
	p.advance(i - p.pos)
	return raw, false, nil
}

// unescape replaces the predefined entities and character references. An
// ampersand that starts none of them is kept as it is: Genius' parser does
// not decode entities at all, and ANAC 2015 files contain bare ampersands
// ("Coffee & Thee").
func unescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '&' {
			b.WriteByte(s[i])
			i++
			continue
		}
		semi := strings.IndexByte(s[i:], ';')
		if semi > 1 && semi <= 10 {
			ent := s[i+1 : i+semi]
			if r, ok := entity(ent); ok {
				b.WriteRune(r)
				i += semi + 1
				continue
			}
		}
		b.WriteByte('&')
		i++
	}
	return b.String()
}

func entity(ent string) (rune, bool) {
	switch ent {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if strings.HasPrefix(ent, "#") {
		var n uint64
		var err error
		if strings.HasPrefix(ent, "#x") || strings.HasPrefix(ent, "#X") {
			n, err = strconv.ParseUint(ent[2:], 16, 32)
		} else {
			n, err = strconv.ParseUint(ent[1:], 10, 32)
		}
		if err == nil && n > 0 && n <= utf8.MaxRune && utf8.ValidRune(rune(n)) {
			return rune(n), true
		}
	}
	return 0, false
}

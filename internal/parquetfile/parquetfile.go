// Package parquetfile writes flat Apache Parquet files: a schema of
// named columns of strings, 64-bit integers, doubles and booleans, each
// required or optional (nullable), written row by row into row groups of
// PLAIN-encoded, Snappy-compressed data pages with column statistics.
//
// It is the little that parley's result tables need, written against the
// format specification (github.com/apache/parquet-format) so that every
// command of the one parley binary does not link, and initialise at each
// start, a general Parquet library with its protobuf, JSON and codec
// dependencies. The tests read the files back with parquet-go (a test
// dependency only, which the binary does not link).
package parquetfile

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/klauspost/compress/s2"
)

// Kind is a column's type.
type Kind uint8

// The kinds of column: a UTF-8 string (BYTE_ARRAY, logical type STRING),
// a signed or unsigned 64-bit integer (INT64, logical type INTEGER), a
// DOUBLE and a BOOLEAN.
const (
	String Kind = iota
	Int64
	Uint64
	Double
	Bool
)

// Column describes one column: its name, kind and whether it may hold
// nulls.
type Column struct {
	Name     string
	Kind     Kind
	Optional bool
}

// Options tune the file's layout; zero values take the defaults.
type Options struct {
	// RowGroupRows is the number of rows per row group (default 65,536).
	RowGroupRows int
	// PageBytes is the uncompressed size past which a data page is cut
	// (default 1 MiB).
	PageBytes int
	// CreatedBy names the writer in the footer (default "parley").
	CreatedBy string
}

var magic = []byte("PAR1")

// Writer writes a Parquet file row by row: for each row, one setter call
// per column (String, Int64, Uint64, Double, Bool or Null, by column
// index), then EndRow; Close writes the last row group and the footer.
type Writer struct {
	w      io.Writer
	name   string
	opt    Options
	chunks []chunk
	rows   int   // rows in the current row group
	total  int64 // rows written
	off    int64 // bytes written
	groups []groupMeta
	err    error // sticky: the first misuse or write error
}

// NewWriter returns a writer of a file whose schema, called name, has the
// columns cols in order.
func NewWriter(w io.Writer, name string, cols []Column, opt Options) *Writer {
	if opt.RowGroupRows <= 0 {
		opt.RowGroupRows = 1 << 16
	}
	if opt.PageBytes <= 0 {
		opt.PageBytes = 1 << 20
	}
	if opt.CreatedBy == "" {
		opt.CreatedBy = "parley"
	}
	pw := &Writer{w: w, name: name, opt: opt, chunks: make([]chunk, len(cols))}
	for i, c := range cols {
		pw.chunks[i].col = c
	}
	pw.write(magic)
	return pw
}

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	n, err := w.w.Write(b)
	w.off += int64(n)
	w.err = err
}

// column checks that column i exists and has no value in this row yet,
// and returns it.
func (w *Writer) column(i int) *chunk {
	if w.err != nil {
		return nil
	}
	if i < 0 || i >= len(w.chunks) {
		w.err = fmt.Errorf("parquetfile: no column %d (the schema has %d)", i, len(w.chunks))
		return nil
	}
	c := &w.chunks[i]
	if c.rows > w.rows {
		w.err = fmt.Errorf("parquetfile: column %s given twice in row %d", c.col.Name, w.total)
		return nil
	}
	return c
}

// set checks that column i can take a value of kind k in this row, and
// counts the value.
func (w *Writer) set(i int, k Kind) *chunk {
	c := w.column(i)
	if c == nil {
		return nil
	}
	if k != c.col.Kind {
		w.err = fmt.Errorf("parquetfile: column %s is %s, given %s", c.col.Name, c.col.Kind, k)
		return nil
	}
	c.rows++
	c.level(1)
	return c
}

// Null sets column i of the row to null; the column must be optional.
func (w *Writer) Null(i int) {
	c := w.column(i)
	if c == nil {
		return
	}
	if !c.col.Optional {
		w.err = fmt.Errorf("parquetfile: column %s is required, given null in row %d", c.col.Name, w.total)
		return
	}
	c.rows++
	c.level(0)
	c.nulls++
}

// String sets column i of the row to s.
func (w *Writer) String(i int, s string) {
	if c := w.set(i, String); c != nil {
		c.vals = binary.LittleEndian.AppendUint32(c.vals, uint32(len(s)))
		c.vals = append(c.vals, s...)
		if !c.seen || s < c.minS {
			c.minS = s
		}
		if !c.seen || s > c.maxS {
			c.maxS = s
		}
		c.seen = true
	}
}

// Int64 sets column i of the row to v.
func (w *Writer) Int64(i int, v int64) {
	if c := w.set(i, Int64); c != nil {
		c.vals = binary.LittleEndian.AppendUint64(c.vals, uint64(v))
		if !c.seen || v < c.minI {
			c.minI = v
		}
		if !c.seen || v > c.maxI {
			c.maxI = v
		}
		c.seen = true
	}
}

// Uint64 sets column i of the row to v.
func (w *Writer) Uint64(i int, v uint64) {
	if c := w.set(i, Uint64); c != nil {
		c.vals = binary.LittleEndian.AppendUint64(c.vals, v)
		if !c.seen || v < uint64(c.minI) {
			c.minI = int64(v)
		}
		if !c.seen || v > uint64(c.maxI) {
			c.maxI = int64(v)
		}
		c.seen = true
	}
}

// Double sets column i of the row to v. NaN is stored, but left out of
// the column's minimum and maximum.
func (w *Writer) Double(i int, v float64) {
	if c := w.set(i, Double); c != nil {
		c.vals = binary.LittleEndian.AppendUint64(c.vals, math.Float64bits(v))
		if math.IsNaN(v) {
			return
		}
		if !c.seen || v < c.minF {
			c.minF = v
		}
		if !c.seen || v > c.maxF {
			c.maxF = v
		}
		c.seen = true
	}
}

// Bool sets column i of the row to v.
func (w *Writer) Bool(i int, v bool) {
	if c := w.set(i, Bool); c != nil {
		if c.bools%8 == 0 {
			c.vals = append(c.vals, 0)
		}
		if v {
			c.vals[len(c.vals)-1] |= 1 << (c.bools % 8)
			c.maxB = true
		} else {
			c.hasFalse = true
		}
		c.bools++
		c.seen = true
	}
}

// EndRow ends the row: every column must have been given a value (or
// null). It returns the first error of the row's setters, if any.
func (w *Writer) EndRow() error {
	if w.err != nil {
		return w.err
	}
	for i := range w.chunks {
		if c := &w.chunks[i]; c.rows != w.rows+1 {
			w.err = fmt.Errorf("parquetfile: column %s not given in row %d", c.col.Name, w.total)
			return w.err
		}
	}
	w.rows++
	w.total++
	for i := range w.chunks {
		if c := &w.chunks[i]; len(c.vals)+c.n/8 >= w.opt.PageBytes {
			c.page()
		}
	}
	if w.rows >= w.opt.RowGroupRows {
		w.flushGroup()
	}
	return w.err
}

// Close writes the last row group and the footer. It does not close the
// underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.rows > 0 {
		w.flushGroup()
	}
	footer := w.footer()
	w.write(footer)
	w.write(binary.LittleEndian.AppendUint32(nil, uint32(len(footer))))
	w.write(magic)
	return w.err
}

// flushGroup writes the current row group's column chunks.
func (w *Writer) flushGroup() {
	g := groupMeta{rows: int64(w.rows), offset: w.off}
	for i := range w.chunks {
		c := &w.chunks[i]
		if c.n > 0 {
			c.page()
		}
		m := chunkMeta{offset: w.off, values: c.values, uncompressed: c.uncompressed, compressed: int64(len(c.pages)), nulls: c.nulls}
		m.min, m.max = c.stats()
		w.write(c.pages)
		g.chunks = append(g.chunks, m)
		g.uncompressed += m.uncompressed
		g.compressed += m.compressed
		c.reset()
	}
	w.groups = append(w.groups, g)
	w.rows = 0
}

// chunk is a column's part of the current row group: the data pages
// finished so far and the page being filled.
type chunk struct {
	col  Column
	rows int // values given in the current row group (nulls included)

	// the page being filled
	defs  []byte // run-length encoded definition levels (optional columns)
	run   int    // length of the last run of defs, not yet encoded
	runV  byte   // its level
	vals  []byte // PLAIN-encoded values
	n     int    // values in the page, nulls included
	bools int    // booleans in vals

	// the finished pages and the chunk's statistics
	pages        []byte
	uncompressed int64
	values       int64
	nulls        int64
	seen         bool // a value (not null, not NaN) was given
	minI, maxI   int64
	minF, maxF   float64
	minS, maxS   string
	hasFalse     bool
	maxB         bool
}

// level notes a definition level (1: a value, 0: null) of an optional
// column, and counts the value.
func (c *chunk) level(v byte) {
	c.n++
	if !c.col.Optional {
		return
	}
	if c.run > 0 && v != c.runV {
		c.flushRun()
	}
	c.runV = v
	c.run++
}

// flushRun encodes the pending run of definition levels as an RLE run of
// the RLE/bit-packing hybrid, bit width 1.
func (c *chunk) flushRun() {
	if c.run == 0 {
		return
	}
	c.defs = binary.AppendUvarint(c.defs, uint64(c.run)<<1)
	c.defs = append(c.defs, c.runV)
	c.run = 0
}

// page compresses the values given since the last page into a data page
// (format v1) of the chunk.
func (c *chunk) page() {
	var data []byte
	if c.col.Optional {
		c.flushRun()
		data = binary.LittleEndian.AppendUint32(make([]byte, 0, 4+len(c.defs)+len(c.vals)), uint32(len(c.defs)))
		data = append(data, c.defs...)
		data = append(data, c.vals...)
	} else {
		data = c.vals
	}
	z := s2.EncodeSnappy(nil, data)
	var t thrift
	t.begin()
	t.i32(1, 0) // DATA_PAGE
	t.i32(2, int32(len(data)))
	t.i32(3, int32(len(z)))
	t.struct_(5)
	t.i32(1, int32(c.n))
	t.i32(2, encPlain)
	t.i32(3, encRLE)
	t.i32(4, encRLE)
	t.end()
	t.end()
	c.pages = append(c.pages, t.b...)
	c.pages = append(c.pages, z...)
	c.uncompressed += int64(len(t.b) + len(data))
	c.values += int64(c.n)
	c.defs, c.vals, c.n, c.bools = c.defs[:0], c.vals[:0], 0, 0
}

// stats returns the PLAIN encodings of the chunk's minimum and maximum
// (nil when it holds no value to order).
func (c *chunk) stats() (lo, hi []byte) {
	if !c.seen {
		return nil, nil
	}
	switch c.col.Kind {
	case String:
		return []byte(c.minS), []byte(c.maxS)
	case Int64, Uint64:
		return plainInt64(c.minI), plainInt64(c.maxI)
	case Double:
		lo, hi := c.minF, c.maxF
		if lo == 0 {
			lo = math.Copysign(0, -1) // the specification's rule for zeros
		}
		if hi == 0 {
			hi = 0
		}
		return plainDouble(lo), plainDouble(hi)
	case Bool:
		b := func(v bool) []byte {
			if v {
				return []byte{1}
			}
			return []byte{0}
		}
		return b(!c.hasFalse), b(c.maxB)
	}
	return nil, nil
}

func (c *chunk) reset() {
	c.pages = c.pages[:0]
	c.rows, c.uncompressed, c.values, c.nulls = 0, 0, 0, 0
	c.seen, c.hasFalse, c.maxB = false, false, false
	c.minS, c.maxS = "", ""
}

type chunkMeta struct {
	offset, values, uncompressed, compressed, nulls int64
	min, max                                        []byte
}

type groupMeta struct {
	rows, offset, uncompressed, compressed int64
	chunks                                 []chunkMeta
}

// Parquet's enumerations (parquet.thrift).
const (
	encPlain = 0
	encRLE   = 3

	typeBoolean   = 0
	typeInt64     = 2
	typeDouble    = 5
	typeByteArray = 6

	convUTF8   = 0
	convUint64 = 14
	convInt64  = 18

	repRequired = 0
	repOptional = 1

	codecSnappy = 1
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Int64:
		return "int64"
	case Uint64:
		return "uint64"
	case Double:
		return "double"
	case Bool:
		return "bool"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

func (k Kind) physical() int32 {
	switch k {
	case String:
		return typeByteArray
	case Int64, Uint64:
		return typeInt64
	case Double:
		return typeDouble
	}
	return typeBoolean
}

// footer encodes the FileMetaData.
func (w *Writer) footer() []byte {
	var t thrift
	t.begin()
	t.i32(1, 1) // version
	t.list(2, tStruct, len(w.chunks)+1)
	t.begin() // the root
	t.string(4, w.name)
	t.i32(5, int32(len(w.chunks)))
	t.end()
	for _, c := range w.chunks {
		w.schemaElement(&t, c.col)
	}
	t.i64(3, w.total)
	t.list(4, tStruct, len(w.groups))
	for k, g := range w.groups {
		t.begin()
		t.list(1, tStruct, len(g.chunks))
		for i, m := range g.chunks {
			w.columnChunk(&t, w.chunks[i].col, m)
		}
		t.i64(2, g.uncompressed)
		t.i64(3, g.rows)
		t.i64(5, g.offset)
		t.i64(6, g.compressed)
		t.field(7, 4) // ordinal, i16
		t.b = binary.AppendVarint(t.b, int64(k))
		t.end()
	}
	t.string(6, w.opt.CreatedBy)
	t.list(7, tStruct, len(w.chunks)) // column orders: each type's own
	for range w.chunks {
		t.begin()
		t.struct_(1)
		t.end()
		t.end()
	}
	t.end()
	return t.b
}

func (w *Writer) schemaElement(t *thrift, c Column) {
	t.begin()
	t.i32(1, c.Kind.physical())
	rep := int32(repRequired)
	if c.Optional {
		rep = repOptional
	}
	t.i32(3, rep)
	t.string(4, c.Name)
	switch c.Kind {
	case String:
		t.i32(6, convUTF8)
		t.struct_(10)
		t.struct_(1) // STRING
		t.end()
		t.end()
	case Int64, Uint64:
		conv := int32(convInt64)
		if c.Kind == Uint64 {
			conv = convUint64
		}
		t.i32(6, conv)
		t.struct_(10)
		t.struct_(10) // INTEGER
		t.i8(1, 64)
		t.bool(2, c.Kind == Int64)
		t.end()
		t.end()
	}
	t.end()
}

func (w *Writer) columnChunk(t *thrift, c Column, m chunkMeta) {
	t.begin()
	t.i64(2, m.offset)
	t.struct_(3)
	t.i32(1, c.Kind.physical())
	t.list(2, tI32, 2)
	t.elemI32(encPlain)
	t.elemI32(encRLE)
	t.list(3, tBinary, 1)
	t.elemString(c.Name)
	t.i32(4, codecSnappy)
	t.i64(5, m.values)
	t.i64(6, m.uncompressed)
	t.i64(7, m.compressed)
	t.i64(9, m.offset)
	t.struct_(12)
	t.i64(3, m.nulls)
	if m.min != nil {
		t.binary(5, m.max)
		t.binary(6, m.min)
	}
	t.end()
	t.end()
	t.end()
}

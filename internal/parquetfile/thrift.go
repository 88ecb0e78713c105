package parquetfile

import (
	"encoding/binary"
	"math"
)

// Thrift compact protocol types, as Parquet's footer and page headers
// use them (thrift/doc/specs/thrift-compact-protocol.md).
const (
	tBoolTrue  = 1
	tBoolFalse = 2
	tByte      = 3
	tI32       = 5
	tI64       = 6
	tBinary    = 8
	tList      = 9
	tStruct    = 12
)

// thrift writes the compact protocol: a field header names the field by
// its distance from the previous field of the same struct, so the writer
// keeps the last field id of every open struct.
type thrift struct {
	b    []byte
	last []int16 // last field id, per open struct (innermost last)
}

func (t *thrift) begin() { t.last = append(t.last, 0) }

// end closes the innermost struct with its stop byte.
func (t *thrift) end() {
	t.b = append(t.b, 0)
	t.last = t.last[:len(t.last)-1]
}

func (t *thrift) field(id int16, typ byte) {
	top := &t.last[len(t.last)-1]
	if d := id - *top; d > 0 && d <= 15 {
		t.b = append(t.b, byte(d)<<4|typ)
	} else {
		t.b = append(t.b, typ)
		t.b = binary.AppendVarint(t.b, int64(id)) // zigzag
	}
	*top = id
}

func (t *thrift) i32(id int16, v int32) {
	t.field(id, tI32)
	t.b = binary.AppendVarint(t.b, int64(v))
}

func (t *thrift) i8(id int16, v int8) {
	t.field(id, tByte)
	t.b = append(t.b, byte(v))
}

func (t *thrift) i64(id int16, v int64) {
	t.field(id, tI64)
	t.b = binary.AppendVarint(t.b, v)
}

func (t *thrift) bool(id int16, v bool) {
	if v {
		t.field(id, tBoolTrue)
	} else {
		t.field(id, tBoolFalse)
	}
}

func (t *thrift) binary(id int16, v []byte) {
	t.field(id, tBinary)
	t.b = binary.AppendUvarint(t.b, uint64(len(v)))
	t.b = append(t.b, v...)
}

func (t *thrift) string(id int16, v string) {
	t.field(id, tBinary)
	t.b = binary.AppendUvarint(t.b, uint64(len(v)))
	t.b = append(t.b, v...)
}

// list starts a list field of n elements of type elem; the caller then
// writes the elements (structs with begin/end, or listI32/listString).
func (t *thrift) list(id int16, elem byte, n int) {
	t.field(id, tList)
	if n < 15 {
		t.b = append(t.b, byte(n)<<4|elem)
	} else {
		t.b = append(t.b, 0xf0|elem)
		t.b = binary.AppendUvarint(t.b, uint64(n))
	}
}

func (t *thrift) struct_(id int16) {
	t.field(id, tStruct)
	t.begin()
}

func (t *thrift) elemI32(v int32) { t.b = binary.AppendVarint(t.b, int64(v)) }

func (t *thrift) elemString(v string) {
	t.b = binary.AppendUvarint(t.b, uint64(len(v)))
	t.b = append(t.b, v...)
}

// plain encodes one value as Parquet's PLAIN encoding writes it, for the
// statistics' min and max.
func plainInt64(v int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }

func plainDouble(v float64) []byte {
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))
}

package parquetfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

var testCols = []Column{
	{"id", String, false},
	{"n", Int64, false},
	{"seed", Uint64, false},
	{"x", Double, false},
	{"ok", Bool, false},
	{"why", String, true},
	{"d", Double, true},
	{"k", Int64, true},
	{"b", Bool, true},
	{"u", Uint64, true},
}

// cell is one test value: nil for null, else string, int64, uint64,
// float64 or bool.
type cell = any

func randomRows(r *rand.Rand, n int) [][]cell {
	rows := make([][]cell, n)
	for k := range rows {
		row := make([]cell, len(testCols))
		for i, c := range testCols {
			if c.Optional && r.IntN(3) == 0 {
				continue
			}
			switch c.Kind {
			case String:
				row[i] = strings.Repeat(string(rune('a'+r.IntN(26))), r.IntN(12)) + fmt.Sprint(k)
			case Int64:
				row[i] = r.Int64() - math.MaxInt64/2
			case Uint64:
				row[i] = r.Uint64()
			case Double:
				switch r.IntN(20) {
				case 0:
					row[i] = math.NaN()
				case 1:
					row[i] = 0.0
				default:
					row[i] = r.NormFloat64() * 1e3
				}
			case Bool:
				row[i] = r.IntN(2) == 0
			}
		}
		rows[k] = row
	}
	return rows
}

func write(t *testing.T, rows [][]cell, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, "results", testCols, opt)
	for _, row := range rows {
		for i, v := range row {
			switch v := v.(type) {
			case nil:
				w.Null(i)
			case string:
				w.String(i, v)
			case int64:
				w.Int64(i, v)
			case uint64:
				w.Uint64(i, v)
			case float64:
				w.Double(i, v)
			case bool:
				w.Bool(i, v)
			}
		}
		if err := w.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadBackWithParquetGo writes random rows (nulls, NaN, zeros, every
// kind) in several row groups and pages and reads them back with
// parquet-go: the schema, every value and the column statistics.
func TestReadBackWithParquetGo(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		rows int
		opt  Options
	}{
		{0, Options{}},
		{1, Options{}},
		{1000, Options{}},
		{2500, Options{RowGroupRows: 700, PageBytes: 900}},
		{64, Options{RowGroupRows: 8, PageBytes: 1}},
	} {
		t.Run(fmt.Sprintf("%d rows %+v", tc.rows, tc.opt), func(t *testing.T) {
			rows := randomRows(r, tc.rows)
			data := write(t, rows, tc.opt)
			f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			checkSchema(t, f.Schema())
			if f.NumRows() != int64(len(rows)) {
				t.Fatalf("NumRows %d, want %d", f.NumRows(), len(rows))
			}
			if want := (tc.rows + max(1, tc.opt.RowGroupRows) - 1) / max(1, tc.opt.RowGroupRows); tc.opt.RowGroupRows > 0 && len(f.RowGroups()) != want {
				t.Fatalf("%d row groups, want %d", len(f.RowGroups()), want)
			}
			rd := parquet.NewReader(f)
			defer rd.Close()
			buf := make([]parquet.Row, 1)
			for k, want := range rows {
				if n, err := rd.ReadRows(buf); n != 1 {
					t.Fatalf("row %d: %v", k, err)
				}
				for i, v := range buf[0] {
					if !same(testCols[i].Kind, v, want[i]) {
						t.Fatalf("row %d column %s: read %v, wrote %v", k, testCols[i].Name, v, want[i])
					}
				}
			}
			if n, _ := rd.ReadRows(buf); n != 0 {
				t.Fatal("more rows than written")
			}
			checkStats(t, f, rows, tc.opt.RowGroupRows)
		})
	}
}

func checkSchema(t *testing.T, s *parquet.Schema) {
	t.Helper()
	fields := s.Fields()
	if s.Name() != "results" || len(fields) != len(testCols) {
		t.Fatalf("schema %s with %d fields", s.Name(), len(fields))
	}
	want := map[Kind]string{String: "STRING", Int64: "INT(64,true)", Uint64: "INT(64,false)", Double: "DOUBLE", Bool: "BOOLEAN"}
	for i, f := range fields {
		c := testCols[i]
		got := f.Type().String()
		if f.Name() != c.Name || got != want[c.Kind] || f.Optional() != c.Optional || !f.Leaf() {
			t.Errorf("field %d: %s %s optional %v; want %s %s optional %v", i, f.Name(), got, f.Optional(), c.Name, want[c.Kind], c.Optional)
		}
	}
}

func same(k Kind, v parquet.Value, want cell) bool {
	if want == nil {
		return v.IsNull()
	}
	if v.IsNull() {
		return false
	}
	switch k {
	case String:
		return string(v.ByteArray()) == want
	case Int64:
		return v.Int64() == want
	case Uint64:
		return v.Uint64() == want
	case Double:
		w := want.(float64)
		return math.Float64bits(v.Double()) == math.Float64bits(w)
	case Bool:
		return v.Boolean() == want
	}
	return false
}

// checkStats compares each column chunk's null count, minimum and maximum
// with the rows of its row group.
func checkStats(t *testing.T, f *parquet.File, rows [][]cell, groupRows int) {
	t.Helper()
	if groupRows <= 0 {
		groupRows = 1 << 16
	}
	md := f.Metadata()
	for g, rg := range md.RowGroups {
		part := rows[g*groupRows : min(len(rows), (g+1)*groupRows)]
		for i, cc := range rg.Columns {
			st := cc.MetaData.Statistics
			var nulls int64
			var lo, hi cell
			for _, row := range part {
				v := row[i]
				if v == nil {
					nulls++
					continue
				}
				if x, ok := v.(float64); ok && math.IsNaN(x) {
					continue
				}
				if lo == nil || less(v, lo) {
					lo = v
				}
				if hi == nil || less(hi, v) {
					hi = v
				}
			}
			name := testCols[i].Name
			if st.NullCount != nulls {
				t.Errorf("group %d column %s: null count %d, want %d", g, name, st.NullCount, nulls)
			}
			if lo == nil {
				if st.MinValue != nil || st.MaxValue != nil {
					t.Errorf("group %d column %s: min/max given with no value", g, name)
				}
				continue
			}
			if got, want := st.MinValue, plain(lo, true); !bytes.Equal(got, want) {
				t.Errorf("group %d column %s: min %x, want %x (%v)", g, name, got, want, lo)
			}
			if got, want := st.MaxValue, plain(hi, false); !bytes.Equal(got, want) {
				t.Errorf("group %d column %s: max %x, want %x (%v)", g, name, got, want, hi)
			}
		}
	}
}

func less(a, b cell) bool {
	switch a := a.(type) {
	case string:
		return a < b.(string)
	case int64:
		return a < b.(int64)
	case uint64:
		return a < b.(uint64)
	case float64:
		return a < b.(float64)
	case bool:
		return !a && b.(bool)
	}
	return false
}

func plain(v cell, isMin bool) []byte {
	switch v := v.(type) {
	case string:
		return []byte(v)
	case int64:
		return binary.LittleEndian.AppendUint64(nil, uint64(v))
	case uint64:
		return binary.LittleEndian.AppendUint64(nil, v)
	case float64:
		if v == 0 && isMin {
			v = math.Copysign(0, -1)
		} else if v == 0 {
			v = 0
		}
		return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))
	case bool:
		if v {
			return []byte{1}
		}
		return []byte{0}
	}
	return nil
}

// TestMisuse: a row that misses a column, gives one twice, a null in a
// required column, a value of the wrong kind or a column out of range is
// an error, not a file that misreads.
func TestMisuse(t *testing.T) {
	cols := []Column{{"a", Int64, false}, {"b", String, true}}
	for name, fill := range map[string]func(w *Writer){
		"missing":       func(w *Writer) { w.Int64(0, 1) },
		"twice":         func(w *Writer) { w.Int64(0, 1); w.Int64(0, 2); w.Null(1) },
		"null required": func(w *Writer) { w.Null(0); w.Null(1) },
		"wrong kind":    func(w *Writer) { w.Double(0, 1); w.Null(1) },
		"out of range":  func(w *Writer) { w.Int64(0, 1); w.Null(1); w.Null(2) },
		"negative":      func(w *Writer) { w.Int64(-1, 1) },
	} {
		var buf bytes.Buffer
		w := NewWriter(&buf, "t", cols, Options{})
		fill(w)
		if err := w.EndRow(); err == nil {
			t.Errorf("%s: no error", name)
		}
		if err := w.Close(); err == nil {
			t.Errorf("%s: Close after a bad row: no error", name)
		}
	}
}

// TestWriteError: a failing underlying writer fails Close.
func TestWriteError(t *testing.T) {
	w := NewWriter(failWriter{}, "t", []Column{{"a", Int64, false}}, Options{})
	w.Int64(0, 1)
	_ = w.EndRow()
	if err := w.Close(); err == nil {
		t.Fatal("no error from a failing writer")
	}
}

type failWriter struct{}

func (failWriter) Write(p []byte) (int, error) { return 0, fmt.Errorf("disk full") }

// TestZeroBounds: a minimum of zero is written as -0 and a maximum of
// zero as +0, so that a reader comparing with either zero keeps the rows
// (the specification's rule for floating-point statistics).
func TestZeroBounds(t *testing.T) {
	for _, tc := range []struct {
		vals   []float64
		lo, hi float64
	}{
		{[]float64{0, 1, 2}, math.Copysign(0, -1), 2},
		{[]float64{-1, math.Copysign(0, -1), math.NaN()}, -1, 0},
	} {
		var buf bytes.Buffer
		w := NewWriter(&buf, "t", []Column{{"x", Double, false}}, Options{})
		for _, v := range tc.vals {
			w.Double(0, v)
			if err := w.EndRow(); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		st := f.Metadata().RowGroups[0].Columns[0].MetaData.Statistics
		lo, hi := math.Float64frombits(binary.LittleEndian.Uint64(st.MinValue)), math.Float64frombits(binary.LittleEndian.Uint64(st.MaxValue))
		if math.Float64bits(lo) != math.Float64bits(tc.lo) || math.Float64bits(hi) != math.Float64bits(tc.hi) {
			t.Errorf("%v: min %v max %v (sign bits %v %v), want %v %v", tc.vals, lo, hi, math.Signbit(lo), math.Signbit(hi), tc.lo, tc.hi)
		}
	}
}

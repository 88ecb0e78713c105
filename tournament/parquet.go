package tournament

import (
	"os"
	"strconv"

	"github.com/parquet-go/parquet-go"

	"github.com/parleyhq/parley"
)

// orderedGroup is a parquet.Group whose fields keep the order of the CSV
// columns (a plain Group sorts them by name), so that "id" comes first.
type orderedGroup struct {
	parquet.Group
	order []string
}

// Fields returns the group's fields in column order.
func (g orderedGroup) Fields() []parquet.Field {
	byName := map[string]parquet.Field{}
	for _, f := range g.Group.Fields() {
		byName[f.Name()] = f
	}
	out := make([]parquet.Field, len(g.order))
	for i, n := range g.order {
		out[i] = byName[n]
	}
	return out
}

// parquetSchema maps the columns to Parquet: strings as UTF-8 byte
// arrays, integers as INT64 (the seed as UINT64), floats as DOUBLE, and
// booleans; optional columns are nullable.
func parquetSchema(cols []column) *parquet.Schema {
	g := parquet.Group{}
	order := make([]string, len(cols))
	for i, c := range cols {
		var n parquet.Node
		switch c.kind {
		case kString:
			n = parquet.String()
		case kInt:
			n = parquet.Int(64)
		case kUint:
			n = parquet.Uint(64)
		case kFloat:
			n = parquet.Leaf(parquet.DoubleType)
		case kBool:
			n = parquet.Leaf(parquet.BooleanType)
		}
		if c.optional {
			n = parquet.Optional(n)
		}
		g[c.name] = n
		order[i] = c.name
	}
	return parquet.NewSchema("results", orderedGroup{Group: g, order: order})
}

// writeParquet converts a results CSV to Parquet (Snappy-compressed, row
// groups of 64k rows), streaming: the CSV is the durable log, the Parquet
// file a derived copy written atomically at the end of a run or merge.
func writeParquet(csvPath, parquetPath string, cols []column) error {
	tmp := parquetPath + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: creating " + tmp, Err: err}
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		if parley.ErrorCode(err) != parley.EINTERNAL {
			return err
		}
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + parquetPath, Err: err}
	}
	w := parquet.NewWriter(f, parquetSchema(cols), parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(1<<16))
	batch := make([]parquet.Row, 0, 1024)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := w.WriteRows(batch)
		batch = batch[:0]
		return err
	}
	err = scanCSV(csvPath, header(cols), func(line int, rec []string) error {
		r := make(parquet.Row, len(cols))
		for i, c := range cols {
			s := rec[i]
			if s == "" && c.optional {
				r[i] = parquet.NullValue().Level(0, 0, i)
				continue
			}
			var v parquet.Value
			switch c.kind {
			case kString:
				v = parquet.ByteArrayValue([]byte(s))
			case kInt:
				x, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return parley.Errorf(parley.EINVALID, "tournament: %s:%d: %s: %v", csvPath, line, c.name, err)
				}
				v = parquet.Int64Value(x)
			case kUint:
				x, err := strconv.ParseUint(s, 10, 64)
				if err != nil {
					return parley.Errorf(parley.EINVALID, "tournament: %s:%d: %s: %v", csvPath, line, c.name, err)
				}
				v = parquet.Int64Value(int64(x))
			case kFloat:
				x, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return parley.Errorf(parley.EINVALID, "tournament: %s:%d: %s: %v", csvPath, line, c.name, err)
				}
				v = parquet.DoubleValue(x)
			case kBool:
				x, err := strconv.ParseBool(s)
				if err != nil {
					return parley.Errorf(parley.EINVALID, "tournament: %s:%d: %s: %v", csvPath, line, c.name, err)
				}
				v = parquet.BooleanValue(x)
			}
			def := 0
			if c.optional {
				def = 1
			}
			r[i] = v.Level(0, def, i)
		}
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, parquetPath); err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + parquetPath, Err: err}
	}
	return nil
}

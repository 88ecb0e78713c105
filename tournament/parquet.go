package tournament

import (
	"bufio"
	"os"
	"strconv"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/parquetfile"
)

// parquetColumns maps the columns to Parquet: strings as UTF-8 byte
// arrays, integers as INT64 (the seed as UINT64), floats as DOUBLE, and
// booleans; optional columns are nullable.
func parquetColumns(cols []column) []parquetfile.Column {
	out := make([]parquetfile.Column, len(cols))
	for i, c := range cols {
		k := parquetfile.String
		switch c.kind {
		case kInt:
			k = parquetfile.Int64
		case kUint:
			k = parquetfile.Uint64
		case kFloat:
			k = parquetfile.Double
		case kBool:
			k = parquetfile.Bool
		}
		out[i] = parquetfile.Column{Name: c.name, Kind: k, Optional: c.optional}
	}
	return out
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
	bw := bufio.NewWriterSize(f, 1<<16)
	w := parquetfile.NewWriter(bw, "results", parquetColumns(cols), parquetfile.Options{RowGroupRows: 1 << 16})
	err = scanCSV(csvPath, header(cols), func(line int, rec []string) error {
		for i, c := range cols {
			s := rec[i]
			if s == "" && c.optional {
				w.Null(i)
				continue
			}
			switch c.kind {
			case kString:
				w.String(i, s)
			case kInt:
				x, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return parley.Errorf(parley.EINVALID, "tournament: %s:%d: %s: %v", csvPath, line, c.name, err)
				}
				w.Int64(i, x)
			case kUint:
				x, err := strconv.ParseUint(s, 10, 64)
				if err != nil {
					return parley.Errorf(parley.EINVALID, "tournament: %s:%d: %s: %v", csvPath, line, c.name, err)
				}
				w.Uint64(i, x)
			case kFloat:
				x, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return parley.Errorf(parley.EINVALID, "tournament: %s:%d: %s: %v", csvPath, line, c.name, err)
				}
				w.Double(i, x)
			case kBool:
				x, err := strconv.ParseBool(s)
				if err != nil {
					return parley.Errorf(parley.EINVALID, "tournament: %s:%d: %s: %v", csvPath, line, c.name, err)
				}
				w.Bool(i, x)
			}
		}
		return w.EndRow()
	})
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = bw.Flush()
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

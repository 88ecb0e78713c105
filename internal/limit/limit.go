// Package limit reads input files with a size limit, so that a hostile or
// mistaken input (/dev/zero, /dev/urandom, a FIFO, a huge file) is refused
// with a clear error instead of growing without bound.
package limit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// DefaultMaxInput is the default limit on one input file: 64 MiB. The
// largest Genius or GeniusWeb file in the ANAC corpus is 25 kB, and a
// scenario file is capped at a million YAML nodes anyway; transcripts of
// long runs can be larger, hence the override ('--max-input-size').
const DefaultMaxInput = 64 << 20

// Errors wrapped by the errors of inputs refused.
var (
	ErrTooLarge = errors.New("larger than the input size limit")
	ErrNotText  = errors.New("not a text file")
)

// TooLarge returns the error for an input of the given name over max
// bytes: code parley.ELIMIT, wrapping ErrTooLarge.
func TooLarge(name string, max int64) error {
	return &parley.Error{Code: parley.ELIMIT, Message: name, Err: fmt.Errorf("%w of %s", ErrTooLarge, Size(max))}
}

// ReadFile reads the text file at path, refusing one of more than max
// bytes (max <= 0: DefaultMaxInput) without reading more than max+1 bytes
// of it, and refusing binary data at its first NUL byte (no text format
// parley reads has one, except a UTF-16 file, which starts with its
// byte-order mark): /dev/zero and /dev/urandom fail at once. Errors are
// *parley.Error values naming path: ENOTFOUND for a missing file,
// EINVALID for a folder, binary data or an unreadable file, ELIMIT
// (wrapping ErrTooLarge) for one over the limit.
func ReadFile(path string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxInput
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &parley.Error{Code: parley.EINVALID, Message: "cannot read " + path, Err: err}
	}
	if fi.IsDir() {
		return nil, parley.Errorf(parley.EINVALID, "%s is a folder, not a file", path)
	}
	if fi.Mode().IsRegular() && fi.Size() > max {
		return nil, TooLarge(path, max)
	}
	var buf []byte
	if fi.Mode().IsRegular() {
		buf = make([]byte, 0, fi.Size()+1) // within max: checked above
	}
	// Reads go into buf's free room, at most 64 KiB at a time: one huge
	// read from a device is slow, and the text check sees every chunk as
	// it comes. (No separate chunk buffer: a file of a few kilobytes costs
	// a few kilobytes.)
	var t text
	const chunk = 64 << 10
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, chunk)
		}
		n := min(int64(cap(buf)-len(buf)), chunk, max+1-int64(len(buf)))
		k, err := f.Read(buf[len(buf) : len(buf)+int(n)])
		if k > 0 {
			if err := t.check(path, int64(len(buf)), buf[len(buf):len(buf)+k]); err != nil {
				return nil, err
			}
			buf = buf[:len(buf)+k]
		}
		if int64(len(buf)) > max { // a device, a FIFO, or a file that grew
			return nil, TooLarge(path, max)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, &parley.Error{Code: parley.EINVALID, Message: "cannot read " + path, Err: err}
		}
	}
}

// text checks that a stream is text: no NUL byte, unless it starts with
// a UTF-16 byte-order mark.
type text struct {
	started, utf16 bool
}

func (t *text) check(name string, off int64, b []byte) error {
	if !t.started && len(b) > 0 {
		t.started = true
		t.utf16 = len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF)
	}
	if t.utf16 {
		return nil
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return &parley.Error{Code: parley.EINVALID, Message: name, Err: fmt.Errorf("%w: a NUL byte at offset %d (binary data, such as an archive, an image or /dev/zero)", ErrNotText, off+int64(i))}
	}
	return nil
}

func openError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &parley.Error{Code: parley.ENOTFOUND, Message: "no such file: " + path}
	case errors.Is(err, fs.ErrPermission):
		return &parley.Error{Code: parley.EINVALID, Message: "cannot read " + path + ": permission denied"}
	}
	return &parley.Error{Code: parley.EINVALID, Message: "cannot read " + path, Err: err}
}

// Reader returns a reader of r that fails with TooLarge(name, max) once
// more than max bytes (max <= 0: DefaultMaxInput) have been read, and at
// the first NUL byte like ReadFile, for text read as a stream
// (transcripts).
func Reader(r io.Reader, name string, max int64) io.Reader {
	if max <= 0 {
		max = DefaultMaxInput
	}
	return &reader{r: r, name: name, left: max, max: max}
}

type reader struct {
	r         io.Reader
	name      string
	left, max int64
	text      text
	err       error
}

func (l *reader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if terr := l.text.check(l.name, l.max-l.left, p[:n]); terr != nil {
		l.err = terr
		return 0, terr
	}
	l.left -= int64(n)
	if l.left < 0 {
		l.err = TooLarge(l.name, l.max)
		return n + int(l.left), l.err
	}
	return n, err
}

// Size writes a byte count the way --max-input-size takes it: "64 MiB",
// "1.5 GiB", "512 bytes".
func Size(n int64) string {
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	if n < 1024 {
		return fmt.Sprintf("%d bytes", n)
	}
	v, u := float64(n)/1024, 0
	for v >= 1024 && u < len(units)-1 {
		v, u = v/1024, u+1
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s", int64(v), units[u])
	}
	return fmt.Sprintf("%.1f %s", v, units[u])
}

// ParseSize reads a byte count: a whole number of bytes, or a number with
// a unit: KiB, MiB, GiB, TiB (powers of 1024; K, M, G, T and KB, MB, GB, TB
// are taken as powers of 1000), case-insensitive, a space allowed before
// the unit. It must be at least 1 byte and at most 2^62.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	mult := map[string]float64{"": 1, "b": 1, "bytes": 1,
		"k": 1e3, "kb": 1e3, "kib": 1 << 10, "m": 1e6, "mb": 1e6, "mib": 1 << 20,
		"g": 1e9, "gb": 1e9, "gib": 1 << 30, "t": 1e12, "tb": 1e12, "tib": 1 << 40}[unit]
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 {
		return 0, fmt.Errorf("%q is not a size: expected a number of bytes, or a number with a unit such as 64MiB or 1GiB", s)
	}
	n := v * mult
	if n < 1 || n > 1<<62 || math.IsNaN(n) {
		return 0, fmt.Errorf("%q is out of range: expected at least 1 byte", s)
	}
	return int64(n), nil
}

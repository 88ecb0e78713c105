package limit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(small, 10); err != nil || string(b) != "0123456789" {
		t.Errorf("at the limit: %q, %v", b, err)
	}
	if _, err := ReadFile(small, 9); !errors.Is(err, ErrTooLarge) || parley.ErrorCode(err) != parley.ELIMIT || !strings.Contains(err.Error(), small+": larger than the input size limit of 9 bytes") {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), 0); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("missing: %v", err)
	}
	if _, err := ReadFile(dir, 0); parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("folder: %v", err)
	}
	// An endless text stream is cut at the limit, not read to the end.
	if _, err := os.Stat("/dev/zero"); err == nil {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			line := []byte(strings.Repeat("y", 1023) + "\n")
			for {
				if _, err := w.Write(line); err != nil {
					return
				}
			}
		}()
		defer r.Close()
		defer w.Close()
		if _, err := ReadFile(fmt.Sprintf("/dev/fd/%d", r.Fd()), 1<<20); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "limit of 1 MiB") {
			t.Errorf("endless pipe: %v", err)
		}
	}
}

func TestReader(t *testing.T) {
	b, err := io.ReadAll(Reader(strings.NewReader("abcdef"), "x", 6))
	if err != nil || string(b) != "abcdef" {
		t.Errorf("at the limit: %q %v", b, err)
	}
	b, err = io.ReadAll(Reader(strings.NewReader("abcdefg"), "x", 6))
	if !errors.Is(err, ErrTooLarge) || len(b) > 6 {
		t.Errorf("over the limit: %q %v", b, err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{512: "512 bytes", 1024: "1 KiB", 64 << 20: "64 MiB", 3 << 29: "1.5 GiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for s, want := range map[string]int64{"100": 100, "64MiB": 64 << 20, "64 mib": 64 << 20, "1.5GiB": 3 << 29, "2k": 2000, "1GB": 1e9, "7b": 7} {
		if got, err := ParseSize(s); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0", "-1", "abc", "12XB", "1e400", "0.1", "NaN", "99999999999TiB"} {
		if _, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q): no error", s)
		}
	}
}

func TestBinary(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.WriteFile(bin, []byte("id: x\n\x00\x01"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(bin, 0); parley.ErrorCode(err) != parley.EINVALID || !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), "not a text file: a NUL byte at offset 6") {
		t.Errorf("binary: %v", err)
	}
	u16 := filepath.Join(dir, "u16")
	if err := os.WriteFile(u16, []byte("\xff\xfei\x00d\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(u16, 0); err != nil {
		t.Errorf("UTF-16 with its byte-order mark: %v", err)
	}
	if _, err := io.ReadAll(Reader(strings.NewReader("{}\n\x00"), "t", 0)); err == nil || !strings.Contains(err.Error(), "offset 3") {
		t.Errorf("binary stream: %v", err)
	}
	for _, dev := range []string{"/dev/zero", "/dev/urandom"} {
		if _, err := os.Stat(dev); err == nil {
			if _, err := ReadFile(dev, 0); parley.ErrorCode(err) != parley.EINVALID {
				t.Errorf("%s: %v", dev, err)
			}
		}
	}
}

// A text file of several 64 KiB reads comes back whole, and a NUL byte
// deep inside one is found at its offset.
func TestReadFileLarge(t *testing.T) {
	dir := t.TempDir()
	text := []byte(strings.Repeat("abcdefghi\n", 20000)) // 200,000 bytes
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, text, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(big, 0); err != nil || !bytes.Equal(b, text) {
		t.Errorf("200,000 bytes: read %d, %v", len(b), err)
	}
	text[150001] = 0
	if err := os.WriteFile(big, text, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(big, 0); !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), "offset 150001") {
		t.Errorf("a NUL at 150001: %v", err)
	}
}

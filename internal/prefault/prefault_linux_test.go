//go:build linux && (amd64 || arm64)

package prefault

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// mapping is one line of /proc/self/smaps with its resident size.
type mapping struct {
	start, end uintptr
	rss        uintptr // bytes resident
	anon       uintptr // bytes resident and private to the process (written)
	name       string
}

func smaps(t *testing.T) []mapping {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	var ms []mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok && !strings.HasSuffix(fields[0], ":") {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				m := mapping{start: uintptr(a), end: uintptr(b)}
				if len(fields) >= 6 {
					m.name = fields[5]
				}
				ms = append(ms, m)
				continue
			}
		}
		if len(ms) > 0 && len(fields) >= 2 {
			kb, _ := strconv.ParseUint(fields[1], 10, 64)
			switch fields[0] {
			case "Rss:":
				ms[len(ms)-1].rss = uintptr(kb) << 10
			case "Anonymous:":
				ms[len(ms)-1].anon = uintptr(kb) << 10
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestPopulated checks that every region init asked for is resident:
// the mapping holding it has at least the region's size in memory. The
// test binary touches only part of its code, data and heap on its own, so
// the check fails when a region is not mapped in.
func TestPopulated(t *testing.T) {
	rs := Report()
	names := []string{"text", "rodata", "data", "noptrdata-head", "noptrdata", "bss", "heap"}
	if len(rs) != len(names) {
		t.Fatalf("report has %d regions, want %d: %+v", len(rs), len(names), rs)
	}
	ms := smaps(t)
	for i, r := range rs {
		if r.Name != names[i] {
			t.Errorf("region %d is %q, want %q", i, r.Name, names[i])
		}
		if r.Errno == 22 { // EINVAL: a kernel before 5.14 has no MADV_POPULATE_*
			t.Skipf("%s: madvise MADV_POPULATE_* not supported by this kernel (EINVAL)", r.Name)
		}
		if r.Errno != 0 {
			t.Errorf("%s: madvise failed with errno %d", r.Name, r.Errno)
			continue
		}
		if r.End <= r.Start {
			// The rest of .noptrdata is empty when the head is all of
			// it (a small binary, such as this test's); TestDataSplit
			// checks the head and the rest tile it.
			if r.Name != "noptrdata" || r.End != r.Start {
				t.Errorf("%s: empty region %#x-%#x", r.Name, r.Start, r.End)
			}
			continue
		}
		resident(t, ms, r)
	}
}

// resident checks that the pages of r are counted in the resident sizes
// of the mappings that overlap it and, for a region mapped for writing,
// in their anonymous (private, written) sizes: mapped for reading, an
// untouched page of zeroed memory is the shared zero page, which a first
// write still faults.
func resident(t *testing.T, ms []mapping, r Range) {
	t.Helper()
	start, end := r.Start&^(pageSize-1), (r.End+pageSize-1)&^(pageSize-1)
	var rss, anon, covered uintptr
	for _, m := range ms {
		if m.end <= start || m.start >= end {
			continue
		}
		covered += min(m.end, end) - max(m.start, start)
		rss += m.rss
		anon += m.anon
	}
	if covered != end-start {
		t.Errorf("%s: %#x-%#x: only %d of %d bytes inside mappings", r.Name, start, end, covered, end-start)
	}
	if rss < end-start {
		t.Errorf("%s: %#x-%#x (%d KB): mappings holding it have only %d KB resident", r.Name, start, end, (end-start)>>10, rss>>10)
	}
	if r.Write && anon < end-start {
		t.Errorf("%s: %#x-%#x (%d KB): mappings holding it have only %d KB written", r.Name, start, end, (end-start)>>10, anon>>10)
	}
}

// TestHeapRegion checks the heap region is the rest of the first object's
// 4-MB chunk, at most HeapBytes, starting at the object's page.
func TestHeapRegion(t *testing.T) {
	for _, r := range Report() {
		if r.Name != "heap" {
			continue
		}
		if r.End-r.Start > HeapBytes {
			t.Errorf("heap region %d bytes, more than HeapBytes", r.End-r.Start)
		}
		if r.Start/chunkBytes != (r.End-1)/chunkBytes {
			t.Errorf("heap region %#x-%#x crosses a 4-MB chunk", r.Start, r.End)
		}
		return
	}
	t.Fatal("no heap region in the report")
}

// TestDataSplit checks the initialised data is asked for whole and once:
// the head of .noptrdata (at most HeadBytes) for writing, its rest for
// reading, then .data for writing, each region starting where the one
// before it ends.
func TestDataSplit(t *testing.T) {
	byName := map[string]Range{}
	for _, r := range Report() {
		byName[r.Name] = r
	}
	head, rest, data := byName["noptrdata-head"], byName["noptrdata"], byName["data"]
	if !head.Write || rest.Write || !data.Write {
		t.Errorf("write flags: head %v, rest %v, data %v; want true, false, true", head.Write, rest.Write, data.Write)
	}
	if head.End-head.Start > HeadBytes || head.End <= head.Start {
		t.Errorf("noptrdata head is %d bytes, want 1..%d", head.End-head.Start, HeadBytes)
	}
	if head.End != rest.Start || rest.End != data.Start {
		t.Errorf("regions do not tile the data: head %#x-%#x, rest %#x-%#x, data %#x-%#x",
			head.Start, head.End, rest.Start, rest.End, data.Start, data.End)
	}
	if data.End <= data.Start {
		t.Errorf("empty .data region %#x-%#x", data.Start, data.End)
	}
}

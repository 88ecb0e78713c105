//go:build linux && (amd64 || arm64)

package prefault

import "unsafe"

const (
	pageSize    = 4096
	chunkBytes  = 4 << 20 // the Go heap grows in chunks of 4 MB (pallocChunkBytes)
	madvPopRead = 22      // MADV_POPULATE_READ
	madvPopWrit = 23      // MADV_POPULATE_WRITE
)

// ZeroBytes bounds what is mapped of the zeroed data (.bss, .noptrbss):
// the linker lays each section out smallest symbol first, and the last
// ones can be large buffers nobody may touch (crypto's 32-MB DRBG memory).
const ZeroBytes = 512 << 10

// sections returns the linker's bounds of the program's sections.
func sections() (text, etext, rodata, erodata, data, edata, bss, enoptrbss uintptr)

// madvise is the raw system call; it returns the error number (0: none).
func madvise(addr, n, advice uintptr) (errno uintptr)

// anchor is the first heap object: where the heap stands at start.
var anchor *[16]byte

func populate() []Range {
	text, etext, rodata, erodata, data, edata, bss, enoptrbss := sections()
	anchor = new([16]byte)
	heap := uintptr(unsafe.Pointer(anchor)) &^ (pageSize - 1)
	heapEnd := min((heap+chunkBytes)&^(chunkBytes-1), heap+HeapBytes)
	rs := []Range{
		{Name: "text", Start: text, End: etext},
		{Name: "rodata", Start: rodata, End: erodata},
		{Name: "data", Start: data, End: edata, Write: true},
		{Name: "bss", Start: bss, End: min(enoptrbss, bss+ZeroBytes), Write: true},
		{Name: "heap", Start: heap, End: heapEnd, Write: true},
	}
	for i := range rs {
		r := &rs[i]
		start, end := r.Start&^(pageSize-1), (r.End+pageSize-1)&^(pageSize-1)
		advice := uintptr(madvPopRead)
		if r.Write {
			advice = madvPopWrit
		}
		if end > start {
			r.Errno = madvise(start, end-start, advice)
		}
	}
	return rs
}

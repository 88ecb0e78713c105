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

// HeadBytes is how much of the start of .noptrdata is mapped for writing;
// the rest is mapped for reading. The linker lays it out smallest symbol
// first too: the variables and small tables packages set at init come
// first (sqlite's function tables, up to 8 KB each, which its init fills
// in, end some 280 KB in), and the big tables they only read (Unicode,
// text) fill the rest. With 64 KB, sqlite's init took 0.55 ms instead of
// 0.16, copying its pages one fault at a time.
const HeadBytes = 320 << 10

// sections returns the linker's bounds of the program's sections: data is
// where the initialised data starts (.noptrdata, the data without
// pointers), ptrdata where .data (the data with pointers) starts.
func sections() (text, etext, rodata, erodata, data, ptrdata, edata, bss, enoptrbss uintptr)

// madvise is the raw system call; it returns the error number (0: none).
func madvise(addr, n, advice uintptr) (errno uintptr)

// anchor is the first heap object: where the heap stands at start.
var anchor *[16]byte

func populate() []Range {
	text, etext, rodata, erodata, data, ptrdata, edata, bss, enoptrbss := sections()
	head := min(ptrdata, data+HeadBytes)
	anchor = new([16]byte)
	heap := uintptr(unsafe.Pointer(anchor)) &^ (pageSize - 1)
	heapEnd := min((heap+chunkBytes)&^(chunkBytes-1), heap+HeapBytes)
	rs := []Range{
		{Name: "text", Start: text, End: etext},
		{Name: "rodata", Start: rodata, End: erodata},
		// A page of initialised data mapped for writing is a private copy
		// of the file's page: a page copied and, where an early read has
		// mapped the shared page already, a TLB flush (a hypercall on a
		// virtual machine): 7-40 µs of CPU a page here. Only the data a
		// short command writes is mapped so (.data: about half its pages
		// are written; the head of .noptrdata); the rest of .noptrdata,
		// read far more than written, is mapped shared for reading.
		{Name: "data", Start: ptrdata, End: edata, Write: true},
		{Name: "noptrdata-head", Start: data, End: head, Write: true},
		{Name: "noptrdata", Start: head, End: ptrdata},
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

// Package prefault maps the pages a parley process is about to touch in a
// few system calls when it starts, instead of one page fault at a time.
//
// A short command (one simulate, an analyze, a validate) touches some 650
// pages before it answers: the code and read-only data of the packages it
// initialises, the data it writes, and the first megabytes of the Go heap.
// Each first touch is a page fault, and on the virtual machines parley
// runs on (CI, the cloud) a fault costs 15–30 µs: 10 ms of a 23-ms run.
// madvise(MADV_POPULATE_READ/WRITE) (Linux 5.14) maps a whole range in one
// call for about 0.2 µs a page, so the package asks for
//
//   - the text and the read-only data (code, types, strings), read: they
//     are the executable's own pages in the page cache, shared and clean
//     (not the 8-MB pclntab, read a page here and there: mapping it all
//     costs more than its faults);
//   - the initialised data with pointers (.data) and the first 320 KB of
//     the one without (.noptrdata), which hold the variables and small
//     tables packages set as they start, write; the rest of .noptrdata,
//     big tables only read, read (mapped for writing, each page is a
//     private copy and often a TLB flush: the whole of .noptrdata, 166
//     pages of which a short command writes some 30, took 1.24 ms of CPU,
//     its first 320 KB 0.90 and the rest, read, 0.07);
//   - the small zeroed data (.bss), write;
//   - the rest of the heap's first 4-MB chunk after the first object
//     allocated, up to HeapBytes, write.
//
// The cost: the process's resident size counts the mapped text (about 14
// MB of a 33-MB binary, page cache shared with every other parley process)
// and up to 4.5 MB of private memory written at start; a server holding a
// thousand sessions does not notice either.
//
// It is imported by cmd/parley for its side effect and, having no imports
// of its own, is initialised right after the runtime, before the packages
// whose pages it maps. On other systems, on older kernels (EINVAL) or when
// a call fails it does nothing more: every page is then faulted in as
// before. Report says what was done.
package prefault

// HeapBytes bounds how much of the heap is mapped at start: the rest of the
// first 4-MB chunk (the heap starts at a random offset in it), which is
// most or all of a short command's heap (simulate on a Genius domain uses
// about 2 MB).
const HeapBytes = 4 << 20

// Range is one region asked for and the outcome.
type Range struct {
	Name       string
	Start, End uintptr
	Write      bool
	Errno      uintptr // 0: mapped
}

// report holds what init did, for Report.
var report []Range

// Report returns the regions init asked the kernel to map, in order, with
// each call's error number (0: done). It is empty where the package does
// nothing (systems other than Linux on amd64 and arm64).
func Report() []Range { return append([]Range(nil), report...) }

func init() { report = populate() }

#include "textflag.h"

// func sections() (text, etext, rodata, erodata, data, ptrdata, edata, bss, enoptrbss uintptr)
TEXT ·sections(SB), NOSPLIT, $0-72
	MOVQ $runtime·text(SB), AX
	MOVQ AX, text+0(FP)
	MOVQ $runtime·etext(SB), AX
	MOVQ AX, etext+8(FP)
	MOVQ $runtime·rodata(SB), AX
	MOVQ AX, rodata+16(FP)
	MOVQ $runtime·erodata(SB), AX
	MOVQ AX, erodata+24(FP)
	MOVQ $runtime·noptrdata(SB), AX
	MOVQ AX, data+32(FP)
	MOVQ $runtime·data(SB), AX
	MOVQ AX, ptrdata+40(FP)
	MOVQ $runtime·edata(SB), AX
	MOVQ AX, edata+48(FP)
	MOVQ $runtime·bss(SB), AX
	MOVQ AX, bss+56(FP)
	MOVQ $runtime·enoptrbss(SB), AX
	MOVQ AX, enoptrbss+64(FP)
	RET

// func madvise(addr, n, advice uintptr) (errno uintptr)
TEXT ·madvise(SB), NOSPLIT, $0-32
	MOVQ addr+0(FP), DI
	MOVQ n+8(FP), SI
	MOVQ advice+16(FP), DX
	MOVQ $28, AX // SYS_madvise
	SYSCALL
	NEGQ AX // -errno on failure, 0 on success
	MOVQ AX, errno+24(FP)
	RET

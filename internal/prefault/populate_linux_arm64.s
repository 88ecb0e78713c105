#include "textflag.h"

// func sections() (text, etext, rodata, erodata, data, ptrdata, edata, bss, enoptrbss uintptr)
TEXT ·sections(SB), NOSPLIT, $0-72
	MOVD $runtime·text(SB), R0
	MOVD R0, text+0(FP)
	MOVD $runtime·etext(SB), R0
	MOVD R0, etext+8(FP)
	MOVD $runtime·rodata(SB), R0
	MOVD R0, rodata+16(FP)
	MOVD $runtime·erodata(SB), R0
	MOVD R0, erodata+24(FP)
	MOVD $runtime·noptrdata(SB), R0
	MOVD R0, data+32(FP)
	MOVD $runtime·data(SB), R0
	MOVD R0, ptrdata+40(FP)
	MOVD $runtime·edata(SB), R0
	MOVD R0, edata+48(FP)
	MOVD $runtime·bss(SB), R0
	MOVD R0, bss+56(FP)
	MOVD $runtime·enoptrbss(SB), R0
	MOVD R0, enoptrbss+64(FP)
	RET

// func madvise(addr, n, advice uintptr) (errno uintptr)
TEXT ·madvise(SB), NOSPLIT, $0-32
	MOVD addr+0(FP), R0
	MOVD n+8(FP), R1
	MOVD advice+16(FP), R2
	MOVD $233, R8 // SYS_madvise
	SVC
	NEG R0, R0 // -errno on failure, 0 on success
	MOVD R0, errno+24(FP)
	RET

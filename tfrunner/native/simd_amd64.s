//go:build !purego

#include "textflag.h"

// Element-wise AVX2 kernels. Lengths are multiples of 8; the Go wrappers in
// simd_amd64.go handle the tails with the same float32 operations.


// func addToAVX2(dst, src *float32, n int)
TEXT ·addToAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JEQ addDone
addLoop:
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNE     addLoop
addDone:
	VZEROUPPER
	RET

// func reluMaskAVX2(gr, y *float32, n int)
TEXT ·reluMaskAVX2(SB), NOSPLIT, $0-24
	MOVQ   gr+0(FP), DI
	MOVQ   y+8(FP), SI
	MOVQ   n+16(FP), CX
	SHRQ   $3, CX
	JEQ    maskDone
	VXORPS Y15, Y15, Y15
maskLoop:
	VMOVUPS (SI), Y0
	VCMPPS  $0x1e, Y15, Y0, Y0 // y > 0
	VANDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNE     maskLoop
maskDone:
	VZEROUPPER
	RET

// func adamAVX2(w, gr, m, v *float32, n int, s *adamStep)
//
// Runs with flush-to-zero and denormals-are-zero (see asm_gen.go).
TEXT ·adamAVX2(SB), NOSPLIT, $8-48
	VSTMXCSR     mxcsr-4(SP)
	MOVL         mxcsr-4(SP), AX
	ORL          $0x8040, AX
	MOVL         AX, ftz-8(SP)
	VLDMXCSR     ftz-8(SP)
	MOVQ         w+0(FP), DI
	MOVQ         gr+8(FP), SI
	MOVQ         m+16(FP), R8
	MOVQ         v+24(FP), R9
	MOVQ         n+32(FP), CX
	MOVQ         s+40(FP), AX
	VBROADCASTSS 0(AX), Y12 // alpha
	VBROADCASTSS 4(AX), Y13 // 1-β1
	VBROADCASTSS 8(AX), Y14 // 1-β2
	VBROADCASTSS 12(AX), Y15 // ε
	SHRQ         $3, CX
	JEQ          adamDone
adamLoop:
	VMOVUPS (SI), Y0
	VMOVUPS (R8), Y1
	VSUBPS  Y1, Y0, Y2  // g - m
	VMULPS  Y13, Y2, Y2 // ·(1-β1)
	VADDPS  Y2, Y1, Y1  // m + ·
	VMOVUPS Y1, (R8)
	VMULPS  Y0, Y0, Y3  // g²
	VMOVUPS (R9), Y4
	VSUBPS  Y4, Y3, Y3  // g² - v
	VMULPS  Y14, Y3, Y3 // ·(1-β2)
	VADDPS  Y3, Y4, Y4  // v + ·
	VMOVUPS Y4, (R9)
	VSQRTPS Y4, Y4
	VADDPS  Y15, Y4, Y4 // sqrt(v) + ε
	VMULPS  Y12, Y1, Y1 // m·alpha
	VDIVPS  Y4, Y1, Y1  // (m·alpha) / (sqrt(v) + ε)
	VMOVUPS (DI), Y5
	VSUBPS  Y1, Y5, Y5
	VMOVUPS Y5, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	DECQ    CX
	JNE     adamLoop
adamDone:
	VLDMXCSR mxcsr-4(SP)
	VZEROUPPER
	RET

// func transposeAVX2(dst *float32, ldd int, src *float32, lds int, rows, cols int)
//
// dst[c*ldd+r] = src[r*lds+c] for r < rows, c < cols, both multiples of 8,
// by 8×8 blocks.
TEXT ·transposeAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), R10
	MOVQ cols+40(FP), R11
	SHRQ $3, R10
	SHRQ $3, R11
	TESTQ R10, R10
	JEQ  trDone
	TESTQ R11, R11
	JEQ  trDone
	LEAQ (R9)(R9*2), R12 // 3*lds
	LEAQ (R8)(R8*2), R13 // 3*ldd
trRow:
	MOVQ R11, CX
	MOVQ SI, AX // src block
	MOVQ DI, BX // dst block
trBlock:
	LEAQ    (AX)(R9*4), DX
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(R9*1), Y1
	VMOVUPS (AX)(R9*2), Y2
	VMOVUPS (AX)(R12*1), Y3
	VMOVUPS (DX), Y4
	VMOVUPS (DX)(R9*1), Y5
	VMOVUPS (DX)(R9*2), Y6
	VMOVUPS (DX)(R12*1), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	LEAQ    (BX)(R8*4), DX
	VMOVUPS Y8, (BX)
	VMOVUPS Y9, (BX)(R8*1)
	VMOVUPS Y10, (BX)(R8*2)
	VMOVUPS Y11, (BX)(R13*1)
	VMOVUPS Y12, (DX)
	VMOVUPS Y13, (DX)(R8*1)
	VMOVUPS Y14, (DX)(R8*2)
	VMOVUPS Y15, (DX)(R13*1)
	ADDQ    $32, AX          // next 8 source columns
	LEAQ    (BX)(R8*8), BX   // next 8 destination rows
	DECQ    CX
	JNE     trBlock
	LEAQ    (SI)(R9*8), SI   // next 8 source rows
	ADDQ    $32, DI          // next 8 destination columns
	DECQ    R10
	JNE     trRow
trDone:
	VZEROUPPER
	RET

// func copyRowsAVX2(dst *float32, dstStride int, src *float32, srcStride, rows, n int)
//
// dst[r*dstStride+j] = src[r*srcStride+j] for r < rows, j < n (a multiple
// of 8).
TEXT ·copyRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ dstStride+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ srcStride+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), R10
	MOVQ n+40(FP), R11
	SHRQ $3, R11
	TESTQ R10, R10
	JEQ  crDone
	TESTQ R11, R11
	JEQ  crDone
crRow:
	XORQ AX, AX
	MOVQ R11, CX
crVec:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    CX
	JNE     crVec
	ADDQ    R8, DI
	ADDQ    R9, SI
	DECQ    R10
	JNE     crRow
crDone:
	VZEROUPPER
	RET

// func addRowsAVX2(dst *float32, dstStride int, src *float32, srcStride, rows, n int)
//
// dst[r*dstStride+j] += src[r*srcStride+j] for r < rows in order (rows of
// dst may overlap), j < n (a multiple of 8).
TEXT ·addRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ dstStride+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ srcStride+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), R10
	MOVQ n+40(FP), R11
	SHRQ $3, R11
	TESTQ R10, R10
	JEQ  arDone
	TESTQ R11, R11
	JEQ  arDone
arRow:
	XORQ AX, AX
	MOVQ R11, CX
arVec:
	VMOVUPS (DI)(AX*1), Y0
	VADDPS  (SI)(AX*1), Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    CX
	JNE     arVec
	ADDQ    R8, DI
	ADDQ    R9, SI
	DECQ    R10
	JNE     arRow
arDone:
	VZEROUPPER
	RET

//go:build !purego

package native

import "golang.org/x/sys/cpu"

//go:generate go run asm_gen.go

// panelAVX2 is the AVX2+FMA kernel: 6×16 register tiles (4×16 with masked
// loads and stores for panels narrower than 16 columns). Strides are in
// elements.
//
//go:noescape
func panelAVX2(m, k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, bias *float32, nr, flags int)

// panelAVX512 is the AVX-512 kernel: 8×32 register tiles, masked loads
// and stores for panels narrower than 32 columns.
//
//go:noescape
func panelAVX512(m, k int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, bias *float32, nr, flags int)

func panelAVX512Slices(m, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, bias []float32, nr, flags int) {
	panelAVX512(m, k, first(a), ars, acs, first(b), ldb, first(c), ldc, first(bias), nr, flags)
}

func panelAVX2Slices(m, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, bias []float32, nr, flags int) {
	panelAVX2(m, k, first(a), ars, acs, first(b), ldb, first(c), ldc, first(bias), nr, flags)
}

// first returns a pointer to s[0], or nil for an empty slice.
func first(s []float32) *float32 {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// kernels lists the kernels this CPU can run, fastest first.
func availableKernels() []gemmKernel {
	var ks []gemmKernel
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, gemmKernel{name: "avx512", panel: panelAVX512Slices, width: 32, fma: true, simd: true})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, gemmKernel{name: "avx2", panel: panelAVX2Slices, width: 16, fma: true, simd: true})
	}
	return append(ks, gemmKernel{name: "go", panel: panelGo, width: panelWidth})
}

package native

import (
	"fmt"
	"os"
	"strings"
)

// GEMM flags. Without gemmAcc or gemmBias the accumulators start at zero.
const (
	gemmAcc  = 1 << iota // accumulators start from C: C += A·B
	gemmBias             // accumulators start from the bias row: C = bias + A·B
	gemmReLU             // max(0, ·) is applied before storing
)

// panelWidth is the number of columns of C one kernel call computes.
const panelWidth = 16

// panelFunc computes one column panel of C: rows [0, m) and columns [0, nr)
// with nr ≤ the kernel's panel width. Element (i, p) of A is
// a[i*ars+p*acs] (strides in elements), B is row-major with row stride ldb,
// C with row stride ldc, and bias holds nr values when gemmBias is set.
//
// Every implementation computes each element of C as one chain of
// multiply-adds in increasing p, starting from 0, C or the bias, so the
// result of an element does not depend on its position in a tile or on how
// the rows of a GEMM are split between calls or threads.
type panelFunc func(m, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, bias []float32, nr, flags int)

// kernel is the GEMM implementation in use: the fastest one the CPU supports
// (see gemm_amd64.go), or the pure-Go one.
var kernel = gemmKernel{name: "go", panel: panelGo, width: panelWidth}

// gemmKernel is one GEMM implementation.
type gemmKernel struct {
	name  string
	panel panelFunc
	width int  // columns per panel
	fma   bool // the kernel rounds a*b+c once (fused multiply-add)
	simd  bool // the element-wise AVX2 kernels of simd_amd64.s go with it
}

// gemm computes C = A·B (see the flags) for an m×k matrix A given by
// strides, a k×n row-major B and an m×n row-major C. It panics if a slice is
// too short: shapes are internal invariants, not user input, and the
// assembly kernels must never read or write out of bounds.
func gemm(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, bias []float32, flags int) {
	if m <= 0 || n <= 0 {
		return
	}
	checkGEMM(m, n, k, a, ars, acs, b, ldb, c, ldc, bias, flags)
	if kb := kBlock(kernel.width); k > 2*kb && m > kernel.width/2 {
		// Blocks of kb terms: a kb×width block of B stays in L1 while the
		// row tiles use it. Each element resumes from its float32 partial
		// sum in C, so the chain of multiply-adds is exactly the same.
		for p := 0; p < k; p += kb {
			f := gemmAcc
			if p == 0 {
				f = flags &^ gemmReLU
			}
			if p+kb >= k {
				f |= flags & gemmReLU
			}
			panels(m, n, min(kb, k-p), a[p*acs:], ars, acs, b[p*ldb:], ldb, c, ldc, bias, f)
		}
		return
	}
	panels(m, n, k, a, ars, acs, b, ldb, c, ldc, bias, flags)
}

// kBlock is the number of terms per block of a long GEMM: 32 KB of B.
func kBlock(width int) int { return 8192 / width }

// panels runs the kernel on every column panel. With several panels and
// more of A than fits in L1 it goes by blocks of rows, all panels of a
// block in turn, so the block's 32 KB of A stay in L1.
func panels(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, bias []float32, flags int) {
	w := kernel.width
	if rb := max(24, 8192/max(k, 1)/24*24); n > w && m*k > 8192 && m > rb {
		for r := 0; r < m; r += rb {
			panels(min(rb, m-r), n, k, a[r*ars:], ars, acs, b, ldb, c[r*ldc:], ldc, bias, flags)
		}
		return
	}
	for j := 0; j < n; j += w {
		nr := min(w, n-j)
		var bj []float32
		if k > 0 {
			bj = b[j:]
		}
		var bb []float32
		if flags&gemmBias != 0 {
			bb = bias[j : j+nr]
		}
		kernel.panel(m, k, a, ars, acs, bj, ldb, c[j:], ldc, bb, nr, flags)
	}
}

// checkGEMM panics unless every element the GEMM touches is in its slice.
func checkGEMM(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, bias []float32, flags int) {
	if k < 0 || ars < 0 || acs < 0 || ldb < n || ldc < n {
		panic(fmt.Sprintf("native: bad gemm m=%d n=%d k=%d ars=%d acs=%d ldb=%d ldc=%d", m, n, k, ars, acs, ldb, ldc))
	}
	if k > 0 && ((m-1)*ars+(k-1)*acs >= len(a) || (k-1)*ldb+n > len(b)) {
		panic(fmt.Sprintf("native: gemm operand too short: m=%d n=%d k=%d len(a)=%d len(b)=%d", m, n, k, len(a), len(b)))
	}
	if (m-1)*ldc+n > len(c) || (flags&gemmBias != 0 && len(bias) < n) {
		panic(fmt.Sprintf("native: gemm result too short: m=%d n=%d len(c)=%d len(bias)=%d", m, n, len(c), len(bias)))
	}
}

// panelGo is the pure-Go kernel. The explicit float32 conversion of each
// product forbids the compiler from fusing the multiply-add, so the result
// is the same on every architecture and at every call site.
func panelGo(m, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, bias []float32, nr, flags int) {
	var acc [panelWidth]float32
	for i := range m {
		row := c[i*ldc : i*ldc+nr]
		switch {
		case flags&gemmAcc != 0:
			copy(acc[:nr], row)
		case flags&gemmBias != 0:
			copy(acc[:nr], bias[:nr])
		default:
			clear(acc[:nr])
		}
		ai := i * ars
		for p := range k {
			av := a[ai+p*acs]
			br := b[p*ldb : p*ldb+nr]
			for j, bv := range br {
				acc[j] += float32(av * bv)
			}
		}
		if flags&gemmReLU != 0 {
			for j := range nr {
				acc[j] = max(acc[j], 0)
			}
		}
		copy(row, acc[:nr])
	}
}

// gemmRef is the plain triple loop, for tests.
func gemmRef(m, n, k int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int, bias []float32, flags int) {
	for i := range m {
		for j := range n {
			var s float64
			switch {
			case flags&gemmAcc != 0:
				s = float64(c[i*ldc+j])
			case flags&gemmBias != 0:
				s = float64(bias[j])
			}
			for p := range k {
				s += float64(a[i*ars+p*acs]) * float64(b[p*ldb+j])
			}
			if flags&gemmReLU != 0 && s < 0 {
				s = 0
			}
			c[i*ldc+j] = float32(s)
		}
	}
}

// kernelEnv names the environment variable that selects a GEMM kernel by
// name ("go", "avx2", ...) instead of the fastest available one.
const kernelEnv = "FMNIST_NATIVE_KERNEL"

// kernelErr is the error of a kernelEnv naming no kernel this build and CPU
// can run; Compile returns it rather than train with another kernel.
var kernelErr error

func init() {
	kernel, kernelErr = selectKernel(availableKernels(), os.Getenv(kernelEnv))
}

// selectKernel returns the kernel named want among ks, or the first (the
// fastest) when want is empty.
func selectKernel(ks []gemmKernel, want string) (gemmKernel, error) {
	if want == "" {
		return ks[0], nil
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		if k.name == want {
			return k, nil
		}
		names[i] = k.name
	}
	return ks[0], fmt.Errorf("%s=%q: no such kernel here; this build and CPU run %s", kernelEnv, want, strings.Join(names, ", "))
}
